//! The admin pages: organisations, people, teams, products, installations, calendars,
//! contracts and mailboxes. Every page and action requires an administrator.
//!
//! The pages validate nothing of their own: a form is mapped to the JSON API's input
//! (`OrganisationCreate`, `ContractBody`, …) and handed to the same function the API's
//! handler calls, so a record is checked the same way whichever door it comes through. The
//! pages only turn text into the API's shapes (one phone per line, minutes into seconds) and
//! show the answer next to its field.

mod automation;
mod calendars;
mod contracts;
mod mailboxes;
mod orgs;
mod people;
mod setup;

use askama::Template;
use axum::extract::{Path, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use deskbell_store::{StoreError, Tx, mail, orgs as store_orgs, people as store_people, sla};
use jiff::Timestamp;
use serde::Deserialize;

use super::ctx::{Ctx, PageError, PageResult, html, see_other};
use super::forms::Errors;
use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/organisations", get(orgs::list))
        .merge(record_forms::<orgs::OrgForm>())
        .route("/admin/people", get(people::list))
        .merge(record_forms::<people::PersonForm>())
        .route("/admin/teams", get(setup::teams))
        .merge(record_forms::<setup::TeamForm>())
        .route("/admin/products", get(setup::products))
        .merge(record_forms::<setup::ProductForm>())
        .route("/admin/installations", get(setup::installations))
        .merge(record_forms::<setup::InstallationForm>())
        .route("/admin/calendars", get(calendars::list))
        .route("/admin/calendars/new", get(calendars::new_form).post(calendars::create))
        .route("/admin/calendars/{id}", get(calendars::show))
        .route("/admin/calendars/{id}/versions", post(calendars::add_version))
        .route("/admin/contracts", get(contracts::list))
        // A link may name the new contract's organisation: its new form has a handler of its own.
        .merge(record_forms_with::<contracts::ContractForm, _>(contracts::new_form))
        .route("/admin/mailboxes", get(mailboxes::list))
        .merge(record_forms::<mailboxes::MailboxForm>())
        .route("/admin/quarantine", get(mailboxes::quarantine))
        .route("/admin/quarantine/{id}/retry", post(mailboxes::retry))
        .route("/admin/quarantine/{id}/dismiss", post(mailboxes::dismiss))
        .route("/admin/rules", get(automation::rules))
        .merge(record_forms::<automation::RuleForm>())
        .route("/admin/rules/{id}/delete", post(automation::delete_rule))
        .route("/admin/responses", get(automation::responses))
        .merge(record_forms::<automation::ResponseForm>())
        .route("/admin/automation", get(automation::settings).post(automation::save_settings))
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
/// (403, 404, 500, …) is the page's error. `renames` maps an API field to the form's, for a
/// form whose fields are named differently from the API's.
fn form_errors(e: ApiError, fields: &[&str], renames: &[(&str, &str)]) -> Result<Refused, PageError> {
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

/// A form that was not saved: the errors to show it again with, and the status — 422 for
/// what the page itself could not read, the API's own (422, or 409) for what it refused.
pub(super) type Refused = (StatusCode, Errors);

/// Saves a submitted form with `write`, but only when the page found nothing wrong with it:
/// no `errors` and an `input` to save. What the API refuses comes back as [`Refused`], on the
/// form's `fields`; any other failure is the page's.
pub(super) async fn save<I, T, Fut>(
    errors: Errors,
    input: Option<I>,
    fields: &[&str],
    renames: &[(&str, &str)],
    write: impl FnOnce(I) -> Fut,
) -> Result<Result<T, Refused>, PageError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, errors)));
    };
    match write(input).await {
        Ok(saved) => Ok(Ok(saved)),
        Err(e) => form_errors(e, fields, renames).map(Err),
    }
}

/// The stored record `id` (read with the store's `get`), or a 404 that names `what`.
pub(super) async fn find<T: Send + 'static>(
    state: &AppState,
    id: i64,
    what: &'static str,
    get: fn(&mut Tx<'_>, i64) -> Result<T, StoreError>,
) -> Result<T, ApiError> {
    state.read(move |tx| get(tx, id).map_err(ApiError::or_not_found(what))).await
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

/// Choices that are always the same (value, label), as [`options`] takes them.
pub(super) fn fixed(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(value, label)| ((*value).to_owned(), (*label).to_owned())).collect()
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

// ---------------------------------------------------------------- a record's new and edit forms

/// What a record's form page shows besides its own fields and choices; the same for every
/// record type, so [`RecordForm::show`] only puts it on its page.
pub(super) struct Frame {
    /// The record being changed; `None` on the new form.
    pub id: Option<i64>,
    pub title: String,
    /// Where the form posts to: `{LIST}/new` or `{LIST}/{id}`.
    pub action: String,
    pub errors: Errors,
    pub status: StatusCode,
}

/// One record type's new and edit forms, at `{LIST}/new` and `{LIST}/{id}`: an implementation
/// (the form's fields as typed) says how the record is loaded, read from the form, saved and
/// shown. What is the same for every record is done once, by [`new_form`], [`create`],
/// [`edit_form`] and [`update`]: only an administrator gets them; a path id that is no stored
/// record is a 404 before anything else; a form the page cannot read or the API refuses is
/// shown again as it was typed, each error next to its field, with the status of the error;
/// a saved one goes on to where [`RecordForm::write`] says (its list, saying so).
///
/// The futures are `Send` because axum's handlers must be.
pub(super) trait RecordForm: Sized + Send + Sync + 'static {
    /// The record as stored: what the edit form starts from and is titled by.
    type Stored: Send + Sync + 'static;
    /// What the page read from a form for the API.
    type Input: Send + 'static;
    const LIST: &'static str;
    /// The form's fields: an API error naming one of them is shown at it, any other above the
    /// form.
    const FIELDS: &'static [&'static str];
    /// The API's fields that the form calls otherwise (API name, form name).
    const RENAMES: &'static [(&'static str, &'static str)] = &[];

    fn load(state: &AppState, id: i64) -> impl Future<Output = Result<Self::Stored, ApiError>> + Send;
    fn new_title(c: &Ctx) -> String;
    fn edit_title(c: &Ctx, stored: &Self::Stored) -> String;
    /// The new form.
    fn blank(state: &AppState, c: &Ctx) -> impl Future<Output = Result<Self, ApiError>> + Send;
    /// The edit form, as stored.
    fn of(c: &Ctx, stored: Self::Stored) -> Self;
    /// The form as submitted; `stored` when it changes a record.
    fn sent(c: &Ctx, f: &Fields, stored: Option<&Self::Stored>) -> Self;
    /// What the API gets; what the page cannot read is an error on its field (`None` when
    /// there is nothing to save).
    fn input(&self, c: &Ctx, f: &Fields, errors: &mut Errors) -> Option<Self::Input>;
    /// Saves a new record or changes one; where the browser goes next.
    fn write(&self, saving: Saving<'_>, input: Self::Input) -> impl Future<Output = Result<String, ApiError>> + Send;
    /// The form page, with its choices.
    fn show(self, state: &AppState, c: &Ctx, frame: Frame) -> impl Future<Output = PageResult> + Send;
}

