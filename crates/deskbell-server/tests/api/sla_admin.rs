//! Contracts and calendars through the admin API, and the SLA watch firing alerts.

use deskbell_store::testing::Backend;
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends_at;
use crate::support::{TestApp, checks, open_ticket};

both_backends_at!("2026-02-01T09:00:00Z":
    an_admin_defines_contracts_and_overlapping_ones_are_refused,
    a_calendar_edit_counts_from_the_moment_it_is_saved,
    the_watch_fires_each_warning_and_breach_exactly_once_and_tells_the_team,
    a_scheduled_calendar_edit_takes_effect_at_its_instant_exactly_once,
    a_priority_or_contract_change_moves_open_clocks_to_the_new_terms,
    a_critical_outside_office_hours_also_reaches_whoever_is_on_call,
);

/// Steps the SLA watch at `at` off the runtime, as one instance's pass; the alerts it fired.
async fn watch_pass(app: &TestApp, at: &str) -> usize {
    let store = app.store.clone();
    let at = ts(at);
    tokio::task::spawn_blocking(move || deskbell_server::sla::watch::run_once(&store, at)).await.unwrap().unwrap()
}

fn clock_of(sla: &Value, metric: &str) -> Value {
    sla["clocks"].as_array().unwrap().iter().find(|c| c["metric"] == metric).unwrap().clone()
}

/// `(metric, kind, at)` of every clock event of kind `kind`.
fn events_of(sla: &Value, kind: &str) -> Vec<(String, String)> {
    sla["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"]["type"] == kind)
        .map(|e| (e["metric"].as_str().unwrap().to_owned(), e["at"].as_str().unwrap().to_owned()))
        .collect()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn contract(app: &TestApp, products: &[i64], from: &str, to: Option<&str>, calendar: i64) -> Value {
    json!({
        "organisation_id": app.world.rozy, "name": "Serwis", "valid_from": from, "valid_to": to,
        "product_ids": products, "calendar_id": calendar, "monthly_fee_minor": 400000,
    })
}

