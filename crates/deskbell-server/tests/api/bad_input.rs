//! Bad input from the outside: each case gets its precise error code and writes nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, open_ticket};

both_backends!(
    malformed_json_is_refused_and_changes_nothing,
    a_missing_or_mistyped_field_is_named_in_the_error,
    an_unknown_status_priority_or_kind_is_refused,
    a_body_over_the_limit_is_refused_before_anything_is_written,
    an_invalid_transition_is_refused_and_the_ticket_stays_as_it_was,
    a_stale_version_on_a_transition_is_a_conflict,
    a_duplicate_email_for_a_person_is_a_conflict_about_the_email,
    sql_and_html_in_text_are_stored_and_returned_exactly_as_sent,
    a_ticket_number_that_is_not_a_number_is_refused_clearly,
    an_unknown_api_route_answers_a_json_404,
);

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

async fn malformed_json_is_refused_and_changes_nothing(app: TestApp) {
    let customer = app.login("recepcja@pod-rozami.test").await;
    let before = app.snapshot().await;
    for raw in ["{\"subject\": \"a\", ", "not json at all", "", "[1,2", "{\"subject\": \"x\", \"body\": \"y\",}"] {
        let (s, body) = customer.post_raw("/api/v1/tickets", "application/json", raw.to_owned()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{raw:?}: {body}");
        assert_eq!(code(&body), "malformed_json", "{raw:?}");
        assert!(body["error"]["message"].as_str().unwrap().starts_with("the body is not valid JSON"));
    }
    let (s, body) = customer.post_raw("/api/v1/tickets", "text/plain", "subject=x").await;
    assert_eq!((s, code(&body)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    assert_eq!(app.snapshot().await, before);
}

async fn a_missing_or_mistyped_field_is_named_in_the_error(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let before = app.snapshot().await;
    let (s, body) = customer.post("/api/v1/tickets", &json!({"subject": "Brak opisu", "priority": "standard"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "body");

    let (s, body) =
        customer.post("/api/v1/tickets", &json!({"subject": 42, "body": "x", "priority": "standard"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "subject");

    let (s, body) = customer
        .post("/api/v1/tickets", &json!({"subject": "x", "body": "y", "priority": "standard", "product_id": "one"}))
        .await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "product_id");

    // A field nobody defined is a typo worth hearing about, not something to drop silently.
    let (s, body) = customer
        .post("/api/v1/tickets", &json!({"subject": "x", "body": "y", "priority": "standard", "prio": 1}))
        .await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("prio"), "{body}");

    let (s, body) =
        customer.post("/api/v1/tickets", &json!({"subject": "   ", "body": "y", "priority": "standard"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "subject");

    let (s, body) = customer
        .post("/api/v1/tickets", &json!({"subject": "a\r\nBcc: x@y.z", "body": "y", "priority": "standard"}))
        .await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(app.snapshot().await, before);
}

async fn an_unknown_status_priority_or_kind_is_refused(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut customer, json!({"subject": "Raport", "body": "wolno", "priority": "standard"})).await;
    let mut agent = app.login("agent@vendor.test").await;
    let before = app.snapshot().await;

    let (s, body) = customer.post("/api/v1/tickets", &json!({"subject": "x", "body": "y", "priority": "urgent"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "priority");
    assert!(body["error"]["message"].as_str().unwrap().contains("urgent"), "{body}");

    let (s, body) = customer
        .post("/api/v1/tickets", &json!({"subject": "x", "body": "y", "priority": "standard", "kind": "rant"}))
        .await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "kind");

    let (s, body) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "done"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "status");

    let (s, body) = agent.get("/api/v1/tickets?status=done").await;
    assert_eq!((s, code(&body)), (StatusCode::BAD_REQUEST, "invalid_query"), "{body}");
    assert_eq!(body["error"]["field"], "status");

    let (s, body) = agent.get("/api/v1/tickets?sort=sideways").await;
    assert_eq!((s, code(&body)), (StatusCode::BAD_REQUEST, "invalid_query"), "{body}");
    assert_eq!(body["error"]["field"], "sort");
    assert_eq!(app.snapshot().await, before);
}

async fn a_body_over_the_limit_is_refused_before_anything_is_written(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let before = app.snapshot().await;
    // The default request limit is 60 MB: a 61 MB body must never reach the store.
    let huge = "a".repeat(61 * 1024 * 1024);
    let (s, body) =
        customer.post("/api/v1/tickets", &json!({"subject": "x", "body": huge, "priority": "standard"})).await;
    assert_eq!(
        (s, code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        "{}",
        &body.to_string()[..200.min(body.to_string().len())]
    );
    // A body within the request limit but over the article limit is refused by the service.
    let long = "b".repeat(200_001);
    let (s, body) =
        customer.post("/api/v1/tickets", &json!({"subject": "x", "body": long, "priority": "standard"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"));
    assert_eq!(body["error"]["field"], "body");
    assert_eq!(app.snapshot().await, before);
}

async fn an_invalid_transition_is_refused_and_the_ticket_stays_as_it_was(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut customer, json!({"subject": "Raport", "body": "wolno", "priority": "standard"})).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (_, t0) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    let before = app.snapshot().await;

    let (s, body) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "closed"})).await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "invalid_transition"), "{body}");
    assert_eq!(body["error"]["message"], "a ticket cannot go from `new` to `closed`");

    let (s, body) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "new"})).await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "status_unchanged"), "{body}");

    // A customer may confirm or reopen, nothing else.
    let (s, body) = customer.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "resolved"})).await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "forbidden_transition"), "{body}");

    let (_, t1) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t1, t0);
    assert_eq!(app.snapshot().await, before);
}

