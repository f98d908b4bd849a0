//! The mail intake and the outbox through the real store: threading, exactly-once storage,
//! loops and bounces, quarantine and retry, and the admin API of mailboxes. (Delivery over
//! real IMAP and SMTP servers is in `tests/mail_e2e.rs`.)

use deskbell_server::mail::intake::{self, Outcome, Source};
use deskbell_server::tickets::service::Limits;
use deskbell_store::mail::{self, Mailbox};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::TestApp;

both_backends!(
    a_customer_mail_opens_a_ticket_and_the_answers_thread_both_ways,
    threading_never_crosses_into_another_organisation,
    unknown_senders_become_customers_of_their_domain_or_wait_in_the_queue,
    automatic_mail_and_bounces_open_no_tickets_and_get_no_answers,
    broken_oversized_and_unstorable_mail_is_quarantined_and_can_be_retried,
    mailboxes_are_validated_and_never_show_their_passwords,
    a_header_smuggled_into_a_subject_never_reaches_an_outgoing_header,
    sla_alerts_are_mailed_to_the_people_they_notify,
    a_silent_customer_gets_one_reminder_per_quiet_stretch,
    inline_images_of_a_mail_show_through_the_authorised_download,
);

const LIMITS: Limits = Limits { attachment_max_bytes: 10 << 20, reopen_days: 7 };

fn mailbox_body() -> Value {
    json!({
        "name": "wsparcie", "address": "Wsparcie@Vendor.test", "display_name": "Wsparcie",
        "smtp": {"host": "127.0.0.1", "port": 2525, "security": "plain"},
    })
}

async fn mailbox(app: &TestApp) -> Mailbox {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, m) = admin.post("/api/v1/mailboxes", &mailbox_body()).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    app.db(move |tx| mail::mailbox(tx, id).unwrap()).await
}

async fn ingest(app: &TestApp, mb: &Mailbox, raw: &str) -> Outcome {
    let (store, mb, raw) = (app.store.clone(), mb.clone(), raw.as_bytes().to_vec());
    tokio::task::spawn_blocking(move || intake::ingest(&store, &mb, &raw, &Source::pipe(), LIMITS, Timestamp::now()))
        .await
        .unwrap()
        .unwrap()
}

fn message(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: wsparcie@vendor.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0100\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
}

fn number(o: &Outcome) -> i64 {
    match o {
        Outcome::Ticket { number } | Outcome::Reply { number } => *number,
        other => panic!("expected a ticket, got {other:?}"),
    }
}

async fn outbox(app: &TestApp) -> Vec<mail::OutboxRow> {
    app.db(|tx| {
        let mut list = mail::outbox_recent(tx, 100).unwrap();
        list.reverse();
        list
    })
    .await
}

