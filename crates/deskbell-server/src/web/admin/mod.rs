//! The admin pages: organisations, people, teams, products, installations, calendars,
//! contracts and mailboxes. Every page and action requires an administrator.
//!
//! The pages validate nothing of their own: a form is mapped to the JSON API's input
//! (`OrganisationCreate`, `ContractBody`, …) and handed to the same function the API's
//! handler calls, so a record is checked the same way whichever door it comes through. The
//! pages only turn text into the API's shapes (one phone per line, minutes into seconds) and
//! show the answer next to its field.

mod calendars;
mod contracts;
mod mailboxes;
mod orgs;
mod people;
mod setup;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use deskbell_store::{mail, orgs as store_orgs, people as store_people, sla};
use serde::Deserialize;

use super::ctx::{Ctx, PageError, PageResult, html, see_other};
use super::forms::Errors;
use crate::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/organisations", get(orgs::list))
        .route("/admin/organisations/new", get(orgs::new_form).post(orgs::create))
        .route("/admin/organisations/{id}", get(orgs::edit_form).post(orgs::update))
        .route("/admin/people", get(people::list))
        .route("/admin/people/new", get(people::new_form).post(people::create))
        .route("/admin/people/{id}", get(people::edit_form).post(people::update))
        .route("/admin/teams", get(setup::teams))
        .route("/admin/teams/new", get(setup::new_team_form).post(setup::create_team))
        .route("/admin/teams/{id}", get(setup::edit_team_form).post(setup::update_team))
        .route("/admin/products", get(setup::products))
        .route("/admin/products/new", get(setup::new_product_form).post(setup::create_product))
        .route("/admin/products/{id}", get(setup::edit_product_form).post(setup::update_product))
        .route("/admin/installations", get(setup::installations))
        .route("/admin/installations/new", get(setup::new_installation_form).post(setup::create_installation))
        .route("/admin/installations/{id}", get(setup::edit_installation_form).post(setup::update_installation))
        .route("/admin/calendars", get(calendars::list))
        .route("/admin/calendars/new", get(calendars::new_form).post(calendars::create))
        .route("/admin/calendars/{id}", get(calendars::show))
        .route("/admin/calendars/{id}/versions", post(calendars::add_version))
        .route("/admin/contracts", get(contracts::list))
        .route("/admin/contracts/new", get(contracts::new_form).post(contracts::create))
        .route("/admin/contracts/{id}", get(contracts::edit_form).post(contracts::update))
        .route("/admin/mailboxes", get(mailboxes::list))
        .route("/admin/mailboxes/new", get(mailboxes::new_form).post(mailboxes::create))
        .route("/admin/mailboxes/{id}", get(mailboxes::edit_form).post(mailboxes::update))
        .route("/admin/quarantine", get(mailboxes::quarantine))
        .route("/admin/quarantine/{id}/retry", post(mailboxes::retry))
        .route("/admin/quarantine/{id}/dismiss", post(mailboxes::dismiss))
}

// ---------------------------------------------------------------- shared by the admin pages

/// The fields of a submitted form, in order; a name may repeat (checkboxes).
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new(fields: Vec<(String, String)>) -> Fields {
        Fields(fields)
    }

    /// The first value of `name` as sent; empty when absent.
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed.
    pub fn text(&self, name: &str) -> String {
        self.raw(name).trim().to_owned()
    }

    /// A checkbox: sent at all means ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }

    /// Every value of a repeated field (checkboxes), trimmed, empty ones left out.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_owned()).collect()
    }
}

/// The lines of a textarea that hold something, trimmed.
pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// An optional id typed in a field (a `<select>`): empty is `None`.
pub(super) fn opt_id(c: &Ctx, errors: &mut Errors, field: &str, value: &str) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.add(field, c.t.adm_bad_choice);
            None
        }
    }
}

/// A required id (a `<select>` without an empty choice).
pub(super) fn req_id(c: &Ctx, errors: &mut Errors, field: &str, value: &str) -> i64 {
    match opt_id(c, errors, field, value) {
        Some(id) => id,
        None => {
            errors.add(field, c.t.adm_choose);
            0
        }
    }
}

