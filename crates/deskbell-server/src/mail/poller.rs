//! The IMAP poller: one task per active mailbox with an IMAP server, fetching what arrived
//! after the committed checkpoint and handing each message to the intake. Between passes it
//! waits in IMAP IDLE (or sleeps the mailbox's poll interval when the server has no IDLE).
//!
//! Several instances may poll the same mailbox: each message's register row decides which
//! one stores it, and the checkpoint only moves forward.

use std::collections::HashMap;
use std::time::Duration;

use deskbell_mailnet::ImapConfig;
use deskbell_store::Store;
use deskbell_store::mail::{self, Mailbox};

use super::blocking;
use super::intake::{self, Outcome, Source};
use super::sender::security;
use crate::state::AppState;
use crate::tickets::service::Limits;

/// Messages fetched per IMAP round trip.
const BATCH: usize = 100;

pub fn imap_config(m: &Mailbox) -> Option<ImapConfig> {
    let e = m.imap.as_ref()?;
    Some(ImapConfig {
        host: e.host.clone(),
        port: u16::try_from(e.port).unwrap_or(993),
        security: security(&e.security),
        user: e.user.clone().unwrap_or_default(),
        password: e.password.clone().unwrap_or_default(),
        folder: m.imap_folder.clone(),
    })
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pass {
    pub fetched: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub quarantined: usize,
    /// The server has more after this batch.
    pub more: bool,
}

/// Fetches and ingests one batch of the mailbox's new messages. The poll status (last poll,
/// last error) is recorded on the mailbox for admins.
pub async fn poll_once(store: &Store, mailbox: &Mailbox, limits: Limits, now: jiff::Timestamp) -> Result<Pass, String> {
    let Some(cfg) = imap_config(mailbox) else { return Ok(Pass::default()) };
    let id = mailbox.id;
    let s = store.clone();
    let checkpoint = blocking(move || s.read(|tx| mail::checkpoint(tx, id))).await.map_err(|e| e.to_string())?;
    let (validity, after) = match checkpoint {
        Some((v, uid)) => (u32::try_from(v).ok(), u32::try_from(uid).unwrap_or(0)),
        None => (None, 0),
    };
    // One byte over the limit tells an oversized message from one exactly at it.
    let max_bytes = usize::try_from(mailbox.max_message_bytes).unwrap_or(usize::MAX).saturating_add(1);
    let batch = match deskbell_mailnet::fetch_after(&cfg, validity, after, BATCH, max_bytes).await {
        Ok(b) => b,
        Err(e) => {
            let msg = e.to_string();
            let s = store.clone();
            let m = msg.clone();
            let _ = blocking(move || s.write(|tx| mail::set_poll_status(tx, id, Some(&m), now))).await;
            return Err(msg);
        }
    };
    let mut pass = Pass { fetched: batch.messages.len(), more: batch.more, ..Pass::default() };
    for msg in batch.messages {
        let s = store.clone();
        let mb = mailbox.clone();
        let source = Source {
            label: format!("imap uid {}", msg.uid),
            checkpoint: Some((i64::from(batch.uid_validity), i64::from(msg.uid))),
        };
        // Each message at the moment it is taken (its ticket's creation, its SLA clocks).
        let now = jiff::Timestamp::now().max(now);
        let outcome = blocking(move || {
            if msg.truncated {
                intake::quarantine_oversized(&s, &mb, &msg.raw, msg.size, &source, now)
            } else {
                intake::ingest(&s, &mb, &msg.raw, &source, limits, now)
            }
        })
        .await
        .map_err(|e| format!("cannot store mail: {e}"))?;
        match outcome {
            Outcome::Duplicate => pass.duplicates += 1,
            Outcome::Quarantined { .. } => pass.quarantined += 1,
            _ => pass.stored += 1,
        }
    }
    let s = store.clone();
    blocking(move || s.write(|tx| mail::set_poll_status(tx, id, None, now))).await.map_err(|e| e.to_string())?;
    Ok(pass)
}

/// Keeps one polling task per active IMAP mailbox until `stop` turns true; mailboxes added,
/// changed or deactivated are picked up within seconds.
pub async fn run(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    let mut tasks: HashMap<i64, (Mailbox, tokio::task::JoinHandle<()>)> = HashMap::new();
    let mut stop_outer = stop.clone();
    loop {
        let s = state.store.clone();
        let list = blocking(move || s.read(mail::mailboxes)).await.unwrap_or_default();
        let wanted: HashMap<i64, Mailbox> =
            list.into_iter().filter(|m| m.active && m.imap.is_some()).map(|m| (m.id, m)).collect();
        tasks.retain(|id, (m, h)| {
            let keep = wanted.get(id).is_some_and(|w| w == m) && !h.is_finished();
            if !keep {
                h.abort();
            }
            keep
        });
        for (id, m) in wanted {
            if tasks.contains_key(&id) {
                continue;
            }
            let h = tokio::spawn(poll_loop(state.clone(), m.clone(), stop.clone()));
            tasks.insert(id, (m, h));
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop_outer.changed() => {}
        }
        if *stop_outer.borrow() {
            break;
        }
    }
    for (_, (_, h)) in tasks {
        h.abort();
    }
}

async fn poll_loop(state: AppState, mailbox: Mailbox, mut stop: tokio::sync::watch::Receiver<bool>) {
    let limits =
        Limits { attachment_max_bytes: state.config.attachment_max_bytes, reopen_days: state.config.reopen_days };
    let interval = Duration::from_secs(u64::try_from(mailbox.poll_secs.max(1)).unwrap_or(60));
    let Some(cfg) = imap_config(&mailbox) else { return };
    loop {
        let more = match poll_once(&state.store, &mailbox, limits, state.now()).await {
            Ok(p) => {
                if p.fetched > 0 {
                    tracing::info!(mailbox = %mailbox.name, fetched = p.fetched, stored = p.stored,
                        duplicates = p.duplicates, quarantined = p.quarantined, "mail fetched");
                }
                p.more
            }
            Err(e) => {
                tracing::warn!(mailbox = %mailbox.name, error = %e, "mail poll failed; retrying");
                false
            }
        };
        if more {
            continue;
        }
        let s = state.store.clone();
        let id = mailbox.id;
        let checkpoint = blocking(move || s.read(|tx| mail::checkpoint(tx, id))).await.ok().flatten();
        let (validity, after) = match checkpoint {
            Some((v, uid)) => (u32::try_from(v).ok(), u32::try_from(uid).unwrap_or(0)),
            None => (None, 0),
        };
        tokio::select! {
            r = deskbell_mailnet::wait_for_mail(&cfg, validity, after, interval) => {
                if r.is_err() {
                    // The server refused IDLE or dropped the connection: fall back to the interval.
                    tokio::time::sleep(interval.min(Duration::from_secs(30))).await;
                }
            }
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}
