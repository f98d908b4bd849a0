//! The quick phone-ticket form: while the agent types the caller's number or name, the
//! organisation and contact are found, with their coverage right now and open incidents.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use deskbell_domain::article::CallDirection;
use deskbell_domain::sla::Calendar;
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::forms::{self, Claim};
use deskbell_store::orgs::{Organisation, Product};
use deskbell_store::people::Person;
use deskbell_store::tickets::{self, Call, Filter, Scope, Sort};
use deskbell_store::{orgs, people, sla};
use jiff::Timestamp;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::api::limits;
use crate::tickets::service::{self, NewTicket};
use crate::web::ctx::{Ctx, PageResult, html, html_status, see_other};
use crate::web::forms::{Errors, FormData};

/// One contract's coverage at this moment.
pub struct Coverage {
    pub contract: String,
    pub calendar: String,
    pub always: bool,
    pub open_now: bool,
    /// The calendar critical tickets count on, when it is another one.
    pub critical: Option<(String, bool, bool)>,
}

pub struct Incident {
    pub number: i64,
    pub subject: String,
    pub priority: Priority,
    pub status: Status,
}

pub struct Match {
    pub org: Organisation,
    pub contacts: Vec<Person>,
    pub coverage: Vec<Coverage>,
    pub incidents: Vec<Incident>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhoneQuery {
    pub q: String,
    pub org: String,
    pub contact: String,
}

#[derive(Template)]
#[template(path = "agent/phone.html")]
struct PhonePage<'a> {
    c: &'a Ctx,
    section: &'a str,
    q: String,
    matches: Vec<Match>,
    chosen: Option<Match>,
    contact: Option<i64>,
    products: Vec<Product>,
    errors: Errors,
    form: Draft,
}

#[derive(Template)]
#[template(path = "agent/phone_matches.html")]
struct Matches<'a> {
    c: &'a Ctx,
    q: String,
    matches: Vec<Match>,
}

/// What the form shows again after a refused submission.
pub struct Draft {
    pub key: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
    pub priority: String,
    pub product: String,
    pub phone: String,
    pub direction: String,
    pub duration: String,
    pub assign_me: bool,
}

impl Draft {
    fn new() -> Draft {
        Draft {
            key: crate::auth::random_token(),
            subject: String::new(),
            body: String::new(),
            kind: "incident".into(),
            priority: "standard".into(),
            product: String::new(),
            phone: String::new(),
            direction: "inbound".into(),
            duration: String::new(),
            assign_me: true,
        }
    }
}

fn calendar_now(tx: &mut deskbell_store::Tx<'_>, id: i64, now: Timestamp) -> Result<(String, bool, bool), ApiError> {
    let rec = sla::calendar(tx, id)?;
    let Some(v) = rec.version_at(now) else { return Ok((rec.name, false, false)) };
    let cal = Calendar::from_spec(&v.spec).map_err(ApiError::internal)?;
    Ok((rec.name, cal.is_always_open(), cal.is_open(now)))
}

/// The contracts in force today and whether their calendars count right now.
fn coverage(tx: &mut deskbell_store::Tx<'_>, org: &Organisation, now: Timestamp) -> Result<Vec<Coverage>, ApiError> {
    let tz = crate::web::i18n::time_zone(&org.time_zone);
    let today = now.to_zoned(tz).date().to_string();
    let mut out = Vec::new();
    for k in sla::contracts(tx, Some(org.id))? {
        let in_force =
            k.valid_from.as_str() <= today.as_str() && k.valid_to.as_deref().is_none_or(|to| today.as_str() <= to);
        if !in_force {
            continue;
        }
        let (calendar, always, open_now) = calendar_now(tx, k.calendar_id, now)?;
        let critical = match k.target(Priority::Critical).and_then(|t| t.calendar_id) {
            Some(id) if id != k.calendar_id => Some(calendar_now(tx, id, now)?),
            _ => None,
        };
        out.push(Coverage { contract: k.name, calendar, always, open_now, critical });
    }
    Ok(out)
}

