//! Reporting a problem: subject, product, kind, the proposed priority explained in the seed's
//! words, the local-IT checks before a critical problem or a fault, description, files.
//!
//! One submitted form makes one ticket: the form carries a random key, claimed in the
//! ticket's own transaction, so a second click (or a resent request) finds the first ticket.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use deskbell_domain::ticket::{Kind, Priority};
use deskbell_store::forms::{self as store_forms, Claim};
use deskbell_store::orgs;
use deskbell_store::tickets;

use super::kb::SUGGESTIONS;
use super::{Sent, error_text, limits, text, upload_errors};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::service::{self, BODY_MAX, LocalItChecks, NewTicket, SUBJECT_MAX};
use crate::web::ctx::{self, Ctx, PageResult};
use crate::web::forms::{self, Errors};
use crate::web::i18n::fill;

/// The kinds a customer chooses from (out of scope is support's verdict, not a choice).
const KINDS: [Kind; 5] =
    [Kind::Incident, Kind::Question, Kind::ServiceRequest, Kind::DevelopmentRequest, Kind::TrainingRequest];

const PRIORITIES: [Priority; 4] =
    [Priority::Critical, Priority::Fault, Priority::Standard, Priority::DevelopmentRequest];

/// The three local-IT checks of DESIGN §2, by form field.
const CHECKS: [&str; 3] = ["check_other_systems", "check_recent_changes", "check_network"];

/// Longest notes to the local-IT checks.
const NOTES_MAX: usize = 2000;
/// Longest form key a browser can have been given (ours are 43 characters).
const KEY_MAX: usize = 100;

/// What the customer typed, shown again as it was.
#[derive(Debug, Clone, Default)]
struct Typed {
    subject: String,
    product_id: String,
    kind: String,
    priority: String,
    body: String,
    check_other_systems: String,
    check_recent_changes: String,
    check_network: String,
    check_notes: String,
    form_key: String,
}

impl Typed {
    fn from_sent(s: &Sent) -> Typed {
        Typed {
            subject: s.value("subject"),
            product_id: s.value("product_id"),
            kind: s.value("kind"),
            priority: s.value("priority"),
            body: s.value("body"),
            check_other_systems: s.value("check_other_systems"),
            check_recent_changes: s.value("check_recent_changes"),
            check_network: s.value("check_network"),
            check_notes: s.value("check_notes"),
            form_key: s.value("form_key"),
        }
    }

    fn check(&self, field: &str) -> &str {
        match field {
            "check_other_systems" => &self.check_other_systems,
            "check_recent_changes" => &self.check_recent_changes,
            "check_network" => &self.check_network,
            _ => "",
        }
    }
}

struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

/// A radio button with its explanation.
struct Choice {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: bool,
}

/// One yes/no question of the local-IT checks.
struct Question {
    field: &'static str,
    label: &'static str,
    yes: bool,
    no: bool,
}

#[derive(Template)]
#[template(path = "help/new.html")]
struct NewPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    f: Typed,
    errors: Errors,
    products: Vec<SelectOption>,
    kinds: Vec<Choice>,
    priorities: Vec<Choice>,
    questions: Vec<Question>,
    max_bytes: usize,
    too_large: String,
    /// Files were chosen before the form came back: they have to be chosen again.
    files_again: bool,
}

impl NewPage<'_> {
    fn action(&self) -> String {
        format!("/help/new?_csrf={}", self.c.csrf)
    }

    fn limit_hint(&self) -> String {
        fill(self.c.t.help_attachments_hint, &[("limit", &forms::bytes(self.max_bytes))])
    }
}

fn kind_hint(c: &Ctx, k: Kind) -> &'static str {
    let t = c.t;
    match k {
        Kind::Incident => t.help_kind_incident_hint,
        Kind::Question => t.help_kind_question_hint,
        Kind::ServiceRequest => t.help_kind_service_request_hint,
        Kind::DevelopmentRequest => t.help_kind_development_request_hint,
        Kind::TrainingRequest => t.help_kind_training_request_hint,
        Kind::OutOfScope => "",
    }
}

