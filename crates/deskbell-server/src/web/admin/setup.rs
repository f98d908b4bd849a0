//! Teams (name and members), products (code, name, default team) and installations (a
//! product at an organisation): lists and forms.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_store::orgs::{self as store_orgs, Installation, Product, Team};
use deskbell_store::people as store_people;

use super::{Fields, ListQuery, Opt, form_errors, ids, options, options_or_none, path_id, req_id, saved, staff};
use crate::admin::api::{self, InstallationInput, ProductInput, TeamInput};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

fn action(list: &str, id: Option<i64>) -> String {
    id.map_or_else(|| format!("{list}/new"), |id| format!("{list}/{id}"))
}

// ---------------------------------------------------------------- teams

const TEAMS: &str = "/admin/teams";
const TEAM_FIELDS: &[&str] = &["name", "members"];

struct TeamRow {
    id: i64,
    name: String,
    members: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/teams.html")]
struct TeamsPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<TeamRow>,
    saved: bool,
}

pub async fn teams(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let (teams, people) = state.read(|tx| Ok((store_orgs::teams(tx)?, store_people::list(tx, None)?))).await?;
    let name = |id: &i64| people.iter().find(|p| p.id == *id).map_or_else(|| format!("#{id}"), |p| p.name.clone());
    let rows = teams
        .iter()
        .map(|t| TeamRow { id: t.id, name: t.name.clone(), members: t.members.iter().map(name).collect() })
        .collect();
    html(&TeamsPage { c: &c, section: "admin", tab: "teams", rows, saved: q.saved.is_some() })
}

#[derive(Default)]
struct TeamForm {
    name: String,
    members: Vec<String>,
}

impl TeamForm {
    fn of(t: &Team) -> TeamForm {
        TeamForm { name: t.name.clone(), members: super::strings(&t.members) }
    }

    fn sent(f: &Fields) -> TeamForm {
        TeamForm { name: f.text("name"), members: f.all("members") }
    }
}

#[derive(Template)]
#[template(path = "admin/team_form.html")]
struct TeamFormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    form: TeamForm,
    members: Vec<Opt>,
    errors: Errors,
}

async fn show_team(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    title: String,
    form: TeamForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let people = state.read(|tx| Ok(store_people::list(tx, None)?)).await?;
    let members = options(staff(&people), &form.members);
    let page =
        TeamFormPage { c, section: "admin", tab: "teams", title, action: action(TEAMS, id), form, members, errors };
    html_status(status, &page)
}

async fn stored_team(state: &AppState, id: i64) -> Result<Team, ApiError> {
    state.read(move |tx| store_orgs::team(tx, id).map_err(ApiError::or_not_found("team"))).await
}

pub async fn new_team_form(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    show_team(&state, &c, None, c.t.adm_team_new.to_owned(), TeamForm::default(), Errors::default(), StatusCode::OK)
        .await
}

/// Saves a team form: new when `id` is `None`.
async fn save_team(state: AppState, c: Ctx, id: Option<i64>, title: String, f: Vec<(String, String)>) -> PageResult {
    let actor = c.admin()?.clone();
    let form = TeamForm::sent(&Fields::new(f));
    let mut errors = Errors::default();
    let members = ids(&c, &mut errors, "members", &form.members);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let req = TeamInput { name: form.name.clone(), members };
        let now = c.now;
        let done = state
            .write(move |tx| match id {
                None => api::new_team(tx, &actor, req, now),
                Some(id) => api::change_team(tx, &actor, id, req, now),
            })
            .await;
        match done {
            Ok(_) => return Ok(saved(&c, TEAMS)),
            Err(e) => (status, errors) = form_errors(e, TEAM_FIELDS)?,
        }
    }
    show_team(&state, &c, id, title, form, errors, status).await
}

pub async fn create_team(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let title = c.t.adm_team_new.to_owned();
    save_team(state, c, None, title, f).await
}

pub async fn edit_team_form(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let t = stored_team(&state, id).await?;
    let title = fill(c.t.adm_team_edit, &[("name", &t.name)]);
    show_team(&state, &c, Some(id), title, TeamForm::of(&t), Errors::default(), StatusCode::OK).await
}

pub async fn update_team(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let t = stored_team(&state, id).await?;
    let title = fill(c.t.adm_team_edit, &[("name", &t.name)]);
    save_team(state, c, Some(id), title, f).await
}

// ---------------------------------------------------------------- products

const PRODUCTS: &str = "/admin/products";
const PRODUCT_FIELDS: &[&str] = &["code", "name", "team_id"];

struct ProductRow {
    id: i64,
    code: String,
    name: String,
    team: String,
}

