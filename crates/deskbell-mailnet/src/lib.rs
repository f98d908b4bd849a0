//! The network side of deskbell's mail channel: fetch raw messages from an IMAP folder, wait for
//! new ones with IMAP IDLE, and hand raw messages to an SMTP server. It only moves bytes:
//! parsing and composing are `deskbell-mail`'s, checkpoints, quarantine and the outbox are the
//! server's. Every call opens its own connection and closes it before returning, so nothing is
//! shared between calls and a dropped future (a `tokio::select!` losing to a shutdown signal)
//! leaves nothing behind but a closed socket.
//!
//! Errors are written for the administrator who reads them in the mailbox status: they name the
//! server, the account and the step that failed and quote the server's own words; they never
//! contain a password.
//!
//! # Crates, and why
//! - IMAP: [`imap_proto`] parses server responses (it is the parser `async-imap` and `imap` are
//!   built on); the few commands deskbell needs are written here over tokio. `async-imap` was
//!   the obvious candidate but does not fit well: its NO/BAD errors are `Debug` renderings of
//!   parsed structs (`code: Some(..), info: Some(..)`) rather than the server's words, it has no
//!   timeouts of its own, and it brings chrono, async-channel, stop-token and pin-project for
//!   features unused here. Owning the command loop also gives exact control over STARTTLS
//!   (no plaintext may be buffered across the upgrade), literals for non-ASCII passwords and
//!   folder names, and a memory cap per response.
//! - SMTP: [`lettre`]'s client (`smtp-transport`, tokio, rustls; no message builder, no pool):
//!   SMTP has many server quirks (multi-line replies, AUTH variants, dot-stuffing) that a
//!   maintained client already handles, and it reports the reply code that decides between
//!   "retry later" and "give up".
//! - TLS: rustls with the `ring` provider through `tokio-rustls`, trusting the system's
//!   certificate store (`rustls-native-certs`, which honours `SSL_CERT_FILE`/`SSL_CERT_DIR`), so
//!   a company CA installed on the host is trusted by both IMAP and SMTP. No OpenSSL.
//!
//! # Timeouts
//! Opening a connection (name lookup, TCP, TLS handshake, greeting) must finish within
//! [`CONNECT_TIMEOUT`]. An IMAP command fails when the server stays silent for
//! [`COMMAND_TIMEOUT`]; this is a silence limit rather than a total so that a 60 MB message on a
//! slow link is not cut off while bytes keep arriving. lettre times out only the connect, so a
//! whole SMTP delivery gets [`COMMAND_TIMEOUT`] plus one second per 256 KiB of message.

use std::time::Duration;

mod imap;
mod smtp;
mod tls;

#[cfg(feature = "testing")]
pub mod testing;

pub use imap::{Batch, Fetched, ImapConfig, Wake, fetch_after, mark_seen, wait_for_mail};
pub use smtp::{SendError, SmtpConfig, send};

/// How long opening a connection may take, TLS handshake and greeting included.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a server may stay silent while deskbell waits for its answer to a command.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// How the connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte ("implicit TLS": IMAPS on port 993, SMTPS/submissions on 465).
    Tls,
    /// A plain connection upgraded with STARTTLS before logging in (IMAP 143, submission 587).
    /// The upgrade is required: a server that does not offer it is an error, never a silent
    /// fallback to plain text.
    StartTls,
    /// No encryption: the password and every message cross the network in clear text. Only
    /// for a server on the same machine (loopback, such as a local relay or the test servers).
    Plain,
}

/// Why an IMAP operation failed. Every variant carries a complete sentence for the mailbox
/// status page. [`Connect`](NetError::Connect), [`Timeout`](NetError::Timeout) and
/// [`Protocol`](NetError::Protocol) are usually worth retrying later; [`Tls`](NetError::Tls),
/// [`Auth`](NetError::Auth) and [`Folder`](NetError::Folder) need someone to fix the settings
/// (or the server).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// The server could not be reached, refused the connection, closed it, or is temporarily
    /// unavailable.
    #[error("{0}")]
    Connect(String),
    /// TLS could not be set up: no TLS on that port, an untrusted or mismatched certificate,
    /// no STARTTLS offered.
    #[error("{0}")]
    Tls(String),
    /// The server refused the login: wrong user name or password, or logins not allowed.
    #[error("{0}")]
    Auth(String),
    /// The configured folder does not exist or cannot be opened.
    #[error("{0}")]
    Folder(String),
    /// The server answered something deskbell did not expect or refused a command.
    #[error("{0}")]
    Protocol(String),
    /// The server did not answer in time (see [`CONNECT_TIMEOUT`] and [`COMMAND_TIMEOUT`]).
    #[error("{0}")]
    Timeout(String),
}

/// Text from a server, made safe to embed in one line of a message: control characters become
/// spaces and very long answers are cut.
pub(crate) fn server_text(raw: &str) -> String {
    const MAX_CHARS: usize = 300;
    let mut out: String = raw.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_CHARS).collect();
    if raw.trim().chars().count() > MAX_CHARS {
        out.push('…');
    }
    out
}
