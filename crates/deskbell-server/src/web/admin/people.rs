//! People: the list filtered by organisation and role, and the new and edit forms (role,
//! organisation, language, phone, active, and a new password set by the admin).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_store::orgs::{self as store_orgs, Organisation};
use deskbell_store::people::{self as store_people, Person};
use serde::Deserialize;

use super::{Fields, Opt, form_errors, opt_id, options, options_or_none, path_id, saved};
use crate::admin::api::{self, PersonCreate, PersonUpdate};
use crate::error::ApiError;
use crate::patch::Patch;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

const LIST: &str = "/admin/people";
const FIELDS: &[&str] = &["email", "name", "role", "organisation_id", "phone", "language", "active", "password"];

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    organisation: Option<String>,
    role: Option<String>,
    saved: Option<String>,
}

struct Row {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    organisation: String,
    phone: String,
    language: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/people.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<Row>,
    organisations: Vec<Opt>,
    roles: Vec<Opt>,
    saved: bool,
}

fn language_label(c: &Ctx, l: Language) -> &'static str {
    match l {
        Language::Pl => c.t.language_pl,
        Language::En => c.t.language_en,
    }
}

/// Organisations as choices, a chain's properties under it.
fn organisation_choices(all: &[Organisation]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for root in all.iter().filter(|o| o.parent_id.is_none_or(|p| !all.iter().any(|x| x.id == p))) {
        out.push((root.id.to_string(), root.name.clone()));
        for child in all.iter().filter(|o| o.parent_id == Some(root.id)) {
            out.push((child.id.to_string(), format!("{} › {}", root.name, child.name)));
        }
    }
    out
}

fn role_choices(c: &Ctx) -> Vec<(String, String)> {
    Role::ALL.iter().map(|r| (r.as_str().to_owned(), c.t.role(*r).to_owned())).collect()
}

pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<PeopleQuery>) -> PageResult {
    c.admin()?;
    let org_filter = q.organisation.as_deref().and_then(|o| o.parse::<i64>().ok());
    let role_filter = q.role.as_deref().and_then(|r| r.parse::<Role>().ok());
    let (all, orgs) = state.read(|tx| Ok((store_people::list(tx, None)?, store_orgs::list(tx, None)?))).await?;
    let org_name = |id: i64| orgs.iter().find(|o| o.id == id).map_or_else(|| format!("#{id}"), |o| o.name.clone());
    let rows = all
        .iter()
        .filter(|p| org_filter.is_none_or(|o| p.organisation_id == Some(o)))
        .filter(|p| role_filter.is_none_or(|r| p.role == r))
        .map(|p| Row {
            id: p.id,
            name: p.name.clone(),
            email: p.email.as_str().to_owned(),
            role: c.t.role(p.role),
            organisation: p.organisation_id.map_or_else(|| c.t.adm_vendor.to_owned(), org_name),
            phone: p.phone.clone().unwrap_or_default(),
            language: language_label(&c, p.language),
            active: p.active,
        })
        .collect();
    let chosen_org = org_filter.map(|o| o.to_string()).unwrap_or_default();
    let chosen_role = role_filter.map(|r| r.as_str().to_owned()).unwrap_or_default();
    let page = ListPage {
        c: &c,
        section: "admin",
        tab: "people",
        rows,
        organisations: options_or_none(c.t.adm_all, organisation_choices(&orgs), &[chosen_org]),
        roles: options_or_none(c.t.adm_all, role_choices(&c), &[chosen_role]),
        saved: q.saved.is_some(),
    };
    html(&page)
}

#[derive(Default)]
struct PersonForm {
    email: String,
    name: String,
    role: String,
    organisation_id: String,
    phone: String,
    language: String,
    active: bool,
}

impl PersonForm {
    fn of(p: &Person) -> PersonForm {
        PersonForm {
            email: p.email.as_str().to_owned(),
            name: p.name.clone(),
            role: p.role.as_str().to_owned(),
            organisation_id: p.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            language: p.language.as_str().to_owned(),
            active: p.active,
        }
    }

    fn sent(f: &Fields) -> PersonForm {
        PersonForm {
            email: f.text("email"),
            name: f.text("name"),
            role: f.text("role"),
            organisation_id: f.text("organisation_id"),
            phone: f.text("phone"),
            language: f.text("language"),
            active: f.ticked("active"),
        }
    }
}

/// What a form says, in the API's types; the password is never shown again.
struct Parsed {
    email: Option<EmailAddress>,
    role: Option<Role>,
    organisation_id: Option<i64>,
    language: Option<Language>,
}

