//! Mailboxes (IMAP and SMTP servers; passwords are write-only: the form never shows one, and
//! an empty password field keeps the stored one) and the mail quarantine with its retry and
//! dismiss buttons, which call the same functions as `/api/v1/mail/quarantine`.

use askama::Template;
use axum::extract::{Path, Query, State};
use deskbell_store::mail::{self as store_mail, Mailbox};
use serde::Deserialize;

use super::{
    Fields, Frame, ListQuery, Opt, RecordForm, Saving, fixed, hundredths, opt_hundredths, opt_int, options, path_id,
    saved,
};
use crate::error::ApiError;
use crate::mail::admin::{self as api, EndpointInput, EndpointView, MailboxBody, MailboxView, QuarantinedView};
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status, see_other};
use crate::web::forms::{self, Errors};
use crate::web::i18n::{self, fill};

const LIST: &str = "/admin/mailboxes";
const QUARANTINE: &str = "/admin/quarantine";
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

pub(super) struct MailboxForm {
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

impl RecordForm for MailboxForm {
    /// Only the view (no passwords) is taken from the store.
    type Stored = MailboxView;
    type Input = MailboxBody;
    const LIST: &'static str = LIST;
    const FIELDS: &'static [&'static str] = &[
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
    const RENAMES: &'static [(&'static str, &'static str)] =
        &[("max_message_bytes", "max_message_mb"), ("imap", "imap_host"), ("smtp", "smtp_host")];

    async fn load(state: &AppState, id: i64) -> Result<MailboxView, ApiError> {
        let m: Mailbox = super::find(state, id, "mailbox", store_mail::mailbox).await?;
        Ok(MailboxView::from(m))
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_mailbox_new.to_owned()
    }

    fn edit_title(c: &Ctx, m: &MailboxView) -> String {
        fill(c.t.adm_mailbox_edit, &[("name", &m.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<MailboxForm, ApiError> {
        Ok(MailboxForm {
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
        })
    }

    fn of(_: &Ctx, m: MailboxView) -> MailboxForm {
        MailboxForm {
            imap: EndpointForm::of(m.imap.as_ref(), "tls"),
            smtp: EndpointForm::of(m.smtp.as_ref(), "starttls"),
            name: m.name,
            address: m.address,
            display_name: m.display_name,
            imap_folder: m.imap_folder,
            poll_secs: m.poll_secs.to_string(),
            unknown_senders: m.unknown_senders,
            max_message_mb: hundredths((m.max_message_bytes * 100 + MB / 2) / MB),
            active: m.active,
        }
    }

    fn sent(_: &Ctx, f: &Fields, stored: Option<&MailboxView>) -> MailboxForm {
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
    fn input(&self, c: &Ctx, f: &Fields, errors: &mut Errors) -> Option<MailboxBody> {
        let password = |name: &str| Some(f.raw(name).to_owned()).filter(|p| !p.is_empty());
        Some(MailboxBody {
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
        })
    }

    async fn write(&self, saving: Saving<'_>, body: MailboxBody) -> Result<String, ApiError> {
        saving.new_or_change(body, api::new_mailbox, api::change_mailbox).await?;
        Ok(saved(LIST))
    }

    async fn show(self, _: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let security = |chosen: &str| {
            let t = c.t;
            options(
                fixed(&[
                    ("tls", t.adm_security_tls),
                    ("starttls", t.adm_security_starttls),
                    ("plain", t.adm_security_plain),
                ]),
                &[chosen.to_owned()],
            )
        };
        let page = FormPage {
            c,
            section: "admin",
            tab: "mailboxes",
            title: frame.title,
            action: frame.action,
            imap_security: security(&self.imap.security),
            smtp_security: security(&self.smtp.security),
            unknown_senders: options(
                fixed(&[("customer", c.t.adm_unknown_customer), ("queue", c.t.adm_unknown_queue)]),
                std::slice::from_ref(&self.unknown_senders),
            ),
            form: self,
            errors: frame.errors,
        };
        html_status(frame.status, &page)
    }
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
