//! REST endpoints of the SLA: a ticket's clocks as of now and their event log.

use axum::extract::{Path, State};
use deskbell_domain::sla::{Metric, RunState};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;
use crate::tickets::{api::number, service};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ticket_sla)).routes(routes!(at_risk)).routes(routes!(my_notifications))
}

/// One clock as of the moment of the request.
#[derive(Serialize, ToSchema)]
pub struct ClockView {
    /// `first_response` or `resolution`.
    pub metric: String,
    /// `running`, `paused` or `stopped`.
    pub state: String,
    pub contract_id: i64,
    pub calendar_id: i64,
    /// Counted seconds to reach.
    pub target_secs: Option<i64>,
    /// Seconds counted so far (inside the calendar, outside pauses).
    pub counted_secs: i64,
    /// `target - counted`; negative once overrun.
    pub remaining_secs: Option<i64>,
    /// The earliest instant the counted time equals the target; unknown while paused.
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub warning_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub breach_at: Option<Timestamp>,
    /// Counted time is greater than the target (DESIGN §3).
    pub breached: bool,
    #[schema(value_type = Option<String>)]
    pub stopped_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub warning_fired_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub breach_fired_at: Option<Timestamp>,
}

/// A stored clock event, the proof behind a breach.
#[derive(Serialize, ToSchema)]
pub struct ClockEventView {
    pub id: i64,
    pub metric: String,
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// `start`, `pause`, `resume`, `stop`, `target_change`, `calendar_change`, with its
    /// target or calendar version.
    #[schema(value_type = Object)]
    pub kind: serde_json::Value,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub calendar_version: i64,
    #[schema(value_type = String)]
    pub recorded_at: Timestamp,
}

#[derive(Serialize, ToSchema)]
pub struct TicketSla {
    /// False when no contract covered the ticket's product at creation: it has no clocks.
    pub has_sla: bool,
    pub clocks: Vec<ClockView>,
    /// The event log (vendor side only; empty for customers).
    pub events: Vec<ClockEventView>,
}

fn metric(m: Metric) -> String {
    deskbell_store::sla::metric_str(m).to_owned()
}

fn state(s: RunState) -> String {
    deskbell_store::sla::state_str(s).to_owned()
}

/// A ticket's SLA clocks as of now, and (for the vendor side) their event log.
#[utoipa::path(get, path = "/tickets/{number}/sla", tag = "sla", params(("number" = String, Path)),
    responses((status = 200, body = TicketSla), (status = 404, body = ErrorBody)))]
pub async fn ticket_sla(
    State(app): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<TicketSla>> {
    let n = number(&raw)?;
    let now = app.now();
    let vendor = actor.is_vendor();
    let (clocks, events) = app
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            crate::sla::clocks::view(tx, t.id, now)
        })
        .await?;
    let clocks: Vec<ClockView> = clocks
        .into_iter()
        .map(|c| ClockView {
            metric: metric(c.metric),
            state: state(c.state.state),
            contract_id: c.contract_id,
            calendar_id: c.calendar_id,
            target_secs: c.state.target_secs,
            counted_secs: c.state.counted_secs,
            remaining_secs: c.state.remaining_secs,
            deadline: c.state.deadline,
            warning_at: c.state.warning_at,
            breach_at: c.state.breach_at,
            breached: c.state.breached,
            stopped_at: c.state.stopped_at,
            warning_fired_at: c.warning_fired_at,
            breach_fired_at: c.breach_fired_at,
        })
        .collect();
    let events = if vendor {
        events
            .into_iter()
            .map(|e| ClockEventView {
                id: e.id,
                metric: metric(e.metric),
                at: e.event.at,
                kind: serde_json::to_value(e.event.kind).unwrap_or_default(),
                reason: e.event.reason,
                actor_id: e.event.actor,
                calendar_version: e.event.calendar_version,
                recorded_at: e.recorded_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(TicketSla { has_sla: !clocks.is_empty(), clocks, events }))
}

#[derive(Serialize, ToSchema)]
pub struct AtRiskItem {
    pub number: i64,
    pub subject: String,
    pub organisation_id: i64,
    pub priority: String,
    pub status: String,
    pub assignee_id: Option<i64>,
    pub metric: String,
    #[schema(value_type = String)]
    pub deadline: Timestamp,
    /// Seconds from now to the deadline; negative once past it.
    pub seconds_left: i64,
}

/// Running clocks by nearest deadline: the queue to work from (the vendor side).
#[utoipa::path(get, path = "/sla/at-risk", tag = "sla", responses((status = 200, body = Vec<AtRiskItem>), (status = 403, body = ErrorBody)))]
pub async fn at_risk(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<AtRiskItem>>> {
    actor.require_vendor()?;
    let now = app.now();
    let items = app
        .read(move |tx| {
            let mut out = Vec::new();
            for c in deskbell_store::sla::at_risk(tx, 200)? {
                let Some(deadline) = c.deadline_at else { continue };
                let t = deskbell_store::tickets::by_id(tx, c.ticket_id)?;
                out.push(AtRiskItem {
                    number: t.number,
                    subject: t.subject,
                    organisation_id: t.organisation_id,
                    priority: t.priority.to_string(),
                    status: t.status.to_string(),
                    assignee_id: t.assignee_id,
                    metric: metric(c.metric),
                    deadline,
                    seconds_left: deadline.as_second() - now.as_second(),
                });
            }
            Ok(out)
        })
        .await?;
    Ok(Json(items))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub ticket_id: i64,
    /// `sla_warning` or `sla_breach`.
    pub kind: String,
    pub message: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
}

/// My notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "sla", responses((status = 200, body = Vec<NotificationView>), (status = 401, body = ErrorBody)))]
pub async fn my_notifications(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<NotificationView>>> {
    let me = actor.id();
    let list = app.read(move |tx| Ok(deskbell_store::sla::notifications(tx, me, 100)?)).await?;
    Ok(Json(
        list.into_iter()
            .map(|n| NotificationView {
                id: n.id,
                ticket_id: n.ticket_id,
                kind: n.kind,
                message: n.message,
                created_at: n.created_at,
            })
            .collect(),
    ))
}