async fn an_admin_defines_contracts_and_overlapping_ones_are_refused(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, c) = admin
        .post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2026-01-01", Some("2026-12-31"), 2))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    // Left out, the targets are DESIGN §2's defaults.
    let targets: Vec<(String, Value, Value)> = c["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (t["priority"].as_str().unwrap().to_owned(), t["first_response_secs"].clone(), t["resolution_secs"].clone())
        })
        .collect();
    assert_eq!(
        targets,
        [
            ("critical".to_owned(), json!(900), json!(7200)),
            ("fault".to_owned(), json!(3600), json!(28800)),
            ("standard".to_owned(), json!(14400), json!(86400)),
        ]
    );
    let count = || app.count("contracts");
    let before = count().await;
    let (s, body) = admin
        .post("/api/v1/contracts", &contract(&app, &[app.world.premium, app.world.kuracjusz], "2026-06-01", None, 1))
        .await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "contract_overlap"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("already covers product"), "{body}");
    assert_eq!(count().await, before);
    // The next year, or another product, is fine.
    let (s, _) = admin.post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2027-01-01", None, 1)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = admin.post("/api/v1/contracts", &contract(&app, &[app.world.kuracjusz], "2026-06-01", None, 1)).await;
    assert_eq!(s, StatusCode::CREATED);

    let before = count().await;
    let mut bad = contract(&app, &[app.world.kuracjusz], "2030-06-01", Some("2030-05-01"), 1);
    let (s, body) = admin.post("/api/v1/contracts", &bad).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("valid_to")), "{body}");
    bad = contract(&app, &[app.world.kuracjusz], "2030-06-01", None, 999);
    let (s, body) = admin.post("/api/v1/contracts", &bad).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_id")), "{body}");
    bad["calendar_id"] = json!(1);
    bad["targets"] = json!([{"priority": "critical", "first_response_secs": 0, "resolution_secs": 7200}]);
    let (s, body) = admin.post("/api/v1/contracts", &bad).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("targets")), "{body}");
    bad["targets"] = json!([{"priority": "urgent", "first_response_secs": 60}]);
    let (s, body) = admin.post("/api/v1/contracts", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(count().await, before);

    let mut agent = app.login("agent@vendor.test").await;
    let (s, body) =
        agent.post("/api/v1/contracts", &contract(&app, &[app.world.kuracjusz], "2031-01-01", None, 1)).await;
    assert_eq!((s, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    // The hotel's local IT sees its own contracts; another hotel's user sees none.
    let it = app.login("it@pod-rozami.test").await;
    let (s, list) = it.get("/api/v1/contracts").await;
    assert_eq!((s, list.as_array().unwrap().len()), (StatusCode::OK, 3));
    let other = app.login("recepcja@zdroj.test").await;
    let (s, _) = other.get(&format!("/api/v1/contracts/{}", c["id"])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

const WEEKDAYS: &str = r#"["mon", "tue", "wed", "thu", "fri"]"#;

fn spec(end: &str) -> Value {
    json!({"time_zone": "Europe/Warsaw", "holidays": "pl",
           "intervals": [{"days": serde_json::from_str::<Value>(WEEKDAYS).unwrap(), "start": "08:00", "end": end}]})
}

/// A fault at Mon 2026-03-02 08:00 CET on Mon–Fri 08:00–16:00: 8 h due Mon 16:00. At 12:00
/// (4 h counted) the calendar is cut to 08:00–14:00: the other 4 h run 12–14 and Tue 08–10.
async fn a_calendar_edit_counts_from_the_moment_it_is_saved(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, cal) = admin.post("/api/v1/calendars", &json!({"name": "recepcja 8-16", "spec": spec("16:00")})).await;
    assert_eq!(s, StatusCode::CREATED, "{cal}");
    let cal_id = cal["id"].as_i64().unwrap();
    let (s, c) =
        admin.post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2026-01-01", None, cal_id)).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");

    let clock = app.clock.clone().unwrap();
    clock.set(ts("2026-03-02T07:00:00Z"));
    // Weeks later than the admin's login: a fresh session.
    let mut admin = app.login("admin@vendor.test").await;
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Meldowanie nie działa", "body": "Nie da się zameldować gości", "priority": "fault",
               "product_id": app.world.premium, "local_it_checks": checks()}),
    )
    .await;
    let resolution =
        |sla: &Value| sla["clocks"].as_array().unwrap().iter().find(|c| c["metric"] == "resolution").unwrap().clone();
    let (_, sla) = admin.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert_eq!(resolution(&sla)["deadline"], "2026-03-02T15:00:00Z");

    // Bad calendars are refused and nothing is stored; built-ins cannot be edited.
    let versions_before = app.count("calendar_versions").await;
    let overlapping = json!({"spec": {"time_zone": "Europe/Warsaw", "holidays": "pl", "intervals": [
        {"days": ["mon"], "start": "08:00", "end": "12:00"}, {"days": ["mon"], "start": "11:00", "end": "13:00"}]}});
    let (s, body) = admin.post(&format!("/api/v1/calendars/{cal_id}/versions"), &overlapping).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("overlaps"), "{body}");
    let (s, body) = admin.post("/api/v1/calendars/1/versions", &json!({"spec": spec("18:00")})).await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "builtin_calendar"));
    let (s, body) = admin
        .post("/api/v1/calendars", &json!({"name": "x", "spec": {"time_zone": "Mars/Olympus", "always_open": true}}))
        .await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec")), "{body}");
    assert_eq!(app.count("calendar_versions").await, versions_before);

    clock.set(ts("2026-03-02T11:00:00Z"));
    let (s, edited) =
        admin.post(&format!("/api/v1/calendars/{cal_id}/versions"), &json!({"spec": spec("14:00")})).await;
    assert_eq!(s, StatusCode::CREATED, "{edited}");
    assert_eq!(edited["versions"].as_array().unwrap().len(), 2);
    let (_, sla) = admin.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let r = resolution(&sla);
    assert_eq!(r["counted_secs"], 4 * 3600, "time before the edit stays counted");
    assert_eq!(r["deadline"], "2026-03-03T09:00:00Z");
    let last = sla["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"]["type"], "calendar_change");
    assert_eq!(last["kind"]["calendar_version"], edited["versions"][1]["id"]);
}

