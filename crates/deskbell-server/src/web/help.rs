//! The help centre for customers: submit, follow and answer tickets; track one by its secret
//! link; a customer admin's users and the invitations they send.
//!
//! Every write goes through the ticket service (channel `portal`), as the API's do; this
//! module only turns forms into its calls and its answers into pages in the caller's
//! language.

pub(crate) mod kb;
mod new;
mod ticket;
mod track;
mod trainings;
mod users;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use deskbell_domain::article::ArticleKind;
use deskbell_domain::ticket::{Priority, Status};
use deskbell_store::Tx;
use deskbell_store::tickets::{Article, Ticket};
use deskbell_store::{orgs, people};
use jiff::tz::TimeZone;

use super::ctx::{Ctx, PageError};
use super::forms;
use super::i18n::{self, fill};
use super::thread::{FileView, PREVIEW_TYPES};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::service::{Limits, LocalItChecks};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/help", get(ticket::list))
        .route("/help/new", get(new::form).post(new::submit))
        .route("/help/tickets/{number}", get(ticket::show))
        .route("/help/tickets/{number}/reply", post(ticket::reply))
        .route("/help/tickets/{number}/status", post(ticket::status))
        .route("/track/{number}", get(track::show))
        .route("/track/{number}/confirm", post(track::confirm))
        .route("/track/{number}/written", post(track::written))
        .route("/track/{number}/attachments/{id}", get(track::attachment))
        .route("/help/users", get(users::list).post(users::invite))
        .route("/help/users/{id}/active", post(users::set_active))
        .route("/help/users/{id}/invitation", post(users::invite_again))
        .route("/invite/{token}", get(users::accept_form).post(users::accept))
        .route("/help/kb", get(kb::index))
        .route("/help/kb/suggest", get(kb::suggest))
        .route("/help/kb/deflect", post(kb::deflect))
        .route("/help/kb/files/{id}", get(kb::file))
        .route("/help/kb/{slug}", get(kb::article))
        .route("/help/kb/{slug}/helpful", post(kb::helpful))
        .route("/help/tickets/{number}/kb", get(kb::for_ticket))
        .route("/help/trainings", get(trainings::catalogue))
        .route("/help/trainings/{id}/register", post(trainings::register))
        .route("/help/trainings/{id}/cancel", post(trainings::cancel))
        .route("/help/releases", get(trainings::whats_new))
}

fn limits(state: &AppState) -> Limits {
    Limits { attachment_max_bytes: state.config.attachment_max_bytes, reopen_days: state.config.reopen_days }
}

/// A ticket number from the path; a malformed one is a ticket that does not exist.
fn number(raw: &str) -> Result<i64, PageError> {
    Ok(crate::tickets::api::number(raw)?)
}

fn not_found() -> PageError {
    PageError(ApiError::not_found("page"))
}

/// A service error as a sentence in the caller's language. Our own checks run before the
/// service's, so these are the refusals only the service can give.
fn error_text(c: &Ctx, e: &ApiError, limits: Limits) -> String {
    let t = c.t;
    match e.code {
        "attachment_too_large" | "body_too_large" => {
            fill(t.err_too_large, &[("limit", &forms::bytes(limits.attachment_max_bytes))])
        }
        "reopen_window_passed" => fill(t.help_err_reopen_window, &[("days", &limits.reopen_days.to_string())]),
        "ticket_closed" => t.help_err_ticket_closed.to_owned(),
        "invalid_transition" | "forbidden_transition" | "status_unchanged" => t.help_err_transition.to_owned(),
        "version_conflict" => t.err_conflict.to_owned(),
        _ => match e.field.as_deref() {
            Some("subject") => t.help_err_subject.to_owned(),
            Some("body") => t.help_err_body.to_owned(),
            Some("attachments") => t.help_err_filename.to_owned(),
            Some("product_id") => t.help_err_product.to_owned(),
            Some("local_it_checks") => t.help_err_check.to_owned(),
            _ => e.message.clone(),
        },
    }
}

/// What a multipart form sent (see [`forms::FormData`]).
type Sent = forms::FormData;

/// The attachment errors of a form: files over the limit, or a body that broke off.
fn upload_errors(c: &Ctx, sent: &Sent, max: usize, errors: &mut forms::Errors) {
    let limit = forms::bytes(max);
    if !sent.too_large.is_empty() {
        let msg = fill(c.t.err_too_large, &[("limit", &limit)]);
        errors.add("attachments", format!("{msg} {}", sent.too_large.join(", ")));
    } else if sent.broken {
        errors.add("attachments", fill(c.t.help_err_upload_broken, &[("limit", &limit)]));
    }
}

