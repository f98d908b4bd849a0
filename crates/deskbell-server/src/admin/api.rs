//! REST endpoints for organisations, people, teams, products and installations.
//!
//! Each write is a plain function (`new_organisation`, `change_person`, …) holding all of
//! its checks; the JSON handlers and the admin pages both call it, so there is one
//! validation path.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_store::orgs::{self, Installation, Organisation, OrganisationInput, Product, Team};
use deskbell_store::people::{self, Person, PersonInput};
use deskbell_store::{StoreError, Tx};
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{InstallationView, OrganisationView, PersonView, ProductView, TeamView};
use crate::auth::{Actor, hash_password, validate_password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::patch::{Patch, double_option};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(update_team))
        .routes(routes!(list_products, create_product))
        .routes(routes!(update_product))
        .routes(routes!(list_installations, create_installation))
        .routes(routes!(update_installation))
}

pub(crate) fn text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(field, format!("{field} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(field, format!("{field} is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(ApiError::invalid(field, format!("{field} must not contain control characters")));
    }
    Ok(v.to_owned())
}

/// Phone numbers are stored as `+` and digits so that the exchange's caller ID matches
/// however the number was typed.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let plus = if raw.trim_start().starts_with('+') { "+" } else { "" };
    let only_phone_chars = raw.chars().all(|c| c.is_ascii_digit() || " +-()/.".contains(c));
    (only_phone_chars && (5..=20).contains(&digits.len())).then(|| format!("{plus}{digits}"))
}

pub(crate) fn time_zone(field: &str, tz: &str) -> ApiResult<String> {
    jiff::tz::TimeZone::get(tz).map(|_| tz.to_owned()).map_err(|_| {
        ApiError::invalid(field, format!("unknown time zone `{tz}`; use an IANA name such as Europe/Warsaw"))
    })
}

