//! Builds the application from its feature routers, and serves it on a listener until a
//! shutdown signal.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::state::AppState;
use crate::{admin, auth, automation, kb, mail, ops, sla, tickets, web};

#[derive(OpenApi)]
#[openapi(
    info(title = "deskbell", description = "Service desk for software vendors whose customers work around the clock."),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "auth", description = "Sessions and the current person"),
        (name = "tickets", description = "Tickets, articles, history and attachments"),
        (name = "organisations"), (name = "people"), (name = "teams"), (name = "products"), (name = "installations"),
        (name = "sla", description = "SLA clocks, calendars, contracts and the on-call rota"),
        (name = "mail", description = "Mailboxes, quarantine and outbox of the e-mail channel"),
        (name = "automation", description = "Rules, canned responses, routing, absences and the scope rules"),
        (name = "knowledge", description = "Knowledge-base articles, categories, files, feedback, deflection and ticket links"),
        (name = "trainings", description = "Trainings and webinars, registration and the waiting list"),
        (name = "releases", description = "Product versions and their release notes"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// The OpenAPI 3.1 document of the whole API, generated from the handlers.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json(State(state): State<AppState>) -> Response {
    let doc = state.openapi.get().cloned().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .merge(auth::api::routes())
        .merge(tickets::api::routes())
        .merge(tickets::relations_api::routes())
        .merge(admin::api::routes())
        .merge(sla::api::routes())
        .merge(sla::admin::routes())
        .merge(sla::statement::routes())
        .merge(sla::oncall::routes())
        .merge(mail::admin::routes())
        .merge(automation::api::routes())
        .merge(kb::routes())
}

/// The OpenAPI document, also for tools that want it without a running server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi()).nest("/api/v1", api()).split_for_parts().1
}

async fn api_not_found() -> ApiError {
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "no_route", "no such API endpoint")
}

/// Headers every answer carries.
async fn security_headers(req: Request, next: middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    res
}

pub fn router(state: AppState) -> Router {
    let (api, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", api()).split_for_parts();
    let _ = state.openapi.set(doc.to_pretty_json().unwrap_or_default());
    let body_limit = state.config.request_max_bytes;
    let api = api.route("/api/v1/{*rest}", axum::routing::any(api_not_found));
    Router::new()
        .merge(api)
        .merge(ops::routes())
        .merge(web::routes(state.clone()))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), ops::track))
        .layer(middleware::from_fn(security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // One span per request named by the matched route, not the raw URL.
            let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
            tracing::info_span!("request", method = %req.method(), route)
        }))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