fn incidents(tx: &mut deskbell_store::Tx<'_>, org_id: i64) -> Result<Vec<Incident>, ApiError> {
    let f = Filter {
        statuses: vec![Status::New, Status::Open, Status::WaitingForCustomer],
        kinds: vec![Kind::Incident],
        organisation_ids: vec![org_id],
        sort: Sort::Deadline,
        limit: 5,
        ..Filter::default()
    };
    Ok(tickets::list(tx, &Scope::All, &f)?
        .items
        .into_iter()
        .map(|t| Incident { number: t.number, subject: t.subject, priority: t.priority, status: t.status })
        .collect())
}

fn full_match(
    tx: &mut deskbell_store::Tx<'_>,
    org: Organisation,
    contacts: Vec<Person>,
    now: Timestamp,
) -> Result<Match, ApiError> {
    let coverage = coverage(tx, &org, now)?;
    let incidents = incidents(tx, org.id)?;
    Ok(Match { org, contacts, coverage, incidents })
}

/// Organisations matching the caller's number or name, each with the matching contacts, or
/// (when only people match) the organisations of those people.
fn find(tx: &mut deskbell_store::Tx<'_>, q: &str, now: Timestamp) -> Result<Vec<Match>, ApiError> {
    let q = q.trim();
    if q.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let found_orgs = orgs::find(tx, q, 5)?;
    let found_people: Vec<Person> =
        people::find(tx, q, None, 10)?.into_iter().filter(|p| p.role.is_customer() && p.active).collect();
    let mut matches: Vec<Match> = Vec::new();
    for o in found_orgs {
        let contacts = found_people.iter().filter(|p| p.organisation_id == Some(o.id)).cloned().collect();
        matches.push(full_match(tx, o, contacts, now)?);
    }
    for p in found_people {
        let Some(org_id) = p.organisation_id else { continue };
        if let Some(m) = matches.iter_mut().find(|m| m.org.id == org_id) {
            if !m.contacts.iter().any(|c| c.id == p.id) {
                m.contacts.push(p);
            }
            continue;
        }
        if matches.len() >= 8 {
            continue;
        }
        let org = orgs::get(tx, org_id)?;
        matches.push(full_match(tx, org, vec![p], now)?);
    }
    Ok(matches)
}

fn chosen(tx: &mut deskbell_store::Tx<'_>, org_id: i64, now: Timestamp) -> Result<Match, ApiError> {
    let org = orgs::get(tx, org_id).map_err(ApiError::or_not_found("organisation"))?;
    let contacts =
        people::list(tx, Some(&[org_id]))?.into_iter().filter(|p| p.active && p.role.is_customer()).collect();
    full_match(tx, org, contacts, now)
}

async fn render(
    state: &AppState,
    c: &Ctx,
    q: PhoneQuery,
    errors: Errors,
    form: Draft,
    status: StatusCode,
) -> PageResult {
    let now = c.now;
    let org_id = q.org.trim().parse::<i64>().ok();
    let contact = q.contact.trim().parse::<i64>().ok();
    let text = q.q.clone();
    let (matches, chosen, products) = state
        .read(move |tx| {
            let matches = if org_id.is_none() { find(tx, &text, now)? } else { Vec::new() };
            let chosen = org_id.map(|id| chosen(tx, id, now)).transpose()?;
            Ok((matches, chosen, orgs::products(tx)?))
        })
        .await?;
    let page = PhonePage { c, section: "phone", q: q.q, matches, chosen, contact, products, errors, form };
    html_status(status, &page)
}

pub async fn page(State(state): State<AppState>, c: Ctx, Query(q): Query<PhoneQuery>) -> PageResult {
    c.vendor()?;
    render(&state, &c, q, Errors::default(), Draft::new(), StatusCode::OK).await
}

/// The matches alone, for the lookup while typing.
pub async fn lookup(State(state): State<AppState>, c: Ctx, Query(q): Query<PhoneQuery>) -> PageResult {
    c.vendor()?;
    let now = c.now;
    let text = q.q.clone();
    let matches = state.read(move |tx| find(tx, &text, now)).await?;
    html(&Matches { c: &c, q: q.q, matches })
}

