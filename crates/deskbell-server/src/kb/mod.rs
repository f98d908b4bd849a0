//! The knowledge base, trainings and webinars, and release notes: the write functions that
//! hold every check (the JSON handlers and the pages both call them, so there is one
//! validation path), the JSON API, and Markdown rendering.
//!
//! Who reads what is the store's [`Reader`], taken from the caller: nobody logged in reads
//! public articles, customers also customer-only ones, the vendor's staff everything.

pub mod articles;
pub mod markdown;
pub mod releases;
pub mod trainings;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use deskbell_domain::kb::Reader;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Actor, SESSION_COOKIE, cookie_value};
use crate::error::ApiError;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(articles::routes()).merge(trainings::routes()).merge(releases::routes())
}

/// The reader an optional caller is.
pub fn reader(actor: Option<&Actor>) -> Reader {
    match actor {
        None => Reader::Anonymous,
        Some(a) if a.is_vendor() => Reader::Vendor,
        Some(_) => Reader::Customer,
    }
}

/// The caller when there is one: public knowledge needs no login, but a wrong token or an
/// expired session is still an error (rather than silently reading as nobody).
pub struct MaybeActor(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<MaybeActor, ApiError> {
        let credentials =
            parts.headers.contains_key(header::AUTHORIZATION) || cookie_value(&parts.headers, SESSION_COOKIE).is_some();
        if !credentials {
            return Ok(MaybeActor(None));
        }
        Actor::from_request_parts(parts, state).await.map(|a| MaybeActor(Some(a)))
    }
}

/// A required text: trimmed, not empty, at most `max` characters, no control characters
/// except line breaks and tabs when `multiline` (the ticket service's check).
pub fn text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String, ApiError> {
    crate::tickets::service::clean_text(field, value, max, multiline)
}

/// An optional text: empty means none.
pub fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if !v.trim().is_empty() => text(field, &v, max, false).map(Some),
        _ => Ok(None),
    }
}

/// A link people open (an online meeting, a recording): `https://` or `http://` only, so a
/// `javascript:` URL never becomes a link.
pub fn web_url(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(v) = optional(field, value, 2000)? else { return Ok(None) };
    let lower = v.to_ascii_lowercase();
    let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !v.contains(char::is_whitespace) => Ok(Some(v)),
        _ => Err(ApiError::invalid(field, format!("{field} must be an http:// or https:// address"))),
    }
}
