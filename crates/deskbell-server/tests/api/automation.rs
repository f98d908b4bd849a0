//! Routing, rules, canned responses and the seed's scope rules from the outside, through the
//! API, on SQLite and PostgreSQL.

use deskbell_store::mail;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::pages_help::{mailbox, outbox};
use crate::support::{TestApp, checks, open_ticket};
use crate::{both_backends, both_backends_at};

both_backends!(
    new_tickets_go_to_the_account_team_in_turn_then_to_the_products_team,
    rules_set_fields_tag_note_and_answer_and_name_themselves_in_the_history,
    a_customers_reply_runs_the_rules_for_replies,
    rules_that_undo_each_other_fire_once_per_change_and_never_chain,
    bad_rules_are_refused_with_the_reason_and_change_nothing,
    out_of_scope_requests_get_the_local_it_answer_and_end_redirected,
    a_critical_request_that_looks_out_of_scope_is_only_noted_for_the_agent,
    agents_redirect_to_local_it_and_the_customers_answer_reopens,
    a_development_proposal_by_phone_waits_for_the_written_request,
    training_requests_are_answered_with_the_training_catalogue,
    canned_responses_fill_their_placeholders_in_the_requesters_language,
    the_scope_rules_can_be_switched_off,
);

mod at_night {
    use super::*;
    both_backends_at!("2026-03-07T22:00:00Z": routing_skips_agents_off_shift_and_a_critical_ticket_tells_the_whole_team);
}

mod in_november {
    use super::*;
    both_backends_at!("2026-11-10T10:00:00Z": a_redirected_request_is_counted_but_left_out_of_sla_compliance);
}

async fn history(app: &TestApp, n: i64) -> Vec<Value> {
    let agent = app.login("agent@vendor.test").await;
    let (s, h) = agent.get(&format!("/api/v1/tickets/{n}/history")).await;
    assert_eq!(s, StatusCode::OK, "{h}");
    h.as_array().unwrap().clone()
}

