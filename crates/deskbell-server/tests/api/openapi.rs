//! The OpenAPI document describes every route the API serves.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// `(METHOD, /api/v1/path)` of every handler annotated in the source tree. Routes are
/// registered only through `utoipa_axum::routes!`, which needs the annotation, so this is
/// the list of what the server serves under `/api/v1`.
fn annotated_routes() -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, out: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for chunk in text.split("#[utoipa::path(").skip(1) {
                    let method = chunk.split(',').next().unwrap().trim().to_uppercase();
                    let p = chunk.split("path = \"").nth(1).unwrap().split('"').next().unwrap();
                    out.insert((method, format!("/api/v1{p}")));
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// No API route may bypass the documented router: plain axum `.route(` calls are allowed
/// only for the catch-all 404 and the operations endpoints outside `/api/v1`.
#[test]
fn no_api_route_is_registered_outside_the_documented_router() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    fn walk(dir: &Path, offenders: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, offenders);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, line) in text.lines().enumerate() {
                    if line.contains(".route(\"/api/") && !line.contains("{*rest}") {
                        offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                    }
                }
            }
        }
    }
    walk(&src, &mut offenders);
    assert!(offenders.is_empty(), "undocumented API routes: {offenders:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route_and_each_listed_route_exists() {
    let app = TestApp::spawn(deskbell_store::testing::Backend::Sqlite).await.unwrap();
    let anon = app.anonymous();
    let (s, doc) = anon.get("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            assert!(op["responses"].is_object(), "{method} {path} documents no responses");
        }
    }
    let annotated = annotated_routes();
    assert!(annotated.len() >= 25, "found only {} annotated routes", annotated.len());
    assert_eq!(documented, annotated, "the document and the handlers disagree");

    // Each documented route is really served: it never falls through to the API's 404.
    let admin = app.login("admin@vendor.test").await;
    for (method, path) in &documented {
        let url = format!("{}{}", app.base, path.replace("{number}", "1").replace("{id}", "1"));
        let res = reqwest::Client::new()
            .request(method.parse().unwrap(), &url)
            .header("x-csrf-token", admin.csrf.clone().unwrap_or_default())
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert_ne!(body["error"]["code"], "no_route", "{method} {path} is documented but not served ({status})");
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
}
