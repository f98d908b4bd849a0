//! The on-call rota: who hears about a critical ticket's SLA alerts outside the support
//! department's business hours (DESIGN §3). Supervisors plan the shifts; the SLA watch asks
//! who is on call when an alert fires.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_store::sla::{self, Shift};
use deskbell_store::{StoreError, orgs, people};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::instant;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;

/// The longest shift accepted: a typo in a year should not put someone on call for months.
const MAX_SHIFT: SignedDuration = SignedDuration::from_hours(31 * 24);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_shifts, add_shift)).routes(routes!(delete_shift))
}

#[derive(Serialize, ToSchema)]
pub struct ShiftView {
    pub id: i64,
    pub person_id: i64,
    /// `null`: on call for every team.
    pub team_id: Option<i64>,
    #[schema(value_type = String)]
    pub starts_at: Timestamp,
    #[schema(value_type = String)]
    pub ends_at: Timestamp,
    pub created_by: Option<i64>,
}

impl From<Shift> for ShiftView {
    fn from(s: Shift) -> Self {
        ShiftView {
            id: s.id,
            person_id: s.person_id,
            team_id: s.team_id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            created_by: s.created_by,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftCreate {
    /// An active agent, supervisor or admin.
    pub person_id: i64,
    /// The team covered; omitted or `null`: every team.
    pub team_id: Option<i64>,
    /// RFC 3339 with an offset, e.g. `2026-12-24T20:00:00+01:00`.
    pub starts_at: String,
    /// RFC 3339; after `starts_at`, at most 31 days later.
    pub ends_at: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShiftQuery {
    /// Start of the window (RFC 3339); default now.
    pub from: Option<String>,
    /// End of the window (RFC 3339); default a week after `from`.
    pub to: Option<String>,
}

/// Shifts overlapping a window, by start (the vendor side).
#[utoipa::path(get, path = "/on-call", tag = "sla", params(ShiftQuery),
    responses((status = 200, body = Vec<ShiftView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_shifts(
    State(app): State<AppState>,
    actor: Actor,
    Query(q): Query<ShiftQuery>,
) -> ApiResult<Json<Vec<ShiftView>>> {
    actor.require_vendor()?;
    let from = q.from.as_deref().map(|s| instant("from", s)).transpose()?.unwrap_or_else(|| app.now());
    let to =
        q.to.as_deref().map(|s| instant("to", s)).transpose()?.unwrap_or(from + SignedDuration::from_hours(7 * 24));
    if to <= from {
        return Err(ApiError::invalid("to", "the window must end after it starts"));
    }
    let list = app.read(move |tx| Ok(sla::shifts(tx, from, to)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Put someone on call (supervisor).
#[utoipa::path(post, path = "/on-call", tag = "sla", request_body = ShiftCreate,
    responses((status = 201, body = ShiftView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_shift(
    State(app): State<AppState>,
    actor: Actor,
    Json(req): Json<ShiftCreate>,
) -> ApiResult<(StatusCode, Json<ShiftView>)> {
    actor.require_supervisor()?;
    let starts_at = instant("starts_at", &req.starts_at)?;
    let ends_at = instant("ends_at", &req.ends_at)?;
    if ends_at <= starts_at {
        return Err(ApiError::invalid("ends_at", "a shift must end after it starts"));
    }
    if ends_at.duration_since(starts_at) > MAX_SHIFT {
        return Err(ApiError::invalid("ends_at", "a shift lasts at most 31 days; plan longer rotas as several shifts"));
    }
    let (me, now) = (actor.id(), app.now());
    let shift = app
        .write(move |tx| {
            let person = people::get(tx, req.person_id).map_err(|e| match e {
                StoreError::NotFound => ApiError::invalid("person_id", format!("no person {}", req.person_id)),
                e => e.into(),
            })?;
            if !person.role.is_vendor() || !person.active {
                return Err(ApiError::invalid(
                    "person_id",
                    "only an active member of the support staff can be on call",
                ));
            }
            if let Some(team) = req.team_id {
                orgs::team(tx, team).map_err(|e| match e {
                    StoreError::NotFound => ApiError::invalid("team_id", format!("no team {team}")),
                    e => e.into(),
                })?;
            }
            Ok(sla::add_shift(tx, req.person_id, req.team_id, starts_at, ends_at, Some(me), now)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(shift.into())))
}

/// Remove a shift (supervisor).
#[utoipa::path(delete, path = "/on-call/{id}", tag = "sla", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_shift(State(app): State<AppState>, actor: Actor, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    actor.require_supervisor()?;
    app.write(move |tx| sla::delete_shift(tx, id).map_err(ApiError::or_not_found("shift"))).await?;
    Ok(StatusCode::NO_CONTENT)
}
