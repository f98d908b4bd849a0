//! REST endpoints for tickets, articles, history and attachments.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status, TicketNumber};
use deskbell_store::tickets::{self, AssigneeFilter, Call, Cursor, Filter, Sort};
use deskbell_store::{attachments, events};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, Limits, LocalItChecks, NewArticle, NewTicket, StatusChange, TicketChanges, Upload};
use super::views::{ArticleView, CreatedArticle, CreatedTicket, EventView, TicketPage, TicketView};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{self, Json};
use crate::patch::{Patch, double_option};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket, update_ticket))
        .routes(routes!(transition_ticket))
        .routes(routes!(list_articles, add_article))
        .routes(routes!(ticket_history))
        .routes(routes!(download_attachment))
}

pub(crate) fn limits(state: &AppState) -> Limits {
    Limits { attachment_max_bytes: state.config.attachment_max_bytes, reopen_days: state.config.reopen_days }
}

pub(crate) fn number(raw: &str) -> ApiResult<i64> {
    // A malformed number is a ticket that cannot exist: answer like any missing ticket.
    raw.parse::<TicketNumber>().map(TicketNumber::get).map_err(|_| ApiError::not_found("ticket"))
}

// ---------------------------------------------------------------- list

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Comma-separated statuses, e.g. `new,open`.
    pub status: Option<String>,
    /// Comma-separated priorities.
    pub priority: Option<String>,
    /// Comma-separated kinds.
    pub kind: Option<String>,
    /// Comma-separated channels.
    pub channel: Option<String>,
    /// Comma-separated organisation ids.
    pub organisation: Option<String>,
    /// A person id, or `none` for unassigned tickets.
    pub assignee: Option<String>,
    pub team: Option<i64>,
    pub product: Option<i64>,
    pub requester: Option<i64>,
    /// Full-text search in subjects and articles; Polish letters optional (`zolw` finds `żółw`).
    pub q: Option<String>,
    /// RFC 3339 instant: only tickets changed at or after it.
    pub updated_since: Option<String>,
    /// One of `-updated_at` (default), `updated_at`, `-created_at`, `created_at`, `-number`, `number`.
    pub sort: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<usize>,
}

fn list_of<T: std::str::FromStr>(field: &str, raw: &Option<String>) -> ApiResult<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    let Some(raw) = raw else { return Ok(Vec::new()) };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<T>()
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()).with_field(field))
        })
        .collect()
}

pub(crate) fn bad_query(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).with_field(field)
}

pub(crate) fn encode_cursor(c: Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", c.key, c.id))
}

pub(crate) fn decode_cursor(s: &str) -> ApiResult<Cursor> {
    let bad = || bad_query("cursor", "the cursor is not one this server handed out");
    let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (k, i) = text.split_once(':').ok_or_else(bad)?;
    Ok(Cursor { key: k.parse().map_err(|_| bad())?, id: i.parse().map_err(|_| bad())? })
}

/// The query string with our own errors: an unknown parameter or a wrong type is named.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or_default();
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| Q(v))
            .map_err(|e| bad_query("", format!("bad query string `{q}`: {}", e.body_text())))
    }
}

