//! Merging duplicates, linking related tickets and major incidents, over HTTP on both
//! backends: what moves, who is told, what the old number finds, what is refused (and that a
//! refusal changes nothing), and that a customer never sees another organisation's ticket.

use deskbell_domain::person::Language;
use deskbell_domain::sla::RunState;
use deskbell_server::mail::intake::{self, Outcome, Source};
use deskbell_server::mail::templates::{self, Envelope, Params, Template};
use deskbell_server::tickets::service::Limits;
use deskbell_store::mail::{self, Mailbox, OutboxRow};
use deskbell_store::{events, merges, sla, tickets};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::browser::{Browser, field_value};
use crate::support::{Client, TestApp, open_ticket};

both_backends!(
    a_merge_moves_articles_and_history_and_tells_both_requesters,
    the_old_number_finds_the_target_by_api_pages_and_mail,
    a_refused_merge_changes_nothing,
    links_show_to_the_vendor_and_never_cross_to_a_customer,
    a_major_incident_updates_every_organisation_and_each_sees_only_its_own,
    parent_cycles_and_merged_parents_are_refused,
    the_agent_page_merges_links_and_broadcasts,
);

async fn mailbox(app: &TestApp) -> Mailbox {
    let mut admin = app.login("admin@vendor.test").await;
    let body = json!({
        "name": "wsparcie", "address": "wsparcie@vendor.test", "display_name": "Wsparcie",
        "smtp": {"host": "127.0.0.1", "port": 2525, "security": "plain"},
    });
    let (s, m) = admin.post("/api/v1/mailboxes", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    app.db(move |tx| mail::mailbox(tx, id).unwrap()).await
}

async fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    app.db(|tx| {
        let mut list = mail::outbox_recent(tx, 500).unwrap();
        list.reverse();
        list
    })
    .await
}

/// A customer's standard ticket, reported by `who`.
async fn report(app: &TestApp, who: &str, subject: &str, body: &str) -> i64 {
    let mut c = app.login(who).await;
    open_ticket(&mut c, json!({"subject": subject, "body": body, "priority": "standard"})).await
}

/// The ticket's current version, as the vendor reads it.
async fn version(agent: &Client, n: i64) -> i64 {
    agent.get(&format!("/api/v1/tickets/{n}")).await.1["version"].as_i64().unwrap()
}

async fn merge(agent: &mut Client, source: i64, into: i64) -> (StatusCode, Value) {
    agent.post(&format!("/api/v1/tickets/{source}/merge"), &json!({"into": into, "reason": "ta sama awaria"})).await
}

fn bodies(articles: &Value) -> Vec<String> {
    articles.as_array().unwrap().iter().map(|a| a["body"].as_str().unwrap().to_owned()).collect()
}