// ---------------------------------------------------------------- organisations

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationCreate {
    pub name: String,
    pub parent_id: Option<i64>,
    /// IANA time zone; default Europe/Warsaw.
    pub time_zone: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub mail_domains: Vec<String>,
    #[serde(default)]
    pub account_team: Vec<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrganisationUpdate {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Patch<i64>,
    pub time_zone: Option<String>,
    pub notes: Option<String>,
    pub active: Option<bool>,
    pub phones: Option<Vec<String>>,
    pub mail_domains: Option<Vec<String>>,
    pub account_team: Option<Vec<i64>>,
}

fn check_org(tx: &mut Tx<'_>, id: Option<i64>, input: &mut OrganisationInput) -> ApiResult<()> {
    input.name = text("name", &input.name, 200)?;
    input.time_zone = time_zone("time_zone", &input.time_zone)?;
    if let Some(parent) = input.parent_id {
        if Some(parent) == id {
            return Err(ApiError::invalid("parent_id", "an organisation cannot be its own parent"));
        }
        let p = orgs::get(tx, parent).map_err(|_| ApiError::invalid("parent_id", "no such organisation"))?;
        // Chains have properties; properties have no sub-properties. One level keeps
        // "the organisation and its children" a complete answer for a customer admin.
        if p.parent_id.is_some() {
            return Err(ApiError::invalid(
                "parent_id",
                "the parent is itself a property of a chain; only one level is allowed",
            ));
        }
        if let Some(id) = id
            && !orgs::with_children(tx, id)?.iter().all(|c| *c == id)
        {
            return Err(ApiError::invalid(
                "parent_id",
                "this organisation has properties of its own, so it cannot become a property",
            ));
        }
    }
    let mut phones = Vec::new();
    for p in &input.phones {
        phones.push(
            normalise_phone(p).ok_or_else(|| ApiError::invalid("phones", format!("`{p}` is not a phone number")))?,
        );
    }
    phones.sort();
    phones.dedup();
    input.phones = phones;
    let mut domains = Vec::new();
    for d in &input.mail_domains {
        let probe: EmailAddress = format!("x@{}", d.trim())
            .parse()
            .map_err(|_| ApiError::invalid("mail_domains", format!("`{d}` is not a mail domain")))?;
        domains.push(probe.domain().to_owned());
    }
    domains.sort();
    domains.dedup();
    input.mail_domains = domains;
    for p in &input.account_team {
        let ok = people::get(tx, *p).is_ok_and(|p| p.role.is_vendor());
        if !ok {
            return Err(ApiError::invalid("account_team", format!("person {p} is not a member of the vendor's staff")));
        }
    }
    Ok(())
}

fn org_conflict(e: StoreError) -> ApiError {
    match &e {
        StoreError::Unique { constraint } if constraint.starts_with("organisation_phones") => {
            ApiError::conflict("already_exists", "one of these phone numbers belongs to another organisation")
                .with_field("phones")
        }
        StoreError::Unique { constraint } if constraint.starts_with("organisation_domains") => {
            ApiError::conflict("already_exists", "one of these mail domains belongs to another organisation")
                .with_field("mail_domains")
        }
        _ => e.into(),
    }
}

/// List organisations the caller may see.
#[utoipa::path(get, path = "/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationView>), (status = 401, body = ErrorBody)))]
pub async fn list_organisations(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<OrganisationView>>> {
    let vendor = actor.is_vendor();
    let list = state.read(move |tx| Ok(orgs::list(tx, actor.organisations().as_deref())?)).await?;
    Ok(Json(list.into_iter().map(|o| OrganisationView::new(o, vendor)).collect()))
}

/// Create an organisation (admin).
#[utoipa::path(post, path = "/organisations", tag = "organisations", request_body = OrganisationCreate,
    responses((status = 201, body = OrganisationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<OrganisationCreate>,
) -> ApiResult<(StatusCode, Json<OrganisationView>)> {
    actor.require_admin()?;
    let now = state.now();
    let org = state.write(move |tx| new_organisation(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(OrganisationView::new(org, true))))
}

/// Creates an organisation (admin) after every check of the API.
pub fn new_organisation(
    tx: &mut Tx<'_>,
    actor: &Actor,
    req: OrganisationCreate,
    now: Timestamp,
) -> ApiResult<Organisation> {
    actor.require_admin()?;
    let mut input = OrganisationInput {
        name: req.name,
        parent_id: req.parent_id,
        time_zone: req.time_zone.unwrap_or_else(|| "Europe/Warsaw".into()),
        notes: req.notes,
        active: true,
        phones: req.phones,
        mail_domains: req.mail_domains,
        account_team: req.account_team,
    };
    check_org(tx, None, &mut input)?;
    orgs::create(tx, &input, now).map_err(org_conflict)
}

/// One organisation.
#[utoipa::path(get, path = "/organisations/{id}", tag = "organisations", params(("id" = i64, Path)),
    responses((status = 200, body = OrganisationView), (status = 404, body = ErrorBody)))]
pub async fn get_organisation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<OrganisationView>> {
    if !actor.may_see_organisation(id) {
        return Err(ApiError::not_found("organisation"));
    }
    let vendor = actor.is_vendor();
    let org = state.read(move |tx| orgs::get(tx, id).map_err(|_| ApiError::not_found("organisation"))).await?;
    Ok(Json(OrganisationView::new(org, vendor)))
}

/// Change an organisation (admin); absent fields stay as they are.
#[utoipa::path(patch, path = "/organisations/{id}", tag = "organisations", params(("id" = i64, Path)), request_body = OrganisationUpdate,
    responses((status = 200, body = OrganisationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_organisation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<OrganisationUpdate>,
) -> ApiResult<Json<OrganisationView>> {
    actor.require_admin()?;
    let now = state.now();
    let org = state.write(move |tx| change_organisation(tx, &actor, id, req, now)).await?;
    Ok(Json(OrganisationView::new(org, true)))
}

/// Changes an organisation (admin); absent fields stay as they are.
pub fn change_organisation(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    req: OrganisationUpdate,
    now: Timestamp,
) -> ApiResult<Organisation> {
    actor.require_admin()?;
    let o = orgs::get(tx, id).map_err(|_| ApiError::not_found("organisation"))?;
    let mut input = OrganisationInput {
        name: req.name.unwrap_or(o.name),
        parent_id: req.parent_id.apply(o.parent_id),
        time_zone: req.time_zone.unwrap_or(o.time_zone),
        notes: req.notes.unwrap_or(o.notes),
        active: req.active.unwrap_or(o.active),
        phones: req.phones.unwrap_or(o.phones),
        mail_domains: req.mail_domains.unwrap_or(o.mail_domains),
        account_team: req.account_team.unwrap_or(o.account_team),
    };
    check_org(tx, Some(id), &mut input)?;
    orgs::update(tx, id, &input, now).map_err(org_conflict)
}

// ---------------------------------------------------------------- people

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonCreate {
    #[schema(value_type = String, format = Email)]
    pub email: EmailAddress,
    pub name: String,
    #[schema(schema_with = crate::schema::role)]
    pub role: Role,
    /// Required for customer roles, absent for the vendor's staff.
    pub organisation_id: Option<i64>,
    pub phone: Option<String>,
    #[schema(schema_with = crate::schema::language)]
    pub language: Option<Language>,
    /// Without a password the person cannot log in yet.
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonUpdate {
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<EmailAddress>,
    pub name: Option<String>,
    #[schema(schema_with = crate::schema::role)]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub organisation_id: Patch<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Patch<String>,
    #[schema(schema_with = crate::schema::language)]
    pub language: Option<Language>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// Who may write whom: an admin anyone; a customer admin the customer people of their own
/// organisations (invite, deactivate), never the vendor's staff.
pub(crate) fn may_manage(actor: &Actor, role: Role, organisation_id: Option<i64>) -> ApiResult<()> {
    match actor.role() {
        Role::Admin => actor.require_admin(),
        Role::CustomerAdmin if role.is_customer() && organisation_id.is_some_and(|o| actor.may_see_organisation(o)) => {
            Ok(())
        }
        _ => Err(ApiError::forbidden("you may not manage this person")),
    }
}

pub(crate) fn check_person(tx: &mut Tx<'_>, p: &mut PersonInput) -> ApiResult<()> {
    p.name = text("name", &p.name, 200)?;
    match (p.role.is_customer(), p.organisation_id) {
        (true, None) => {
            return Err(ApiError::invalid("organisation_id", "a customer person belongs to an organisation"));
        }
        (false, Some(_)) => {
            return Err(ApiError::invalid("organisation_id", "the vendor's staff belong to no customer organisation"));
        }
        (true, Some(o)) => {
            orgs::get(tx, o).map_err(|_| ApiError::invalid("organisation_id", "no such organisation"))?;
        }
        (false, None) => {}
    }
    if let Some(phone) = &p.phone {
        p.phone = Some(
            normalise_phone(phone)
                .ok_or_else(|| ApiError::invalid("phone", format!("`{phone}` is not a phone number")))?,
        );
    }
    Ok(())
}

/// List people the caller may see: the vendor side everyone, a customer admin the people of
/// their organisations, a customer user only themselves.
#[utoipa::path(get, path = "/people", tag = "people", responses((status = 200, body = Vec<PersonView>), (status = 401, body = ErrorBody)))]
pub async fn list_people(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<PersonView>>> {
    if actor.role() == Role::CustomerUser {
        return Ok(Json(vec![actor.person.into()]));
    }
    let list = state.read(move |tx| Ok(people::list(tx, actor.organisations().as_deref())?)).await?;
    Ok(Json(list.into_iter().map(PersonView::from).collect()))
}

/// Create a person (admin), or invite a colleague (customer admin).
#[utoipa::path(post, path = "/people", tag = "people", request_body = PersonCreate,
    responses((status = 201, body = PersonView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<PersonCreate>,
) -> ApiResult<(StatusCode, Json<PersonView>)> {
    let person = new_person(&state, &actor, req).await?;
    Ok((StatusCode::CREATED, Json(person.into())))
}

/// A new password checked and hashed on the password thread; `None` stays `None`.
async fn password_hash(state: &AppState, password: Option<String>) -> ApiResult<Option<String>> {
    match password {
        Some(p) => {
            validate_password(&p)?;
            Ok(Some(state.hashing(move || hash_password(&p)).await??))
        }
        None => Ok(None),
    }
}

/// Creates a person (admin) or invites a colleague (customer admin), with every check of the API.
pub async fn new_person(state: &AppState, actor: &Actor, req: PersonCreate) -> ApiResult<Person> {
    may_manage(actor, req.role, req.organisation_id)?;
    let hash = password_hash(state, req.password).await?;
    let now = state.now();
    state
        .write(move |tx| {
            let mut input = PersonInput {
                email: req.email,
                name: req.name,
                role: req.role,
                organisation_id: req.organisation_id,
                phone: req.phone,
                language: req.language.unwrap_or(Language::Pl),
                active: true,
            };
            check_person(tx, &mut input)?;
            Ok(people::create(tx, &input, hash.as_deref(), now)?)
        })
        .await
}

fn visible_person(actor: &Actor, p: &people::Person) -> bool {
    match actor.role() {
        Role::CustomerUser => p.id == actor.id(),
        _ => actor.is_vendor() || p.organisation_id.is_some_and(|o| actor.may_see_organisation(o)),
    }
}

/// One person.
#[utoipa::path(get, path = "/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonView>> {
    let p = state.read(move |tx| people::get(tx, id).map_err(|_| ApiError::not_found("person"))).await?;
    if !visible_person(&actor, &p) {
        return Err(ApiError::not_found("person"));
    }
    Ok(Json(p.into()))
}

/// Change a person; deactivating ends their sessions at once.
#[utoipa::path(patch, path = "/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonUpdate,
    responses((status = 200, body = PersonView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<PersonUpdate>,
) -> ApiResult<Json<PersonView>> {
    let person = change_person(&state, &actor, id, req).await?;
    Ok(Json(person.into()))
}

/// Changes a person, with every check of the API; deactivating ends their sessions at once.
pub async fn change_person(state: &AppState, actor: &Actor, id: i64, mut req: PersonUpdate) -> ApiResult<Person> {
    let hash = password_hash(state, req.password.take()).await?;
    let now = state.now();
    let actor = actor.clone();
    state
        .write(move |tx| {
            let p = people::get(tx, id).map_err(|_| ApiError::not_found("person"))?;
            if !visible_person(&actor, &p) {
                return Err(ApiError::not_found("person"));
            }
            may_manage(&actor, p.role, p.organisation_id)?;
            let mut input = PersonInput {
                email: req.email.unwrap_or(p.email),
                name: req.name.unwrap_or(p.name),
                role: req.role.unwrap_or(p.role),
                organisation_id: req.organisation_id.apply(p.organisation_id),
                phone: req.phone.apply(p.phone),
                language: req.language.unwrap_or(p.language),
                active: req.active.unwrap_or(p.active),
            };
            may_manage(&actor, input.role, input.organisation_id)?;
            check_person(tx, &mut input)?;
            if let Some(h) = &hash {
                people::set_password_hash(tx, id, h, now)?;
            }
            Ok(people::update(tx, id, &input, now)?)
        })
        .await
}

// ---------------------------------------------------------------- teams

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub name: String,
    #[serde(default)]
    pub members: Vec<i64>,
}

fn check_members(tx: &mut Tx<'_>, members: &[i64]) -> ApiResult<()> {
    for m in members {
        if !people::get(tx, *m).is_ok_and(|p| p.role.is_vendor()) {
            return Err(ApiError::invalid("members", format!("person {m} is not a member of the vendor's staff")));
        }
    }
    Ok(())
}

/// The vendor's teams.
#[utoipa::path(get, path = "/teams", tag = "teams", responses((status = 200, body = Vec<TeamView>), (status = 403, body = ErrorBody)))]
pub async fn list_teams(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<TeamView>>> {
    actor.require_vendor()?;
    let list = state.read(|tx| Ok(orgs::teams(tx)?)).await?;
    Ok(Json(list.into_iter().map(TeamView::from).collect()))
}

/// Create a team (admin).
#[utoipa::path(post, path = "/teams", tag = "teams", request_body = TeamInput,
    responses((status = 201, body = TeamView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<TeamInput>,
) -> ApiResult<(StatusCode, Json<TeamView>)> {
    actor.require_admin()?;
    let now = state.now();
    let team = state.write(move |tx| new_team(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(team.into())))
}

/// Creates a team (admin).
pub fn new_team(tx: &mut Tx<'_>, actor: &Actor, req: TeamInput, now: Timestamp) -> ApiResult<Team> {
    actor.require_admin()?;
    let name = text("name", &req.name, 100)?;
    check_members(tx, &req.members)?;
    Ok(orgs::save_team(tx, None, &name, &req.members, now)?)
}

/// Rename a team or change its members (admin).
#[utoipa::path(patch, path = "/teams/{id}", tag = "teams", params(("id" = i64, Path)), request_body = TeamInput,
    responses((status = 200, body = TeamView), (status = 404, body = ErrorBody)))]
pub async fn update_team(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<TeamInput>,
) -> ApiResult<Json<TeamView>> {
    actor.require_admin()?;
    let now = state.now();
    let team = state.write(move |tx| change_team(tx, &actor, id, req, now)).await?;
    Ok(Json(team.into()))
}

/// Renames a team or changes its members (admin).
pub fn change_team(tx: &mut Tx<'_>, actor: &Actor, id: i64, req: TeamInput, now: Timestamp) -> ApiResult<Team> {
    actor.require_admin()?;
    let name = text("name", &req.name, 100)?;
    check_members(tx, &req.members)?;
    orgs::save_team(tx, Some(id), &name, &req.members, now).map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("team"),
        e => e.into(),
    })
}

// ---------------------------------------------------------------- products

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    pub code: String,
    pub name: String,
    /// The team that handles the product's tickets by default.
    pub team_id: Option<i64>,
}

fn check_product(tx: &mut Tx<'_>, req: &ProductInput) -> ApiResult<(String, String)> {
    let code = text("code", &req.code, 50)?.to_lowercase();
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::invalid("code", "a product code has only letters, digits, - and _"));
    }
    if let Some(t) = req.team_id {
        orgs::team(tx, t).map_err(|_| ApiError::invalid("team_id", "no such team"))?;
    }
    Ok((code, text("name", &req.name, 100)?))
}