fn priority_hint(c: &Ctx, p: Priority) -> &'static str {
    let t = c.t;
    match p {
        Priority::Critical => t.help_priority_critical_hint,
        Priority::Fault => t.help_priority_fault_hint,
        Priority::Standard => t.help_priority_standard_hint,
        Priority::DevelopmentRequest => t.help_priority_development_request_hint,
    }
}

/// The products a customer can report about: the ones installed at their organisations, or
/// every product when none is recorded.
fn products(tx: &mut deskbell_store::Tx<'_>, actor: &Actor) -> Result<Vec<orgs::Product>, ApiError> {
    let all = orgs::products(tx)?;
    let installed: Vec<i64> =
        orgs::installations(tx, actor.organisations().as_deref())?.into_iter().map(|i| i.product_id).collect();
    if installed.is_empty() {
        return Ok(all);
    }
    Ok(all.into_iter().filter(|p| installed.contains(&p.id)).collect())
}

async fn page(
    state: &AppState,
    c: &Ctx,
    mut f: Typed,
    errors: Errors,
    files_again: bool,
    status: StatusCode,
) -> PageResult {
    let actor = c.customer()?.clone();
    let list = state.read(move |tx| products(tx, &actor)).await?;
    if f.product_id.is_empty()
        && let [only] = list.as_slice()
    {
        f.product_id = only.id.to_string();
    }
    let t = c.t;
    let products = list
        .into_iter()
        .map(|p| {
            let value = p.id.to_string();
            SelectOption { selected: value == f.product_id, value, label: p.name }
        })
        .collect();
    let kind = if f.kind.is_empty() { Kind::Incident.as_str() } else { f.kind.as_str() };
    let kinds = KINDS
        .iter()
        .map(|k| Choice { value: k.as_str(), label: t.kind(*k), hint: kind_hint(c, *k), checked: kind == k.as_str() })
        .collect();
    let priorities = PRIORITIES
        .iter()
        .map(|p| Choice {
            value: p.as_str(),
            label: t.priority(*p),
            hint: priority_hint(c, *p),
            checked: f.priority == p.as_str(),
        })
        .collect();
    let labels = [t.help_check_other_systems, t.help_check_recent_changes, t.help_check_network];
    let questions = CHECKS
        .iter()
        .zip(labels)
        .map(|(field, label)| Question { field, label, yes: f.check(field) == "yes", no: f.check(field) == "no" })
        .collect();
    if f.form_key.is_empty() {
        f.form_key = crate::auth::random_token();
    }
    let max_bytes = state.config.attachment_max_bytes;
    let p = NewPage {
        c,
        section: "new",
        f,
        errors,
        products,
        kinds,
        priorities,
        questions,
        max_bytes,
        too_large: fill(t.err_too_large, &[("limit", &forms::bytes(max_bytes))]),
        files_again,
    };
    ctx::html_status(status, &p)
}

/// GET /help/new
pub async fn form(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.customer()?;
    page(&state, &c, Typed::default(), Errors::default(), false, StatusCode::OK).await
}

