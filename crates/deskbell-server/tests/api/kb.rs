//! The knowledge base, trainings and release notes through the API: who reads which
//! article by every route, search in Polish, harmless Markdown, bad input that changes
//! nothing, registration with its mails and the waiting list, versions newer than an
//! installation's, and the articles a ticket was shown and linked.

use deskbell_store::mail;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::pages_help::mailbox;
use crate::support::{Client, TestApp, open_ticket};

crate::both_backends_at!("2026-12-01T09:00:00Z":
    internal_and_customer_only_articles_never_reach_those_who_may_not_read_them,
    search_in_polish_finds_articles_with_and_without_diacritics,
    markdown_with_scripts_iframes_handlers_and_javascript_links_renders_harmlessly,
    bad_article_input_gets_precise_errors_and_changes_nothing,
    an_edit_keeps_the_revision_history_and_a_stale_version_is_a_conflict,
    helpful_votes_and_deflections_are_counted,
    a_registration_is_confirmed_by_mail_and_a_cancellation_promotes_the_first_waiting,
    a_registration_after_the_start_or_for_a_full_training_is_refused_and_writes_nothing,
    a_customer_sees_the_versions_newer_than_their_installation,
    an_article_linked_in_a_reply_is_recorded_on_the_ticket_with_a_history_event,
);

/// Counts of the tables a refused knowledge-base write must not touch.
async fn kb_snapshot(app: &TestApp) -> Vec<i64> {
    let mut v = Vec::new();
    for t in [
        "kb_articles",
        "kb_translations",
        "kb_revisions",
        "kb_files",
        "kb_categories",
        "kb_deflections",
        "trainings",
        "training_registrations",
        "product_versions",
        "outbox",
    ] {
        v.push(app.count(t).await);
    }
    v
}

