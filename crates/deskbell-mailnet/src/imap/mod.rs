//! IMAP: fetching new messages of one folder by UID, marking one as seen, waiting for new mail.
//!
//! The caller's checkpoint is the pair (UIDVALIDITY, last stored UID). UIDs only grow within
//! one UIDVALIDITY, so "UID greater than the checkpoint" is exactly "not yet stored"; when the
//! server changes UIDVALIDITY (folder recreated, server migrated) every UID may have changed
//! meaning, so everything is offered again and exactly-once storage is the caller's
//! deduplication (by Message-ID and content) to keep.

use std::fmt;
use std::time::Duration;

use tokio::time::{Instant, sleep_until, timeout_at};

use crate::{NetError, Security};

mod conn;
mod utf7;

use conn::Conn;

/// Servers may drop a connection idle for 30 minutes even in IDLE (RFC 2177), so one wait never
/// idles longer than this; the caller simply waits again.
const MAX_IDLE: Duration = Duration::from_secs(25 * 60);

/// Where to fetch mail from. `folder` is the name as the administrator sees it ("INBOX",
/// "Support/Zgłoszenia"); it is encoded for the wire here.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
    pub password: String,
    pub folder: String,
}

impl fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("folder", &self.folder)
            .finish()
    }
}

/// One message as the server stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub uid: u32,
    /// The size the server reports (RFC822.SIZE), if it did; meaningful mostly when
    /// `truncated`, to tell the administrator how large the message really is.
    pub size: Option<u64>,
    /// The raw RFC 5322 bytes, exactly as stored, or their first `max_bytes` when `truncated`.
    pub raw: Vec<u8>,
    /// The message is longer than the `max_bytes` given to [`fetch_after`]: `raw` is only its
    /// beginning (enough for the headers), so it can be quarantined without being downloaded.
    pub truncated: bool,
}

/// What [`fetch_after`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The folder's current UIDVALIDITY: store it with the checkpoint.
    pub uid_validity: u32,
    /// Oldest (lowest UID) first.
    pub messages: Vec<Fetched>,
    /// More new messages are waiting beyond `max`: call again after storing these.
    pub more: bool,
}

/// Why [`wait_for_mail`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The folder has, or may have, messages the caller has not fetched yet.
    NewMail,
    /// The time was up (or the server offers no IDLE and the wait was a plain sleep).
    TimedOut,
}

/// The messages with a UID above `after_uid`, oldest first, at most `max` of them, each with
/// its raw bytes. When `uid_validity` is given and differs from the folder's current one the
/// caller's checkpoint is stale and every message in the folder is returned (from UID 1).
///
/// The folder is opened read-only (EXAMINE) and bodies are read with `BODY.PEEK[]`, so fetching
/// never marks anything seen. A message longer than `max_bytes` comes back `truncated` with
/// only its first `max_bytes` bytes, so one oversized message cannot exhaust memory or block
/// the ones after it; a batch holds at most `max × max_bytes` bytes.
pub async fn fetch_after(
    cfg: &ImapConfig,
    uid_validity: Option<u32>,
    after_uid: u32,
    max: usize,
    max_bytes: usize,
) -> Result<Batch, NetError> {
    let mut conn = session(cfg).await?;
    let state = conn.open_folder(&cfg.folder, true).await?;
    let after = match uid_validity {
        Some(known) if known != state.uid_validity => 0,
        _ => after_uid,
    };
    let uids = if state.exists == 0 { Vec::new() } else { conn.uids_after(after).await? };
    let take = uids.len().min(max);
    let messages = conn.fetch(&uids[..take], max_bytes).await?;
    conn.logout().await;
    Ok(Batch { uid_validity: state.uid_validity, messages, more: uids.len() > take })
}

/// Adds the \Seen flag to a message once it is stored, so people reading the mailbox in a
/// mail program see what deskbell has taken. Best effort: returns `Ok(false)` without changing
/// anything when the message is gone or `uid_validity` is no longer the folder's (the UID might
/// now name another message).
pub async fn mark_seen(cfg: &ImapConfig, uid_validity: u32, uid: u32) -> Result<bool, NetError> {
    let mut conn = session(cfg).await?;
    let state = conn.open_folder(&cfg.folder, false).await?;
    let marked = if state.uid_validity == uid_validity { conn.mark_seen(uid).await? } else { false };
    conn.logout().await;
    Ok(marked)
}

/// Waits until the folder may have mail that [`fetch_after`] with the same checkpoint would
/// return, for `timeout` at most. Returns at once when such mail is already there (so mail
/// that arrived between the caller's last fetch and this call is not left waiting); otherwise
/// IDLEs and returns when the server reports a new message, or sleeps when the server has no
/// IDLE. Pass `uid_validity: None` to wait for any message above `after_uid`.
///
/// Cancel-safe: the future owns its connection and nothing else, so dropping it (the other
/// branch of a `tokio::select!` winning, typically the shutdown signal) just closes the socket.
pub async fn wait_for_mail(
    cfg: &ImapConfig,
    uid_validity: Option<u32>,
    after_uid: u32,
    timeout: Duration,
) -> Result<Wake, NetError> {
    // Clamped so that an absurd timeout (Duration::MAX) cannot overflow the clock.
    let deadline = Instant::now() + timeout.min(Duration::from_secs(24 * 3600));
    let wait = async {
        let mut conn = session(cfg).await?;
        let state = conn.open_folder(&cfg.folder, true).await?;
        let stale = uid_validity.is_some_and(|known| known != state.uid_validity);
        if stale || (state.exists > 0 && !conn.uids_after(after_uid).await?.is_empty()) {
            conn.logout().await;
            return Ok(Wake::NewMail);
        }
        conn.refresh_capabilities().await?;
        if !conn.has_capability("IDLE") {
            conn.logout().await;
            sleep_until(deadline).await;
            return Ok(Wake::TimedOut);
        }
        let wake = conn.idle(deadline.min(Instant::now() + MAX_IDLE)).await?;
        if wake == Wake::NewMail {
            conn.logout().await;
        }
        // On time-out the connection is just dropped: the caller asked to be back by now.
        Ok(wake)
    };
    match timeout_at(deadline, wait).await {
        Ok(result) => result,
        Err(_) => Ok(Wake::TimedOut),
    }
}

async fn session(cfg: &ImapConfig) -> Result<Conn, NetError> {
    let mut conn = Conn::connect(cfg).await?;
    conn.login(&cfg.password).await?;
    Ok(conn)
}
