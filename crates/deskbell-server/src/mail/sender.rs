//! The sender job: delivers the outbox through each mailbox's SMTP server, exactly once per
//! row as far as deskbell can tell, with exponential backoff on transient failures.
//!
//! A row is claimed (status `sending`, `claimed_until`) in a committed transaction before the
//! SMTP conversation starts, so two instances never send it at once; a sender that dies
//! mid-conversation leaves the claim to run out, and the row is tried again (SMTP cannot do
//! better than at-least-once across such a crash; the Message-ID stays the same, so the
//! recipient's mail program shows one message).

use std::time::Duration;

use deskbell_domain::person::Language;
use deskbell_mail::Address;
use deskbell_mailnet::{Security, SmtpConfig};
use deskbell_store::mail::{self, Endpoint, Mailbox, OutboxRow};
use deskbell_store::{Store, StoreError};
use jiff::{SignedDuration, Timestamp};

use super::blocking;
use super::templates::{self, Envelope, Params, Template};
use crate::state::AppState;

/// How long a claim holds: longer than any SMTP conversation with its timeouts.
const CLAIM: SignedDuration = SignedDuration::from_mins(10);
/// Attempts before a row is given up (about two days with the backoff below).
pub const MAX_ATTEMPTS: i64 = 12;
const BATCH: usize = 50;

/// 1 min, 2 min, 4 min, … capped at 6 h.
pub fn backoff(attempts: i64) -> SignedDuration {
    let exp = attempts.clamp(1, 20) - 1;
    let mins = 1i64.checked_shl(exp as u32).unwrap_or(i64::MAX).min(360);
    SignedDuration::from_mins(mins)
}

pub fn security(s: &str) -> Security {
    match s {
        "plain" => Security::Plain,
        "starttls" => Security::StartTls,
        _ => Security::Tls,
    }
}

fn smtp_config(e: &Endpoint) -> SmtpConfig {
    SmtpConfig {
        host: e.host.clone(),
        port: u16::try_from(e.port).unwrap_or(25),
        security: security(&e.security),
        user: e.user.clone(),
        password: e.password.clone(),
        hello_name: None,
    }
}

/// Composes a queued row's message (first attempt only; later attempts reuse the bytes).
pub fn compose_row(
    store: &Store,
    row: &OutboxRow,
    mailbox: &Mailbox,
    base_url: &str,
    now: Timestamp,
) -> Result<Vec<u8>, String> {
    if let Some(raw) = &row.raw {
        return Ok(raw.clone());
    }
    let template = Template::parse(&row.template).ok_or_else(|| format!("unknown template `{}`", row.template))?;
    let params: Params = serde_json::from_str(&row.params).map_err(|e| format!("template parameters: {e}"))?;
    let lang = if row.language == "en" { Language::En } else { Language::Pl };
    let from = Address {
        email: mailbox.address.clone(),
        name: (!mailbox.display_name.is_empty()).then(|| mailbox.display_name.clone()),
    };
    let env = Envelope { message_id: &row.message_id, from, base_url, date: now };
    let out = templates::render(template, lang, &params, &env);
    let raw = deskbell_mail::compose(&out).map_err(|e| e.to_string())?;
    store.write(|tx| mail::set_raw(tx, row.id, &raw)).map_err(|e| e.to_string())?;
    Ok(raw)
}

/// One pass over the due outbox. Returns how many messages were sent.
pub async fn run_once(store: &Store, base_url: &str, now: Timestamp) -> Result<usize, StoreError> {
    let s = store.clone();
    let due = blocking(move || s.read(|tx| mail::due_outbox(tx, now, BATCH))).await?;
    let mut sent = 0;
    for id in due {
        let (s, base) = (store.clone(), base_url.to_owned());
        // Claim, then the mailbox and the message, in one trip off the runtime.
        let prepared = blocking(move || {
            let Some(row) = s.write(|tx| mail::claim_outbox(tx, id, now, now + CLAIM))? else { return Ok(None) };
            let mailbox = s.read(|tx| mail::mailbox(tx, row.mailbox_id))?;
            let raw = compose_row(&s, &row, &mailbox, &base, now);
            Ok(Some((row, mailbox, raw)))
        })
        .await?;
        let Some((row, mailbox, raw)) = prepared else { continue };
        let result = match (raw, &mailbox.smtp) {
            (Err(e), _) => Err((true, format!("cannot compose the message: {e}"))),
            (Ok(_), None) => Err((false, format!("mailbox {} has no SMTP server", mailbox.name))),
            (Ok(raw), Some(e)) => deskbell_mailnet::send(&smtp_config(e), &row.envelope_from, &row.recipients, &raw)
                .await
                .map_err(|e| (e.permanent, e.message)),
        };
        let (s, attempts, done) = (store.clone(), row.attempts, result.is_ok());
        blocking(move || {
            s.write(|tx| match result {
                Ok(()) => mail::mark_sent(tx, id, Timestamp::now().max(now)),
                Err((true, e)) => mail::mark_failed(tx, id, &e),
                Err((false, e)) if attempts >= MAX_ATTEMPTS => {
                    mail::mark_failed(tx, id, &format!("gave up after {attempts} attempts: {e}"))
                }
                Err((false, e)) => mail::mark_retry(tx, id, &e, now + backoff(attempts)),
            })
        })
        .await?;
        if done {
            sent += 1;
        } else {
            tracing::warn!(outbox = id, "mail not delivered; see the outbox row");
        }
    }
    Ok(sent)
}

/// Runs the sender (and queues due reminders) every second until `stop` turns true.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = crate::jobs::every(Duration::from_secs(1));
    while crate::jobs::next_tick(&mut tick, &mut stop).await {
        let (store, days, now) = (state.store.clone(), state.config.waiting_reminder_days, state.now());
        match tokio::task::spawn_blocking(move || super::outbox::send_reminders(&store, days, now)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(reminders = n, "waiting-for-customer reminders queued"),
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot queue reminders; retrying"),
            Err(e) => tracing::error!(error = %e, "reminder pass panicked"),
        }
        match run_once(&state.store, &state.config.base_url, state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "mail sent"),
            Err(e) => tracing::warn!(error = %e, "mail sender pass failed; retrying"),
        }
    }
}
