//! Admin API of the mail channel: mailboxes (passwords are write-only), the quarantine with
//! its retry and dismiss actions, and the outbox.
//!
//! Each write is a plain function (`new_mailbox`, `change_mailbox`,
//! `retry_quarantined_message`, `dismiss_quarantined_message`) holding all of its checks;
//! the JSON handlers and the admin pages both call it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_domain::person::EmailAddress;
use deskbell_store::mail::{self, Endpoint, Mailbox, MailboxInput, OutboxRow, Quarantined, UnknownSenders};
use deskbell_store::{StoreError, Tx};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::intake::{self, Outcome, Source};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;
use crate::tickets::service::Limits;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mailboxes, create_mailbox))
        .routes(routes!(get_mailbox, update_mailbox))
        .routes(routes!(list_quarantine))
        .routes(routes!(retry_quarantined))
        .routes(routes!(dismiss_quarantined))
        .routes(routes!(list_outbox))
}

/// An IMAP or SMTP server as shown: the password is never sent back.
#[derive(Serialize, ToSchema)]
pub struct EndpointView {
    pub host: String,
    pub port: i64,
    /// `tls`, `starttls` or `plain` (loopback only).
    pub security: String,
    pub user: Option<String>,
    pub has_password: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MailboxView {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub imap: Option<EndpointView>,
    pub imap_folder: String,
    pub poll_secs: i64,
    pub smtp: Option<EndpointView>,
    /// `customer` or `queue`.
    pub unknown_senders: String,
    pub max_message_bytes: i64,
    pub active: bool,
    #[schema(value_type = Option<String>)]
    pub last_poll_at: Option<Timestamp>,
    /// Why the last poll failed; `null` when it worked.
    pub last_error: Option<String>,
}

fn endpoint_view(e: Endpoint) -> EndpointView {
    EndpointView { host: e.host, port: e.port, security: e.security, user: e.user, has_password: e.password.is_some() }
}

impl From<Mailbox> for MailboxView {
    fn from(m: Mailbox) -> Self {
        MailboxView {
            id: m.id,
            name: m.name,
            address: m.address,
            display_name: m.display_name,
            imap: m.imap.map(endpoint_view),
            imap_folder: m.imap_folder,
            poll_secs: m.poll_secs,
            smtp: m.smtp.map(endpoint_view),
            unknown_senders: m.unknown_senders.as_str().to_owned(),
            max_message_bytes: m.max_message_bytes,
            active: m.active,
            last_poll_at: m.last_poll_at,
            last_error: m.last_error,
        }
    }
}

#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    pub host: String,
    pub port: i64,
    /// `tls` (default), `starttls` or `plain`; `plain` only for a server on loopback.
    pub security: Option<String>,
    pub user: Option<String>,
    /// Write-only. Omitted on an update: the stored password stays.
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxBody {
    pub name: String,
    /// The support address: From and Reply-To of outgoing mail.
    pub address: String,
    pub display_name: Option<String>,
    pub imap: Option<EndpointInput>,
    /// Default `INBOX`.
    pub imap_folder: Option<String>,
    /// Seconds between polls when the server has no IDLE (5–3600, default 60).
    pub poll_secs: Option<i64>,
    pub smtp: Option<EndpointInput>,
    /// `customer` (default) or `queue`.
    pub unknown_senders: Option<String>,
    /// Larger messages are quarantined (1 KB – 100 MB, default 25 MB).
    pub max_message_bytes: Option<i64>,
    pub active: Option<bool>,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
}

fn check_endpoint(field: &str, e: EndpointInput, old: Option<&Endpoint>, default: &str) -> ApiResult<Endpoint> {
    let host = e.host.trim();
    if host.is_empty() || host.len() > 253 || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::invalid(&format!("{field}.host"), "a host name or IP address"));
    }
    if !(1..=65535).contains(&e.port) {
        return Err(ApiError::invalid(&format!("{field}.port"), "a port from 1 to 65535"));
    }
    let security = e.security.unwrap_or_else(|| default.to_owned());
    if !["tls", "starttls", "plain"].contains(&security.as_str()) {
        return Err(ApiError::invalid(&format!("{field}.security"), "one of tls, starttls, plain"));
    }
    if security == "plain" && !is_loopback(host) {
        return Err(ApiError::invalid(
            &format!("{field}.security"),
            "plain (unencrypted) connections are allowed only to a server on this machine; use tls or starttls",
        ));
    }
    let password = e.password.or_else(|| old.and_then(|o| o.password.clone()));
    Ok(Endpoint { host: host.to_owned(), port: e.port, security, user: e.user, password })
}