pub async fn new_article(agent: &mut Client, slug: &str, visibility: &str, title_pl: &str, body: &str) -> Value {
    let (s, a) = agent
        .post(
            "/api/v1/kb/articles",
            &json!({"slug": slug, "visibility": visibility, "status": "published",
                    "texts": [{"language": "pl", "title": title_pl, "body": body}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a
}

fn slugs(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list.as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap().to_owned()).collect();
    v.sort();
    v
}

async fn internal_and_customer_only_articles_never_reach_those_who_may_not_read_them(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    new_article(&mut agent, "faktura-publiczna", "public", "Faktura publiczna", "Dla wszystkich").await;
    new_article(&mut agent, "faktura-klienci", "customers", "Faktura dla klientów", "Dla klientów").await;
    let internal =
        new_article(&mut agent, "faktura-wewnetrzna", "internal", "Faktura wewnętrzna", "Hasło serwisowe").await;
    let id = internal["id"].as_i64().unwrap();
    let form = Form::new()
        .part("files", Part::bytes(b"tajne".to_vec()).file_name("haslo.txt").mime_str("text/plain").unwrap());
    let (s, files) = agent.post_multipart(&format!("/api/v1/kb/articles/{id}/files"), form).await;
    assert_eq!(s, StatusCode::CREATED, "{files}");
    let file = files[0]["id"].as_i64().unwrap();

    let anon = app.anonymous();
    let customer = app.login("recepcja@pod-rozami.test").await;
    let (_, list) = anon.get("/api/v1/kb/articles?q=faktura").await;
    assert_eq!(slugs(&list), ["faktura-publiczna"]);
    let (_, list) = customer.get("/api/v1/kb/articles?q=faktura").await;
    assert_eq!(slugs(&list), ["faktura-klienci", "faktura-publiczna"]);
    let (_, list) = customer.get("/api/v1/kb/articles?q=haslo%20serwisowe").await;
    assert_eq!(slugs(&list), Vec::<String>::new(), "a customer's search never matches an internal article");
    let (_, list) = agent.get("/api/v1/kb/articles?q=faktura").await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    // By id, by slug, its files and its feedback: as missing as an article that does not exist.
    for who in [&anon, &customer] {
        for path in [
            format!("/api/v1/kb/articles/{id}"),
            "/api/v1/kb/articles/faktura-wewnetrzna".to_owned(),
            format!("/api/v1/kb/files/{file}"),
            format!("/help/kb/files/{file}"),
            "/help/kb/faktura-wewnetrzna".to_owned(),
        ] {
            let res = who.get_raw(&path).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(!res.text().await.unwrap().contains("tajne"));
        }
    }
    let (s, _) = anon.get("/api/v1/kb/articles/faktura-klienci").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "customer-only articles need a login");
    let (s, a) = customer.get("/api/v1/kb/articles/faktura-klienci").await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let mut customer = customer;
    let (s, _) = customer.post(&format!("/api/v1/kb/articles/{id}/feedback"), &json!({"helpful": true})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = customer.post("/api/v1/kb/deflections", &json!({"article_id": id, "subject": "Faktura"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Customers do not write articles.
    let (s, _) = customer
        .post(
            "/api/v1/kb/articles",
            &json!({"visibility": "public", "texts": [{"language": "pl", "title": "x", "body": "y"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let res = agent.get_raw(&format!("/api/v1/kb/files/{file}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-security-policy"], "default-src 'none'; sandbox");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"tajne");
}

async fn search_in_polish_finds_articles_with_and_without_diacritics(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    new_article(&mut agent, "jak-wystawic-fakture", "public", "Jak wystawić fakturę zaliczkową", "Otwórz moduł Kasa.")
        .await;
    new_article(&mut agent, "zmiana-hasla", "public", "Zmiana hasła", "Użytkownik zmienia hasło.").await;
    let anon = app.anonymous();
    for q in ["wystawić%20fakturę", "wystawic%20fakture", "FAKTURE", "zaliczk", "otworz%20modul"] {
        let (s, list) = anon.get(&format!("/api/v1/kb/articles?q={q}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(slugs(&list), ["jak-wystawic-fakture"], "{q}");
    }
    let (_, list) = anon.get("/api/v1/kb/articles?q=uzytkownik%20haslo").await;
    assert_eq!(slugs(&list), ["zmiana-hasla"]);
    let (s, e) = anon.get("/api/v1/kb/articles?status=archived").await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    let (s, e) = anon.get("/api/v1/kb/articles?colour=red").await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
}

async fn markdown_with_scripts_iframes_handlers_and_javascript_links_renders_harmlessly(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let evil = "**Ważne**\n\n<script>alert(1)</script>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n\
                <img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1))\n\n<a href=\"#\" onclick=\"alert(2)\">a</a>";
    let a = new_article(&mut agent, "zlo", "public", "Zło", evil).await;
    let html = a["texts"][0]["html"].as_str().unwrap();
    assert!(html.contains("<strong>Ważne</strong>"), "{html}");
    for tag in html.split('<').skip(1).filter_map(|t| t.split_once('>')).map(|(t, _)| t.to_lowercase()) {
        assert!(!tag.starts_with("script") && !tag.starts_with("iframe") && !tag.starts_with("img"), "<{tag}>");
        assert!(!tag.contains("javascript:") && !tag.split_whitespace().any(|w| w.starts_with("on")), "<{tag}>");
    }
    // The help centre's page shows the same sanitised HTML.
    let page = app.anonymous().get_raw("/help/kb/zlo").await.text().await.unwrap();
    assert!(page.contains(html), "the page shows the sanitised HTML as the API gives it");
    assert!(!page.contains("<script>alert") && !page.contains("<iframe") && !page.contains("<img src=\"x\""));
}

async fn bad_article_input_gets_precise_errors_and_changes_nothing(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    new_article(&mut agent, "faktura", "public", "Faktura", "Treść").await;
    let before = kb_snapshot(&app).await;
    let text = |title: &str, body: &str| json!([{"language": "pl", "title": title, "body": body}]);
    let cases: Vec<(Value, StatusCode, &str, Option<&str>)> = vec![
        (
            json!({"visibility": "secret", "texts": text("A", "B")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("visibility"),
        ),
        (
            json!({"visibility": "public", "texts": text("A", "B"), "colour": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            None,
        ),
        (
            json!({"visibility": "public", "texts": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("texts"),
        ),
        (
            json!({"visibility": "public", "texts": text("  ", "B")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("texts[0].title"),
        ),
        (
            json!({"visibility": "public", "texts": [{"language": "de", "title": "A", "body": "B"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("texts[0].language"),
        ),
        (
            json!({"visibility": "public", "slug": "Zła Ścieżka", "texts": text("A", "B")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("slug"),
        ),
        (
            json!({"visibility": "public", "slug": "faktura", "texts": text("A", "B")}),
            StatusCode::CONFLICT,
            "already_exists",
            Some("slug"),
        ),
        (
            json!({"visibility": "public", "category_id": 999, "texts": text("A", "B")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("category_id"),
        ),
        (
            json!({"visibility": "public", "status": "archived", "texts": text("A", "B")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("status"),
        ),
    ];
    for (body, status, code, field) in cases {
        let (s, e) = agent.post("/api/v1/kb/articles", &body).await;
        assert_eq!((s, e["error"]["code"].as_str()), (status, Some(code)), "{body} → {e}");
        if let Some(f) = field {
            assert_eq!(e["error"]["field"].as_str(), Some(f), "{body} → {e}");
        }
    }
    let (s, e) = agent.post_raw("/api/v1/kb/articles", "application/json", "{\"visibility\": ").await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let (s, e) = customer.post("/api/v1/trainings/1/registration", &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, e) = agent
        .post("/api/v1/trainings", &json!({"title": "X", "starts_at": "jutro", "duration_minutes": 60, "capacity": 10}))
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("starts_at")));
    let (s, e) = agent
        .post(
            "/api/v1/trainings",
            &json!({"title": "X", "starts_at": "2026-12-10T11:00", "duration_minutes": 60, "capacity": 10, "online_url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("online_url")));
    let (s, e) = agent
        .post(
            "/api/v1/releases",
            &json!({"product_id": app.world.premium, "version": "2.10", "released_on": "2026-13-01", "notes": "x"}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("released_on")));
    assert_eq!(kb_snapshot(&app).await, before, "refused writes leave nothing behind");
}

async fn an_edit_keeps_the_revision_history_and_a_stale_version_is_a_conflict(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let (s, a) = agent
        .post(
            "/api/v1/kb/articles",
            &json!({"visibility": "customers", "texts": [{"language": "pl", "title": "Jak wystawić fakturę", "body": "Krok 1"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!((a["slug"].as_str(), a["status"].as_str()), (Some("jak-wystawic-fakture"), Some("draft")));
    let id = a["id"].as_i64().unwrap();
    let customer = app.login("recepcja@pod-rozami.test").await;
    assert_eq!(
        customer.get(&format!("/api/v1/kb/articles/{id}")).await.0,
        StatusCode::NOT_FOUND,
        "a draft is the vendor's"
    );
    let patch = json!({"version": a["version"], "status": "published",
                       "texts": [{"language": "en", "title": "How to issue an invoice", "body": "Step 1"}]});
    let (s, b) = agent.patch(&format!("/api/v1/kb/articles/{id}"), &patch).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, e) = agent.patch(&format!("/api/v1/kb/articles/{id}"), &patch).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("version_conflict")));
    let (_, c) = customer.get("/api/v1/kb/articles/jak-wystawic-fakture").await;
    assert_eq!(c["texts"].as_array().unwrap().len(), 2);
    let (s, revs) = agent.get(&format!("/api/v1/kb/articles/{id}/revisions")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(revs.as_array().unwrap().len(), 2);
    assert_eq!(revs[0]["title"], "How to issue an invoice");
    assert_eq!(revs[0]["author"], "agent");
    assert_eq!(customer.get(&format!("/api/v1/kb/articles/{id}/revisions")).await.0, StatusCode::FORBIDDEN);
}

async fn helpful_votes_and_deflections_are_counted(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let a = new_article(&mut agent, "faktura", "public", "Faktura", "Treść").await;
    let id = a["id"].as_i64().unwrap();
    // Each person counts once: answering again replaces the answer.
    let mut first = app.login("recepcja@pod-rozami.test").await;
    let mut second = app.login("recepcja@zdroj.test").await;
    for (who, helpful) in [(0, true), (1, true), (0, false), (0, false)] {
        let client = if who == 0 { &mut first } else { &mut second };
        let (s, _) = client.post("/api/v1/kb/articles/faktura/feedback", &json!({"helpful": helpful})).await;
        assert_eq!(s, StatusCode::OK);
    }
    let anon = app.anonymous();
    let (_, a) = anon.get("/api/v1/kb/articles/faktura").await;
    assert_eq!((a["helpful_yes"].as_i64(), a["helpful_no"].as_i64()), (Some(1), Some(1)));
    let (s, _) = first.post("/api/v1/kb/articles/faktura/feedback", &json!({"helpful": "maybe"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut nobody = app.anonymous();
    let (s, _) = nobody.post("/api/v1/kb/articles/faktura/feedback", &json!({"helpful": true})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "visitors answer on the article's page");
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let tickets = app.count("tickets").await;
    let (s, d) =
        customer.post("/api/v1/kb/deflections", &json!({"article_id": id, "subject": "Jak wystawić fakturę?"})).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(app.count("tickets").await, tickets, "a deflected request is not a ticket");
    let (s, counts) = agent.get("/api/v1/kb/deflections").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(counts, json!([{"article_id": id, "slug": "faktura", "deflected": 1}]));
    assert_eq!(customer.get("/api/v1/kb/deflections").await.0, StatusCode::FORBIDDEN);
}

pub async fn new_training(agent: &mut Client, capacity: i64, waiting_list: bool) -> i64 {
    let (s, t) = agent
        .post(
            "/api/v1/trainings",
            &json!({"title": "Nowości w PremiumHotel", "starts_at": "2026-12-10T11:00", "time_zone": "Europe/Warsaw",
                    "duration_minutes": 90, "online_url": "https://meet.example/abc", "capacity": capacity,
                    "waiting_list": waiting_list}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["starts_at"], "2026-12-10T10:00:00Z", "11:00 in Warsaw in winter");
    t["id"].as_i64().unwrap()
}

/// Templates and recipients of the outbox, in order.
async fn outbox(app: &TestApp) -> Vec<(String, String)> {
    app.db(|tx| {
        let mut v: Vec<(String, String)> =
            mail::outbox_recent(tx, 100).unwrap().into_iter().map(|m| (m.template, m.recipients.join(","))).collect();
        v.reverse();
        v
    })
    .await
}

async fn a_registration_is_confirmed_by_mail_and_a_cancellation_promotes_the_first_waiting(app: TestApp) {
    mailbox(&app).await;
    let mut agent = app.login("agent@vendor.test").await;
    let id = new_training(&mut agent, 1, true).await;
    let mut first = app.login("recepcja@pod-rozami.test").await;
    let mut second = app.login("recepcja@zdroj.test").await;
    let path = format!("/api/v1/trainings/{id}/registration");
    let (s, r) = first.post(&path, &json!({})).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::CREATED, Some("registered")), "{r}");
    let (s, r) = second.post(&path, &json!({})).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::CREATED, Some("waiting")), "{r}");
    // The meeting link is for those holding a place.
    let (_, t) = first.get(&format!("/api/v1/trainings/{id}")).await;
    assert_eq!(
        (t["my_status"].as_str(), t["online_url"].as_str()),
        (Some("registered"), Some("https://meet.example/abc"))
    );
    let (_, t) = second.get(&format!("/api/v1/trainings/{id}")).await;
    assert_eq!((t["my_status"].as_str(), t["online_url"].as_str()), (Some("waiting"), None));
    let (s, e) = second.post(&path, &json!({})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_registered")));
    let (s, _) = first.send(first.delete_req(&path)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, t) = second.get(&format!("/api/v1/trainings/{id}")).await;
    assert_eq!(t["my_status"], "registered", "the first on the waiting list got the place");
    assert_eq!(
        outbox(&app).await,
        [
            ("training_registered".to_owned(), "recepcja@pod-rozami.test".to_owned()),
            ("training_waiting".to_owned(), "recepcja@zdroj.test".to_owned()),
            ("training_promoted".to_owned(), "recepcja@zdroj.test".to_owned()),
        ]
    );
    let (s, roster) = agent.get(&format!("/api/v1/trainings/{id}/registrations")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(roster[0]["status"], "registered");
    assert_eq!(roster[1]["status"], "cancelled");
    assert_eq!(first.get(&format!("/api/v1/trainings/{id}/registrations")).await.0, StatusCode::FORBIDDEN);
    // Afterwards: the recording and materials are for logged-in people, the link never public.
    let (s, t) = agent
        .patch(
            &format!("/api/v1/trainings/{id}"),
            &json!({"recording_url": "https://video.example/r1", "materials": "- slajdy"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let (_, t) = app.anonymous().get(&format!("/api/v1/trainings/{id}")).await;
    assert_eq!(
        (t["recording_url"].as_str(), t["materials"].as_str(), t["online_url"].as_str()),
        (None, Some(""), None)
    );
    let (_, t) = first.get(&format!("/api/v1/trainings/{id}")).await;
    assert_eq!(t["recording_url"], "https://video.example/r1");
    let (s, e) = agent.patch(&format!("/api/v1/trainings/{id}"), &json!({"capacity": 0})).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("capacity")));
}

async fn a_registration_after_the_start_or_for_a_full_training_is_refused_and_writes_nothing(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let full = new_training(&mut agent, 1, false).await;
    let mut first = app.login("recepcja@pod-rozami.test").await;
    let mut second = app.login("recepcja@zdroj.test").await;
    assert_eq!(first.post(&format!("/api/v1/trainings/{full}/registration"), &json!({})).await.0, StatusCode::CREATED);
    let before = kb_snapshot(&app).await;
    let (s, e) = second.post(&format!("/api/v1/trainings/{full}/registration"), &json!({})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("training_full")));
    assert_eq!(e["error"]["message"], "every place is taken and this training keeps no waiting list");
    app.clock.as_ref().unwrap().set("2026-12-10T10:00:00Z".parse().unwrap());
    let (s, e) = second.post(&format!("/api/v1/trainings/{full}/registration"), &json!({})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("training_started")));
    assert_eq!(kb_snapshot(&app).await, before, "nothing was written");
    let (s, e) = agent.post(&format!("/api/v1/trainings/{full}/registration"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
}

async fn a_customer_sees_the_versions_newer_than_their_installation(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, i) = admin
        .post(
            "/api/v1/installations",
            &json!({"organisation_id": app.world.rozy, "product_id": app.world.premium, "name": "Recepcja", "version": "2.9"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    let mut agent = app.login("agent@vendor.test").await;
    for (v, published) in [("2.8", true), ("2.9", true), ("2.10", true), ("2.11", false)] {
        let (s, r) = agent
            .post(
                "/api/v1/releases",
                &json!({"product_id": app.world.premium, "version": v, "released_on": "2026-11-20",
                        "notes": format!("## {v}\n\n- poprawki <script>x</script>"), "published": published}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }
    let (s, e) = agent
        .post(
            "/api/v1/releases",
            &json!({"product_id": app.world.premium, "version": "2.10", "released_on": "2026-11-21", "notes": "x"}),
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_exists")));
    let customer = app.login("recepcja@pod-rozami.test").await;
    let (s, news) = customer.get("/api/v1/releases/newer").await;
    assert_eq!(s, StatusCode::OK, "{news}");
    assert_eq!(news.as_array().unwrap().len(), 1);
    assert_eq!(news[0]["version"], "2.9");
    let newer: Vec<&str> =
        news[0]["newer"].as_array().unwrap().iter().map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(newer, ["2.10"], "2.10 is newer than 2.9; 2.11 is not published yet");
    assert!(!news[0]["newer"][0]["notes_html"].as_str().unwrap().contains("<script>"));
    // Another hotel's installation is not theirs to see.
    let other = app.login("recepcja@zdroj.test").await;
    assert_eq!(other.get("/api/v1/releases/newer").await.1, json!([]));
    let (_, all) = app.anonymous().get("/api/v1/releases").await;
    assert_eq!(all.as_array().unwrap().len(), 3, "drafts are the vendor's");
}

async fn an_article_linked_in_a_reply_is_recorded_on_the_ticket_with_a_history_event(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let a = new_article(&mut agent, "faktura", "public", "Faktura", "Treść").await;
    let id = a["id"].as_i64().unwrap();
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Faktura", "product_id": app.world.premium, "kind": "question", "priority": "standard", "body": "Jak?"}),
    )
    .await;
    let path = format!("/api/v1/tickets/{n}/kb");
    let (s, l) = agent.post(&path, &json!({"article_id": id, "kind": "suggested"})).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let (s, l) = agent.post(&path, &json!({"article_id": id, "kind": "used"})).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l[0]["url"], "/help/kb/faktura");
    assert!(l[0]["suggested_at"].is_string() && l[0]["used_at"].is_string(), "{l}");
    let (_, history) = agent.get(&format!("/api/v1/tickets/{n}/history")).await;
    let used: Vec<&Value> = history.as_array().unwrap().iter().filter(|e| e["kind"] == "kb_article_used").collect();
    assert_eq!(used.len(), 1, "{history}");
    let (s, e) = agent.post(&path, &json!({"article_id": id, "kind": "read"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = customer.post(&path, &json!({"article_id": id, "kind": "used"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(customer.get(&path).await.0, StatusCode::FORBIDDEN);
}
