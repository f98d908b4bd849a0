//! REST endpoints of merged and linked tickets and of major incidents (see `merge.rs`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use deskbell_store::merges;
use deskbell_store::tickets::{Scope, Ticket};
use deskbell_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{limits, number};
use super::merge::{self, Broadcast};
use super::service;
use super::views::TicketView;
use crate::auth::Actor;
use crate::error::{ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(merge_ticket))
        .routes(routes!(list_links, add_link, unlink_ticket))
        .routes(routes!(remove_link))
        .routes(routes!(list_children))
        .routes(routes!(broadcast))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The number of the ticket that goes on; this one is closed into it.
    pub into: i64,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MergeResult {
    /// The merged duplicate, now closed; its number finds `target`.
    pub source: TicketView,
    pub target: TicketView,
    pub moved_articles: u64,
    pub moved_attachments: u64,
    pub moved_events: u64,
}

/// Merge this ticket (a duplicate) into another of the same organisation (vendor side): its
/// articles, attachments and history move there, its requester and cc join the target's cc,
/// it is closed, both requesters are told by mail, and its number finds the target from now on.
#[utoipa::path(post, path = "/tickets/{number}/merge", tag = "tickets", params(("number" = String, Path)), request_body = MergeRequest,
    responses((status = 200, body = MergeResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(r): Json<MergeRequest>,
) -> ApiResult<Json<MergeResult>> {
    let n = number(&raw)?;
    let now = state.now();
    let m = state.write(move |tx| merge::merge(tx, &actor, n, r.into, r.reason, now)).await?;
    Ok(Json(MergeResult {
        source: m.source.into(),
        target: m.target.into(),
        moved_articles: m.moved.articles,
        moved_attachments: m.moved.attachments,
        moved_events: m.moved.events,
    }))
}

/// The tickets `list` relates to ticket `raw` within the caller's scope, as the caller may see
/// them (a customer never sees another organisation's parent).
async fn related(
    state: &AppState,
    actor: Actor,
    raw: &str,
    list: fn(&mut Tx<'_>, i64, &Scope) -> Result<Vec<Ticket>, StoreError>,
) -> ApiResult<Vec<TicketView>> {
    let n = number(raw)?;
    state
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            let mut found = list(tx, t.id, &actor.scope)?;
            merge::hide_foreign_parents(tx, &actor, &mut found)?;
            Ok(found.into_iter().map(TicketView::from).collect())
        })
        .await
}

/// The tickets linked to this one that the caller may see (a customer: only their own
/// scope's, never another organisation's).
#[utoipa::path(get, path = "/tickets/{number}/links", tag = "tickets", params(("number" = String, Path)),
    responses((status = 200, body = Vec<TicketView>), (status = 404, body = ErrorBody)))]
pub async fn list_links(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<Vec<TicketView>>> {
    Ok(Json(related(&state, actor, &raw, merges::linked).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The number of the related ticket (any organisation).
    pub ticket: i64,
}

/// Link a related ticket (vendor side; across organisations too). Answers 201 with the linked
/// ticket, or 200 when the two were linked already.
#[utoipa::path(post, path = "/tickets/{number}/links", tag = "tickets", params(("number" = String, Path)), request_body = LinkRequest,
    responses((status = 201, body = TicketView), (status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_link(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(r): Json<LinkRequest>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let n = number(&raw)?;
    let now = state.now();
    let (other, created) = state.write(move |tx| merge::link(tx, &actor, n, r.ticket, now)).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(other.into())))
}

/// Remove the link to ticket `other` (vendor side).
#[utoipa::path(delete, path = "/tickets/{number}/links/{other}", tag = "tickets",
    params(("number" = String, Path), ("other" = String, Path, description = "The linked ticket's number")),
    responses((status = 204, description = "Unlinked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_link(
    State(state): State<AppState>,
    actor: Actor,
    Path((raw, raw_other)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink(&state, actor, number(&raw)?, number(&raw_other)?).await
}

/// Remove the link to the ticket named in the body (vendor side); the same as
/// `DELETE /tickets/{number}/links/{other}`.
#[utoipa::path(delete, path = "/tickets/{number}/links", tag = "tickets", params(("number" = String, Path)), request_body = LinkRequest,
    responses((status = 204, description = "Unlinked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unlink_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(r): Json<LinkRequest>,
) -> ApiResult<StatusCode> {
    let n = number(&raw)?;
    unlink(&state, actor, n, r.ticket).await
}

async fn unlink(state: &AppState, actor: Actor, n: i64, other: i64) -> ApiResult<StatusCode> {
    let now = state.now();
    state.write(move |tx| merge::unlink(tx, &actor, n, other, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ChildrenView {
    pub count: usize,
    /// How many children are in each status.
    pub by_status: BTreeMap<String, usize>,
    pub items: Vec<TicketView>,
}

/// The children of a parent ticket (a major incident) the caller may see, by number.
#[utoipa::path(get, path = "/tickets/{number}/children", tag = "tickets", params(("number" = String, Path)),
    responses((status = 200, body = ChildrenView), (status = 404, body = ErrorBody)))]
pub async fn list_children(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<ChildrenView>> {
    let items = related(&state, actor, &raw, merges::children).await?;
    let mut by_status = BTreeMap::new();
    for t in &items {
        *by_status.entry(t.status.to_string()).or_insert(0) += 1;
    }
    Ok(Json(ChildrenView { count: items.len(), by_status, items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastRequest {
    /// The public reply every open child gets.
    pub body: String,
    /// Also resolve every child.
    #[serde(default)]
    pub resolve: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BroadcastResult {
    pub parent: TicketView,
    /// Numbers of the children that got the reply.
    pub updated: Vec<i64>,
    /// Numbers of the closed children, left alone.
    pub skipped: Vec<i64>,
}

/// Send one update to every linked requester of a major incident (vendor side): each open
/// child gets the reply as its own public article (mailed to its own requester), optionally
/// resolved; the parent gets an internal note of what was sent.
#[utoipa::path(post, path = "/tickets/{number}/broadcast", tag = "tickets", params(("number" = String, Path)), request_body = BroadcastRequest,
    responses((status = 200, body = BroadcastResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn broadcast(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(r): Json<BroadcastRequest>,
) -> ApiResult<Json<BroadcastResult>> {
    let n = number(&raw)?;
    let now = state.now();
    let limits = limits(&state);
    let b = Broadcast { body: r.body, resolve: r.resolve };
    let out = state.write(move |tx| merge::broadcast(tx, &actor, n, b, limits, now)).await?;
    let numbers = |v: &[Ticket]| v.iter().map(|t| t.number).collect();
    Ok(Json(BroadcastResult {
        updated: numbers(&out.updated),
        skipped: numbers(&out.skipped),
        parent: out.parent.into(),
    }))
}

/// Whether a history event may be shown to a customer: links and parents name tickets of
/// other organisations.
pub fn customer_may_see(e: &deskbell_store::events::Event) -> bool {
    !matches!(e.field.as_deref(), Some("parent_id" | "link" | "children"))
}
