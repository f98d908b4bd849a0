//! The ticket page's related tickets: duplicates merged into it, linked tickets, a major
//! incident's parent and children, and the forms that merge, link and send one update to every
//! child. All changes go through `tickets::merge`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use deskbell_domain::ticket::Status;
use deskbell_store::merges;
use deskbell_store::tickets::{self, Scope, Ticket};
use deskbell_store::{Tx, events, orgs};

use super::ticket::{Draft, show};
use crate::error::ApiError;
use crate::patch::Patch;
use crate::state::AppState;
use crate::tickets::api::{limits, number};
use crate::tickets::merge::{self, Broadcast};
use crate::tickets::service::{self, TicketChanges};
use crate::web::ctx::{Ctx, PageResult, see_other};
use crate::web::forms::{Errors, FormData};
use crate::web::i18n::{Catalogue, fill};

/// Another ticket as the page lists it.
pub struct Rel {
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub organisation: String,
}

#[derive(Default)]
pub struct Relations {
    /// Numbers of the duplicates merged into this ticket.
    pub merged_from: Vec<i64>,
    pub parent: Option<Rel>,
    pub links: Vec<Rel>,
    pub children: Vec<Rel>,
    /// How many children are in each status, in the order of the status machine.
    pub by_status: Vec<(Status, usize)>,
    /// Children a broadcast would reach (not closed).
    pub open_children: usize,
}