/// List and search tickets the caller may see.
#[utoipa::path(get, path = "/tickets", tag = "tickets", params(ListQuery),
    responses((status = 200, body = TicketPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_tickets(
    State(state): State<AppState>,
    actor: Actor,
    Q(q): Q<ListQuery>,
) -> ApiResult<Json<TicketPage>> {
    let assignee = match q.assignee.as_deref() {
        None => None,
        Some("none") => Some(AssigneeFilter::Unassigned),
        Some(s) => Some(AssigneeFilter::Person(s.parse().map_err(|_| bad_query("assignee", "a person id or `none`"))?)),
    };
    let sort = match &q.sort {
        None => Sort::default(),
        Some(s) => Sort::parse(s)
            .ok_or_else(|| bad_query("sort", format!("unknown sort `{s}`; use one of {}", Sort::NAMES.join(", "))))?,
    };
    let updated_since = q
        .updated_since
        .as_deref()
        .map(|s| {
            s.parse::<jiff::Timestamp>()
                .map_err(|_| bad_query("updated_since", "an RFC 3339 instant such as 2026-11-01T00:00:00Z"))
        })
        .transpose()?;
    let filter = Filter {
        statuses: list_of::<Status>("status", &q.status)?,
        priorities: list_of::<Priority>("priority", &q.priority)?,
        kinds: list_of::<Kind>("kind", &q.kind)?,
        channels: list_of::<Channel>("channel", &q.channel)?,
        organisation_ids: list_of::<i64>("organisation", &q.organisation)?,
        assignee,
        team_ids: q.team.into_iter().collect(),
        product_id: q.product,
        requester_id: q.requester,
        q: q.q.filter(|s| !s.trim().is_empty()),
        updated_since,
        at_risk: None,
        sort,
        after: q.cursor.as_deref().map(decode_cursor).transpose()?,
        limit: q.limit.unwrap_or(50),
    };
    if !(1..=200).contains(&filter.limit) {
        return Err(bad_query("limit", "limit is between 1 and 200"));
    }
    let page = state
        .read(move |tx| {
            let mut page = tickets::list(tx, &actor.scope, &filter)?;
            super::merge::hide_foreign_parents(tx, &actor, &mut page.items)?;
            Ok(page)
        })
        .await?;
    Ok(Json(TicketPage {
        items: page.items.into_iter().map(TicketView::from).collect(),
        next_cursor: page.next.map(encode_cursor),
    }))
}

// ---------------------------------------------------------------- create

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketCreate {
    pub subject: String,
    /// The first article: what happened.
    pub body: String,
    /// Vendor side: the reporting customer person (their organisation follows).
    pub requester_id: Option<i64>,
    pub organisation_id: Option<i64>,
    #[serde(default)]
    pub cc: Vec<String>,
    /// Vendor side only (default `phone`); customers' tickets take the channel they came by.
    #[schema(schema_with = crate::schema::channel)]
    pub channel: Option<Channel>,
    #[schema(schema_with = crate::schema::kind)]
    pub kind: Option<Kind>,
    #[schema(schema_with = crate::schema::priority)]
    pub priority: Priority,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    pub installation_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Required from customers for `critical` and `fault`.
    pub local_it_checks: Option<LocalItChecks>,
}

/// A JSON body, or `multipart/form-data` with the JSON in a part named `data` and files in
/// parts named `attachments`.
pub struct WithFiles<T> {
    pub data: T,
    pub files: Vec<Upload>,
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for WithFiles<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            let Json(data) = Json::<T>::from_request(req, state).await?;
            return Ok(WithFiles { data, files: Vec::new() });
        }
        let too_large = |e: axum::extract::multipart::MultipartError| {
            let status = e.status();
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "body_too_large" } else { "malformed_multipart" };
            ApiError::new(status, code, e.body_text())
        };
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "malformed_multipart", e.body_text()))?;
        let mut data: Option<Bytes> = None;
        let mut files = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(too_large)? {
            match field.name() {
                Some("data") => data = Some(field.bytes().await.map_err(too_large)?),
                Some("attachments") => {
                    let filename = field.file_name().unwrap_or("attachment").to_owned();
                    let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
                    let bytes = field.bytes().await.map_err(too_large)?;
                    files.push(Upload { filename, content_type, data: bytes.to_vec(), content_id: None });
                }
                other => {
                    return Err(ApiError::invalid(
                        other.unwrap_or(""),
                        "unknown part; send `data` (JSON) and `attachments` (files)",
                    ));
                }
            }
        }
        let data =
            data.ok_or_else(|| ApiError::invalid("data", "the multipart body needs a `data` part with the JSON"))?;
        Ok(WithFiles { data: json::parse(&data)?, files })
    }
}