pub async fn create(State(state): State<AppState>, c: Ctx, f: FormData) -> PageResult {
    let actor = c.vendor()?.clone();
    let t = c.t;
    let form = Draft {
        key: f.text("form_key").unwrap_or_else(crate::auth::random_token),
        subject: f.get("subject").unwrap_or_default().to_owned(),
        body: f.get("body").unwrap_or_default().to_owned(),
        kind: f.get("kind").unwrap_or_default().to_owned(),
        priority: f.get("priority").unwrap_or_default().to_owned(),
        product: f.get("product").unwrap_or_default().to_owned(),
        phone: f.get("phone").unwrap_or_default().to_owned(),
        direction: f.get("direction").unwrap_or_default().to_owned(),
        duration: f.get("duration").unwrap_or_default().to_owned(),
        assign_me: f.get("assign_me").is_some(),
    };
    let q = PhoneQuery {
        q: String::new(),
        org: f.get("org").unwrap_or_default().to_owned(),
        contact: f.get("contact").unwrap_or_default().to_owned(),
    };
    let mut errors = Errors::default();
    let org_id = q.org.parse::<i64>().ok();
    if org_id.is_none() {
        errors.add("_form", t.phone_choose_org);
    }
    let requester = q.contact.parse::<i64>().ok();
    if requester.is_none() {
        errors.add("contact", t.phone_choose_contact);
    }
    if form.subject.trim().is_empty() {
        errors.add("subject", t.err_subject_empty);
    }
    if form.body.trim().is_empty() {
        errors.add("body", t.err_body_empty);
    }
    let kind = form.kind.parse::<Kind>().map_err(|_| errors.add("kind", t.err_choose_value)).ok();
    let priority = form.priority.parse::<Priority>().map_err(|_| errors.add("priority", t.err_choose_value)).ok();
    let product = match form.product.trim() {
        "" => None,
        p => p.parse::<i64>().map_err(|_| errors.add("product", t.err_choose_value)).ok(),
    };
    let duration_secs = match form.duration.trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(m) if (0..=24 * 60).contains(&m) => Some(m * 60),
            _ => {
                errors.add("duration", t.err_duration);
                None
            }
        },
    };
    let (Some(kind), Some(priority), Some(org_id), Some(requester)) = (kind, priority, org_id, requester) else {
        return render(&state, &c, q, errors, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if !errors.is_empty() {
        return render(&state, &c, q, errors, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let direction = if form.direction == "outbound" { CallDirection::Outbound } else { CallDirection::Inbound };
    let input = NewTicket {
        subject: form.subject.clone(),
        body: form.body.clone(),
        organisation_id: Some(org_id),
        requester_id: Some(requester),
        cc: Vec::new(),
        channel: Some(Channel::Phone),
        kind,
        priority,
        product_id: product,
        module: None,
        installation_id: None,
        assignee_id: form.assign_me.then_some(actor.id()),
        team_id: None,
        tags: Vec::new(),
        local_it_checks: None,
        attachments: Vec::new(),
        call: Some(Call {
            direction,
            number: Some(form.phone.trim().to_owned()).filter(|s| !s.is_empty()),
            duration_secs,
        }),
    };
    let (lim, now, key) = (limits(&state), c.now, form.key.clone());
    let result = state
        .write(move |tx| match forms::claim_submission(tx, &key, actor.id(), now)? {
            Claim::Repeated(existing) => Ok(Err(existing)),
            Claim::New => {
                let (ticket, _) = service::create(tx, &actor, input, lim, now)?;
                forms::finish_submission(tx, &key, ticket.id)?;
                Ok(Ok(ticket.number))
            }
        })
        .await;
    match result {
        Ok(Ok(number)) => {
            state.metrics.tickets_created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(see_other(&c, &format!("/agent/tickets/{number}")))
        }
        Ok(Err(Some(ticket_id))) => {
            let number = state.read(move |tx| Ok(tickets::by_id(tx, ticket_id)?.number)).await?;
            Ok(see_other(&c, &format!("/agent/tickets/{number}")))
        }
        Ok(Err(None)) => {
            errors.add("_form", t.form_in_progress);
            render(&state, &c, q, errors, form, StatusCode::CONFLICT).await
        }
        Err(e) if e.status.is_client_error() => {
            // The service names the ticket's fields; the form calls two of them otherwise.
            let field = match e.field.as_deref() {
                Some("requester_id") => "contact",
                Some("product_id") => "product",
                Some(f) if ["subject", "body", "kind", "priority"].contains(&f) => f,
                _ => "_form",
            };
            let mut errors = Errors::default();
            errors.add(field, super::error_text(t, &e, state.config.attachment_max_bytes));
            render(&state, &c, q, errors, form, e.status).await
        }
        Err(e) => Err(e.into()),
    }
}
