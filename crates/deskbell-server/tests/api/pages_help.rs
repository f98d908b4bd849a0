//! The help centre's pages from a browser's point of view: logged in through the real login
//! form, forms posted as a browser posts them (URL-encoded, or multipart with the CSRF token
//! in the query), redirects not followed so that each answer can be checked.

use deskbell_domain::person::{Language, Role};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_server::mail::templates::{self, Envelope, Params, Template};
use deskbell_store::mail;
use deskbell_store::people;
use deskbell_store::testing::Backend;
use deskbell_store::tickets::{self, Scope, Ticket};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::browser::{Browser, Page, element_text, field_value, log_in_to};
use crate::support::{PASSWORD, TestApp, checks, open_ticket};

/// Each test gets a backend and starts the app it needs (some with a hand-set clock or a
/// smaller attachment limit); on PostgreSQL only when a server is reachable.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(deskbell_store::testing::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(deskbell_store::testing::Backend::Postgres).await
                }
            )*
        }
    };
}

on_both_backends!(
    a_critical_ticket_with_its_local_it_checks_comes_in_through_the_form,
    missing_checks_are_a_field_error_and_what_was_typed_is_kept,
    a_double_submit_of_one_form_makes_one_ticket,
    an_attachment_over_the_limit_is_refused_and_nothing_is_stored,
    a_customer_user_sees_only_their_own_tickets_and_the_customer_admin_the_organisations,
    a_reply_and_a_confirmation_close_the_ticket_and_a_late_reopen_is_refused,
    the_tracking_link_shows_the_ticket_only_with_its_own_key,
    an_invited_colleague_chooses_a_password_and_logs_in,
    a_customer_admin_deactivates_only_colleagues_of_their_own_organisation,
    a_post_without_the_csrf_token_is_refused_and_changes_nothing,
    a_missing_or_expired_session_goes_to_the_login_and_back,
);

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn(backend).await
}

/// Logs in a customer through the login form, as a person does, and opens the help centre.
async fn log_in_as(app: &TestApp, email: &str, password: &str) -> Browser {
    let (b, p) = log_in_to(app, email, password, "/help").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    b
}

async fn log_in(app: &TestApp, email: &str) -> Browser {
    log_in_as(app, email, PASSWORD).await
}

/// The new-ticket form's fields; `checks` answers the three local-IT questions.
fn ticket_form(key: &str, subject: &str, priority: &str, product: i64, checks: Option<[&str; 3]>) -> Form {
    let mut f = Form::new()
        .text("form_key", key.to_owned())
        .text("subject", subject.to_owned())
        .text("product_id", product.to_string())
        .text("kind", "incident")
        .text("priority", priority.to_owned())
        .text("body", "Od 8:00 recepcja nie wystawia faktur, goście czekają.");
    if let Some([a, b, c]) = checks {
        f = f
            .text("check_other_systems", a.to_owned())
            .text("check_recent_changes", b.to_owned())
            .text("check_network", c.to_owned())
            .text("check_notes", "Administrator zrestartował drukarkę fiskalną.");
    }
    f
}

fn png(name: &str) -> Part {
    let bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake image".to_vec();
    Part::bytes(bytes).file_name(name.to_owned()).mime_str("image/png").expect("mime")
}

/// The form key of a freshly opened new-ticket form.
async fn form_key(b: &mut Browser) -> String {
    let p = b.get("/help/new").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    field_value(&p.body, "form_key").expect("form key")
}

fn created_number(p: &Page) -> i64 {
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location.as_deref().expect("location");
    let rest = to.strip_prefix("/help/tickets/").unwrap_or_else(|| panic!("redirect to {to}"));
    rest.split('?').next().and_then(|n| n.parse().ok()).expect("number")
}

async fn ticket(app: &TestApp, n: i64) -> Ticket {
    app.db(move |tx| tickets::by_number(tx, n, &Scope::All).unwrap()).await
}