async fn a_customer_mail_opens_a_ticket_and_the_answers_thread_both_ways(app: TestApp) {
    let mb = mailbox(&app).await;
    let raw = message(
        "=?utf-8?q?Recepcja_Pod_R=C3=B3=C5=BCami?= <Recepcja@Pod-Rozami.test>",
        "=?iso-8859-2?q?Nie_dzia=B3a_meldowanie?=",
        "first@pod-rozami.test",
        "Cc: spa@pod-rozami.test, wsparcie@vendor.test\r\n",
        "Goście czekają przy recepcji.",
    );
    let n = number(&ingest(&app, &mb, &raw).await);
    let mut agent = app.login("agent@vendor.test").await;
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["subject"], "Nie działa meldowanie");
    assert_eq!(t["channel"], "email");
    assert_eq!(t["requester_id"], app.world.rozy_user);
    assert_eq!(t["cc"], json!(["spa@pod-rozami.test"]), "our own address is not a cc");
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{n}/articles")).await;
    assert_eq!(articles[0]["body"], "Goście czekają przy recepcji.");
    assert_eq!(articles[0]["author_id"], app.world.rozy_user);

    // Fetched again (a crash before the checkpoint, a second instance): stored once.
    let before = app.snapshot().await;
    assert_eq!(ingest(&app, &mb, &raw).await, Outcome::Duplicate);
    assert_eq!(app.snapshot().await, before);

    // "Received" goes to the customer, automatic, with a tracking secret whose hash is kept.
    let sent = outbox(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].template.as_str(), sent[0].recipients.clone()),
        ("received", vec!["recepcja@pod-rozami.test".to_owned()])
    );
    let params: Value = serde_json::from_str(&sent[0].params).unwrap();
    assert_eq!(params["in_reply_to"], "first@pod-rozami.test");
    let key = params["tracking_key"].as_str().unwrap().to_owned();
    let hash = deskbell_server::mail::outbox::tracking_hash(&key);
    let found = app.db(move |tx| mail::ticket_by_tracking_hash(tx, &hash).unwrap()).await;
    assert_eq!(found, Some(t["id"].as_i64().unwrap()));

    // The agent's answer carries a Message-ID stored with its article…
    let (s, reply) = agent
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "public_reply", "body": "Proszę zrestartować kasę."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reply}");
    let sent = outbox(&app).await;
    let answer = sent.last().unwrap().clone();
    assert_eq!(answer.template, "agent_reply");
    assert_eq!(answer.recipients, ["recepcja@pod-rozami.test", "spa@pod-rozami.test"]);
    assert_eq!(answer.article_id, reply["article"]["id"].as_i64());
    // …so the customer's answer to it, with a new subject and no token, threads back.
    let raw = message(
        "recepcja@pod-rozami.test",
        "zupełnie inny temat",
        "second@pod-rozami.test",
        &format!(
            "In-Reply-To: <{}>\r\nReferences: <first@pod-rozami.test> <{}>\r\n\
             Cc: Kierownik <Kierownik@Pod-Rozami.test>, spa@pod-rozami.test\r\n",
            answer.message_id, answer.message_id
        ),
        "Nadal nie działa.\r\n\r\nW dniu 3.12.2026 Wsparcie pisze:\r\n> Proszę zrestartować kasę.",
    );
    assert_eq!(ingest(&app, &mb, &raw).await, Outcome::Reply { number: n });
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(
        t["cc"],
        json!(["spa@pod-rozami.test", "kierownik@pod-rozami.test"]),
        "reply-to-all adds a colleague once"
    );
    // And the subject token alone is enough too.
    let raw =
        message("spa@pod-rozami.test", &format!("Re: [#{n}] cokolwiek"), "third@pod-rozami.test", "", "Potwierdzam.");
    assert_eq!(ingest(&app, &mb, &raw).await, Outcome::Reply { number: n });
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{n}/articles")).await;
    assert_eq!(articles.as_array().unwrap().len(), 4);
    let third = &articles[2];
    let body = third["body"].as_str().unwrap();
    let quote = third["mail"]["quote_start"].as_u64().unwrap() as usize;
    assert_eq!(body[..quote].trim(), "Nadal nie działa.", "the quoted history is kept, and marked");
    assert!(body[quote..].contains("> Proszę zrestartować kasę."));
}

async fn threading_never_crosses_into_another_organisation(app: TestApp) {
    let mb = mailbox(&app).await;
    let rozy = number(&ingest(&app, &mb, &message("recepcja@pod-rozami.test", "Kasa", "r1@x", "", "Kasa stoi")).await);
    // Zdrój's receptionist guesses Różami's ticket number, and quotes its Message-ID.
    for (i, extra) in ["".to_owned(), "In-Reply-To: <r1@x>\r\n".to_owned()].iter().enumerate() {
        let raw = message("recepcja@zdroj.test", &format!("[#{rozy}] wtrącam się"), &format!("z{i}@x"), extra, "Hej");
        let n = number(&ingest(&app, &mb, &raw).await);
        assert_ne!(n, rozy, "a new ticket of Zdrój's, not a reply on Różami's");
        let mut agent = app.login("agent@vendor.test").await;
        let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["organisation_id"], app.world.zdroj);
        let _ = agent.post("/api/v1/auth/logout", &json!({})).await;
    }
    let agent = app.login("agent@vendor.test").await;
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{rozy}/articles")).await;
    assert_eq!(articles.as_array().unwrap().len(), 1, "Różami's ticket got nothing");
    let _ = agent.get("/").await;
}

