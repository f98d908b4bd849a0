//! Admin API for SLA calendars (versioned) and contracts.
//!
//! A calendar edit is a new version in force from the moment it is saved: every open clock
//! counting by that calendar gets a `calendar_change` event at that instant in the same
//! transaction, so time before the edit stays counted by the old version and time after it
//! is counted by the new one (DESIGN §3). Past counted time is never rewritten.
//!
//! Each write is a plain function (`new_calendar`, `new_calendar_version`, `new_contract`,
//! `change_contract`) holding all of its checks; the JSON handlers and the admin pages both
//! call it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_domain::sla::clock::MAX_TARGET_SECS;
use deskbell_domain::sla::penalty::{OverrunBasis, PenaltyRate, PenaltyTerms};
use deskbell_domain::sla::{Calendar, CalendarSpec};
use deskbell_domain::ticket::Priority;
use deskbell_store::sla::{self, CalendarRecord, Contract, ContractInput, Target};
use deskbell_store::{Tx, orgs};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calendars, create_calendar))
        .routes(routes!(get_calendar))
        .routes(routes!(add_calendar_version))
        .routes(routes!(list_contracts, create_contract))
        .routes(routes!(get_contract, replace_contract))
}

// ---------------------------------------------------------------- calendars

#[derive(Serialize, ToSchema)]
pub struct CalendarVersionView {
    /// The version id clock events refer to.
    pub id: i64,
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
    #[schema(value_type = String)]
    pub effective_from: Timestamp,
    pub created_by: Option<i64>,
    /// When the open clocks were moved to this version; `null` while it is scheduled.
    #[schema(value_type = Option<String>)]
    pub applied_at: Option<Timestamp>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    pub id: i64,
    pub name: String,
    /// Built-in calendars are defined by deskbell and cannot be edited.
    pub builtin: bool,
    /// Oldest first by `effective_from`; the last of those already in force counts now, and
    /// later ones are scheduled.
    pub versions: Vec<CalendarVersionView>,
}

impl From<CalendarRecord> for CalendarView {
    fn from(c: CalendarRecord) -> Self {
        CalendarView {
            id: c.id,
            name: c.name,
            builtin: c.builtin,
            versions: c
                .versions
                .into_iter()
                .map(|v| CalendarVersionView {
                    id: v.id,
                    spec: serde_json::to_value(&v.spec).unwrap_or_default(),
                    effective_from: v.effective_from,
                    created_by: v.created_by,
                    applied_at: v.applied_at,
                })
                .collect(),
        }
    }
}

/// A calendar as JSON: `time_zone`, `holidays` (`pl` or `none`), `always_open`,
/// `closed_dates`, `intervals` (`days`, `start`, `end`), the shape of a calendar file.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarCreate {
    pub name: String,
    #[schema(value_type = Object)]
    pub spec: CalendarSpec,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarVersionCreate {
    #[schema(value_type = Object)]
    pub spec: CalendarSpec,
    /// When the version takes effect, RFC 3339 (`2027-01-01T00:00:00+01:00`); omitted: now.
    /// Never in the past.
    #[schema(value_type = Option<String>)]
    pub effective_from: Option<String>,
}

fn check_spec(spec: &CalendarSpec) -> ApiResult<()> {
    Calendar::from_spec(spec).map(|_| ()).map_err(|e| ApiError::invalid("spec", e.to_string()))
}

fn calendar_name(name: &str) -> ApiResult<String> {
    let n = name.trim();
    if n.is_empty() || n.len() > 100 || !n.chars().all(|c| c.is_alphanumeric() || "-_. ".contains(c)) {
        return Err(ApiError::invalid("name", "a calendar name has 1-100 letters, digits, spaces, -, _ or ."));
    }
    Ok(n.to_owned())
}

/// Calendars with their versions (the vendor side).
#[utoipa::path(get, path = "/calendars", tag = "sla", responses((status = 200, body = Vec<CalendarView>), (status = 403, body = ErrorBody)))]
pub async fn list_calendars(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<CalendarView>>> {
    actor.require_vendor()?;
    let list = app.read(|tx| Ok(sla::calendars(tx)?)).await?;
    Ok(Json(list.into_iter().map(CalendarView::from).collect()))
}

/// One calendar with its versions.
#[utoipa::path(get, path = "/calendars/{id}", tag = "sla", params(("id" = i64, Path)),
    responses((status = 200, body = CalendarView), (status = 404, body = ErrorBody)))]
