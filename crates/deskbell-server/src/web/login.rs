//! The login and logout forms, and the language switch.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskbell_domain::person::Language;
use deskbell_store::{auth as store_auth, people};
use serde::Deserialize;

use super::ctx::{Ctx, LANG_COOKIE, PageResult, html, html_status, local_path, see_other};
use super::i18n::fill;
use crate::auth::api::session_cookie;
use crate::auth::{LoginFailure, Via, password_login};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    email: &'a str,
    next: &'a str,
    error: Option<String>,
    expired: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

pub async fn login_form(c: Ctx, Query(q): Query<LoginQuery>) -> PageResult {
    let next = q.next.as_deref().and_then(local_path).unwrap_or("");
    if c.logged_in() && q.expired.is_none() {
        return Ok(see_other(&c, if next.is_empty() { c.home() } else { next }));
    }
    html(&LoginPage { c: &c, section: "login", email: "", next, error: None, expired: q.expired.is_some() })
}

#[derive(Deserialize)]
pub struct LoginFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(State(state): State<AppState>, c: Ctx, Form(f): Form<LoginFields>) -> PageResult {
    let next = local_path(&f.next).unwrap_or("").to_owned();
    let shown = |error: String, status: StatusCode| {
        html_status(
            status,
            &LoginPage { c: &c, section: "login", email: &f.email, next: &next, error: Some(error), expired: false },
        )
    };
    match password_login(&state, &f.email, f.password.clone()).await {
        Ok((token, _csrf, person)) => {
            let home = if person.role.is_vendor() { "/agent" } else { "/help" };
            // A person's own pages only: a customer sent to an agent page would get 403.
            let to =
                if next.is_empty() || (!person.role.is_vendor() && next.starts_with("/agent")) { home } else { &next };
            let mut res = see_other(&c, to);
            let ttl = i64::from(state.config.session_ttl_hours) * 3600;
            res.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &token, ttl));
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                person.language
            )) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(LoginFailure::Wrong) => shown(c.t.login_wrong.to_owned(), StatusCode::UNAUTHORIZED),
        Err(LoginFailure::Throttled { minutes }) => {
            shown(fill(c.t.login_throttled, &[("minutes", &minutes.to_string())]), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(LoginFailure::Error(e)) => Err(e.into()),
    }
}

pub async fn logout(State(state): State<AppState>, c: Ctx) -> PageResult {
    if let Some(crate::auth::Actor { via: Via::Session { token_hash, .. }, .. }) = c.actor.clone() {
        state.write(move |tx| Ok(store_auth::delete_session(tx, &token_hash)?)).await?;
    }
    let mut res = see_other(&c, "/login");
    res.headers_mut().append(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(res)
}

#[derive(Deserialize)]
pub struct LanguageFields {
    lang: String,
    #[serde(default)]
    next: String,
}

/// The language switch: remembered in a cookie, and as the person's own choice when logged in.
pub async fn switch_language(State(state): State<AppState>, c: Ctx, Form(f): Form<LanguageFields>) -> PageResult {
    let lang: Language = f
        .lang
        .parse()
        .map_err(|e: deskbell_domain::UnknownValue| crate::error::ApiError::invalid("lang", e.to_string()))?;
    if let Some(actor) = c.actor.clone() {
        let now = c.now;
        state
            .write(move |tx| {
                let p = people::get(tx, actor.id())?;
                let input = people::PersonInput {
                    email: p.email,
                    name: p.name,
                    role: p.role,
                    organisation_id: p.organisation_id,
                    phone: p.phone,
                    language: lang,
                    active: p.active,
                };
                people::update(tx, actor.id(), &input, now)?;
                Ok(())
            })
            .await?;
    }
    let mut res = see_other(&c, local_path(&f.next).unwrap_or(c.home()));
    if let Ok(v) = HeaderValue::from_str(&format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn home(c: Ctx) -> Response {
    see_other(&c, c.home()).into_response()
}
