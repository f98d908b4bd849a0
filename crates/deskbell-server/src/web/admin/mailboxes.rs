//! Mailboxes (IMAP and SMTP servers; passwords are write-only: the form never shows one, and
//! an empty password field keeps the stored one) and the mail quarantine with its retry and
//! dismiss buttons, which call the same functions as `/api/v1/mail/quarantine`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_store::mail::{self as store_mail, Mailbox};
use serde::Deserialize;

use super::{Fields, ListQuery, Opt, form_errors_as, hundredths, opt_hundredths, opt_int, options, path_id, saved};
use crate::error::ApiError;
use crate::mail::admin::{self as api, EndpointInput, EndpointView, MailboxBody, MailboxView, QuarantinedView};
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status, see_other};
use crate::web::forms::{self, Errors};
use crate::web::i18n::{self, fill};

const LIST: &str = "/admin/mailboxes";
const QUARANTINE: &str = "/admin/quarantine";
const FIELDS: &[&str] = &[
    "name",
    "address",
    "display_name",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_user",
    "imap_password",
    "imap_folder",
    "poll_secs",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_password",
    "unknown_senders",
    "max_message_mb",
    "active",
];
const RENAMES: &[(&str, &str)] =
    &[("max_message_bytes", "max_message_mb"), ("imap", "imap_host"), ("smtp", "smtp_host")];
const MB: i64 = 1024 * 1024;

/// Instants on the admin pages are shown in the vendor's zone.
fn when(c: &Ctx, at: jiff::Timestamp) -> String {
    i18n::datetime(c.lang, at, &i18n::time_zone("Europe/Warsaw"))
}

// ---------------------------------------------------------------- the list

struct Row {
    id: i64,
    name: String,
    address: String,
    imap: String,
    smtp: String,
    last_poll: String,
    last_error: Option<String>,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/mailboxes.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<Row>,
    quarantined: String,
    saved: bool,
}

fn endpoint(c: &Ctx, e: Option<&EndpointView>) -> String {
    e.map_or_else(|| c.t.adm_off.to_owned(), |e| format!("{}:{} ({})", e.host, e.port, e.security))
}

pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let (boxes, waiting) =
        state.read(|tx| Ok((store_mail::mailboxes(tx)?, store_mail::quarantined(tx, false)?.len()))).await?;
    let rows = boxes
        .into_iter()
        .map(MailboxView::from)
        .map(|m| Row {
            id: m.id,
            name: m.name.clone(),
            address: m.address.clone(),
            imap: endpoint(&c, m.imap.as_ref()),
            smtp: endpoint(&c, m.smtp.as_ref()),
            last_poll: m.last_poll_at.map_or_else(|| c.t.adm_never.to_owned(), |at| when(&c, at)),
            last_error: m.last_error.clone(),
            active: m.active,
        })
        .collect();
    let quarantined = fill(c.t.adm_quarantine_open, &[("n", &waiting.to_string())]);
    html(&ListPage { c: &c, section: "admin", tab: "mailboxes", rows, quarantined, saved: q.saved.is_some() })
}

// ---------------------------------------------------------------- the form

/// One server of the form, as typed; never a password.
#[derive(Default)]
struct EndpointForm {
    host: String,
    port: String,
    security: String,
    user: String,
    has_password: bool,
}

impl EndpointForm {
    fn of(e: Option<&EndpointView>, security: &str) -> EndpointForm {
        match e {
            Some(e) => EndpointForm {
                host: e.host.clone(),
                port: e.port.to_string(),
                security: e.security.clone(),
                user: e.user.clone().unwrap_or_default(),
                has_password: e.has_password,
            },
            None => EndpointForm { security: security.to_owned(), ..EndpointForm::default() },
        }
    }

