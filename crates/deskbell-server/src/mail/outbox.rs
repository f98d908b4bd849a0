//! What a ticket change sends by mail, queued in the change's own transaction.
//!
//! The ticket service calls these hooks from its write functions; the SLA watch calls
//! [`sla_alert`]. Each writes an outbox row with the template, its parameters and a fresh
//! Message-ID (stored with the article it carries, so the customer's reply threads back);
//! the sender job renders and delivers it. Without a mailbox that can send, nothing is queued.

use deskbell_domain::article::ArticleKind;
use deskbell_domain::person::Role;
use deskbell_domain::ticket::{Channel, Status};
use deskbell_store::mail::{self, Mailbox, OutboxInput};
use deskbell_store::people;
use deskbell_store::tickets::{Article, Ticket};
use deskbell_store::{StoreError, Tx};
use jiff::{SignedDuration, Timestamp};

use super::templates::{Params, Template};
use crate::auth::{Actor, Via};

/// Automatic answers to one address per hour; more means a loop with an auto-responder that
/// ignores Auto-Submitted.
pub const AUTO_REPLIES_PER_HOUR: i64 = 5;

/// The hash a tracking secret is stored as.
pub fn tracking_hash(key: &str) -> String {
    deskbell_store::attachments::sha256_hex(key.as_bytes())
}

fn mailbox_for(tx: &mut Tx<'_>, actor: Option<&Actor>, ticket: Option<i64>) -> Result<Option<Mailbox>, StoreError> {
    if let Some(Actor { via: Via::Mail { mailbox_id }, .. }) = actor {
        let m = mail::mailbox(tx, *mailbox_id)?;
        if m.active && m.smtp.is_some() {
            return Ok(Some(m));
        }
    }
    mail::outgoing_mailbox(tx, ticket)
}

fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("localhost", |(_, d)| d)
}

#[allow(clippy::too_many_arguments)]
fn queue(
    tx: &mut Tx<'_>,
    mailbox: &Mailbox,
    template: Template,
    ticket: Option<i64>,
    article: Option<i64>,
    language: &str,
    message_id: String,
    params: &Params,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut recipients: Vec<String> =
        params.to.iter().map(|(e, _)| e.clone()).chain(params.cc.iter().cloned()).collect();
    recipients.sort();
    recipients.dedup();
    if recipients.is_empty() {
        return Ok(());
    }
    let params = serde_json::to_string(params).map_err(|e| StoreError::Db(e.to_string()))?;
    mail::enqueue(
        tx,
        &OutboxInput {
            mailbox_id: mailbox.id,
            ticket_id: ticket,
            article_id: article,
            template: template.as_str().to_owned(),
            envelope_from: mailbox.address.clone(),
            recipients,
            message_id,
            params,
            language: language.to_owned(),
        },
        now,
    )?;
    Ok(())
}

/// The requester, unless mail to them bounces.
fn requester(tx: &mut Tx<'_>, t: &Ticket) -> Result<Option<deskbell_store::people::Person>, StoreError> {
    let p = people::get(tx, t.requester_id)?;
    if mail::bounce_of(tx, p.email.as_str())?.is_some() || !p.active {
        return Ok(None);
    }
    Ok(Some(p))
}

/// Counts an automatic answer to `address`; `false` when the hourly limit is reached (a
/// loop with an auto-responder that ignores Auto-Submitted), and nothing is to be sent.
fn take_auto_reply(tx: &mut Tx<'_>, t: &Ticket, address: &str, now: Timestamp) -> Result<bool, StoreError> {
    let hour_ago = now - SignedDuration::from_hours(1);
    if mail::auto_replies_since(tx, address, hour_ago)? >= AUTO_REPLIES_PER_HOUR {
        tracing::warn!(to = %address, ticket = t.number, "automatic answer suppressed: rate limit");
        return Ok(false);
    }
    mail::record_auto_reply(tx, address, now)?;
    Ok(true)
}

/// The ticket's cc without the addresses that bounce.
fn deliverable_cc(tx: &mut Tx<'_>, t: &Ticket) -> Result<Vec<String>, StoreError> {
    let mut cc = Vec::new();
    for c in &t.cc {
        if mail::bounce_of(tx, c)?.is_none() {
            cc.push(c.clone());
        }
    }
    Ok(cc)
}

