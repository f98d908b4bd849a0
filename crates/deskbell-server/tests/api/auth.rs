use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::{PASSWORD, TestApp, checks};

both_backends!(
    login_sets_an_http_only_session_cookie_and_me_answers,
    a_wrong_password_is_refused_without_saying_which_part_was_wrong,
    logins_are_throttled_after_repeated_failures,
    a_cookie_request_without_the_csrf_token_changes_nothing,
    logout_ends_the_session,
    a_read_only_token_cannot_write_and_an_unknown_token_is_refused,
    a_deactivated_person_is_logged_out_at_once,
    passwords_are_stored_as_argon2_hashes,
);

async fn login_sets_an_http_only_session_cookie_and_me_answers(app: TestApp) {
    let mut anon = app.anonymous();
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "Agent@Vendor.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("deskbell_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    let (status, body) = anon.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");

    anon = app.login("agent@vendor.test").await;
    let (status, me) = anon.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["person"]["email"], "agent@vendor.test");
    assert_eq!(me["person"]["role"], "agent");
    assert_eq!(me["csrf_token"].as_str(), anon.csrf.as_deref());
}

async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: TestApp) {
    let mut c = app.anonymous();
    let (s1, b1) = c.post("/api/v1/auth/login", &json!({"email": "agent@vendor.test", "password": "nope"})).await;
    let (s2, b2) = c.post("/api/v1/auth/login", &json!({"email": "nobody@vendor.test", "password": "nope"})).await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, s1);
    assert_eq!(b1, b2, "an unknown address and a wrong password must look the same");
    assert_eq!(b1["error"]["code"], "invalid_credentials");
    assert_eq!(app.count("sessions").await, 0);
}

async fn logins_are_throttled_after_repeated_failures(app: TestApp) {
    let mut c = app.anonymous();
    for _ in 0..5 {
        let (s, _) = c.post("/api/v1/auth/login", &json!({"email": "agent2@vendor.test", "password": "guess"})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the address is locked.
    let (s, body) = c.post("/api/v1/auth/login", &json!({"email": "agent2@vendor.test", "password": PASSWORD})).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_attempts");
    // Other people are not affected.
    app.login("agent@vendor.test").await;
}

async fn a_cookie_request_without_the_csrf_token_changes_nothing(app: TestApp) {
    let mut c = app.login("recepcja@pod-rozami.test").await.without_csrf();
    let before = app.snapshot().await;
    let (s, body) = c
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Faktura", "body": "x", "priority": "critical", "local_it_checks": checks()}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "csrf_failed");
    assert_eq!(app.snapshot().await, before);
}

async fn logout_ends_the_session(app: TestApp) {
    let mut c = app.login("agent@vendor.test").await;
    let (s, _) = c.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = c.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(app.count("sessions").await, 0);
}

async fn a_read_only_token_cannot_write_and_an_unknown_token_is_refused(app: TestApp) {
    let mut reader = app.with_token("agent@vendor.test", &["read"]).await;
    let (s, _) = reader.get("/api/v1/tickets").await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = reader
        .post(
            "/api/v1/tickets",
            &json!({"subject": "x", "body": "y", "priority": "standard", "requester_id": app.world.rozy_user}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(app.count("tickets").await, 0);

    let mut writer = app.with_token("agent@vendor.test", &["read", "write"]).await;
    let (s, body) = writer
        .post(
            "/api/v1/tickets",
            &json!({"subject": "x", "body": "y", "priority": "standard", "requester_id": app.world.rozy_user}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    // Tokens need no CSRF token: they are not sent by browsers on their own.
    assert_eq!(body["ticket"]["channel"], "phone");

    let (s, body) = writer.post("/api/v1/organisations", &json!({"name": "Nowy Hotel"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an agent is no admin: {body}");

    let admin_no_scope = app.with_token("admin@vendor.test", &["read", "write"]).await;
    let (s, _) = admin_no_scope.get("/api/v1/organisations").await;
    assert_eq!(s, StatusCode::OK);

    let stranger = reqwest::Client::new()
        .get(format!("{}/api/v1/tickets", app.base))
        .bearer_auth("dsk_not_a_token")
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
}

async fn a_deactivated_person_is_logged_out_at_once(app: TestApp) {
    let user = app.login("spa@pod-rozami.test").await;
    let admin = app.login("admin@vendor.test").await;
    let (s, body) = admin.patch(&format!("/api/v1/people/{}", app.world.rozy_user2), &json!({"active": false})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["active"], false);
    let (s, _) = user.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let mut again = app.anonymous();
    let (s, _) = again.post("/api/v1/auth/login", &json!({"email": "spa@pod-rozami.test", "password": PASSWORD})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn passwords_are_stored_as_argon2_hashes(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, body) = admin
        .post(
            "/api/v1/people",
            &json!({"email": "nowy@vendor.test", "name": "Nowy Agent", "role": "agent", "password": "zażółć gęślą jaźń"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    let id = body["id"].as_i64().unwrap();
    let hash = app.db(move |tx| deskbell_store::people::password_hash(tx, id).unwrap().unwrap()).await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let mut c = app.anonymous();
    let (s, _) =
        c.post("/api/v1/auth/login", &json!({"email": "nowy@vendor.test", "password": "zażółć gęślą jaźń"})).await;
    assert_eq!(s, StatusCode::OK);
}

/// Sessions live `session_ttl_hours` (default 14 days) and then answer 401, measured on the
/// injected clock rather than by waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_expires_after_its_lifetime() {
    let start: jiff::Timestamp = "2026-11-02T08:00:00Z".parse().unwrap();
    let app = TestApp::spawn_at(deskbell_store::testing::Backend::Sqlite, start).await.unwrap();
    let clock = app.clock.clone().unwrap();
    let agent = app.login("agent@vendor.test").await;
    clock.set(start + jiff::SignedDuration::from_hours(14 * 24 - 1));
    assert_eq!(agent.get("/api/v1/me").await.0, StatusCode::OK);
    clock.set(start + jiff::SignedDuration::from_hours(14 * 24));
    let (s, body) = agent.get("/api/v1/me").await;
    assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("session_expired")));
}