fn check_mailbox(b: MailboxBody, old: Option<&Mailbox>) -> ApiResult<MailboxInput> {
    let name = b.name.trim().to_owned();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name", "a mailbox name has 1–100 characters"));
    }
    let address: EmailAddress = b
        .address
        .parse()
        .map_err(|_| ApiError::invalid("address", format!("`{}` is not an e-mail address", b.address)))?;
    let poll_secs = b.poll_secs.unwrap_or(60);
    if !(5..=3600).contains(&poll_secs) {
        return Err(ApiError::invalid("poll_secs", "between 5 and 3600 seconds"));
    }
    let unknown_senders = match b.unknown_senders.as_deref() {
        None => UnknownSenders::Customer,
        Some(s) => UnknownSenders::parse(s).ok_or_else(|| ApiError::invalid("unknown_senders", "customer or queue"))?,
    };
    let max_message_bytes = b.max_message_bytes.unwrap_or(25 * 1024 * 1024);
    if !(1024..=100 * 1024 * 1024).contains(&max_message_bytes) {
        return Err(ApiError::invalid("max_message_bytes", "between 1 KB and 100 MB"));
    }
    let imap = b.imap.map(|e| check_endpoint("imap", e, old.and_then(|o| o.imap.as_ref()), "tls")).transpose()?;
    let smtp = b.smtp.map(|e| check_endpoint("smtp", e, old.and_then(|o| o.smtp.as_ref()), "starttls")).transpose()?;
    let folder = b.imap_folder.unwrap_or_else(|| "INBOX".into());
    if folder.trim().is_empty() || folder.chars().any(char::is_control) {
        return Err(ApiError::invalid("imap_folder", "a folder name"));
    }
    Ok(MailboxInput {
        name,
        address: address.as_str().to_owned(),
        display_name: b.display_name.unwrap_or_default().trim().to_owned(),
        imap,
        imap_folder: folder,
        poll_secs,
        smtp,
        unknown_senders,
        max_message_bytes,
        active: b.active.unwrap_or(true),
    })
}

fn name_taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Unique { .. } => {
            ApiError::conflict("name_taken", "another mailbox has this name").with_field("name")
        }
        e => e.into(),
    }
}

