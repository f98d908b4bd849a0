//! SLA clocks through the API: started from the covering contract, paused, stopped and
//! retargeted by ticket changes in the same transaction, and shown with their proof.

use deskbell_domain::sla::penalty::OverrunBasis;
use deskbell_domain::ticket::Priority;
use deskbell_store::sla::{self, ContractInput, Target};
use deskbell_store::testing::Backend;
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, checks, open_ticket};

/// Mon–Fri 08:00–20:00 with Polish holidays (`pl-business-08-20`, id 1 in every database).
const STD: i64 = 1;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn with_contract(app: &TestApp) {
    let (org, product) = (app.world.rozy, app.world.premium);
    let input = ContractInput {
        organisation_id: org,
        name: "PremiumHotel 08-20".into(),
        valid_from: "2026-01-01".into(),
        valid_to: None,
        product_ids: vec![product],
        calendar_id: STD,
        warning_percent: 80,
        monthly_fee_minor: 400_000,
        penalty_basis: OverrunBasis::Business,
        penalty_cap_minor: None,
        targets: vec![
            Target {
                priority: Priority::Fault,
                first_response_secs: Some(3600),
                resolution_secs: Some(8 * 3600),
                calendar_id: None,
                penalty: None,
            },
            Target {
                priority: Priority::Standard,
                first_response_secs: Some(4 * 3600),
                resolution_secs: Some(24 * 3600),
                calendar_id: None,
                penalty: None,
            },
        ],
    };
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || store.write(|tx| sla::create_contract(tx, &input, ts("2026-01-01T00:00:00Z"))))
        .await
        .unwrap()
        .unwrap();
}

fn clock<'a>(sla: &'a Value, metric: &str) -> &'a Value {
    sla["clocks"].as_array().unwrap().iter().find(|c| c["metric"] == metric).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clocks_follow_the_ticket_on_sqlite() {
    clocks_follow_the_ticket(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clocks_follow_the_ticket_on_postgres() {
    clocks_follow_the_ticket(Backend::Postgres).await;
}

/// DESIGN §3's second example: Wed 2026-12-23 18:00, 8 h on the 08-20 calendar → Mon 28
/// December 14:00 CET (24–26 December are holidays, then the weekend).
async fn clocks_follow_the_ticket(backend: Backend) {
    let Some(app) = TestApp::spawn_at(backend, ts("2026-12-23T17:00:00Z")).await else { return };
    with_contract(&app).await;
    let clock_now = app.clock.clone().unwrap();
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Drukarka fiskalna nie drukuje", "body": "Paragony nie wychodzą", "priority": "fault",
               "product_id": app.world.premium, "local_it_checks": checks()}),
    )
    .await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert_eq!(s, StatusCode::OK, "{sla}");
    assert_eq!(sla["has_sla"], true);
    let fr = clock(&sla, "first_response");
    assert_eq!((fr["state"].as_str(), fr["target_secs"].as_i64()), (Some("running"), Some(3600)));
    assert_eq!(fr["deadline"], "2026-12-23T18:00:00Z");
    let res = clock(&sla, "resolution");
    assert_eq!(res["deadline"], "2026-12-28T13:00:00Z");
    // The warning at 80 % of 8 h: 6 h 24 min of counted time → Mon 28 Dec 12:24 CET.
    assert_eq!(res["warning_at"], "2026-12-28T11:24:00Z");
    assert_eq!(sla["events"].as_array().unwrap().len(), 2);

    // The first public reply at 18:30 local stops the first-response clock, within target.
    clock_now.set(ts("2026-12-23T17:30:00Z"));
    let (s, _) = agent
        .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "Sprawdzamy."}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let fr = clock(&sla, "first_response");
    assert_eq!(
        (fr["state"].as_str(), fr["counted_secs"].as_i64(), fr["breached"].as_bool()),
        (Some("stopped"), Some(1800), Some(false))
    );

    // Waiting for the customer Mon 09:00–10:00 pauses the resolution clock: the deadline
    // moves by that hour.
    clock_now.set(ts("2026-12-28T08:00:00Z"));
    let (s, _) =
        agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "waiting_for_customer"})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let res = clock(&sla, "resolution");
    assert_eq!(res["state"], "paused");
    assert_eq!(res["deadline"], Value::Null, "a paused clock's future deadline is unknown");
    // 18:00–20:00 on the 23rd and 08:00–09:00 on the 28th.
    assert_eq!(res["counted_secs"], 3 * 3600);
    clock_now.set(ts("2026-12-28T09:00:00Z"));
    let (s, _) = customer
        .post(&format!("/api/v1/tickets/{n}/articles"), &json!({"kind": "public_reply", "body": "Już działa?"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let res = clock(&sla, "resolution");
    assert_eq!((res["state"].as_str(), res["deadline"].as_str()), (Some("running"), Some("2026-12-28T14:00:00Z")));

    // Priority change: the standard target (24 h) is measured from creation.
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    let (s, body) = agent
        .patch(
            &format!("/api/v1/tickets/{n}"),
            &json!({"version": t["version"], "priority": "standard", "priority_reason": "działa częściowo"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let res = clock(&sla, "resolution");
    assert_eq!(res["target_secs"], 24 * 3600);
    assert_eq!(res["counted_secs"], 3 * 3600);
    // 21 h left from Mon 10:00: Mon 10:00–20:00, Tue 08:00–19:00 CET.
    assert_eq!(res["deadline"], "2026-12-29T18:00:00Z");

    // Resolved stops it; the log proves every step.
    clock_now.set(ts("2026-12-28T10:00:00Z"));
    let (s, _) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "resolved"})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, sla) = agent.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let res = clock(&sla, "resolution");
    assert_eq!((res["state"].as_str(), res["counted_secs"].as_i64()), (Some("stopped"), Some(4 * 3600)));
    let kinds: Vec<String> = sla["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["metric"].as_str().unwrap(), e["kind"]["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            "first_response:start",
            "resolution:start",
            "first_response:stop",
            "resolution:pause",
            "resolution:resume",
            "first_response:target_change",
            "resolution:target_change",
            "resolution:stop",
        ]
    );

    // The customer sees the clocks of their ticket but not the internal log; another
    // organisation's user gets the same 404 as for a ticket that does not exist.
    let (s, mine) = customer.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((mine["clocks"].as_array().unwrap().len(), mine["events"].as_array().unwrap().len()), (2, 0));
    let other = app.login("recepcja@zdroj.test").await;
    let (s, body) = other.get(&format!("/api/v1/tickets/{n}/sla")).await;
    let (s2, body2) = other.get("/api/v1/tickets/99999/sla").await;
    assert_eq!((s, &body), (s2, &body2));
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_no_contract_covers_has_no_clock_and_says_so() {
    let app = TestApp::spawn_at(Backend::Sqlite, ts("2026-12-23T17:00:00Z")).await.unwrap();
    with_contract(&app).await;
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    // Kuracjusz is not in the contract.
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Karnety", "body": "Nie działa sprzedaż karnetów", "priority": "standard", "product_id": app.world.kuracjusz}),
    )
    .await;
    let (s, sla) = customer.get(&format!("/api/v1/tickets/{n}/sla")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sla, json!({"has_sla": false, "clocks": [], "events": []}));
}