/// A text the customer typed: control characters (other than line breaks and tabs in a
/// multi-line text) become spaces, then trimmed; `Err` with the message for an empty one or
/// one too long.
fn text(value: &str, max: usize, multiline: bool, empty: &str, too_long: &str) -> Result<String, String> {
    let cleaned: String = value
        .chars()
        .map(|ch| if ch.is_control() && !(multiline && matches!(ch, '\n' | '\r' | '\t')) { ' ' } else { ch })
        .collect();
    let v = cleaned.trim();
    if v.is_empty() {
        return Err(empty.to_owned());
    }
    if v.chars().count() > max {
        return Err(fill(too_long, &[("max", &max.to_string())]));
    }
    Ok(v.to_owned())
}

/// The CSS class of a priority's badge.
fn priority_class(p: Priority) -> &'static str {
    match p {
        Priority::Critical => "critical",
        Priority::Fault => "fault",
        Priority::Standard | Priority::DevelopmentRequest => "",
    }
}

fn status_class(s: Status) -> String {
    format!("status-{}", s.as_str())
}

/// Time zones of organisations, for showing instants as the hotel reads its clocks.
struct Zones(HashMap<i64, TimeZone>);

impl Zones {
    fn load(tx: &mut Tx<'_>, ids: &[i64]) -> Result<Zones, ApiError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let list = if ids.is_empty() { Vec::new() } else { orgs::list(tx, Some(&ids))? };
        Ok(Zones(list.into_iter().map(|o| (o.id, i18n::time_zone(&o.time_zone))).collect()))
    }

    fn of(&self, org: i64) -> TimeZone {
        self.0.get(&org).cloned().unwrap_or_else(|| i18n::time_zone("Europe/Warsaw"))
    }
}

/// One article of the public thread.
struct ArticleView {
    kind: &'static str,
    kind_label: &'static str,
    author: String,
    from_support: bool,
    at: String,
    body: String,
    /// The quoted history of a mail, shown folded.
    quoted: Option<String>,
    files: Vec<FileView>,
}

/// The public thread of a ticket: never an internal note (the store leaves them out for a
/// customer's read, and they are filtered here once more). `file_url` makes a file's link.
fn thread(
    tx: &mut Tx<'_>,
    c: &Ctx,
    t: &Ticket,
    tz: &TimeZone,
    file_url: &dyn Fn(i64) -> String,
) -> Result<Vec<ArticleView>, ApiError> {
    let list: Vec<Article> = deskbell_store::tickets::articles(tx, t.id, false)?
        .into_iter()
        .filter(|a| a.kind.is_public() && a.kind != ArticleKind::InternalNote)
        .collect();
    let authors: Vec<i64> = list.iter().filter_map(|a| a.author_id).collect();
    let names = people::names(tx, &authors)?;
    let support = super::thread::support_authors(tx, &list)?;
    Ok(list
        .into_iter()
        .map(|a| {
            let (body, quoted) = super::thread::split_quote(&a);
            let from_support = a.author_id.is_some_and(|id| support.contains(&id));
            let author = match a.author_id.and_then(|id| names.get(&id)) {
                Some(n) => n.clone(),
                None => c.t.help_author_system.to_owned(),
            };
            ArticleView {
                kind: a.kind.as_str(),
                kind_label: c.t.article(a.kind),
                author,
                from_support,
                at: i18n::datetime(c.lang, a.created_at, tz),
                body,
                quoted,
                files: a.attachments.iter().map(|f| FileView::of(f, file_url(f.id))).collect(),
            }
        })
        .collect())
}

/// The customer's answers to the local-IT checks, as the ticket page lists them.
struct ChecksView {
    other_systems_work: &'static str,
    recent_changes: &'static str,
    network_and_servers_work: &'static str,
    notes: Option<String>,
}

fn checks_view(c: &Ctx, raw: Option<&str>) -> Option<ChecksView> {
    let checks: LocalItChecks = serde_json::from_str(raw?).ok()?;
    let yes_no = |b: bool| if b { c.t.yes } else { c.t.no };
    Some(ChecksView {
        other_systems_work: yes_no(checks.other_systems_work),
        recent_changes: yes_no(checks.recent_changes),
        network_and_servers_work: yes_no(checks.network_and_servers_work),
        notes: checks.notes.filter(|n| !n.trim().is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_trimmed_and_checked() {
        assert_eq!(text("  Faktura  ", 10, false, "empty", "long {max}"), Ok("Faktura".to_owned()));
        assert_eq!(text("   ", 10, false, "empty", "long {max}"), Err("empty".to_owned()));
        assert_eq!(text("abcdefghijk", 10, false, "empty", "long {max}"), Err("long 10".to_owned()));
        assert_eq!(text("a\r\nb", 10, false, "empty", "long {max}"), Ok("a  b".to_owned()));
        assert_eq!(text("a\r\nb", 10, true, "empty", "long {max}"), Ok("a\r\nb".to_owned()));
    }
}