/// The ids of ticked checkboxes.
pub(super) fn ids(c: &Ctx, errors: &mut Errors, field: &str, values: &[String]) -> Vec<i64> {
    values.iter().filter_map(|v| opt_id(c, errors, field, v)).collect()
}

/// A whole number typed in a field; empty is `None`.
pub(super) fn opt_int(c: &Ctx, errors: &mut Errors, field: &str, value: &str) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, c.t.adm_bad_number);
            None
        }
    }
}

/// An amount with up to two decimals (`4000`, `4000,50`, `1 200.5`) in hundredths; empty is
/// `None`.
pub(super) fn opt_hundredths(c: &Ctx, errors: &mut Errors, field: &str, value: &str) -> Option<i64> {
    let v: String = value.trim().chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    if v.is_empty() {
        return None;
    }
    let parsed = (|| {
        let (negative, v) = match v.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, v.as_str()),
        };
        let (whole, frac) = v.split_once([',', '.']).unwrap_or((v, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
        let n = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?;
        Some(if negative { -n } else { n })
    })();
    if parsed.is_none() {
        errors.add(field, c.t.adm_bad_amount);
    }
    parsed
}

/// Hundredths as an amount to type again: `4000.50`, `4000` when whole.
pub(super) fn hundredths(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    if n.is_multiple_of(100) { format!("{sign}{}", n / 100) } else { format!("{sign}{}.{:02}", n / 100, n % 100) }
}

/// A page's path id; anything but a positive number is a page that does not exist.
pub(super) fn path_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| PageError(ApiError::not_found("page")))
}

/// What a service said about a form: an error about the input (422, or a 409 the admin can
/// resolve in the form) is shown next to its field with the status it had; anything else
/// (403, 404, 500, …) is the page's error.
pub(super) fn form_errors(e: ApiError, fields: &[&str]) -> Result<(StatusCode, Errors), PageError> {
    form_errors_as(e, fields, &[])
}

/// [`form_errors`] for a form whose fields are named differently from the API's: `renames`
/// maps an API field to the form's.
pub(super) fn form_errors_as(
    e: ApiError,
    fields: &[&str],
    renames: &[(&str, &str)],
) -> Result<(StatusCode, Errors), PageError> {
    if e.status != StatusCode::UNPROCESSABLE_ENTITY && e.status != StatusCode::CONFLICT {
        return Err(e.into());
    }
    // The API names nested fields `imap.host`; a form calls them `imap_host`.
    let mut e = e;
    e.field = e.field.map(|f| {
        let f = f.replace('.', "_");
        renames.iter().find(|(api, _)| *api == f).map_or(f, |(_, form)| (*form).to_owned())
    });
    Ok((e.status, Errors::from_api(&e, fields)))
}

/// One choice of a `<select>` or of a group of checkboxes.
pub(super) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The choices `items` (value, label), those in `chosen` selected. A chosen value that is
/// not among the items (a record removed meanwhile, or a hand-made request) is kept as a
/// choice of its own, so the form shows what was sent.
pub(super) fn options(items: impl IntoIterator<Item = (String, String)>, chosen: &[String]) -> Vec<Opt> {
    let mut out: Vec<Opt> = items
        .into_iter()
        .map(|(value, label)| {
            let selected = chosen.contains(&value);
            Opt { value, label, selected }
        })
        .collect();
    for v in chosen {
        if !v.is_empty() && !out.iter().any(|o| &o.value == v) {
            out.push(Opt { value: v.clone(), label: format!("#{v}"), selected: true });
        }
    }
    out
}

/// Like [`options`] with an empty first choice labelled `none`.
pub(super) fn options_or_none(
    none: &str,
    items: impl IntoIterator<Item = (String, String)>,
    chosen: &[String],
) -> Vec<Opt> {
    let empty = chosen.iter().all(String::is_empty);
    let mut out = vec![Opt { value: String::new(), label: none.to_owned(), selected: empty }];
    out.extend(options(items, chosen));
    out
}

