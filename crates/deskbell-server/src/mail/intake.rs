//! Mail intake: one raw message in, exactly one outcome out — a new ticket, a reply on an
//! existing one, an automatic message or bounce that is recorded and dropped, a duplicate,
//! or a quarantined message. The same function serves the IMAP poller, `deskbell mail
//! ingest` on stdin, and an admin's retry of a quarantined message.
//!
//! Everything a message causes is written in one transaction with its register row (and the
//! IMAP checkpoint when it came from IMAP): a crash before the commit leaves no trace, so the
//! message is fetched again; a crash after it finds the register row and stores nothing twice.
//! A message that cannot be parsed or stored is quarantined in a transaction of its own and
//! the mailbox moves on.

use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_domain::ticket::{Kind, Priority};
use deskbell_mail::{AutoKind, Inbound};
use deskbell_store::mail::{self, Accepted, Mailbox, UnknownSenders};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::tickets::{self, MailMeta};
use deskbell_store::{Store, StoreError, Tx, attachments, merges, orgs, settings};
use jiff::Timestamp;

use crate::auth::{Actor, Via};
use crate::error::ApiError;
use crate::tickets::service::{self, Limits, NewArticle, NewTicket, Upload};
use deskbell_domain::article::ArticleKind;

/// Where a message came from, and the IMAP position to commit with it.
#[derive(Debug, Clone)]
pub struct Source {
    /// Shown with a quarantined message: `imap uid 42`, `pipe`, `retry of #7`.
    pub label: String,
    /// `(uid_validity, uid)`: committed with the message so the poller resumes after it.
    pub checkpoint: Option<(i64, i64)>,
}

