//! What every page request carries: who is calling (by session cookie), their language, the
//! CSRF token for forms, and the page's own address to come back to after logging in.
//!
//! One middleware ([`pages`]) builds the [`Ctx`], checks the CSRF token of every form before
//! any handler runs, and turns a handler's [`PageError`] into a page in the caller's
//! language (a missing or expired session into a redirect to the login page and back).

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use deskbell_domain::person::{Language, Role};
use jiff::Timestamp;

use super::i18n::{Catalogue, catalogue};
use crate::auth::{Actor, CSRF_HEADER, Via, constant_time_eq, cookie_value, random_token, session_actor};
use crate::error::ApiError;
use crate::state::AppState;

/// A random token for forms shown before logging in (double-submit: cookie and field).
pub const CSRF_COOKIE: &str = "deskbell_csrf";
pub const LANG_COOKIE: &str = "deskbell_lang";
pub const CSRF_FIELD: &str = "_csrf";

/// The Content-Security-Policy of every page: scripts and styles only from our own files,
/// so no inline script can run even if something slipped past escaping.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Clone)]
pub struct Ctx {
    pub actor: Option<Actor>,
    pub lang: Language,
    pub t: &'static Catalogue,
    /// The token the forms of this page carry in `_csrf`.
    pub csrf: String,
    /// This request's path and query.
    pub here: String,
    /// The request came from htmx (it wants a fragment, not a whole page).
    pub htmx: bool,
    pub now: Timestamp,
    /// Query suffix that changes whenever the static files do (`?v=…`).
    pub asset_v: &'static str,
}

impl Ctx {
    pub fn actor(&self) -> Result<&Actor, PageError> {
        self.actor.as_ref().ok_or(PageError(ApiError::unauthorized()))
    }

    pub fn vendor(&self) -> Result<&Actor, PageError> {
        let a = self.actor()?;
        a.require_vendor()?;
        Ok(a)
    }

    pub fn customer(&self) -> Result<&Actor, PageError> {
        let a = self.actor()?;
        if a.is_vendor() {
            return Err(ApiError::forbidden("the help centre is for customers").into());
        }
        Ok(a)
    }

    pub fn admin(&self) -> Result<&Actor, PageError> {
        let a = self.actor()?;
        a.require_admin()?;
        Ok(a)
    }

    pub fn name(&self) -> &str {
        self.actor.as_ref().map_or("", |a| a.person.name.as_str())
    }

    pub fn is_vendor(&self) -> bool {
        self.actor.as_ref().is_some_and(Actor::is_vendor)
    }

    pub fn is_admin(&self) -> bool {
        self.actor.as_ref().is_some_and(|a| a.role() == Role::Admin)
    }

    pub fn is_customer_admin(&self) -> bool {
        self.actor.as_ref().is_some_and(|a| a.role() == Role::CustomerAdmin)
    }

    pub fn logged_in(&self) -> bool {
        self.actor.is_some()
    }

    pub fn logged_in_as(&self) -> String {
        super::i18n::fill(self.t.logged_in_as, &[("name", self.name())])
    }

    pub fn is_pl(&self) -> bool {
        self.lang == Language::Pl
    }

    /// The start page of the caller's side.
    pub fn home(&self) -> &'static str {
        match &self.actor {
            Some(a) if a.is_vendor() => "/agent",
            Some(_) => "/help",
            None => "/login",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Ctx, PageError> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| PageError(ApiError::internal("a page route is missing the pages middleware")))
    }
}

/// A page handler's failure; rendered by the middleware in the caller's language.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<deskbell_store::StoreError> for PageError {
    fn from(e: deskbell_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError(ApiError::internal(e))
    }
}

#[derive(Clone)]
struct Failure(ApiError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = self.0.status.into_response();
        res.extensions_mut().insert(Failure(self.0));
        res
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

/// Renders a template into an HTML response.
pub fn html(t: &impl Template) -> PageResult {
    Ok(axum::response::Html(t.render()?).into_response())
}

/// Renders a template with a status other than 200 (a form shown again with its errors).
pub fn html_status(status: StatusCode, t: &impl Template) -> PageResult {
    Ok((status, axum::response::Html(t.render()?)).into_response())
}

/// A redirect after a successful form: 303, or for htmx an `HX-Redirect`.
pub fn see_other(ctx: &Ctx, to: &str) -> Response {
    if ctx.htmx {
        let mut r = StatusCode::NO_CONTENT.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            r.headers_mut().insert("hx-redirect", v);
        }
        r
    } else {
        Redirect::to(to).into_response()
    }
}

/// Only a path of our own may be a place to return to (never `//other.site` or a URL).
pub fn local_path(next: &str) -> Option<&str> {
    let ok =
        next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains(['\r', '\n']);
    ok.then_some(next)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    title: &'a str,
    message: &'a str,
    detail: Option<&'a str>,
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn asset_version() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(super::assets::version)
}

/// The token a form sent: the header (htmx), the query (multipart forms, whose bodies are
/// not buffered here) or the `_csrf` field of a URL-encoded body.
async fn sent_csrf(req: Request, limit: usize) -> Result<(Option<String>, Request), Response> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_owned();
        return Ok((Some(v), req));
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        let from_query = req.uri().query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
        return Ok((from_query, req));
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "the form is too large").into_response())?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v));
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

fn language_of(headers: &HeaderMap, actor: Option<&Actor>) -> Language {
    if let Some(a) = actor {
        return a.person.language;
    }
    cookie_value(headers, LANG_COOKIE).and_then(|v| v.parse().ok()).unwrap_or(Language::Pl)
}

