//! The seed's scope rules (DESIGN §2), applied to new tickets:
//! - out of scope (hardware, operating-system updates, user permissions, the local network):
//!   answered with the local-IT response, kind `out_of_scope`, resolved as *redirected*
//!   (excluded from SLA compliance, counted in workload); the customer's answer reopens it
//!   and auto-close ends it otherwise. Agents do the same with "redirect to local IT".
//! - a development proposal taken by phone waits, *awaiting written confirmation*, with
//!   its clocks paused from the start; the customer gets the form's link, and the clock
//!   runs from the written request on.
//! - a training request is answered with the training catalogue and resolved.

use deskbell_domain::article::ArticleKind;
use deskbell_domain::automation::{OUT_OF_SCOPE_PHRASES, find_phrase};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::Tx;
use deskbell_store::tickets::{Article, Ticket};
use jiff::Timestamp;

use super::{ScopeSettings, responses};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::tickets::service::{
    self, AWAITING_WRITTEN_CONFIRMATION, NewArticle, REDIRECTED, TRAINING_CATALOGUE, auto_article, auto_change,
};

pub fn on_create(
    tx: &mut Tx<'_>,
    t: Ticket,
    first: &Article,
    actor: &Actor,
    settings: &ScopeSettings,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    // Only a customer's own request is answered by itself; an agent who logs one decides.
    if settings.out_of_scope && !actor.is_vendor() {
        let phrases: Vec<String> = if settings.out_of_scope_phrases.is_empty() {
            OUT_OF_SCOPE_PHRASES.iter().map(|p| (*p).to_owned()).collect()
        } else {
            settings.out_of_scope_phrases.clone()
        };
        let text = format!("{}\n{}", t.subject, first.body);
        let found = find_phrase(&phrases, &text).map(str::to_owned);
        if t.kind == Kind::OutOfScope || found.is_some() {
            let why =
                found.map_or_else(|| "the request's kind is out of scope".to_owned(), |p| format!("the phrase «{p}»"));
            if t.priority == Priority::Critical {
                auto_article(
                    tx,
                    &t,
                    ArticleKind::InternalNote,
                    format!(
                        "Scope rules: this critical request looks out of scope ({why}). It was not redirected by itself; \
                         check it and use \"Redirect to local IT\" if it is."
                    ),
                    now,
                )?;
                return Ok(t);
            }
            return redirect(tx, t, None, &format!("scope rules: out of scope, {why}"), now);
        }
    }
    let development = t.kind == Kind::DevelopmentRequest || t.priority == Priority::DevelopmentRequest;
    if settings.written_confirmation && development && t.channel == Channel::Phone && actor.is_vendor() {
        return park_for_written_confirmation(tx, t, now);
    }
    if settings.training_catalogue && t.kind == Kind::TrainingRequest && t.status == Status::New {
        let response = responses::keyed(tx, responses::TRAINING_CATALOGUE, now)?;
        let body = responses::render(tx, &response, &t, None)?;
        let article = auto_article(tx, &t, ArticleKind::PublicReply, body, now)?;
        crate::mail::outbox::automatic_reply(tx, &t, &article, now)?;
        let mut after = t.clone();
        after.status = Status::Resolved;
        after.disposition = Some(TRAINING_CATALOGUE.into());
        return auto_change(
            tx,
            &t,
            after,
            "scope rules: a training request is answered with the training catalogue",
            now,
        );
    }
    Ok(t)
}

/// Answers with the local-IT response and resolves the ticket as redirected. `agent`: who
/// redirects (their answer is a first response); `None`: the scope rules.
pub fn redirect(
    tx: &mut Tx<'_>,
    t: Ticket,
    agent: Option<&Actor>,
    reason: &str,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    if !t.status.is_open() {
        return Err(ApiError::conflict(
            "ticket_not_open",
            format!("ticket #{} is {}; only an open ticket can be redirected", t.number, t.status),
        ));
    }
    let response = responses::keyed(tx, responses::LOCAL_IT, now)?;
    let body = responses::render(tx, &response, &t, agent.map(|a| a.person.name.as_str()))?;
    let t = match agent {
        Some(a) => {
            let article =
                NewArticle { kind: ArticleKind::PublicReply, body, call: None, mail: None, attachments: Vec::new() };
            // The answer carries no files and the agent is not reopening anything: the limits
            // the service checks do not come into play.
            let limits = service::Limits { attachment_max_bytes: 0, reopen_days: 0 };
            service::add_article(tx, a, t.number, article, limits, now)?.0
        }
        None => {
            let article = auto_article(tx, &t, ArticleKind::PublicReply, body, now)?;
            crate::mail::outbox::automatic_reply(tx, &t, &article, now)?;
            // The article's event bumped nothing; the ticket row is unchanged.
            t
        }
    };
    let mut after = t.clone();
    after.kind = Kind::OutOfScope;
    after.status = Status::Resolved;
    after.disposition = Some(REDIRECTED.into());
    auto_change(tx, &t, after, reason, now)
}

fn park_for_written_confirmation(tx: &mut Tx<'_>, t: Ticket, now: Timestamp) -> Result<Ticket, ApiError> {
    let mailed = crate::mail::outbox::written_confirmation(tx, &t, now)?;
    let note = if mailed {
        "Development proposals are accepted in writing only. The customer was sent the link to the form; the \
         ticket waits for the written request, and its clock runs from then on."
    } else {
        "Development proposals are accepted in writing only. No mailbox can send, so ask the customer to write \
         (portal, e-mail or API); the ticket waits for the written request, and its clock runs from then on."
    };
    auto_article(tx, &t, ArticleKind::SystemNotice, note.into(), now)?;
    let mut after = t.clone();
    after.status = Status::WaitingForCustomer;
    after.disposition = Some(AWAITING_WRITTEN_CONFIRMATION.into());
    auto_change(tx, &t, after, "scope rules: a development proposal taken by phone waits for the written request", now)
}
