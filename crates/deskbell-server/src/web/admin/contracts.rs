//! SLA contracts: the list per organisation and the new and edit forms — validity dates,
//! covered products, calendar, per-priority targets (minutes, with a calendar of the
//! priority's own) and penalty terms, and the monthly fee.
//!
//! Amounts are typed in złoty and percentages with up to two decimals; the page turns them
//! into the API's minor units and basis points, and the API's own function checks the rest.

use askama::Template;
use axum::extract::{Query, State};
use deskbell_domain::sla::BUILTIN_PL_BUSINESS;
use deskbell_domain::ticket::Priority;
use deskbell_store::orgs::{self as store_orgs, Organisation, Product};
use deskbell_store::sla::{self as store_sla, CalendarRecord, Contract};
use serde::Deserialize;

use super::{
    Fields, Frame, Opt, RecordForm, Saving, fixed, hundredths, ids, opt_hundredths, opt_int, options, options_or_none,
    req_id,
};
use crate::error::ApiError;
use crate::sla::admin::{self as api, ContractBody, PenaltyInput, TargetInput};
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

const LIST: &str = "/admin/contracts";

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
pub struct ContractsQuery {
    organisation: Option<String>,
    saved: Option<String>,
}

struct ContractRow {
    id: i64,
    name: String,
    validity: String,
    products: String,
    calendar: String,
    fee: String,
}

struct Group {
    organisation: String,
    contracts: Vec<ContractRow>,
}

#[derive(Template)]
#[template(path = "admin/contracts.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    groups: Vec<Group>,
    organisations: Vec<Opt>,
    saved: bool,
}

fn validity(c: &Ctx, k: &Contract) -> String {
    format!("{} – {}", k.valid_from, k.valid_to.as_deref().unwrap_or(c.t.adm_open_ended))
}

pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<ContractsQuery>) -> PageResult {
    c.admin()?;
    let only = q.organisation.as_deref().and_then(|o| o.parse::<i64>().ok());
    let (contracts, orgs, products, calendars) = state
        .read(move |tx| {
            Ok((
                store_sla::contracts(tx, only)?,
                store_orgs::list(tx, None)?,
                store_orgs::products(tx)?,
                store_sla::calendars(tx)?,
            ))
        })
        .await?;
    let product = |id: &i64| products.iter().find(|p| p.id == *id).map_or_else(|| format!("#{id}"), |p| p.name.clone());
    let calendar = |id: i64| calendars.iter().find(|k| k.id == id).map_or_else(|| format!("#{id}"), |k| k.name.clone());
    // Organisations by name, each with its contracts (by start of validity, as stored).
    let groups = orgs
        .iter()
        .filter_map(|o| {
            let rows: Vec<ContractRow> = contracts
                .iter()
                .filter(|k| k.organisation_id == o.id)
                .map(|k| ContractRow {
                    id: k.id,
                    name: k.name.clone(),
                    validity: validity(&c, k),
                    products: k.product_ids.iter().map(product).collect::<Vec<_>>().join(", "),
                    calendar: calendar(k.calendar_id),
                    fee: fill(c.t.adm_fee, &[("amount", &hundredths(k.monthly_fee_minor))]),
                })
                .collect();
            (!rows.is_empty()).then(|| Group { organisation: o.name.clone(), contracts: rows })
        })
        .collect();
    let chosen = only.map(|o| o.to_string()).unwrap_or_default();
    let organisations =
        options_or_none(c.t.adm_all, orgs.iter().map(|o| (o.id.to_string(), o.name.clone())), &[chosen]);
    html(&ListPage { c: &c, section: "admin", tab: "contracts", groups, organisations, saved: q.saved.is_some() })
}

// ---------------------------------------------------------------- the form

/// One priority's row of the targets table, as typed.
struct TargetForm {
    priority: Priority,
    label: &'static str,
    first: String,
    resolution: String,
    calendar_id: String,
    /// `""` (none), `amount` or `share`.
    penalty: String,
    penalty_value: String,
    /// Field names, `t_critical_first` and so on.
    f_first: String,
    f_resolution: String,
    f_calendar: String,
    f_penalty: String,
    f_penalty_value: String,
    calendars: Vec<Opt>,
    penalties: Vec<Opt>,
}