/// Open a ticket with its first article (JSON, or multipart with attachments).
#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = TicketCreate,
    responses((status = 201, body = CreatedTicket), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_ticket(
    State(state): State<AppState>,
    actor: Actor,
    body: WithFiles<TicketCreate>,
) -> ApiResult<(StatusCode, Json<CreatedTicket>)> {
    let r = body.data;
    let input = NewTicket {
        subject: r.subject,
        body: r.body,
        organisation_id: r.organisation_id,
        requester_id: r.requester_id,
        cc: r.cc,
        channel: r.channel,
        kind: r.kind.unwrap_or(Kind::Incident),
        priority: r.priority,
        product_id: r.product_id,
        module: r.module,
        installation_id: r.installation_id,
        assignee_id: r.assignee_id,
        team_id: r.team_id,
        tags: r.tags,
        local_it_checks: r.local_it_checks,
        attachments: body.files,
        call: None,
    };
    let now = state.now();
    let limits = limits(&state);
    let (ticket, article) = state.write(move |tx| service::create(tx, &actor, input, limits, now)).await?;
    state.metrics.tickets_created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok((StatusCode::CREATED, Json(CreatedTicket { ticket: ticket.into(), article: article.into() })))
}

// ---------------------------------------------------------------- get / patch

/// One ticket.
#[utoipa::path(get, path = "/tickets/{number}", tag = "tickets", params(("number" = String, Path, description = "Ticket number, e.g. 1234")),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn get_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<TicketView>> {
    let n = number(&raw)?;
    let t = state
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            super::merge::shown(tx, &actor, t)
        })
        .await?;
    Ok(Json(t.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketUpdate {
    /// The `version` you last read; a stale one is refused with 409 `version_conflict`.
    pub version: i64,
    pub subject: Option<String>,
    #[schema(schema_with = crate::schema::priority)]
    pub priority: Option<Priority>,
    /// Required when the priority changes.
    pub priority_reason: Option<String>,
    #[schema(schema_with = crate::schema::kind)]
    pub kind: Option<Kind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub product_id: Patch<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub module: Patch<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub installation_id: Patch<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Patch<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Patch<i64>,
    pub tags: Option<Vec<String>>,
    pub cc: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Patch<String>,
    /// Number of the parent ticket (a major incident); `null` unlinks.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_number: Patch<i64>,
}

/// Change a ticket's fields (vendor side). Each changed field is a history event.
#[utoipa::path(patch, path = "/tickets/{number}", tag = "tickets", params(("number" = String, Path)), request_body = TicketUpdate,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(r): Json<TicketUpdate>,
) -> ApiResult<Json<TicketView>> {
    let n = number(&raw)?;
    let changes = TicketChanges {
        subject: r.subject,
        priority: r.priority,
        priority_reason: r.priority_reason,
        kind: r.kind,
        product_id: r.product_id,
        module: r.module,
        installation_id: r.installation_id,
        assignee_id: r.assignee_id,
        team_id: r.team_id,
        tags: r.tags,
        cc: r.cc,
        due_date: r.due_date,
        parent_number: r.parent_number,
    };
    let now = state.now();
    let t = state.write(move |tx| service::update(tx, &actor, n, r.version, changes, now)).await?;
    Ok(Json(t.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    #[schema(schema_with = crate::schema::status)]
    pub status: Status,
    /// The `version` you last read; when given, a stale one is refused with 409.
    pub version: Option<i64>,
    pub reason: Option<String>,
}

/// Move a ticket to another status. Customers may confirm (`closed`) or reopen (`open`) a
/// resolved ticket; an invalid transition is refused and changes nothing.
#[utoipa::path(post, path = "/tickets/{number}/transitions", tag = "tickets", params(("number" = String, Path)), request_body = TransitionRequest,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn transition_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Json(r): Json<TransitionRequest>,
) -> ApiResult<Json<TicketView>> {
    let n = number(&raw)?;
    let now = state.now();
    let limits = limits(&state);
    let t = state
        .write(move |tx| {
            let change = StatusChange { to: r.status, version: r.version, reason: r.reason };
            let t = service::transition(tx, &actor, n, change, limits, now)?;
            super::merge::shown(tx, &actor, t)
        })
        .await?;
    Ok(Json(t.into()))
}

// ---------------------------------------------------------------- articles

/// The conversation of a ticket; customers do not see internal notes.
#[utoipa::path(get, path = "/tickets/{number}/articles", tag = "tickets", params(("number" = String, Path)),
    responses((status = 200, body = Vec<ArticleView>), (status = 404, body = ErrorBody)))]
