//! The mail channel end to end against real servers: a customer's message sent over SMTP
//! lands in the support mailbox (Postfix → Dovecot), deskbell polls it over IMAP into a new
//! ticket, answers it through its outbox, the answers arrive in the customer's mailbox with
//! threading headers, and the customer's reply to them joins the same ticket — once, however
//! often the mailbox is read.

use std::time::{Duration, Instant};

use deskbell_mail::AutoKind;
use deskbell_mailnet::testing::{fetch_until, servers};
use deskbell_server::mail::{poller, sender};
use deskbell_server::tickets::service::Limits;
use deskbell_store::mail::{self, Mailbox};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::TestApp;

both_backends!(
    a_customer_mail_round_trip_through_real_imap_and_smtp_servers,
    refused_and_unreachable_deliveries_and_oversized_mail_are_handled,
);

const LIMITS: Limits = Limits { attachment_max_bytes: 10 << 20, reopen_days: 7 };

/// Polls until `want` new messages were stored (Postfix hands over to Dovecot a moment after
/// SMTP says OK).
async fn poll_until_stored(app: &TestApp, mb: &Mailbox, want: usize) -> poller::Pass {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut total = poller::Pass::default();
    loop {
        let p = poller::poll_once(&app.store, mb, LIMITS, Timestamp::now()).await.unwrap();
        total.fetched += p.fetched;
        total.stored += p.stored;
        total.duplicates += p.duplicates;
        total.quarantined += p.quarantined;
        if total.stored >= want {
            return total;
        }
        assert!(Instant::now() < deadline, "only {} of {want} messages stored", total.stored);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_customer_mail_round_trip_through_real_imap_and_smtp_servers(app: TestApp) {
    let Some(servers) = servers() else { return };
    let support = servers.new_mailbox("support");
    let customer = servers.new_mailbox("customer");
    let mut admin = app.login("admin@vendor.test").await;
    let (s, person) = admin
        .post(
            "/api/v1/people",
            &json!({"email": customer, "name": "Recepcja Testowa", "role": "customer_user",
                    "organisation_id": app.world.rozy, "language": "pl"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{person}");
    let (s, m) = admin
        .post(
            "/api/v1/mailboxes",
            &json!({"name": "e2e", "address": support, "display_name": "Wsparcie",
                    "imap": {"host": "127.0.0.1", "port": servers.imap_port(), "security": "plain",
                             "user": support, "password": servers.password()},
                    "smtp": {"host": "127.0.0.1", "port": servers.smtp_port(), "security": "plain"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    let mb = app.db(move |tx| mail::mailbox(tx, id).unwrap()).await;

    // 1. The customer writes to support.
    let first = format!(
        "From: Recepcja Testowa <{customer}>\r\nTo: <{support}>\r\nSubject: =?utf-8?q?Drukarka_fiskalna_nie_drukuje?=\r\n\
         Message-ID: <e2e-first.{id}@hotel.test>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nParagony się nie drukują.\r\n"
    );
    deskbell_mailnet::send(&servers.smtp(), &customer, std::slice::from_ref(&support), first.as_bytes()).await.unwrap();
    let pass = poll_until_stored(&app, &mb, 1).await;
    assert_eq!((pass.stored, pass.quarantined), (1, 0));
    let ticket_id = app.db(move |tx| mail::register_rows(tx, id).unwrap()[0].2.unwrap()).await;
    let number = app.db(move |tx| deskbell_store::tickets::by_id(tx, ticket_id).unwrap().number).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (_, t) = agent.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!((t["subject"].as_str(), t["channel"].as_str()), (Some("Drukarka fiskalna nie drukuje"), Some("email")));

    // 2. "Received" reaches the customer: automatic, threaded to their message.
    assert_eq!(sender::run_once(&app.store, "https://desk.example", Timestamp::now()).await.unwrap(), 1);
    let inbox = servers.imap(&customer);
    let batch = fetch_until(&inbox, None, 0, 1).await;
    let received = deskbell_mail::parse(&batch.messages[0].raw, &deskbell_mail::Limits::default()).unwrap();
    assert!(received.subject.starts_with(&format!("[#{number}] Przyjęliśmy zgłoszenie")), "{}", received.subject);
    assert_eq!(received.in_reply_to, [format!("e2e-first.{id}@hotel.test")]);
    assert_eq!(received.auto, Some(AutoKind::AutoReply), "marked Auto-Submitted");
    assert!(received.text.contains(&format!("https://desk.example/track/{number}?key=")), "{}", received.text);
    assert_eq!(received.from.email, support);

    // 3. The agent answers through the API; the answer arrives with the thread's headers.
    let (s, reply) = agent
        .post(
            &format!("/api/v1/tickets/{number}/articles"),
            &json!({"kind": "public_reply", "body": "Proszę sprawdzić papier."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reply}");
    assert_eq!(sender::run_once(&app.store, "https://desk.example", Timestamp::now()).await.unwrap(), 1);
    let batch = fetch_until(&inbox, Some(batch.uid_validity), batch.messages[0].uid, 1).await;
    let answer = deskbell_mail::parse(&batch.messages[0].raw, &deskbell_mail::Limits::default()).unwrap();
    assert_eq!(answer.subject, format!("Re: [#{number}] Drukarka fiskalna nie drukuje"));
    assert!(answer.text.starts_with("Proszę sprawdzić papier."), "{}", answer.text);
    assert!(answer.references.contains(&format!("e2e-first.{id}@hotel.test")), "{:?}", answer.references);
    assert_eq!(answer.auto, None, "a person's answer is not automatic");
    let answer_id = answer.message_id.clone().unwrap();
    let sent = app.db(move |tx| mail::outbox_for_ticket(tx, ticket_id).unwrap()).await;
    assert!(sent.iter().all(|o| o.status == "sent"), "{sent:?}");
    assert_eq!(sent[1].message_id, answer_id, "the Message-ID stored with the article is the one sent");

    // 4. The customer replies to the answer, with a new subject: it threads by its headers.
    let second = format!(
        "From: <{customer}>\r\nTo: <{support}>\r\nSubject: papier jest\r\nMessage-ID: <e2e-second.{id}@hotel.test>\r\n\
         In-Reply-To: <{answer_id}>\r\nReferences: <e2e-first.{id}@hotel.test> <{answer_id}>\r\n\
         Date: Thu, 03 Dec 2026 11:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPapier jest, nadal nic.\r\n"
    );
    deskbell_mailnet::send(&servers.smtp(), &customer, std::slice::from_ref(&support), second.as_bytes())
        .await
        .unwrap();
    let pass = poll_until_stored(&app, &mb, 1).await;
    assert_eq!(pass.stored, 1);
    let (_, articles) = agent.get(&format!("/api/v1/tickets/{number}/articles")).await;
    let bodies: Vec<&str> = articles.as_array().unwrap().iter().map(|a| a["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Paragony się nie drukują.", "Proszę sprawdzić papier.", "Papier jest, nadal nic."]);

    // 5. Exactly once: a lost checkpoint (a crash, a second instance starting from scratch)
    //    reads the whole folder again and stores nothing new.
    let before = app.snapshot().await;
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || {
        store.write(|tx| tx.execute("DELETE FROM imap_checkpoints WHERE mailbox_id = $1", deskbell_store::params![id]))
    })
    .await
    .unwrap()
    .unwrap();
    let again = poller::poll_once(&app.store, &mb, LIMITS, Timestamp::now()).await.unwrap();
    assert_eq!((again.fetched, again.stored, again.duplicates), (2, 0, 2));
    assert_eq!(app.snapshot().await, before);
    let (_, list) = admin.get("/api/v1/mailboxes").await;
    assert_eq!(list[0]["last_error"], serde_json::Value::Null);

    // 6. Two instances polling the same mailbox at the same moment store each message once.
    let tickets_before = app.count("tickets").await;
    for i in 0..5 {
        let raw = format!(
            "From: <{customer}>\r\nTo: <{support}>\r\nSubject: Sprawa {i}\r\nMessage-ID: <e2e-par{i}.{id}@hotel.test>\r\n\
             Date: Thu, 03 Dec 2026 12:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTreść {i}\r\n"
        );
        deskbell_mailnet::send(&servers.smtp(), &customer, std::slice::from_ref(&support), raw.as_bytes())
            .await
            .unwrap();
    }
    fetch_until(&servers.imap(&support), None, 0, 7).await;
    let (a, b) = tokio::join!(
        poller::poll_once(&app.store, &mb, LIMITS, Timestamp::now()),
        poller::poll_once(&app.store, &mb, LIMITS, Timestamp::now())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.stored + b.stored, a.quarantined + b.quarantined), (5, 0), "{a:?} {b:?}");
    assert_eq!(app.count("mail_quarantine").await, 0);
    assert_eq!(app.count("tickets").await, tickets_before + 5);
    assert_eq!(app.db(move |tx| mail::register_rows(tx, id).unwrap().len()).await, 7);
}

/// The sender against a server that refuses a recipient for good (kept as failed, never
/// retried) and one that is not there (retried with backoff, then delivered); and a message
/// over the mailbox's limit, quarantined after fetching only its beginning.
async fn refused_and_unreachable_deliveries_and_oversized_mail_are_handled(app: TestApp) {
    let Some(servers) = servers() else { return };
    let support = servers.new_mailbox("support");
    let customer = servers.new_mailbox("customer");
    let mut admin = app.login("admin@vendor.test").await;
    for (email, name) in [(customer.as_str(), "Recepcja"), ("nobody-here@deskbell.test", "Nikt")] {
        let (s, p) = admin
            .post(
                "/api/v1/people",
                &json!({"email": email, "name": name, "role": "customer_user", "organisation_id": app.world.rozy}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let body = |smtp_port: u16, max: i64| {
        json!({"name": "e2e", "address": support,
               "imap": {"host": "127.0.0.1", "port": servers.imap_port(), "security": "plain",
                        "user": support, "password": servers.password()},
               "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "plain"},
               "max_message_bytes": max})
    };
    let (s, m) = admin.post("/api/v1/mailboxes", &body(servers.smtp_port(), 4096)).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();

    // A ticket for a person whose mailbox does not exist: Postfix refuses it (550).
    let nobody = app
        .db(|tx| {
            deskbell_store::people::by_email(tx, &"nobody-here@deskbell.test".parse().unwrap()).unwrap().unwrap().id
        })
        .await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, t) = agent
        .post("/api/v1/tickets", &json!({"subject": "Telefon", "body": "Zgłoszenie telefoniczne", "priority": "standard", "requester_id": nobody}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let now = Timestamp::now();
    assert_eq!(sender::run_once(&app.store, "https://desk.example", now).await.unwrap(), 0);
    let row = app.db(|tx| mail::outbox_recent(tx, 1).unwrap().remove(0)).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1), "{row:?}");
    assert!(row.last_error.as_deref().unwrap_or_default().contains("550"), "{row:?}");
    assert_eq!(
        sender::run_once(&app.store, "https://desk.example", now + jiff::SignedDuration::from_hours(1)).await.unwrap(),
        0
    );

    // The SMTP server is unreachable: the "received" for the customer waits and is retried.
    let (s, m) = admin.patch(&format!("/api/v1/mailboxes/{id}"), &body(closed, 4096)).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let customer_id = app
        .db({
            let c = customer.clone();
            move |tx| deskbell_store::people::by_email(tx, &c.parse().unwrap()).unwrap().unwrap().id
        })
        .await;
    let (s, _) = agent
        .post("/api/v1/tickets", &json!({"subject": "Faktura", "body": "Nie da się wystawić faktury", "priority": "standard", "requester_id": customer_id}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let now = Timestamp::now();
    assert_eq!(sender::run_once(&app.store, "https://desk.example", now).await.unwrap(), 0);
    let row = app.db(|tx| mail::outbox_recent(tx, 1).unwrap().remove(0)).await;
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1), "{row:?}");
    let expected = Timestamp::from_microsecond((now + sender::backoff(1)).as_microsecond()).unwrap();
    assert_eq!(row.next_attempt_at, expected, "first retry a minute later (stored to the microsecond)");
    assert_eq!(sender::run_once(&app.store, "https://desk.example", now).await.unwrap(), 0, "not before its time");
    let (s, _) = admin.patch(&format!("/api/v1/mailboxes/{id}"), &body(servers.smtp_port(), 4096)).await;
    assert_eq!(s, StatusCode::OK);
    let later = now + jiff::SignedDuration::from_mins(2);
    assert_eq!(sender::run_once(&app.store, "https://desk.example", later).await.unwrap(), 1);
    let batch = fetch_until(&servers.imap(&customer), None, 0, 1).await;
    let got = deskbell_mail::parse(&batch.messages[0].raw, &deskbell_mail::Limits::default()).unwrap();
    assert_eq!(Some(row.message_id.clone()), got.message_id, "the retry sent the message queued at first");

    // 10 KB against a 4 KB limit: quarantined from its first bytes, with the real size.
    let big = format!(
        "From: <{customer}>\r\nTo: <{support}>\r\nSubject: Zrzuty ekranu\r\nMessage-ID: <e2e-big.{id}@hotel.test>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        "zrzut ".repeat(1700)
    );
    deskbell_mailnet::send(&servers.smtp(), &customer, std::slice::from_ref(&support), big.as_bytes()).await.unwrap();
    fetch_until(&servers.imap(&support), None, 0, 1).await;
    let mb = app.db(move |tx| mail::mailbox(tx, id).unwrap()).await;
    let pass = poller::poll_once(&app.store, &mb, LIMITS, Timestamp::now()).await.unwrap();
    assert_eq!((pass.fetched, pass.quarantined), (1, 1));
    let (_, list) = admin.get("/api/v1/mail/quarantine").await;
    let reason = list[0]["reason"].as_str().unwrap();
    assert!(reason.contains("over the limit of 4096 bytes") && reason.contains("first 4097 bytes"), "{reason}");
    assert!(list[0]["headers_preview"].as_str().unwrap().contains("Subject: Zrzuty ekranu"));
    // The checkpoint moved past it: the mailbox is not stuck.
    let again = poller::poll_once(&app.store, &mb, LIMITS, Timestamp::now()).await.unwrap();
    assert_eq!(again.fetched, 0);
}