impl Source {
    pub fn pipe() -> Self {
        Source { label: "pipe".into(), checkpoint: None }
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ticket {
        number: i64,
    },
    Reply {
        number: i64,
    },
    /// An auto-reply, bulk or list mail: recorded, never a ticket, never answered.
    Automatic,
    /// A delivery report; the failed addresses are marked as bouncing.
    Bounce {
        addresses: Vec<String>,
    },
    /// The mailbox had stored it already.
    Duplicate,
    Quarantined {
        id: i64,
        reason: String,
    },
}

/// The organisation unknown senders land in when the mailbox says `queue` (or their domain
/// names no organisation), created on first use.
const UNKNOWN_ORG_KEY: &str = "mail.unknown_senders_organisation";
const UNKNOWN_ORG_NAME: &str = "Nieznani nadawcy (unknown senders)";

/// Takes one message. `Err` only when even the quarantine cannot be written (the database is
/// down): the caller keeps the message and tries again later.
pub fn ingest(
    store: &Store,
    mailbox: &Mailbox,
    raw: &[u8],
    source: &Source,
    limits: Limits,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    let hash_key = format!("sha256:{}", attachments::sha256_hex(raw));
    let max_bytes = usize::try_from(mailbox.max_message_bytes).unwrap_or(usize::MAX);
    let parsed = match deskbell_mail::parse(raw, &deskbell_mail::Limits { max_bytes }) {
        Ok(m) => m,
        Err(e) => return quarantine(store, mailbox, &hash_key, raw, &e.to_string(), source, now),
    };
    let key = match &parsed.message_id {
        Some(id) => format!("mid:{id}"),
        None => hash_key,
    };
    let result = store.write(|tx| -> Result<Outcome, ApiError> {
        if mail::is_registered(tx, mailbox.id, &key)? {
            advance(tx, mailbox, source, now)?;
            return Ok(Outcome::Duplicate);
        }
        let outcome = take(tx, mailbox, &parsed, &key, limits, now)?;
        advance(tx, mailbox, source, now)?;
        Ok(outcome)
    });
    match result {
        Ok(outcome) => Ok(outcome),
        // Another instance stored it while we worked on it (its register row won).
        Err(e) if e.code == DUPLICATE => {
            store.write(|tx| advance(tx, mailbox, source, now))?;
            Ok(Outcome::Duplicate)
        }
        Err(e) => quarantine(store, mailbox, &key, raw, &e.message, source, now),
    }
}

/// The error code of a register row that another instance wrote first.
const DUPLICATE: &str = "duplicate_message";

/// A message the IMAP server reported larger than the mailbox's limit: only its beginning
/// was fetched, and that is what the quarantine keeps, with the real size in the reason.
pub fn quarantine_oversized(
    store: &Store,
    mailbox: &Mailbox,
    head: &[u8],
    size: Option<u64>,
    source: &Source,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    let key = format!("sha256:{}", attachments::sha256_hex(head));
    let size = size.map_or_else(|| format!("more than {}", head.len().saturating_sub(1)), |s| s.to_string());
    let reason = format!(
        "message is {size} bytes, over the limit of {} bytes; only its first {} bytes are kept",
        mailbox.max_message_bytes,
        head.len()
    );
    quarantine(store, mailbox, &key, head, &reason, source, now)
}

fn advance(tx: &mut Tx<'_>, mailbox: &Mailbox, source: &Source, now: Timestamp) -> Result<(), StoreError> {
    match source.checkpoint {
        Some((validity, uid)) => mail::advance_checkpoint(tx, mailbox.id, validity, uid, now),
        None => Ok(()),
    }
}

fn quarantine(
    store: &Store,
    mailbox: &Mailbox,
    key: &str,
    raw: &[u8],
    reason: &str,
    source: &Source,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    tracing::warn!(mailbox = %mailbox.name, source = %source.label, %reason, "mail quarantined");
    let id = store.write(|tx| {
        let id = mail::quarantine(tx, mailbox.id, key, raw, reason, &source.label, now)?;
        advance(tx, mailbox, source, now)?;
        Ok::<_, StoreError>(id)
    })?;
    Ok(Outcome::Quarantined { id, reason: reason.to_owned() })
}

#[allow(clippy::too_many_arguments)]
fn register(
    tx: &mut Tx<'_>,
    mailbox: &Mailbox,
    m: &Inbound,
    key: &str,
    outcome: &'static str,
    ids: (Option<i64>, Option<i64>),
    note: Option<String>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let fresh = mail::register(
        tx,
        &Accepted {
            mailbox_id: mailbox.id,
            dedup_key: key.to_owned(),
            message_id: m.message_id.clone(),
            outcome,
            ticket_id: ids.0,
            article_id: ids.1,
            sender: m.from.email.clone(),
            subject: m.subject.clone(),
            note,
        },
        now,
    )?;
    if !fresh {
        // Another instance stored it between our check and now: undo everything.
        return Err(ApiError::conflict(DUPLICATE, "the message was stored by another instance"));
    }
    Ok(())
}

/// The message's fate, written in the caller's transaction.
fn take(
    tx: &mut Tx<'_>,
    mailbox: &Mailbox,
    m: &Inbound,
    key: &str,
    limits: Limits,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    match &m.auto {
        Some(AutoKind::Bounce { failed_recipients }) => {
            let mut marked = Vec::new();
            for addr in failed_recipients {
                let reason = format!("delivery report from {}: {}", m.from.email, m.subject);
                if mail::mark_bounced(tx, &addr.to_lowercase(), &reason, now)? {
                    marked.push(addr.to_lowercase());
                }
            }
            register(tx, mailbox, m, key, "bounce", (None, None), Some(failed_recipients.join(", ")), now)?;
            return Ok(Outcome::Bounce { addresses: marked });
        }
        Some(kind) => {
            let note = match kind {
                AutoKind::AutoReply => "automatic reply",
                _ => "bulk or list mail",
            };
            register(tx, mailbox, m, key, "auto", (None, None), Some(note.into()), now)?;
            return Ok(Outcome::Automatic);
        }
        None => {}
    }
    // Every mailbox's address, once: our own mail never opens a ticket nor sits in a cc.
    let own: Vec<String> = mail::mailboxes(tx)?.into_iter().map(|b| b.address.to_lowercase()).collect();
    if own.contains(&m.from.email) {
        // Our own mail coming back (a mailbox that receives what it sends): never a ticket.
        register(tx, mailbox, m, key, "auto", (None, None), Some("sent by a deskbell mailbox".into()), now)?;
        return Ok(Outcome::Automatic);
    }
    let actor = sender(tx, mailbox, m, now)?;
    let meta = MailMeta {
        message_id: m.message_id.clone(),
        in_reply_to: m.in_reply_to.first().cloned(),
        references: (!m.references.is_empty()).then(|| m.references.join(" ")),
        from: Some(m.from.email.clone()),
        to: (!m.to.is_empty()).then(|| m.to.iter().map(|a| a.email.as_str()).collect::<Vec<_>>().join(", ")),
        cc: (!m.cc.is_empty()).then(|| m.cc.iter().map(|a| a.email.as_str()).collect::<Vec<_>>().join(", ")),
        html: m.html.clone(),
        quote_start: m.quote_start.map(|q| q as i64),
    };
    let uploads: Vec<Upload> = m
        .attachments
        .iter()
        .map(|a| Upload {
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            data: a.bytes.clone(),
            content_id: a.content_id.clone(),
        })
        .collect();
    let body = if m.text.trim().is_empty() { "(pusta wiadomość / empty message)".to_owned() } else { m.text.clone() };

    if let Some(ticket) = thread(tx, &actor, m)? {
        let open = tickets::by_id(tx, ticket)?;
        if open.status != deskbell_domain::ticket::Status::Closed {
            let article = NewArticle {
                kind: ArticleKind::PublicReply,
                body: body.clone(),
                call: None,
                mail: Some(meta.clone()),
                attachments: uploads.clone(),
            };
            let writer = replying_actor(&actor, &open);
            let (t, a) = service::add_article(tx, &writer, open.number, article, limits, now)?;
            // Reply-to-all brings colleagues in: they join the ticket's cc.
            let mut joined: Vec<String> =
                m.cc.iter()
                    .chain(m.to.iter())
                    .map(|a| a.email.clone())
                    .filter(|e| !own.contains(e) && !t.cc.contains(e))
                    .collect();
            joined.retain(|e| *e != m.from.email);
            if !joined.is_empty() {
                let requester = people::get(tx, t.requester_id)?.email;
                joined.retain(|e| e != requester.as_str());
                service::add_cc(tx, &writer, t.number, &joined, "added by a reply by mail", now)?;
            }
            register(tx, mailbox, m, key, "reply", (Some(t.id), Some(a.id)), None, now)?;
            return Ok(Outcome::Reply { number: t.number });
        }
        // A reply to a closed ticket opens a new one (the seed: closed is final).
    }
    if actor.is_vendor() {
        return Err(ApiError::invalid(
            "from",
            format!(
                "mail from the support staff ({}) that answers no open ticket; forward customer mail so that the customer is the sender",
                m.from.email
            ),
        ));
    }
    let subject = {
        let s = deskbell_mail::strip_reply_prefixes(&m.subject).trim();
        if s.is_empty() { "(bez tematu / no subject)".to_owned() } else { s.to_owned() }
    };
    let mut cc: Vec<String> =
        m.cc.iter()
            .chain(m.to.iter())
            .map(|a| a.email.clone())
            .filter(|e| !own.contains(e) && *e != m.from.email)
            .collect();
    cc.sort();
    cc.dedup();
    let product_id = single_product(tx, actor.person.organisation_id)?;
    let input = NewTicket {
        subject,
        body,
        organisation_id: None,
        requester_id: None,
        cc,
        channel: None,
        kind: Kind::Question,
        priority: Priority::Standard,
        product_id,
        module: None,
        installation_id: None,
        assignee_id: None,
        team_id: None,
        tags: Vec::new(),
        local_it_checks: None,
        attachments: uploads,
        call: None,
    };
    let (t, a) = service::create_with_mail(tx, &actor, input, Some(meta), limits, now)?;
    register(tx, mailbox, m, key, "ticket", (Some(t.id), Some(a.id)), None, now)?;
    Ok(Outcome::Ticket { number: t.number })
}

/// The product of a hotel that has installations of only one: what its mail is about.
fn single_product(tx: &mut Tx<'_>, organisation: Option<i64>) -> Result<Option<i64>, StoreError> {
    let Some(org) = organisation else { return Ok(None) };
    let mut products: Vec<i64> = orgs::installations(tx, Some(&[org]))?.into_iter().map(|i| i.product_id).collect();
    products.sort_unstable();
    products.dedup();
    Ok(if products.len() == 1 { products.first().copied() } else { None })
}

/// The ticket a message answers: by In-Reply-To / References against stored Message-IDs,
/// then by the `[#1234]` subject token; either only when the sender may see that ticket (a
/// customer only their organisation's), so nobody can write into another customer's ticket.
fn thread(tx: &mut Tx<'_>, actor: &Actor, m: &Inbound) -> Result<Option<i64>, StoreError> {
    let ids: Vec<String> = m.in_reply_to.iter().chain(m.references.iter().rev()).cloned().collect();
    // A message of a merged ticket's thread belongs to the ticket it was merged into.
    let by_header = mail::ticket_by_message_ids(tx, &ids)?.map(|id| merges::current(tx, id)).transpose()?;
    let by_token = match deskbell_mail::ticket_token(&m.subject) {
        Some(number) => match tickets::by_number(tx, number, &tickets::Scope::All) {
            Ok(t) => Some(t.id),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    for candidate in [by_header, by_token].into_iter().flatten() {
        let t = tickets::by_id(tx, candidate)?;
        if may_write_by_mail(actor, &t) {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// Mail from anyone of the ticket's organisation (a colleague in cc answering) joins it, as
/// do the vendor side and a customer admin over the organisation's properties.
fn may_write_by_mail(actor: &Actor, t: &tickets::Ticket) -> bool {
    actor.is_vendor()
        || t.requester_id == actor.id()
        || actor.person.organisation_id == Some(t.organisation_id)
        || (actor.role() == Role::CustomerAdmin && actor.may_see_organisation(t.organisation_id))
}

/// The sender as the ticket service sees them for a reply by mail: a customer user of the
/// ticket's organisation may write into it by mail even though the portal shows them only
/// their own tickets.
fn replying_actor(actor: &Actor, t: &tickets::Ticket) -> Actor {
    match actor.scope {
        tickets::Scope::Requester(_) if actor.person.organisation_id == Some(t.organisation_id) => {
            Actor { scope: tickets::Scope::Organisations(vec![t.organisation_id]), ..actor.clone() }
        }
        _ => actor.clone(),
    }
}

/// The person who sent the message, as the actor the ticket service acts for. Unknown senders
/// become customer users as the mailbox says.
fn sender(tx: &mut Tx<'_>, mailbox: &Mailbox, m: &Inbound, now: Timestamp) -> Result<Actor, ApiError> {
    let email: EmailAddress =
        m.from.email.parse().map_err(|_| ApiError::invalid("from", format!("`{}` is not an address", m.from.email)))?;
    let person = match people::by_email(tx, &email)? {
        Some(p) if !p.active => {
            return Err(ApiError::invalid("from", format!("the account of {} is deactivated", m.from.email)));
        }
        Some(p) => p,
        None => {
            let by_domain = orgs::by_domain(tx, email.domain())?;
            let organisation = match (mailbox.unknown_senders, by_domain) {
                (UnknownSenders::Customer, Some(org)) => org,
                _ => unknown_senders_org(tx, now)?,
            };
            let name = m
                .from
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());
            let input = PersonInput {
                email: email.clone(),
                name: service::clean_text("from", &name, 200, false)?,
                role: Role::CustomerUser,
                organisation_id: Some(organisation),
                phone: None,
                language: Language::Pl,
                active: true,
            };
            people::create(tx, &input, None, now)?
        }
    };
    Ok(Actor::load(tx, person, Via::Mail { mailbox_id: mailbox.id })?)
}

fn unknown_senders_org(tx: &mut Tx<'_>, now: Timestamp) -> Result<i64, StoreError> {
    if let Some(id) = settings::get(tx, UNKNOWN_ORG_KEY)?.and_then(|v| v.parse().ok()) {
        return Ok(id);
    }
    let org = orgs::create(
        tx,
        &orgs::OrganisationInput {
            name: UNKNOWN_ORG_NAME.into(),
            parent_id: None,
            time_zone: "Europe/Warsaw".into(),
            notes: "Senders deskbell did not recognise; move their tickets to the right organisation.".into(),
            active: true,
            phones: Vec::new(),
            mail_domains: Vec::new(),
            account_team: Vec::new(),
        },
        now,
    )?;
    settings::set(tx, UNKNOWN_ORG_KEY, &org.id.to_string())?;
    Ok(org.id)
}