/// Mailboxes (admin).
#[utoipa::path(get, path = "/mailboxes", tag = "mail", responses((status = 200, body = Vec<MailboxView>), (status = 403, body = ErrorBody)))]
pub async fn list_mailboxes(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<MailboxView>>> {
    actor.require_admin()?;
    let list = app.read(|tx| Ok(mail::mailboxes(tx)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add a mailbox (admin).
#[utoipa::path(post, path = "/mailboxes", tag = "mail", request_body = MailboxBody,
    responses((status = 201, body = MailboxView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_mailbox(
    State(app): State<AppState>,
    actor: Actor,
    Json(body): Json<MailboxBody>,
) -> ApiResult<(StatusCode, Json<MailboxView>)> {
    actor.require_admin()?;
    let now = app.now();
    let m = app.write(move |tx| new_mailbox(tx, &actor, body, now)).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Adds a mailbox (admin).
pub fn new_mailbox(tx: &mut Tx<'_>, actor: &Actor, body: MailboxBody, now: Timestamp) -> ApiResult<Mailbox> {
    actor.require_admin()?;
    let input = check_mailbox(body, None)?;
    mail::create_mailbox(tx, &input, now).map_err(name_taken)
}

#[utoipa::path(get, path = "/mailboxes/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = MailboxView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_mailbox(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<MailboxView>> {
    actor.require_admin()?;
    let m = app.read(move |tx| mail::mailbox(tx, id).map_err(ApiError::or_not_found("mailbox"))).await?;
    Ok(Json(m.into()))
}

/// Replace a mailbox's settings (admin); omitted passwords stay as they were.
#[utoipa::path(patch, path = "/mailboxes/{id}", tag = "mail", params(("id" = i64, Path)), request_body = MailboxBody,
    responses((status = 200, body = MailboxView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_mailbox(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<MailboxBody>,
) -> ApiResult<Json<MailboxView>> {
    actor.require_admin()?;
    let now = app.now();
    let m = app.write(move |tx| change_mailbox(tx, &actor, id, body, now)).await?;
    Ok(Json(m.into()))
}

/// Replaces a mailbox's settings (admin); omitted passwords stay as they were.
pub fn change_mailbox(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    body: MailboxBody,
    now: Timestamp,
) -> ApiResult<Mailbox> {
    actor.require_admin()?;
    let old = mail::mailbox(tx, id).map_err(ApiError::or_not_found("mailbox"))?;
    let input = check_mailbox(body, Some(&old))?;
    mail::update_mailbox(tx, id, &input, now).map_err(name_taken)
}

#[derive(Serialize, ToSchema)]
pub struct QuarantinedView {
    pub id: i64,
    pub mailbox_id: i64,
    /// Why it could not be stored.
    pub reason: String,
    /// `imap uid 42`, `pipe`, …
    pub source: String,
    pub attempts: i64,
    pub size_bytes: usize,
    /// The first header lines, for recognising the message.
    pub headers_preview: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub resolved_at: Option<Timestamp>,
    pub resolution: Option<String>,
}

impl From<Quarantined> for QuarantinedView {
    fn from(q: Quarantined) -> Self {
        let head = &q.raw[..q.raw.len().min(2048)];
        let text = String::from_utf8_lossy(head);
        let headers_preview = text
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                ["from:", "to:", "subject:", "date:", "message-id:"].iter().any(|h| l.starts_with(h))
            })
            .collect::<Vec<_>>()
            .join("\n");
        QuarantinedView {
            id: q.id,
            mailbox_id: q.mailbox_id,
            reason: q.reason,
            source: q.source,
            attempts: q.attempts,
            size_bytes: q.raw.len(),
            headers_preview,
            created_at: q.created_at,
            resolved_at: q.resolved_at,
            resolution: q.resolution,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuarantineQuery {
    /// Include messages already retried or dismissed.
    #[serde(default)]
    pub all: bool,
}

/// Quarantined messages, newest first (admin).
#[utoipa::path(get, path = "/mail/quarantine", tag = "mail", params(QuarantineQuery),
    responses((status = 200, body = Vec<QuarantinedView>), (status = 403, body = ErrorBody)))]
pub async fn list_quarantine(
    State(app): State<AppState>,
    actor: Actor,
    Query(q): Query<QuarantineQuery>,
) -> ApiResult<Json<Vec<QuarantinedView>>> {
    actor.require_admin()?;
    let list = app.read(move |tx| Ok(mail::quarantined(tx, q.all)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct RetryResult {
    /// `ticket`, `reply`, `automatic`, `bounce`, `duplicate` or `quarantined`.
    pub outcome: String,
    pub ticket_number: Option<i64>,
    /// Why it is still quarantined.
    pub reason: Option<String>,
}

/// Run a quarantined message through the intake again (admin), e.g. after adding the
/// sender as a person. It stays quarantined, with the new reason, if it fails again.
#[utoipa::path(post, path = "/mail/quarantine/{id}/retry", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = RetryResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry_quarantined(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<RetryResult>> {
    Ok(Json(retry_quarantined_message(&app, &actor, id).await?))
}

/// Runs a quarantined message through the intake again (admin).
pub async fn retry_quarantined_message(app: &AppState, actor: &Actor, id: i64) -> ApiResult<RetryResult> {
    actor.require_admin()?;
    let now = app.now();
    let limits = Limits { attachment_max_bytes: app.config.attachment_max_bytes, reopen_days: app.config.reopen_days };
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || -> ApiResult<RetryResult> {
        let q =
            store.read(|tx| mail::quarantined_one(tx, id)).map_err(ApiError::or_not_found("quarantined message"))?;
        if q.resolved_at.is_some() {
            return Err(ApiError::conflict("already_resolved", "this message was already retried or dismissed"));
        }
        let mailbox = store.read(|tx| mail::mailbox(tx, q.mailbox_id))?;
        let source = Source { label: format!("retry of #{id}"), checkpoint: None };
        let outcome = intake::ingest(&store, &mailbox, &q.raw, &source, limits, now)?;
        let (name, number, reason) = match &outcome {
            Outcome::Ticket { number } => ("ticket", Some(*number), None),
            Outcome::Reply { number } => ("reply", Some(*number), None),
            Outcome::Automatic => ("automatic", None, None),
            Outcome::Bounce { .. } => ("bounce", None, None),
            Outcome::Duplicate => ("duplicate", None, None),
            Outcome::Quarantined { reason, .. } => ("quarantined", None, Some(reason.clone())),
        };
        if !matches!(outcome, Outcome::Quarantined { .. }) {
            let by = format!("retried: {name}");
            store.write(|tx| mail::resolve_quarantined(tx, id, &by, now))?;
        }
        Ok(RetryResult { outcome: name.into(), ticket_number: number, reason })
    })
    .await?
}

/// Dismiss a quarantined message (admin): it stays on record, nothing is made of it.
#[utoipa::path(post, path = "/mail/quarantine/{id}/dismiss", tag = "mail", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dismiss_quarantined(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    let now = app.now();
    app.write(move |tx| dismiss_quarantined_message(tx, &actor, id, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Dismisses a quarantined message (admin): it stays on record, nothing is made of it.
pub fn dismiss_quarantined_message(tx: &mut Tx<'_>, actor: &Actor, id: i64, now: Timestamp) -> ApiResult<()> {
    actor.require_admin()?;
    let who = format!("dismissed by {}", actor.person.email.as_str());
    mail::resolve_quarantined(tx, id, &who, now).map_err(ApiError::or_not_found("quarantined message"))
}

#[derive(Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub template: String,
    pub recipients: Vec<String>,
    pub message_id: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    #[schema(value_type = String)]
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    #[schema(value_type = Option<String>)]
    pub sent_at: Option<Timestamp>,
}

impl From<OutboxRow> for OutboxView {
    fn from(o: OutboxRow) -> Self {
        OutboxView {
            id: o.id,
            ticket_id: o.ticket_id,
            template: o.template,
            recipients: o.recipients,
            message_id: o.message_id,
            status: o.status,
            attempts: o.attempts,
            next_attempt_at: o.next_attempt_at,
            last_error: o.last_error,
            sent_at: o.sent_at,
        }
    }
}

/// The latest outgoing mail, newest first (admin).
#[utoipa::path(get, path = "/mail/outbox", tag = "mail",
    responses((status = 200, body = Vec<OutboxView>), (status = 403, body = ErrorBody)))]
pub async fn list_outbox(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<OutboxView>>> {
    actor.require_admin()?;
    let list = app.read(|tx| Ok(mail::outbox_recent(tx, 200)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}
