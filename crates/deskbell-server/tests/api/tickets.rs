//! The life of a ticket through the API.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, checks, open_ticket};

both_backends!(
    a_critical_ticket_goes_from_report_to_confirmed_solution,
    two_agents_changing_one_ticket_get_a_version_conflict_not_a_silent_overwrite,
    a_priority_change_needs_a_reason_which_is_recorded,
    attachments_round_trip_and_uploaded_html_is_never_served_inline,
    ticket_numbers_are_short_and_sequential,
    search_folds_polish_diacritics,
    cursor_pagination_visits_every_ticket_once,
    an_agent_logs_a_phone_ticket_for_a_customer,
);

fn kinds(history: &Value) -> Vec<String> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e["field"].as_str() {
            Some(f) => format!("{}:{}", e["kind"].as_str().unwrap(), f),
            None => e["kind"].as_str().unwrap().to_owned(),
        })
        .collect()
}

async fn a_critical_ticket_goes_from_report_to_confirmed_solution(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let (s, created) = customer
        .post(
            "/api/v1/tickets",
            &json!({
                "subject": "Nie można wystawić faktury",
                "body": "Od 8:00 recepcja nie wystawia faktur, goście czekają.",
                "priority": "critical",
                "product_id": app.world.premium,
                "local_it_checks": checks(),
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let t = &created["ticket"];
    assert_eq!(t["status"], "new");
    assert_eq!(t["channel"], "portal");
    assert_eq!(t["proposed_priority"], "critical");
    assert_eq!(t["organisation_id"], json!(app.world.rozy));
    assert_eq!(t["local_it_checks"]["network_and_servers_work"], true);
    let n = t["number"].as_i64().unwrap();

    let mut agent = app.login("agent@vendor.test").await;
    let (s, reply) = agent
        .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "Sprawdzamy."}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["ticket"]["status"], "open");
    assert!(reply["ticket"]["first_response_at"].is_string());

    let (s, t) =
        agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "waiting_for_customer"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let (s, answer) = customer
        .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "Drukarka działa."}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(answer["ticket"]["status"], "open", "a customer's answer takes the ticket off hold");

    let (s, t) = agent
        .post(
            &format!("/api/v1/tickets/{n}/transitions"),
            &json!({"status": "resolved", "reason": "Poprawiono konfigurację"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(t["resolved_at"].is_string());
    let (s, t) = customer.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "closed"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["status"], "closed");

    let (_, history) = agent.get(&format!("/api/v1/tickets/{n}/history")).await;
    assert_eq!(
        kinds(&history),
        [
            "created",
            "article_added:public_reply",
            // Routing: the product's team, and its next agent in turn.
            "field_changed:team_id",
            "assigned:assignee_id",
            "article_added:public_reply",
            "field_changed:first_response_at",
            "status_changed:status",
            "status_changed:status",
            "article_added:public_reply",
            "status_changed:status",
            "status_changed:status",
            "status_changed:status",
        ]
    );
    assert_eq!(history[10]["reason"], "Poprawiono konfigurację");
    assert_eq!(
        history[3]["reason"],
        "routing: the product's team Zespół PremiumHotel; team Zespół PremiumHotel, round robin among 2 on shift"
    );
    let (s, body) =
        agent.post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "x"})).await;
    assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_closed")));
}

async fn two_agents_changing_one_ticket_get_a_version_conflict_not_a_silent_overwrite(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut customer, json!({"subject": "Raport obłożenia", "body": "wolno", "priority": "standard"}))
        .await;
    let a1 = app.login("agent@vendor.test").await;
    let a2 = app.login("agent2@vendor.test").await;
    let (_, t) = a1.get(&format!("/api/v1/tickets/{n}")).await;
    let version = t["version"].as_i64().unwrap();
    let (s, first) =
        a1.patch(&format!("/api/v1/tickets/{n}"), &json!({"version": version, "assignee_id": app.world.agent})).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["version"].as_i64(), Some(version + 1));
    let events_before = app.count("ticket_events").await;
    let (s, second) =
        a2.patch(&format!("/api/v1/tickets/{n}"), &json!({"version": version, "assignee_id": app.world.agent2})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(second["error"]["code"], "version_conflict");
    let (_, now) = a2.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(now["assignee_id"], json!(app.world.agent));
    assert_eq!(app.count("ticket_events").await, events_before);
}

