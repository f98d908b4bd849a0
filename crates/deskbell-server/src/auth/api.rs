//! `POST /auth/login`, `POST /auth/logout`, `GET /me`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskbell_store::auth as store_auth;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Actor, LoginFailure, SESSION_COOKIE, Via, password_login};
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

pub fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
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
    let (token, csrf, person) = match password_login(&state, &req.email, req.password).await {
        Ok(s) => s,
        Err(LoginFailure::Wrong) => {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "wrong e-mail or password"));
        }
        Err(LoginFailure::Throttled { minutes }) => {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("too many failed logins for this address; try again in {minutes} minutes"),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&(u64::from(minutes) * 60).to_string()) {
                e.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(e);
        }
        Err(LoginFailure::Error(e)) => return Err(e),
    };
    let mut headers = HeaderMap::new();
    headers
        .insert(header::SET_COOKIE, session_cookie(&state, &token, i64::from(state.config.session_ttl_hours) * 3600));
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
        Via::Token { .. } | Via::Mail { .. } | Via::TrackingLink => None,
    };
    let organisations = actor.organisations();
    Json(MeView { person: actor.person.into(), csrf_token, organisations })
}