/// Products (everyone logged in: customers choose one when reporting a problem).
#[utoipa::path(get, path = "/products", tag = "products", responses((status = 200, body = Vec<ProductView>), (status = 401, body = ErrorBody)))]
pub async fn list_products(State(state): State<AppState>, _actor: Actor) -> ApiResult<Json<Vec<ProductView>>> {
    let list = state.read(|tx| Ok(orgs::products(tx)?)).await?;
    Ok(Json(list.into_iter().map(ProductView::from).collect()))
}

/// Create a product (admin).
#[utoipa::path(post, path = "/products", tag = "products", request_body = ProductInput,
    responses((status = 201, body = ProductView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_product(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<ProductInput>,
) -> ApiResult<(StatusCode, Json<ProductView>)> {
    actor.require_admin()?;
    let now = state.now();
    let p = state.write(move |tx| new_product(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Creates a product (admin).
pub fn new_product(tx: &mut Tx<'_>, actor: &Actor, req: ProductInput, now: Timestamp) -> ApiResult<Product> {
    actor.require_admin()?;
    let (code, name) = check_product(tx, &req)?;
    Ok(orgs::save_product(tx, None, &code, &name, req.team_id, now)?)
}

/// Change a product (admin).
#[utoipa::path(patch, path = "/products/{id}", tag = "products", params(("id" = i64, Path)), request_body = ProductInput,
    responses((status = 200, body = ProductView), (status = 404, body = ErrorBody)))]
pub async fn update_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<ProductInput>,
) -> ApiResult<Json<ProductView>> {
    actor.require_admin()?;
    let now = state.now();
    let p = state.write(move |tx| change_product(tx, &actor, id, req, now)).await?;
    Ok(Json(p.into()))
}

/// Changes a product (admin).
pub fn change_product(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    req: ProductInput,
    now: Timestamp,
) -> ApiResult<Product> {
    actor.require_admin()?;
    let (code, name) = check_product(tx, &req)?;
    orgs::save_product(tx, Some(id), &code, &name, req.team_id, now).map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("product"),
        e => e.into(),
    })
}