/// What [`RecordForm::write`] needs besides the input: who saves, and which record.
pub(super) struct Saving<'a> {
    pub state: &'a AppState,
    pub c: &'a Ctx,
    pub actor: Actor,
    /// The record being changed; `None` for a new one.
    pub id: Option<i64>,
}

impl Saving<'_> {
    /// Saves `input` in one transaction with the API's own function: `new` for a new record,
    /// `change` for a stored one.
    pub async fn new_or_change<I, T>(
        self,
        input: I,
        new: impl FnOnce(&mut Tx<'_>, &Actor, I, Timestamp) -> Result<T, ApiError> + Send + 'static,
        change: impl FnOnce(&mut Tx<'_>, &Actor, i64, I, Timestamp) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        I: Send + 'static,
        T: Send + 'static,
    {
        let Saving { state, c, actor, id } = self;
        let now = c.now;
        state
            .write(move |tx| match id {
                None => new(tx, &actor, input, now),
                Some(id) => change(tx, &actor, id, input, now),
            })
            .await
    }
}

/// Where a saved form goes back to: its list, saying so.
pub(super) fn saved(list: &str) -> String {
    format!("{list}?saved=1")
}

/// The new and edit forms of a record type, at `{LIST}/new` and `{LIST}/{id}`.
fn record_forms<F: RecordForm>() -> Router<AppState> {
    record_forms_with::<F, _>(new_form::<F>)
}

/// [`record_forms`] whose new form is shown by a handler of its own, `new`.
fn record_forms_with<F: RecordForm, T: 'static>(new: impl Handler<T, AppState>) -> Router<AppState> {
    Router::new()
        .route(&format!("{}/new", F::LIST), get(new).post(create::<F>))
        .route(&format!("{}/{{id}}", F::LIST), get(edit_form::<F>).post(update::<F>))
}

fn frame<F: RecordForm>(id: Option<i64>, title: String, errors: Errors, status: StatusCode) -> Frame {
    let action = id.map_or_else(|| format!("{}/new", F::LIST), |id| format!("{}/{id}", F::LIST));
    Frame { id, title, action, errors, status }
}

pub(super) async fn new_form<F: RecordForm>(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    show_new(&state, &c, F::blank(&state, &c).await?).await
}

/// The new form as it is first shown.
pub(super) async fn show_new<F: RecordForm>(state: &AppState, c: &Ctx, form: F) -> PageResult {
    form.show(state, c, frame::<F>(None, F::new_title(c), Errors::default(), StatusCode::OK)).await
}

pub(super) async fn create<F: RecordForm>(
    State(state): State<AppState>,
    c: Ctx,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let title = F::new_title(&c);
    submit::<F>(state, c, None, None, title, f).await
}

pub(super) async fn edit_form<F: RecordForm>(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let stored = F::load(&state, id).await?;
    let title = F::edit_title(&c, &stored);
    F::of(&c, stored).show(&state, &c, frame::<F>(Some(id), title, Errors::default(), StatusCode::OK)).await
}

pub(super) async fn update<F: RecordForm>(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let stored = F::load(&state, id).await?;
    let title = F::edit_title(&c, &stored);
    submit::<F>(state, c, Some(id), Some(stored), title, f).await
}

/// Saves a submitted form (new when `id` is `None`), or shows it again with its errors.
async fn submit<F: RecordForm>(
    state: AppState,
    c: Ctx,
    id: Option<i64>,
    stored: Option<F::Stored>,
    title: String,
    f: Vec<(String, String)>,
) -> PageResult {
    let actor = c.admin()?.clone();
    let fields = Fields::new(f);
    let form = F::sent(&c, &fields, stored.as_ref());
    let mut errors = Errors::default();
    let input = form.input(&c, &fields, &mut errors);
    let written = save(errors, input, F::FIELDS, F::RENAMES, |input| {
        form.write(Saving { state: &state, c: &c, actor, id }, input)
    })
    .await?;
    match written {
        Ok(to) => Ok(see_other(&c, &to)),
        Err((status, errors)) => form.show(&state, &c, frame::<F>(id, title, errors, status)).await,
    }
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
