//! Organisations: the list as a hierarchy (a chain with its properties under it), and the
//! new and edit forms with parent, phones, mail domains and account team.

use askama::Template;
use axum::extract::{Query, State};
use deskbell_store::orgs::{self as store_orgs, Organisation};
use deskbell_store::people as store_people;

use super::{
    Fields, Frame, ListQuery, Opt, RecordForm, Saving, ids, lines, opt_id, options, options_or_none, saved, staff,
};
use crate::admin::api::{self, OrganisationCreate, OrganisationUpdate};
use crate::error::ApiError;
use crate::patch::Patch;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

const LIST: &str = "/admin/organisations";

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
pub(super) struct OrgForm {
    name: String,
    parent_id: String,
    time_zone: String,
    notes: String,
    active: bool,
    phones: String,
    mail_domains: String,
    account_team: Vec<String>,
}

/// The ids the page reads from the form; the rest goes to the API as typed.
pub(super) struct OrgIds {
    parent_id: Option<i64>,
    account_team: Vec<i64>,
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

impl RecordForm for OrgForm {
    type Stored = Organisation;
    type Input = OrgIds;
    const LIST: &'static str = LIST;
    const FIELDS: &'static [&'static str] =
        &["name", "parent_id", "time_zone", "notes", "active", "phones", "mail_domains", "account_team"];

    async fn load(state: &AppState, id: i64) -> Result<Organisation, ApiError> {
        super::find(state, id, "organisation", store_orgs::get).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_org_new.to_owned()
    }

    fn edit_title(c: &Ctx, o: &Organisation) -> String {
        fill(c.t.adm_org_edit, &[("name", &o.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<OrgForm, ApiError> {
        Ok(OrgForm { time_zone: "Europe/Warsaw".into(), active: true, ..OrgForm::default() })
    }

    fn of(_: &Ctx, o: Organisation) -> OrgForm {
        OrgForm {
            name: o.name,
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            time_zone: o.time_zone,
            notes: o.notes,
            active: o.active,
            phones: o.phones.join("\n"),
            mail_domains: o.mail_domains.join("\n"),
            account_team: super::strings(&o.account_team),
        }
    }

    fn sent(_: &Ctx, f: &Fields, _: Option<&Organisation>) -> OrgForm {
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

    fn input(&self, c: &Ctx, _: &Fields, errors: &mut Errors) -> Option<OrgIds> {
        Some(OrgIds {
            parent_id: opt_id(c, errors, "parent_id", &self.parent_id),
            account_team: ids(c, errors, "account_team", &self.account_team),
        })
    }

    async fn write(&self, saving: Saving<'_>, ids: OrgIds) -> Result<String, ApiError> {
        let Saving { state, c, actor, id } = saving;
        let now = c.now;
        match id {
            // The new form has no `active` box (a new organisation is active), and an empty time
            // zone is the API's default.
            None => {
                let req = OrganisationCreate {
                    name: self.name.clone(),
                    parent_id: ids.parent_id,
                    time_zone: Some(self.time_zone.clone()).filter(|t| !t.is_empty()),
                    notes: self.notes.trim().to_owned(),
                    phones: lines(&self.phones),
                    mail_domains: lines(&self.mail_domains),
                    account_team: ids.account_team,
                };
                state.write(move |tx| api::new_organisation(tx, &actor, req, now)).await?;
            }
            // A change sends every field: one left empty is cleared.
            Some(id) => {
                let req = OrganisationUpdate {
                    name: Some(self.name.clone()),
                    parent_id: ids.parent_id.map_or(Patch::Clear, Patch::Set),
                    time_zone: Some(self.time_zone.clone()),
                    notes: Some(self.notes.trim().to_owned()),
                    active: Some(self.active),
                    phones: Some(lines(&self.phones)),
                    mail_domains: Some(lines(&self.mail_domains)),
                    account_team: Some(ids.account_team),
                };
                state.write(move |tx| api::change_organisation(tx, &actor, id, req, now)).await?;
            }
        }
        Ok(saved(LIST))
    }

    async fn show(self, state: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let Frame { id, title, action, errors, status } = frame;
        let (all, people) = state.read(|tx| Ok((store_orgs::list(tx, None)?, store_people::list(tx, None)?))).await?;
        // Only one level: a parent is a chain or an independent customer, never itself a property.
        let chains = all
            .iter()
            .filter(|o| o.parent_id.is_none() && Some(o.id) != id)
            .map(|o| (o.id.to_string(), o.name.clone()));
        let parents = options_or_none(c.t.none, chains, std::slice::from_ref(&self.parent_id));
        let team = options(staff(&people), &self.account_team);
        let page = FormPage {
            c,
            section: "admin",
            tab: "organisations",
            title,
            action,
            id,
            form: self,
            parents,
            team,
            errors,
        };
        html_status(status, &page)
    }
}
