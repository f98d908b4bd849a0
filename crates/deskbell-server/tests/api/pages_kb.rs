//! The knowledge base, trainings and release notes as pages: the help centre (browse,
//! search, read, vote, deflect while typing a subject), the agents' editor and the ticket
//! page's panel, the training catalogue and "what's new" — and what none of them shows to
//! those who may not read it.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::json;

use crate::browser::{Browser, element_text};
use crate::kb::{new_article, new_training};
use crate::support::{TestApp, open_ticket};

crate::both_backends_at!("2026-12-01T09:00:00Z":
    no_page_shows_an_internal_article_to_a_customer_or_a_customer_article_to_a_visitor,
    typing_a_subject_suggests_articles_and_this_solved_my_problem_records_a_deflection_not_a_ticket,
    an_article_page_follows_the_language_and_counts_helpful_answers,
    an_agent_writes_publishes_and_edits_an_article_in_two_languages,
    the_ticket_panel_suggests_articles_and_records_an_inserted_link,
    customers_register_and_cancel_in_the_catalogue_and_a_full_training_is_refused_clearly,
    whats_new_lists_the_versions_newer_than_the_customers_installation,
    staff_plan_a_training_and_publish_release_notes_from_their_pages,
);

async fn no_page_shows_an_internal_article_to_a_customer_or_a_customer_article_to_a_visitor(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    new_article(&mut agent, "faktura-publiczna", "public", "Faktura publiczna", "Wszyscy").await;
    new_article(&mut agent, "faktura-klienci", "customers", "Faktura dla klientów", "Klienci").await;
    new_article(&mut agent, "faktura-serwis", "internal", "Faktura serwisowa", "Hasło serwisowe: tajne").await;
    let visitor = Browser::new(&app);
    let customer = Browser::login(&app, "recepcja@pod-rozami.test").await;
    let vendor = Browser::login(&app, "agent@vendor.test").await;
    for path in
        ["/help/kb", "/help/kb?q=faktura", "/help/kb?q=serwisowa", "/help/kb/suggest?subject=faktura%20serwisowa"]
    {
        let v = visitor.get(path).await;
        assert_eq!(v.status, StatusCode::OK, "{path}");
        let cu = customer.get(path).await;
        assert!(!v.has("Faktura serwisowa") && !cu.has("Faktura serwisowa"), "{path}");
        assert!(!v.has("Faktura dla klientów"), "{path}");
    }
    assert!(customer.get("/help/kb?q=faktura").await.has("Faktura dla klientów"));
    assert!(vendor.get("/help/kb?q=faktura").await.has("Faktura serwisowa"));
    assert_eq!(customer.get("/help/kb/faktura-serwis").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/help/kb/faktura-klienci").await.status, StatusCode::NOT_FOUND);
    let p = vendor.get("/help/kb/faktura-serwis").await;
    assert!(p.status == StatusCode::OK && p.has("tajne"));
    // The agents' pages are the vendor's.
    assert_ne!(customer.get("/agent/kb").await.status, StatusCode::OK);
}

async fn typing_a_subject_suggests_articles_and_this_solved_my_problem_records_a_deflection_not_a_ticket(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let a =
        new_article(&mut agent, "jak-wystawic-fakture", "public", "Jak wystawić fakturę zaliczkową", "Otwórz Kasę.")
            .await;
    let b = Browser::login(&app, "recepcja@pod-rozami.test").await;
    let form = b.get("/help/new").await;
    assert!(form.has("hx-get=\"/help/kb/suggest\""), "the subject asks for suggestions while typing");
    // A subject is a sentence: any of its words finds the article, with or without Polish letters.
    let p = b.get("/help/kb/suggest?subject=Nie%20umiem%20wystawic%20faktury%20zaliczkowej").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Jak wystawić fakturę zaliczkową") && p.has("name=\"deflect_article\""), "{}", p.body);
    assert!(b.get("/help/kb/suggest?subject=xy").await.body.trim().is_empty(), "two letters suggest nothing");
    let tickets = app.count("tickets").await;
    let id = a["id"].as_i64().unwrap().to_string();
    let csrf = b.csrf();
    let sent = Form::new()
        .text("subject", "Nie umiem wystawić faktury zaliczkowej")
        .text("deflect_article", id)
        .text("body", "");
    let p = b.upload("/help/kb/deflect", sent).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/help/kb/jak-wystawic-fakture?done=deflected"));
    assert_eq!(app.count("kb_deflections").await, 1);
    assert_eq!(app.count("tickets").await, tickets, "no ticket was opened");
    let p = b.get("/help/kb/jak-wystawic-fakture?done=deflected").await;
    assert!(element_text(&p.body, "kb-deflected").is_some());
    let staff = Browser::login(&app, "agent@vendor.test").await;
    let list = staff.get("/agent/kb").await;
    assert!(
        list.has("Rozwiązane bez zgłoszenia (30 dni)\">1</td>"),
        "the agents' list counts the deflection: {}",
        list.body
    );
    // Without the form's token nothing is recorded.
    let p = b.upload_as_is("/help/kb/deflect", Form::new().text("subject", "x").text("deflect_article", "1")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!csrf.is_empty());
    assert_eq!(app.count("kb_deflections").await, 1);
    // Sent anyway: the ticket records the articles the form suggested for its subject.
    let form = b.get("/help/new").await;
    let key = crate::browser::field_value(&form.body, "form_key").unwrap();
    let sent = Form::new()
        .text("form_key", key)
        .text("subject", "Nie umiem wystawić faktury zaliczkowej")
        .text("product_id", app.world.premium.to_string())
        .text("kind", "question")
        .text("priority", "standard")
        .text("body", "Proszę o pomoc.");
    let p = b.upload("/help/new", sent).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let n = p.location.unwrap().trim_start_matches("/help/tickets/").split('?').next().unwrap().to_owned();
    let (_, links) = agent.get(&format!("/api/v1/tickets/{n}/kb")).await;
    assert_eq!(links[0]["slug"], "jak-wystawic-fakture", "{links}");
    assert_eq!(links[0]["suggested_by"].as_i64(), Some(app.world.rozy_user));
    let page = b.get(&format!("/help/tickets/{n}")).await;
    assert!(page.has(&format!("hx-get=\"/help/tickets/{n}/kb\"")));
    let fragment = b.get(&format!("/help/tickets/{n}/kb")).await;
    assert!(
        fragment.has("/help/kb/jak-wystawic-fakture"),
        "the ticket page lists its suggested articles: {}",
        fragment.body
    );
    let other = Browser::login(&app, "recepcja@zdroj.test").await;
    assert_eq!(
        other.get(&format!("/help/tickets/{n}/kb")).await.status,
        StatusCode::NOT_FOUND,
        "another hotel's ticket"
    );
}