/// A new ticket: "received" with the number and a secret tracking link, to the requester.
/// In answer to a mail it is an automatic reply, so it is rate-limited per address.
pub fn ticket_created(
    tx: &mut Tx<'_>,
    t: &Ticket,
    first: &Article,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(mailbox) = mailbox_for(tx, Some(actor), Some(t.id))? else { return Ok(()) };
    let Some(person) = requester(tx, t)? else { return Ok(()) };
    let answers_mail = t.channel == Channel::Email;
    if answers_mail && !take_auto_reply(tx, t, person.email.as_str(), now)? {
        return Ok(());
    }
    let key = crate::auth::random_token();
    mail::set_tracking_hash(tx, t.id, &tracking_hash(&key))?;
    let inbound = first.mail.as_ref().and_then(|m| m.message_id.clone());
    let params = Params {
        number: t.number,
        subject: t.subject.clone(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        tracking_key: Some(key),
        in_reply_to: inbound.clone(),
        references: inbound.into_iter().collect(),
        answers_mail,
        ..Params::default()
    };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, Template::Received, Some(t.id), None, person.language.as_str(), mid, &params, now)
}

/// An agent's public reply goes to the requester and the ticket's cc.
pub fn article_added(
    tx: &mut Tx<'_>,
    t: &Ticket,
    a: &Article,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), StoreError> {
    if !actor.is_vendor() || a.kind != ArticleKind::PublicReply {
        return Ok(());
    }
    let Some(mailbox) = mailbox_for(tx, None, Some(t.id))? else { return Ok(()) };
    let person = requester(tx, t)?;
    let mut to = Vec::new();
    if let Some(p) = &person {
        to.push((p.email.as_str().to_owned(), Some(p.name.clone())));
    }
    let cc = deliverable_cc(tx, t)?;
    let references = mail::thread_ids(tx, t.id)?;
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    mail::set_article_message_id(tx, a.id, &mid)?;
    let params = Params {
        number: t.number,
        subject: t.subject.clone(),
        recipient_name: person.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        to,
        cc,
        body: Some(a.body.clone()),
        agent_name: Some(actor.person.name.clone()),
        in_reply_to: references.last().cloned(),
        references,
        ..Params::default()
    };
    let lang = person.as_ref().map_or("pl", |p| p.language.as_str());
    queue(tx, &mailbox, Template::AgentReply, Some(t.id), Some(a.id), lang, mid, &params, now)
}

/// Status changes the customer hears about: resolved (confirm or reopen). Waiting for the
/// customer needs no mail of its own (the agent's question went out as a reply); a reminder
/// follows if the customer stays silent ([`waiting_reminder`]).
pub fn status_changed(
    tx: &mut Tx<'_>,
    before: &Ticket,
    after: &Ticket,
    actor: &Actor,
    reopen_days: u32,
    now: Timestamp,
) -> Result<(), StoreError> {
    let template = match (before.status, after.status) {
        (b, Status::Resolved) if b != Status::Resolved => Template::Resolved,
        _ => return Ok(()),
    };
    if !actor.is_vendor() {
        return Ok(());
    }
    let Some(mailbox) = mailbox_for(tx, None, Some(after.id))? else { return Ok(()) };
    let Some(person) = requester(tx, after)? else { return Ok(()) };
    let references = mail::thread_ids(tx, after.id)?;
    let key = (template == Template::Resolved).then(crate::auth::random_token);
    if let Some(k) = &key {
        mail::set_tracking_hash(tx, after.id, &tracking_hash(k))?;
    }
    let params = Params {
        number: after.number,
        subject: after.subject.clone(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        tracking_key: key,
        in_reply_to: references.last().cloned(),
        references,
        reopen_days,
        ..Params::default()
    };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, template, Some(after.id), None, person.language.as_str(), mid, &params, now)
}

