//! REST endpoints of automation: rules, canned responses, routing and scope settings,
//! absences and working hours, and the agent's "redirect to local IT". Each write is a plain
//! function the admin pages call too, so there is one validation path.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_domain::automation::{Action, Condition, RuleDef, check_placeholders};
use deskbell_store::automation::{self, Absence, Response, ResponseInput, Rule, RuleInput};
use deskbell_store::{StoreError, Tx, orgs, people, sla};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ROUTING_KEY, RoutingSettings, SCOPE_KEY, ScopeSettings};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;
use crate::tickets::service;
use crate::tickets::views::TicketView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(get_rule, update_rule, delete_rule))
        .routes(routes!(list_responses, create_response))
        .routes(routes!(update_response))
        .routes(routes!(render_response))
        .routes(routes!(redirect_ticket))
        .routes(routes!(get_routing, put_routing))
        .routes(routes!(get_scope, put_scope))
        .routes(routes!(list_absences, add_absence))
        .routes(routes!(delete_absence))
        .routes(routes!(put_working_hours))
}

fn text(field: &str, value: &str, max: usize, multiline: bool) -> ApiResult<String> {
    service::clean_text(field, value, max, multiline)
}

fn missing(what: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(what),
        e => e.into(),
    }
}

// ---------------------------------------------------------------- rules

#[derive(Serialize, ToSchema)]
pub struct RuleView {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub active: bool,
    /// `{ "on": [...], "conditions": [...], "actions": [...], "stop": false }`.
    #[schema(value_type = Object)]
    pub definition: RuleDef,
    /// How many times the rule fired.
    pub fired: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl RuleView {
    fn of(r: Rule) -> ApiResult<RuleView> {
        let definition = serde_json::from_str(&r.definition).map_err(ApiError::internal)?;
        Ok(RuleView {
            id: r.id,
            name: r.name,
            position: r.position,
            active: r.active,
            definition,
            fired: r.fired,
            updated_at: r.updated_at,
        })
    }
}

/// A rule as an admin writes it.
///
/// `definition.on`: `created`, `updated`, `customer_replied`. Conditions (all must hold; a
/// list matches any value): `{"field": "channel"|"kind"|"priority"|"status", "in": [...]}`,
/// `{"field": "organisation"|"product", "in": [ids]}`, `{"field": "text", "contains":
/// ["faktur"]}`, `{"field": "sender", "matches": ["@hotel.pl"]}`, `{"field":
/// "business_hours", "inside": false}`, `{"field": "tag", "any": ["vip"]}`. Actions, in
/// order: `set_priority`, `set_kind`, `set_status`, `set_product`, `set_team`, `assign`
/// (`person_id`), `unassign`, `add_tag`, `remove_tag`, `send_template` (`response_id`),
/// `add_note` (`body`), `notify` (`to`: assignee, team, account_team, on_call),
/// `notify_person` (`person_id`). `stop`: no later rule runs once this one fired.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    pub name: String,
    /// Rules run by position, then id; default: after the last rule.
    pub position: Option<i64>,
    /// Default `true`.
    pub active: Option<bool>,
    #[schema(value_type = Object)]
    pub definition: RuleDef,
}

/// Checks a rule and what it refers to, then saves it (admin).
pub fn save_rule(tx: &mut Tx<'_>, actor: &Actor, id: Option<i64>, body: RuleBody, now: Timestamp) -> ApiResult<Rule> {
    actor.require_admin()?;
    let name = text("name", &body.name, 100, false)?;
    body.definition.check().map_err(|e| ApiError::invalid(&format!("definition.{}", e.at), e.message))?;
    check_references(tx, &body.definition)?;
    let position = match body.position {
        Some(p) => p,
        None => automation::rules(tx)?.iter().map(|r| r.position).max().map_or(10, |m| m + 10),
    };
    let definition = serde_json::to_string(&body.definition).map_err(ApiError::internal)?;
    let input = RuleInput { name, position, active: body.active.unwrap_or(true), definition };
    automation::save_rule(tx, id, &input, Some(actor.id()), now).map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("rule"),
        StoreError::Unique { .. } => ApiError::invalid("name", format!("a rule named `{}` exists already", input.name)),
        e => e.into(),
    })
}