/// The middleware of every page route.
pub async fn pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let had_session = cookie_value(req.headers(), crate::auth::SESSION_COOKIE).is_some();
    let actor = match session_actor(&state, req.headers()).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let anon = cookie_value(req.headers(), CSRF_COOKIE).filter(|v| v.len() >= 32);
    let new_anon = anon.is_none().then(random_token);
    let csrf = match &actor {
        Some(Actor { via: Via::Session { csrf_token, .. }, .. }) => csrf_token.clone(),
        _ => anon.clone().or_else(|| new_anon.clone()).unwrap_or_default(),
    };
    let lang = language_of(req.headers(), actor.as_ref());
    let here = req.uri().path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let htmx = req.headers().contains_key("hx-request");
    let ctx = Ctx { actor, lang, t: catalogue(lang), csrf, here, htmx, now: state.now(), asset_v: asset_version() };
    let mut req = req;
    if !is_safe(req.method()) {
        if had_session && ctx.actor.is_none() && req.uri().path() != "/login" {
            // The session ran out while the form was open: log in, then back to the page.
            return login_redirect(&ctx, &referer_path(req.headers()).unwrap_or_else(|| ctx.home().to_owned()));
        }
        let (sent, r) = match sent_csrf(req, state.config.request_max_bytes).await {
            Ok(v) => v,
            Err(res) => return res,
        };
        req = r;
        let ok = sent.is_some_and(|s| !ctx.csrf.is_empty() && constant_time_eq(s.as_bytes(), ctx.csrf.as_bytes()));
        if !ok {
            // Read what the browser is still sending (an upload) before answering: closing on
            // an unread body makes the browser show a broken connection instead of the page.
            let _ = axum::body::to_bytes(req.into_body(), state.config.request_max_bytes).await;
            let e = ApiError::forbidden("missing or wrong CSRF token").with_code("csrf_failed");
            return finish(&state, error_page(&ctx, &e), new_anon.as_deref());
        }
    }
    req.extensions_mut().insert(ctx.clone());
    let res = next.run(req).await;
    let res = match res.extensions().get::<Failure>().cloned() {
        Some(Failure(e)) if e.status == StatusCode::UNAUTHORIZED => login_redirect(&ctx, &ctx.here),
        Some(Failure(e)) => error_page(&ctx, &e),
        None => res,
    };
    finish(&state, res, new_anon.as_deref())
}

fn referer_path(headers: &HeaderMap) -> Option<String> {
    let r = headers.get(header::REFERER)?.to_str().ok()?;
    let after_scheme = r.split_once("://").map_or(r, |(_, rest)| rest);
    let path = &after_scheme[after_scheme.find('/')?..];
    local_path(path).map(str::to_owned)
}

fn login_redirect(ctx: &Ctx, back: &str) -> Response {
    // Slashes stay readable in the address bar; everything else is encoded.
    let to = format!("/login?expired=1&next={}", super::forms::percent_encode(back).replace("%2F", "/"));
    see_other(ctx, &to)
}

fn finish(state: &AppState, mut res: Response, new_anon: Option<&str>) -> Response {
    let h = res.headers_mut();
    if !h.contains_key("content-security-policy") {
        // A served file keeps its own, stricter policy (a sandbox).
        h.insert("content-security-policy", HeaderValue::from_static(CSP));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages show private data: never from a shared cache, never from the back button
        // after logging out.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(header::VARY, HeaderValue::from_static("Cookie, HX-Request"));
    if let Some(token) = new_anon {
        let secure = if state.config.cookie_secure { "; Secure" } else { "" };
        if let Ok(v) =
            HeaderValue::from_str(&format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"))
        {
            h.append(header::SET_COOKIE, v);
        }
    }
    res
}

pub fn error_page(ctx: &Ctx, e: &ApiError) -> Response {
    let t = ctx.t;
    let (title, message) = match (e.status, e.code) {
        (_, "csrf_failed") => (t.err_forbidden_title, t.err_csrf),
        (StatusCode::NOT_FOUND, _) => (t.err_not_found_title, t.err_not_found),
        (StatusCode::FORBIDDEN, _) => (t.err_forbidden_title, t.err_forbidden),
        (StatusCode::CONFLICT, _) => (t.err_conflict_title, t.err_conflict),
        (StatusCode::SERVICE_UNAVAILABLE, _) => (t.err_unavailable_title, t.err_unavailable),
        (s, _) if s.is_server_error() => (t.err_internal_title, t.err_internal),
        _ => (t.err_bad_request_title, ""),
    };
    // Client errors keep their explanation (it names what was wrong); server errors never
    // show their cause.
    let detail = (e.status.is_client_error() && message.is_empty()).then_some(e.message.as_str());
    let page = ErrorPage { c: ctx, section: "", title, message, detail };
    match page.render() {
        Ok(body) => (e.status, axum::response::Html(body)).into_response(),
        Err(err) => ApiError::internal(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_paths_are_places_to_return_to() {
        assert_eq!(local_path("/agent/tickets/12?x=1"), Some("/agent/tickets/12?x=1"));
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("/\\evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path("/a\r\nSet-Cookie: x"), None);
    }

    #[test]
    fn the_referer_gives_a_local_path() {
        let mut h = HeaderMap::new();
        h.insert(header::REFERER, HeaderValue::from_static("http://127.0.0.1:8080/agent/tickets/7"));
        assert_eq!(referer_path(&h).as_deref(), Some("/agent/tickets/7"));
    }
}
