//! Following a ticket by the secret link of its mails, without an account: read-only.
//!
//! A wrong key, a missing one, or a key of another ticket is the same plain "not found" as a
//! number that does not exist, so the page never tells whether a number is in use.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use deskbell_store::tickets::{self, Ticket};
use deskbell_store::{Tx, attachments, orgs};
use serde::Deserialize;

use super::ticket::{TicketPage, facts};
use super::{PREVIEW_TYPES, not_found, number, thread};
use crate::error::ApiError;
use crate::mail::outbox::tracking_hash;
use crate::state::AppState;
use crate::tickets::service::AWAITING_WRITTEN_CONFIRMATION;
use crate::web::ctx::{self, Ctx, PageResult};
use crate::web::forms::Errors;
use crate::web::i18n;

#[derive(Deserialize)]
pub struct TrackQuery {
    key: Option<String>,
    /// `closed` after a confirmation, `written` after a written proposal.
    done: Option<String>,
}

/// Longest key a link can carry (ours are 43 characters).
const KEY_MAX: usize = 200;

/// The ticket of a tracking key, when it is the ticket of that number.
fn tracked(tx: &mut Tx<'_>, n: i64, key: &str) -> Result<Ticket, ApiError> {
    let missing = || ApiError::not_found("page");
    let id = deskbell_store::mail::ticket_by_tracking_hash(tx, &tracking_hash(key))?.ok_or_else(missing)?;
    let t = tickets::by_id(tx, id)?;
    if t.number != n {
        return Err(missing());
    }
    // The link of a merged ticket follows it into the ticket it was merged into.
    match deskbell_store::merges::of_source(tx, t.id)? {
        Some(m) => Ok(tickets::by_id(tx, m.target_id)?),
        None => Ok(t),
    }
}

fn key_of(q: TrackQuery) -> Result<String, ApiError> {
    q.key.filter(|k| !k.is_empty() && k.len() <= KEY_MAX).ok_or_else(|| ApiError::not_found("page"))
}

/// A tracking link of `/track/{number}?key=…`; anything malformed is a plain 404.
pub struct Link {
    n: i64,
    key: String,
    /// `closed` after a confirmation.
    done: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Link {
    type Rejection = crate::web::PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Link, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        let Query(q) = Query::<TrackQuery>::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        let n = number(&raw).map_err(|_| not_found())?;
        let done = q.done.clone();
        Ok(Link { n, key: key_of(q)?, done })
    }
}

/// GET /track/{number}?key=…
pub async fn show(State(state): State<AppState>, c: Ctx, Link { n, key, done }: Link) -> PageResult {
    let notice = match done.as_deref() {
        Some("closed") => Some(c.t.help_done_closed),
        Some("written") => Some(c.t.track_written_sent),
        _ => None,
    };
    let k = crate::web::forms::percent_encode(&key);
    let action = format!("/track/{n}/confirm?key={k}");
    let written = format!("/track/{n}/written?key={k}");
    let reopen_days = state.config.reopen_days;
    let cc = c.clone();
    let (f, articles, awaiting) = state
        .read(move |tx| {
            let t = tracked(tx, n, &key)?;
            let f = facts(tx, &cc, &t, reopen_days)?;
            let tz = i18n::time_zone(&orgs::time_zone(tx, t.organisation_id)?);
            let k = crate::web::forms::percent_encode(&key);
            let articles = thread(tx, &cc, &t, &tz, &|id| format!("/track/{n}/attachments/{id}?key={k}"))?;
            let awaiting = t.disposition.as_deref() == Some(AWAITING_WRITTEN_CONFIRMATION);
            Ok((f, articles, awaiting))
        })
        .await?;
    let resolved = f.resolved;
    let page = TicketPage {
        c: &c,
        section: "",
        f,
        articles,
        tracking: true,
        confirm_action: resolved.then_some(action),
        written_action: awaiting.then_some(written),
        notice,
        errors: Errors::default(),
        reply: String::new(),
        comment: String::new(),
        max_bytes: 0,
        too_large: String::new(),
    };
    ctx::html(&page)
}