/// Every id a rule names must exist now (and a person must be active support staff).
fn check_references(tx: &mut Tx<'_>, def: &RuleDef) -> ApiResult<()> {
    for (i, c) in def.conditions.iter().enumerate() {
        let at = format!("definition.conditions[{i}]");
        match c {
            Condition::Organisation { any_of } => {
                for id in any_of {
                    orgs::get(tx, *id).map_err(|_| ApiError::invalid(&at, format!("no organisation {id}")))?;
                }
            }
            Condition::Product { any_of } => {
                for id in any_of {
                    orgs::product(tx, *id).map_err(|_| ApiError::invalid(&at, format!("no product {id}")))?;
                }
            }
            _ => {}
        }
    }
    for (i, a) in def.actions.iter().enumerate() {
        let at = format!("definition.actions[{i}]");
        match a {
            Action::SetProduct { product_id } => {
                orgs::product(tx, *product_id)
                    .map_err(|_| ApiError::invalid(&at, format!("no product {product_id}")))?;
            }
            Action::SetTeam { team_id } => {
                orgs::team(tx, *team_id).map_err(|_| ApiError::invalid(&at, format!("no team {team_id}")))?;
            }
            Action::Assign { person_id } | Action::NotifyPerson { person_id } => match people::get(tx, *person_id) {
                Ok(p) if p.active && p.role.is_vendor() => {}
                _ => return Err(ApiError::invalid(&at, format!("person {person_id} is not active support staff"))),
            },
            Action::SendTemplate { response_id } => {
                automation::response(tx, *response_id)
                    .map_err(|_| ApiError::invalid(&at, format!("no canned response {response_id}")))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Rules in the order they run (the vendor side).
#[utoipa::path(get, path = "/rules", tag = "automation",
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = ErrorBody)))]
pub async fn list_rules(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<RuleView>>> {
    actor.require_vendor()?;
    let list = state.read(|tx| Ok(automation::rules(tx)?)).await?;
    Ok(Json(list.into_iter().map(RuleView::of).collect::<ApiResult<_>>()?))
}

/// Add a rule (admin). A rule with an unknown field, one that could never fire or whose
/// actions contradict each other is refused with the reason.
#[utoipa::path(post, path = "/rules", tag = "automation", request_body = RuleBody,
    responses((status = 201, body = RuleView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_rule(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<RuleBody>,
) -> ApiResult<(StatusCode, Json<RuleView>)> {
    let now = state.now();
    let rule = state.write(move |tx| save_rule(tx, &actor, None, body, now)).await?;
    Ok((StatusCode::CREATED, Json(RuleView::of(rule)?)))
}

#[utoipa::path(get, path = "/rules/{id}", tag = "automation", params(("id" = i64, Path)),
    responses((status = 200, body = RuleView), (status = 404, body = ErrorBody)))]
pub async fn get_rule(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> ApiResult<Json<RuleView>> {
    actor.require_vendor()?;
    let rule = state.read(move |tx| automation::rule(tx, id).map_err(missing("rule"))).await?;
    Ok(Json(RuleView::of(rule)?))
}

/// Replace a rule (admin).
#[utoipa::path(put, path = "/rules/{id}", tag = "automation", params(("id" = i64, Path)), request_body = RuleBody,
    responses((status = 200, body = RuleView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<RuleBody>,
) -> ApiResult<Json<RuleView>> {
    let now = state.now();
    let rule = state.write(move |tx| save_rule(tx, &actor, Some(id), body, now)).await?;
    Ok(Json(RuleView::of(rule)?))
}

/// Delete a rule (admin); what it did stays in the tickets' history.
#[utoipa::path(delete, path = "/rules/{id}", tag = "automation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_rule(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    state.write(move |tx| automation::delete_rule(tx, id).map_err(missing("rule"))).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- canned responses

#[derive(Serialize, ToSchema)]
pub struct ResponseView {
    pub id: i64,
    /// Set on the scope rules' answers (`local_it`, `training_catalogue`).
    pub key: Option<String>,
    pub title: String,
    pub body_pl: String,
    pub body_en: String,
    pub active: bool,
}

impl From<Response> for ResponseView {
    fn from(r: Response) -> Self {
        ResponseView { id: r.id, key: r.key, title: r.title, body_pl: r.body_pl, body_en: r.body_en, active: r.active }
    }
}

/// A canned response. Placeholders: `{{person}}`, `{{ticket}}`, `{{organisation}}`,
/// `{{product}}`, `{{agent}}`, `{{help_centre}}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    pub title: String,
    pub body_pl: String,
    /// Empty: the Polish text is used for English speakers too.
    #[serde(default)]
    pub body_en: String,
    /// Default `true`.
    pub active: Option<bool>,
}

pub const RESPONSE_MAX: usize = 20_000;

/// Checks a canned response's texts and placeholders, then saves it (admin).
pub fn save_response(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: Option<i64>,
    body: ResponseBody,
    now: Timestamp,
) -> ApiResult<Response> {
    actor.require_admin()?;
    let title = text("title", &body.title, 200, false)?;
    let body_pl = text("body_pl", &body.body_pl, RESPONSE_MAX, true)?;
    let body_en = if body.body_en.trim().is_empty() {
        String::new()
    } else {
        text("body_en", &body.body_en, RESPONSE_MAX, true)?
    };
    for (field, t) in [("body_pl", &body_pl), ("body_en", &body_en)] {
        check_placeholders(t).map_err(|e| ApiError::invalid(field, e.to_string()))?;
    }
    let input = ResponseInput { title, body_pl, body_en, active: body.active.unwrap_or(true) };
    automation::save_response(tx, id, &input, now).map_err(missing("canned response"))
}

/// Canned responses by title (the vendor side).
#[utoipa::path(get, path = "/responses", tag = "automation",
    responses((status = 200, body = Vec<ResponseView>), (status = 403, body = ErrorBody)))]