fn parse(c: &Ctx, form: &PersonForm, errors: &mut Errors) -> Parsed {
    let email = match form.email.parse::<EmailAddress>() {
        Ok(e) => Some(e),
        Err(_) => {
            errors.add("email", c.t.adm_bad_email);
            None
        }
    };
    let role = form.role.parse::<Role>().ok();
    if role.is_none() {
        errors.add("role", c.t.adm_choose);
    }
    let language = form.language.parse::<Language>().ok();
    if language.is_none() {
        errors.add("language", c.t.adm_choose);
    }
    let organisation_id = opt_id(c, errors, "organisation_id", &form.organisation_id);
    Parsed { email, role, organisation_id, language }
}

#[derive(Template)]
#[template(path = "admin/person_form.html")]
struct FormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    editing: bool,
    form: PersonForm,
    roles: Vec<Opt>,
    organisations: Vec<Opt>,
    languages: Vec<Opt>,
    errors: Errors,
}

async fn show(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    title: String,
    form: PersonForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let orgs = state.read(|tx| Ok(store_orgs::list(tx, None)?)).await?;
    let languages = [("pl".to_owned(), c.t.language_pl.to_owned()), ("en".to_owned(), c.t.language_en.to_owned())];
    let page = FormPage {
        c,
        section: "admin",
        tab: "people",
        title,
        action: id.map_or_else(|| format!("{LIST}/new"), |id| format!("{LIST}/{id}")),
        editing: id.is_some(),
        roles: options(role_choices(c), std::slice::from_ref(&form.role)),
        organisations: options_or_none(
            c.t.adm_vendor,
            organisation_choices(&orgs),
            std::slice::from_ref(&form.organisation_id),
        ),
        languages: options(languages, std::slice::from_ref(&form.language)),
        form,
        errors,
    };
    html_status(status, &page)
}

async fn stored(state: &AppState, id: i64) -> Result<Person, ApiError> {
    state.read(move |tx| store_people::get(tx, id).map_err(ApiError::or_not_found("person"))).await
}

fn edit_title(c: &Ctx, name: &str) -> String {
    fill(c.t.adm_person_edit, &[("name", name)])
}

fn password(f: &Fields) -> Option<String> {
    // Passwords are taken as typed: spaces may be part of one.
    Some(f.raw("password").to_owned()).filter(|p| !p.is_empty())
}

pub async fn new_form(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    let form = PersonForm {
        role: Role::CustomerUser.as_str().into(),
        language: "pl".into(),
        active: true,
        ..Default::default()
    };
    show(&state, &c, None, c.t.adm_person_new.to_owned(), form, Errors::default(), StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let actor = c.admin()?.clone();
    let fields = Fields::new(f);
    let form = PersonForm::sent(&fields);
    let mut errors = Errors::default();
    let p = parse(&c, &form, &mut errors);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (true, Some(email), Some(role), Some(language)) = (errors.is_empty(), p.email, p.role, p.language) {
        let req = PersonCreate {
            email,
            name: form.name.clone(),
            role,
            organisation_id: p.organisation_id,
            phone: Some(form.phone.clone()).filter(|p| !p.is_empty()),
            language: Some(language),
            password: password(&fields),
        };
        match api::new_person(&state, &actor, req).await {
            Ok(_) => return Ok(saved(&c, LIST)),
            Err(e) => (status, errors) = form_errors(e, FIELDS)?,
        }
    }
    show(&state, &c, None, c.t.adm_person_new.to_owned(), form, errors, status).await
}

pub async fn edit_form(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let p = stored(&state, id).await?;
    show(&state, &c, Some(id), edit_title(&c, &p.name), PersonForm::of(&p), Errors::default(), StatusCode::OK).await
}

pub async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = c.admin()?.clone();
    let id = path_id(&raw)?;
    let stored = stored(&state, id).await?;
    let fields = Fields::new(f);
    let form = PersonForm::sent(&fields);
    let mut errors = Errors::default();
    let p = parse(&c, &form, &mut errors);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (true, Some(email), Some(role), Some(language)) = (errors.is_empty(), p.email, p.role, p.language) {
        let req = PersonUpdate {
            email: Some(email),
            name: Some(form.name.clone()),
            role: Some(role),
            organisation_id: p.organisation_id.map_or(Patch::Clear, Patch::Set),
            phone: Some(form.phone.clone()).filter(|p| !p.is_empty()).map_or(Patch::Clear, Patch::Set),
            language: Some(language),
            active: Some(form.active),
            password: password(&fields),
        };
        match api::change_person(&state, &actor, id, req).await {
            Ok(_) => return Ok(saved(&c, LIST)),
            Err(e) => (status, errors) = form_errors(e, FIELDS)?,
        }
    }
    show(&state, &c, Some(id), edit_title(&c, &stored.name), form, errors, status).await
}
