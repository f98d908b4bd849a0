//! The monthly SLA statement of an organisation (DESIGN §3): every ticket opened in the month
//! under a contract, its targets, counted times, breaches, overrun and penalty, the monthly
//! total and the cap, in JSON or CSV (penalties accrue on the resolution clock); and a supervisor's waiver of one ticket's penalty.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskbell_domain::person::Role;
use deskbell_domain::sla::Metric;
use deskbell_domain::sla::penalty::{PenaltyTerms, monthly_total};
use deskbell_domain::ticket::Kind;
use deskbell_store::events::{self, NewEvent};
use deskbell_store::sla::{self};
use deskbell_store::{Tx, orgs, tickets};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;
use crate::tickets::{api::number, service};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sla_statement)).routes(routes!(waive_penalty))
}

#[derive(Serialize, ToSchema, Clone)]
pub struct StatementLine {
    pub number: i64,
    pub subject: String,
    pub priority: String,
    pub contract_id: i64,
    /// `first_response` or `resolution`.
    pub metric: String,
    pub target_secs: Option<i64>,
    pub counted_secs: i64,
    pub breached: bool,
    /// Overrun on the contract's basis (business or clock hours), in seconds.
    pub overrun_secs: i64,
    /// Penalty in minor units before any waiver.
    pub penalty_minor: i64,
    /// Out of scope: excluded from compliance, counted in workload.
    pub excluded: bool,
    pub waived: bool,
    pub waiver_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContractTotal {
    pub contract_id: i64,
    pub name: String,
    pub monthly_fee_minor: i64,
    pub penalty_sum_minor: i64,
    pub penalty_cap_minor: Option<i64>,
    /// What is due: the sum, capped.
    pub penalty_due_minor: i64,
    pub capped: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Statement {
    pub organisation_id: i64,
    pub organisation: String,
    /// `YYYY-MM`, in the organisation's time zone.
    pub month: String,
    pub tickets: usize,
    pub breaches: usize,
    pub lines: Vec<StatementLine>,
    pub contracts: Vec<ContractTotal>,
    pub penalty_due_minor: i64,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// `YYYY-MM`.
    pub month: String,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

fn month_bounds(month: &str, tz: &jiff::tz::TimeZone) -> ApiResult<(Timestamp, Timestamp)> {
    let bad = || {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", format!("`{month}` is not a month (YYYY-MM)"))
            .with_field("month")
    };
    let first: Date = format!("{month}-01").parse().map_err(|_| bad())?;
    if month.len() != 7 {
        return Err(bad());
    }
    let next = first.checked_add(jiff::Span::new().months(1)).map_err(|_| bad())?;
    let start = first.to_zoned(tz.clone()).map_err(|_| bad())?.timestamp();
    let end = next.to_zoned(tz.clone()).map_err(|_| bad())?.timestamp();
    Ok((start, end))
}

fn build(tx: &mut Tx<'_>, org_id: i64, month: &str, now: Timestamp) -> ApiResult<Statement> {
    let org = orgs::get(tx, org_id).map_err(|_| ApiError::not_found("organisation"))?;
    let tz = jiff::tz::TimeZone::get(&org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let (from, to) = month_bounds(month, &tz)?;
    // Counted up to the month's end, or to now for the month in progress.
    let cut = to.min(now);
    let mut lines = Vec::new();
    let mut tickets_seen = 0;
    let mut contracts: Vec<sla::Contract> = Vec::new();
    for id in sla::tickets_with_clocks(tx, org_id, from, to)? {
        tickets_seen += 1;
        let t = tickets::by_id(tx, id)?;
        let waiver = sla::waiver(tx, id)?;
        let (clocks, _) = super::clocks::view(tx, id, cut)?;
        for c in clocks {
            if !contracts.iter().any(|k| k.id == c.contract_id) {
                contracts.push(sla::contract(tx, c.contract_id)?);
            }
            let contract = contracts
                .iter()
                .find(|k| k.id == c.contract_id)
                .ok_or_else(|| ApiError::internal("contract vanished"))?;
            // Penalties are paid on the resolution promise; a late first response is listed as
            // a breach but costs nothing by itself.
            let rate = contract.target(t.priority).and_then(|x| x.penalty).filter(|_| c.metric == Metric::Resolution);
            let s = &c.state;
            let target = s.target_secs.unwrap_or(0);
            let end = s.stopped_at.unwrap_or(cut);
            let (overrun, penalty) = match rate {
                Some(rate) => {
                    let terms = PenaltyTerms { rate, basis: contract.penalty_basis };
                    let overrun = terms.overrun_secs(s.counted_secs, target, s.deadline, end);
                    (overrun, terms.penalty(overrun, contract.monthly_fee_minor))
                }
                None => ((s.counted_secs - target).max(0), 0),
            };
            lines.push(StatementLine {
                number: t.number,
                subject: t.subject.clone(),
                priority: t.priority.to_string(),
                contract_id: c.contract_id,
                metric: sla::metric_str(c.metric).to_owned(),
                target_secs: s.target_secs,
                counted_secs: s.counted_secs,
                breached: s.breached,
                overrun_secs: overrun,
                penalty_minor: penalty,
                excluded: t.kind == Kind::OutOfScope,
                waived: waiver.is_some(),
                waiver_reason: waiver.as_ref().map(|w| w.reason.clone()),
            });
        }
    }
    let totals: Vec<ContractTotal> = contracts
        .iter()
        .map(|k| {
            let due =
                lines.iter().filter(|l| l.contract_id == k.id && !l.waived && !l.excluded).map(|l| l.penalty_minor);
            let total = monthly_total(due, k.penalty_cap_minor);
            ContractTotal {
                contract_id: k.id,
                name: k.name.clone(),
                monthly_fee_minor: k.monthly_fee_minor,
                penalty_sum_minor: total.sum_minor,
                penalty_cap_minor: k.penalty_cap_minor,
                penalty_due_minor: total.due_minor,
                capped: total.capped,
            }
        })
        .collect();
    Ok(Statement {
        organisation_id: org.id,
        organisation: org.name,
        month: month.to_owned(),
        tickets: tickets_seen,
        breaches: lines.iter().filter(|l| l.breached && !l.excluded).count(),
        penalty_due_minor: totals.iter().map(|t| t.penalty_due_minor).sum(),
        lines,
        contracts: totals,
    })
}

fn csv_field(s: &str) -> String {
    // Quote every field, double the quotes; a leading =, +, - or @ is defused so a
    // spreadsheet never runs a subject as a formula.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn to_csv(st: &Statement) -> String {
    let mut out = String::from(
        "number,subject,priority,contract_id,metric,target_secs,counted_secs,breached,overrun_secs,penalty_minor,excluded,waived,waiver_reason\r\n",
    );
    for l in &st.lines {
        let row = [
            l.number.to_string(),
            csv_field(&l.subject),
            l.priority.clone(),
            l.contract_id.to_string(),
            l.metric.clone(),
            l.target_secs.map(|t| t.to_string()).unwrap_or_default(),
            l.counted_secs.to_string(),
            l.breached.to_string(),
            l.overrun_secs.to_string(),
            l.penalty_minor.to_string(),
            l.excluded.to_string(),
            l.waived.to_string(),
            csv_field(l.waiver_reason.as_deref().unwrap_or_default()),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    for c in &st.contracts {
        out.push_str(&format!(
            "total,{},,{},,,,,,{},,,{}\r\n",
            csv_field(&c.name),
            c.contract_id,
            c.penalty_due_minor,
            csv_field(&format!(
                "sum {} cap {}",
                c.penalty_sum_minor,
                c.penalty_cap_minor.map_or("none".into(), |x| x.to_string())
            ))
        ));
    }
    out
}

/// The monthly SLA statement of an organisation (supervisors; a customer admin for their
/// own organisations), as JSON or `format=csv`.
#[utoipa::path(get, path = "/organisations/{id}/sla-statement", tag = "sla", params(("id" = i64, Path), StatementQuery),
    responses((status = 200, body = Statement), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sla_statement(
    State(app): State<AppState>,
    actor: Actor,
    Path(org_id): Path<i64>,
    Query(q): Query<StatementQuery>,
) -> ApiResult<Response> {
    let allowed = match actor.role() {
        Role::Supervisor | Role::Admin => true,
        Role::CustomerAdmin => actor.may_see_organisation(org_id),
        _ => false,
    };
    if !allowed {
        // Another organisation's statement looks exactly like a missing organisation.
        return Err(if actor.is_vendor() {
            ApiError::forbidden("statements are for supervisors")
        } else {
            ApiError::not_found("organisation")
        });
    }
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("unknown format `{other}`; use json or csv"),
            )
            .with_field("format"));
        }
    };
    let now = app.now();
    let month = q.month.clone();
    let st = app.read(move |tx| build(tx, org_id, &month, now)).await?;
    if csv {
        let name = format!("attachment; filename=\"sla-{}-{}.csv\"", st.organisation_id, st.month);
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)],
            to_csv(&st),
        )
            .into_response());
    }
    Ok(Json(st).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverRequest {
    pub reason: String,
}

/// Waive a ticket's SLA penalty (supervisor), with the reason; recorded in its history.
#[utoipa::path(post, path = "/tickets/{number}/sla-waiver", tag = "sla", params(("number" = String, Path)), request_body = WaiverRequest,
    responses((status = 201), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn waive_penalty(
    State(app): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(req): Json<WaiverRequest>,
) -> ApiResult<StatusCode> {
    let n = number(&raw)?;
    actor.require_supervisor()?;
    let reason = service::clean_text("reason", &req.reason, 1000, true)?;
    let now = app.now();
    app.write(move |tx| {
        let t = service::load(tx, &actor, n)?;
        if sla::clocks(tx, t.id)?.is_empty() {
            return Err(ApiError::conflict("no_sla", "this ticket has no SLA clock, so no penalty to waive"));
        }
        sla::waive(tx, t.id, &reason, actor.id(), now).map_err(|e| match e {
            deskbell_store::StoreError::Unique { .. } => {
                ApiError::conflict("already_waived", "this ticket's penalty is already waived")
            }
            e => e.into(),
        })?;
        events::append(
            tx,
            t.id,
            Some(actor.id()),
            now,
            &NewEvent { kind: "sla_waived", reason: Some(&reason), ..Default::default() },
        )?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::CREATED)
}