/// The vendor's staff (the people an account team or a team is made of), as choices.
pub(super) fn staff(list: &[store_people::Person]) -> Vec<(String, String)> {
    list.iter()
        .filter(|p| p.role.is_vendor())
        .map(|p| (p.id.to_string(), format!("{} <{}>", p.name, p.email.as_str())))
        .collect()
}

pub(super) fn strings(ids: &[i64]) -> Vec<String> {
    ids.iter().map(i64::to_string).collect()
}

/// The query of a list page: `saved` after a form was saved.
#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    pub saved: Option<String>,
}

/// Where a saved form goes back to: its list, saying so.
pub(super) fn saved(c: &Ctx, list: &str) -> Response {
    see_other(c, &format!("{list}?saved=1"))
}

// ---------------------------------------------------------------- the overview

struct Section {
    href: &'static str,
    label: &'static str,
    count: usize,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct Overview<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    sections: Vec<Section>,
    quarantined: usize,
}

async fn overview(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    let counts = state
        .read(|tx| {
            Ok([
                store_orgs::list(tx, None)?.len(),
                store_people::list(tx, None)?.len(),
                store_orgs::teams(tx)?.len(),
                store_orgs::products(tx)?.len(),
                store_orgs::installations(tx, None)?.len(),
                sla::calendars(tx)?.len(),
                sla::contracts(tx, None)?.len(),
                mail::mailboxes(tx)?.len(),
                mail::quarantined(tx, false)?.len(),
            ])
        })
        .await?;
    let t = c.t;
    let [orgs, people, teams, products, installations, calendars, contracts, mailboxes, quarantined] = counts;
    let sections = vec![
        Section { href: "/admin/organisations", label: t.adm_organisations, count: orgs },
        Section { href: "/admin/people", label: t.adm_people, count: people },
        Section { href: "/admin/teams", label: t.adm_teams, count: teams },
        Section { href: "/admin/products", label: t.adm_products, count: products },
        Section { href: "/admin/installations", label: t.adm_installations, count: installations },
        Section { href: "/admin/calendars", label: t.adm_calendars, count: calendars },
        Section { href: "/admin/contracts", label: t.adm_contracts, count: contracts },
        Section { href: "/admin/mailboxes", label: t.adm_mailboxes, count: mailboxes },
    ];
    html(&Overview { c: &c, section: "admin", tab: "overview", sections, quarantined })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_in_hundredths_and_written_back_the_same() {
        let c = test_ctx();
        let mut e = Errors::default();
        assert_eq!(opt_hundredths(&c, &mut e, "x", "4000"), Some(400000));
        assert_eq!(opt_hundredths(&c, &mut e, "x", "4 000,5"), Some(400050));
        assert_eq!(opt_hundredths(&c, &mut e, "x", "0.07"), Some(7));
        assert_eq!(opt_hundredths(&c, &mut e, "x", ""), None);
        assert!(e.is_empty());
        assert_eq!(opt_hundredths(&c, &mut e, "x", "12.345"), None);
        assert!(e.has("x"));
        assert_eq!(hundredths(400000), "4000");
        assert_eq!(hundredths(400050), "4000.50");
        assert_eq!(hundredths(7), "0.07");
    }

    #[test]
    fn a_chosen_value_that_is_not_a_choice_is_kept() {
        let o = options([("1".to_owned(), "A".to_owned())], &["999".to_owned()]);
        assert_eq!(o.len(), 2);
        assert!(!o[0].selected && o[1].selected && o[1].value == "999");
    }

    fn test_ctx() -> Ctx {
        Ctx {
            actor: None,
            lang: deskbell_domain::person::Language::En,
            t: &super::super::i18n::EN,
            csrf: String::new(),
            here: "/".into(),
            htmx: false,
            now: jiff::Timestamp::UNIX_EPOCH,
            asset_v: "",
        }
    }
}