// ---------------------------------------------------------------- installations

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallationInput {
    pub organisation_id: i64,
    pub product_id: i64,
    pub name: String,
    pub version: Option<String>,
}

fn check_installation(tx: &mut Tx<'_>, req: InstallationInput) -> ApiResult<Installation> {
    orgs::get(tx, req.organisation_id).map_err(|_| ApiError::invalid("organisation_id", "no such organisation"))?;
    orgs::product(tx, req.product_id).map_err(|_| ApiError::invalid("product_id", "no such product"))?;
    let version = req.version.map(|v| text("version", &v, 50)).transpose()?;
    Ok(Installation {
        id: 0,
        organisation_id: req.organisation_id,
        product_id: req.product_id,
        name: text("name", &req.name, 200)?,
        version,
    })
}

/// Installations the caller may see.
#[utoipa::path(get, path = "/installations", tag = "installations", responses((status = 200, body = Vec<InstallationView>), (status = 401, body = ErrorBody)))]
pub async fn list_installations(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<InstallationView>>> {
    let list = state.read(move |tx| Ok(orgs::installations(tx, actor.organisations().as_deref())?)).await?;
    Ok(Json(list.into_iter().map(InstallationView::from).collect()))
}

/// Record an installation (admin).
#[utoipa::path(post, path = "/installations", tag = "installations", request_body = InstallationInput,
    responses((status = 201, body = InstallationView), (status = 422, body = ErrorBody)))]