async fn a_priority_change_needs_a_reason_which_is_recorded(app: TestApp) {
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Kasa nie drukuje", "body": "paragon", "priority": "critical", "local_it_checks": checks()}),
    )
    .await;
    let agent = app.login("agent@vendor.test").await;
    let (s, body) = agent.patch(&format!("/api/v1/tickets/{n}"), &json!({"version": 1, "priority": "fault"})).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("priority_reason")));
    let (s, t) = agent
        .patch(
            &format!("/api/v1/tickets/{n}"),
            &json!({"version": 1, "priority": "fault", "priority_reason": "Sprzedaż działa na drugiej kasie"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!((t["priority"].as_str(), t["proposed_priority"].as_str()), (Some("fault"), Some("critical")));
    let (_, history) = agent.get(&format!("/api/v1/tickets/{n}/history")).await;
    let change = history.as_array().unwrap().iter().find(|e| e["field"] == "priority").unwrap().clone();
    assert_eq!(change["old_value"], "critical");
    assert_eq!(change["new_value"], "fault");
    assert_eq!(change["reason"], "Sprzedaż działa na drugiej kasie");
    assert_eq!(change["actor_id"], json!(app.world.agent));
}

async fn attachments_round_trip_and_uploaded_html_is_never_served_inline(app: TestApp) {
    let customer = app.login("recepcja@pod-rozami.test").await;
    let png: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let form = reqwest::multipart::Form::new()
        .text(
            "data",
            json!({"subject": "Zrzut ekranu błędu", "body": "w załączniku", "priority": "standard"}).to_string(),
        )
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(png.clone()).file_name("błąd ekranu.png").mime_str("image/png").unwrap(),
        )
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"<script>alert(1)</script>".to_vec())
                .file_name("raport.html")
                .mime_str("text/html")
                .unwrap(),
        );
    let (s, created) = customer.post_multipart("/api/v1/tickets", form).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let files = created["article"]["attachments"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["filename"], "błąd ekranu.png");
    assert_eq!(files[0]["size"], json!(300_000));

    let res = customer.get_raw(files[0]["url"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);

    let res = customer.get_raw(files[1]["url"].as_str().unwrap()).await;
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");

    let other = app.login("recepcja@zdroj.test").await;
    assert_eq!(other.get_raw(files[0]["url"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);
}

async fn ticket_numbers_are_short_and_sequential(app: TestApp) {
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let mut numbers = Vec::new();
    for i in 0..5 {
        numbers.push(
            open_ticket(&mut c, json!({"subject": format!("Zgłoszenie {i}"), "body": "b", "priority": "standard"}))
                .await,
        );
    }
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    let (_, t) = c.get("/api/v1/tickets/%233").await;
    assert_eq!(t["reference"], "#3");
}

async fn search_folds_polish_diacritics(app: TestApp) {
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let zolw = open_ticket(
        &mut c,
        json!({"subject": "Żółw w basenie", "body": "Gość zgłasza żółwia.", "priority": "standard"}),
    )
    .await;
    let zam = open_ticket(
        &mut c,
        json!({"subject": "Błędne zamówienie", "body": "Zamówienie nr 7 zniknęło.", "priority": "standard"}),
    )
    .await;
    let other = open_ticket(&mut c, json!({"subject": "Faktura", "body": "korekta", "priority": "standard"})).await;
    for (q, want) in [
        ("zolw", vec![zolw]),
        ("ZAMOWIENIE", vec![zam]),
        ("Łódź OR zamów", vec![]),
        ("korek", vec![other]),
        ("zniknelo 7", vec![zam]),
    ] {
        let (s, page) = c.get(&format!("/api/v1/tickets?q={}", urlencode(q))).await;
        assert_eq!(s, StatusCode::OK);
        let got: Vec<i64> = page["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
        assert_eq!(got, want, "q={q}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn cursor_pagination_visits_every_ticket_once(app: TestApp) {
    let mut c = app.login("agent@vendor.test").await;
    for i in 0..23 {
        let priority = if i % 2 == 0 { "fault" } else { "standard" };
        open_ticket(
            &mut c,
            json!({"subject": format!("T{i}"), "body": "b", "priority": priority, "requester_id": app.world.rozy_user}),
        )
        .await;
    }
    for sort in ["-updated_at", "created_at", "-number"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/tickets?limit=5&sort={sort}&priority=fault");
            if let Some(cur) = &cursor {
                path.push_str(&format!("&cursor={cur}"));
            }
            let (s, page) = c.get(&path).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            seen.extend(page["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 12, "{sort}: {seen:?}");
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 12, "{sort}: duplicates in {seen:?}");
        if sort == "-number" {
            assert!(seen.windows(2).all(|w| w[0] > w[1]));
        }
    }
}

async fn an_agent_logs_a_phone_ticket_for_a_customer(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let (s, created) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Recepcja nie może zameldować gościa", "body": "Telefon z recepcji", "priority": "critical",
                    "requester_id": app.world.sopot_user, "assignee_id": app.world.agent, "team_id": app.world.team, "tags": ["Meldunek"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["ticket"]["channel"], "phone");
    assert_eq!(created["ticket"]["organisation_id"], json!(app.world.sopot));
    assert_eq!(created["ticket"]["proposed_priority"], Value::Null);
    assert_eq!(created["ticket"]["tags"], json!(["meldunek"]));
    assert_eq!(created["article"]["kind"], "phone_call");
    let n = created["ticket"]["number"].as_i64().unwrap();
    let (s, call) = agent
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "phone_call", "body": "Oddzwoniono, problem rozwiązany", "call_direction": "outbound", "call_number": "+48 58 444 44 44", "call_duration_secs": 240}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{call}");
    assert_eq!(call["article"]["call"]["number"], "+48584444444");
    assert!(call["ticket"]["first_response_at"].is_string(), "a call to the customer is a first response");
    let chain_admin = app.login("it@baltyk.test").await;
    let (s, _) = chain_admin.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(s, StatusCode::OK);
}