async fn a_merge_moves_articles_and_history_and_tells_both_requesters(app: TestApp) {
    let w = app.world.clone();
    mailbox(&app).await;
    let target =
        report(&app, "recepcja@pod-rozami.test", "Drukarka fiskalna nie drukuje", "Paragony nie wychodzą").await;
    // The duplicate runs SLA clocks (a 24/7 contract covers its product).
    crate::pages_agent::around_the_clock(&app).await;
    let mut spa = app.login("spa@pod-rozami.test").await;
    let source = open_ticket(
        &mut spa,
        json!({"subject": "Kasa w spa", "body": "Kasa w spa nie drukuje paragonów", "priority": "critical",
               "product_id": w.premium, "cc": ["kierownik@pod-rozami.test"], "local_it_checks": crate::support::checks()}),
    )
    .await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, _) = agent
        .post(
            &format!("/api/v1/tickets/{source}/articles"),
            &json!({"kind": "internal_note", "body": "to samo co drukarka"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mails_before = outbox(&app).await.len();

    let (s, m) = merge(&mut agent, source, target).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!((m["source"]["number"].as_i64(), m["source"]["status"].as_str()), (Some(source), Some("closed")));
    assert_eq!((m["moved_articles"].as_u64(), m["target"]["number"].as_i64()), (Some(2), Some(target)));

    // The articles moved with their authors, in the order they were written.
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{target}/articles")).await;
    assert_eq!(bodies(&articles), ["Paragony nie wychodzą", "Kasa w spa nie drukuje paragonów", "to samo co drukarka"]);
    assert_eq!(articles[1]["author_id"], w.rozy_user2);
    // The history moved too, and both tickets say what happened.
    let (_, history) = agent.get(&format!("/api/v1/tickets/{target}/history")).await;
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "created").count(), 2, "{kinds:?}");
    let merged = history.as_array().unwrap().iter().find(|e| e["kind"] == "merged").expect("a merged event");
    assert_eq!(
        (merged["new_value"].as_str(), merged["reason"].as_str()),
        (Some(&*source.to_string()), Some("ta sama awaria"))
    );
    let (source_id, target_id) = (m["source"]["id"].as_i64().unwrap(), m["target"]["id"].as_i64().unwrap());
    let (left, row) = app
        .db(move |tx| (events::list(tx, source_id).unwrap(), merges::of_source(tx, source_id).unwrap().unwrap()))
        .await;
    let left: Vec<(String, Option<String>)> = left.into_iter().map(|e| (e.kind, e.new_value)).collect();
    assert_eq!(
        left,
        [
            ("status_changed".to_owned(), Some("closed".to_owned())),
            ("merged_into".to_owned(), Some(target.to_string()))
        ],
        "the duplicate keeps its closing and where it went"
    );
    assert_eq!(
        (row.target_id, row.merged_by, row.reason.as_deref()),
        (target_id, Some(w.agent), Some("ta sama awaria"))
    );
    // Its clocks stopped at the merge, saying why.
    let (clocks, log) =
        app.db(move |tx| (sla::clocks(tx, source_id).unwrap(), sla::events(tx, source_id).unwrap())).await;
    assert_eq!(clocks.len(), 2);
    assert!(clocks.iter().all(|c| c.summary.state() == RunState::Stopped), "{clocks:?}");
    let why = format!("merged into #{target}");
    assert_eq!(log.iter().filter(|e| e.event.reason == why).count(), 2, "{log:?}");

    // Whoever followed the duplicate follows the target.
    let (_, t) = agent.get(&format!("/api/v1/tickets/{target}")).await;
    assert_eq!(t["cc"], json!(["spa@pod-rozami.test", "kierownik@pod-rozami.test"]));

    // Both requesters are told, in the target's thread.
    let mails = outbox(&app).await;
    let new: Vec<(&str, Vec<String>, Option<i64>)> =
        mails[mails_before..].iter().map(|r| (r.template.as_str(), r.recipients.clone(), r.ticket_id)).collect();
    assert_eq!(
        new,
        [
            (
                "merged_into",
                vec!["kierownik@pod-rozami.test".to_owned(), "spa@pod-rozami.test".to_owned()],
                Some(target_id)
            ),
            ("merged_from", vec!["recepcja@pod-rozami.test".to_owned()], Some(target_id)),
        ]
    );
    let params: Value = serde_json::from_str(&mails[mails_before].params).unwrap();
    assert_eq!((params["number"].as_i64(), params["merged_from"].as_i64()), (Some(target), Some(source)));
    assert!(params["tracking_key"].is_string(), "a link to follow the target without logging in");
    // As sent: the target's token in the subject, so answers land there; both languages.
    let env = Envelope {
        message_id: "x@vendor.test",
        from: deskbell_mail::Address::new("wsparcie@vendor.test"),
        base_url: "https://desk.example",
        date: Timestamp::now(),
    };
    let into: Params = serde_json::from_value(params.clone()).unwrap();
    let key = params["tracking_key"].as_str().unwrap();
    let pl = templates::render(Template::MergedInto, Language::Pl, &into, &env);
    assert!(pl.subject.starts_with(&format!("[#{target}] Zgłoszenie nr {source} połączone")), "{}", pl.subject);
    assert!(pl.text.contains(&format!("https://desk.example/track/{target}?key={key}")), "{}", pl.text);
    let en = templates::render(Template::MergedInto, Language::En, &into, &env);
    assert!(en.text.contains(&format!("request no. {source} concerns the same matter as request no. {target}")));
    let from: Params = serde_json::from_str(&mails[mails_before + 1].params).unwrap();
    assert_eq!(from.tracking_key, None, "the target's requester has their own links already");
    let en = templates::render(Template::MergedFrom, Language::En, &from, &env);
    assert_eq!(
        en.subject,
        format!("[#{target}] Request no. {source} joined this request: Drukarka fiskalna nie drukuje")
    );

    // Further replies reach the duplicate's people as the target's cc.
    let (s, _) = agent
        .post(&format!("/api/v1/tickets/{target}/articles"), &json!({"kind": "public_reply", "body": "Sprawdzamy."}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let last = outbox(&app).await.pop().unwrap();
    assert_eq!(last.template, "agent_reply");
    assert_eq!(last.recipients, ["kierownik@pod-rozami.test", "recepcja@pod-rozami.test", "spa@pod-rozami.test"]);
}

async fn the_old_number_finds_the_target_by_api_pages_and_mail(app: TestApp) {
    let mb = mailbox(&app).await;
    let target = report(&app, "recepcja@pod-rozami.test", "Drukarka", "Nie drukuje").await;
    let source = report(&app, "spa@pod-rozami.test", "Drukarka w spa", "Też nie drukuje").await;
    let mut agent = app.login("agent@vendor.test").await;
    assert_eq!(merge(&mut agent, source, target).await.0, StatusCode::OK);

    let (s, t) = agent.get(&format!("/api/v1/tickets/{source}")).await;
    assert_eq!((s, t["number"].as_i64()), (StatusCode::OK, Some(target)));
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{source}/articles")).await;
    assert_eq!(articles.as_array().unwrap().len(), 2);
    // The duplicate's requester follows their ticket by either number; another hotel by neither.
    let spa = app.login("spa@pod-rozami.test").await;
    assert_eq!(spa.get(&format!("/api/v1/tickets/{source}")).await.1["number"].as_i64(), Some(target));
    assert_eq!(spa.get(&format!("/api/v1/tickets/{target}")).await.0, StatusCode::OK);
    let zdroj = app.login("recepcja@zdroj.test").await;
    for n in [source, target] {
        let (s, body) = zdroj.get(&format!("/api/v1/tickets/{n}")).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }

    // The pages move to the target's address.
    let b = Browser::login(&app, "agent@vendor.test").await;
    let p = b.get(&format!("/agent/tickets/{source}")).await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some(&*format!("/agent/tickets/{target}"))));
    let p = b.get(&format!("/agent/tickets/{target}")).await;
    assert!(p.has(&format!("data-merged-from=\"{source}\"")), "the target lists the duplicate");
    let h = Browser::login(&app, "spa@pod-rozami.test").await;
    let p = h.get(&format!("/help/tickets/{source}")).await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some(&*format!("/help/tickets/{target}"))));
    let p = h.get("/help").await;
    assert!(p.has(&format!("połączono ze zgłoszeniem nr {target}")), "the list says where it went: {}", p.body);
    let p = h.get(&format!("/help/tickets/{target}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Też nie drukuje"), "the duplicate's requester reads the merged conversation");

    // A mail answering the old number lands on the target.
    let ingest = |raw: String| {
        let (store, mb) = (app.store.clone(), mb.clone());
        let limits = Limits { attachment_max_bytes: 10 << 20, reopen_days: 7 };
        tokio::task::spawn_blocking(move || {
            intake::ingest(&store, &mb, raw.as_bytes(), &Source::pipe(), limits, Timestamp::now()).unwrap()
        })
    };
    let raw = format!(
        "From: spa@pod-rozami.test\r\nTo: wsparcie@vendor.test\r\nSubject: Re: [#{source}] Drukarka w spa\r\n\
         Message-ID: <old-number@pod-rozami.test>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nNadal nie drukuje.\r\n"
    );
    assert_eq!(ingest(raw).await.unwrap(), Outcome::Reply { number: target });
    // So does an answer to a mail of the duplicate's thread (its "received" mail).
    let received = outbox(&app)
        .await
        .into_iter()
        .find(|r| r.template == "received" && r.recipients == ["spa@pod-rozami.test"])
        .expect("the duplicate's received mail");
    // Both tracking links, the duplicate's old one and the merge mail's, show the target.
    let merged_mail = outbox(&app).await.into_iter().find(|r| r.template == "merged_into").expect("the merge mail");
    let anon = Browser::new(&app);
    for (n, row) in [(source, &received), (target, &merged_mail)] {
        let params: Value = serde_json::from_str(&row.params).unwrap();
        let key = params["tracking_key"].as_str().unwrap();
        let p = anon.get(&format!("/track/{n}?key={key}")).await;
        assert_eq!(p.status, StatusCode::OK, "/track/{n}");
        assert!(p.has("Nie drukuje") && p.has("Też nie drukuje"), "/track/{n}: {}", p.body);
    }
    let raw = format!(
        "From: spa@pod-rozami.test\r\nTo: wsparcie@vendor.test\r\nSubject: inny temat\r\nIn-Reply-To: <{}>\r\n\
         Message-ID: <old-thread@pod-rozami.test>\r\nDate: Fri, 04 Dec 2026 10:05:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nI jeszcze jedno.\r\n",
        received.message_id
    );
    assert_eq!(ingest(raw).await.unwrap(), Outcome::Reply { number: target });
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{target}/articles")).await;
    assert_eq!(bodies(&articles)[2..], ["Nadal nie drukuje.", "I jeszcze jedno."]);
}