/// An answer deskbell wrote by itself (a rule's template, the scope rules' answers) goes
/// to the requester and the ticket's cc as an automatic message: marked so (RFC 3834), and
/// in answer to mail rate-limited per address like the acknowledgement.
pub fn automatic_reply(tx: &mut Tx<'_>, t: &Ticket, a: &Article, now: Timestamp) -> Result<(), StoreError> {
    let Some(mailbox) = mailbox_for(tx, None, Some(t.id))? else { return Ok(()) };
    let Some(person) = requester(tx, t)? else { return Ok(()) };
    let answers_mail = t.channel == Channel::Email;
    if answers_mail && !take_auto_reply(tx, t, person.email.as_str(), now)? {
        return Ok(());
    }
    let cc = deliverable_cc(tx, t)?;
    let references = mail::thread_ids(tx, t.id)?;
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    mail::set_article_message_id(tx, a.id, &mid)?;
    let params = Params {
        number: t.number,
        subject: t.subject.clone(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        cc,
        body: Some(a.body.clone()),
        in_reply_to: references.last().cloned(),
        references,
        answers_mail,
        ..Params::default()
    };
    queue(tx, &mailbox, Template::AutomaticReply, Some(t.id), Some(a.id), person.language.as_str(), mid, &params, now)
}

/// A development proposal taken by phone: the requester gets the tracking link, whose page
/// takes the written request.
pub fn written_confirmation(tx: &mut Tx<'_>, t: &Ticket, now: Timestamp) -> Result<bool, StoreError> {
    let Some(mailbox) = mailbox_for(tx, None, Some(t.id))? else { return Ok(false) };
    let Some(person) = requester(tx, t)? else { return Ok(false) };
    let key = crate::auth::random_token();
    mail::set_tracking_hash(tx, t.id, &tracking_hash(&key))?;
    let params = Params {
        number: t.number,
        subject: t.subject.clone(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        tracking_key: Some(key),
        ..Params::default()
    };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, Template::WrittenConfirmation, Some(t.id), None, person.language.as_str(), mid, &params, now)?;
    Ok(true)
}

/// Notices to people on the vendor side (routing's critical ticket, a rule's `notify`): a
/// notification each, and a mail when a mailbox can send. Inactive people and customers
/// are left out; each person once.
pub fn staff_notices(
    tx: &mut Tx<'_>,
    t: &Ticket,
    kind: &str,
    people_ids: &[i64],
    message: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut ids = Vec::new();
    for &id in people_ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut mailbox = None;
    // Everyone in one query, in the order given.
    for person in people::get_many(tx, &ids)? {
        if !person.active || !person.role.is_vendor() {
            continue;
        }
        deskbell_store::sla::notify(tx, person.id, t.id, kind, message, now)?;
        // One lookup for all of them.
        if mailbox.is_none() {
            mailbox = Some(mailbox_for(tx, None, Some(t.id))?);
        }
        let Some(Some(mb)) = &mailbox else { continue };
        let params = Params {
            number: t.number,
            subject: t.subject.clone(),
            recipient_name: person.name.clone(),
            to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
            body: Some(message.to_owned()),
            ..Params::default()
        };
        let mid = deskbell_mail::new_message_id(domain_of(&mb.address));
        queue(tx, mb, Template::StaffNotice, Some(t.id), None, person.language.as_str(), mid, &params, now)?;
    }
    Ok(())
}

/// A merge: the duplicate's requester (with its cc) hears that replies go on in the target,
/// with a tracking link of the target; the target's requester hears what joined their ticket.
/// Both mails belong to the target's thread, so answers to them land there.
pub fn merged(tx: &mut Tx<'_>, source: &Ticket, target: &Ticket, now: Timestamp) -> Result<(), StoreError> {
    let Some(mailbox) = mailbox_for(tx, None, Some(target.id))? else { return Ok(()) };
    let references = mail::thread_ids(tx, target.id)?;
    let base = Params {
        number: target.number,
        subject: target.subject.clone(),
        merged_from: Some(source.number),
        in_reply_to: references.last().cloned(),
        references,
        ..Params::default()
    };
    let target_person = requester(tx, target)?;
    if let Some(p) = requester(tx, source)? {
        let mut cc = deliverable_cc(tx, source)?;
        cc.retain(|c| c != p.email.as_str() && target_person.as_ref().is_none_or(|t| t.email.as_str() != c));
        let key = crate::auth::random_token();
        mail::set_tracking_hash(tx, target.id, &tracking_hash(&key))?;
        let params = Params {
            recipient_name: p.name.clone(),
            to: vec![(p.email.as_str().to_owned(), Some(p.name.clone()))],
            cc,
            tracking_key: Some(key),
            ..base.clone()
        };
        let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
        queue(tx, &mailbox, Template::MergedInto, Some(target.id), None, p.language.as_str(), mid, &params, now)?;
    }
    match target_person {
        Some(p) if target.requester_id != source.requester_id => {
            let params = Params {
                recipient_name: p.name.clone(),
                to: vec![(p.email.as_str().to_owned(), Some(p.name.clone()))],
                ..base
            };
            let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
            queue(tx, &mailbox, Template::MergedFrom, Some(target.id), None, p.language.as_str(), mid, &params, now)
        }
        _ => Ok(()),
    }
}

/// An SLA warning or breach, to one person on the vendor side.
pub fn sla_alert(
    tx: &mut Tx<'_>,
    t: &Ticket,
    person_id: i64,
    breach: bool,
    message: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let person = people::get(tx, person_id)?;
    if !person.active || !matches!(person.role, Role::Agent | Role::Supervisor | Role::Admin) {
        return Ok(());
    }
    let Some(mailbox) = mailbox_for(tx, None, Some(t.id))? else { return Ok(()) };
    let params = Params {
        number: t.number,
        subject: t.subject.clone(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        body: Some(message.to_owned()),
        ..Params::default()
    };
    let template = if breach { Template::SlaBreach } else { Template::SlaWarning };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, template, Some(t.id), None, person.language.as_str(), mid, &params, now)
}

/// An invitation to the help centre, to the invited person in their own language, with the
/// secret of the link (only its hash is stored). `false` when no mailbox can send.
pub fn invitation(
    tx: &mut Tx<'_>,
    person: &people::Person,
    inviter: &people::Person,
    organisation: &str,
    token: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let Some(mailbox) = mailbox_for(tx, None, None)? else { return Ok(false) };
    let params = Params {
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        invite_token: Some(token.to_owned()),
        inviter_name: Some(inviter.name.clone()),
        organisation_name: Some(organisation.to_owned()),
        ..Params::default()
    };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, Template::Invitation, None, None, person.language.as_str(), mid, &params, now)?;
    Ok(true)
}

