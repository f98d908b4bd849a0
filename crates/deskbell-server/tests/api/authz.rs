//! The authorisation matrix of DESIGN §1, checked over HTTP for every role.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::{Client, TestApp, checks, open_ticket};

both_backends!(
    every_role_sees_exactly_the_tickets_it_may,
    another_organisations_ticket_answers_exactly_like_a_missing_one,
    customers_never_see_internal_notes_by_any_route,
    only_admins_configure_and_customers_see_only_their_organisations,
    a_customer_admin_manages_only_colleagues_of_their_organisation,
);

struct Tickets {
    rozy_user: i64,
    rozy_user2: i64,
    zdroj: i64,
    sopot: i64,
}

async fn four_tickets(app: &TestApp) -> Tickets {
    let body = |subject: &str| json!({"subject": subject, "body": "Wspólna fraza: kasa fiskalna nie drukuje paragonu.", "priority": "fault", "local_it_checks": checks()});
    let rozy_user = open_ticket(&mut app.login("recepcja@pod-rozami.test").await, body("Różyczka recepcja")).await;
    let rozy_user2 = open_ticket(&mut app.login("spa@pod-rozami.test").await, body("Różyczka spa")).await;
    let zdroj = open_ticket(&mut app.login("recepcja@zdroj.test").await, body("Zdrój recepcja")).await;
    let sopot = open_ticket(&mut app.login("recepcja@sopot.baltyk.test").await, body("Sopot recepcja")).await;
    Tickets { rozy_user, rozy_user2, zdroj, sopot }
}

async fn listed(c: &Client, query: &str) -> BTreeSet<i64> {
    let (s, body) = c.get(&format!("/api/v1/tickets{query}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect()
}

async fn every_role_sees_exactly_the_tickets_it_may(app: TestApp) {
    let t = four_tickets(&app).await;
    let all: BTreeSet<i64> = [t.rozy_user, t.rozy_user2, t.zdroj, t.sopot].into();
    let matrix: Vec<(&str, BTreeSet<i64>)> = vec![
        ("recepcja@pod-rozami.test", [t.rozy_user].into()),
        ("spa@pod-rozami.test", [t.rozy_user2].into()),
        ("it@pod-rozami.test", [t.rozy_user, t.rozy_user2].into()),
        ("recepcja@zdroj.test", [t.zdroj].into()),
        // A chain's administrator sees the tickets of its properties.
        ("it@baltyk.test", [t.sopot].into()),
        ("recepcja@sopot.baltyk.test", [t.sopot].into()),
        ("agent@vendor.test", all.clone()),
        ("kierownik@vendor.test", all.clone()),
        ("admin@vendor.test", all.clone()),
    ];
    for (email, expected) in matrix {
        let c = app.login(email).await;
        assert_eq!(listed(&c, "").await, expected, "list for {email}");
        assert_eq!(listed(&c, "?q=paragonu").await, expected, "search for {email}");
        for n in &all {
            let visible = expected.contains(n);
            for path in [
                format!("/api/v1/tickets/{n}"),
                format!("/api/v1/tickets/{n}/articles"),
                format!("/api/v1/tickets/{n}/history"),
            ] {
                let (s, _) = c.get(&path).await;
                assert_eq!(s, if visible { StatusCode::OK } else { StatusCode::NOT_FOUND }, "{email} GET {path}");
            }
        }
    }
}

async fn another_organisations_ticket_answers_exactly_like_a_missing_one(app: TestApp) {
    let t = four_tickets(&app).await;
    let mut c = app.login("recepcja@zdroj.test").await;
    let missing = 999_999;
    let (s1, b1) = c.get(&format!("/api/v1/tickets/{}", t.rozy_user)).await;
    let (s2, b2) = c.get(&format!("/api/v1/tickets/{missing}")).await;
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(b1["error"]["code"], "not_found");

    let before = app.snapshot().await;
    for n in [t.rozy_user, missing] {
        let (s, b) = c
            .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "przejęcie"}))
            .await;
        assert_eq!((s, &b["error"]["code"]), (StatusCode::NOT_FOUND, &json!("not_found")));
        let (s, _) = c.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "closed"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    assert_eq!(app.snapshot().await, before);
}