pub async fn list_responses(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<ResponseView>>> {
    actor.require_vendor()?;
    let now = state.now();
    let list = state
        .write(move |tx| {
            // The scope rules' answers are listed (and editable) before their first use.
            super::responses::keyed(tx, super::responses::LOCAL_IT, now)?;
            super::responses::keyed(tx, super::responses::TRAINING_CATALOGUE, now)?;
            Ok(automation::responses(tx)?)
        })
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add a canned response (admin); an unknown placeholder is refused.
#[utoipa::path(post, path = "/responses", tag = "automation", request_body = ResponseBody,
    responses((status = 201, body = ResponseView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_response(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<ResponseBody>,
) -> ApiResult<(StatusCode, Json<ResponseView>)> {
    let now = state.now();
    let r = state.write(move |tx| save_response(tx, &actor, None, body, now)).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Replace a canned response (admin).
#[utoipa::path(put, path = "/responses/{id}", tag = "automation", params(("id" = i64, Path)), request_body = ResponseBody,
    responses((status = 200, body = ResponseView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_response(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ResponseBody>,
) -> ApiResult<Json<ResponseView>> {
    let now = state.now();
    let r = state.write(move |tx| save_response(tx, &actor, Some(id), body, now)).await?;
    Ok(Json(r.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RenderedResponse {
    /// The text in the requester's language with the placeholders filled in, to insert
    /// into a reply.
    pub text: String,
}

/// The text of a canned response for one ticket, in its requester's language, with the
/// placeholders filled in; the agent is `{{agent}}` (vendor side).
pub fn rendered(tx: &mut Tx<'_>, actor: &Actor, number: i64, id: i64) -> ApiResult<String> {
    actor.require_vendor()?;
    let t = service::load(tx, actor, number)?;
    let r = automation::response(tx, id).map_err(missing("canned response"))?;
    Ok(super::responses::render(tx, &r, &t, Some(&actor.person.name))?)
}

#[utoipa::path(get, path = "/tickets/{number}/responses/{id}", tag = "automation",
    params(("number" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = RenderedResponse), (status = 404, body = ErrorBody)))]
pub async fn render_response(
    State(state): State<AppState>,
    actor: Actor,
    Path((raw, id)): Path<(String, i64)>,
) -> ApiResult<Json<RenderedResponse>> {
    let n = crate::tickets::api::number(&raw)?;
    let text = state.read(move |tx| rendered(tx, &actor, n, id)).await?;
    Ok(Json(RenderedResponse { text }))
}

// ---------------------------------------------------------------- redirect

/// Answers with the local-IT response and resolves the ticket as redirected (vendor side).
pub fn redirect(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    now: Timestamp,
) -> ApiResult<deskbell_store::tickets::Ticket> {
    actor.require_vendor()?;
    let t = service::load(tx, actor, number)?;
    let reason = format!("redirected to local IT by {}", actor.person.name);
    super::scope::redirect(tx, t, Some(actor), &reason, now)
}

/// Redirect to local IT: the out-of-scope answer, kind `out_of_scope`, resolved as
/// redirected (excluded from SLA compliance).
#[utoipa::path(post, path = "/tickets/{number}/redirect", tag = "automation", params(("number" = String, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn redirect_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<TicketView>> {
    let n = crate::tickets::api::number(&raw)?;
    let now = state.now();
    let t = state.write(move |tx| redirect(tx, &actor, n, now)).await?;
    Ok(Json(t.into()))
}

// ---------------------------------------------------------------- settings

#[utoipa::path(get, path = "/settings/routing", tag = "automation",
    responses((status = 200, body = RoutingSettings), (status = 403, body = ErrorBody)))]
pub async fn get_routing(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<RoutingSettings>> {
    actor.require_vendor()?;
    Ok(Json(state.read(|tx| Ok(super::load(tx, ROUTING_KEY)?)).await?))
}

/// Replace the routing settings (admin); omitted fields take their defaults.
#[utoipa::path(put, path = "/settings/routing", tag = "automation", request_body = RoutingSettings,
    responses((status = 200, body = RoutingSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_routing(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<RoutingSettings>,
) -> ApiResult<Json<RoutingSettings>> {
    actor.require_admin()?;
    let saved = body.clone();
    state.write(move |tx| super::store(tx, ROUTING_KEY, &body)).await?;
    Ok(Json(saved))
}

#[utoipa::path(get, path = "/settings/scope", tag = "automation",
    responses((status = 200, body = ScopeSettings), (status = 403, body = ErrorBody)))]
pub async fn get_scope(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<ScopeSettings>> {
    actor.require_vendor()?;
    Ok(Json(state.read(|tx| Ok(super::load(tx, SCOPE_KEY)?)).await?))
}

/// Checks and saves the scope settings (admin).
pub fn save_scope(tx: &mut Tx<'_>, actor: &Actor, mut body: ScopeSettings) -> ApiResult<ScopeSettings> {
    actor.require_admin()?;
    let mut phrases = Vec::new();
    for (i, p) in body.out_of_scope_phrases.iter().enumerate() {
        let p = text(&format!("out_of_scope_phrases[{i}]"), p, 200, false)?;
        if !phrases.contains(&p) {
            phrases.push(p);
        }
    }
    body.out_of_scope_phrases = phrases;
    super::store(tx, SCOPE_KEY, &body)?;
    Ok(body)
}

/// Replace the scope settings (admin); an empty phrase list means the built-in one.
#[utoipa::path(put, path = "/settings/scope", tag = "automation", request_body = ScopeSettings,
    responses((status = 200, body = ScopeSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_scope(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<ScopeSettings>,
) -> ApiResult<Json<ScopeSettings>> {
    Ok(Json(state.write(move |tx| save_scope(tx, &actor, body)).await?))
}

// ---------------------------------------------------------------- absences and working hours

#[derive(Serialize, ToSchema)]
pub struct AbsenceView {
    pub id: i64,
    pub person_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Timestamp,
    pub reason: Option<String>,
}

impl From<Absence> for AbsenceView {
    fn from(a: Absence) -> Self {
        AbsenceView { id: a.id, person_id: a.person_id, starts_at: a.starts_at, ends_at: a.ends_at, reason: a.reason }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceBody {
    pub person_id: i64,
    /// RFC 3339 with an offset.
    pub starts_at: String,
    /// RFC 3339; after `starts_at`, at most a year later.
    pub ends_at: String,
    pub reason: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AbsenceQuery {
    /// Absences not ended by then (RFC 3339); default now.
    pub from: Option<String>,
}

/// Checks and records an absence (supervisor).
pub fn new_absence(tx: &mut Tx<'_>, actor: &Actor, body: AbsenceBody, now: Timestamp) -> ApiResult<Absence> {
    actor.require_supervisor()?;
    let starts_at = crate::sla::instant("starts_at", &body.starts_at)?;
    let ends_at = crate::sla::instant("ends_at", &body.ends_at)?;
    if ends_at <= starts_at {
        return Err(ApiError::invalid("ends_at", "an absence must end after it starts"));
    }
    if ends_at.duration_since(starts_at) > SignedDuration::from_hours(366 * 24) {
        return Err(ApiError::invalid("ends_at", "an absence lasts at most a year"));
    }
    match people::get(tx, body.person_id) {
        Ok(p) if p.role.is_vendor() => {}
        _ => return Err(ApiError::invalid("person_id", format!("person {} is not support staff", body.person_id))),
    }
    let reason = body.reason.as_deref().map(|r| text("reason", r, 200, false)).transpose()?;
    Ok(automation::add_absence(tx, body.person_id, starts_at, ends_at, reason.as_deref(), Some(actor.id()), now)?)
}

#[utoipa::path(get, path = "/absences", tag = "automation", params(AbsenceQuery),
    responses((status = 200, body = Vec<AbsenceView>), (status = 403, body = ErrorBody)))]
pub async fn list_absences(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AbsenceQuery>,
) -> ApiResult<Json<Vec<AbsenceView>>> {
    actor.require_vendor()?;
    let from = q.from.as_deref().map(|s| crate::sla::instant("from", s)).transpose()?.unwrap_or_else(|| state.now());
    let list = state.read(move |tx| Ok(automation::absences(tx, from)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Record an absence (supervisor): routing skips the agent meanwhile.
#[utoipa::path(post, path = "/absences", tag = "automation", request_body = AbsenceBody,
    responses((status = 201, body = AbsenceView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_absence(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<AbsenceBody>,
) -> ApiResult<(StatusCode, Json<AbsenceView>)> {
    let now = state.now();
    let a = state.write(move |tx| new_absence(tx, &actor, body, now)).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[utoipa::path(delete, path = "/absences/{id}", tag = "automation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_absence(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    actor.require_supervisor()?;
    state.write(move |tx| automation::delete_absence(tx, id).map_err(missing("absence"))).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingHoursBody {
    /// A calendar (see `/calendars`); `null`: always on shift.
    pub calendar_id: Option<i64>,
}

/// Sets an agent's working hours (supervisor).
pub fn set_working_hours(tx: &mut Tx<'_>, actor: &Actor, person_id: i64, calendar_id: Option<i64>) -> ApiResult<()> {
    actor.require_supervisor()?;
    match people::get(tx, person_id) {
        Ok(p) if p.role.is_vendor() => {}
        Ok(_) => return Err(ApiError::invalid("person_id", "working hours are for support staff")),
        Err(e) => return Err(missing("person")(e)),
    }
    if let Some(c) = calendar_id {
        sla::calendar(tx, c).map_err(|_| ApiError::invalid("calendar_id", format!("no calendar {c}")))?;
    }
    Ok(automation::set_working_hours(tx, person_id, calendar_id)?)
}

/// An agent's working hours, for routing (supervisor).
#[utoipa::path(put, path = "/people/{id}/working-hours", tag = "automation", params(("id" = i64, Path)),
    request_body = WorkingHoursBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_working_hours(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<WorkingHoursBody>,
) -> ApiResult<StatusCode> {
    state.write(move |tx| set_working_hours(tx, &actor, id, body.calendar_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