    fn sent(f: &Fields, prefix: &str, has_password: bool) -> EndpointForm {
        EndpointForm {
            host: f.text(&format!("{prefix}_host")),
            port: f.text(&format!("{prefix}_port")),
            security: f.text(&format!("{prefix}_security")),
            user: f.text(&format!("{prefix}_user")),
            has_password,
        }
    }

    /// The API's endpoint; `None` when no server is given. A port left empty is the usual
    /// one of the protocol and security.
    fn input(&self, c: &Ctx, errors: &mut Errors, prefix: &str, password: Option<String>) -> Option<EndpointInput> {
        if self.host.is_empty() {
            return None;
        }
        let usual = match (prefix, self.security.as_str()) {
            ("imap", "tls") => 993,
            ("imap", _) => 143,
            ("smtp", "tls") => 465,
            ("smtp", "plain") => 25,
            _ => 587,
        };
        let port = opt_int(c, errors, &format!("{prefix}_port"), &self.port).unwrap_or(usual);
        Some(EndpointInput {
            host: self.host.clone(),
            port,
            security: Some(self.security.clone()).filter(|s| !s.is_empty()),
            user: Some(self.user.clone()).filter(|u| !u.is_empty()),
            password,
        })
    }
}

struct MailboxForm {
    name: String,
    address: String,
    display_name: String,
    imap: EndpointForm,
    imap_folder: String,
    poll_secs: String,
    smtp: EndpointForm,
    unknown_senders: String,
    max_message_mb: String,
    active: bool,
}

impl MailboxForm {
    fn blank() -> MailboxForm {
        MailboxForm {
            name: String::new(),
            address: String::new(),
            display_name: String::new(),
            imap: EndpointForm::of(None, "tls"),
            imap_folder: "INBOX".into(),
            poll_secs: "60".into(),
            smtp: EndpointForm::of(None, "starttls"),
            unknown_senders: "customer".into(),
            max_message_mb: "25".into(),
            active: true,
        }
    }

    fn of(m: &MailboxView) -> MailboxForm {
        MailboxForm {
            name: m.name.clone(),
            address: m.address.clone(),
            display_name: m.display_name.clone(),
            imap: EndpointForm::of(m.imap.as_ref(), "tls"),
            imap_folder: m.imap_folder.clone(),
            poll_secs: m.poll_secs.to_string(),
            smtp: EndpointForm::of(m.smtp.as_ref(), "starttls"),
            unknown_senders: m.unknown_senders.clone(),
            max_message_mb: hundredths((m.max_message_bytes * 100 + MB / 2) / MB),
            active: m.active,
        }
    }

    fn sent(f: &Fields, stored: Option<&MailboxView>) -> MailboxForm {
        let had = |e: Option<&EndpointView>| e.is_some_and(|e| e.has_password);
        MailboxForm {
            name: f.text("name"),
            address: f.text("address"),
            display_name: f.text("display_name"),
            imap: EndpointForm::sent(f, "imap", had(stored.and_then(|m| m.imap.as_ref()))),
            imap_folder: f.text("imap_folder"),
            poll_secs: f.text("poll_secs"),
            smtp: EndpointForm::sent(f, "smtp", had(stored.and_then(|m| m.smtp.as_ref()))),
            unknown_senders: f.text("unknown_senders"),
            max_message_mb: f.text("max_message_mb"),
            active: f.ticked("active"),
        }
    }

