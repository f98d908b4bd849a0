//! The agent workspace's pages from the outside: logged in through the real login form, forms
//! posted as a browser posts them, on SQLite and PostgreSQL.

use deskbell_domain::sla::penalty::OverrunBasis;
use deskbell_domain::ticket::Priority;
use deskbell_store::sla::{self, ContractInput, Target};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both_backends;
use crate::browser::{Browser, Page, field_value};
use crate::support::{PASSWORD, TestApp, checks, open_ticket};

/// 24/7 for the Pod Różami hotel's PremiumHotel: critical 15 min / 2 h, fault 1 h / 8 h.
pub async fn around_the_clock(app: &TestApp) {
    let input = ContractInput {
        organisation_id: app.world.rozy,
        name: "PremiumHotel 24/7".into(),
        valid_from: "2020-01-01".into(),
        valid_to: None,
        product_ids: vec![app.world.premium],
        calendar_id: 2,
        warning_percent: 80,
        monthly_fee_minor: 400_000,
        penalty_basis: OverrunBasis::Clock,
        penalty_cap_minor: None,
        targets: vec![
            Target {
                priority: Priority::Critical,
                first_response_secs: Some(15 * 60),
                resolution_secs: Some(2 * 3600),
                calendar_id: None,
                penalty: None,
            },
            Target {
                priority: Priority::Fault,
                first_response_secs: Some(3600),
                resolution_secs: Some(8 * 3600),
                calendar_id: None,
                penalty: None,
            },
        ],
    };
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || {
        store.write(|tx| sla::create_contract(tx, &input, jiff::Timestamp::from_second(1_577_836_800).expect("ts")))
    })
    .await
    .expect("join")
    .expect("contract");
}

fn row_order(html: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for part in html.split("<tr data-row-link").skip(1) {
        if let Some(i) = part.find("href=\"/agent/tickets/") {
            let rest = &part[i + "href=\"/agent/tickets/".len()..];
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            out.push(n.parse().expect("number"));
        }
    }
    out
}

async fn customer_ticket(app: &TestApp, subject: &str, priority: &str, product: i64) -> i64 {
    let mut c = app.login("recepcja@pod-rozami.test").await;
    open_ticket(
        &mut c,
        json!({"subject": subject, "body": "Opis problemu", "priority": priority, "product_id": product,
                "local_it_checks": checks()}),
    )
    .await
}