/// GET /track/{number}/attachments/{id}?key=… — a file of the tracked ticket's public thread.
pub async fn attachment(
    State(state): State<AppState>,
    Path((raw, id)): Path<(String, i64)>,
    Query(q): Query<TrackQuery>,
) -> PageResult<Response> {
    let n = number(&raw).map_err(|_| not_found())?;
    let key = key_of(q)?;
    let (meta, data) = state
        .read(move |tx| {
            let t = tracked(tx, n, &key)?;
            let missing = || ApiError::not_found("page");
            let a = attachments::get(tx, id).map_err(|_| missing())?;
            // Only files of this ticket's public articles (never an internal note's).
            let public =
                a.ticket_id == t.id && tickets::articles(tx, t.id, false)?.iter().any(|ar| ar.id == a.article_id);
            if !public {
                return Err(missing());
            }
            let data = attachments::content(tx, &a.sha256)?;
            Ok((a, data))
        })
        .await?;
    // Images only are shown; everything else is a download.
    Ok(crate::tickets::api::file_response(&meta, data, PREVIEW_TYPES))
}

/// POST /track/{number}/confirm?key=… — the requester confirms the solution from the link of
/// the "resolved" mail, without logging in. The link proves they received that mail; it can
/// do nothing but close a resolved ticket (the ticket service refuses anything else).
pub async fn confirm(State(state): State<AppState>, c: Ctx, Link { n, key, .. }: Link) -> PageResult {
    let back = format!("/track/{n}?key={}", crate::web::forms::percent_encode(&key));
    let (lim, now) = (crate::tickets::api::limits(&state), c.now);
    state
        .write(move |tx| {
            let t = tracked(tx, n, &key)?;
            let requester = deskbell_store::people::get(tx, t.requester_id)?;
            let actor = crate::auth::Actor::load(tx, requester, crate::auth::Via::TrackingLink)?;
            let change = crate::tickets::service::StatusChange {
                to: deskbell_domain::ticket::Status::Closed,
                version: None,
                reason: Some("confirmed through the tracking link".into()),
            };
            crate::tickets::service::transition(tx, &actor, n, change, lim, now)
        })
        .await?;
    Ok(ctx::see_other(&c, &format!("{back}&done=closed")))
}

/// POST /track/{number}/written?key=… — the written description of a development proposal
/// taken by phone, from the link of its mail. The link can do only this while the ticket
/// waits for it; the description is the requester's public reply, which takes the ticket
/// off hold, and its clock runs from now on.
pub async fn written(
    State(state): State<AppState>,
    c: Ctx,
    Link { n, key, .. }: Link,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let back = format!("/track/{n}?key={}", crate::web::forms::percent_encode(&key));
    let body = form.iter().find(|(k, _)| k == "body").map(|(_, v)| v.clone()).unwrap_or_default();
    if body.trim().is_empty() {
        return Err(ApiError::invalid("body", c.t.err_body_empty).into());
    }
    let (lim, now) = (crate::tickets::api::limits(&state), c.now);
    state
        .write(move |tx| {
            let t = tracked(tx, n, &key)?;
            if t.disposition.as_deref() != Some(AWAITING_WRITTEN_CONFIRMATION) {
                return Err(ApiError::conflict("not_awaiting", "this ticket does not wait for a written proposal"));
            }
            let requester = deskbell_store::people::get(tx, t.requester_id)?;
            let actor = crate::auth::Actor::load(tx, requester, crate::auth::Via::TrackingLink)?;
            let article = crate::tickets::service::NewArticle {
                kind: deskbell_domain::article::ArticleKind::PublicReply,
                body,
                call: None,
                mail: None,
                attachments: Vec::new(),
            };
            crate::tickets::service::add_article(tx, &actor, n, article, lim, now)
        })
        .await?;
    Ok(ctx::see_other(&c, &format!("{back}&done=written")))
}