/// The fault of the test above, but the cut to 08:00–14:00 is saved at 09:00 CET to take
/// effect at 12:00 CET; a second edit (to 08:00–15:00 from 13:30) is reached by a ticket
/// change before the watch gets to it.
async fn a_scheduled_calendar_edit_takes_effect_at_its_instant_exactly_once(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, cal) = admin.post("/api/v1/calendars", &json!({"name": "recepcja 8-16", "spec": spec("16:00")})).await;
    assert_eq!(s, StatusCode::CREATED, "{cal}");
    let cal_id = cal["id"].as_i64().unwrap();
    let (s, _) =
        admin.post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2026-01-01", None, cal_id)).await;
    assert_eq!(s, StatusCode::CREATED);
    let clock = app.clock.clone().unwrap();
    clock.set(ts("2026-03-02T07:00:00Z"));
    let mut admin = app.login("admin@vendor.test").await;
    let mut agent = app.login("agent@vendor.test").await;
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Meldowanie nie działa", "body": "Nie da się zameldować gości", "priority": "fault",
               "product_id": app.world.premium, "local_it_checks": checks()}),
    )
    .await;
    let versions = format!("/api/v1/calendars/{cal_id}/versions");

    clock.set(ts("2026-03-02T08:00:00Z"));
    let (s, scheduled) =
        admin.post(&versions, &json!({"spec": spec("14:00"), "effective_from": "2026-03-02T12:00:00+01:00"})).await;
    assert_eq!(s, StatusCode::CREATED, "{scheduled}");
    assert_eq!(scheduled["versions"][1]["effective_from"], "2026-03-02T11:00:00Z");
    assert_eq!(scheduled["versions"][1]["applied_at"], Value::Null);
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert_eq!(clock_of(&sla, "resolution")["deadline"], "2026-03-02T15:00:00Z", "not in force yet");
    assert!(events_of(&sla, "calendar_change").is_empty());

    // Refused, and nothing stored: the past, no offset, and one before the scheduled edit.
    let before = app.count("calendar_versions").await;
    for (from, status, field_or_code) in [
        ("2026-03-02T07:59:59Z", StatusCode::UNPROCESSABLE_ENTITY, "effective_from"),
        ("2026-03-02T12:00:00", StatusCode::UNPROCESSABLE_ENTITY, "effective_from"),
        ("2026-03-02T10:00:00Z", StatusCode::CONFLICT, "version_scheduled"),
    ] {
        let (s, body) = admin.post(&versions, &json!({"spec": spec("15:00"), "effective_from": from})).await;
        let got = if s == StatusCode::CONFLICT { code(&body) } else { body["error"]["field"].as_str().unwrap() };
        assert_eq!((s, got), (status, field_or_code), "{from}: {body}");
    }
    assert_eq!(app.count("calendar_versions").await, before);

    watch_pass(&app, "2026-03-02T10:59:59Z").await;
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert!(events_of(&sla, "calendar_change").is_empty(), "one second early");
    // Two instances' passes just after the instant: the change lands once per clock, at the
    // instant itself, not when the watch got to it.
    tokio::join!(watch_pass(&app, "2026-03-02T11:00:01Z"), watch_pass(&app, "2026-03-02T11:00:01Z"));
    clock.set(ts("2026-03-02T11:00:01Z"));
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert_eq!(
        events_of(&sla, "calendar_change"),
        [
            ("first_response".to_owned(), "2026-03-02T11:00:00Z".to_owned()),
            ("resolution".to_owned(), "2026-03-02T11:00:00Z".to_owned())
        ]
    );
    let r = clock_of(&sla, "resolution");
    assert_eq!(r["deadline"], "2026-03-03T09:00:00Z", "4 h counted by 08-16, 4 h left on 08-14");
    let (_, cal) = admin.get(&format!("/api/v1/calendars/{cal_id}")).await;
    assert_eq!(cal["versions"][1]["applied_at"], "2026-03-02T11:00:01Z");

    // The next edit's instant passes with no watch pass; the agent's reply at 12:45 first
    // applies it at 12:30 (4 h + 1.5 h counted by 08-14), then stops the first-response clock.
    let (s, body) =
        admin.post(&versions, &json!({"spec": spec("15:00"), "effective_from": "2026-03-02T12:30:00Z"})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    clock.set(ts("2026-03-02T12:45:00Z"));
    let (s, _) = agent
        .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "Sprawdzamy."}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    watch_pass(&app, "2026-03-02T12:45:01Z").await;
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let changes = events_of(&sla, "calendar_change");
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert_eq!(changes[3], ("resolution".to_owned(), "2026-03-02T12:30:00Z".to_owned()));
    assert_eq!(clock_of(&sla, "first_response")["state"], "stopped");
    // 5 h 30 min counted at 12:30 UTC; 2 h 30 min left on 08:00–15:00: 12:30–14:00 UTC
    // today, then Tue 07:00–08:00 UTC.
    assert_eq!(clock_of(&sla, "resolution")["deadline"], "2026-03-03T08:00:00Z");
}