fn yes_no(v: &str) -> Option<bool> {
    match v {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The form checked field by field, every problem at its field; the ticket when all is well.
fn check(c: &Ctx, f: &Typed, sent: &Sent, max_bytes: usize) -> Result<NewTicket, Errors> {
    let t = c.t;
    let mut errors = Errors::default();
    let subject = text(&f.subject, SUBJECT_MAX, false, t.help_err_subject, t.help_err_too_long)
        .map_err(|m| errors.add("subject", m))
        .ok();
    let product_id = match f.product_id.trim() {
        "" => {
            errors.add("product_id", t.help_err_product);
            None
        }
        v => match v.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("product_id", t.help_err_product);
                None
            }
        },
    };
    let kind = match f.kind.as_str() {
        "" => Some(Kind::Incident),
        v => KINDS.iter().copied().find(|k| k.as_str() == v).or_else(|| {
            errors.add("kind", t.help_err_kind);
            None
        }),
    };
    let priority = PRIORITIES.iter().copied().find(|p| p.as_str() == f.priority);
    if priority.is_none() {
        errors.add("priority", t.help_err_priority);
    }
    let needs_checks = matches!(priority, Some(Priority::Critical | Priority::Fault));
    let mut answers = [None; 3];
    if needs_checks {
        for (i, field) in CHECKS.iter().enumerate() {
            answers[i] = yes_no(f.check(field));
            if answers[i].is_none() {
                errors.add(field, t.help_err_check);
            }
        }
    }
    let notes = f.check_notes.trim();
    if notes.chars().count() > NOTES_MAX {
        errors.add("check_notes", fill(t.help_err_too_long, &[("max", &NOTES_MAX.to_string())]));
    }
    let body =
        text(&f.body, BODY_MAX, true, t.help_err_body, t.help_err_too_long).map_err(|m| errors.add("body", m)).ok();
    upload_errors(c, sent, max_bytes, &mut errors);
    let local_it_checks = match answers {
        [Some(other_systems_work), Some(recent_changes), Some(network_and_servers_work)] if needs_checks => {
            Some(LocalItChecks {
                other_systems_work,
                recent_changes,
                network_and_servers_work,
                notes: (!notes.is_empty()).then(|| notes.to_owned()),
            })
        }
        _ => None,
    };
    match (subject, product_id, kind, priority, body) {
        (Some(subject), Some(product_id), Some(kind), Some(priority), Some(body)) if errors.is_empty() => {
            Ok(NewTicket {
                subject,
                body,
                organisation_id: None,
                requester_id: None,
                cc: Vec::new(),
                channel: None,
                kind,
                priority,
                product_id: Some(product_id),
                module: None,
                installation_id: None,
                assignee_id: None,
                team_id: None,
                tags: Vec::new(),
                local_it_checks,
                attachments: sent.files.clone(),
                call: None,
            })
        }
        _ => Err(errors),
    }
}

enum Outcome {
    /// The ticket's number, and whether this submission made it.
    Created(i64, bool),
    /// The same form is being submitted right now (or its first submission was refused).
    InProgress,
}

/// POST /help/new (multipart; the CSRF token in the query).
pub async fn submit(State(state): State<AppState>, c: Ctx, sent: Sent) -> PageResult {
    let actor = c.customer()?.clone();
    let limits = limits(&state);
    let mut f = Typed::from_sent(&sent);
    if f.form_key.len() > KEY_MAX || f.form_key.chars().any(|ch| !(ch.is_ascii_alphanumeric() || "-_".contains(ch))) {
        f.form_key = String::new();
    }
    let had_files = !sent.files.is_empty() || !sent.too_large.is_empty();
    let input = match check(&c, &f, &sent, limits.attachment_max_bytes) {
        Ok(i) => i,
        Err(errors) => return page(&state, &c, f, errors, had_files, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let key = if f.form_key.is_empty() { crate::auth::random_token() } else { f.form_key.clone() };
    let now = c.now;
    let result = state
        .write(move |tx| match store_forms::claim_submission(tx, &key, actor.id(), now)? {
            Claim::New => {
                let (t, _) = service::create(tx, &actor, input, limits, now)?;
                store_forms::finish_submission(tx, &key, t.id)?;
                // What the form suggested for this subject is recorded on the ticket.
                crate::kb::articles::suggest_for(tx, &actor, &t, SUGGESTIONS, now)?;
                Ok(Outcome::Created(t.number, true))
            }
            Claim::Repeated(Some(id)) => Ok(Outcome::Created(tickets::by_id(tx, id)?.number, false)),
            Claim::Repeated(None) => Ok(Outcome::InProgress),
        })
        .await;
    match result {
        Ok(Outcome::Created(n, fresh)) => {
            if fresh {
                state.metrics.tickets_created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(ctx::see_other(&c, &format!("/help/tickets/{n}?done=created")))
        }
        Ok(Outcome::InProgress) => {
            let mut errors = Errors::default();
            errors.add("_form", c.t.help_err_in_progress);
            page(&state, &c, f, errors, had_files, StatusCode::CONFLICT).await
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let fields = ["subject", "product_id", "kind", "priority", "body", "attachments"];
            let field = e.field.as_deref().filter(|f| fields.contains(f)).unwrap_or("_form");
            let mut errors = Errors::default();
            errors.add(field, error_text(&c, &e, limits));
            page(&state, &c, f, errors, had_files, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