#[derive(Template)]
#[template(path = "admin/products.html")]
struct ProductsPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<ProductRow>,
    saved: bool,
}

pub async fn products(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let (products, teams) = state.read(|tx| Ok((store_orgs::products(tx)?, store_orgs::teams(tx)?))).await?;
    let team = |id: i64| teams.iter().find(|t| t.id == id).map_or_else(|| format!("#{id}"), |t| t.name.clone());
    let rows = products
        .iter()
        .map(|p| ProductRow {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            team: p.team_id.map(team).unwrap_or_default(),
        })
        .collect();
    html(&ProductsPage { c: &c, section: "admin", tab: "products", rows, saved: q.saved.is_some() })
}

#[derive(Default)]
struct ProductForm {
    code: String,
    name: String,
    team_id: String,
}

impl ProductForm {
    fn of(p: &Product) -> ProductForm {
        ProductForm {
            code: p.code.clone(),
            name: p.name.clone(),
            team_id: p.team_id.map(|t| t.to_string()).unwrap_or_default(),
        }
    }

    fn sent(f: &Fields) -> ProductForm {
        ProductForm { code: f.text("code"), name: f.text("name"), team_id: f.text("team_id") }
    }
}

#[derive(Template)]
#[template(path = "admin/product_form.html")]
struct ProductFormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    form: ProductForm,
    teams: Vec<Opt>,
    errors: Errors,
}

async fn show_product(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    title: String,
    form: ProductForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let teams = state.read(|tx| Ok(store_orgs::teams(tx)?)).await?;
    let teams = options_or_none(
        c.t.none,
        teams.iter().map(|t| (t.id.to_string(), t.name.clone())),
        std::slice::from_ref(&form.team_id),
    );
    let page = ProductFormPage {
        c,
        section: "admin",
        tab: "products",
        title,
        action: action(PRODUCTS, id),
        form,
        teams,
        errors,
    };
    html_status(status, &page)
}

async fn stored_product(state: &AppState, id: i64) -> Result<Product, ApiError> {
    state.read(move |tx| store_orgs::product(tx, id).map_err(ApiError::or_not_found("product"))).await
}

pub async fn new_product_form(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    let title = c.t.adm_product_new.to_owned();
    show_product(&state, &c, None, title, ProductForm::default(), Errors::default(), StatusCode::OK).await
}

async fn save_product(state: AppState, c: Ctx, id: Option<i64>, title: String, f: Vec<(String, String)>) -> PageResult {
    let actor = c.admin()?.clone();
    let form = ProductForm::sent(&Fields::new(f));
    let mut errors = Errors::default();
    let team_id = super::opt_id(&c, &mut errors, "team_id", &form.team_id);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let req = ProductInput { code: form.code.clone(), name: form.name.clone(), team_id };
        let now = c.now;
        let done = state
            .write(move |tx| match id {
                None => api::new_product(tx, &actor, req, now),
                Some(id) => api::change_product(tx, &actor, id, req, now),
            })
            .await;
        match done {
            Ok(_) => return Ok(saved(&c, PRODUCTS)),
            Err(e) => (status, errors) = form_errors(e, PRODUCT_FIELDS)?,
        }
    }
    show_product(&state, &c, id, title, form, errors, status).await
}

pub async fn create_product(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let title = c.t.adm_product_new.to_owned();
    save_product(state, c, None, title, f).await
}

pub async fn edit_product_form(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let p = stored_product(&state, id).await?;
    let title = fill(c.t.adm_product_edit, &[("name", &p.name)]);
    show_product(&state, &c, Some(id), title, ProductForm::of(&p), Errors::default(), StatusCode::OK).await
}

pub async fn update_product(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let p = stored_product(&state, id).await?;
    let title = fill(c.t.adm_product_edit, &[("name", &p.name)]);
    save_product(state, c, Some(id), title, f).await
}

// ---------------------------------------------------------------- installations

const INSTALLATIONS: &str = "/admin/installations";
const INSTALLATION_FIELDS: &[&str] = &["organisation_id", "product_id", "name", "version"];

struct InstallationRow {
    id: i64,
    organisation: String,
    product: String,
    name: String,
    version: String,
}

#[derive(Template)]
#[template(path = "admin/installations.html")]
struct InstallationsPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<InstallationRow>,
    saved: bool,
}