fn minutes(secs: Option<i64>) -> String {
    secs.map(|s| (s.div_euclid(60) + i64::from(s.rem_euclid(60) != 0)).to_string()).unwrap_or_default()
}

impl TargetForm {
    fn new(c: &Ctx, p: Priority) -> TargetForm {
        let key = p.as_str();
        TargetForm {
            priority: p,
            label: c.t.priority(p),
            first: String::new(),
            resolution: String::new(),
            calendar_id: String::new(),
            penalty: String::new(),
            penalty_value: String::new(),
            f_first: format!("t_{key}_first"),
            f_resolution: format!("t_{key}_resolution"),
            f_calendar: format!("t_{key}_calendar"),
            f_penalty: format!("t_{key}_penalty"),
            f_penalty_value: format!("t_{key}_penalty_value"),
            calendars: Vec::new(),
            penalties: Vec::new(),
        }
    }

    fn of(c: &Ctx, p: Priority, t: Option<&TargetInput>) -> TargetForm {
        let mut row = TargetForm::new(c, p);
        if let Some(t) = t {
            row.first = minutes(t.first_response_secs);
            row.resolution = minutes(t.resolution_secs);
            row.calendar_id = t.calendar_id.map(|c| c.to_string()).unwrap_or_default();
            match t.penalty {
                Some(PenaltyInput { minor_per_hour: Some(m), .. }) => {
                    row.penalty = "amount".into();
                    row.penalty_value = hundredths(m);
                }
                Some(PenaltyInput { basis_points_per_hour: Some(bp), .. }) => {
                    row.penalty = "share".into();
                    row.penalty_value = hundredths(bp);
                }
                _ => {}
            }
        }
        row
    }

    fn sent(c: &Ctx, p: Priority, f: &Fields) -> TargetForm {
        let mut row = TargetForm::new(c, p);
        row.first = f.text(&row.f_first);
        row.resolution = f.text(&row.f_resolution);
        row.calendar_id = f.text(&row.f_calendar);
        row.penalty = f.text(&row.f_penalty);
        row.penalty_value = f.text(&row.f_penalty_value);
        row
    }

    fn is_empty(&self) -> bool {
        self.first.is_empty() && self.resolution.is_empty() && self.calendar_id.is_empty() && self.penalty.is_empty()
    }

    /// The API's target; `None` for a row left empty.
    fn target(&self, c: &Ctx, errors: &mut Errors) -> Option<TargetInput> {
        if self.is_empty() {
            return None;
        }
        let secs =
            |field: &str, v: &str, errors: &mut Errors| opt_int(c, errors, field, v).map(|m| m.saturating_mul(60));
        let penalty = match self.penalty.as_str() {
            "" => None,
            kind => match opt_hundredths(c, errors, &self.f_penalty_value, &self.penalty_value) {
                None => {
                    errors.add(&self.f_penalty_value, c.t.adm_penalty_value_missing);
                    None
                }
                Some(v) if kind == "amount" => {
                    Some(PenaltyInput { minor_per_hour: Some(v), basis_points_per_hour: None })
                }
                Some(v) if kind == "share" => {
                    Some(PenaltyInput { minor_per_hour: None, basis_points_per_hour: Some(v) })
                }
                Some(_) => {
                    errors.add(&self.f_penalty, c.t.adm_bad_choice);
                    None
                }
            },
        };
        Some(TargetInput {
            priority: self.priority,
            first_response_secs: secs(&self.f_first, &self.first, errors),
            resolution_secs: secs(&self.f_resolution, &self.resolution, errors),
            calendar_id: super::opt_id(c, errors, &self.f_calendar, &self.calendar_id),
            penalty,
        })
    }
}