async fn unknown_senders_become_customers_of_their_domain_or_wait_in_the_queue(app: TestApp) {
    let admin = app.login("admin@vendor.test").await;
    let (s, body) = admin
        .patch(&format!("/api/v1/organisations/{}", app.world.rozy), &json!({"mail_domains": ["pod-rozami.test"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mb = mailbox(&app).await;
    let n = number(
        &ingest(&app, &mb, &message("Jan Nowak <kelner@pod-rozami.test>", "Drukarka", "u1@x", "", "Nie drukuje")).await,
    );
    let (_, t) = admin.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["organisation_id"], app.world.rozy);
    let (_, people) = admin.get(&format!("/api/v1/people?organisation_id={}", app.world.rozy)).await;
    let kelner = people.as_array().unwrap().iter().find(|p| p["email"] == "kelner@pod-rozami.test").unwrap().clone();
    assert_eq!((kelner["name"].as_str(), kelner["role"].as_str()), (Some("Jan Nowak"), Some("customer_user")));

    let n = number(&ingest(&app, &mb, &message("ktos@nieznany.test", "Pytanie", "u2@x", "", "Dzień dobry")).await);
    let (_, t) = admin.get(&format!("/api/v1/tickets/{n}")).await;
    let (_, org) = admin.get(&format!("/api/v1/organisations/{}", t["organisation_id"])).await;
    assert_eq!(org["name"], "Nieznani nadawcy (unknown senders)");
    // The same queue next time, not a second one.
    let n2 = number(&ingest(&app, &mb, &message("inny@nieznany2.test", "Pytanie", "u3@x", "", "Dzień dobry")).await);
    let (_, t2) = admin.get(&format!("/api/v1/tickets/{n2}")).await;
    assert_eq!(t2["organisation_id"], t["organisation_id"]);
}

async fn automatic_mail_and_bounces_open_no_tickets_and_get_no_answers(app: TestApp) {
    let mb = mailbox(&app).await;
    let before = app.count("tickets").await;
    for (i, header) in
        ["Auto-Submitted: auto-replied\r\n", "Precedence: bulk\r\n", "X-Autoreply: yes\r\n"].iter().enumerate()
    {
        let raw =
            message("recepcja@pod-rozami.test", "Poza biurem", &format!("a{i}@x"), header, "Wracam w poniedziałek");
        assert_eq!(ingest(&app, &mb, &raw).await, Outcome::Automatic, "{header}");
    }
    let dsn = "From: MAILER-DAEMON@mx.pod-rozami.test\r\nTo: wsparcie@vendor.test\r\nSubject: Undelivered Mail Returned to Sender\r\n\
        Message-ID: <dsn1@mx>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
        --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.pod-rozami.test\r\n\r\n\
        Final-Recipient: rfc822; spa@pod-rozami.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n";
    assert_eq!(ingest(&app, &mb, dsn).await, Outcome::Bounce { addresses: vec!["spa@pod-rozami.test".into()] });
    assert_eq!(app.count("tickets").await, before, "no tickets");
    assert!(outbox(&app).await.is_empty(), "no answers");

    // A ticket for the bouncing address gets no mail; the auto-reply rate limit holds too.
    for i in 0..7 {
        let raw = message("spa@pod-rozami.test", "Sauna", &format!("s{i}@x"), "", "Sauna nie grzeje");
        number(&ingest(&app, &mb, &raw).await);
    }
    assert!(outbox(&app).await.is_empty(), "nothing to a bouncing address");
    for i in 0..7 {
        let raw = message("recepcja@pod-rozami.test", &format!("Sprawa {i}"), &format!("r{i}@x"), "", "Treść");
        number(&ingest(&app, &mb, &raw).await);
    }
    let received = outbox(&app).await.iter().filter(|o| o.template == "received").count() as i64;
    assert_eq!(received, deskbell_server::mail::outbox::AUTO_REPLIES_PER_HOUR, "at most 5 automatic answers an hour");
}

async fn broken_oversized_and_unstorable_mail_is_quarantined_and_can_be_retried(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let mut body = mailbox_body();
    body["max_message_bytes"] = json!(4096);
    let (s, m) = admin.post("/api/v1/mailboxes", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    let mb = app.db(move |tx| mail::mailbox(tx, id).unwrap()).await;
    let tickets_before = app.count("tickets").await;

    let big = message("recepcja@pod-rozami.test", "Duży", "big@x", "", &"x".repeat(5000));
    let no_from = "To: wsparcie@vendor.test\r\nSubject: kto to?\r\nMessage-ID: <nofrom@x>\r\n\r\ntreść\r\n";
    let garbage = "\u{1}\u{2}to nie jest list\u{0}";
    // Deactivated customer: valid mail, but it cannot be stored as it is.
    let rozy_admin = app.login("it@pod-rozami.test").await;
    let (s, _) = rozy_admin.patch(&format!("/api/v1/people/{}", app.world.rozy_user2), &json!({"active": false})).await;
    assert_eq!(s, StatusCode::OK);
    let inactive = message("spa@pod-rozami.test", "Sauna", "sauna@x", "", "Sauna nie grzeje");
    let mut reasons = Vec::new();
    for raw in [big.as_str(), no_from, garbage, inactive.as_str()] {
        match ingest(&app, &mb, raw).await {
            Outcome::Quarantined { reason, .. } => reasons.push(reason),
            other => panic!("{other:?}"),
        }
    }
    assert!(reasons[0].contains("over the limit of 4096 bytes"), "{}", reasons[0]);
    assert!(reasons[1].contains("From"), "{}", reasons[1]);
    assert!(reasons[3].contains("deactivated"), "{}", reasons[3]);
    assert_eq!(app.count("tickets").await, tickets_before, "nothing half-stored");
    // Quarantining the same message again counts an attempt, not a second entry.
    ingest(&app, &mb, &inactive).await;

    let (s, list) = admin.get("/api/v1/mail/quarantine").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");
    let sauna = list
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["reason"].as_str().unwrap().contains("deactivated"))
        .unwrap()
        .clone();
    assert_eq!(sauna["attempts"], 2);
    assert!(sauna["headers_preview"].as_str().unwrap().contains("Subject: Sauna"));

    // Still failing: stays quarantined with the reason. After reactivation: a ticket.
    let qid = sauna["id"].as_i64().unwrap();
    let (s, r) = admin.post(&format!("/api/v1/mail/quarantine/{qid}/retry"), &json!({})).await;
    assert_eq!((s, r["outcome"].as_str()), (StatusCode::OK, Some("quarantined")), "{r}");
    let (s, _) = rozy_admin.patch(&format!("/api/v1/people/{}", app.world.rozy_user2), &json!({"active": true})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, r) = admin.post(&format!("/api/v1/mail/quarantine/{qid}/retry"), &json!({})).await;
    assert_eq!((s, r["outcome"].as_str()), (StatusCode::OK, Some("ticket")), "{r}");
    let (s, r) = admin.post(&format!("/api/v1/mail/quarantine/{qid}/retry"), &json!({})).await;
    assert_eq!((s, r["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_resolved")));
    let big =
        list.as_array().unwrap().iter().find(|q| q["reason"].as_str().unwrap().contains("over the limit")).unwrap();
    let (s, _) = admin.post(&format!("/api/v1/mail/quarantine/{}/dismiss", big["id"]), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = admin.get("/api/v1/mail/quarantine").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // The retried message is stored once: fetching it again is a duplicate.
    assert_eq!(ingest(&app, &mb, &inactive).await, Outcome::Duplicate);
}

async fn mailboxes_are_validated_and_never_show_their_passwords(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let mut body = mailbox_body();
    body["imap"] = json!({"host": "imap.vendor.test", "port": 993, "user": "wsparcie", "password": "tajne-haslo"});
    let (s, m) = admin.post("/api/v1/mailboxes", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert!(!m.to_string().contains("tajne-haslo"));
    assert_eq!(
        (m["imap"]["has_password"].as_bool(), m["address"].as_str()),
        (Some(true), Some("wsparcie@vendor.test"))
    );
    let before = app.count("mailboxes").await;
    for (patch, field) in [
        (json!({"address": "nie-adres"}), "address"),
        (json!({"imap": {"host": "imap.vendor.test", "port": 143, "security": "plain"}}), "imap.security"),
        (json!({"imap": {"host": "imap.vendor.test", "port": 70000}}), "imap.port"),
        (json!({"unknown_senders": "ignore"}), "unknown_senders"),
        (json!({"poll_secs": 1}), "poll_secs"),
    ] {
        let mut b = mailbox_body();
        b["name"] = json!("inna");
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (s, err) = admin.post("/api/v1/mailboxes", &b).await;
        assert_eq!((s, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{b}: {err}");
    }
    let (s, err) = admin.post("/api/v1/mailboxes", &mailbox_body()).await;
    assert_eq!((s, err["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("name_taken")));
    assert_eq!(app.count("mailboxes").await, before);
    // An update without the password keeps it.
    let mut b = mailbox_body();
    b["imap"] = json!({"host": "imap2.vendor.test", "port": 993, "user": "wsparcie"});
    let (s, m2) = admin.patch(&format!("/api/v1/mailboxes/{}", m["id"]), &b).await;
    assert_eq!(s, StatusCode::OK, "{m2}");
    assert_eq!(
        (m2["imap"]["host"].as_str(), m2["imap"]["has_password"].as_bool()),
        (Some("imap2.vendor.test"), Some(true))
    );
    let agent = app.login("agent@vendor.test").await;
    let (s, _) = agent.get("/api/v1/mailboxes").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_header_smuggled_into_a_subject_never_reaches_an_outgoing_header(app: TestApp) {
    let mb = mailbox(&app).await;
    let raw = message(
        "recepcja@pod-rozami.test",
        "=?utf-8?q?Faktura=0D=0ABcc:_evil@attacker.test=0D=0A?=",
        "smuggle@x",
        "",
        "Treść",
    );
    let n = number(&ingest(&app, &mb, &raw).await);
    let agent = app.login("agent@vendor.test").await;
    let (_, t) = agent.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["subject"], "Faktura Bcc: evil@attacker.test");
    // The "received" answer quotes the subject; composed, it stays inside the Subject line.
    let row = outbox(&app).await.pop().unwrap();
    let store = app.store.clone();
    let sent = tokio::task::spawn_blocking(move || {
        let mailbox = store.read(|tx| mail::mailbox(tx, row.mailbox_id)).unwrap();
        deskbell_server::mail::sender::compose_row(&store, &row, &mailbox, "https://desk.example", Timestamp::now())
    })
    .await
    .unwrap()
    .unwrap();
    let text = String::from_utf8_lossy(&sent);
    let headers = text.split("\r\n\r\n").next().unwrap();
    assert!(!headers.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc:")), "{headers}");
    let back = deskbell_mail::parse(&sent, &deskbell_mail::Limits::default()).unwrap();
    assert!(back.subject.contains("Faktura Bcc: evil@attacker.test"), "{}", back.subject);
    assert!(back.cc.is_empty());
}

async fn sla_alerts_are_mailed_to_the_people_they_notify(app: TestApp) {
    mailbox(&app).await;
    let mut admin = app.login("admin@vendor.test").await;
    let (s, c) = admin
        .post(
            "/api/v1/contracts",
            &json!({"organisation_id": app.world.rozy, "name": "24/7", "valid_from": "2020-01-01",
                    "product_ids": [app.world.premium], "calendar_id": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Stoi sprzedaż", "body": "Kasa", "priority": "critical", "requester_id": app.world.rozy_user,
                    "product_id": app.world.premium, "assignee_id": app.world.agent2, "team_id": app.world.team}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let store = app.store.clone();
    let later = Timestamp::now() + jiff::SignedDuration::from_mins(13);
    let fired = tokio::task::spawn_blocking(move || deskbell_server::sla::watch::run_once(&store, later))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fired, 1, "the first-response warning at 12 of 15 minutes");
    let mut to: Vec<Vec<String>> =
        outbox(&app).await.into_iter().filter(|o| o.template == "sla_warning").map(|o| o.recipients).collect();
    to.sort();
    assert_eq!(to, [vec!["agent2@vendor.test".to_owned()], vec!["agent@vendor.test".to_owned()]]);
}

async fn a_silent_customer_gets_one_reminder_per_quiet_stretch(app: TestApp) {
    mailbox(&app).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post(
            "/api/v1/tickets",
            &json!({"subject": "Raport dobowy", "body": "Brak raportu", "priority": "standard", "requester_id": app.world.rozy_user}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let n = t["ticket"]["number"].as_i64().unwrap();
    let (s, _) =
        agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "waiting_for_customer"})).await;
    assert_eq!(s, StatusCode::OK);
    let remind = |after_hours: i64| {
        let store = app.store.clone();
        let at = Timestamp::now() + jiff::SignedDuration::from_hours(after_hours);
        async move {
            tokio::task::spawn_blocking(move || deskbell_server::mail::outbox::send_reminders(&store, 3, at))
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(remind(71).await, 0, "not before three days");
    let (a, b) = tokio::join!(remind(73), remind(73));
    assert_eq!(a + b, 1, "two instances queue one reminder");
    assert_eq!(remind(200).await, 0, "one per quiet stretch");
    let reminders = || async {
        outbox(&app)
            .await
            .into_iter()
            .filter(|o| o.template == "waiting_reminder")
            .map(|o| o.recipients)
            .collect::<Vec<_>>()
    };
    assert_eq!(reminders().await, [vec!["recepcja@pod-rozami.test".to_owned()]]);
    // Not waiting any more: no reminder, however long it stays open.
    let (s, _) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "open"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(remind(400).await, 0);
}

async fn inline_images_of_a_mail_show_through_the_authorised_download(app: TestApp) {
    let mb = mailbox(&app).await;
    // A 1×1 PNG, base64.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let raw = format!(
        "From: recepcja@pod-rozami.test\r\nTo: wsparcie@vendor.test\r\nSubject: Zrzut ekranu\r\nMessage-ID: <img@x>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Błąd:</p><img src=\"cid:ekran@x\"><script>alert(1)</script>\r\n\
         --r\r\nContent-Type: image/png; name=ekran.png\r\nContent-ID: <ekran@x>\r\nContent-Disposition: inline\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{png}\r\n--r--\r\n"
    );
    let n = number(&ingest(&app, &mb, &raw).await);
    let agent = app.login("agent@vendor.test").await;
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{n}/articles")).await;
    let a = &articles[0];
    let file = &a["attachments"][0];
    let html = a["mail"]["html"].as_str().unwrap();
    assert!(html.contains(&format!("src=\"{}\"", file["url"].as_str().unwrap())), "{html}");
    assert!(!html.contains("cid:") && !html.contains("<script"), "{html}");
    let res = agent.get_raw(file["url"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    // Another hotel cannot fetch it.
    let other = app.login("recepcja@zdroj.test").await;
    assert_eq!(other.get_raw(file["url"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);
}