pub async fn installations(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let (list, orgs, products) = state
        .read(|tx| Ok((store_orgs::installations(tx, None)?, store_orgs::list(tx, None)?, store_orgs::products(tx)?)))
        .await?;
    let org = |id: i64| orgs.iter().find(|o| o.id == id).map_or_else(|| format!("#{id}"), |o| o.name.clone());
    let product = |id: i64| products.iter().find(|p| p.id == id).map_or_else(|| format!("#{id}"), |p| p.name.clone());
    let mut rows: Vec<InstallationRow> = list
        .iter()
        .map(|i| InstallationRow {
            id: i.id,
            organisation: org(i.organisation_id),
            product: product(i.product_id),
            name: i.name.clone(),
            version: i.version.clone().unwrap_or_default(),
        })
        .collect();
    // By organisation in the order of the organisations' list (sorted by name), then by name.
    let rank = |name: &str| orgs.iter().position(|o| o.name == name).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| rank(&a.organisation).cmp(&rank(&b.organisation)).then_with(|| a.name.cmp(&b.name)));
    html(&InstallationsPage { c: &c, section: "admin", tab: "installations", rows, saved: q.saved.is_some() })
}

#[derive(Default)]
struct InstallationForm {
    organisation_id: String,
    product_id: String,
    name: String,
    version: String,
}

impl InstallationForm {
    fn of(i: &Installation) -> InstallationForm {
        InstallationForm {
            organisation_id: i.organisation_id.to_string(),
            product_id: i.product_id.to_string(),
            name: i.name.clone(),
            version: i.version.clone().unwrap_or_default(),
        }
    }

    fn sent(f: &Fields) -> InstallationForm {
        InstallationForm {
            organisation_id: f.text("organisation_id"),
            product_id: f.text("product_id"),
            name: f.text("name"),
            version: f.text("version"),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/installation_form.html")]
struct InstallationFormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    form: InstallationForm,
    organisations: Vec<Opt>,
    products: Vec<Opt>,
    errors: Errors,
}

async fn show_installation(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    title: String,
    form: InstallationForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let (orgs, products) = state.read(|tx| Ok((store_orgs::list(tx, None)?, store_orgs::products(tx)?))).await?;
    let organisations = options_or_none(
        c.t.adm_select,
        orgs.iter().map(|o| (o.id.to_string(), o.name.clone())),
        std::slice::from_ref(&form.organisation_id),
    );
    let products = options_or_none(
        c.t.adm_select,
        products.iter().map(|p| (p.id.to_string(), p.name.clone())),
        std::slice::from_ref(&form.product_id),
    );
    let page = InstallationFormPage {
        c,
        section: "admin",
        tab: "installations",
        title,
        action: action(INSTALLATIONS, id),
        form,
        organisations,
        products,
        errors,
    };
    html_status(status, &page)
}

async fn stored_installation(state: &AppState, id: i64) -> Result<Installation, ApiError> {
    state.read(move |tx| store_orgs::installation(tx, id).map_err(ApiError::or_not_found("installation"))).await
}

pub async fn new_installation_form(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    let title = c.t.adm_installation_new.to_owned();
    show_installation(&state, &c, None, title, InstallationForm::default(), Errors::default(), StatusCode::OK).await
}

async fn save_installation(
    state: AppState,
    c: Ctx,
    id: Option<i64>,
    title: String,
    f: Vec<(String, String)>,
) -> PageResult {
    let actor = c.admin()?.clone();
    let form = InstallationForm::sent(&Fields::new(f));
    let mut errors = Errors::default();
    let organisation_id = req_id(&c, &mut errors, "organisation_id", &form.organisation_id);
    let product_id = req_id(&c, &mut errors, "product_id", &form.product_id);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let req = InstallationInput {
            organisation_id,
            product_id,
            name: form.name.clone(),
            version: Some(form.version.clone()).filter(|v| !v.is_empty()),
        };
        let now = c.now;
        let done = state
            .write(move |tx| match id {
                None => api::new_installation(tx, &actor, req, now),
                Some(id) => api::change_installation(tx, &actor, id, req, now),
            })
            .await;
        match done {
            Ok(_) => return Ok(saved(&c, INSTALLATIONS)),
            Err(e) => (status, errors) = form_errors(e, INSTALLATION_FIELDS)?,
        }
    }
    show_installation(&state, &c, id, title, form, errors, status).await
}

pub async fn create_installation(
    State(state): State<AppState>,
    c: Ctx,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let title = c.t.adm_installation_new.to_owned();
    save_installation(state, c, None, title, f).await
}

pub async fn edit_installation_form(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let i = stored_installation(&state, id).await?;
    let title = fill(c.t.adm_installation_edit, &[("name", &i.name)]);
    show_installation(&state, &c, Some(id), title, InstallationForm::of(&i), Errors::default(), StatusCode::OK).await
}

pub async fn update_installation(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let i = stored_installation(&state, id).await?;
    let title = fill(c.t.adm_installation_edit, &[("name", &i.name)]);
    save_installation(state, c, Some(id), title, f).await
}