/// News of a training registration (placed, waiting, promoted) to the customer, in their
/// language; `details` is the training's time and link as that person reads them. `false`
/// when no mailbox can send.
pub fn training(
    tx: &mut Tx<'_>,
    template: Template,
    person: &people::Person,
    title: &str,
    details: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let Some(mailbox) = mailbox_for(tx, None, None)? else { return Ok(false) };
    let params = Params {
        subject: title.to_owned(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        body: Some(details.to_owned()),
        ..Params::default()
    };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, template, None, None, person.language.as_str(), mid, &params, now)?;
    Ok(true)
}

/// "We are still waiting for your answer", to the requester of a ticket that has waited
/// quietly; the caller has claimed this quiet stretch.
pub fn waiting_reminder(tx: &mut Tx<'_>, t: &Ticket, now: Timestamp) -> Result<bool, StoreError> {
    let Some(mailbox) = mailbox_for(tx, None, Some(t.id))? else { return Ok(false) };
    let Some(person) = requester(tx, t)? else { return Ok(false) };
    let references = mail::thread_ids(tx, t.id)?;
    let params = Params {
        number: t.number,
        subject: t.subject.clone(),
        recipient_name: person.name.clone(),
        to: vec![(person.email.as_str().to_owned(), Some(person.name.clone()))],
        in_reply_to: references.last().cloned(),
        references,
        ..Params::default()
    };
    let mid = deskbell_mail::new_message_id(domain_of(&mailbox.address));
    queue(tx, &mailbox, Template::WaitingReminder, Some(t.id), None, person.language.as_str(), mid, &params, now)?;
    Ok(true)
}

/// Queues the reminders that fell due by `now`; returns how many.
pub fn send_reminders(store: &deskbell_store::Store, days: u32, now: Timestamp) -> Result<usize, StoreError> {
    if days == 0 {
        return Ok(0);
    }
    let cutoff = now - SignedDuration::from_hours(24 * i64::from(days));
    let due = store.read(|tx| mail::due_reminders(tx, cutoff, 200))?;
    let mut queued = 0;
    for (ticket, since) in due {
        let sent = store.write(|tx| {
            if !mail::claim_reminder(tx, ticket, since, now)? {
                return Ok::<_, StoreError>(false);
            }
            let t = deskbell_store::tickets::by_id(tx, ticket)?;
            waiting_reminder(tx, &t, now)
        })?;
        queued += usize::from(sent);
    }
    Ok(queued)
}