pub(super) struct ContractForm {
    organisation_id: String,
    name: String,
    valid_from: String,
    valid_to: String,
    product_ids: Vec<String>,
    calendar_id: String,
    warning_percent: String,
    monthly_fee: String,
    penalty_basis: String,
    penalty_cap: String,
    targets: Vec<TargetForm>,
}

impl ContractForm {
    /// A new contract's form, its targets filled in with `defaults`.
    fn new(c: &Ctx, defaults: &[TargetInput]) -> ContractForm {
        ContractForm {
            organisation_id: String::new(),
            name: String::new(),
            valid_from: c.now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
            valid_to: String::new(),
            product_ids: Vec::new(),
            calendar_id: String::new(),
            warning_percent: "80".into(),
            monthly_fee: "0".into(),
            penalty_basis: "business".into(),
            penalty_cap: String::new(),
            targets: Priority::ALL
                .iter()
                .map(|p| TargetForm::of(c, *p, defaults.iter().find(|t| t.priority == *p)))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/contract_form.html")]
struct FormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    editing: bool,
    form: ContractForm,
    organisations: Vec<Opt>,
    products: Vec<Opt>,
    calendars: Vec<Opt>,
    bases: Vec<Opt>,
    errors: Errors,
}

struct Choices {
    orgs: Vec<Organisation>,
    products: Vec<Product>,
    calendars: Vec<CalendarRecord>,
}

async fn choices(state: &AppState) -> Result<Choices, ApiError> {
    state
        .read(|tx| {
            Ok(Choices {
                orgs: store_orgs::list(tx, None)?,
                products: store_orgs::products(tx)?,
                calendars: store_sla::calendars(tx)?,
            })
        })
        .await
}

impl RecordForm for ContractForm {
    type Stored = Contract;
    type Input = ContractBody;
    const LIST: &'static str = LIST;
    const FIELDS: &'static [&'static str] = &[
        "organisation_id",
        "name",
        "valid_from",
        "valid_to",
        "product_ids",
        "calendar_id",
        "warning_percent",
        "monthly_fee",
        "penalty_basis",
        "penalty_cap",
        "targets",
    ];
    const RENAMES: &'static [(&'static str, &'static str)] =
        &[("monthly_fee_minor", "monthly_fee"), ("penalty_cap_minor", "penalty_cap")];

    async fn load(state: &AppState, id: i64) -> Result<Contract, ApiError> {
        super::find(state, id, "contract", store_sla::contract).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_contract_new.to_owned()
    }

    fn edit_title(c: &Ctx, k: &Contract) -> String {
        fill(c.t.adm_contract_edit, &[("name", &k.name)])
    }

    /// A new contract starts with DESIGN §2's targets, which the admin then edits.
    async fn blank(state: &AppState, c: &Ctx) -> Result<ContractForm, ApiError> {
        let std = state.read(|tx| Ok(store_sla::calendar_by_name(tx, BUILTIN_PL_BUSINESS)?.id)).await?;
        let defaults: Vec<TargetInput> = crate::sla::default_targets(std).into_iter().map(TargetInput::from).collect();
        Ok(ContractForm::new(c, &defaults))
    }

    fn of(c: &Ctx, k: Contract) -> ContractForm {
        let view = api::ContractView::from(k);
        ContractForm {
            organisation_id: view.organisation_id.to_string(),
            name: view.name,
            valid_from: view.valid_from,
            valid_to: view.valid_to.unwrap_or_default(),
            product_ids: super::strings(&view.product_ids),
            calendar_id: view.calendar_id.to_string(),
            warning_percent: view.warning_percent.to_string(),
            monthly_fee: hundredths(view.monthly_fee_minor),
            penalty_basis: view.penalty_basis,
            penalty_cap: view.penalty_cap_minor.map(hundredths).unwrap_or_default(),
            targets: Priority::ALL
                .iter()
                .map(|p| TargetForm::of(c, *p, view.targets.iter().find(|t| t.priority == *p)))
                .collect(),
        }
    }

    fn sent(c: &Ctx, f: &Fields, _: Option<&Contract>) -> ContractForm {
        ContractForm {
            organisation_id: f.text("organisation_id"),
            name: f.text("name"),
            valid_from: f.text("valid_from"),
            valid_to: f.text("valid_to"),
            product_ids: f.all("product_ids"),
            calendar_id: f.text("calendar_id"),
            warning_percent: f.text("warning_percent"),
            monthly_fee: f.text("monthly_fee"),
            penalty_basis: f.text("penalty_basis"),
            penalty_cap: f.text("penalty_cap"),
            targets: Priority::ALL.iter().map(|p| TargetForm::sent(c, *p, f)).collect(),
        }
    }

    /// The API's body; what cannot be read is an error on its field.
    fn input(&self, c: &Ctx, _: &Fields, errors: &mut Errors) -> Option<ContractBody> {
        let warning_percent = opt_int(c, errors, "warning_percent", &self.warning_percent)
            // Out of range for a percentage: the API says what the range is.
            .map(|p| u8::try_from(p).unwrap_or(0));
        Some(ContractBody {
            organisation_id: req_id(c, errors, "organisation_id", &self.organisation_id),
            name: self.name.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: Some(self.valid_to.clone()).filter(|v| !v.is_empty()),
            product_ids: ids(c, errors, "product_ids", &self.product_ids),
            calendar_id: req_id(c, errors, "calendar_id", &self.calendar_id),
            warning_percent,
            monthly_fee_minor: opt_hundredths(c, errors, "monthly_fee", &self.monthly_fee).unwrap_or(0),
            penalty_basis: Some(self.penalty_basis.clone()).filter(|b| !b.is_empty()),
            penalty_cap_minor: opt_hundredths(c, errors, "penalty_cap", &self.penalty_cap),
            targets: Some(self.targets.iter().filter_map(|t| t.target(c, errors)).collect()),
        })
    }

    /// Back to the list of the contract's organisation.
    async fn write(&self, saving: Saving<'_>, body: ContractBody) -> Result<String, ApiError> {
        let k = saving.new_or_change(body, api::new_contract, api::change_contract).await?;
        Ok(format!("{LIST}?organisation={}&saved=1", k.organisation_id))
    }

    async fn show(mut self, state: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let ch = choices(state).await?;
        let calendar_items = || ch.calendars.iter().map(|k| (k.id.to_string(), k.name.clone()));
        for t in &mut self.targets {
            t.calendars =
                options_or_none(c.t.adm_contract_calendar, calendar_items(), std::slice::from_ref(&t.calendar_id));
            t.penalties = options_or_none(
                c.t.none,
                fixed(&[("amount", c.t.adm_penalty_amount), ("share", c.t.adm_penalty_share)]),
                std::slice::from_ref(&t.penalty),
            );
        }
        let page = FormPage {
            c,
            section: "admin",
            tab: "contracts",
            title: frame.title,
            action: frame.action,
            editing: frame.id.is_some(),
            organisations: options_or_none(
                c.t.adm_select,
                ch.orgs.iter().map(|o| (o.id.to_string(), o.name.clone())),
                std::slice::from_ref(&self.organisation_id),
            ),
            products: options(ch.products.iter().map(|p| (p.id.to_string(), p.name.clone())), &self.product_ids),
            calendars: options_or_none(c.t.adm_select, calendar_items(), std::slice::from_ref(&self.calendar_id)),
            bases: options(
                fixed(&[("business", c.t.adm_basis_business), ("clock", c.t.adm_basis_clock)]),
                std::slice::from_ref(&self.penalty_basis),
            ),
            form: self,
            errors: frame.errors,
        };
        html_status(frame.status, &page)
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    organisation: Option<String>,
}

/// The new form; a link from an organisation's page names it (`?organisation=ID`).
pub async fn new_form(State(state): State<AppState>, c: Ctx, Query(q): Query<NewQuery>) -> PageResult {
    c.admin()?;
    let mut form = ContractForm::blank(&state, &c).await?;
    form.organisation_id = q.organisation.unwrap_or_default();
    super::show_new(&state, &c, form).await
}