    /// The API's body. Passwords come straight from the submitted fields and are never kept
    /// in the form: an empty one is left out, so the stored one stays.
    fn body(&self, c: &Ctx, errors: &mut Errors, f: &Fields) -> MailboxBody {
        let password = |name: &str| Some(f.raw(name).to_owned()).filter(|p| !p.is_empty());
        MailboxBody {
            name: self.name.clone(),
            address: self.address.clone(),
            display_name: Some(self.display_name.clone()),
            imap: self.imap.input(c, errors, "imap", password("imap_password")),
            imap_folder: Some(self.imap_folder.clone()).filter(|f| !f.is_empty()),
            poll_secs: opt_int(c, errors, "poll_secs", &self.poll_secs),
            smtp: self.smtp.input(c, errors, "smtp", password("smtp_password")),
            unknown_senders: Some(self.unknown_senders.clone()).filter(|u| !u.is_empty()),
            max_message_bytes: opt_hundredths(c, errors, "max_message_mb", &self.max_message_mb)
                .map(|h| h.saturating_mul(MB) / 100),
            active: Some(self.active),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/mailbox_form.html")]
struct FormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    form: MailboxForm,
    imap_security: Vec<Opt>,
    smtp_security: Vec<Opt>,
    unknown_senders: Vec<Opt>,
    errors: Errors,
}

fn show(c: &Ctx, id: Option<i64>, title: String, form: MailboxForm, errors: Errors, status: StatusCode) -> PageResult {
    let security = |chosen: &str| {
        options(
            [
                ("tls".to_owned(), c.t.adm_security_tls.to_owned()),
                ("starttls".to_owned(), c.t.adm_security_starttls.to_owned()),
                ("plain".to_owned(), c.t.adm_security_plain.to_owned()),
            ],
            &[chosen.to_owned()],
        )
    };
    let page = FormPage {
        c,
        section: "admin",
        tab: "mailboxes",
        title,
        action: id.map_or_else(|| format!("{LIST}/new"), |id| format!("{LIST}/{id}")),
        imap_security: security(&form.imap.security),
        smtp_security: security(&form.smtp.security),
        unknown_senders: options(
            [
                ("customer".to_owned(), c.t.adm_unknown_customer.to_owned()),
                ("queue".to_owned(), c.t.adm_unknown_queue.to_owned()),
            ],
            std::slice::from_ref(&form.unknown_senders),
        ),
        form,
        errors,
    };
    html_status(status, &page)
}

async fn stored(state: &AppState, id: i64) -> Result<MailboxView, ApiError> {
    let m: Mailbox =
        state.read(move |tx| store_mail::mailbox(tx, id).map_err(ApiError::or_not_found("mailbox"))).await?;
    // Only the view (no passwords) goes further.
    Ok(MailboxView::from(m))
}

fn edit_title(c: &Ctx, name: &str) -> String {
    fill(c.t.adm_mailbox_edit, &[("name", name)])
}

pub async fn new_form(c: Ctx) -> PageResult {
    c.admin()?;
    show(&c, None, c.t.adm_mailbox_new.to_owned(), MailboxForm::blank(), Errors::default(), StatusCode::OK)
}

async fn save(
    state: AppState,
    c: Ctx,
    id: Option<i64>,
    old: Option<MailboxView>,
    title: String,
    f: Vec<(String, String)>,
) -> PageResult {
    let actor = c.admin()?.clone();
    let fields = Fields::new(f);
    let form = MailboxForm::sent(&fields, old.as_ref());
    let mut errors = Errors::default();
    let body = form.body(&c, &mut errors, &fields);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let now = c.now;
        let done = state
            .write(move |tx| match id {
                None => api::new_mailbox(tx, &actor, body, now),
                Some(id) => api::change_mailbox(tx, &actor, id, body, now),
            })
            .await;
        match done {
            Ok(_) => return Ok(saved(&c, LIST)),
            Err(e) => (status, errors) = form_errors_as(e, FIELDS, RENAMES)?,
        }
    }
    show(&c, id, title, form, errors, status)
}

pub async fn create(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let title = c.t.adm_mailbox_new.to_owned();
    save(state, c, None, None, title, f).await
}

pub async fn edit_form(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let m = stored(&state, id).await?;
    show(&c, Some(id), edit_title(&c, &m.name), MailboxForm::of(&m), Errors::default(), StatusCode::OK)
}

pub async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    c.admin()?;
    let id = path_id(&raw)?;
    let m = stored(&state, id).await?;
    let title = edit_title(&c, &m.name);
    save(state, c, Some(id), Some(m), title, f).await
}

