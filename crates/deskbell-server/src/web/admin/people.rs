//! People: the list filtered by organisation and role, and the new and edit forms (role,
//! organisation, language, phone, active, and a new password set by the admin).

use askama::Template;
use axum::extract::{Query, State};
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_store::orgs::{self as store_orgs, Organisation};
use deskbell_store::people::{self as store_people, Person};
use serde::Deserialize;

use super::{Fields, Frame, Opt, RecordForm, Saving, fixed, opt_id, options, options_or_none, saved};
use crate::admin::api::{self, PersonCreate, PersonUpdate};
use crate::error::ApiError;
use crate::patch::Patch;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

const LIST: &str = "/admin/people";

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
pub(super) struct PersonForm {
    email: String,
    name: String,
    role: String,
    organisation_id: String,
    phone: String,
    language: String,
    active: bool,
}

/// What a form says, in the API's types; the password is never shown again.
pub(super) struct Checked {
    email: EmailAddress,
    role: Role,
    organisation_id: Option<i64>,
    language: Language,
    password: Option<String>,
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

impl RecordForm for PersonForm {
    type Stored = Person;
    type Input = Checked;
    const LIST: &'static str = LIST;
    const FIELDS: &'static [&'static str] =
        &["email", "name", "role", "organisation_id", "phone", "language", "active", "password"];

    async fn load(state: &AppState, id: i64) -> Result<Person, ApiError> {
        super::find(state, id, "person", store_people::get).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_person_new.to_owned()
    }

    fn edit_title(c: &Ctx, p: &Person) -> String {
        fill(c.t.adm_person_edit, &[("name", &p.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<PersonForm, ApiError> {
        Ok(PersonForm {
            role: Role::CustomerUser.as_str().into(),
            language: "pl".into(),
            active: true,
            ..Default::default()
        })
    }

    fn of(_: &Ctx, p: Person) -> PersonForm {
        PersonForm {
            email: p.email.as_str().to_owned(),
            name: p.name,
            role: p.role.as_str().to_owned(),
            organisation_id: p.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            phone: p.phone.unwrap_or_default(),
            language: p.language.as_str().to_owned(),
            active: p.active,
        }
    }

    fn sent(_: &Ctx, f: &Fields, _: Option<&Person>) -> PersonForm {
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

    fn input(&self, c: &Ctx, f: &Fields, errors: &mut Errors) -> Option<Checked> {
        let email = match self.email.parse::<EmailAddress>() {
            Ok(e) => Some(e),
            Err(_) => {
                errors.add("email", c.t.adm_bad_email);
                None
            }
        };
        let role = self.role.parse::<Role>().ok();
        if role.is_none() {
            errors.add("role", c.t.adm_choose);
        }
        let language = self.language.parse::<Language>().ok();
        if language.is_none() {
            errors.add("language", c.t.adm_choose);
        }
        let organisation_id = opt_id(c, errors, "organisation_id", &self.organisation_id);
        // Passwords are taken as typed: spaces may be part of one.
        let password = Some(f.raw("password").to_owned()).filter(|p| !p.is_empty());
        Some(Checked { email: email?, role: role?, organisation_id, language: language?, password })
    }

    async fn write(&self, saving: Saving<'_>, p: Checked) -> Result<String, ApiError> {
        let Saving { state, actor, id, .. } = saving;
        let phone = Some(self.phone.clone()).filter(|p| !p.is_empty());
        match id {
            None => {
                let req = PersonCreate {
                    email: p.email,
                    name: self.name.clone(),
                    role: p.role,
                    organisation_id: p.organisation_id,
                    phone,
                    language: Some(p.language),
                    password: p.password,
                };
                api::new_person(state, &actor, req).await?;
            }
            Some(id) => {
                let req = PersonUpdate {
                    email: Some(p.email),
                    name: Some(self.name.clone()),
                    role: Some(p.role),
                    organisation_id: p.organisation_id.map_or(Patch::Clear, Patch::Set),
                    phone: phone.map_or(Patch::Clear, Patch::Set),
                    language: Some(p.language),
                    active: Some(self.active),
                    password: p.password,
                };
                api::change_person(state, &actor, id, req).await?;
            }
        }
        Ok(saved(LIST))
    }

    async fn show(self, state: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let orgs = state.read(|tx| Ok(store_orgs::list(tx, None)?)).await?;
        let languages = fixed(&[("pl", c.t.language_pl), ("en", c.t.language_en)]);
        let page = FormPage {
            c,
            section: "admin",
            tab: "people",
            title: frame.title,
            action: frame.action,
            editing: frame.id.is_some(),
            roles: options(role_choices(c), std::slice::from_ref(&self.role)),
            organisations: options_or_none(
                c.t.adm_vendor,
                organisation_choices(&orgs),
                std::slice::from_ref(&self.organisation_id),
            ),
            languages: options(languages, std::slice::from_ref(&self.language)),
            form: self,
            errors: frame.errors,
        };
        html_status(frame.status, &page)
    }
}
