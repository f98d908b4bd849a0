//! Teams (name and members), products (code, name, default team) and installations (a
//! product at an organisation): lists and forms.

use askama::Template;
use axum::extract::{Query, State};
use deskbell_store::orgs::{self as store_orgs, Installation, Product, Team};
use deskbell_store::people as store_people;

use super::{Fields, Frame, ListQuery, Opt, RecordForm, Saving, ids, options, options_or_none, req_id, saved, staff};
use crate::admin::api::{self, InstallationInput, ProductInput, TeamInput};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

// ---------------------------------------------------------------- teams

const TEAMS: &str = "/admin/teams";

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
pub(super) struct TeamForm {
    name: String,
    members: Vec<String>,
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

impl RecordForm for TeamForm {
    type Stored = Team;
    type Input = TeamInput;
    const LIST: &'static str = TEAMS;
    const FIELDS: &'static [&'static str] = &["name", "members"];

    async fn load(state: &AppState, id: i64) -> Result<Team, ApiError> {
        super::find(state, id, "team", store_orgs::team).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_team_new.to_owned()
    }

    fn edit_title(c: &Ctx, t: &Team) -> String {
        fill(c.t.adm_team_edit, &[("name", &t.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<TeamForm, ApiError> {
        Ok(TeamForm::default())
    }

    fn of(_: &Ctx, t: Team) -> TeamForm {
        TeamForm { name: t.name, members: super::strings(&t.members) }
    }

    fn sent(_: &Ctx, f: &Fields, _: Option<&Team>) -> TeamForm {
        TeamForm { name: f.text("name"), members: f.all("members") }
    }

    fn input(&self, c: &Ctx, _: &Fields, errors: &mut Errors) -> Option<TeamInput> {
        Some(TeamInput { name: self.name.clone(), members: ids(c, errors, "members", &self.members) })
    }

    async fn write(&self, saving: Saving<'_>, req: TeamInput) -> Result<String, ApiError> {
        saving.new_or_change(req, api::new_team, api::change_team).await?;
        Ok(saved(TEAMS))
    }

    async fn show(self, state: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let people = state.read(|tx| Ok(store_people::list(tx, None)?)).await?;
        let members = options(staff(&people), &self.members);
        let Frame { title, action, errors, status, .. } = frame;
        let page = TeamFormPage { c, section: "admin", tab: "teams", title, action, form: self, members, errors };
        html_status(status, &page)
    }
}

// ---------------------------------------------------------------- products

const PRODUCTS: &str = "/admin/products";

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
pub(super) struct ProductForm {
    code: String,
    name: String,
    team_id: String,
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

impl RecordForm for ProductForm {
    type Stored = Product;
    type Input = ProductInput;
    const LIST: &'static str = PRODUCTS;
    const FIELDS: &'static [&'static str] = &["code", "name", "team_id"];

    async fn load(state: &AppState, id: i64) -> Result<Product, ApiError> {
        super::find(state, id, "product", store_orgs::product).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_product_new.to_owned()
    }

    fn edit_title(c: &Ctx, p: &Product) -> String {
        fill(c.t.adm_product_edit, &[("name", &p.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<ProductForm, ApiError> {
        Ok(ProductForm::default())
    }

    fn of(_: &Ctx, p: Product) -> ProductForm {
        ProductForm { code: p.code, name: p.name, team_id: p.team_id.map(|t| t.to_string()).unwrap_or_default() }
    }

    fn sent(_: &Ctx, f: &Fields, _: Option<&Product>) -> ProductForm {
        ProductForm { code: f.text("code"), name: f.text("name"), team_id: f.text("team_id") }
    }

    fn input(&self, c: &Ctx, _: &Fields, errors: &mut Errors) -> Option<ProductInput> {
        let team_id = super::opt_id(c, errors, "team_id", &self.team_id);
        Some(ProductInput { code: self.code.clone(), name: self.name.clone(), team_id })
    }

    async fn write(&self, saving: Saving<'_>, req: ProductInput) -> Result<String, ApiError> {
        saving.new_or_change(req, api::new_product, api::change_product).await?;
        Ok(saved(PRODUCTS))
    }

    async fn show(self, state: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let teams = state.read(|tx| Ok(store_orgs::teams(tx)?)).await?;
        let teams = options_or_none(
            c.t.none,
            teams.iter().map(|t| (t.id.to_string(), t.name.clone())),
            std::slice::from_ref(&self.team_id),
        );
        let Frame { title, action, errors, status, .. } = frame;
        let page = ProductFormPage { c, section: "admin", tab: "products", title, action, form: self, teams, errors };
        html_status(status, &page)
    }
}

// ---------------------------------------------------------------- installations

const INSTALLATIONS: &str = "/admin/installations";

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
pub(super) struct InstallationForm {
    organisation_id: String,
    product_id: String,
    name: String,
    version: String,
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

impl RecordForm for InstallationForm {
    type Stored = Installation;
    type Input = InstallationInput;
    const LIST: &'static str = INSTALLATIONS;
    const FIELDS: &'static [&'static str] = &["organisation_id", "product_id", "name", "version"];

    async fn load(state: &AppState, id: i64) -> Result<Installation, ApiError> {
        super::find(state, id, "installation", store_orgs::installation).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_installation_new.to_owned()
    }

    fn edit_title(c: &Ctx, i: &Installation) -> String {
        fill(c.t.adm_installation_edit, &[("name", &i.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<InstallationForm, ApiError> {
        Ok(InstallationForm::default())
    }

    fn of(_: &Ctx, i: Installation) -> InstallationForm {
        InstallationForm {
            organisation_id: i.organisation_id.to_string(),
            product_id: i.product_id.to_string(),
            name: i.name,
            version: i.version.unwrap_or_default(),
        }
    }

    fn sent(_: &Ctx, f: &Fields, _: Option<&Installation>) -> InstallationForm {
        InstallationForm {
            organisation_id: f.text("organisation_id"),
            product_id: f.text("product_id"),
            name: f.text("name"),
            version: f.text("version"),
        }
    }

    fn input(&self, c: &Ctx, _: &Fields, errors: &mut Errors) -> Option<InstallationInput> {
        Some(InstallationInput {
            organisation_id: req_id(c, errors, "organisation_id", &self.organisation_id),
            product_id: req_id(c, errors, "product_id", &self.product_id),
            name: self.name.clone(),
            version: Some(self.version.clone()).filter(|v| !v.is_empty()),
        })
    }

    async fn write(&self, saving: Saving<'_>, req: InstallationInput) -> Result<String, ApiError> {
        saving.new_or_change(req, api::new_installation, api::change_installation).await?;
        Ok(saved(INSTALLATIONS))
    }

    async fn show(self, state: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let (orgs, products) = state.read(|tx| Ok((store_orgs::list(tx, None)?, store_orgs::products(tx)?))).await?;
        let organisations = options_or_none(
            c.t.adm_select,
            orgs.iter().map(|o| (o.id.to_string(), o.name.clone())),
            std::slice::from_ref(&self.organisation_id),
        );
        let products = options_or_none(
            c.t.adm_select,
            products.iter().map(|p| (p.id.to_string(), p.name.clone())),
            std::slice::from_ref(&self.product_id),
        );
        let Frame { title, action, errors, status, .. } = frame;
        let page = InstallationFormPage {
            c,
            section: "admin",
            tab: "installations",
            title,
            action,
            form: self,
            organisations,
            products,
            errors,
        };
        html_status(status, &page)
    }
}