async fn a_refused_merge_changes_nothing(app: TestApp) {
    let rozy = report(&app, "recepcja@pod-rozami.test", "Drukarka", "a").await;
    let rozy2 = report(&app, "spa@pod-rozami.test", "Drukarka 2", "b").await;
    let rozy3 = report(&app, "spa@pod-rozami.test", "Drukarka 3", "c").await;
    let zdroj = report(&app, "recepcja@zdroj.test", "Drukarka w Zdroju", "d").await;
    let mut agent = app.login("agent@vendor.test").await;
    assert_eq!(merge(&mut agent, rozy3, rozy).await.0, StatusCode::OK);
    let before =
        (app.snapshot().await, app.count("ticket_merges").await, agent.get(&format!("/api/v1/tickets/{rozy}")).await.1);

    let across = merge(&mut agent, rozy2, zdroj).await;
    assert_eq!(
        (across.0, across.1["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("merge_across_organisations"))
    );
    let message = across.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("Hotel Pod Różami") && message.contains("Uzdrowisko Zdrój"), "{message}");
    assert!(message.contains(&format!("#{rozy2}")) && message.contains(&format!("#{zdroj}")), "{message}");
    assert_eq!(across.1["error"]["field"], "into");

    let cases: Vec<(i64, Value, StatusCode, &str)> = vec![
        (rozy2, json!({"into": rozy2}), StatusCode::UNPROCESSABLE_ENTITY, "merge_into_itself"),
        (rozy2, json!({"into": 999_999}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (rozy2, json!({"into": rozy3}), StatusCode::UNPROCESSABLE_ENTITY, "target_merged"),
        (rozy3, json!({"into": rozy2}), StatusCode::CONFLICT, "already_merged"),
        (999_999, json!({"into": rozy}), StatusCode::NOT_FOUND, "not_found"),
        (rozy2, json!({"into": rozy, "later": true}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (rozy2, json!({"reason": "bez celu"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (rozy2, json!({"into": "#12"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (rozy2, json!({"into": rozy, "reason": "x".repeat(1001)}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
    ];
    for (n, body, status, code) in cases {
        let (s, e) = agent.post(&format!("/api/v1/tickets/{n}/merge"), &body).await;
        assert_eq!((s, e["error"]["code"].as_str()), (status, Some(code)), "{body}: {e}");
    }
    let (s, e) = agent.post_raw(&format!("/api/v1/tickets/{rozy2}/merge"), "application/json", "{\"into\": 1").await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let (_, e) = agent.post(&format!("/api/v1/tickets/{rozy2}/merge"), &json!({"reason": "x"})).await;
    assert_eq!(e["error"]["field"], "into", "a missing field is named");
    // Customers merge nothing, not even within their own hotel.
    let mut admin = app.login("it@pod-rozami.test").await;
    let (s, e) = merge(&mut admin, rozy2, rozy).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    // A closed ticket is no target.
    let closed = report(&app, "recepcja@pod-rozami.test", "Stare", "e").await;
    for to in ["resolved", "closed"] {
        let (s, _) = agent.post(&format!("/api/v1/tickets/{closed}/transitions"), &json!({"status": to})).await;
        assert_eq!(s, StatusCode::OK);
    }
    let before = (app.snapshot().await, before.1, before.2);
    let (s, e) = merge(&mut agent, rozy2, closed).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("target_closed")));

    let after =
        (app.snapshot().await, app.count("ticket_merges").await, agent.get(&format!("/api/v1/tickets/{rozy}")).await.1);
    assert_eq!(after, before, "every refusal left everything as it was");
}

async fn links_show_to_the_vendor_and_never_cross_to_a_customer(app: TestApp) {
    let rozy = report(&app, "recepcja@pod-rozami.test", "Rezerwacje online nie działają", "a").await;
    let zdroj = report(&app, "recepcja@zdroj.test", "Kanał sprzedaży Zdroju stoi", "b").await;
    let rozy2 = report(&app, "recepcja@pod-rozami.test", "Booking też", "c").await;
    let mut agent = app.login("agent@vendor.test").await;
    let link = |n: i64| json!({"ticket": n});
    let (s, linked) = agent.post(&format!("/api/v1/tickets/{rozy}/links"), &link(zdroj)).await;
    assert_eq!((s, linked["number"].as_i64()), (StatusCode::CREATED, Some(zdroj)));
    assert_eq!(
        agent.post(&format!("/api/v1/tickets/{zdroj}/links"), &link(rozy)).await.0,
        StatusCode::OK,
        "linked already"
    );
    assert_eq!(agent.post(&format!("/api/v1/tickets/{rozy}/links"), &link(rozy2)).await.0, StatusCode::CREATED);
    let (s, e) = agent.post(&format!("/api/v1/tickets/{rozy}/links"), &link(rozy)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("link_to_itself")));
    let (s, e) = agent.post(&format!("/api/v1/tickets/{rozy}/links"), &json!({"ticket": rozy2, "why": 1})).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("why")));

    let numbers =
        |v: &Value| -> Vec<i64> { v.as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect() };
    assert_eq!(numbers(&agent.get(&format!("/api/v1/tickets/{rozy}/links")).await.1), [zdroj, rozy2]);
    assert_eq!(numbers(&agent.get(&format!("/api/v1/tickets/{zdroj}/links")).await.1), [rozy]);
    let (_, history) = agent.get(&format!("/api/v1/tickets/{zdroj}/history")).await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "linked" && e["new_value"].as_str() == Some(rozy.to_string().as_str()))
    );
    let b = Browser::login(&app, "agent@vendor.test").await;
    let p = b.get(&format!("/agent/tickets/{rozy}")).await;
    assert!(p.has(&format!("data-link=\"{zdroj}\"")) && p.has("Kanał sprzedaży Zdroju stoi"));

    // The customer sees only their own hotel's link, by no route the other one.
    for who in ["it@pod-rozami.test", "recepcja@pod-rozami.test"] {
        let c = app.login(who).await;
        assert_eq!(numbers(&c.get(&format!("/api/v1/tickets/{rozy}/links")).await.1), [rozy2], "{who}");
        let (_, history) = c.get(&format!("/api/v1/tickets/{rozy}/history")).await;
        let text = history.to_string();
        assert!(!text.contains("linked"), "{who} sees no link events: {text}");
        let (s, _) = c.get(&format!("/api/v1/tickets/{zdroj}/links")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let h = Browser::login(&app, who).await;
        let p = h.get(&format!("/help/tickets/{rozy}")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(!p.has("Zdroju") && !p.has(&format!("#{zdroj}")), "{who}'s page names nothing of Zdrój");
    }
    // Unlinking is the vendor's, once.
    let mut admin = app.login("it@pod-rozami.test").await;
    assert_eq!(admin.post(&format!("/api/v1/tickets/{rozy}/links"), &link(rozy2)).await.0, StatusCode::FORBIDDEN);
    let (s, _) = agent.send(agent.delete_req(&format!("/api/v1/tickets/{rozy}/links/{zdroj}"))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = agent.send(agent.delete_req(&format!("/api/v1/tickets/{zdroj}/links/{rozy}"))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(numbers(&agent.get(&format!("/api/v1/tickets/{zdroj}/links")).await.1), Vec::<i64>::new());
    // The same with the other ticket in the body.
    let by_body = || agent.delete_req(&format!("/api/v1/tickets/{rozy}/links")).json(&json!({"ticket": rozy2}));
    assert_eq!(agent.send(by_body()).await.0, StatusCode::NO_CONTENT);
    assert_eq!(agent.send(by_body()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(numbers(&agent.get(&format!("/api/v1/tickets/{rozy}/links")).await.1), Vec::<i64>::new());
}

/// A parent ticket (of Pod Różami, opened by support) and a child in each of three hotels.
async fn major_incident(app: &TestApp, agent: &mut Client) -> (i64, Vec<(i64, &'static str)>) {
    let w = &app.world;
    let parent = open_ticket(
        agent,
        json!({"subject": "Awaria centrum danych: rezerwacje stoją", "body": "Serwerownia dostawcy", "priority": "critical",
               "requester_id": w.rozy_admin}),
    )
    .await;
    let mut children = Vec::new();
    for who in ["recepcja@pod-rozami.test", "recepcja@zdroj.test", "recepcja@sopot.baltyk.test"] {
        let n = report(app, who, &format!("Rezerwacje nie działają ({who})"), "Nie możemy przyjąć rezerwacji").await;
        let v = version(agent, n).await;
        let (s, body) =
            agent.patch(&format!("/api/v1/tickets/{n}"), &json!({"version": v, "parent_number": parent})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        children.push((n, who));
    }
    (parent, children)
}

async fn a_major_incident_updates_every_organisation_and_each_sees_only_its_own(app: TestApp) {
    mailbox(&app).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (parent, children) = major_incident(&app, &mut agent).await;
    let (_, list) = agent.get(&format!("/api/v1/tickets/{parent}/children")).await;
    assert_eq!((list["count"].as_i64(), list["by_status"]["new"].as_i64()), (Some(3), Some(3)), "{list}");
    let mails_before = outbox(&app).await.len();

    let update = "Awaria usunięta o 10:40, rezerwacje działają";
    let (s, out) = agent.post(&format!("/api/v1/tickets/{parent}/broadcast"), &json!({"body": update})).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["updated"], json!(children.iter().map(|(n, _)| *n).collect::<Vec<_>>()));
    // Each child got one public reply, and each requester exactly one mail.
    for (n, _) in &children {
        let (_, articles) = agent.get(&format!("/api/v1/tickets/{n}/articles")).await;
        let replies: Vec<&Value> = articles.as_array().unwrap().iter().filter(|a| a["body"] == update).collect();
        assert_eq!(replies.len(), 1, "#{n}");
        assert_eq!(replies[0]["kind"], "public_reply");
        let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "open", "answered by support");
    }
    let mails = outbox(&app).await;
    let sent: Vec<(String, Vec<String>)> =
        mails[mails_before..].iter().map(|r| (r.template.clone(), r.recipients.clone())).collect();
    let mut expected: Vec<(String, Vec<String>)> =
        children.iter().map(|(_, who)| ("agent_reply".to_owned(), vec![(*who).to_owned()])).collect();
    expected.sort();
    let mut sorted = sent.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "one mail per requester, nobody else");
    // The parent notes what went out, internally.
    let (_, notes) = agent.get(&format!("/api/v1/tickets/{parent}/articles")).await;
    let note = notes.as_array().unwrap().last().unwrap().clone();
    assert_eq!(note["kind"], "internal_note");
    assert!(note["body"].as_str().unwrap().contains("Update sent to 3 linked tickets"), "{note}");

    // Each hotel sees its own ticket only: not the parent, not the others' children.
    for (own, who) in &children {
        let c = app.login(who).await;
        let (_, page) = c.get("/api/v1/tickets").await;
        let listed: Vec<i64> =
            page["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
        assert_eq!(listed, [*own], "{who}");
        let (_, mine) = c.get(&format!("/api/v1/tickets/{own}")).await;
        if !who.ends_with("@pod-rozami.test") {
            assert_eq!(mine["parent_id"], Value::Null, "{who} learns nothing of another hotel's parent ticket");
        }
        let (_, found) = c.get("/api/v1/tickets?q=rezerwacje").await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{who}: search stays in the scope");
        for other in children.iter().map(|(n, _)| *n).filter(|n| n != own).chain([parent]) {
            assert_eq!(c.get(&format!("/api/v1/tickets/{other}")).await.0, StatusCode::NOT_FOUND, "{who} #{other}");
            assert_eq!(c.get(&format!("/api/v1/tickets/{other}/children")).await.0, StatusCode::NOT_FOUND);
        }
        let (_, history) = c.get(&format!("/api/v1/tickets/{own}/history")).await;
        assert!(!history.to_string().contains("parent_id"), "{who}: {history}");
        let h = Browser::login(&app, who).await;
        let p = h.get(&format!("/help/tickets/{own}")).await;
        assert!(p.has(update), "{who} reads the update");
        assert!(!p.has("Awaria centrum danych") && !p.has(&format!("#{parent}")), "{who}'s page names no parent");
        for (other, other_who) in children.iter().filter(|(n, _)| n != own) {
            assert!(!p.has(other_who) && !p.has(&format!("#{other}")), "{who}'s page names no other hotel");
        }
    }
    // Pod Różami's own people do see that their ticket hangs under their own parent.
    let (_, rozy_child) =
        app.login("it@pod-rozami.test").await.get(&format!("/api/v1/tickets/{}", children[0].0)).await;
    assert!(rozy_child["parent_id"].is_i64(), "{rozy_child}");

    // "Resolve them all": every child resolved (and its requester asked to confirm).
    let (s, out) = agent
        .post(&format!("/api/v1/tickets/{parent}/broadcast"), &json!({"body": "Zamykamy.", "resolve": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let (_, list) = agent.get(&format!("/api/v1/tickets/{parent}/children")).await;
    assert_eq!((list["by_status"]["resolved"].as_i64(), list["count"].as_i64()), (Some(3), Some(3)), "{list}");
    // A closed child is left alone.
    let closed = children[2].0;
    let (s, _) = agent.post(&format!("/api/v1/tickets/{closed}/transitions"), &json!({"status": "closed"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, out) = agent.post(&format!("/api/v1/tickets/{parent}/broadcast"), &json!({"body": "Podsumowanie."})).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!((out["updated"].as_array().unwrap().len(), out["skipped"].clone()), (2, json!([closed])));
    // Bad input changes nothing.
    let before = app.snapshot().await;
    for body in [
        json!({"body": "  "}),
        json!({"body": "x", "resolve": "yes"}),
        json!({"resolve": true}),
        json!({"body": "x", "to": 1}),
    ] {
        let (s, _) = agent.post(&format!("/api/v1/tickets/{parent}/broadcast"), &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (s, e) = agent.post(&format!("/api/v1/tickets/{}/broadcast", children[0].0), &json!({"body": "x"})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("no_open_children")));
    let mut customer = app.login("it@pod-rozami.test").await;
    let (s, _) = customer.post(&format!("/api/v1/tickets/{parent}/broadcast"), &json!({"body": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);
}

async fn parent_cycles_and_merged_parents_are_refused(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let (parent, children) = major_incident(&app, &mut agent).await;
    let child = children[0].0;
    let before = app.snapshot().await;
    let set_parent =
        |n: i64, p: i64, v: i64| (format!("/api/v1/tickets/{n}"), json!({"version": v, "parent_number": p}));
    let (url, body) = set_parent(parent, child, version(&agent, parent).await);
    let (s, e) = agent.patch(&url, &body).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_cycle")), "{e}");
    // Two levels down is a cycle too.
    let grandchild = report(&app, "spa@pod-rozami.test", "Wnuk", "g").await;
    let (url, body) = set_parent(grandchild, child, version(&agent, grandchild).await);
    assert_eq!(agent.patch(&url, &body).await.0, StatusCode::OK);
    let before = (before, app.snapshot().await);
    let (url, body) = set_parent(parent, grandchild, version(&agent, parent).await);
    let (s, e) = agent.patch(&url, &body).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_cycle")));
    let (url, body) = set_parent(parent, parent, version(&agent, parent).await);
    assert_eq!(agent.patch(&url, &body).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // A merged ticket is no parent: its number names the ticket it went into.
    let dup = report(&app, "recepcja@pod-rozami.test", "Duplikat", "d").await;
    let kept = report(&app, "recepcja@pod-rozami.test", "Oryginał", "o").await;
    assert_eq!(merge(&mut agent, dup, kept).await.0, StatusCode::OK);
    let after_merge = app.snapshot().await;
    let (url, body) = set_parent(child, dup, version(&agent, child).await);
    let (s, e) = agent.patch(&url, &body).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_merged")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains(&format!("#{kept}")));
    assert_eq!(app.snapshot().await, after_merge, "refusals wrote nothing");
    assert_ne!(before.0, before.1);

    // Merging a major incident hands its open children to the target.
    let other_parent = open_ticket(
        &mut agent,
        json!({"subject": "Druga karta tej samej awarii", "body": "dup", "priority": "critical", "requester_id": app.world.rozy_admin}),
    )
    .await;
    assert_eq!(merge(&mut agent, parent, other_parent).await.0, StatusCode::OK);
    let (_, list) = agent.get(&format!("/api/v1/tickets/{other_parent}/children")).await;
    assert_eq!(list["count"], 3, "{list}");
    let (_, t) = agent.get(&format!("/api/v1/tickets/{child}")).await;
    let target_id = app.db(move |tx| tickets::by_number(tx, other_parent, &tickets::Scope::All).unwrap().id).await;
    assert_eq!(t["parent_id"].as_i64(), Some(target_id));
    // A child merged into a ticket of no incident brings the incident along.
    let loose = report(&app, "recepcja@pod-rozami.test", "Rezerwacje znowu", "l").await;
    assert_eq!(merge(&mut agent, child, loose).await.0, StatusCode::OK);
    let (_, t) = agent.get(&format!("/api/v1/tickets/{loose}")).await;
    assert_eq!(t["parent_id"].as_i64(), Some(target_id));
    let (_, list) = agent.get(&format!("/api/v1/tickets/{other_parent}/children")).await;
    assert_eq!((list["count"].as_i64(), list["by_status"]["closed"].as_i64()), (Some(4), Some(1)), "{list}");
}

async fn the_agent_page_merges_links_and_broadcasts(app: TestApp) {
    let target = report(&app, "recepcja@pod-rozami.test", "Drukarka fiskalna", "a").await;
    let source = report(&app, "spa@pod-rozami.test", "Drukarka w spa", "b").await;
    let zdroj = report(&app, "recepcja@zdroj.test", "Zdrój: drukarka", "c").await;
    let b = Browser::login(&app, "agent@vendor.test").await;
    let p = b.get(&format!("/agent/tickets/{source}")).await;
    assert!(p.has(&format!("action=\"/agent/tickets/{source}/merge\"")), "a merge form");

    // Refusals are shown next to the field, in the agent's language, and change nothing.
    let before = app.snapshot().await;
    let p =
        b.post(&format!("/agent/tickets/{source}/merge"), &[("into", &zdroj.to_string()), ("merge_reason", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("Zgłoszeń różnych organizacji nie można połączyć"), "{}", p.body);
    assert!(p.has(&format!("value=\"{zdroj}\"")), "what was typed stays");
    let p = b.post(&format!("/agent/tickets/{source}/merge"), &[("into", "abc")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("Wpisz numer zgłoszenia."));
    assert_eq!(app.snapshot().await, before);

    // Link across hotels, then remove it.
    let p = b.post(&format!("/agent/tickets/{target}/links"), &[("link", &format!("#{zdroj}"))]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = b.get(&format!("/agent/tickets/{target}")).await;
    assert!(p.has(&format!("data-link=\"{zdroj}\"")) && p.has("Uzdrowisko Zdrój"));
    assert!(p.has(&format!("powiązano ze zgłoszeniem nr {zdroj}")), "the history says so");
    let p = b.post(&format!("/agent/tickets/{target}/links/{zdroj}/remove"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!b.get(&format!("/agent/tickets/{target}")).await.has(&format!("data-link=\"{zdroj}\"")));

    // Merge through the form: off to the target.
    let p = b
        .post(&format!("/agent/tickets/{source}/merge"), &[("into", &target.to_string()), ("merge_reason", "duplikat")])
        .await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some(&*format!("/agent/tickets/{target}"))));
    let p = b.get(&format!("/agent/tickets/{target}")).await;
    assert!(p.has(&format!("dołączono zgłoszenie nr {source}")), "the history says so");
    assert!(
        p.has(&format!("data-merged-from=\"{source}\"")) && p.has("Dołączone zgłoszenia"),
        "and the related tickets"
    );

    // A parent's page lists its children with their statuses and sends one update to all.
    let mut agent = app.login("agent@vendor.test").await;
    let (parent, children) = major_incident(&app, &mut agent).await;
    let p = b.get(&format!("/agent/tickets/{parent}")).await;
    for (n, _) in &children {
        assert!(p.has(&format!("data-child=\"{n}\"")), "#{n} listed");
    }
    assert!(p.has("Uzdrowisko Zdrój") && p.has("Hotel Bałtyk Sopot"));
    // Attach a ticket to the incident from its page, refuse a cycle, detach again.
    let page = b.get(&format!("/agent/tickets/{target}")).await;
    let v = field_value(&page.body, "version").unwrap();
    let p =
        b.post(&format!("/agent/tickets/{target}/parent"), &[("parent", &parent.to_string()), ("version", &v)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(b.get(&format!("/agent/tickets/{parent}")).await.has(&format!("data-child=\"{target}\"")));
    let page = b.get(&format!("/agent/tickets/{target}")).await;
    assert!(page.has(&format!("data-parent=\"{parent}\"")));
    let v = field_value(&b.get(&format!("/agent/tickets/{parent}")).await.body, "version").unwrap();
    let p =
        b.post(&format!("/agent/tickets/{parent}/parent"), &[("parent", &target.to_string()), ("version", &v)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("Zgłoszenie nie może podlegać własnemu zgłoszeniu podrzędnemu."), "{}", p.body);
    let v = field_value(&b.get(&format!("/agent/tickets/{target}")).await.body, "version").unwrap();
    let p = b.post(&format!("/agent/tickets/{target}/parent"), &[("parent", ""), ("version", &v)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!b.get(&format!("/agent/tickets/{parent}")).await.has(&format!("data-child=\"{target}\"")));

    let p = b.post(&format!("/agent/tickets/{parent}/broadcast"), &[("broadcast_body", "  ")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = b
        .post(&format!("/agent/tickets/{parent}/broadcast"), &[("broadcast_body", "Naprawione."), ("resolve", "1")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    for (n, _) in &children {
        let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "resolved", "#{n}");
    }
    let p = b.get(&format!("/agent/tickets/{parent}")).await;
    assert!(p.has("wysłano aktualizację do zgłoszeń: 3"));
    // English labels come from the same catalogue.
    let res = b.post("/language", &[("lang", "en"), ("next", "/agent")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let p = b.get(&format!("/agent/tickets/{parent}")).await;
    assert!(p.has("Linked organisations&#39; tickets") || p.has("Linked organisations' tickets"), "{}", p.body);
    assert!(p.has("update sent to 3 tickets") && p.has("Merge into…"));
}
