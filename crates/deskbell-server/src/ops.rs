//! Operations: `/healthz` (the process answers), `/readyz` (the database answers) and
//! `/metrics` in the Prometheus text format, plus the request metrics middleware.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// Method, route template, status.
type RequestKey = (String, String, u16);

/// Request counts and latency sums per route template and status.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, (u64, f64)>>,
    pub tickets_created: AtomicU64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            let e = m.entry((method.to_owned(), route.to_owned(), status)).or_default();
            e.0 += 1;
            e.1 += secs;
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP deskbell_http_requests_total HTTP requests by route template and status.\n");
        out.push_str("# TYPE deskbell_http_requests_total counter\n");
        let snapshot = self.requests.lock().map(|m| m.clone()).unwrap_or_default();
        for ((method, route, status), (count, _)) in &snapshot {
            out.push_str(&format!(
                "deskbell_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}\n"
            ));
        }
        out.push_str("# HELP deskbell_http_request_seconds_sum Total time spent answering, by route template.\n");
        out.push_str("# TYPE deskbell_http_request_seconds_sum counter\n");
        for ((method, route, status), (_, secs)) in &snapshot {
            out.push_str(&format!("deskbell_http_request_seconds_sum{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {secs:.6}\n"));
        }
        out.push_str("# HELP deskbell_tickets_created_total Tickets created by this instance.\n");
        out.push_str("# TYPE deskbell_tickets_created_total counter\n");
        out.push_str(&format!("deskbell_tickets_created_total {}\n", self.tickets_created.load(Ordering::Relaxed)));
        out
    }
}

/// Records every request under its route template (`/api/v1/tickets/{number}`), never the
/// raw URL: ticket numbers and search words are not metric labels.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    state.metrics.record(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.ping()).await {
        Ok(Ok(())) => "ready".into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([("content-type", "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}