async fn customers_never_see_internal_notes_by_any_route(app: TestApp) {
    let t = four_tickets(&app).await;
    let agent = app.with_token("agent@vendor.test", &["read", "write"]).await;
    let form = reqwest::multipart::Form::new()
        .text("data", json!({"kind": "internal_note", "body": "Tajemnica: klient ma nieopłaconą fakturę"}).to_string())
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"poufne".to_vec())
                .file_name("notatka.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    let (s, note) = agent.post_multipart(&format!("/api/v1/tickets/{}/articles", t.rozy_user), form).await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    let file_url = note["article"]["attachments"][0]["url"].as_str().unwrap().to_owned();

    for email in ["recepcja@pod-rozami.test", "it@pod-rozami.test"] {
        let c = app.login(email).await;
        let (_, articles) = c.get(&format!("/api/v1/tickets/{}/articles", t.rozy_user)).await;
        assert!(!articles.to_string().contains("Tajemnica"), "{email}: {articles}");
        assert!(listed(&c, "?q=tajemnica").await.is_empty(), "{email} found the note by search");
        let (_, history) = c.get(&format!("/api/v1/tickets/{}/history", t.rozy_user)).await;
        assert!(!history.to_string().contains("internal_note"), "{email}: {history}");
        assert_eq!(c.get_raw(&file_url).await.status(), StatusCode::NOT_FOUND, "{email} downloaded the note's file");
    }
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{}/articles", t.rozy_user)).await;
    assert!(articles.to_string().contains("Tajemnica"));
    assert_eq!(listed(&agent, "?q=tajemnica").await, [t.rozy_user].into());
    assert_eq!(agent.get_raw(&file_url).await.status(), StatusCode::OK);
}

async fn only_admins_configure_and_customers_see_only_their_organisations(app: TestApp) {
    let w = app.world.clone();
    for email in ["agent@vendor.test", "kierownik@vendor.test", "it@pod-rozami.test", "recepcja@pod-rozami.test"] {
        let mut c = app.login(email).await;
        let (s, _) = c.post("/api/v1/organisations", &json!({"name": "Hotel Nowy"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{email} created an organisation");
        let (s, _) = c.post("/api/v1/products", &json!({"code": "x", "name": "X"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{email} created a product");
    }
    let mut admin = app.login("admin@vendor.test").await;
    let (s, body) =
        admin.post("/api/v1/organisations", &json!({"name": "Hotel Nowy", "phones": ["+48 22 555 66 77"]})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["phones"], json!(["+48225556677"]));

    let names = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_owned()).collect()
    };
    let (_, list) = app.login("recepcja@pod-rozami.test").await.get("/api/v1/organisations").await;
    assert_eq!(names(&list), ["Hotel Pod Różami".to_owned()].into());
    assert_eq!(list[0]["notes"], "", "vendor notes leak to customers");
    let (_, list) = app.login("it@baltyk.test").await.get("/api/v1/organisations").await;
    assert_eq!(names(&list), ["Grupa Hoteli Bałtyk".to_owned(), "Hotel Bałtyk Sopot".to_owned()].into());
    let c = app.login("recepcja@zdroj.test").await;
    let (s, _) = c.get(&format!("/api/v1/organisations/{}", w.rozy)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = c.get("/api/v1/teams").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, products) = c.get("/api/v1/products").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(products.as_array().unwrap().len(), 2);
    let (_, people) = c.get("/api/v1/people").await;
    assert_eq!(people.as_array().unwrap().len(), 1, "a customer user sees only themselves: {people}");
}

async fn a_customer_admin_manages_only_colleagues_of_their_organisation(app: TestApp) {
    let w = app.world.clone();
    let mut it = app.login("it@pod-rozami.test").await;
    let (s, body) = it
        .post(
            "/api/v1/people",
            &json!({"email": "nocna@pod-rozami.test", "name": "Recepcja nocna", "role": "customer_user", "organisation_id": w.rozy}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, _) = it
        .post(
            "/api/v1/people",
            &json!({"email": "x@zdroj.test", "name": "X", "role": "customer_user", "organisation_id": w.zdroj}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) =
        it.post("/api/v1/people", &json!({"email": "boss@pod-rozami.test", "name": "B", "role": "admin"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = it.patch(&format!("/api/v1/people/{}", w.rozy_user2), &json!({"active": false})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = it.patch(&format!("/api/v1/people/{}", w.zdroj_user), &json!({"active": false})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) =
        it.patch(&format!("/api/v1/people/{}", w.rozy_user), &json!({"role": "agent", "organisation_id": null})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a customer admin must not promote anyone to the vendor's staff");
    let (_, people) = it.get("/api/v1/people").await;
    assert!(people.as_array().unwrap().iter().all(|p| p["organisation_id"] == json!(w.rozy)));
}
