//! `POST /auth/login`, `POST /auth/logout`, `GET /me`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskbell_domain::person::EmailAddress;
use deskbell_store::{auth as store_auth, people};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Actor, SESSION_COOKIE, Via, dummy_hash, start_session, verify_password};
use crate::admin::PersonView;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(logout)).routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "agent@deskbell.demo")]
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub person: PersonView,
    /// Send this in the `X-CSRF-Token` header with every POST, PATCH and DELETE made with the
    /// session cookie.
    pub csrf_token: String,
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.cookie_secure { "; Secure" } else { "" };
    let v = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Log in with e-mail and password; sets the session cookie.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = SessionView),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts for this address", body = ErrorBody),
    ))]
pub async fn login(State(state): State<AppState>, Json(req): Json<LoginRequest>) -> ApiResult<Response> {
    let wrong = || ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "wrong e-mail or password");
    let email: EmailAddress = req.email.parse().map_err(|_| wrong())?;
    let now = state.now();
    let window = jiff::SignedDuration::from_mins(state.config.login_window_minutes.into());
    let since = now.checked_sub(window).map_err(ApiError::internal)?;
    let max = i64::from(state.config.login_max_failures);
    let lookup = email.clone();
    let (failures, person, hash) = state
        .read(move |tx| {
            let failures = store_auth::recent_failures(tx, lookup.as_str(), since)?;
            let person = people::by_email(tx, &lookup)?;
            let hash = match &person {
                Some(p) if p.active => people::password_hash(tx, p.id)?,
                _ => None,
            };
            Ok((failures, person, hash))
        })
        .await?;
    if failures >= max {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "too many failed logins for this address; try again in {} minutes",
                state.config.login_window_minutes
            ),
        )
        .into_response();
        let retry = (u64::from(state.config.login_window_minutes) * 60).to_string();
        if let Ok(v) = HeaderValue::from_str(&retry) {
            e.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(e);
    }
    let password = req.password;
    let ok = state
        .hashing(move || {
            let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
            verify_password(&password, &hash)
        })
        .await?;
    let person = person.filter(|p| ok && p.active);
    let ttl = state.config.session_ttl_hours;
    let record = email.clone();
    let session = state
        .write(move |tx| {
            store_auth::record_login_attempt(tx, record.as_str(), person.is_some(), now)?;
            match person {
                Some(p) => Ok(Some((start_session(tx, p.id, now, ttl)?, p))),
                None => Ok(None),
            }
        })
        .await?;
    let Some(((token, csrf), person)) = session else {
        tracing::info!(domain = email.domain(), "failed login");
        return Err(wrong());
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, &token, i64::from(ttl) * 3600));
    Ok((headers, Json(SessionView { person: person.into(), csrf_token: csrf })).into_response())
}

/// End the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204, description = "Logged out"), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    if let Via::Session { token_hash, .. } = actor.via {
        state.write(move |tx| Ok(store_auth::delete_session(tx, &token_hash)?)).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub person: PersonView,
    /// Present for session callers.
    pub csrf_token: Option<String>,
    /// Organisations whose tickets the caller sees; absent for the vendor side (all).
    pub organisations: Option<Vec<i64>>,
}

/// Who am I?
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)))]
pub async fn me(actor: Actor) -> Json<MeView> {
    let csrf_token = match &actor.via {
        Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
        Via::Token { .. } | Via::Mail { .. } => None,
    };
    let organisations = actor.organisations();
    Json(MeView { person: actor.person.into(), csrf_token, organisations })
}