/// What the page shows of a ticket's relations (the vendor sees every organisation's).
pub fn load(tx: &mut Tx<'_>, t: &Ticket) -> Result<Relations, ApiError> {
    let links = merges::linked(tx, t.id, &Scope::All)?;
    let children = merges::children(tx, t.id, &Scope::All)?;
    let parent = t.parent_id.map(|p| tickets::by_id(tx, p)).transpose()?;
    let org_ids: Vec<i64> = links.iter().chain(&children).chain(&parent).map(|x| x.organisation_id).collect();
    let names = orgs::names(tx, &org_ids)?;
    let rel = |x: &Ticket| Rel {
        number: x.number,
        subject: x.subject.clone(),
        status: x.status,
        organisation: names.get(&x.organisation_id).cloned().unwrap_or_default(),
    };
    let by_status = Status::ALL
        .iter()
        .map(|s| (*s, children.iter().filter(|c| c.status == *s).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok(Relations {
        merged_from: merges::sources_of(tx, t.id)?,
        parent: parent.as_ref().map(rel),
        links: links.iter().map(rel).collect(),
        open_children: children.iter().filter(|c| c.status != Status::Closed).count(),
        children: children.iter().map(rel).collect(),
        by_status,
    })
}

/// The history line of a relation event, or `None` for other events.
pub fn event_text(t: &Catalogue, e: &events::Event) -> Option<String> {
    let message = match e.kind.as_str() {
        "merged" => t.ev_merged,
        "merged_into" => t.ev_merged_into,
        "linked" => t.ev_linked,
        "unlinked" => t.ev_unlinked,
        "broadcast" => t.ev_broadcast,
        _ => return None,
    };
    let n = e.new_value.as_deref().or(e.old_value.as_deref()).unwrap_or_default();
    Some(fill(message, &[("n", n)]))
}

/// A ticket number typed into a form, or the form's error on `field`.
fn typed_number(c: &Ctx, f: &FormData, field: &str, errors: &mut Errors) -> Option<i64> {
    let raw = f.get(field).unwrap_or_default().trim().trim_start_matches('#');
    let n = raw.parse::<i64>().ok().filter(|n| *n > 0);
    if n.is_none() {
        errors.add(field, c.t.rel_err_number);
    }
    n
}

/// A refusal of `tickets::merge` next to `field` of its form, in the agent's language.
fn refused(state: &AppState, c: &Ctx, e: &ApiError, field: &str) -> Errors {
    let text = match e.code {
        "merge_across_organisations" => c.t.rel_err_across.to_owned(),
        "no_open_children" => c.t.rel_err_no_children.to_owned(),
        "parent_cycle" => c.t.rel_err_cycle.to_owned(),
        _ => super::error_text(c.t, e, state.config.attachment_max_bytes),
    };
    Errors::refusal(e, &[], field, text)
}

/// Shows the page again after a refusal, or passes on what is not the form's to show.
async fn again(state: &AppState, c: &Ctx, n: i64, e: ApiError, field: &str, draft: Draft) -> PageResult {
    if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND {
        let errors = refused(state, c, &e, field);
        return show(state, c, n, e.status, errors, draft).await;
    }
    Err(e.into())
}

/// POST /agent/tickets/{number}/merge — merge this ticket into the one named.
pub async fn merge(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let draft = Draft { merge_into: f.value("into"), merge_reason: f.value("merge_reason"), ..Draft::default() };
    let mut errors = Errors::default();
    let Some(into) = typed_number(&c, &f, "into", &mut errors) else {
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await;
    };
    let reason = f.text("merge_reason");
    let now = c.now;
    match state.write(move |tx| merge::merge(tx, &actor, n, into, reason, now)).await {
        Ok(m) => Ok(see_other(&c, &format!("/agent/tickets/{}", m.target.number))),
        Err(e) => again(&state, &c, n, e, "into", draft).await,
    }
}

/// POST /agent/tickets/{number}/links — link the ticket named.
pub async fn add_link(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let draft = Draft { link_to: f.value("link"), ..Draft::default() };
    let mut errors = Errors::default();
    let Some(other) = typed_number(&c, &f, "link", &mut errors) else {
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await;
    };
    let now = c.now;
    match state.write(move |tx| merge::link(tx, &actor, n, other, now)).await {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}#links"))),
        Err(e) => again(&state, &c, n, e, "link", draft).await,
    }
}

/// POST /agent/tickets/{number}/links/{other}/remove
pub async fn remove_link(
    State(state): State<AppState>,
    c: Ctx,
    Path((raw, raw_other)): Path<(String, String)>,
) -> PageResult {
    let n = number(&raw)?;
    let other = number(&raw_other)?;
    let actor = c.vendor()?.clone();
    let now = c.now;
    match state.write(move |tx| merge::unlink(tx, &actor, n, other, now)).await {
        Ok(()) => Ok(see_other(&c, &format!("/agent/tickets/{n}#links"))),
        Err(e) => again(&state, &c, n, e, "link", Draft::default()).await,
    }
}

/// POST /agent/tickets/{number}/parent — attach to a major incident (`parent`), or detach
/// (`parent` empty).
pub async fn parent(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let draft = Draft { parent_to: f.value("parent"), ..Draft::default() };
    let mut errors = Errors::default();
    let parent = if draft.parent_to.trim().is_empty() {
        Patch::Clear
    } else {
        match typed_number(&c, &f, "parent", &mut errors) {
            Some(p) => Patch::Set(p),
            None => return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await,
        }
    };
    let Some(version) = f.get("version").and_then(|v| v.parse().ok()) else {
        return Err(ApiError::invalid("version", "the form lacks the ticket's version").into());
    };
    let now = c.now;
    let changes = TicketChanges { parent_number: parent, ..TicketChanges::default() };
    match state.write(move |tx| service::update(tx, &actor, n, version, changes, now)).await {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}#links"))),
        Err(e) => again(&state, &c, n, e, "parent", draft).await,
    }
}

/// POST /agent/tickets/{number}/broadcast — one public reply to every open child.
pub async fn broadcast(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let body = f.value("broadcast_body");
    let draft = Draft { broadcast_body: body.clone(), ..Draft::default() };
    if body.trim().is_empty() {
        let mut errors = Errors::default();
        errors.add("broadcast_body", c.t.err_body_empty);
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await;
    }
    let b = Broadcast { body, resolve: f.get("resolve").is_some() };
    let (lim, now) = (limits(&state), c.now);
    match state.write(move |tx| merge::broadcast(tx, &actor, n, b, lim, now)).await {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}#children"))),
        Err(e) => again(&state, &c, n, e, "broadcast_body", draft).await,
    }
}