async fn an_article_page_follows_the_language_and_counts_helpful_answers(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let (s, a) = agent
        .post(
            "/api/v1/kb/articles",
            &json!({"visibility": "public", "status": "published", "texts": [
                {"language": "pl", "title": "Jak wystawić fakturę", "body": "Po polsku"},
                {"language": "en", "title": "How to issue an invoice", "body": "In English"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    new_article(&mut agent, "tylko-po-polsku", "public", "Tylko po polsku", "Treść").await;
    let b = Browser::new(&app);
    assert!(b.get("/help/kb/jak-wystawic-fakture").await.has("Po polsku"));
    let p = b.post("/language", &[("lang", "en"), ("next", "/help/kb")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.get("/help/kb/jak-wystawic-fakture").await;
    assert!(p.has("How to issue an invoice") && p.has("In English"));
    let p = b.get("/help/kb/tylko-po-polsku").await;
    assert!(p.has("Tylko po polsku") && p.has("no version in your language"), "falls back to the other language");
    let p = b.post("/help/kb/jak-wystawic-fakture/helpful", &[("helpful", "yes")]).await;
    assert_eq!(p.location.as_deref(), Some("/help/kb/jak-wystawic-fakture?done=yes"));
    let p = b.post("/help/kb/jak-wystawic-fakture/helpful", &[("helpful", "perhaps")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same browser again, then another one: each counts once.
    b.post("/help/kb/jak-wystawic-fakture/helpful", &[("helpful", "yes")]).await;
    let other = Browser::new(&app);
    other.get("/help/kb/jak-wystawic-fakture").await;
    let p = other.post("/help/kb/jak-wystawic-fakture/helpful", &[("helpful", "no")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let (_, a) = app.anonymous().get("/api/v1/kb/articles/jak-wystawic-fakture").await;
    assert_eq!((a["helpful_yes"].as_i64(), a["helpful_no"].as_i64()), (Some(1), Some(1)));
}

async fn an_agent_writes_publishes_and_edits_an_article_in_two_languages(app: TestApp) {
    let b = Browser::login(&app, "agent@vendor.test").await;
    assert_eq!(b.get("/agent/kb/new").await.status, StatusCode::OK);
    let before = app.count("kb_articles").await;
    let fields = |vis: &'static str, title_pl: &'static str| {
        vec![
            ("title_pl", title_pl),
            ("body_pl", "1. Otwórz **Kasę**"),
            ("title_en", "How to issue an invoice"),
            ("body_en", "1. Open the **till**"),
            ("visibility", vis),
            ("status", "published"),
            ("category_id", ""),
            ("product_id", ""),
            ("module", "Kasa"),
            ("slug", ""),
            ("version", ""),
        ]
    };
    let p = b.post("/agent/kb/new", &fields("secret", "Jak wystawić fakturę")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element_text(&p.body, "visibility-error").is_some_and(|e| e.contains("secret")), "{}", p.body);
    let p = b.post("/agent/kb/new", &fields("public", " ")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element_text(&p.body, "title_pl-error").is_some(), "{}", p.body);
    assert!(p.has("1. Open the **till**"), "what was typed is kept");
    assert_eq!(app.count("kb_articles").await, before, "nothing written");
    let p = b.post("/agent/kb/new", &fields("public", "Jak wystawić fakturę")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location.unwrap();
    let id = to.trim_start_matches("/agent/kb/").split('?').next().unwrap().to_owned();
    let p = b.get(&to).await;
    assert!(p.has("/help/kb/jak-wystawic-fakture") && p.has("Kasa"));
    let version = crate::browser::field_value(&p.body, "version").unwrap();
    let mut edit = fields("customers", "Jak wystawić fakturę VAT");
    edit.retain(|(k, _)| *k != "version");
    let mut with_version = edit.clone();
    with_version.push(("version", version.as_str()));
    let p = b.post(&format!("/agent/kb/{id}"), &with_version).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.post(&format!("/agent/kb/{id}"), &with_version).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "a stale version is refused");
    let p = b.get(&format!("/agent/kb/{id}")).await;
    assert!(p.has("Jak wystawić fakturę VAT"));
    assert_eq!(p.body.matches("<time>").count(), 4, "four revisions: two texts, twice");
    let list = b.get("/agent/kb").await;
    assert!(list.has("Jak wystawić fakturę VAT"));
    let upload = Form::new().part(
        "attachments",
        reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\nfake".to_vec())
            .file_name("kasa.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let p = b.upload(&format!("/agent/kb/{id}/files"), upload).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.get(&format!("/agent/kb/{id}")).await;
    assert!(p.has("![kasa.png](/help/kb/files/"), "{}", p.body);
}

async fn the_ticket_panel_suggests_articles_and_records_an_inserted_link(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let a = new_article(&mut agent, "drukarka-fiskalna", "internal", "Drukarka fiskalna nie drukuje", "Restart.").await;
    let mut customer = app.login("recepcja@pod-rozami.test").await;
    let n = open_ticket(
        &mut customer,
        json!({"subject": "Drukarka nie drukuje paragonów", "body": "x", "priority": "standard"}),
    )
    .await;
    let b = Browser::login(&app, "agent@vendor.test").await;
    let page = b.get(&format!("/agent/tickets/{n}")).await;
    assert!(page.has(&format!("hx-get=\"/agent/tickets/{n}/kb\"")));
    let res = b.http.get(format!("{}/agent/tickets/{n}/kb", b.base)).header("hx-request", "true").send().await.unwrap();
    let panel = res.text().await.unwrap();
    assert!(panel.contains("Drukarka fiskalna nie drukuje") && panel.contains("data-kb-insert"), "{panel}");
    let (_, links) = agent.get(&format!("/api/v1/tickets/{n}/kb")).await;
    assert!(links[0]["suggested_at"].is_string() && links[0]["used_at"].is_null(), "{links}");
    let id = a["id"].as_i64().unwrap();
    let p = b.post(&format!("/agent/tickets/{n}/kb/{id}/use"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (_, links) = agent.get(&format!("/api/v1/tickets/{n}/kb")).await;
    assert!(links[0]["used_at"].is_string(), "{links}");
    let (_, history) = agent.get(&format!("/api/v1/tickets/{n}/history")).await;
    assert!(history.as_array().unwrap().iter().any(|e| e["kind"] == "kb_article_used"), "{history}");
    // The customer's view of the ticket never lists an internal article.
    let cb = Browser::login(&app, "recepcja@pod-rozami.test").await;
    assert!(!cb.get(&format!("/help/tickets/{n}")).await.has("Drukarka fiskalna"));
    assert!(
        !cb.get(&format!("/help/tickets/{n}/kb")).await.has("Drukarka fiskalna"),
        "an internal article used in a ticket is not listed to its customer"
    );
    assert_ne!(cb.get(&format!("/agent/tickets/{n}/kb")).await.status, StatusCode::OK);
}

async fn customers_register_and_cancel_in_the_catalogue_and_a_full_training_is_refused_clearly(app: TestApp) {
    let mut agent = app.login("agent@vendor.test").await;
    let id = new_training(&mut agent, 1, false).await;
    let visitor = Browser::new(&app);
    let p = visitor.get("/help/trainings").await;
    assert!(p.status == StatusCode::OK && p.has("Nowości w PremiumHotel") && !p.has("meet.example"), "{}", p.body);
    let first = Browser::login(&app, "recepcja@pod-rozami.test").await;
    first.get("/help/trainings").await;
    let p = first.post(&format!("/help/trainings/{id}/register"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = first.get("/help/trainings?done=registered").await;
    assert!(p.has("https://meet.example/abc") && element_text(&p.body, "training-notice").is_some());
    let second = Browser::login(&app, "recepcja@zdroj.test").await;
    let p = second.get("/help/trainings").await;
    assert!(
        !p.has(&format!("/help/trainings/{id}/register")),
        "no register button for a full training without a waiting list"
    );
    let before = app.count("training_registrations").await;
    let p = second.post(&format!("/help/trainings/{id}/register"), &[]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert_eq!(
        element_text(&p.body, "training-error").as_deref(),
        Some("Wszystkie miejsca są zajęte, a to szkolenie nie ma listy rezerwowej.")
    );
    assert_eq!(app.count("training_registrations").await, before, "nothing written");
    let p = first.post(&format!("/help/trainings/{id}/cancel"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = second.post(&format!("/help/trainings/{id}/register"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "the freed place can be taken");
    app.clock.as_ref().unwrap().set("2026-12-10T10:30:00Z".parse().unwrap());
    let p = first.post(&format!("/help/trainings/{id}/register"), &[]).await;
    assert_eq!(
        element_text(&p.body, "training-error").as_deref(),
        Some("To szkolenie już się rozpoczęło — zapisy są zamknięte.")
    );
}

async fn whats_new_lists_the_versions_newer_than_the_customers_installation(app: TestApp) {
    let mut admin = app.login("admin@vendor.test").await;
    let (s, _) = admin
        .post(
            "/api/v1/installations",
            &json!({"organisation_id": app.world.rozy, "product_id": app.world.premium, "name": "Recepcja", "version": "2.9"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut agent = app.login("agent@vendor.test").await;
    for v in ["2.9", "2.10"] {
        let (s, r) = agent
            .post(
                "/api/v1/releases",
                &json!({"product_id": app.world.premium, "version": v, "released_on": "2026-11-20",
                        "notes": format!("- **Nowość** w {v}"), "published": true}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }
    let b = Browser::login(&app, "recepcja@pod-rozami.test").await;
    let p = b.get("/help/releases").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Wersja 2.10") && p.has("<strong>Nowość</strong> w 2.10") && !p.has("Wersja 2.9 "), "{}", p.body);
    let other = Browser::login(&app, "recepcja@zdroj.test").await;
    assert!(
        !other.get("/help/releases").await.has("PremiumHotel — Recepcja"),
        "another hotel's installation is not shown"
    );
}

async fn staff_plan_a_training_and_publish_release_notes_from_their_pages(app: TestApp) {
    let b = Browser::login(&app, "agent@vendor.test").await;
    assert_eq!(b.get("/agent/trainings").await.status, StatusCode::OK);
    let premium = app.world.premium.to_string();
    let mut fields = vec![
        ("title", "Kasa od podstaw"),
        ("product_id", premium.as_str()),
        ("starts_at", "2026-12-15T09:00"),
        ("time_zone", "Europe/Warsaw"),
        ("duration_minutes", "90"),
        ("capacity", "0"),
        ("waiting_list", "1"),
        ("online_url", "https://meet.example/kasa"),
        ("description", "Dla recepcji."),
        ("recording_url", ""),
        ("materials", ""),
    ];
    let before = app.count("trainings").await;
    let p = b.post("/agent/trainings", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element_text(&p.body, "capacity-error").is_some(), "{}", p.body);
    assert_eq!(app.count("trainings").await, before);
    fields[5] = ("capacity", "12");
    let p = b.post("/agent/trainings", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (_, list) = app.anonymous().get("/api/v1/trainings").await;
    assert_eq!(list[0]["starts_at"], "2026-12-15T08:00:00Z");
    assert_eq!(list[0]["capacity"], 12);

    let p = b.get("/agent/releases").await;
    assert_eq!(p.status, StatusCode::OK);
    let notes = [
        ("product_id", premium.as_str()),
        ("version", "2.10"),
        ("released_on", "2026-11-30"),
        ("notes", "- Nowy grafik"),
        ("published", "1"),
    ];
    let p = b.post("/agent/releases", &notes).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.post("/agent/releases", &notes).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(element_text(&p.body, "version-error").is_some(), "{}", p.body);
    let (_, releases) = app.anonymous().get("/api/v1/releases").await;
    assert_eq!(releases.as_array().unwrap().len(), 1);
    let customer = Browser::login(&app, "recepcja@pod-rozami.test").await;
    assert_ne!(customer.get("/agent/trainings").await.status, StatusCode::OK);
}