// ---------------------------------------------------------------- the quarantine

#[derive(Deserialize, Default)]
pub struct QuarantineQuery {
    all: Option<String>,
    /// After a retry: what became of the message.
    outcome: Option<String>,
    ticket: Option<i64>,
    id: Option<i64>,
    dismissed: Option<String>,
}

struct QRow {
    id: i64,
    mailbox: String,
    received: String,
    reason: String,
    source: String,
    attempts: i64,
    size: String,
    headers: String,
    resolved: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/quarantine.html")]
struct QuarantinePage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<QRow>,
    all: bool,
    notice: Option<String>,
    still: Option<String>,
}

pub async fn quarantine(State(state): State<AppState>, c: Ctx, Query(q): Query<QuarantineQuery>) -> PageResult {
    c.admin()?;
    let all = q.all.is_some();
    let (list, boxes) =
        state.read(move |tx| Ok((store_mail::quarantined(tx, all)?, store_mail::mailboxes(tx)?))).await?;
    let mailbox = |id: i64| boxes.iter().find(|m| m.id == id).map_or_else(|| format!("#{id}"), |m| m.name.clone());
    let rows: Vec<QRow> = list
        .into_iter()
        .map(QuarantinedView::from)
        .map(|v| QRow {
            id: v.id,
            mailbox: mailbox(v.mailbox_id),
            received: when(&c, v.created_at),
            reason: v.reason,
            source: v.source,
            attempts: v.attempts,
            size: forms::bytes(v.size_bytes),
            headers: v.headers_preview,
            resolved: v.resolved_at.map(|at| {
                fill(c.t.adm_resolved, &[("at", &when(&c, at)), ("how", v.resolution.as_deref().unwrap_or_default())])
            }),
        })
        .collect();
    let number = q.ticket.map(|n| n.to_string()).unwrap_or_default();
    let notice = match q.outcome.as_deref() {
        Some("ticket") => Some(fill(c.t.adm_retried_ticket, &[("n", &number)])),
        Some("reply") => Some(fill(c.t.adm_retried_reply, &[("n", &number)])),
        Some("automatic") => Some(fill(c.t.adm_retried_other, &[("outcome", c.t.adm_outcome_automatic)])),
        Some("bounce") => Some(fill(c.t.adm_retried_other, &[("outcome", c.t.adm_outcome_bounce)])),
        Some("duplicate") => Some(fill(c.t.adm_retried_other, &[("outcome", c.t.adm_outcome_duplicate)])),
        _ if q.dismissed.is_some() => Some(c.t.adm_dismissed.to_owned()),
        _ => None,
    };
    // Still quarantined: its row shows the new reason.
    let still = (q.outcome.as_deref() == Some("quarantined")).then(|| {
        let reason = q.id.and_then(|id| rows.iter().find(|r| r.id == id)).map_or("", |r| r.reason.as_str());
        fill(c.t.adm_retried_again, &[("reason", reason)])
    });
    html(&QuarantinePage { c: &c, section: "admin", tab: "mailboxes", rows, all, notice, still })
}

pub async fn retry(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let actor = c.admin()?.clone();
    let id = path_id(&raw)?;
    let r = api::retry_quarantined_message(&state, &actor, id).await?;
    let ticket = r.ticket_number.map(|n| format!("&ticket={n}")).unwrap_or_default();
    Ok(see_other(&c, &format!("{QUARANTINE}?outcome={}{ticket}&id={id}", r.outcome)))
}

pub async fn dismiss(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let actor = c.admin()?.clone();
    let id = path_id(&raw)?;
    let now = c.now;
    state.write(move |tx| api::dismiss_quarantined_message(tx, &actor, id, now)).await?;
    Ok(see_other(&c, &format!("{QUARANTINE}?dismissed=1")))
}
