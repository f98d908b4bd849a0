//! The pages' static files, compiled into the binary: no JavaScript build, nothing to deploy
//! beside the executable. htmx is vendored as released (BSD Zero Clause licence).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/vendor/htmx-2.0.11.min.js"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/app.js"),
    },
    Asset { name: "app.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../../assets/app.css") },
    Asset { name: "favicon.svg", content_type: "image/svg+xml", body: include_bytes!("../../assets/favicon.svg") },
];

/// A short hash of every file: pages link `/assets/app.css?v=<hash>`, so the files can be
/// cached for a year and still change with each release.
pub fn version() -> String {
    let mut all = Vec::new();
    for a in ASSETS {
        all.extend_from_slice(a.body);
    }
    deskbell_store::attachments::sha256_hex(&all)[..12].to_owned()
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(a.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        a.body,
    )
        .into_response()
}