async fn queues_sort_by_the_nearest_deadline_and_filter(app: TestApp) {
    app.without_routing().await;
    around_the_clock(&app).await;
    let fault = customer_ticket(&app, "Nie drukują się rachunki", "fault", app.world.premium).await;
    let critical = customer_ticket(&app, "Recepcja nie może zameldować gości", "critical", app.world.premium).await;
    let unclocked = customer_ticket(&app, "Pytanie o raport Kuracjusz", "standard", app.world.kuracjusz).await;
    let agent = Browser::login(&app, "agent@vendor.test").await;

    let Page { status, body: html, .. } = agent.get("/agent?queue=at_risk").await;
    assert_eq!(status, StatusCode::OK);
    // The critical one is due in 15 minutes, the fault in an hour; the unclocked one is not at risk.
    assert_eq!(row_order(&html), vec![critical, fault], "{html}");
    assert!(html.contains("data-clock-state=\"running\""), "a running clock is shown");

    let Page { body: html, .. } = agent.get("/agent").await;
    assert_eq!(row_order(&html), vec![critical, fault, unclocked], "all open: clocked first, by deadline");
    assert!(html.contains("bez umowy SLA"), "the unclocked ticket says so (in Polish by default)");

    let Page { body: html, .. } = agent.get("/agent?priority=critical").await;
    assert_eq!(row_order(&html), vec![critical]);
    let Page { body: html, .. } = agent.get("/agent?q=zameldowac").await;
    assert_eq!(row_order(&html), vec![critical], "search folds Polish letters");
    let Page { body: html, .. } = agent.get("/agent?org=rozami").await;
    assert_eq!(row_order(&html).len(), 3);
    let Page { body: html, .. } = agent.get("/agent?org=zdroj").await;
    assert!(row_order(&html).is_empty(), "another organisation's filter shows none of them");
    let Page { body: html, .. } = agent.get("/agent?queue=mine").await;
    assert!(row_order(&html).is_empty());

    // Assign one to me: it moves to "mine" and out of "unassigned".
    let Page { body: page, .. } = agent.get(&format!("/agent/tickets/{fault}")).await;
    let version = field_value(&page, "version").expect("version");
    let res = agent.post(&format!("/agent/tickets/{fault}/assign-me"), &[("version", &version)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let Page { body: html, .. } = agent.get("/agent?queue=mine").await;
    assert_eq!(row_order(&html), vec![fault]);
    let Page { body: html, .. } = agent.get("/agent?queue=unassigned").await;
    assert_eq!(row_order(&html), vec![critical, unclocked]);
    let Page { body: html, .. } = agent.get("/agent?queue=team").await;
    assert!(row_order(&html).is_empty(), "no ticket has the agent's team yet");

    // The refresh fragment marks what changed since the last look.
    let Page { status, body: fragment, .. } = agent.get("/agent/queue/rows?queue=mine&since=0").await;
    assert_eq!(status, StatusCode::OK);
    assert!(fragment.starts_with("<div id=\"queue\""), "{fragment}");
    assert!(fragment.contains("class=\"fresh\""));
    assert!(!fragment.contains("<html"), "a fragment, not a page");

    let Page { status, body: html, .. } = agent.get("/agent?queue=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Nieprawidłowe dane"), "{html}");

    // Customers have no workspace.
    let customer = Browser::login(&app, "recepcja@pod-rozami.test").await;
    let Page { status, .. } = customer.get("/agent").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_ticket_page_replies_notes_and_reclassifies(app: TestApp) {
    around_the_clock(&app).await;
    let n = customer_ticket(&app, "Kasa nie drukuje paragonów", "critical", app.world.premium).await;
    let agent = Browser::login(&app, "agent@vendor.test").await;
    let Page { status, body: page, .. } = agent.get(&format!("/agent/tickets/{n}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Pierwsza odpowiedź") && page.contains("Rozwiązanie"), "both clocks");
    assert!(page.contains("clock running"), "running clocks");
    assert!(page.contains("Sprawdzenia lokalnego IT"), "the customer's checks are shown");

    // An internal note: on the agent's page, never in the customer's view.
    let form = Form::new().text("kind", "internal_note").text("body", "Sprawdzić logi serwera fiskalnego");
    let res = agent.upload(&format!("/agent/tickets/{n}/articles"), form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let customer = app.login("recepcja@pod-rozami.test").await;
    let (_, articles) = customer.get(&format!("/api/v1/tickets/{n}/articles")).await;
    assert!(!articles.to_string().contains("serwera fiskalnego"));

    // A reply with an image, then waiting for the customer, in one go.
    let png =
        Part::bytes(b"\x89PNG\r\n\x1a\nfake".to_vec()).file_name("zrzut.png").mime_str("image/png").expect("mime");
    let form = Form::new()
        .text("kind", "public_reply")
        .text("body", "Proszę zrestartować drukarkę fiskalną.")
        .text("then_status", "waiting_for_customer")
        .part("attachments", png);
    let res = agent.upload(&format!("/agent/tickets/{n}/articles"), form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location.clone().unwrap_or_default().starts_with(&format!("/agent/tickets/{n}#article-")));
    let (_, t) = customer.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["status"], "waiting_for_customer");
    let Page { body: page, .. } = agent.get(&format!("/agent/tickets/{n}")).await;
    assert!(page.contains("<img src=\"/api/v1/attachments/"), "an image preview");
    assert!(page.contains("clock paused"), "waiting for the customer pauses the clocks");
    assert!(page.contains("article internal_note"), "the note is marked as internal");

    // An empty reply is refused next to its field, the choice kept.
    let form = Form::new().text("kind", "phone_call").text("body", "  ").text("phone", "+48 22 111 11 11");
    let res = agent.upload(&format!("/agent/tickets/{n}/articles"), form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.body.clone();
    assert!(html.contains("id=\"body-error\""), "{html}");
    assert!(html.contains("value=\"+48 22 111 11 11\""), "the typed number is kept");

    // A priority change needs its reason; the error sits next to the field.
    let Page { body: page, .. } = agent.get(&format!("/agent/tickets/{n}")).await;
    let version = field_value(&page, "version").expect("version");
    let res = agent
        .post(
            &format!("/agent/tickets/{n}/update"),
            &[("version", &version), ("priority", "fault"), ("priority_reason", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.body.clone();
    assert!(html.contains("id=\"u-reason-error\">Podaj powód zmiany priorytetu"), "in Polish, at its field: {html}");
    let (_, t) = customer.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["priority"], "critical", "nothing changed");
    let res = agent
        .post(
            &format!("/agent/tickets/{n}/update"),
            &[("version", &version), ("priority", "fault"), ("priority_reason", "Sprzedaż działa na drugiej kasie")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let Page { body: page, .. } = agent.get(&format!("/agent/tickets/{n}")).await;
    assert!(page.contains("Sprzedaż działa na drugiej kasie"), "the reason is in the history");
    // The old version is stale now: a second change from the same page is refused.
    let res = agent.post(&format!("/agent/tickets/{n}/update"), &[("version", &version), ("kind", "question")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // An invalid status move changes nothing and says why.
    let Page { body: page, .. } = agent.get(&format!("/agent/tickets/{n}")).await;
    let version = field_value(&page, "version").expect("version");
    let res = agent.post(&format!("/agent/tickets/{n}/status"), &[("version", &version), ("status", "new")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = agent.post(&format!("/agent/tickets/{n}/status"), &[("version", &version), ("status", "resolved")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let (_, t) = customer.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["status"], "resolved");
}

async fn the_phone_form_finds_the_caller_and_makes_one_ticket(app: TestApp) {
    around_the_clock(&app).await;
    let open = customer_ticket(&app, "Awaria rezerwacji online", "critical", app.world.premium).await;
    let agent = Browser::login(&app, "agent@vendor.test").await;
    // The hotel's number as a caller ID shows it, typed with spaces.
    let Page { status, body: html, .. } = agent.get("/agent/phone/lookup?q=22%20111%2011%2011").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Hotel Pod Różami"), "{html}");
    assert!(html.contains("teraz w godzinach obsługi"), "24/7 covers every moment");
    assert!(html.contains(&format!("/agent/tickets/{open}")), "its open incidents");
    // By a person's name, without Polish letters.
    let Page { body: html, .. } = agent.get("/agent/phone/lookup?q=recepcja").await;
    assert!(html.contains("Uzdrowisko Zdrój") && html.contains("Hotel Pod Różami"));
    let Page { body: html, .. } = agent.get("/agent/phone/lookup?q=zdroj").await;
    assert!(html.contains("brak aktywnej umowy SLA"), "no contract, said plainly");

    let Page { body: page, .. } =
        agent.get(&format!("/agent/phone?org={}&contact={}", app.world.rozy, app.world.rozy_user)).await;
    let key = field_value(&page, "form_key").expect("form key");
    let org = app.world.rozy.to_string();
    let contact = app.world.rozy_user.to_string();
    let premium = app.world.premium.to_string();
    let fields = [
        ("form_key", key.as_str()),
        ("org", org.as_str()),
        ("contact", contact.as_str()),
        ("phone", "+48 22 111 11 11"),
        ("direction", "inbound"),
        ("duration", "7"),
        ("subject", "Nie działa terminal płatniczy"),
        ("body", "Klient dzwoni z recepcji."),
        ("kind", "incident"),
        ("priority", "fault"),
        ("product", premium.as_str()),
        ("assign_me", "1"),
    ];
    let before = app.count("tickets").await;
    let first = agent.post("/agent/phone", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    // The same form sent again (a double click) leads to the same ticket.
    let second = agent.post("/agent/phone", &fields).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location.clone().unwrap_or_default(), second.location.clone().unwrap_or_default());
    assert_eq!(app.count("tickets").await, before + 1);
    let n: i64 =
        first.location.clone().unwrap_or_default().rsplit('/').next().and_then(|s| s.parse().ok()).expect("number");
    let api = app.login("agent@vendor.test").await;
    let (_, t) = api.get(&format!("/api/v1/tickets/{n}")).await;
    assert_eq!(t["channel"], "phone");
    assert_eq!(t["assignee_id"], app.world.agent);
    let (_, articles) = api.get(&format!("/api/v1/tickets/{n}/articles")).await;
    let call = &articles[0]["call"];
    assert_eq!(call["number"], "+48 22 111 11 11");
    assert_eq!(call["duration_secs"], 420);

    // Without a subject: refused next to the field, the notes kept, nothing stored.
    let mut fields2 = fields.to_vec();
    fields2[0] = ("form_key", "another-key");
    fields2[6] = ("subject", "");
    let res = agent.post("/agent/phone", &fields2).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.body.clone();
    assert!(html.contains("id=\"subject-error\"") && html.contains("Klient dzwoni z recepcji."));
    assert_eq!(app.count("tickets").await, before + 1);
}

async fn forms_need_their_token_and_an_expired_session_comes_back(app: TestApp) {
    around_the_clock(&app).await;
    let n = customer_ticket(&app, "Brak połączenia z bazą", "fault", app.world.premium).await;
    let agent = Browser::login(&app, "agent@vendor.test").await;
    let Page { body: page, .. } = agent.get(&format!("/agent/tickets/{n}")).await;
    let version = field_value(&page, "version").expect("version");
    let before = app.snapshot().await;
    // No token, or another one: refused, nothing written.
    let res = agent
        .http
        .post(format!("{}/agent/tickets/{n}/assign-me", agent.base))
        .form(&[("version", version.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = agent
        .http
        .post(format!("{}/agent/tickets/{n}/articles?_csrf=forged", agent.base))
        .multipart(Form::new().text("kind", "public_reply").text("body", "x"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);

    // Pages carry a Content-Security-Policy without inline script, and no inline script.
    let res = agent.http.get(format!("{}/agent/tickets/{n}", agent.base)).send().await.expect("get");
    let csp = res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.expect("body");
    assert_eq!(html.matches("<script").count(), html.matches("<script src=\"/assets/").count(), "only our own files");

    // Logged out (or the session ran out): the page sends to the login and back.
    let stranger = Browser::new(&app);
    let res = stranger.http.get(format!("{}/agent/tickets/{n}", stranger.base)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(to, format!("/login?expired=1&next=/agent/tickets/{n}"));
    stranger.get(&to).await;
    let res = stranger
        .post(
            "/login",
            &[("email", "agent@vendor.test"), ("password", PASSWORD), ("next", &format!("/agent/tickets/{n}"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location.clone().unwrap_or_default(), format!("/agent/tickets/{n}"));
    // A wrong password: the form again, the address kept, said in the page's language.
    let other = Browser::new(&app);
    let _ = other.get("/login").await;
    let res = other.post("/login", &[("email", "agent@vendor.test"), ("password", "wrong")]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let html = res.body.clone();
    assert!(html.contains("Nieprawidłowy adres e-mail lub hasło") && html.contains("value=\"agent@vendor.test\""));
    // Never sent off-site after logging in.
    let res = other
        .post("/login", &[("email", "agent@vendor.test"), ("password", PASSWORD), ("next", "//evil.example/")])
        .await;
    assert_eq!(res.location.clone().unwrap_or_default(), "/agent");
}

async fn the_workspace_speaks_english_when_asked(app: TestApp) {
    let agent = Browser::login(&app, "agent@vendor.test").await;
    let Page { body: html, .. } = agent.get("/agent").await;
    assert!(html.contains("Wszystkie otwarte") && html.contains("<html lang=\"pl\">"));
    let res = agent.post("/language", &[("lang", "en"), ("next", "/agent")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let Page { body: html, .. } = agent.get("/agent").await;
    assert!(html.contains("All open") && html.contains("<html lang=\"en\">"), "{html}");
    // It is the person's choice: a new session keeps it.
    let again = Browser::login(&app, "agent@vendor.test").await;
    let Page { body: html, .. } = again.get("/agent/phone").await;
    assert!(html.contains("Who is calling?"));
    let res = again.post("/language", &[("lang", "de"), ("next", "/agent")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(
    queues_sort_by_the_nearest_deadline_and_filter,
    the_ticket_page_replies_notes_and_reclassifies,
    the_phone_form_finds_the_caller_and_makes_one_ticket,
    forms_need_their_token_and_an_expired_session_comes_back,
    the_workspace_speaks_english_when_asked,
);