pub async fn mailbox(app: &TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, m) = admin
        .post(
            "/api/v1/mailboxes",
            &json!({"name": "wsparcie", "address": "wsparcie@vendor.test", "display_name": "Wsparcie",
                    "smtp": {"host": "127.0.0.1", "port": 2525, "security": "plain"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
}

pub async fn outbox(app: &TestApp) -> Vec<mail::OutboxRow> {
    app.db(|tx| {
        let mut list = mail::outbox_recent(tx, 100).unwrap();
        list.reverse();
        list
    })
    .await
}

/// The parameters of the last queued mail of `template`.
async fn last_mail(app: &TestApp, template: &str, ticket_id: Option<i64>) -> (mail::OutboxRow, Value) {
    let row = outbox(app)
        .await
        .into_iter()
        .rev()
        .find(|r| r.template == template && (ticket_id.is_none() || r.ticket_id == ticket_id))
        .unwrap_or_else(|| panic!("no {template} mail"));
    let params = serde_json::from_str(&row.params).unwrap();
    (row, params)
}

// ---------------------------------------------------------------- the tests

async fn a_critical_ticket_with_its_local_it_checks_comes_in_through_the_form(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let b = log_in(&app, "recepcja@pod-rozami.test").await;
    let p = b.get("/help/new").await;
    assert!(p.has("meldować gości"), "awaria is explained in the seed's words");
    assert!(p.has("Czy inne programy i urządzenia w hotelu działają prawidłowo?"));
    assert!(p.has("data-show-when=\"priority=critical,fault\""), "the checks show for critical and fault");
    assert!(p.has("enctype=\"multipart/form-data\""));
    let key = field_value(&p.body, "form_key").unwrap();

    let form =
        ticket_form(&key, "Nie można wystawić faktury", "critical", app.world.premium, Some(["yes", "no", "yes"]))
            .part("attachments", png("ekran.png"))
            .part(
                "attachments",
                Part::bytes(b"log line".to_vec()).file_name("kasa.log").mime_str("text/plain").unwrap(),
            );
    let n = created_number(&b.upload("/help/new", form).await);

    let t = ticket(&app, n).await;
    assert_eq!(t.channel, Channel::Portal);
    assert_eq!(t.priority, Priority::Critical);
    assert_eq!(t.proposed_priority, Some(Priority::Critical), "the customer's proposal is kept");
    assert_eq!(t.kind, Kind::Incident);
    assert_eq!(t.status, Status::New);
    assert_eq!(t.requester_id, app.world.rozy_user);
    assert_eq!(t.organisation_id, app.world.rozy);
    assert_eq!(t.product_id, Some(app.world.premium));
    let checks: Value = serde_json::from_str(t.local_it_checks.as_deref().unwrap()).unwrap();
    assert_eq!(
        checks,
        json!({"other_systems_work": true, "recent_changes": false, "network_and_servers_work": true,
               "notes": "Administrator zrestartował drukarkę fiskalną."})
    );
    let id = t.id;
    let files = app.db(move |tx| deskbell_store::attachments::for_ticket(tx, id).unwrap()).await;
    let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(names, ["ekran.png", "kasa.log"]);

    // The ticket page: the thread with an image preview through the authorised download,
    // the answers, and no SLA clock.
    let p = b.get(&format!("/help/tickets/{n}?done=created")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Zgłoszenie zostało przyjęte"));
    assert!(p.has("Nie można wystawić faktury"));
    assert!(p.has(&format!("<img src=\"/api/v1/attachments/{}\"", files[0].id)), "{}", p.body);
    assert!(!p.has(&format!("<img src=\"/api/v1/attachments/{}\"", files[1].id)), "a log file is no image");
    assert!(p.has("Administrator zrestartował drukarkę fiskalną."));
    assert!(!p.has("Pierwsza odpowiedź") && !p.has("bez umowy SLA"), "customers see no SLA clock");
    let (s, bytes) = b.get_bytes(&format!("/api/v1/attachments/{}", files[0].id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes.starts_with(b"\x89PNG"));

    // The list: the ticket, with its priority and status.
    let p = b.get("/help").await;
    assert!(p.has(&format!("#{n}")) && p.has("Nie można wystawić faktury"));
    assert!(p.has("awaria") && p.has("nowe"));
}

async fn missing_checks_are_a_field_error_and_what_was_typed_is_kept(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let mut b = log_in(&app, "recepcja@pod-rozami.test").await;
    let key = form_key(&mut b).await;
    let before = app.snapshot().await;

    let p =
        b.upload("/help/new", ticket_form(&key, "Drukarka fiskalna milczy", "fault", app.world.premium, None)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    for field in ["check_other_systems", "check_recent_changes", "check_network"] {
        let msg = element_text(&p.body, &format!("{field}-error")).unwrap_or_else(|| panic!("no error at {field}"));
        assert!(msg.starts_with("Przy awarii i usterce odpowiedz"), "{field}: {msg}");
    }
    assert!(p.has("aria-describedby=\"check_other_systems-error\""));
    assert!(p.has("value=\"Drukarka fiskalna milczy\""), "the subject is kept");
    assert!(p.has("Od 8:00 recepcja nie wystawia faktur, goście czekają.</textarea>"), "the description is kept");
    assert!(p.has("value=\"fault\" required checked"), "the chosen priority is kept");
    assert_eq!(field_value(&p.body, "form_key").as_deref(), Some(key.as_str()), "the same form goes on");
    assert_eq!(app.snapshot().await, before, "nothing was stored");

    // Everything missing: each field says what it needs.
    let p = b.upload("/help/new", Form::new().text("form_key", key.clone())).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(element_text(&p.body, "subject-error").as_deref(), Some("Wpisz temat zgłoszenia."));
    assert_eq!(element_text(&p.body, "priority-error").as_deref(), Some("Wybierz, jak pilna jest sprawa."));
    assert_eq!(element_text(&p.body, "body-error").as_deref(), Some("Opisz problem."));
    assert!(element_text(&p.body, "product_id-error").is_some());
    assert_eq!(app.snapshot().await, before);

    // A standard problem needs no checks; the same form key now makes the ticket.
    let n = created_number(
        &b.upload("/help/new", ticket_form(&key, "Wolne raporty", "standard", app.world.premium, None)).await,
    );
    let t = ticket(&app, n).await;
    assert_eq!((t.priority, t.local_it_checks), (Priority::Standard, None));
}

async fn a_double_submit_of_one_form_makes_one_ticket(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let mut b = log_in(&app, "recepcja@pod-rozami.test").await;
    let key = form_key(&mut b).await;
    let form = || ticket_form(&key, "Nie działa meldowanie", "critical", app.world.premium, Some(["yes", "no", "yes"]));
    let first = created_number(&b.upload("/help/new", form()).await);
    let again = created_number(&b.upload("/help/new", form()).await);
    assert_eq!(first, again, "the second submit finds the first ticket");
    assert_eq!(app.count("tickets").await, 1);

    // Two clicks at once: still one ticket.
    let key = form_key(&mut b).await;
    let url = format!("{}/help/new?_csrf={}", b.base, b.csrf());
    let send = |url: String| {
        let http = b.http.clone();
        let f = ticket_form(
            &key,
            "Nie działa sprzedaż karnetów",
            "critical",
            app.world.premium,
            Some(["yes", "no", "yes"]),
        );
        async move { http.post(url).multipart(f).send().await.unwrap() }
    };
    let (r1, r2) = tokio::join!(send(url.clone()), send(url));
    let locations: Vec<Option<String>> = [r1, r2]
        .iter()
        .map(|r| {
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            r.headers().get("location").map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(locations[0], locations[1]);
    assert_eq!(app.count("tickets").await, 2);

    // Another person's form key is not theirs to reuse.
    let other = log_in(&app, "spa@pod-rozami.test").await;
    let p = other.upload("/help/new", ticket_form(&key, "Cudzy formularz", "standard", app.world.premium, None)).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(p.has("To zgłoszenie jest już wysyłane"));
    assert_eq!(app.count("tickets").await, 2);
}

async fn an_attachment_over_the_limit_is_refused_and_nothing_is_stored(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.attachment_max_bytes = 1024, None).await else { return };
    let b = log_in(&app, "recepcja@pod-rozami.test").await;
    let p = b.get("/help/new").await;
    assert!(p.has("data-max-bytes=\"1024\""), "the browser checks the limit before sending");
    let key = field_value(&p.body, "form_key").unwrap();
    let before = app.snapshot().await;
    let big = Part::bytes(vec![7u8; 4096]).file_name("skan.pdf").mime_str("application/pdf").unwrap();
    let form = ticket_form(&key, "Skan umowy", "standard", app.world.premium, None)
        .part("attachments", png("maly.png"))
        .part("attachments", big);
    let p = b.upload("/help/new", form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let msg = element_text(&p.body, "attachments-error").unwrap();
    assert!(msg.contains("Limit to 1 kB") && msg.contains("skan.pdf") && !msg.contains("maly.png"), "{msg}");
    assert!(p.has("value=\"Skan umowy\""));
    assert_eq!(app.snapshot().await, before, "neither the ticket nor the small file was stored");

    // A reply with a file over the limit: refused, the typed answer kept.
    let mut api = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut api, json!({"subject": "Raport", "body": "x", "priority": "standard"})).await;
    let _ = b.get(&format!("/help/tickets/{n}")).await;
    let before = app.snapshot().await;
    let form = Form::new()
        .text("body", "W załączniku skan.")
        .part("attachments", Part::bytes(vec![1u8; 2048]).file_name("skan2.pdf"));
    let p = b.upload(&format!("/help/tickets/{n}/reply"), form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element_text(&p.body, "reply-files-error").unwrap().contains("skan2.pdf"));
    assert!(p.has("W załączniku skan.</textarea>"));
    assert_eq!(app.snapshot().await, before);
}

async fn a_customer_user_sees_only_their_own_tickets_and_the_customer_admin_the_organisations(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let mut spa = app.login("spa@pod-rozami.test").await;
    let theirs =
        open_ticket(&mut spa, json!({"subject": "Sauna nie rezerwuje", "body": "x", "priority": "standard"})).await;
    let mut agent = app.login("agent@vendor.test").await;
    let (s, _) = agent
        .post(
            &format!("/api/v1/tickets/{theirs}/articles"),
            &json!({"kind": "internal_note", "body": "Klient zalega z płatnością"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = agent
        .post(
            &format!("/api/v1/tickets/{theirs}/articles"),
            &json!({"kind": "public_reply", "body": "Sprawdzamy grafik."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut sopot = app.login("recepcja@sopot.baltyk.test").await;
    let property =
        open_ticket(&mut sopot, json!({"subject": "Sopot: kasa", "body": "x", "priority": "standard"})).await;

    // A colleague's ticket does not exist for a customer user: not in the list, 404 page.
    let recepcja = log_in(&app, "recepcja@pod-rozami.test").await;
    let p = recepcja.get(&format!("/help/tickets/{theirs}")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.has("Nie znaleziono") && !p.has("Sauna"));
    assert!(!recepcja.get("/help").await.has("Sauna nie rezerwuje"));
    assert!(!recepcja.get("/help?view=all").await.has("Sauna nie rezerwuje"), "no switch for a customer user");
    assert_eq!(recepcja.get("/help/tickets/abc").await.status, StatusCode::NOT_FOUND);

    // The customer admin sees it, with the public answer but never the internal note.
    let it = log_in(&app, "it@pod-rozami.test").await;
    let p = it.get(&format!("/help/tickets/{theirs}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Sauna nie rezerwuje") && p.has("Sprawdzamy grafik."));
    assert!(!p.has("zalega"), "internal notes stay internal");
    let mine = it.get("/help").await;
    assert!(!mine.has("Sauna nie rezerwuje"), "the admin's own tickets by default");
    let all = it.get("/help?view=all").await;
    assert!(all.has("Sauna nie rezerwuje") && all.has("spa"), "every ticket of the organisation, with its requester");
    assert!(!all.has("Sopot: kasa"), "another organisation's ticket is not listed");
    assert_eq!(it.get(&format!("/help/tickets/{property}")).await.status, StatusCode::NOT_FOUND);

    // The chain's admin sees its property's ticket, but not the other hotel's.
    let chain = log_in(&app, "it@baltyk.test").await;
    assert_eq!(chain.get(&format!("/help/tickets/{property}")).await.status, StatusCode::OK);
    assert!(chain.get("/help?view=all").await.has("Sopot: kasa"));
    assert_eq!(chain.get(&format!("/help/tickets/{theirs}")).await.status, StatusCode::NOT_FOUND);

    // The help centre is not the agents' place.
    let (_, p) = log_in_to(&app, "agent@vendor.test", PASSWORD, "/help/new").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

async fn a_reply_and_a_confirmation_close_the_ticket_and_a_late_reopen_is_refused(backend: Backend) {
    let start: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    let Some(app) = TestApp::spawn_at(backend, start).await else { return };
    let clock = app.clock.clone().unwrap();
    let mut api = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut api,
        json!({"subject": "Nie drukuje paragonów", "body": "x", "priority": "fault", "local_it_checks": checks()}),
    )
    .await;
    let b = log_in(&app, "recepcja@pod-rozami.test").await;
    let p = b.get(&format!("/help/tickets/{n}")).await;
    assert!(p.has("id=\"reply-body\"") && p.has(&format!("/help/tickets/{n}/reply?_csrf=")));
    assert!(!p.has("Potwierdzam rozwiązanie"), "nothing to confirm before a solution");

    // A reply with a screenshot.
    let form = Form::new().text("body", "Drukarka pokazuje błąd E3.").part("attachments", png("e3.png"));
    let p = b.upload(&format!("/help/tickets/{n}/reply"), form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some(format!("/help/tickets/{n}?done=replied#reply").as_str()));
    let p = b.get(&format!("/help/tickets/{n}?done=replied")).await;
    assert!(p.has("Drukarka pokazuje błąd E3.") && p.has("e3.png"));
    let id = ticket(&app, n).await.id;
    let articles = app.db(move |tx| tickets::articles(tx, id, true).unwrap()).await;
    assert_eq!(articles.len(), 2);
    assert_eq!(articles[1].author_id, Some(app.world.rozy_user));
    assert_eq!(articles[1].attachments.len(), 1);

    // Support resolves; the customer confirms.
    let mut agent = app.login("agent@vendor.test").await;
    let (s, _) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "resolved"})).await;
    assert_eq!(s, StatusCode::OK);
    let p = b.get(&format!("/help/tickets/{n}")).await;
    assert!(p.has("Potwierdzam rozwiązanie") && p.has("otwórz ponownie"));
    let p = b.post(&format!("/help/tickets/{n}/status"), &[("to", "closed")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(ticket(&app, n).await.status, Status::Closed);
    let p = b.get(&format!("/help/tickets/{n}?done=closed")).await;
    assert!(p.has("Zgłoszenie jest zamknięte") && !p.has("id=\"reply-body\""));
    // A closed ticket takes no more answers.
    let p = b.upload(&format!("/help/tickets/{n}/reply"), Form::new().text("body", "Jeszcze jedno")).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.has("To zgłoszenie jest zamknięte."));

    // Another ticket: reopened in time with what still does not work…
    let m = open_ticket(&mut api, json!({"subject": "Raport dobowy", "body": "x", "priority": "standard"})).await;
    let (s, _) = agent.post(&format!("/api/v1/tickets/{m}/transitions"), &json!({"status": "resolved"})).await;
    assert_eq!(s, StatusCode::OK);
    let p = b.get(&format!("/help/tickets/{m}")).await;
    assert!(p.has("Ponowne otwarcie jest możliwe do 09.03.2026 10:00"), "the deadline in the hotel's time zone");
    let p = b.post(&format!("/help/tickets/{m}/status"), &[("to", "open"), ("comment", "Raport nadal pusty.")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = ticket(&app, m).await;
    assert_eq!(t.status, Status::Open);
    let articles = app.db(move |tx| tickets::articles(tx, t.id, false).unwrap()).await;
    assert_eq!(articles.last().unwrap().body, "Raport nadal pusty.");

    // …and once more resolved, too late: refused clearly, nothing changes.
    let (s, _) = agent.post(&format!("/api/v1/tickets/{m}/transitions"), &json!({"status": "resolved"})).await;
    assert_eq!(s, StatusCode::OK);
    clock.set(start + SignedDuration::from_hours(24 * 8));
    let p = b.get(&format!("/help/tickets/{m}")).await;
    assert!(p.has("Termin ponownego otwarcia minął"), "{}", p.body);
    let before = app.snapshot().await;
    let p = b.post(&format!("/help/tickets/{m}/status"), &[("to", "open"), ("comment", "Znowu.")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert_eq!(
        element_text(&p.body, "status-error").as_deref(),
        Some("Rozwiązanie można odrzucić w ciągu 7 dni. Ten termin minął — załóż nowe zgłoszenie.")
    );
    assert_eq!(app.snapshot().await, before);
    assert_eq!(ticket(&app, m).await.status, Status::Resolved);
    // Confirming is still possible.
    let p = b.post(&format!("/help/tickets/{m}/status"), &[("to", "closed")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

async fn the_tracking_link_shows_the_ticket_only_with_its_own_key(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    mailbox(&app).await;
    let mut b = log_in(&app, "recepcja@pod-rozami.test").await;
    let key = form_key(&mut b).await;
    let n = created_number(
        &b.upload("/help/new", ticket_form(&key, "Brak połączenia z kasą", "standard", app.world.premium, None)).await,
    );
    let key2 = form_key(&mut b).await;
    let m = created_number(
        &b.upload("/help/new", ticket_form(&key2, "Inny problem", "standard", app.world.premium, None)).await,
    );
    let (t, t2) = (ticket(&app, n).await, ticket(&app, m).await);
    let (_, params) = last_mail(&app, "received", Some(t.id)).await;
    let secret = params["tracking_key"].as_str().unwrap().to_owned();
    let (_, params) = last_mail(&app, "received", Some(t2.id)).await;
    let other_secret = params["tracking_key"].as_str().unwrap().to_owned();

    let mut agent = app.login("agent@vendor.test").await;
    let (s, _) = agent
        .post(
            &format!("/api/v1/tickets/{n}/articles"),
            &json!({"kind": "internal_note", "body": "Notatka tylko dla nas"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let form = Form::new()
        .text("data", json!({"kind": "public_reply", "body": "Proszę sprawdzić kabel."}).to_string())
        .part("attachments", png("kabel.png"));
    let (s, reply) = agent.post_multipart(&format!("/api/v1/tickets/{n}/articles"), form).await;
    assert_eq!(s, StatusCode::CREATED, "{reply}");
    let file = reply["article"]["attachments"][0]["id"].as_i64().unwrap();

    let anon = Browser::new(&app);
    let p = anon.get(&format!("/track/{n}?key={secret}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.has("Brak połączenia z kasą") && p.has("Proszę sprawdzić kabel."));
    assert!(p.has("badge status-open\">otwarte"), "the status");
    assert!(!p.has("Notatka tylko dla nas"), "no internal note on the tracking page");
    assert!(!p.has("id=\"reply-body\"") && !p.has("Potwierdzam"), "read-only");
    let link = format!("/track/{n}/attachments/{file}?key={secret}");
    assert!(p.has(&format!("<img src=\"{link}\"")), "{}", p.body);
    let (s, bytes) = anon.get_bytes(&link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes.starts_with(b"\x89PNG"));
    assert_eq!(
        anon.get_bytes(&format!("/track/{n}/attachments/{file}?key={other_secret}")).await.0,
        StatusCode::NOT_FOUND
    );

    // Without the key, with another ticket's key, with the key under another number, or for
    // a number nobody has: the same plain "not found".
    let missing = anon.get("/track/999999?key=whatever").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for path in [
        format!("/track/{n}"),
        format!("/track/{n}?key="),
        format!("/track/{n}?key={other_secret}"),
        format!("/track/{m}?key={secret}"),
        format!("/track/999999?key={secret}"),
        format!("/track/abc?key={secret}"),
    ] {
        let p = anon.get(&path).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!p.has("Brak połączenia") && !p.has("Inny problem"), "{path}");
        assert_eq!(p.body.replace(&path, ""), missing.body.replace("/track/999999?key=whatever", ""), "{path}");
    }

    // Resolved: the link of either mail confirms the solution without an account, once, and
    // only for its own ticket.
    let (s, _) = agent.post(&format!("/api/v1/tickets/{n}/transitions"), &json!({"status": "resolved"})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, params) = last_mail(&app, "resolved", Some(t.id)).await;
    let resolved_secret = params["tracking_key"].as_str().unwrap().to_owned();
    let p = anon.get(&format!("/track/{n}?key={secret}")).await;
    assert_eq!(p.status, StatusCode::OK, "the first mail's link still works");
    let action = format!("/track/{n}/confirm?key={resolved_secret}");
    assert!(p.has("Potwierdzam rozwiązanie"));
    let wrong = anon.post(&format!("/track/{m}/confirm?key={resolved_secret}"), &[]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "another ticket's number");
    let forged = anon.post_raw(&action, &[("_csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(ticket(&app, n).await.status, Status::Resolved, "nothing changed yet");
    let done = anon.post(&action, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(ticket(&app, n).await.status, Status::Closed);
    let p = anon.get(done.location.as_deref().unwrap()).await;
    assert!(p.has("Dziękujemy za potwierdzenie") && !p.has("Potwierdzam rozwiązanie"));
    let again = anon.post(&action, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a closed ticket cannot be confirmed again");
}

async fn an_invited_colleague_chooses_a_password_and_logs_in(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    mailbox(&app).await;
    let it = log_in(&app, "it@pod-rozami.test").await;
    let p = it.get("/help/users").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("recepcja@pod-rozami.test") && p.has("spa@pod-rozami.test"));
    assert!(!p.has("recepcja@zdroj.test") && !p.has("agent@vendor.test"), "only the organisation's people");

    // A bad address is a field error, the name kept.
    let p = it.post("/help/users", &[("name", "Anna Nowak"), ("email", "anna@"), ("language", "en")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(element_text(&p.body, "email-error").as_deref(), Some("Wpisz poprawny adres e-mail."));
    assert!(p.has("value=\"Anna Nowak\""));
    // An address of another organisation's person is refused without saying whose it is.
    let p = it.post("/help/users", &[("name", "Ktoś"), ("email", "recepcja@zdroj.test")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!p.has("Zdrój"));

    let p = it
        .post("/help/users", &[("name", "Anna Nowak"), ("email", "Anna.Nowak@pod-rozami.test"), ("language", "en")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let anna =
        app.db(|tx| people::by_email(tx, &"anna.nowak@pod-rozami.test".parse().unwrap()).unwrap().unwrap()).await;
    assert_eq!((anna.role, anna.organisation_id, anna.active), (Role::CustomerUser, Some(app.world.rozy), true));
    assert_eq!(anna.language, Language::En);
    let id = anna.id;
    assert_eq!(app.db(move |tx| people::password_hash(tx, id).unwrap()).await, None);
    let p = it.get(p.location.as_deref().unwrap()).await;
    assert!(p.has("Wysłaliśmy zaproszenie do: Anna Nowak.") && p.has("zaproszony"));

    // The mail: in the invitee's language, to them, with the link.
    let (row, params) = last_mail(&app, "invitation", None).await;
    assert_eq!((row.language.as_str(), row.recipients.clone()), ("en", vec!["anna.nowak@pod-rozami.test".to_owned()]));
    let token = params["invite_token"].as_str().unwrap().to_owned();
    let p: Params = serde_json::from_value(params).unwrap();
    let env = Envelope {
        message_id: "x@vendor.test",
        from: deskbell_mail::Address::new("wsparcie@vendor.test"),
        base_url: "https://desk.example/",
        date: Timestamp::now(),
    };
    let out = templates::render(Template::Invitation, Language::En, &p, &env);
    assert!(out.text.contains(&format!("https://desk.example/invite/{token}")), "{}", out.text);
    assert!(out.text.contains("Hotel Pod Różami") && out.text.contains("valid for 7 days"));

    // The invitee's page, in their language; two different passwords are refused.
    let anna_b = Browser::new(&app);
    let p = anna_b.get(&format!("/invite/{token}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Welcome, Anna Nowak!"), "{}", p.body);
    let path = format!("/invite/{token}");
    let p = anna_b.post(&path, &[("password", "zielona herbata"), ("password2", "zielona kawa")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(element_text(&p.body, "password2-error").as_deref(), Some("The passwords differ."));
    let p = anna_b.post(&path, &[("password", "zielona herbata"), ("password2", "zielona herbata")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/help"));
    let p = anna_b.get("/help").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Logged in as Anna Nowak"), "logged in at once");
    // The link works once.
    let again = Browser::new(&app);
    assert_eq!(again.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(again.post(&path, &[("password", "x1234"), ("password2", "x1234")]).await.status, StatusCode::NOT_FOUND);
    // And the password logs in through the login form.
    let fresh = log_in_as(&app, "anna.nowak@pod-rozami.test", "zielona herbata").await;
    assert!(fresh.get("/help").await.has("Anna Nowak"));
    assert!(!it.get("/help/users").await.has("zaproszony"), "no longer pending");
}

async fn a_customer_admin_deactivates_only_colleagues_of_their_own_organisation(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let rozy_user = app.world.rozy_user;
    let active = |id: i64| app.db(move |tx| people::get(tx, id).unwrap().active);

    // Another organisation's admin: "not found", nothing changes.
    let chain = log_in(&app, "it@baltyk.test").await;
    let _ = chain.get("/help/users").await;
    let p = chain.post(&format!("/help/users/{rozy_user}/active"), &[("active", "false")]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(active(rozy_user).await);
    let p = chain.post(&format!("/help/users/{}/active", app.world.agent), &[("active", "false")]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "never the vendor's staff");
    assert!(active(app.world.agent).await);
    // The chain's admin does manage its property's people.
    assert!(chain.get("/help/users").await.has("recepcja@sopot.baltyk.test"));

    // A customer user has no users page.
    let spa = log_in(&app, "spa@pod-rozami.test").await;
    assert_eq!(spa.get("/help/users").await.status, StatusCode::FORBIDDEN);
    let p = spa.post(&format!("/help/users/{rozy_user}/active"), &[("active", "false")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(active(rozy_user).await);

    // The organisation's admin: never themselves…
    let it = log_in(&app, "it@pod-rozami.test").await;
    let _ = it.get("/help/users").await;
    let p = it.post(&format!("/help/users/{}/active", app.world.rozy_admin), &[("active", "false")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(element_text(&p.body, "list-error").as_deref(), Some("Nie możesz dezaktywować własnego konta."));
    assert!(active(app.world.rozy_admin).await);

    // …but a colleague: logged out at once, cannot log in, until reactivated.
    let recepcja = log_in(&app, "recepcja@pod-rozami.test").await;
    let p = it.post(&format!("/help/users/{rozy_user}/active"), &[("active", "false")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(!active(rozy_user).await);
    assert!(it.get(p.location.as_deref().unwrap()).await.has("recepcja nie może się już logować."));
    let p = recepcja.get("/help").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "the session ended");
    let b = Browser::new(&app);
    let _ = b.get("/login").await;
    let p = b.post("/login", &[("email", "recepcja@pod-rozami.test"), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    let p = it.post(&format!("/help/users/{rozy_user}/active"), &[("active", "true")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(active(rozy_user).await);
    log_in(&app, "recepcja@pod-rozami.test").await;

    // No mailbox can send here: the admin is given the link to pass on, and may ask for a
    // new one until the colleague has chosen a password.
    let p = it.post("/help/users", &[("name", "Jan Kowalski"), ("email", "jan@pod-rozami.test")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.has("Konto dla: Jan Kowalski zostało utworzone.") && p.has("Przekaż ten link osobiście"));
    let link =
        field_value(&p.body.replace("id=\"invite-link\" type=\"text\" readonly", "name=\"link\""), "link").unwrap();
    assert!(link.starts_with("http://127.0.0.1:8080/invite/"), "{link}");
    let jan = app.db(|tx| people::by_email(tx, &"jan@pod-rozami.test".parse().unwrap()).unwrap().unwrap()).await;
    let p = it.post(&format!("/help/users/{}/invitation", jan.id), &[]).await;
    assert_eq!(p.status, StatusCode::OK);
    let second =
        field_value(&p.body.replace("id=\"invite-link\" type=\"text\" readonly", "name=\"link\""), "link").unwrap();
    assert_ne!(second, link, "a new link");
    let jan_b = Browser::new(&app);
    let path = second.trim_start_matches("http://127.0.0.1:8080").to_owned();
    assert!(jan_b.get(&path).await.has("Witaj, Jan Kowalski!"), "Polish for a Polish invitee");
    let p = jan_b.post(&path, &[("password", "abc"), ("password2", "abc")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "too short");
    assert_eq!(element_text(&p.body, "password-error").as_deref(), Some("Hasło musi mieć od 4 do 1024 znaków."));
    let p = jan_b.post(&path, &[("password", "kawa z mlekiem"), ("password2", "kawa z mlekiem")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = it.post(&format!("/help/users/{}/invitation", jan.id), &[]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert_eq!(element_text(&p.body, "list-error").as_deref(), Some("Ta osoba już ustawiła hasło."));
    // Another organisation's admin cannot send one either.
    let p = chain.post(&format!("/help/users/{}/invitation", jan.id), &[]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let mut b = log_in(&app, "recepcja@pod-rozami.test").await;
    let key = form_key(&mut b).await;
    let before = app.snapshot().await;
    let form = || ticket_form(&key, "Bez tokenu", "critical", app.world.premium, Some(["yes", "no", "yes"]));
    let p = b.upload_as_is("/help/new", form()).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.has("Formularz wygasł"));
    let p = b.upload_as_is("/help/new?_csrf=wrong", form()).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);

    let mut api = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(&mut api, json!({"subject": "Raport", "body": "x", "priority": "standard"})).await;
    let before = app.snapshot().await;
    let p = b.post_raw(&format!("/help/tickets/{n}/status"), &[("to", "closed")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.upload_as_is(&format!("/help/tickets/{n}/reply"), Form::new().text("body", "x")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);

    let it = log_in(&app, "it@pod-rozami.test").await;
    let p = it.post_raw(&format!("/help/users/{}/active", app.world.rozy_user), &[("active", "false")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = it.post_raw("/help/users", &[("name", "X"), ("email", "x@pod-rozami.test")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);
    let rozy_user = app.world.rozy_user;
    assert!(app.db(move |tx| people::get(tx, rozy_user).unwrap().active).await);
}

async fn a_missing_or_expired_session_goes_to_the_login_and_back(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let anon = Browser::new(&app);
    let p = anon.get("/help/new").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/login?expired=1&next=/help/new"));

    let b = log_in(&app, "recepcja@pod-rozami.test").await;
    assert_eq!(b.get("/help/new").await.status, StatusCode::OK);
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || store.write(|tx| tx.execute("DELETE FROM sessions", &[])).unwrap())
        .await
        .unwrap();
    let p = b.get("/help/new").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/login?expired=1&next=/help/new"));
    let p = b.get("/login?expired=1&next=/help/new").await;
    assert!(p.has("Sesja wygasła"));
    let p =
        b.post("/login", &[("email", "recepcja@pod-rozami.test"), ("password", PASSWORD), ("next", "/help/new")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/help/new"), "back to the form");
    assert_eq!(b.get("/help/new").await.status, StatusCode::OK);
}