pub async fn get_calendar(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<CalendarView>> {
    actor.require_vendor()?;
    let c = app.read(move |tx| sla::calendar(tx, id).map_err(ApiError::or_not_found("calendar"))).await?;
    Ok(Json(c.into()))
}

/// Create a calendar (admin).
#[utoipa::path(post, path = "/calendars", tag = "sla", request_body = CalendarCreate,
    responses((status = 201, body = CalendarView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_calendar(
    State(app): State<AppState>,
    actor: Actor,
    Json(req): Json<CalendarCreate>,
) -> ApiResult<(StatusCode, Json<CalendarView>)> {
    actor.require_admin()?;
    let now = app.now();
    let c = app.write(move |tx| new_calendar(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Creates a calendar with its first version (admin).
pub fn new_calendar(tx: &mut Tx<'_>, actor: &Actor, req: CalendarCreate, now: Timestamp) -> ApiResult<CalendarRecord> {
    actor.require_admin()?;
    let name = calendar_name(&req.name)?;
    check_spec(&req.spec)?;
    Ok(sla::create_calendar(tx, &name, &req.spec, Some(actor.id()), now)?)
}

/// Edit a calendar (admin): a new version, in force from now. Open clocks on it count by the
/// new version from this instant; time already counted stays as it was.
#[utoipa::path(post, path = "/calendars/{id}/versions", tag = "sla", params(("id" = i64, Path)), request_body = CalendarVersionCreate,
    responses((status = 201, body = CalendarView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_calendar_version(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<CalendarVersionCreate>,
) -> ApiResult<(StatusCode, Json<CalendarView>)> {
    actor.require_admin()?;
    let now = app.now();
    let c = app.write(move |tx| new_calendar_version(tx, &actor, id, req, now)).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Adds a version to a calendar (admin): the request checked, then [`edit_calendar`].
pub fn new_calendar_version(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    req: CalendarVersionCreate,
    now: Timestamp,
) -> ApiResult<CalendarRecord> {
    actor.require_admin()?;
    check_spec(&req.spec)?;
    let from = req.effective_from.as_deref().map(|s| super::instant("effective_from", s)).transpose()?;
    edit_calendar(tx, id, &req.spec, from, actor.id(), now)
}

/// A calendar edit: the new version, in force from `effective_from` (default `now`). When it
/// is in force at once, every open clock counting by the calendar gets a `calendar_change`
/// event at that instant in the caller's transaction; a scheduled one is applied by the SLA
/// watch when its instant comes (and by any ticket change after it, whichever is first).
pub fn edit_calendar(
    tx: &mut Tx<'_>,
    id: i64,
    spec: &CalendarSpec,
    effective_from: Option<Timestamp>,
    actor: i64,
    now: Timestamp,
) -> ApiResult<CalendarRecord> {
    let c = sla::calendar(tx, id).map_err(ApiError::or_not_found("calendar"))?;
    if c.builtin {
        return Err(ApiError::conflict(
            "builtin_calendar",
            "built-in calendars cannot be edited; create a calendar of your own",
        ));
    }
    let from = effective_from.unwrap_or(now);
    if from < now {
        return Err(ApiError::invalid(
            "effective_from",
            format!(
                "{from} is in the past: an edit takes effect from now or later, and time already counted never changes"
            ),
        ));
    }
    if let Some(last) = c.versions.last().filter(|v| v.effective_from >= from) {
        return Err(ApiError::conflict(
            "version_scheduled",
            format!(
                "version {} is already scheduled from {}; a further edit must take effect after it",
                last.id, last.effective_from
            ),
        ));
    }
    sla::add_version(tx, id, spec, from, Some(actor), now)?;
    if from <= now {
        super::clocks::apply_version(tx, id, now)?;
    }
    Ok(sla::calendar(tx, id)?)
}

// ---------------------------------------------------------------- contracts

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct PenaltyInput {
    /// A fixed amount in minor units (grosze) per started hour of overrun…
    pub minor_per_hour: Option<i64>,
    /// …or basis points of the monthly fee per started hour (100 = 1 %).
    pub basis_points_per_hour: Option<i64>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    #[schema(schema_with = crate::schema::priority)]
    pub priority: Priority,
    /// Counted seconds to the first response; `null`: no clock.
    pub first_response_secs: Option<i64>,
    /// Counted seconds to resolution; `null`: no clock.
    pub resolution_secs: Option<i64>,
    /// A calendar of this priority's own; `null`: the contract's.
    pub calendar_id: Option<i64>,
    pub penalty: Option<PenaltyInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    pub organisation_id: i64,
    pub name: String,
    /// First day of validity, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day of validity (inclusive); `null`: open-ended.
    pub valid_to: Option<String>,
    pub product_ids: Vec<i64>,
    pub calendar_id: i64,
    /// Share of a target at which the warning fires (default 80).
    pub warning_percent: Option<u8>,
    /// Monthly fee in minor units.
    #[serde(default)]
    pub monthly_fee_minor: i64,
    /// `business` (default) or `clock` hours of overrun.
    pub penalty_basis: Option<String>,
    /// Cap on a month's penalties, in minor units.
    pub penalty_cap_minor: Option<i64>,
    /// Targets per priority; omitted: the defaults of DESIGN §2.
    pub targets: Option<Vec<TargetInput>>,
}

#[derive(Serialize, ToSchema)]
pub struct ContractView {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub product_ids: Vec<i64>,
    pub calendar_id: i64,
    pub warning_percent: u8,
    pub monthly_fee_minor: i64,
    pub penalty_basis: String,
    pub penalty_cap_minor: Option<i64>,
    pub targets: Vec<TargetInput>,
}

impl From<Contract> for ContractView {
    fn from(c: Contract) -> Self {
        ContractView {
            id: c.id,
            organisation_id: c.organisation_id,
            name: c.name,
            valid_from: c.valid_from,
            valid_to: c.valid_to,
            product_ids: c.product_ids,
            calendar_id: c.calendar_id,
            warning_percent: c.warning_percent,
            monthly_fee_minor: c.monthly_fee_minor,
            penalty_basis: c.penalty_basis.as_str().to_owned(),
            penalty_cap_minor: c.penalty_cap_minor,
            targets: c.targets.into_iter().map(TargetInput::from).collect(),
        }
    }
}

/// A stored target in the shape the API takes and shows.
impl From<Target> for TargetInput {
    fn from(t: Target) -> Self {
        TargetInput {
            priority: t.priority,
            first_response_secs: t.first_response_secs,
            resolution_secs: t.resolution_secs,
            calendar_id: t.calendar_id,
            penalty: t.penalty.map(|p| match p {
                PenaltyRate::Amount { minor_per_hour } => {
                    PenaltyInput { minor_per_hour: Some(minor_per_hour), basis_points_per_hour: None }
                }
                PenaltyRate::FeeShare { basis_points_per_hour } => {
                    PenaltyInput { minor_per_hour: None, basis_points_per_hour: Some(basis_points_per_hour) }
                }
            }),
        }
    }
}

fn date(field: &str, s: &str) -> ApiResult<jiff::civil::Date> {
    s.parse().map_err(|_| ApiError::invalid(field, format!("`{s}` is not a date (YYYY-MM-DD)")))
}

/// Validates a contract body; the checks that need the database run inside the transaction.
fn check_contract(tx: &mut Tx<'_>, id: Option<i64>, b: ContractBody) -> ApiResult<ContractInput> {
    orgs::get(tx, b.organisation_id).map_err(|_| ApiError::invalid("organisation_id", "no such organisation"))?;
    let name = b.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name", "a contract needs a name of at most 200 characters"));
    }
    let from = date("valid_from", &b.valid_from)?;
    let to = b.valid_to.as_deref().map(|t| date("valid_to", t)).transpose()?;
    if to.is_some_and(|t| t < from) {
        return Err(ApiError::invalid("valid_to", "the contract ends before it starts"));
    }
    if b.product_ids.is_empty() {
        return Err(ApiError::invalid("product_ids", "a contract covers at least one product"));
    }
    for p in &b.product_ids {
        orgs::product(tx, *p).map_err(|_| ApiError::invalid("product_ids", format!("no product {p}")))?;
    }
    let calendar = |tx: &mut Tx<'_>, field: &str, c: i64| {
        sla::calendar(tx, c).map(|_| ()).map_err(|_| ApiError::invalid(field, format!("no calendar {c}")))
    };
    calendar(tx, "calendar_id", b.calendar_id)?;
    let warning_percent = b.warning_percent.unwrap_or(80);
    if !(1..=100).contains(&warning_percent) {
        return Err(ApiError::invalid("warning_percent", "the warning share is 1-100 %"));
    }
    if b.monthly_fee_minor < 0 || b.penalty_cap_minor.is_some_and(|c| c < 0) {
        return Err(ApiError::invalid("monthly_fee_minor", "amounts must not be negative"));
    }
    let penalty_basis = match b.penalty_basis.as_deref() {
        None => OverrunBasis::Business,
        Some(name) => OverrunBasis::parse(name).ok_or_else(|| {
            ApiError::invalid("penalty_basis", format!("unknown basis `{name}`; use business or clock"))
        })?,
    };
    let std = sla::calendar_by_name(tx, deskbell_domain::sla::BUILTIN_PL_BUSINESS)?.id;
    let targets = match b.targets {
        None => super::default_targets(std),
        Some(list) => {
            let mut out: Vec<Target> = Vec::new();
            for t in list {
                if out.iter().any(|o| o.priority == t.priority) {
                    return Err(ApiError::invalid("targets", format!("priority {} is listed twice", t.priority)));
                }
                for secs in [t.first_response_secs, t.resolution_secs].into_iter().flatten() {
                    if !(1..=MAX_TARGET_SECS).contains(&secs) {
                        return Err(ApiError::invalid(
                            "targets",
                            format!("priority {}: a target is between 1 s and 100 years, got {secs} s", t.priority),
                        ));
                    }
                }
                if let Some(c) = t.calendar_id {
                    calendar(tx, "targets", c)?;
                }
                let penalty = match t.penalty {
                    None => None,
                    Some(PenaltyInput { minor_per_hour: Some(m), basis_points_per_hour: None }) => {
                        Some(PenaltyRate::Amount { minor_per_hour: m })
                    }
                    Some(PenaltyInput { minor_per_hour: None, basis_points_per_hour: Some(bp) }) => {
                        Some(PenaltyRate::FeeShare { basis_points_per_hour: bp })
                    }
                    Some(_) => {
                        return Err(ApiError::invalid(
                            "targets",
                            format!(
                                "priority {}: a penalty is either minor_per_hour or basis_points_per_hour",
                                t.priority
                            ),
                        ));
                    }
                };
                if let Some(rate) = penalty {
                    PenaltyTerms { rate, basis: penalty_basis }
                        .validate()
                        .map_err(|e| ApiError::invalid("targets", format!("priority {}: {e}", t.priority)))?;
                }
                out.push(Target {
                    priority: t.priority,
                    first_response_secs: t.first_response_secs,
                    resolution_secs: t.resolution_secs,
                    calendar_id: t.calendar_id,
                    penalty,
                });
            }
            out
        }
    };
    // A ticket takes its SLA from *the* contract covering its product: two at once would
    // make that ambiguous.
    for other in sla::contracts(tx, Some(b.organisation_id))? {
        if Some(other.id) == id {
            continue;
        }
        let other_from = date("valid_from", &other.valid_from)?;
        let other_to = other.valid_to.as_deref().map(|t| date("valid_to", t)).transpose()?;
        let overlaps = to.is_none_or(|t| other_from <= t) && other_to.is_none_or(|o| from <= o);
        if let Some(shared) = b.product_ids.iter().find(|p| other.product_ids.contains(p))
            && overlaps
        {
            return Err(ApiError::conflict(
                "contract_overlap",
                format!(
                    "contract \u{201e}{}\u{201d} (#{}) already covers product {shared} for part of this period",
                    other.name, other.id
                ),
            )
            .with_field("valid_from"));
        }
    }
    Ok(ContractInput {
        organisation_id: b.organisation_id,
        name,
        valid_from: from.to_string(),
        valid_to: to.map(|t| t.to_string()),
        product_ids: b.product_ids,
        calendar_id: b.calendar_id,
        warning_percent,
        monthly_fee_minor: b.monthly_fee_minor,
        penalty_basis,
        penalty_cap_minor: b.penalty_cap_minor,
        targets,
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    pub organisation_id: Option<i64>,
}

/// Contracts: the vendor side sees all, a customer admin those of their organisations.
#[utoipa::path(get, path = "/contracts", tag = "sla", params(ContractQuery), responses((status = 200, body = Vec<ContractView>), (status = 403, body = ErrorBody)))]
pub async fn list_contracts(
    State(app): State<AppState>,
    actor: Actor,
    Query(q): Query<ContractQuery>,
) -> ApiResult<Json<Vec<ContractView>>> {
    if actor.role() == deskbell_domain::person::Role::CustomerUser {
        return Err(ApiError::forbidden("contracts are shown to the organisation's administrator"));
    }
    let list = app
        .read(move |tx| {
            let all = sla::contracts(tx, q.organisation_id)?;
            Ok(all.into_iter().filter(|c| actor.may_see_organisation(c.organisation_id)).collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(list.into_iter().map(ContractView::from).collect()))
}

/// One contract.
#[utoipa::path(get, path = "/contracts/{id}", tag = "sla", params(("id" = i64, Path)),
    responses((status = 200, body = ContractView), (status = 404, body = ErrorBody)))]
pub async fn get_contract(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ContractView>> {
    let c = app
        .read(move |tx| {
            let c = sla::contract(tx, id).map_err(ApiError::or_not_found("contract"))?;
            let visible = actor.role() != deskbell_domain::person::Role::CustomerUser
                && actor.may_see_organisation(c.organisation_id);
            if !visible {
                return Err(ApiError::not_found("contract"));
            }
            Ok(c)
        })
        .await?;
    Ok(Json(c.into()))
}

/// Create a contract (admin). Targets left out take the defaults of DESIGN §2.
#[utoipa::path(post, path = "/contracts", tag = "sla", request_body = ContractBody,
    responses((status = 201, body = ContractView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_contract(
    State(app): State<AppState>,
    actor: Actor,
    Json(body): Json<ContractBody>,
) -> ApiResult<(StatusCode, Json<ContractView>)> {
    actor.require_admin()?;
    let now = app.now();
    let c = app.write(move |tx| new_contract(tx, &actor, body, now)).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Creates a contract (admin); targets left out take the defaults of DESIGN §2.
pub fn new_contract(tx: &mut Tx<'_>, actor: &Actor, body: ContractBody, now: Timestamp) -> ApiResult<Contract> {
    actor.require_admin()?;
    let input = check_contract(tx, None, body)?;
    Ok(sla::create_contract(tx, &input, now)?)
}

/// Replace a contract's terms (admin). Tickets already open keep the targets they started
/// with; new tickets get the new terms.
#[utoipa::path(patch, path = "/contracts/{id}", tag = "sla", params(("id" = i64, Path)), request_body = ContractBody,
    responses((status = 200, body = ContractView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_contract(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ContractBody>,
) -> ApiResult<Json<ContractView>> {
    actor.require_admin()?;
    let now = app.now();
    let c = app.write(move |tx| change_contract(tx, &actor, id, body, now)).await?;
    Ok(Json(c.into()))
}

/// Replaces a contract's terms (admin); open clocks of the contract move to the new terms.
pub fn change_contract(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    body: ContractBody,
    now: Timestamp,
) -> ApiResult<Contract> {
    actor.require_admin()?;
    sla::contract(tx, id).map_err(ApiError::or_not_found("contract"))?;
    let input = check_contract(tx, Some(id), body)?;
    let c = sla::update_contract(tx, id, &input, now)?;
    super::clocks::contract_changed(tx, id, Some(actor.id()), now)?;
    Ok(c)
}
