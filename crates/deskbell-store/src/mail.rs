//! Mail persistence: mailboxes, the exactly-once register of accepted messages, quarantine,
//! IMAP checkpoints and the outbox.
//!
//! The intake writes the register row, the ticket or article, and the checkpoint in one
//! transaction, so a crash anywhere either stores all of them or none; the unique key on
//! `(mailbox, dedup_key)` turns a second delivery of the same message into a no-op.

use jiff::Timestamp;

use crate::sql::{Row, Tx, Value};
use crate::{StoreError, params};

// ---------------------------------------------------------------- mailboxes

#[derive(Debug, Clone, PartialEq)]
pub struct Mailbox {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub imap: Option<Endpoint>,
    pub imap_folder: String,
    pub poll_secs: i64,
    pub smtp: Option<Endpoint>,
    pub unknown_senders: UnknownSenders,
    pub max_message_bytes: i64,
    pub active: bool,
    pub last_poll_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// A server to reach: host, port, `tls`/`starttls`/`plain`, and credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub host: String,
    pub port: i64,
    pub security: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownSenders {
    /// A new customer user in the organisation the sender's mail domain names.
    Customer,
    /// A ticket in the unknown-senders queue for an agent to sort.
    Queue,
}

impl UnknownSenders {
    pub fn as_str(self) -> &'static str {
        match self {
            UnknownSenders::Customer => "customer",
            UnknownSenders::Queue => "queue",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(UnknownSenders::Customer),
            "queue" => Some(UnknownSenders::Queue),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MailboxInput {
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub imap: Option<Endpoint>,
    pub imap_folder: String,
    pub poll_secs: i64,
    pub smtp: Option<Endpoint>,
    pub unknown_senders: UnknownSenders,
    pub max_message_bytes: i64,
    pub active: bool,
}

const MAILBOX_COLS: &str = "id, name, address, display_name, imap_host, imap_port, imap_security, imap_user, imap_password, \
    imap_folder, poll_secs, smtp_host, smtp_port, smtp_security, smtp_user, smtp_password, unknown_senders, \
    max_message_bytes, active, last_poll_at, last_error";

fn endpoint(r: &Row, first: usize) -> Result<Option<Endpoint>, StoreError> {
    let Some(host) = r.opt_str(first)? else { return Ok(None) };
    Ok(Some(Endpoint {
        host,
        port: r.opt_i64(first + 1)?.unwrap_or_default(),
        security: r.str(first + 2)?,
        user: r.opt_str(first + 3)?,
        password: r.opt_str(first + 4)?,
    }))
}

fn mailbox_from(r: &Row) -> Result<Mailbox, StoreError> {
    Ok(Mailbox {
        id: r.i64(0)?,
        name: r.str(1)?,
        address: r.str(2)?,
        display_name: r.str(3)?,
        imap: endpoint(r, 4)?,
        imap_folder: r.str(9)?,
        poll_secs: r.i64(10)?,
        smtp: endpoint(r, 11)?,
        unknown_senders: UnknownSenders::parse(&r.str(16)?)
            .ok_or_else(|| StoreError::Db("mailboxes.unknown_senders holds an unknown value".into()))?,
        max_message_bytes: r.i64(17)?,
        active: r.bool(18)?,
        last_poll_at: r.opt_time(19)?,
        last_error: r.opt_str(20)?,
    })
}

fn endpoint_values(e: Option<&Endpoint>) -> [Value; 5] {
    match e {
        Some(e) => [
            e.host.clone().into(),
            e.port.into(),
            e.security.clone().into(),
            e.user.clone().into(),
            e.password.clone().into(),
        ],
        None => [Value::Null, Value::Null, Value::Text("tls".into()), Value::Null, Value::Null],
    }
}

fn mailbox_values(m: &MailboxInput, now: Timestamp) -> Vec<Value> {
    let mut v: Vec<Value> = vec![m.name.clone().into(), m.address.clone().into(), m.display_name.clone().into()];
    v.extend(endpoint_values(m.imap.as_ref()));
    v.push(m.imap_folder.clone().into());
    v.push(m.poll_secs.into());
    v.extend(endpoint_values(m.smtp.as_ref()));
    v.extend([m.unknown_senders.as_str().into(), m.max_message_bytes.into(), m.active.into(), now.into()]);
    v
}

/// A `Unique` error when the name is taken.
pub fn create_mailbox(tx: &mut Tx<'_>, m: &MailboxInput, now: Timestamp) -> Result<Mailbox, StoreError> {
    let r = tx.query_one(
        &format!(
            "INSERT INTO mailboxes (name, address, display_name, imap_host, imap_port, imap_security, imap_user, imap_password, \
             imap_folder, poll_secs, smtp_host, smtp_port, smtp_security, smtp_user, smtp_password, unknown_senders, \
             max_message_bytes, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING {MAILBOX_COLS}"
        ),
        &mailbox_values(m, now),
    )?;
    mailbox_from(&r)
}

pub fn update_mailbox(tx: &mut Tx<'_>, id: i64, m: &MailboxInput, now: Timestamp) -> Result<Mailbox, StoreError> {
    let mut values = mailbox_values(m, now);
    values.push(id.into());
    let r = tx.query_opt(
        &format!(
            "UPDATE mailboxes SET name = $1, address = $2, display_name = $3, imap_host = $4, imap_port = $5, imap_security = $6, \
             imap_user = $7, imap_password = $8, imap_folder = $9, poll_secs = $10, smtp_host = $11, smtp_port = $12, \
             smtp_security = $13, smtp_user = $14, smtp_password = $15, unknown_senders = $16, max_message_bytes = $17, \
             active = $18, updated_at = $19 WHERE id = $20 RETURNING {MAILBOX_COLS}"
        ),
        &values,
    )?;
    mailbox_from(&r.ok_or(StoreError::NotFound)?)
}

pub fn mailbox(tx: &mut Tx<'_>, id: i64) -> Result<Mailbox, StoreError> {
    mailbox_from(&tx.query_one(&format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE id = $1"), params![id])?)
}

pub fn mailbox_by_name(tx: &mut Tx<'_>, name: &str) -> Result<Mailbox, StoreError> {
    mailbox_from(&tx.query_one(&format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE name = $1"), params![name])?)
}

pub fn mailboxes(tx: &mut Tx<'_>) -> Result<Vec<Mailbox>, StoreError> {
    tx.query(&format!("SELECT {MAILBOX_COLS} FROM mailboxes ORDER BY name, id"), &[])?
        .iter()
        .map(mailbox_from)
        .collect()
}

/// Records how the last poll of a mailbox went (`None`: it worked).
pub fn set_poll_status(tx: &mut Tx<'_>, id: i64, error: Option<&str>, now: Timestamp) -> Result<(), StoreError> {
    tx.execute("UPDATE mailboxes SET last_poll_at = $2, last_error = $3 WHERE id = $1", params![id, now, error])?;
    Ok(())
}

// ---------------------------------------------------------------- the register

#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub mailbox_id: i64,
    pub dedup_key: String,
    pub message_id: Option<String>,
    pub outcome: &'static str,
    pub ticket_id: Option<i64>,
    pub article_id: Option<i64>,
    pub sender: String,
    pub subject: String,
    pub note: Option<String>,
}

/// Registers a message; `false` when the mailbox has it already (nothing is written then).
/// `ON CONFLICT DO NOTHING` rather than catching the unique violation: on PostgreSQL a
/// failed statement would abort the whole transaction.
pub fn register(tx: &mut Tx<'_>, a: &Accepted, now: Timestamp) -> Result<bool, StoreError> {
    let n = tx.execute(
        "INSERT INTO mail_messages (mailbox_id, dedup_key, message_id, outcome, ticket_id, article_id, sender, subject, note, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (mailbox_id, dedup_key) DO NOTHING",
        params![
            a.mailbox_id,
            &a.dedup_key,
            a.message_id.clone(),
            a.outcome,
            a.ticket_id,
            a.article_id,
            &a.sender,
            &a.subject,
            a.note.clone(),
            now
        ],
    )?;
    Ok(n == 1)
}

/// Whether the mailbox has registered this key (a cheap pre-check before parsing).
pub fn is_registered(tx: &mut Tx<'_>, mailbox_id: i64, dedup_key: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM mail_messages WHERE mailbox_id = $1 AND dedup_key = $2",
            params![mailbox_id, dedup_key],
        )?
        .is_some())
}

/// Moves a quarantined message's register row to what its retry made of it.
pub fn set_outcome(
    tx: &mut Tx<'_>,
    mailbox_id: i64,
    dedup_key: &str,
    outcome: &str,
    ticket_id: Option<i64>,
    article_id: Option<i64>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE mail_messages SET outcome = $3, ticket_id = $4, article_id = $5 WHERE mailbox_id = $1 AND dedup_key = $2",
        params![mailbox_id, dedup_key, outcome, ticket_id, article_id],
    )?;
    Ok(())
}

/// `(mailbox_id, dedup_key, outcome, ticket_id)` of the register, oldest first (tests and the
/// mail benchmark count with it).
pub fn register_rows(tx: &mut Tx<'_>, mailbox_id: i64) -> Result<Vec<(String, String, Option<i64>)>, StoreError> {
    tx.query(
        "SELECT dedup_key, outcome, ticket_id FROM mail_messages WHERE mailbox_id = $1 ORDER BY id",
        params![mailbox_id],
    )?
    .iter()
    .map(|r| Ok((r.str(0)?, r.str(1)?, r.opt_i64(2)?)))
    .collect()
}

/// The ticket a message refers to: the newest article or outgoing message carrying one of
/// `ids` as its Message-ID.
pub fn ticket_by_message_ids(tx: &mut Tx<'_>, ids: &[String]) -> Result<Option<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(None);
    }
    let list = crate::sql::in_list(0, ids.len());
    let values: Vec<Value> = ids.iter().map(Value::from).collect();
    let from_articles = tx.query_opt(
        &format!("SELECT ticket_id FROM articles WHERE message_id IN {list} ORDER BY id DESC LIMIT 1"),
        &values,
    )?;
    if let Some(r) = from_articles {
        return Ok(Some(r.i64(0)?));
    }
    tx.query_opt(
        &format!(
            "SELECT ticket_id FROM outbox WHERE message_id IN {list} AND ticket_id IS NOT NULL ORDER BY id DESC LIMIT 1"
        ),
        &values,
    )?
    .map(|r| r.i64(0))
    .transpose()
}

// ---------------------------------------------------------------- quarantine

#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    pub id: i64,
    pub mailbox_id: i64,
    pub dedup_key: String,
    pub raw: Vec<u8>,
    pub reason: String,
    pub source: String,
    pub attempts: i64,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub resolution: Option<String>,
}

const QUARANTINE_COLS: &str =
    "id, mailbox_id, dedup_key, raw, reason, source, attempts, created_at, resolved_at, resolution";

fn quarantined_from(r: &Row) -> Result<Quarantined, StoreError> {
    Ok(Quarantined {
        id: r.i64(0)?,
        mailbox_id: r.i64(1)?,
        dedup_key: r.str(2)?,
        raw: r.bytes(3)?,
        reason: r.str(4)?,
        source: r.str(5)?,
        attempts: r.i64(6)?,
        created_at: r.time(7)?,
        resolved_at: r.opt_time(8)?,
        resolution: r.opt_str(9)?,
    })
}

/// Keeps a message that could not be stored, or counts another failed attempt at it.
pub fn quarantine(
    tx: &mut Tx<'_>,
    mailbox_id: i64,
    dedup_key: &str,
    raw: &[u8],
    reason: &str,
    source: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO mail_quarantine (mailbox_id, dedup_key, raw, reason, source, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (mailbox_id, dedup_key) DO UPDATE SET attempts = mail_quarantine.attempts + 1, reason = excluded.reason, \
         resolved_at = NULL, resolution = NULL RETURNING id",
        params![mailbox_id, dedup_key, raw.to_vec(), reason, source, now],
    )?
    .i64(0)
}

/// Quarantined messages, newest first; resolved ones only when asked.
pub fn quarantined(tx: &mut Tx<'_>, include_resolved: bool) -> Result<Vec<Quarantined>, StoreError> {
    let filter = if include_resolved { "" } else { "WHERE resolved_at IS NULL" };
    tx.query(&format!("SELECT {QUARANTINE_COLS} FROM mail_quarantine {filter} ORDER BY id DESC"), &[])?
        .iter()
        .map(quarantined_from)
        .collect()
}

pub fn quarantined_one(tx: &mut Tx<'_>, id: i64) -> Result<Quarantined, StoreError> {
    quarantined_from(
        &tx.query_one(&format!("SELECT {QUARANTINE_COLS} FROM mail_quarantine WHERE id = $1"), params![id])?,
    )
}

pub fn resolve_quarantined(tx: &mut Tx<'_>, id: i64, resolution: &str, now: Timestamp) -> Result<(), StoreError> {
    match tx.execute(
        "UPDATE mail_quarantine SET resolved_at = $2, resolution = $3 WHERE id = $1",
        params![id, now, resolution],
    )? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- IMAP checkpoints

/// `(uid_validity, last_uid)` of the mailbox's folder, if it was polled before.
pub fn checkpoint(tx: &mut Tx<'_>, mailbox_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
    tx.query_opt("SELECT uid_validity, last_uid FROM imap_checkpoints WHERE mailbox_id = $1", params![mailbox_id])?
        .map(|r| Ok((r.i64(0)?, r.i64(1)?)))
        .transpose()
}

/// Moves the checkpoint forward (never back within one UIDVALIDITY: two instances may commit
/// out of order); a new UIDVALIDITY replaces it.
pub fn advance_checkpoint(
    tx: &mut Tx<'_>,
    mailbox_id: i64,
    uid_validity: i64,
    uid: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO imap_checkpoints (mailbox_id, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (mailbox_id) DO UPDATE SET last_uid = CASE WHEN imap_checkpoints.uid_validity = excluded.uid_validity \
         AND imap_checkpoints.last_uid > excluded.last_uid THEN imap_checkpoints.last_uid ELSE excluded.last_uid END, \
         uid_validity = excluded.uid_validity, updated_at = excluded.updated_at",
        params![mailbox_id, uid_validity, uid, now],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- outbox

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxInput {
    pub mailbox_id: i64,
    pub ticket_id: Option<i64>,
    pub article_id: Option<i64>,
    pub template: String,
    pub envelope_from: String,
    pub recipients: Vec<String>,
    pub message_id: String,
    /// What the template needs, as JSON (the sender renders it).
    pub params: String,
    pub language: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub mailbox_id: i64,
    pub ticket_id: Option<i64>,
    pub article_id: Option<i64>,
    pub template: String,
    pub envelope_from: String,
    pub recipients: Vec<String>,
    pub message_id: String,
    pub params: String,
    pub language: String,
    /// Composed at the first attempt; `None` before.
    pub raw: Option<Vec<u8>>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub sent_at: Option<Timestamp>,
}

const OUTBOX_COLS: &str = "id, mailbox_id, ticket_id, article_id, template, envelope_from, recipients, message_id, \
    template_params, language, raw, status, attempts, next_attempt_at, last_error, sent_at";

fn outbox_from(r: &Row) -> Result<OutboxRow, StoreError> {
    Ok(OutboxRow {
        id: r.i64(0)?,
        mailbox_id: r.i64(1)?,
        ticket_id: r.opt_i64(2)?,
        article_id: r.opt_i64(3)?,
        template: r.str(4)?,
        envelope_from: r.str(5)?,
        recipients: serde_json::from_str(&r.str(6)?).map_err(|e| StoreError::Db(format!("outbox.recipients: {e}")))?,
        message_id: r.str(7)?,
        params: r.str(8)?,
        language: r.str(9)?,
        raw: match r.0.get(10) {
            Some(Value::Null) | None => None,
            _ => Some(r.bytes(10)?),
        },
        status: r.str(11)?,
        attempts: r.i64(12)?,
        next_attempt_at: r.time(13)?,
        last_error: r.opt_str(14)?,
        sent_at: r.opt_time(15)?,
    })
}

/// Queues a message for the sender job, in the caller's transaction.
pub fn enqueue(tx: &mut Tx<'_>, m: &OutboxInput, now: Timestamp) -> Result<i64, StoreError> {
    let recipients = serde_json::to_string(&m.recipients).map_err(|e| StoreError::Db(e.to_string()))?;
    tx.query_one(
        "INSERT INTO outbox (mailbox_id, ticket_id, article_id, template, envelope_from, recipients, message_id, \
         template_params, language, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        params![
            m.mailbox_id,
            m.ticket_id,
            m.article_id,
            &m.template,
            &m.envelope_from,
            recipients,
            &m.message_id,
            &m.params,
            &m.language,
            now
        ],
    )?
    .i64(0)
}

/// Ids of messages due for a delivery attempt: pending ones whose time has come, and ones
/// whose sender's claim ran out (it crashed mid-send).
pub fn due_outbox(tx: &mut Tx<'_>, now: Timestamp, limit: usize) -> Result<Vec<i64>, StoreError> {
    tx.query(
        "SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT $2",
        params![now, limit as i64],
    )?
    .iter()
    .map(|r| r.i64(0))
    .collect()
}

/// Claims a message for one delivery attempt until `until`; `None` when another sender has
/// it or it is done. The claim is committed before the SMTP conversation starts.
pub fn claim_outbox(
    tx: &mut Tx<'_>,
    id: i64,
    now: Timestamp,
    until: Timestamp,
) -> Result<Option<OutboxRow>, StoreError> {
    let n = tx.execute(
        "UPDATE outbox SET status = 'sending', claimed_until = $3, attempts = attempts + 1 WHERE id = $1 \
         AND status IN ('pending', 'sending') AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)",
        params![id, now, until],
    )?;
    if n == 0 {
        return Ok(None);
    }
    outbox_one(tx, id).map(Some)
}

pub fn outbox_one(tx: &mut Tx<'_>, id: i64) -> Result<OutboxRow, StoreError> {
    outbox_from(&tx.query_one(&format!("SELECT {OUTBOX_COLS} FROM outbox WHERE id = $1"), params![id])?)
}

pub fn outbox_for_ticket(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<OutboxRow>, StoreError> {
    tx.query(&format!("SELECT {OUTBOX_COLS} FROM outbox WHERE ticket_id = $1 ORDER BY id"), params![ticket_id])?
        .iter()
        .map(outbox_from)
        .collect()
}

/// Keeps the composed message, so retries send the same bytes.
pub fn set_raw(tx: &mut Tx<'_>, id: i64, raw: &[u8]) -> Result<(), StoreError> {
    tx.execute("UPDATE outbox SET raw = $2 WHERE id = $1", params![id, raw.to_vec()])?;
    Ok(())
}

/// The outgoing messages of every ticket, newest first (admin view and tests).
pub fn outbox_recent(tx: &mut Tx<'_>, limit: usize) -> Result<Vec<OutboxRow>, StoreError> {
    tx.query(&format!("SELECT {OUTBOX_COLS} FROM outbox ORDER BY id DESC LIMIT $1"), params![limit as i64])?
        .iter()
        .map(outbox_from)
        .collect()
}

/// Stores the Message-ID an outgoing mail gave an article (replies to it thread back).
pub fn set_article_message_id(tx: &mut Tx<'_>, article_id: i64, message_id: &str) -> Result<(), StoreError> {
    tx.execute("UPDATE articles SET message_id = $2 WHERE id = $1", params![article_id, message_id])?;
    Ok(())
}

/// Message-IDs of a ticket's articles and outgoing mail, oldest first: the References of a
/// new outgoing message.
pub fn thread_ids(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<String>, StoreError> {
    tx.query(
        "SELECT message_id, created_at FROM articles WHERE ticket_id = $1 AND message_id IS NOT NULL \
         UNION ALL SELECT message_id, created_at FROM outbox WHERE ticket_id = $1 AND article_id IS NULL \
         AND template IN ('received', 'resolved', 'waiting_reminder', 'out_of_scope') ORDER BY 2",
        params![ticket_id],
    )?
    .iter()
    .map(|r| r.str(0))
    .collect()
}

/// The mailbox a ticket's mail goes out through: the one its latest inbound message came
/// to, else the first active mailbox that can send.
pub fn outgoing_mailbox(tx: &mut Tx<'_>, ticket_id: Option<i64>) -> Result<Option<Mailbox>, StoreError> {
    // One round trip: every ticket change asks, and most installations have one mailbox.
    tx.query_opt(
        &format!(
            "SELECT {MAILBOX_COLS} FROM mailboxes WHERE active AND smtp_host IS NOT NULL ORDER BY \
             CASE WHEN id = (SELECT mailbox_id FROM mail_messages WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1) \
             THEN 0 ELSE 1 END, id LIMIT 1"
        ),
        params![ticket_id],
    )?
    .map(|r| mailbox_from(&r))
    .transpose()
}

pub fn mark_sent(tx: &mut Tx<'_>, id: i64, now: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE outbox SET status = 'sent', sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
        params![id, now],
    )?;
    Ok(())
}

/// A transient failure: try again at `next`.
pub fn mark_retry(tx: &mut Tx<'_>, id: i64, error: &str, next: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $3, claimed_until = NULL, last_error = $2 WHERE id = $1",
        params![id, error, next],
    )?;
    Ok(())
}

/// A permanent failure (or too many attempts): kept for an admin, never retried by itself.
pub fn mark_failed(tx: &mut Tx<'_>, id: i64, error: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = $2 WHERE id = $1",
        params![id, error],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- loops and bounces

/// Automatic answers sent to `address` since `since`.
pub fn auto_replies_since(tx: &mut Tx<'_>, address: &str, since: Timestamp) -> Result<i64, StoreError> {
    tx.query_one("SELECT COUNT(*) FROM auto_replies WHERE address = $1 AND sent_at >= $2", params![address, since])?
        .i64(0)
}

pub fn record_auto_reply(tx: &mut Tx<'_>, address: &str, now: Timestamp) -> Result<(), StoreError> {
    tx.execute("INSERT INTO auto_replies (address, sent_at) VALUES ($1, $2)", params![address, now])?;
    Ok(())
}

/// Marks the person with this address as bouncing; `false` when nobody has it.
pub fn mark_bounced(tx: &mut Tx<'_>, email: &str, reason: &str, now: Timestamp) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "UPDATE people SET bounced_at = $2, bounce_reason = $3 WHERE email = $1",
        params![email, now, reason],
    )? > 0)
}

/// `(bounced_at, reason)` of the person with this address.
pub fn bounce_of(tx: &mut Tx<'_>, email: &str) -> Result<Option<(Timestamp, String)>, StoreError> {
    tx.query_opt(
        "SELECT bounced_at, bounce_reason FROM people WHERE email = $1 AND bounced_at IS NOT NULL",
        params![email],
    )?
    .map(|r| Ok((r.time(0)?, r.opt_str(1)?.unwrap_or_default())))
    .transpose()
}

/// Stores the hash of a ticket's tracking secret.
pub fn set_tracking_hash(tx: &mut Tx<'_>, ticket_id: i64, hash: &str) -> Result<(), StoreError> {
    tx.execute("UPDATE tickets SET tracking_hash = $2 WHERE id = $1", params![ticket_id, hash])?;
    // Earlier links stay valid: each one is a row of its own.
    tx.execute(
        "INSERT INTO tracking_keys (hash, ticket_id) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
        params![hash, ticket_id],
    )?;
    Ok(())
}

/// The ticket whose tracking secret hashes to `hash` (any link its mails handed out).
pub fn ticket_by_tracking_hash(tx: &mut Tx<'_>, hash: &str) -> Result<Option<i64>, StoreError> {
    tx.query_opt("SELECT ticket_id FROM tracking_keys WHERE hash = $1", params![hash])?.map(|r| r.i64(0)).transpose()
}

// ---------------------------------------------------------------- reminders

/// Tickets waiting for the customer since before `cutoff` with no reminder for this quiet
/// stretch yet: `(ticket_id, updated_at)`.
pub fn due_reminders(tx: &mut Tx<'_>, cutoff: Timestamp, limit: usize) -> Result<Vec<(i64, Timestamp)>, StoreError> {
    tx.query(
        "SELECT t.id, t.updated_at FROM tickets t WHERE t.status = 'waiting_for_customer' AND t.updated_at <= $1 \
         AND NOT EXISTS (SELECT 1 FROM mail_reminders r WHERE r.ticket_id = t.id AND r.since = t.updated_at) \
         ORDER BY t.updated_at LIMIT $2",
        params![cutoff, limit as i64],
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.time(1)?)))
    .collect()
}

/// Claims the reminder of one quiet stretch; `true` for exactly one caller.
pub fn claim_reminder(tx: &mut Tx<'_>, ticket_id: i64, since: Timestamp, now: Timestamp) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "INSERT INTO mail_reminders (ticket_id, since, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        params![ticket_id, since, now],
    )? == 1)
}