/// A contract on the business calendar whose criticals count 24/7: a fault reported on a
/// Saturday counts nothing until an agent raises it to critical, and from then on counts
/// every minute. The admin then relaxes the critical target for tickets already open.
async fn a_priority_or_contract_change_moves_open_clocks_to_the_new_terms(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let mut body = contract(&app, &[app.world.premium], "2026-01-01", None, 1);
    body["targets"] = json!([
        {"priority": "critical", "first_response_secs": 1800, "resolution_secs": 7200, "calendar_id": 2},
        {"priority": "fault", "first_response_secs": 3600, "resolution_secs": 28800},
    ]);
    let (s, c) = admin.post("/api/v1/contracts", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let clock = app.clock.clone().unwrap();
    clock.set(ts("2026-03-07T08:00:00Z"));
    let admin = app.login("admin@vendor.test").await;
    let agent = app.login("agent@vendor.test").await;
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Drukarka fiskalna", "body": "Nie drukuje paragonów", "priority": "fault",
               "product_id": app.world.premium, "local_it_checks": checks()}),
    )
    .await;
    clock.set(ts("2026-03-07T09:00:00Z"));
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    let (s, body) = agent
        .patch(
            &format!("/api/v1/tickets/{n}"),
            &json!({"version": t["version"], "priority": "critical", "priority_reason": "stoi cała recepcja"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let r = clock_of(&sla, "resolution");
    assert_eq!((r["calendar_id"].as_i64(), r["target_secs"].as_i64()), (Some(2), Some(7200)), "{r}");
    assert_eq!(r["counted_secs"], 0, "Saturday counted nothing on the business calendar");
    assert_eq!(r["deadline"], "2026-03-07T11:00:00Z");
    assert_eq!(events_of(&sla, "calendar_change").len(), 2);

    // The critical target becomes 4 h: the open clock takes it, measured from creation.
    clock.set(ts("2026-03-07T10:00:00Z"));
    let cid = c["id"].as_i64().unwrap();
    let mut body = contract(&app, &[app.world.premium], "2026-01-01", None, 1);
    body["targets"] = json!([
        {"priority": "critical", "first_response_secs": 1800, "resolution_secs": 14400, "calendar_id": 2},
        {"priority": "fault", "first_response_secs": 3600, "resolution_secs": 28800},
    ]);
    let (s, put) = admin.patch(&format!("/api/v1/contracts/{cid}"), &body).await;
    assert_eq!(s, StatusCode::OK, "{put}");
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let r = clock_of(&sla, "resolution");
    assert_eq!((r["target_secs"].as_i64(), r["deadline"].as_str()), (Some(14400), Some("2026-03-07T13:00:00Z")));
    let last = sla["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"]["type"].as_str(), last["reason"].as_str()),
        (Some("target_change"), Some("contract \u{201e}Serwis\u{201d} changed"))
    );
    assert_eq!(clock_of(&sla, "first_response")["target_secs"], 1800, "an unchanged target gets no event");
}

