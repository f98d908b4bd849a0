//! The agent workspace: queues, the ticket page and the phone-ticket form.

mod events;
mod kb;
mod phone;
mod queue;
mod relations;
mod ticket;

use axum::Router;
use axum::routing::{get, post};
use deskbell_domain::sla::{Metric, RunState};
use deskbell_store::sla::ClockRow;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::i18n::{Catalogue, datetime, fill};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agent", get(queue::page))
        .route("/agent/queue/rows", get(queue::rows))
        .route("/agent/tickets/{number}", get(ticket::page))
        .route("/agent/tickets/{number}/articles", post(ticket::add_article))
        .route("/agent/tickets/{number}/update", post(ticket::update))
        .route("/agent/tickets/{number}/status", post(ticket::status))
        .route("/agent/tickets/{number}/assign-me", post(ticket::assign_me))
        .route("/agent/tickets/{number}/insert-response", post(ticket::insert_response))
        .route("/agent/tickets/{number}/redirect", post(ticket::redirect))
        .route("/agent/tickets/{number}/merge", post(relations::merge))
        .route("/agent/tickets/{number}/links", post(relations::add_link))
        .route("/agent/tickets/{number}/links/{other}/remove", post(relations::remove_link))
        .route("/agent/tickets/{number}/broadcast", post(relations::broadcast))
        .route("/agent/tickets/{number}/parent", post(relations::parent))
        .route("/agent/phone", get(phone::page).post(phone::create))
        .route("/agent/phone/lookup", get(phone::lookup))
        .route("/agent/kb", get(kb::list))
        .route("/agent/kb/categories", post(kb::new_category))
        .route("/agent/kb/new", get(kb::new_form).post(kb::create))
        .route("/agent/kb/{id}", get(kb::edit_form).post(kb::update))
        .route("/agent/kb/{id}/files", post(kb::upload))
        .route("/agent/tickets/{number}/kb", get(kb::panel))
        .route("/agent/tickets/{number}/kb/{id}/use", post(kb::use_article))
        .route("/agent/trainings", get(events::trainings_list).post(events::training_create))
        .route("/agent/trainings/{id}", get(events::training_edit).post(events::training_update))
        .route("/agent/releases", get(events::releases_list).post(events::release_create))
        .route("/agent/releases/{id}", get(events::release_edit).post(events::release_update))
}

/// A refusal of the ticket service in the agent's language (the service's own words are for
/// the API); what has no sentence of its own keeps the service's explanation.
pub fn error_text(t: &Catalogue, e: &crate::error::ApiError, attachment_max: usize) -> String {
    match (e.code, e.field.as_deref()) {
        ("version_conflict", _) => t.err_conflict.to_owned(),
        ("ticket_closed", _) => t.err_ticket_closed.to_owned(),
        ("invalid_transition" | "forbidden_transition" | "status_unchanged", _) => t.err_transition.to_owned(),
        ("attachment_too_large" | "body_too_large", _) => {
            fill(t.err_too_large, &[("limit", &crate::web::forms::bytes(attachment_max))])
        }
        (_, Some("priority_reason")) => t.err_priority_reason.to_owned(),
        (_, Some("assignee_id")) => t.err_assignee.to_owned(),
        (_, Some("product_id" | "product")) => t.err_product.to_owned(),
        (_, Some("requester_id" | "contact")) => t.err_requester.to_owned(),
        _ => e.message.clone(),
    }
}

/// A refusal as a form error: on its field when the form has it, else on `fallback`.
pub fn form_errors(
    t: &Catalogue,
    e: &crate::error::ApiError,
    fields: &[&str],
    fallback: &str,
    attachment_max: usize,
) -> crate::web::forms::Errors {
    crate::web::forms::Errors::refusal(e, fields, fallback, error_text(t, e, attachment_max))
}

/// A clock as the pages show it: a CSS class for its state, a short text and a longer title.
#[derive(Debug, Clone)]
pub struct Badge {
    pub class: &'static str,
    pub state: &'static str,
    pub text: String,
    pub title: String,
}

pub fn metric_name(t: &Catalogue, m: Metric) -> &'static str {
    match m {
        Metric::FirstResponse => t.metric_first_response,
        Metric::Resolution => t.metric_resolution,
    }
}

/// The badge of a stored clock at `now`, from the instants the SLA keeps up to date
/// (deadline, warning, breach): no calendar arithmetic, so a list of 50 costs nothing.
pub fn badge(
    t: &Catalogue,
    lang: deskbell_domain::person::Language,
    c: &ClockRow,
    now: Timestamp,
    tz: &TimeZone,
) -> Option<Badge> {
    let metric = metric_name(t, c.metric);
    let due = c.deadline_at.map(|d| fill(t.clock_due, &[("at", &datetime(lang, d, tz))]));
    let title = match &due {
        Some(d) => format!("{metric} · {d}"),
        None => metric.to_owned(),
    };
    let secs = |a: Timestamp, b: Timestamp| b.as_second() - a.as_second();
    let b = match c.summary.state() {
        RunState::NotStarted => return None,
        RunState::Running => {
            let deadline = c.deadline_at?;
            if c.breach_at.is_some_and(|b| b <= now) {
                let over = t.duration(secs(deadline, now));
                Badge {
                    class: "breached",
                    state: t.state_breached,
                    text: fill(t.clock_over, &[("time", &over)]),
                    title,
                }
            } else {
                let left = t.duration(secs(now, deadline).max(0));
                let warned = c.warning_at.is_some_and(|w| w <= now);
                let (class, state) = if warned { ("warning", t.state_warning) } else { ("running", t.state_running) };
                Badge { class, state, text: fill(t.clock_left, &[("time", &left)]), title }
            }
        }
        RunState::Paused => {
            let left = c.summary.target_secs().map_or(0, |target| target - c.summary.counted_secs());
            let text = if left < 0 {
                fill(t.clock_over, &[("time", &t.duration(-left))])
            } else {
                fill(t.clock_paused_left, &[("time", &t.duration(left))])
            };
            Badge { class: "paused", state: t.state_paused, text, title }
        }
        RunState::Stopped => {
            let missed = c.summary.target_secs().is_some_and(|target| c.summary.counted_secs() > target);
            if missed {
                Badge { class: "missed", state: t.state_stopped, text: t.clock_missed.to_owned(), title }
            } else {
                Badge { class: "stopped", state: t.state_stopped, text: t.clock_met.to_owned(), title }
            }
        }
    };
    Some(b)
}

/// The clock a list shows for a ticket: the running one due first, else a paused one,
/// else a stopped one.
pub fn headline_clock<'a>(clocks: impl Iterator<Item = &'a ClockRow>) -> Option<&'a ClockRow> {
    clocks.min_by_key(|c| match c.summary.state() {
        RunState::Running => (0, c.deadline_at.map_or(i64::MAX, |d| d.as_second())),
        RunState::Paused => (1, 0),
        RunState::Stopped => (2, 0),
        RunState::NotStarted => (3, 0),
    })
}