async fn ticket(app: &TestApp, n: i64) -> Value {
    let agent = app.login("agent@vendor.test").await;
    let (s, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t
}

async fn articles(app: &TestApp, who: &str, n: i64) -> Vec<Value> {
    let c = app.login(who).await;
    let (s, a) = c.get(&format!("/api/v1/tickets/{n}/articles")).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    a.as_array().unwrap().clone()
}

async fn customer_ticket(app: &TestApp, subject: &str, body: &str, priority: &str, product: i64) -> i64 {
    let mut c = app.login("recepcja@pod-rozami.test").await;
    open_ticket(
        &mut c,
        json!({"subject": subject, "body": body, "priority": priority, "product_id": product, "local_it_checks": checks()}),
    )
    .await
}

async fn set_account_team(app: &TestApp, org: i64, people: &[i64]) {
    let admin = app.login("admin@vendor.test").await;
    let (s, body) = admin.patch(&format!("/api/v1/organisations/{org}"), &json!({"account_team": people})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

async fn add_rule(app: &TestApp, body: Value) -> Value {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, r) = admin.post("/api/v1/rules", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    r
}

fn reasons_of(history: &[Value], kind: &str) -> Vec<String> {
    history.iter().filter(|e| e["kind"] == kind).map(|e| e["reason"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn new_tickets_go_to_the_account_team_in_turn_then_to_the_products_team(app: TestApp) {
    let w = &app.world;
    set_account_team(&app, w.rozy, &[w.supervisor, w.agent]).await;
    let mut assigned = Vec::new();
    for i in 0..3 {
        let n = customer_ticket(&app, &format!("Problem {i}"), "Opis", "standard", w.premium).await;
        let t = ticket(&app, n).await;
        assigned.push(t["assignee_id"].as_i64().unwrap());
        assert_eq!(t["team_id"], w.team, "the product's team is set too");
    }
    // Round robin: the one waiting longest first (never served: by id).
    let (first, second) = if w.agent < w.supervisor { (w.agent, w.supervisor) } else { (w.supervisor, w.agent) };
    assert_eq!(assigned, [first, second, first]);

    // An absent agent is skipped while away.
    let mut boss = app.login("kierownik@vendor.test").await;
    let now = jiff::Timestamp::now();
    let (s, body) = boss
        .post(
            "/api/v1/absences",
            &json!({"person_id": second, "starts_at": (now - jiff::SignedDuration::from_hours(1)).to_string(),
                    "ends_at": (now + jiff::SignedDuration::from_hours(8)).to_string(), "reason": "urlop"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let n = customer_ticket(&app, "Problem 4", "Opis", "standard", w.premium).await;
    assert_eq!(ticket(&app, n).await["assignee_id"], first, "the absent one is skipped");
    let h = history(&app, n).await;
    let assigned: Vec<&Value> = h.iter().filter(|e| e["kind"] == "assigned").collect();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0]["actor_id"], Value::Null, "deskbell itself assigned it");
    assert!(
        assigned[0]["reason"]
            .as_str()
            .unwrap()
            .contains("account team of Hotel Pod Różami, round robin among 1 on shift"),
        "{h:?}"
    );

    // Without an account team: the product's team, in turn.
    let mut zdroj = app.login("recepcja@zdroj.test").await;
    let mut team_turns = Vec::new();
    for i in 0..2 {
        let n = open_ticket(
            &mut zdroj,
            json!({"subject": format!("Zdrój {i}"), "body": "Opis", "priority": "standard", "product_id": w.premium}),
        )
        .await;
        let h = history(&app, n).await;
        assert!(
            reasons_of(&h, "assigned")[0].contains("team Zespół PremiumHotel, round robin among 2 on shift"),
            "{h:?}"
        );
        team_turns.push(ticket(&app, n).await["assignee_id"].as_i64().unwrap());
    }
    team_turns.sort_unstable();
    let mut members = vec![w.agent, w.agent2];
    members.sort_unstable();
    assert_eq!(team_turns, members, "both team members in turn");

    // A product without a team and no account team: unassigned, and the history says why.
    let n = open_ticket(
        &mut zdroj,
        json!({"subject": "Kuracjusz", "body": "Opis", "priority": "standard", "product_id": w.kuracjusz}),
    )
    .await;
    assert_eq!(ticket(&app, n).await["assignee_id"], Value::Null);
    let h = history(&app, n).await;
    assert!(reasons_of(&h, "routing")[0].starts_with("routing: left unassigned, nobody of the account team"), "{h:?}");

    // An assignee given by the caller is kept.
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Telefon", "body": "Opis", "priority": "standard", "requester_id": w.rozy_user,
                    "product_id": w.premium, "assignee_id": w.agent2}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["ticket"]["assignee_id"], w.agent2);
}

/// Saturday 23:00 in Warsaw: outside the office calendar's hours.
async fn routing_skips_agents_off_shift_and_a_critical_ticket_tells_the_whole_team(app: TestApp) {
    let w = &app.world;
    let boss = app.login("kierownik@vendor.test").await;
    // agent works Mon–Fri 08:00–20:00 (calendar 1); agent2 has no working hours: always on.
    let (s, body) = boss.put(&format!("/api/v1/people/{}/working-hours", w.agent), &json!({"calendar_id": 1})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    for _ in 0..2 {
        let n = customer_ticket(&app, "Nocą", "Opis", "standard", w.premium).await;
        assert_eq!(ticket(&app, n).await["assignee_id"], w.agent2, "only agent2 is on shift");
    }
    // On call tonight counts as on shift.
    let mut boss = app.login("kierownik@vendor.test").await;
    let (s, body) = boss
        .post(
            "/api/v1/on-call",
            &json!({"person_id": w.agent, "starts_at": "2026-03-07T19:00:00Z", "ends_at": "2026-03-08T07:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let n = customer_ticket(&app, "Recepcja stoi", "Nie można zameldować gości", "critical", w.premium).await;
    assert_eq!(ticket(&app, n).await["assignee_id"], w.agent, "agent's turn: on call");
    // The critical one tells the whole team at once.
    for who in ["agent@vendor.test", "agent2@vendor.test"] {
        let c = app.login(who).await;
        let (_, list) = c.get("/api/v1/notifications").await;
        let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["critical_ticket"], "{who}: {list}");
    }
    let (s, body) = boss.put(&format!("/api/v1/people/{}/working-hours", w.agent), &json!({"calendar_id": 999})).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_id")));
    let (s, _) = boss.put(&format!("/api/v1/people/{}/working-hours", w.rozy_user), &json!({"calendar_id": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "customers have no working hours");
    let agent = app.login("agent@vendor.test").await;
    let (s, _) = agent.put(&format!("/api/v1/people/{}/working-hours", w.agent), &json!({"calendar_id": null})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a supervisor plans working hours");
}

async fn rules_set_fields_tag_note_and_answer_and_name_themselves_in_the_history(app: TestApp) {
    mailbox(&app).await;
    let w = &app.world;
    let mut admin = app.login("admin@vendor.test").await;
    let (s, response) = admin
        .post(
            "/api/v1/responses",
            &json!({"title": "Faktury", "body_pl": "Dzień dobry {{person}}, zgłoszenie {{ticket}} ({{organisation}}, {{product}}) ma najwyższy priorytet.",
                    "body_en": "Hello {{person}}, request {{ticket}} has the highest priority."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{response}");
    let rule = add_rule(
        &app,
        json!({"name": "Faktury są krytyczne", "definition": {
        "on": ["created"],
        "conditions": [{"field": "channel", "in": ["portal", "email"]}, {"field": "text", "contains": ["faktur"]}],
        "actions": [
            {"action": "set_priority", "priority": "critical"},
            {"action": "add_tag", "tag": "Fakturowanie"},
            {"action": "assign", "person_id": w.agent2},
            {"action": "add_note", "body": "Sprawdź kolejkę fiskalną."},
            {"action": "send_template", "response_id": response["id"]},
            {"action": "notify_person", "person_id": w.supervisor}
        ]}}),
    )
    .await;
    assert_eq!(rule["position"], 10);

    let n = customer_ticket(&app, "Nie można wystawić FAKTURY", "Od rana.", "fault", w.premium).await;
    let t = ticket(&app, n).await;
    assert_eq!((t["priority"].as_str(), t["assignee_id"].as_i64()), (Some("critical"), Some(w.agent2)));
    assert_eq!(t["tags"], json!(["fakturowanie"]));
    let h = history(&app, n).await;
    assert_eq!(reasons_of(&h, "rule_fired"), ["rule «Faktury są krytyczne»"]);
    let priority = h.iter().find(|e| e["field"] == "priority").unwrap();
    assert_eq!((priority["old_value"].as_str(), priority["new_value"].as_str()), (Some("fault"), Some("critical")));
    assert_eq!(priority["reason"], "rule «Faktury są krytyczne»");
    assert_eq!(priority["actor_id"], Value::Null);
    assert!(
        reasons_of(&h, "routing").is_empty() && reasons_of(&h, "assigned") == ["rule «Faktury są krytyczne»"],
        "the rule's assignee is kept: {h:?}"
    );

    // The note is internal, the answer public and filled in; neither is a first response.
    let seen_by_agent = articles(&app, "agent@vendor.test", n).await;
    let kinds: Vec<&str> = seen_by_agent.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["public_reply", "internal_note", "public_reply"]);
    assert_eq!(
        seen_by_agent[2]["body"],
        format!("Dzień dobry recepcja, zgłoszenie #{n} (Hotel Pod Różami, PremiumHotel) ma najwyższy priorytet.")
    );
    assert_eq!(seen_by_agent[2]["author_id"], Value::Null);
    assert_eq!(ticket(&app, n).await["first_response_at"], Value::Null, "an automatic answer is not a first response");
    let seen_by_customer = articles(&app, "recepcja@pod-rozami.test", n).await;
    assert_eq!(seen_by_customer.len(), 2, "the internal note stays internal");

    // Mail: the automatic answer to the requester; the notices to the supervisor and the team.
    let sent = outbox(&app).await;
    let templates: Vec<(&str, Vec<String>)> =
        sent.iter().map(|o| (o.template.as_str(), o.recipients.clone())).collect();
    assert!(templates.contains(&("automatic_reply", vec!["recepcja@pod-rozami.test".to_owned()])), "{templates:?}");
    assert!(templates.contains(&("staff_notice", vec!["kierownik@vendor.test".to_owned()])), "{templates:?}");

    // Another ticket does not match; the firing count says 1.
    let other = customer_ticket(&app, "Raport obłożenia", "Wolno działa", "standard", w.premium).await;
    assert!(reasons_of(&history(&app, other).await, "rule_fired").is_empty());
    let (_, rules) = admin.get("/api/v1/rules").await;
    assert_eq!(rules[0]["fired"], 1);
    let (s, _) = admin.send(admin.delete_req(&format!("/api/v1/rules/{}", rule["id"]))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let n2 = customer_ticket(&app, "Faktura korygująca", "Opis", "standard", w.premium).await;
    assert_eq!(ticket(&app, n2).await["priority"], "standard", "a deleted rule no longer fires");
}

async fn a_customers_reply_runs_the_rules_for_replies(app: TestApp) {
    app.without_routing().await;
    let w = &app.world;
    add_rule(
        &app,
        json!({"name": "Klient odpisał", "definition": {
            "on": ["customer_replied"],
            "conditions": [{"field": "sender", "matches": ["@pod-rozami.test"]}, {"field": "tag", "any": ["vip"]}],
            "actions": [{"action": "add_tag", "tag": "odpowiedz-klienta"}, {"action": "notify", "to": "team"}]}}),
    )
    .await;
    let n = customer_ticket(&app, "Raport", "Opis", "standard", w.premium).await;
    let mut agent = app.login("agent@vendor.test").await;
    let t = ticket(&app, n).await;
    let (s, body) = agent
        .patch(&format!("/api/v1/tickets/{n}"), &json!({"version": t["version"], "tags": ["vip"], "team_id": w.team}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = agent
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "public_reply", "body": "Proszę o zrzut ekranu."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ticket(&app, n).await["tags"], json!(["vip"]), "an agent's reply is not a customer's");
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let (s, _) = customer
        .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "W załączeniu."}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ticket(&app, n).await["tags"], json!(["vip", "odpowiedz-klienta"]));
    let c = app.login("agent2@vendor.test").await;
    let (_, list) = c.get("/api/v1/notifications").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "the team hears of it: {list}");
}

async fn rules_that_undo_each_other_fire_once_per_change_and_never_chain(app: TestApp) {
    app.without_routing().await;
    let w = &app.world;
    for (name, from, to) in [("A: fault → standard", "fault", "standard"), ("B: standard → fault", "standard", "fault")]
    {
        add_rule(
            &app,
            json!({"name": name, "definition": {"on": ["created", "updated"],
                "conditions": [{"field": "priority", "in": [from]}],
                "actions": [{"action": "set_priority", "priority": to}, {"action": "add_tag", "tag": "ping"}]}}),
        )
        .await;
    }
    let n = customer_ticket(&app, "Ping-pong", "Opis", "fault", w.premium).await;
    let t = ticket(&app, n).await;
    // A saw fault and made it standard; B, later in the same pass, saw standard. Then the pass ends.
    assert_eq!(t["priority"], "fault");
    let h = history(&app, n).await;
    assert_eq!(reasons_of(&h, "rule_fired"), ["rule «A: fault → standard»", "rule «B: standard → fault»"]);

    // A person's change starts one more pass, no more.
    let agent = app.login("agent@vendor.test").await;
    let (s, body) =
        agent.patch(&format!("/api/v1/tickets/{n}"), &json!({"version": t["version"], "subject": "Ping-pong 2"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(reasons_of(&history(&app, n).await, "rule_fired").len(), 4);
    let (_, rules) = agent.get("/api/v1/rules").await;
    let fired: Vec<i64> = rules.as_array().unwrap().iter().map(|r| r["fired"].as_i64().unwrap()).collect();
    assert_eq!(fired, [2, 2]);

    // A `stop` rule ends the pass.
    add_rule(
        &app,
        json!({"name": "0: stop", "position": 1, "definition": {"on": ["created"], "stop": true,
            "conditions": [{"field": "kind", "in": ["question"]}], "actions": [{"action": "add_tag", "tag": "pytanie"}]}}),
    )
    .await;
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let q = open_ticket(
        &mut c,
        json!({"subject": "Pytanie", "body": "Jak?", "priority": "fault", "kind": "question",
        "local_it_checks": checks()}),
    )
    .await;
    assert_eq!(reasons_of(&history(&app, q).await, "rule_fired"), ["rule «0: stop»"]);
    assert_eq!(ticket(&app, q).await["priority"], "fault");
}

async fn bad_rules_are_refused_with_the_reason_and_change_nothing(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let good = json!({"on": ["created"], "actions": [{"action": "unassign"}]});
    let cases = [
        (
            json!({"name": "x", "definition": {"on": ["created"], "conditions": [{"field": "colour", "in": ["red"]}], "actions": [{"action": "unassign"}]}}),
            "definition.conditions[0].field",
            "unknown variant `colour`",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": [{"action": "set_priority", "priority": "fault", "why": 1}]}}),
            "definition.actions[0]",
            "unknown field `why`",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": [{"action": "set_priority", "priority": "urgent"}]}}),
            "definition.actions[0]",
            "unknown Priority `urgent`",
        ),
        (json!({"name": "x", "definition": good, "colour": "red"}), "colour", "unknown field `colour`"),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": [
            {"action": "set_status", "status": "resolved"}, {"action": "set_status", "status": "waiting_for_customer"}]}}),
            "definition.actions[1]",
            "the actions contradict each other",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": [{"action": "add_tag", "tag": "a"}, {"action": "remove_tag", "tag": "A"}]}}),
            "definition.actions[1]",
            "adds and removes the same tag",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "conditions": [
            {"field": "channel", "in": ["email"]}, {"field": "channel", "in": ["phone"]}], "actions": [{"action": "unassign"}]}}),
            "definition.conditions[1]",
            "could never fire",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": [{"action": "assign", "person_id": app.world.rozy_user}]}}),
            "definition.actions[0]",
            "is not active support staff",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": [{"action": "send_template", "response_id": 4242}]}}),
            "definition.actions[0]",
            "no canned response 4242",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "conditions": [{"field": "organisation", "in": [4242]}], "actions": [{"action": "unassign"}]}}),
            "definition.conditions[0]",
            "no organisation 4242",
        ),
        (
            json!({"name": "x", "definition": {"on": ["created"], "actions": []}}),
            "definition.actions",
            "at least one action",
        ),
        (json!({"name": " ", "definition": good}), "name", "must not be empty"),
        (json!({"definition": good}), "name", "missing field `name`"),
    ];
    for (body, field, message) in cases {
        let (s, err) = admin.post("/api/v1/rules", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {err}");
        assert_eq!(err["error"]["field"], field, "{body} → {err}");
        assert!(err["error"]["message"].as_str().unwrap().contains(message), "{body} → {err}");
    }
    let (s, err) = admin.post_raw("/api/v1/rules", "application/json", "{\"name\": \"x\", ").await;
    assert_eq!((s, err["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let mut agent = app.login("agent@vendor.test").await;
    let (s, _) = agent.post("/api/v1/rules", &json!({"name": "x", "definition": good})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only an admin writes rules");
    assert_eq!(app.count("rules").await, 0, "nothing was written");

    // A name is unique; the second one is refused by name.
    add_rule(&app, json!({"name": "Jedna", "definition": good})).await;
    let (s, err) = admin.post("/api/v1/rules", &json!({"name": "Jedna", "definition": good})).await;
    assert_eq!((s, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));
    let (s, _) = admin.put("/api/v1/rules/4242", &json!({"name": "x", "definition": good})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.count("rules").await, 1);
}

async fn out_of_scope_requests_get_the_local_it_answer_and_end_redirected(app: TestApp) {
    mailbox(&app).await;
    let n = customer_ticket(
        &app,
        "Prośba o instalację drukarki",
        "W recepcji stoi nowa drukarka.",
        "standard",
        app.world.premium,
    )
    .await;
    let t = ticket(&app, n).await;
    assert_eq!(
        (t["status"].as_str(), t["kind"].as_str(), t["disposition"].as_str()),
        (Some("resolved"), Some("out_of_scope"), Some("redirected"))
    );
    assert_eq!(t["assignee_id"], Value::Null, "nobody's time is taken");
    let h = history(&app, n).await;
    assert!(
        reasons_of(&h, "status_changed")[0].contains("scope rules: out of scope, the phrase «instalac drukark»"),
        "{h:?}"
    );
    let seen = articles(&app, "recepcja@pod-rozami.test", n).await;
    assert_eq!(seen.len(), 2);
    let answer = seen[1]["body"].as_str().unwrap();
    assert!(
        answer.starts_with("Dzień dobry recepcja,") && answer.contains("lokalny dział IT (Hotel Pod Różami)"),
        "{answer}"
    );
    let sent = outbox(&app).await;
    assert_eq!(sent.iter().filter(|o| o.template == "automatic_reply").count(), 1);

    // English phrases too.
    let n2 =
        customer_ticket(&app, "Windows update", "Please update Windows at the spa desk", "fault", app.world.premium)
            .await;
    assert_eq!(ticket(&app, n2).await["disposition"], "redirected");
}

async fn a_critical_request_that_looks_out_of_scope_is_only_noted_for_the_agent(app: TestApp) {
    let n = customer_ticket(
        &app,
        "Nie działa sieć lokalna — recepcja stoi",
        "Nie możemy meldować gości.",
        "critical",
        app.world.premium,
    )
    .await;
    let t = ticket(&app, n).await;
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("new"), None));
    let seen = articles(&app, "agent@vendor.test", n).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1]["kind"], "internal_note");
    assert!(seen[1]["body"].as_str().unwrap().contains("looks out of scope (the phrase «siec lokaln»)"));
    assert_eq!(articles(&app, "recepcja@pod-rozami.test", n).await.len(), 1);
}

async fn agents_redirect_to_local_it_and_the_customers_answer_reopens(app: TestApp) {
    let n =
        customer_ticket(&app, "Nowy komputer w SPA", "Prosimy o skonfigurowanie.", "standard", app.world.premium).await;
    assert_eq!(ticket(&app, n).await["status"], "new", "no phrase matched");
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let (s, _) = customer.post(&format!("/api/v1/tickets/{n}/redirect"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "customers cannot redirect");
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent.post(&format!("/api/v1/tickets/{n}/redirect"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("resolved"), Some("redirected")));
    assert!(t["first_response_at"].is_string(), "the agent's answer is a first response");
    let seen = articles(&app, "recepcja@pod-rozami.test", n).await;
    assert_eq!(seen[1]["author_id"], app.world.agent);
    let (s, err) = agent.post(&format!("/api/v1/tickets/{n}/redirect"), &json!({})).await;
    assert_eq!((s, err["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_not_open")));
    let mut zdroj = app.login("recepcja@zdroj.test").await;
    let (s, _) = zdroj.post(&format!("/api/v1/tickets/{n}/redirect"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // "It is our software after all": the answer reopens it, no longer redirected.
    let (s, _) = customer
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "public_reply", "body": "Lokalne IT sprawdziło — to aplikacja."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let t = ticket(&app, n).await;
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("open"), None));
    let h = history(&app, n).await;
    assert!(
        h.iter().any(|e| e["field"] == "disposition" && e["old_value"] == "redirected" && e["new_value"].is_null()),
        "{h:?}"
    );
}

async fn a_development_proposal_by_phone_waits_for_the_written_request(app: TestApp) {
    mailbox(&app).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Raport obłożenia per piętro", "body": "Klient prosi o nowy raport.", "channel": "phone",
                    "kind": "development_request", "priority": "standard", "requester_id": app.world.rozy_user,
                    "product_id": app.world.premium}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let n = t["ticket"]["number"].as_i64().unwrap();
    let t = ticket(&app, n).await;
    assert_eq!(
        (t["status"].as_str(), t["disposition"].as_str()),
        (Some("waiting_for_customer"), Some("awaiting_written_confirmation"))
    );
    let sent = outbox(&app).await;
    let mail = sent.iter().find(|o| o.template == "written_confirmation").expect("the form's link went out");
    assert_eq!(mail.recipients, ["recepcja@pod-rozami.test"]);
    let params: Value = serde_json::from_str(&mail.params).unwrap();
    let key = params["tracking_key"].as_str().unwrap().to_owned();
    let hash = deskbell_server::mail::outbox::tracking_hash(&key);
    let id = t["id"].as_i64();
    assert_eq!(app.db(move |tx| mail::ticket_by_tracking_hash(tx, &hash).unwrap()).await, id);

    // The written request through the link's page takes it off hold.
    let page = reqwest::get(format!("{}/track/{n}?key={key}", app.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let (s, _) = customer
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "public_reply", "body": "Potwierdzam na piśmie: raport per piętro."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let t = ticket(&app, n).await;
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("open"), None));
    let h = history(&app, n).await;
    assert!(reasons_of(&h, "status_changed")[0].contains("waits for the written request"), "{h:?}");
}

async fn training_requests_are_answered_with_the_training_catalogue(app: TestApp) {
    let mut c = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut c,
        json!({"subject": "Szkolenie dla nowej recepcji", "body": "Mamy trzy nowe osoby.", "priority": "standard",
               "kind": "training_request", "product_id": app.world.premium}),
    )
    .await;
    let t = ticket(&app, n).await;
    assert_eq!((t["status"].as_str(), t["disposition"].as_str()), (Some("resolved"), Some("training_catalogue")));
    let seen = articles(&app, "recepcja@pod-rozami.test", n).await;
    let answer = seen[1]["body"].as_str().unwrap();
    assert!(answer.contains("szkoleniem z PremiumHotel") && answer.contains("/help/trainings"), "{answer}");
}

async fn canned_responses_fill_their_placeholders_in_the_requesters_language(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, r) = admin
        .post(
            "/api/v1/responses",
            &json!({"title": "Restart", "body_pl": "Dzień dobry {{person}}, w sprawie {{ticket}}: prosimy zrestartować {{product}}. {{agent}}",
                    "body_en": "Hello {{person}}, about {{ticket}}: please restart {{product}}. {{agent}}"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    let (s, err) = admin.post("/api/v1/responses", &json!({"title": "Zły", "body_pl": "Witaj {{klient}}"})).await;
    assert_eq!((s, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body_pl")));
    assert!(err["error"]["message"].as_str().unwrap().starts_with("unknown placeholder `{{klient}}`"), "{err}");
    let (s, err) =
        admin.post("/api/v1/responses", &json!({"title": "Zły", "body_pl": "ok", "body_en": "Hi {{person"})).await;
    assert_eq!((s, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body_en")));

    let n = customer_ticket(&app, "Kasa", "Nie działa", "standard", app.world.premium).await;
    let agent = app.login("agent@vendor.test").await;
    let (s, text) = agent.get(&format!("/api/v1/tickets/{n}/responses/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(text["text"], format!("Dzień dobry recepcja, w sprawie #{n}: prosimy zrestartować PremiumHotel. agent"));
    let (_, list) = agent.get("/api/v1/responses").await;
    let titles: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Restart") && titles.contains(&"Poza zakresem wsparcia — lokalne IT"), "{titles:?}");
    let customer = app.login("recepcja@pod-rozami.test").await;
    let (s, _) = customer.get(&format!("/api/v1/tickets/{n}/responses/{id}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = customer.get("/api/v1/responses").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = agent.get(&format!("/api/v1/tickets/{n}/responses/4242")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn the_scope_rules_can_be_switched_off(app: TestApp) {
    let admin = app.login("admin@vendor.test").await;
    let (s, body) =
        admin.put("/api/v1/settings/scope", &json!({"out_of_scope": false, "training_catalogue": false})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["written_confirmation"], true, "omitted settings keep their defaults");
    let n = customer_ticket(&app, "Prośba o instalację drukarki", "Opis", "standard", app.world.premium).await;
    assert_eq!(ticket(&app, n).await["status"], "new");
    let (s, err) = admin.put("/api/v1/settings/scope", &json!({"out_of_scope": "yes"})).await;
    assert_eq!((s, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("out_of_scope")));
    let (s, err) = admin.put("/api/v1/settings/routing", &json!({"round_robin": true, "colour": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    // Own phrases replace the built-in list.
    let (s, _) = admin.put("/api/v1/settings/scope", &json!({"out_of_scope_phrases": ["ekspres do kaw"]})).await;
    assert_eq!(s, StatusCode::OK);
    let n = customer_ticket(&app, "Nie działa ekspres do kawy", "Opis", "standard", app.world.premium).await;
    assert_eq!(ticket(&app, n).await["disposition"], "redirected");
    let agent = app.login("agent@vendor.test").await;
    let (s, _) = agent.put("/api/v1/settings/scope", &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_redirected_request_is_counted_but_left_out_of_sla_compliance(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, c) = admin
        .post(
            "/api/v1/contracts",
            &json!({"organisation_id": app.world.rozy, "name": "Serwis", "valid_from": "2026-01-01",
                    "product_ids": [app.world.premium], "calendar_id": 2, "monthly_fee_minor": 400000}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let redirected =
        customer_ticket(&app, "Nadanie uprawnień w domenie", "Nowa recepcjonistka", "standard", app.world.premium)
            .await;
    assert_eq!(ticket(&app, redirected).await["disposition"], "redirected");
    let regular = customer_ticket(&app, "Raport obłożenia", "Wolno działa", "standard", app.world.premium).await;
    app.clock.as_ref().unwrap().set("2026-12-02T09:00:00Z".parse().unwrap());
    let boss = app.login("kierownik@vendor.test").await;
    let (s, st) = boss.get(&format!("/api/v1/organisations/{}/sla-statement?month=2026-11", app.world.rozy)).await;
    assert_eq!(s, StatusCode::OK, "{st}");
    let lines = st["lines"].as_array().unwrap();
    let of = |n: i64| lines.iter().filter(|l| l["number"] == n).collect::<Vec<_>>();
    // Both count as work; only the regular one counts for compliance (it is overdue by now).
    assert!(!of(redirected).is_empty() && of(redirected).iter().all(|l| l["excluded"] == true), "{st}");
    assert!(!of(regular).is_empty() && of(regular).iter().all(|l| l["excluded"] == false), "{st}");
    assert!(of(regular).iter().any(|l| l["breached"] == true), "{st}");
    assert!(of(redirected).iter().all(|l| l["breached"] == false), "resolved at once: {st}");
}