pub async fn create_installation(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<InstallationInput>,
) -> ApiResult<(StatusCode, Json<InstallationView>)> {
    actor.require_admin()?;
    let now = state.now();
    let i = state.write(move |tx| new_installation(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

/// Records an installation (admin).
pub fn new_installation(
    tx: &mut Tx<'_>,
    actor: &Actor,
    req: InstallationInput,
    now: Timestamp,
) -> ApiResult<Installation> {
    actor.require_admin()?;
    let input = check_installation(tx, req)?;
    Ok(orgs::save_installation(tx, None, &input, now)?)
}

/// Change an installation (admin), e.g. its version after an update.
#[utoipa::path(patch, path = "/installations/{id}", tag = "installations", params(("id" = i64, Path)), request_body = InstallationInput,
    responses((status = 200, body = InstallationView), (status = 404, body = ErrorBody)))]
pub async fn update_installation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<InstallationInput>,
) -> ApiResult<Json<InstallationView>> {
    actor.require_admin()?;
    let now = state.now();
    let i = state.write(move |tx| change_installation(tx, &actor, id, req, now)).await?;
    Ok(Json(i.into()))
}

/// Changes an installation (admin), e.g. its version after an update.
pub fn change_installation(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    req: InstallationInput,
    now: Timestamp,
) -> ApiResult<Installation> {
    actor.require_admin()?;
    let input = check_installation(tx, req)?;
    orgs::save_installation(tx, Some(id), &input, now).map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("installation"),
        e => e.into(),
    })
}