pub async fn list_articles(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<Vec<ArticleView>>> {
    let n = number(&raw)?;
    let list = state
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            Ok(tickets::articles(tx, t.id, actor.is_vendor())?)
        })
        .await?;
    Ok(Json(list.into_iter().map(ArticleView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleCreate {
    #[schema(schema_with = crate::schema::article_kind)]
    pub kind: ArticleKind,
    pub body: String,
    /// For `phone_call`.
    #[schema(schema_with = crate::schema::call_direction)]
    pub call_direction: Option<CallDirection>,
    pub call_number: Option<String>,
    pub call_duration_secs: Option<i64>,
}

/// Add a public reply, an internal note or a phone call (JSON, or multipart with attachments).
#[utoipa::path(post, path = "/tickets/{number}/articles", tag = "tickets", params(("number" = String, Path)), request_body = ArticleCreate,
    responses((status = 201, body = CreatedArticle), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_article(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    body: WithFiles<ArticleCreate>,
) -> ApiResult<(StatusCode, Json<CreatedArticle>)> {
    let n = number(&raw)?;
    let r = body.data;
    if r.call_duration_secs.is_some_and(|d| !(0..=86_400).contains(&d)) {
        return Err(ApiError::invalid("call_duration_secs", "a call lasts between 0 and 86400 seconds"));
    }
    let call = match (r.kind, r.call_direction) {
        (ArticleKind::PhoneCall, Some(direction)) => Some(Call {
            direction,
            number: r.call_number.map(|n| crate::admin::api::normalise_phone(&n).unwrap_or(n)),
            duration_secs: r.call_duration_secs,
        }),
        (ArticleKind::PhoneCall, None) => {
            return Err(ApiError::invalid("call_direction", "a phone call needs its direction"));
        }
        (_, Some(_)) => return Err(ApiError::invalid("call_direction", "only a phone call has a direction")),
        (_, None) => None,
    };
    let article = NewArticle { kind: r.kind, body: r.body, call, mail: None, attachments: body.files };
    let now = state.now();
    let limits = limits(&state);
    let (t, a) = state
        .write(move |tx| {
            let (t, a) = service::add_article(tx, &actor, n, article, limits, now)?;
            Ok((super::merge::shown(tx, &actor, t)?, a))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedArticle { ticket: t.into(), article: a.into() })))
}

/// What happened to a ticket, oldest first. Customers do not see events of internal notes.
#[utoipa::path(get, path = "/tickets/{number}/history", tag = "tickets", params(("number" = String, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 404, body = ErrorBody)))]
pub async fn ticket_history(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> ApiResult<Json<Vec<EventView>>> {
    let n = number(&raw)?;
    let vendor = actor.is_vendor();
    let list = state
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            Ok(events::list(tx, t.id)?)
        })
        .await?;
    let visible = list.into_iter().filter(|e| {
        vendor
            || (e.field.as_deref() != Some(ArticleKind::InternalNote.as_str())
                && super::relations_api::customer_may_see(e))
    });
    Ok(Json(visible.map(EventView::from).collect()))
}

// ---------------------------------------------------------------- attachments

/// Content types a browser may show inline. Everything else (HTML, SVG, scripts) is sent
/// as a download so an uploaded file can never run in deskbell's origin.
const INLINE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"];

/// Download an attachment, authorised like its ticket.
#[utoipa::path(get, path = "/attachments/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download_attachment(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (meta, data) = state
        .read(move |tx| {
            let missing = || ApiError::not_found("attachment");
            let a = attachments::get(tx, id).map_err(|_| missing())?;
            let t = tickets::by_id(tx, a.ticket_id)?;
            // Same visibility as the ticket, and internal notes' files stay internal.
            tickets::by_number(tx, t.number, &actor.scope).map_err(|_| missing())?;
            if !actor.is_vendor() {
                let public = tickets::articles(tx, t.id, false)?.iter().any(|ar| ar.id == a.article_id);
                if !public {
                    return Err(missing());
                }
            }
            let data = attachments::content(tx, &a.sha256)?;
            Ok((a, data))
        })
        .await?;
    Ok(file_response(&meta, data, INLINE_TYPES))
}

/// A stored file as an answer: shown inline only when its type is one of `inline_types`,
/// otherwise a download, and sandboxed either way, so an uploaded file never runs in
/// deskbell's origin.
pub(crate) fn file_response(meta: &attachments::Attachment, data: Vec<u8>, inline_types: &[&str]) -> Response {
    let mime = meta.content_type.split(';').next().unwrap_or_default().trim().to_lowercase();
    let inline = inline_types.contains(&mime.as_str());
    let served_type = if inline { meta.content_type.clone() } else { "application/octet-stream".to_owned() };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&served_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        crate::web::forms::percent_encode(&meta.filename)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    (headers, data).into_response()
}