async fn a_stale_version_on_a_transition_is_a_conflict(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut customer, json!({"subject": "Raport", "body": "wolno", "priority": "standard"})).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    let v = t["version"].as_i64().unwrap();
    let (s, _) =
        agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "open", "version": v})).await;
    assert_eq!(s, StatusCode::OK);
    let before = app.snapshot().await;
    let (s, body) =
        agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "resolved", "version": v})).await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "version_conflict"), "{body}");
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["status"], "open");
    assert_eq!(app.snapshot().await, before);
}

async fn a_duplicate_email_for_a_person_is_a_conflict_about_the_email(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let before = app.snapshot().await;
    let (s, body) = admin
        .post(
            "/api/v1/people",
            &json!({"email": "Recepcja@Pod-Rozami.test", "name": "Druga recepcja", "role": "customer_user", "organisation_id": app.world.rozy}),
        )
        .await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "already_exists"), "{body}");
    assert_eq!(body["error"]["field"], "email");

    let (s, body) =
        admin.post("/api/v1/people", &json!({"email": "not-an-address", "name": "X", "role": "agent"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "email");

    let (s, body) =
        admin.post("/api/v1/people", &json!({"email": "x@vendor.test", "name": "X", "role": "superhero"})).await;
    assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "{body}");
    assert_eq!(body["error"]["field"], "role");
    assert_eq!(app.snapshot().await, before);
}

async fn sql_and_html_in_text_are_stored_and_returned_exactly_as_sent(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let subject = "'; DROP TABLE tickets; -- <script>alert(1)</script> \"quoted\" & ☃ żółć";
    let body = "<img src=x onerror=alert(1)>\n1' OR '1'='1\n\\x00 $1 ?1 %s {{ }}";
    let (s, created) =
        customer.post("/api/v1/tickets", &json!({"subject": subject, "body": body, "priority": "standard"})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let n = created["ticket"]["number"].as_i64().unwrap();
    let (_, t) = customer.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["subject"], subject);
    let (_, articles) = customer.get(&format!("/api/v1/tickets/{n}/articles")).await;
    assert_eq!(articles[0]["body"], body);
    // The tables are still there and search treats the text as words, not syntax.
    assert_eq!(app.count("tickets").await, 1);
    let (s, found) = customer.get("/api/v1/tickets?q=DROP%20TABLE").await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let (s, found) = customer.get("/api/v1/tickets?q=%22%27%3B%20OR%20*%20NEAR(").await;
    assert_eq!(s, StatusCode::OK, "{found}");
    // JSON answers are never sniffed as HTML.
    let res = customer.get_raw(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

async fn a_ticket_number_that_is_not_a_number_is_refused_clearly(app: TestApp) {
    let agent = app.login("agent@vendor.test").await;
    for raw in ["abc", "1%3B%20DROP", "-5", "99999999999999999999"] {
        let (s, body) = agent.get(&format!("/api/v1/tickets/{raw}")).await;
        assert!(
            (s == StatusCode::NOT_FOUND && code(&body) == "not_found")
                || (s == StatusCode::UNPROCESSABLE_ENTITY && code(&body) == "invalid_field"),
            "{raw}: {s} {body}"
        );
    }
    // `#1234` as people write it is understood.
    let (s, body) = agent.get("/api/v1/tickets/%231").await;
    assert_eq!((s, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
}

async fn an_unknown_api_route_answers_a_json_404(app: TestApp) {
    let agent = app.login("agent@vendor.test").await;
    let (s, body) = agent.get("/api/v1/nothing-here").await;
    assert_eq!((s, code(&body)), (StatusCode::NOT_FOUND, "no_route"), "{body}");
}
