//! Automation's pages through a browser's eyes: the admin's rules, canned responses and
//! settings; the agent's "insert a canned response" and "redirect to local IT"; the
//! customer's written proposal from the link of its mail. On SQLite and PostgreSQL.

use deskbell_store::mail;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::both_backends;
use crate::browser::{Browser, Page, element_text};
use crate::support::{TestApp, checks, open_ticket};

both_backends!(
    an_admin_writes_a_rule_on_its_page_and_a_bad_one_is_shown_at_the_definition,
    an_admin_edits_canned_responses_and_the_scope_settings,
    an_agent_inserts_a_canned_response_and_redirects_to_local_it,
    a_customer_sends_the_written_proposal_from_the_link_of_the_mail,
);

async fn ticket(app: &TestApp, n: i64) -> Value {
    let agent = app.login("agent@vendor.test").await;
    agent.get(&format!("/api/v1/tickets/{n}")).await.1
}

async fn an_admin_writes_a_rule_on_its_page_and_a_bad_one_is_shown_at_the_definition(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { status, body, .. } = admin.get("/admin/rules/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("business_hours") && body.contains("fakturowanie"), "the new form starts from an example");

    let bad_json = admin
        .post("/admin/rules/new", &[("name", "Zła"), ("position", ""), ("active", "1"), ("definition", "{\"on\": [")])
        .await;
    assert_eq!(bad_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = element_text(&bad_json.body, "definition-error").expect("the error at the definition");
    assert!(e.contains("This is not a valid rule") || e.contains("To nie jest poprawna reguła"), "{e}");

    let contradiction = r#"{"on": ["created"], "actions": [{"action": "set_priority", "priority": "critical"}, {"action": "set_priority", "priority": "standard"}]}"#;
    let p = admin
        .post(
            "/admin/rules/new",
            &[("name", "Sprzeczna"), ("position", ""), ("active", "1"), ("definition", contradiction)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let e = element_text(&p.body, "definition-error").expect("the error at the definition");
    assert!(e.starts_with("actions[1]: ") && e.contains("contradict"), "{e}");
    assert!(p.body.contains("Sprzeczna"), "what was typed is kept");
    assert_eq!(app.count("rules").await, 0);

    let good = r#"{"on": ["created"], "conditions": [{"field": "text", "contains": ["paragon"]}], "actions": [{"action": "add_tag", "tag": "paragony"}]}"#;
    let p = admin
        .post("/admin/rules/new", &[("name", "Paragony"), ("position", "5"), ("active", "1"), ("definition", good)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut c, json!({"subject": "Nie drukuje paragonów", "body": "Od rana", "priority": "standard"}))
        .await;
    assert_eq!(ticket(&app, n).await["tags"], json!(["paragony"]));
    let list = admin.get("/admin/rules").await;
    assert!(
        list.body.contains(">Paragony</a>") && list.body.contains("<td data-label=\"Zadziałała\">1</td>"),
        "{}",
        list.body
    );

    // Edit it off, then delete it.
    let (_, rules) = app.login("admin@vendor.test").await.get("/api/v1/rules").await;
    let id = rules[0]["id"].as_i64().unwrap();
    let form = admin.get(&format!("/admin/rules/{id}")).await;
    assert!(form.body.contains("paragony"), "the stored definition is shown");
    let p = admin
        .post(&format!("/admin/rules/{id}"), &[("name", "Paragony"), ("position", "5"), ("definition", good)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let (_, rules) = app.login("admin@vendor.test").await.get("/api/v1/rules").await;
    assert_eq!(rules[0]["active"], false, "an unticked box switches the rule off");
    let p = admin.post(&format!("/admin/rules/{id}/delete"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("rules").await, 0);

    // Only an administrator.
    let agent = Browser::login(&app, "agent@vendor.test").await;
    assert_eq!(agent.get("/admin/rules").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        agent.post("/admin/rules/new", &[("name", "x"), ("definition", good)]).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn an_admin_edits_canned_responses_and_the_scope_settings(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let list = admin.get("/admin/responses").await;
    assert!(
        list.body.contains("Poza zakresem wsparcia — lokalne IT") && list.body.contains("Katalog szkoleń"),
        "the scope rules' answers are listed"
    );
    let p = admin
        .post(
            "/admin/responses/new",
            &[("title", "Zły"), ("active", "1"), ("body_pl", "Witaj {{klient}}"), ("body_en", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element_text(&p.body, "body_pl-error").unwrap().contains("{{klient}}"));
    let p = admin
        .post(
            "/admin/responses/new",
            &[
                ("title", "Restart kasy"),
                ("active", "1"),
                ("body_pl", "Dzień dobry {{person}}, prosimy zrestartować kasę."),
                ("body_en", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    let page = admin.get("/admin/automation").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"out_of_scope\" value=\"1\" checked"), "on by default");
    // Everything off but routing; the phrases replace the built-in list.
    let p = admin
        .post("/admin/automation", &[("enabled", "1"), ("round_robin", "1"), ("phrases", "ekspres do kaw\n\n")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let admin_api = app.login("admin@vendor.test").await;
    let (_, scope) = admin_api.get("/api/v1/settings/scope").await;
    assert_eq!(
        scope,
        json!({"out_of_scope": false, "out_of_scope_phrases": ["ekspres do kaw"], "written_confirmation": false, "training_catalogue": false})
    );
    let (_, routing) = admin_api.get("/api/v1/settings/routing").await;
    assert_eq!(routing["respect_absences"], false);
    assert_eq!(routing["enabled"], true);
}

async fn an_agent_inserts_a_canned_response_and_redirects_to_local_it(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (_, r) = admin
        .post("/api/v1/responses", &json!({"title": "Restart", "body_pl": "Dzień dobry {{person}}, w sprawie {{ticket}} prosimy zrestartować kasę. {{agent}}"}))
        .await;
    let id = r["id"].as_i64().unwrap().to_string();
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut c,
        json!({"subject": "Kasa nie działa", "body": "Opis", "priority": "fault", "local_it_checks": checks()}),
    )
    .await;

    let agent = Browser::login(&app, "agent@vendor.test").await;
    let page = agent.get(&format!("/agent/tickets/{n}")).await;
    assert!(page.body.contains(&format!("<option value=\"{id}\">Restart</option>")), "the responses are offered");
    let form = Form::new()
        .text("kind", "public_reply")
        .text("body", "Sprawdziliśmy logi.")
        .text("response", id.clone())
        .text("then_status", "");
    let p = agent.upload(&format!("/agent/tickets/{n}/insert-response"), form).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let body = element_text(&p.body, "body").expect("the reply box");
    assert_eq!(
        body,
        format!("Sprawdziliśmy logi.\n\nDzień dobry recepcja, w sprawie #{n} prosimy zrestartować kasę. agent")
    );
    assert_eq!(app.count("articles").await, 1, "inserting sends nothing");

    let p = agent.post(&format!("/agent/tickets/{n}/redirect"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = ticket(&app, n).await;
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("resolved"), Some("redirected")));
    let page = agent.get(&format!("/agent/tickets/{n}")).await;
    assert!(page.body.contains("przekierowane do lokalnego IT"), "the outcome is shown");
    assert!(!page.body.contains(&format!("/agent/tickets/{n}/redirect")), "a resolved ticket offers no redirect");
    // Without the token nothing happens.
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let n2 = open_ticket(&mut c, json!({"subject": "Raport", "body": "Opis", "priority": "standard"})).await;
    let p = agent.post_raw(&format!("/agent/tickets/{n2}/redirect"), &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(ticket(&app, n2).await["status"], "new");
}

async fn a_customer_sends_the_written_proposal_from_the_link_of_the_mail(app: TestApp) {
    crate::pages_help::mailbox(&app).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Eksport do księgowości", "body": "Klient proponuje eksport.", "channel": "phone",
                    "kind": "development_request", "priority": "development_request", "requester_id": app.world.rozy_user}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let n = t["ticket"]["number"].as_i64().unwrap();
    let key = app
        .db(|tx| {
            let rows = mail::outbox_recent(tx, 20).unwrap();
            let row = rows.into_iter().find(|o| o.template == "written_confirmation").expect("the mail");
            serde_json::from_str::<Value>(&row.params).unwrap()["tracking_key"].as_str().unwrap().to_owned()
        })
        .await;
    let anon = Browser::new(&app);
    let page = anon.get(&format!("/track/{n}?key={key}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Opisz propozycję na piśmie"), "{}", page.body);
    let wrong = anon.post(&format!("/track/{n}/written?key=wrong"), &[("body", "x")]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let p = anon
        .post(
            &format!("/track/{n}/written?key={key}"),
            &[("body", "Eksport faktur do programu księgowego, codziennie o 23:00.")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = ticket(&app, n).await;
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("open"), None));
    let page = anon.get(&format!("/track/{n}?key={key}&done=written")).await;
    assert!(
        page.body.contains("Dziękujemy — propozycja dotarła.") && !page.body.contains("Opisz propozycję na piśmie")
    );
    // Once written, the link cannot post again.
    let again = anon.post(&format!("/track/{n}/written?key={key}"), &[("body", "Jeszcze raz")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}