/// The supervisor is on call on Saturday night and on Monday morning. A critical reported on
/// Saturday night reaches them; one reported on Monday inside office hours does not.
async fn a_critical_outside_office_hours_also_reaches_whoever_is_on_call(app: TestApp) {
    app.without_routing().await;
    let mut admin = app.login("admin@vendor.test").await;
    let (s, _) = admin.post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2026-01-01", None, 2)).await;
    assert_eq!(s, StatusCode::CREATED);
    let mut boss = app.login("kierownik@vendor.test").await;
    let shift = |from: &str, to: &str| json!({"person_id": app.world.supervisor, "starts_at": from, "ends_at": to});

    // Refused, and nothing stored.
    let before = app.count("on_call_shifts").await;
    let mut customer_on_call = shift("2026-03-07T19:00:00Z", "2026-03-08T07:00:00Z");
    customer_on_call["person_id"] = json!(app.world.rozy_user);
    let mut no_team = shift("2026-03-07T19:00:00Z", "2026-03-08T07:00:00Z");
    no_team["team_id"] = json!(999_999);
    for (body, field) in [
        (shift("2026-03-08T07:00:00Z", "2026-03-07T19:00:00Z"), "ends_at"),
        (shift("2026-03-07T19:00:00Z", "2026-04-17T19:00:00Z"), "ends_at"),
        (shift("sobota wieczorem", "2026-03-08T07:00:00Z"), "starts_at"),
        (customer_on_call, "person_id"),
        (no_team, "team_id"),
    ] {
        let (s, err) = boss.post("/api/v1/on-call", &body).await;
        assert_eq!(
            (s, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {err}"
        );
    }
    let mut agent = app.login("agent@vendor.test").await;
    let (s, _) = agent.post("/api/v1/on-call", &shift("2026-03-07T19:00:00Z", "2026-03-08T07:00:00Z")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an agent does not plan the rota");
    assert_eq!(app.count("on_call_shifts").await, before);

    for (from, to) in
        [("2026-03-07T19:00:00+01:00", "2026-03-08T08:00:00+01:00"), ("2026-03-09T07:00:00Z", "2026-03-09T11:00:00Z")]
    {
        let (s, body) = boss.post("/api/v1/on-call", &shift(from, to)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let (s, rota) = agent.get("/api/v1/on-call?from=2026-03-07T00:00:00Z&to=2026-03-10T00:00:00Z").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rota.as_array().unwrap().len(), 2, "{rota}");
    assert_eq!(rota[0]["starts_at"], "2026-03-07T18:00:00Z");

    let clock = app.clock.clone().unwrap();
    let mut tickets = Vec::new();
    for at in ["2026-03-07T22:00:00Z", "2026-03-09T08:00:00Z"] {
        clock.set(ts(at));
        let mut agent = app.login("agent@vendor.test").await;
        let (s, t) = agent
            .post(
                "/api/v1/tickets",
                &json!({"subject": "Stoi recepcja", "body": "Nic nie działa", "priority": "critical",
                        "requester_id": app.world.rozy_user, "product_id": app.world.premium,
                        "team_id": app.world.team}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        tickets.push(t["ticket"]["id"].as_i64().unwrap());
    }
    // Saturday's first-response warning (80 % of 15 min: 12 min in) fires at night; the
    // rest of Saturday's alerts and Monday's warning fire on Monday at 09:12 CET.
    assert_eq!(watch_pass(&app, "2026-03-07T22:12:00Z").await, 1);
    assert_eq!(watch_pass(&app, "2026-03-09T08:12:00Z").await, 4);
    let boss_tickets = |list: &Value| -> Vec<i64> {
        list.as_array().unwrap().iter().map(|n| n["ticket_id"].as_i64().unwrap()).collect()
    };
    let boss = app.login("kierownik@vendor.test").await;
    let agent = app.login("agent@vendor.test").await;
    let (_, list) = boss.get("/api/v1/notifications").await;
    assert_eq!(boss_tickets(&list), [tickets[0]], "on call at night, not on Monday at 09:12 CET: {list}");
    let (_, list) = agent.get("/api/v1/notifications").await;
    let mut heard = boss_tickets(&list);
    heard.dedup();
    assert_eq!((list.as_array().unwrap().len(), heard), (5, vec![tickets[1], tickets[0]]), "the team hears it all");

    let id = rota[0]["id"].as_i64().unwrap();
    let (s, _) = boss.send(boss.delete_req(&format!("/api/v1/on-call/{id}"))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = boss.send(boss.delete_req(&format!("/api/v1/on-call/{id}"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn the_watch_fires_each_warning_and_breach_exactly_once_and_tells_the_team(app: TestApp) {
    app.without_routing().await;
    let mut admin = app.login("admin@vendor.test").await;
    // 24/7: a critical is due 2 h after it is reported; the warning at 80 % is at 1 h 36 min.
    let (s, _) = admin.post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2026-01-01", None, 2)).await;
    assert_eq!(s, StatusCode::CREATED);
    let clock = app.clock.clone().unwrap();
    clock.set(ts("2026-03-07T22:00:00Z"));
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Nie działa sprzedaż biletów", "body": "Kasa stoi", "priority": "critical",
                    "requester_id": app.world.rozy_user, "product_id": app.world.premium,
                    "assignee_id": app.world.agent2, "team_id": app.world.team}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let n = t["ticket"]["number"].as_i64().unwrap();
    // The agent answers at once, so only the resolution clock keeps running.
    let (s, _) = agent
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "public_reply", "body": "Już się tym zajmujemy."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let step = |at: &str| {
        let store = app.store.clone();
        let at = ts(at);
        async move {
            tokio::task::spawn_blocking(move || deskbell_server::sla::watch::run_once(&store, at))
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(step("2026-03-07T23:35:59Z").await, 0, "nothing is due before the warning");
    // Two instances' passes at the same moment fire the warning once between them.
    let (a, b) = tokio::join!(step("2026-03-07T23:36:00Z"), step("2026-03-07T23:36:00Z"));
    assert_eq!(a + b, 1);
    assert_eq!(step("2026-03-07T23:50:00Z").await, 0, "a warning fires once");
    assert_eq!(step("2026-03-08T00:00:00Z").await, 0, "reaching the target exactly is no breach");
    assert_eq!(step("2026-03-08T00:00:01Z").await, 1, "one second over is");
    assert_eq!(step("2026-03-08T09:00:00Z").await, 0);

    let (_, history) = agent.get(&format!("/api/v1/tickets/{n}/history")).await;
    let fired: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"].as_str().unwrap().starts_with("sla_"))
        .map(|e| (e["kind"].as_str().unwrap().to_owned(), e["new_value"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        fired,
        [
            ("sla_warning".to_owned(), "2026-03-07T23:36:00Z".to_owned()),
            ("sla_breach".to_owned(), "2026-03-08T00:00:01Z".to_owned())
        ]
    );
    // The assignee and the rest of the team hear about both; the customer about neither.
    for who in ["agent2@vendor.test", "agent@vendor.test"] {
        let c = app.login(who).await;
        let (_, list) = c.get("/api/v1/notifications").await;
        let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["sla_breach", "sla_warning"], "{who}");
    }
    let customer = app.login("recepcja@pod-rozami.test").await;
    let (_, list) = customer.get("/api/v1/notifications").await;
    assert_eq!(list, json!([]));
    clock.set(ts("2026-03-08T09:00:00Z"));
    let (s, risky) = agent.get("/api/v1/sla/at-risk").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(risky[0]["number"], n);
    assert!(risky[0]["seconds_left"].as_i64().unwrap() < 0, "{risky}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_that_fell_due_while_deskbell_was_down_fire_at_the_first_pass() {
    let app = TestApp::spawn_at(Backend::Sqlite, ts("2026-03-07T22:00:00Z")).await.unwrap();
    let mut admin = app.login("admin@vendor.test").await;
    let (s, _) = admin.post("/api/v1/contracts", &contract(&app, &[app.world.premium], "2026-01-01", None, 2)).await;
    assert_eq!(s, StatusCode::CREATED);
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    open_ticket(
        &mut customer,
        json!({"subject": "Awaria", "body": "Nic nie działa", "priority": "critical", "product_id": app.world.premium,
               "local_it_checks": checks()}),
    )
    .await;
    // Days later: every threshold of both clocks is overdue and fires in one pass, once.
    let store = app.store.clone();
    let fired = tokio::task::spawn_blocking(move || {
        let now = ts("2026-03-10T08:00:00Z");
        (
            deskbell_server::sla::watch::run_once(&store, now).unwrap(),
            deskbell_server::sla::watch::run_once(&store, now).unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(fired, (4, 0));
}

/// November 2026 at Hotel Pod Różami, 24/7, a critical costs 2 % of the 4 000,00 zł fee per
/// started hour past its 2 h resolution target, capped at 100,00 zł a month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_statement_lists_breaches_penalties_the_cap_and_waivers() {
    let app = TestApp::spawn_at(Backend::Sqlite, ts("2026-11-01T08:00:00Z")).await.unwrap();
    let clock = app.clock.clone().unwrap();
    let mut admin = app.login("admin@vendor.test").await;
    let mut body = contract(&app, &[app.world.premium], "2026-01-01", None, 2);
    body["penalty_cap_minor"] = json!(10_000);
    body["targets"] = json!([{"priority": "critical", "first_response_secs": 900, "resolution_secs": 7200,
                              "penalty": {"basis_points_per_hour": 200}}]);
    let (s, c) = admin.post("/api/v1/contracts", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");

    let mut numbers = Vec::new();
    for (subject, start, fixed) in [
        ("=HYPERLINK(\"x\") drukarka", "2026-11-10T10:00:00Z", "2026-11-10T15:00:00Z"),
        ("Kasa nie działa", "2026-11-12T10:00:00Z", "2026-11-12T11:00:00Z"),
    ] {
        clock.set(ts(start));
        let mut agent = app.login("agent@vendor.test").await;
        let (s, t) = agent
            .post(
                "/api/v1/tickets",
                &json!({"subject": subject, "body": "Stoi", "priority": "critical", "requester_id": app.world.rozy_user,
                        "product_id": app.world.premium}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let n = t["ticket"]["number"].as_i64().unwrap();
        clock.set(ts(fixed));
        let (s, _) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "resolved"})).await;
        assert_eq!(s, StatusCode::OK);
        numbers.push(n);
    }
    clock.set(ts("2026-12-02T09:00:00Z"));
    let supervisor = app.login("kierownik@vendor.test").await;
    let url = format!("/api/v1/organisations/{}/sla-statement?month=2026-11", app.world.rozy);
    let (s, st) = supervisor.get(&url).await;
    assert_eq!(s, StatusCode::OK, "{st}");
    // Nobody answered within 15 min either time: two late first responses (listed, no
    // penalty of their own) and one late resolution.
    assert_eq!((st["tickets"].as_i64(), st["breaches"].as_i64()), (Some(2), Some(3)), "{st}");
    let first: Vec<i64> = st["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["metric"] == "first_response")
        .map(|l| l["penalty_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(first, [0, 0]);
    let resolution: Vec<&Value> =
        st["lines"].as_array().unwrap().iter().filter(|l| l["metric"] == "resolution").collect();
    // 5 h against 2 h: 3 started hours × 80,00 zł; the second was on time.
    assert_eq!(
        (resolution[0]["overrun_secs"].as_i64(), resolution[0]["penalty_minor"].as_i64()),
        (Some(3 * 3600), Some(24_000))
    );
    assert_eq!((resolution[1]["breached"].as_bool(), resolution[1]["penalty_minor"].as_i64()), (Some(false), Some(0)));
    assert_eq!(st["contracts"][0]["penalty_sum_minor"], 24_000);
    assert_eq!(
        (st["contracts"][0]["penalty_due_minor"].as_i64(), st["contracts"][0]["capped"].as_bool()),
        (Some(10_000), Some(true))
    );

    let res = supervisor.get_raw(&format!("{url}&format=csv")).await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("number,subject,priority,"), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\") drukarka\""), "a formula is defused and quotes doubled: {csv}");

    // A waiver needs a supervisor and a reason, happens once, and empties the bill.
    let mut agent = app.login("agent@vendor.test").await;
    let waive = format!("/api/v1/tickets/{}/sla-waiver", numbers[0]);
    let (s, _) = agent.post(&waive, &json!({"reason": "awaria zasilania w hotelu"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut supervisor = supervisor;
    let (s, body) = supervisor.post(&waive, &json!({"reason": "  "})).await;
    assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let (s, _) = supervisor.post(&waive, &json!({"reason": "awaria zasilania w hotelu"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) = supervisor.post(&waive, &json!({"reason": "jeszcze raz"})).await;
    assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "already_waived"));
    let (_, st) = supervisor.get(&url).await;
    assert_eq!(st["penalty_due_minor"], 0);
    assert_eq!(st["lines"][0]["waiver_reason"], "awaria zasilania w hotelu");

    // Bad months and other organisations.
    let (s, body) =
        supervisor.get(&format!("/api/v1/organisations/{}/sla-statement?month=2026-13", app.world.rozy)).await;
    assert_eq!((s, code(&body)), (StatusCode::BAD_REQUEST, "invalid_query"));
    let it = app.login("it@pod-rozami.test").await;
    assert_eq!(it.get(&url).await.0, StatusCode::OK, "the hotel's local IT sees its own statement");
    let other = app.login("recepcja@zdroj.test").await;
    assert_eq!(other.get(&url).await.0, StatusCode::NOT_FOUND);
}
