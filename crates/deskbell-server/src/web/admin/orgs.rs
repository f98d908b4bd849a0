//! Organisations: the list as a hierarchy (a chain with its properties under it), and the
//! new and edit forms with parent, phones, mail domains and account team.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_store::orgs::{self as store_orgs, Organisation};
use deskbell_store::people as store_people;

use super::{Fields, ListQuery, Opt, form_errors, ids, lines, opt_id, options, options_or_none, path_id, saved, staff};
use crate::admin::api::{self, OrganisationCreate, OrganisationUpdate};
use crate::error::ApiError;
use crate::patch::Patch;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

const LIST: &str = "/admin/organisations";
const FIELDS: &[&str] =
    &["name", "parent_id", "time_zone", "notes", "active", "phones", "mail_domains", "account_team"];

struct Row {
    id: i64,
    name: String,
    /// Said before the name of a chain's property ("property of …").
    parent: Option<String>,
    time_zone: String,
    phones: Vec<String>,
    domains: Vec<String>,
    team: Vec<String>,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<Row>,
    saved: bool,
}

/// Chains and independent customers by name, each followed by its properties.
fn hierarchy(all: &[Organisation]) -> Vec<&Organisation> {
    let known = |id: i64| all.iter().any(|o| o.id == id);
    let mut out = Vec::with_capacity(all.len());
    for root in all.iter().filter(|o| o.parent_id.is_none_or(|p| !known(p))) {
        out.push(root);
        out.extend(all.iter().filter(|o| o.parent_id == Some(root.id)));
    }
    out
}

pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let (all, people) = state.read(|tx| Ok((store_orgs::list(tx, None)?, store_people::list(tx, None)?))).await?;
    let name_of = |id: i64| all.iter().find(|o| o.id == id).map(|o| o.name.clone());
    let person = |id: &i64| people.iter().find(|p| p.id == *id).map_or_else(|| format!("#{id}"), |p| p.name.clone());
    let rows = hierarchy(&all)
        .into_iter()
        .map(|o| Row {
            id: o.id,
            name: o.name.clone(),
            parent: o.parent_id.and_then(name_of).map(|p| fill(c.t.adm_org_property_of, &[("name", &p)])),
            time_zone: o.time_zone.clone(),
            phones: o.phones.clone(),
            domains: o.mail_domains.clone(),
            team: o.account_team.iter().map(person).collect(),
            active: o.active,
        })
        .collect();
    html(&ListPage { c: &c, section: "admin", tab: "organisations", rows, saved: q.saved.is_some() })
}

/// The form's fields as typed (or as stored, when it is first shown).
#[derive(Default)]
struct OrgForm {
    name: String,
    parent_id: String,
    time_zone: String,
    notes: String,
    active: bool,
    phones: String,
    mail_domains: String,
    account_team: Vec<String>,
}

impl OrgForm {
    fn of(o: &Organisation) -> OrgForm {
        OrgForm {
            name: o.name.clone(),
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            time_zone: o.time_zone.clone(),
            notes: o.notes.clone(),
            active: o.active,
            phones: o.phones.join("\n"),
            mail_domains: o.mail_domains.join("\n"),
            account_team: super::strings(&o.account_team),
        }
    }

    fn sent(f: &Fields) -> OrgForm {
        OrgForm {
            name: f.text("name"),
            parent_id: f.text("parent_id"),
            time_zone: f.text("time_zone"),
            notes: f.raw("notes").to_owned(),
            active: f.ticked("active"),
            phones: f.raw("phones").to_owned(),
            mail_domains: f.raw("mail_domains").to_owned(),
            account_team: f.all("account_team"),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/organisation_form.html")]
struct FormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    /// The organisation being edited; `None` on the new form.
    id: Option<i64>,
    form: OrgForm,
    parents: Vec<Opt>,
    team: Vec<Opt>,
    errors: Errors,
}

async fn show(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    title: String,
    form: OrgForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let (all, people) = state.read(|tx| Ok((store_orgs::list(tx, None)?, store_people::list(tx, None)?))).await?;
    // Only one level: a parent is a chain or an independent customer, never itself a property.
    let chains =
        all.iter().filter(|o| o.parent_id.is_none() && Some(o.id) != id).map(|o| (o.id.to_string(), o.name.clone()));
    let parents = options_or_none(c.t.none, chains, std::slice::from_ref(&form.parent_id));
    let team = options(staff(&people), &form.account_team);
    let action = id.map_or_else(|| format!("{LIST}/new"), |id| format!("{LIST}/{id}"));
    let page = FormPage { c, section: "admin", tab: "organisations", title, action, id, form, parents, team, errors };
    html_status(status, &page)
}

async fn stored(state: &AppState, id: i64) -> Result<Organisation, ApiError> {
    state.read(move |tx| store_orgs::get(tx, id).map_err(ApiError::or_not_found("organisation"))).await
}

fn edit_title(c: &Ctx, name: &str) -> String {
    fill(c.t.adm_org_edit, &[("name", name)])
}

pub async fn new_form(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    let form = OrgForm { time_zone: "Europe/Warsaw".into(), active: true, ..OrgForm::default() };
    show(&state, &c, None, c.t.adm_org_new.to_owned(), form, Errors::default(), StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let actor = c.admin()?.clone();
    let form = OrgForm::sent(&Fields::new(f));
    let mut errors = Errors::default();
    let parent_id = opt_id(&c, &mut errors, "parent_id", &form.parent_id);
    let account_team = ids(&c, &mut errors, "account_team", &form.account_team);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let req = OrganisationCreate {
            name: form.name.clone(),
            parent_id,
            time_zone: Some(form.time_zone.clone()).filter(|t| !t.is_empty()),
            notes: form.notes.trim().to_owned(),
            phones: lines(&form.phones),
            mail_domains: lines(&form.mail_domains),
            account_team,
        };
        let now = c.now;
        match state.write(move |tx| api::new_organisation(tx, &actor, req, now)).await {
            Ok(_) => return Ok(saved(&c, LIST)),
            Err(e) => (status, errors) = form_errors(e, FIELDS)?,
        }
    }
    show(&state, &c, None, c.t.adm_org_new.to_owned(), form, errors, status).await
}

pub async fn edit_form(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let o = stored(&state, id).await?;
    show(&state, &c, Some(id), edit_title(&c, &o.name), OrgForm::of(&o), Errors::default(), StatusCode::OK).await
}

pub async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = c.admin()?.clone();
    let id = path_id(&raw)?;
    let o = stored(&state, id).await?;
    let form = OrgForm::sent(&Fields::new(f));
    let mut errors = Errors::default();
    let parent_id = opt_id(&c, &mut errors, "parent_id", &form.parent_id);
    let account_team = ids(&c, &mut errors, "account_team", &form.account_team);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let req = OrganisationUpdate {
            name: Some(form.name.clone()),
            parent_id: parent_id.map_or(Patch::Clear, Patch::Set),
            time_zone: Some(form.time_zone.clone()),
            notes: Some(form.notes.trim().to_owned()),
            active: Some(form.active),
            phones: Some(lines(&form.phones)),
            mail_domains: Some(lines(&form.mail_domains)),
            account_team: Some(account_team),
        };
        let now = c.now;
        match state.write(move |tx| api::change_organisation(tx, &actor, id, req, now)).await {
            Ok(_) => return Ok(saved(&c, LIST)),
            Err(e) => (status, errors) = form_errors(e, FIELDS)?,
        }
    }
    show(&state, &c, Some(id), edit_title(&c, &o.name), form, errors, status).await
}
