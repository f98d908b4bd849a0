//! The admin pages through a browser's eyes: logged in through the real login form, every
//! form posted as a browser posts it (URL-encoded, with the CSRF field), and what was stored
//! checked through the JSON API and the store.

use deskbell_server::clock::Clock;
use deskbell_server::mail::intake::{self, Outcome, Source};
use deskbell_server::tickets::service::Limits;
use deskbell_store::mail;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::both_backends_at;
use crate::browser::{Browser, Page};
use crate::support::TestApp;

both_backends_at!("2026-02-01T09:00:00Z":
    only_an_administrator_gets_the_admin_pages_and_their_forms,
    an_admin_creates_an_organisation_with_parent_phones_and_domains,
    a_bad_phone_or_an_unknown_parent_is_shown_at_its_field_and_nothing_is_stored,
    an_admin_changes_a_persons_role_and_the_api_rules_still_apply,
    an_admin_adds_a_calendar_version_from_text_lines,
    an_admin_creates_a_contract_with_per_priority_targets_and_penalties,
    a_mailbox_form_never_shows_a_stored_password_and_keeps_it_when_left_empty,
    quarantined_mail_is_listed_and_can_be_retried_or_dismissed_from_the_page,
    the_admin_pages_follow_the_language_switch,
);

/// The form's field `name` is followed by its error, before the next field starts.
fn error_at(page: &str, field: &str) -> String {
    let input = page.find(&format!("id=\"{field}\"")).unwrap_or_else(|| panic!("no field {field} in {page}"));
    let tag_end = input + page[input..].find('>').unwrap();
    let tag_start = page[..input].rfind('<').unwrap();
    let tag = &page[tag_start..tag_end];
    assert!(
        tag.contains("aria-invalid=\"true\"") || tag.starts_with("<fieldset"),
        "{field} is not marked invalid: {tag}\n{page}"
    );
    assert!(tag.contains(&format!("{field}-error")), "{field} does not point to its error: {tag}");
    let err = page.find(&format!("<p class=\"error\" id=\"{field}-error\">")).expect("the error paragraph");
    assert!(err > input, "the error of {field} comes before the field");
    let between = &page[tag_end..err];
    assert!(!between.contains("<label for="), "another field sits between {field} and its error");
    let text = &page[err..];
    text[text.find('>').unwrap() + 1..text.find("</p>").unwrap()].to_owned()
}

async fn only_an_administrator_gets_the_admin_pages_and_their_forms(app: TestApp) {
    // Not logged in: the login page, and back afterwards.
    let anon = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let res = anon.get(format!("{}/admin/organisations", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/login") && to.contains("next=/admin/organisations"), "{to}");

    let before = app.snapshot().await;
    let (teams, products, mailboxes) =
        (app.count("teams").await, app.count("products").await, app.count("mailboxes").await);
    for email in ["agent@vendor.test", "kierownik@vendor.test", "recepcja@pod-rozami.test", "it@pod-rozami.test"] {
        let b = Browser::login(&app, email).await;
        for path in ["/admin", "/admin/organisations", "/admin/people/1", "/admin/mailboxes/new", "/admin/quarantine"] {
            let Page { status: s, body: page, .. } = b.get(path).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{email} GET {path}");
            assert!(page.contains("Brak uprawnień"), "a localised error page: {page}");
            assert!(!page.contains("name=\"phones\""), "no form behind the error");
        }
        let chain = app.world.chain.to_string();
        let posts: [(&str, Vec<(&str, &str)>); 4] = [
            (
                "/admin/organisations/new",
                vec![("name", "Przejęty hotel"), ("parent_id", &chain), ("phones", "+48 22 999 99 99")],
            ),
            ("/admin/teams/new", vec![("name", "Zespół przejęty")]),
            ("/admin/products/new", vec![("name", "Nowy"), ("code", "nowy")]),
            ("/admin/mailboxes/new", vec![("name", "x"), ("address", "x@vendor.test")]),
        ];
        for (path, fields) in posts {
            let Page { status: s, body: page, .. } = b.post(path, &fields).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{email} POST {path}");
            assert!(page.contains("Brak uprawnień"));
        }
        let Page { status: s, .. } =
            b.post(&format!("/admin/people/{}", app.world.rozy_user), &[("role", "admin")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{email} may not change a person's role");
    }
    assert_eq!(app.snapshot().await, before, "nothing changed");
    assert_eq!(
        (app.count("teams").await, app.count("products").await, app.count("mailboxes").await),
        (teams, products, mailboxes)
    );
    let rozy_user = app.world.rozy_user;
    let role = app.db(move |tx| deskbell_store::people::get(tx, rozy_user).unwrap().role).await;
    assert_eq!(role, deskbell_domain::person::Role::CustomerUser);

    // The administrator gets the overview, linking every section with its count.
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { status: s, body: page, .. } = admin.get("/admin").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    for href in ["/admin/organisations", "/admin/people", "/admin/teams", "/admin/products", "/admin/installations"] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{href}");
    }
    for href in ["/admin/calendars", "/admin/contracts", "/admin/mailboxes", "/admin/quarantine"] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{href}");
    }
    assert!(page.contains("<a href=\"/admin/organisations\">Organizacje</a> <span class=\"admin-count\""), "{page}");
    assert!(page.contains(">4</span>"), "four organisations are seeded: {page}");
    // A form without the CSRF field is refused before anything happens.
    let res =
        admin.http.post(format!("{}/admin/teams/new", app.base)).form(&[("name", "Bez tokenu")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("teams").await, teams);
}

async fn an_admin_creates_an_organisation_with_parent_phones_and_domains(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { status: s, body: form, .. } = admin.get("/admin/organisations/new").await;
    assert_eq!(s, StatusCode::OK);
    // Only chains and independent customers can be parents: the Sopot property is not offered.
    assert!(form.contains(&format!("<option value=\"{}\">Grupa Hoteli Bałtyk</option>", app.world.chain)), "{form}");
    assert!(!form.contains(&format!("<option value=\"{}\"", app.world.sopot)));
    assert!(form.contains(&format!("name=\"account_team\" value=\"{}\"", app.world.agent)), "agents are offered");
    assert!(!form.contains(&format!("name=\"account_team\" value=\"{}\"", app.world.rozy_user)), "customers are not");

    let (chain, agent, agent2) =
        (app.world.chain.to_string(), app.world.agent.to_string(), app.world.agent2.to_string());
    let Page { status: s, location: to, body: page } = admin
        .post(
            "/admin/organisations/new",
            &[
                ("name", "  Hotel Bałtyk Gdańsk "),
                ("parent_id", &chain),
                ("time_zone", "Europe/Warsaw"),
                ("notes", "Serwerownia w piwnicy"),
                ("phones", "+48 58 555 66 77\r\n\r\n(058) 555-66-78\r\n"),
                ("mail_domains", "Gdansk.Baltyk.test\r\n"),
                ("account_team", &agent),
                ("account_team", &agent2),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(to.as_deref(), Some("/admin/organisations?saved=1"));

    let api = app.login("admin@vendor.test").await;
    let (_, list) = api.get("/api/v1/organisations").await;
    let org = list.as_array().unwrap().iter().find(|o| o["name"] == "Hotel Bałtyk Gdańsk").expect("stored").clone();
    assert_eq!(org["parent_id"], json!(app.world.chain));
    assert_eq!(org["phones"], json!(["+48585556677", "0585556678"]));
    assert_eq!(org["mail_domains"], json!(["gdansk.baltyk.test"]));
    assert_eq!(org["account_team"], json!([app.world.agent, app.world.agent2]));
    assert_eq!(org["notes"], "Serwerownia w piwnicy");

    // The list is a hierarchy: the new property sits under its chain, marked as a child.
    let Page { status: s, body: page, .. } = admin.get(to.as_deref().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Zapisano."));
    let pos = |name: &str| page.find(&format!(">{name}</a>")).unwrap_or_else(|| panic!("{name} not listed"));
    let (chain_at, new_at, sopot_at, rozy_at) =
        (pos("Grupa Hoteli Bałtyk"), pos("Hotel Bałtyk Gdańsk"), pos("Hotel Bałtyk Sopot"), pos("Hotel Pod Różami"));
    assert!(chain_at < new_at && chain_at < sopot_at && new_at < rozy_at && sopot_at < rozy_at, "{page}");
    let row = &page[..new_at];
    let row = &row[row.rfind("<tr").unwrap()..];
    assert!(row.contains("class=\"child\"") && row.contains("obiekt sieci Grupa Hoteli Bałtyk"), "{row}");
    assert!(page.contains("+48585556677"));

    // The edit form shows what is stored, one phone per line, and saves a change.
    let id = org["id"].as_i64().unwrap();
    let Page { status: s, body: form, .. } = admin.get(&format!("/admin/organisations/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains(">\n+48585556677\n0585556678</textarea>"), "{form}");
    assert!(form.contains(&format!("<option value=\"{chain}\" selected>")), "{form}");
    let Page { status: s, body: page, .. } = admin
        .post(
            &format!("/admin/organisations/{id}"),
            &[
                ("name", "Hotel Bałtyk Gdańsk"),
                ("parent_id", ""),
                ("time_zone", "Europe/Warsaw"),
                ("phones", "+48585556677"),
                ("mail_domains", ""),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, org) = api.get(&format!("/api/v1/organisations/{id}")).await;
    assert_eq!((org["parent_id"].clone(), org["phones"].clone()), (Value::Null, json!(["+48585556677"])));
    assert_eq!((org["mail_domains"].clone(), org["account_team"].clone()), (json!([]), json!([])));
    assert_eq!(org["active"], true);
}

async fn a_bad_phone_or_an_unknown_parent_is_shown_at_its_field_and_nothing_is_stored(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let before = app.count("organisations").await;
    let chain = app.world.chain.to_string();
    let Page { status: s, body: page, .. } = admin
        .post(
            "/admin/organisations/new",
            &[
                ("name", "Hotel Nad Zatoką"),
                ("parent_id", &chain),
                ("phones", "+48 58 111 22 33\nzadzwoń do recepcji"),
                ("mail_domains", "zatoka.test"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let err = error_at(&page, "phones");
    assert!(err.contains("zadzwoń do recepcji") && err.contains("not a phone number"), "{err}");
    // Everything typed is still there.
    assert!(page.contains(">\n+48 58 111 22 33\nzadzwoń do recepcji</textarea>"), "{page}");
    assert!(page.contains("value=\"Hotel Nad Zatoką\""));
    assert!(page.contains(">\nzatoka.test</textarea>"));
    assert!(page.contains(&format!("<option value=\"{chain}\" selected>")));
    assert!(page.contains("Popraw zaznaczone pola."));
    assert!(!page.contains("id=\"parent_id-error\""), "only the phone is wrong");

    // A parent that does not exist (a hand-made request, or removed meanwhile).
    let Page { status: s, body: page, .. } = admin
        .post("/admin/organisations/new", &[("name", "Hotel Nad Zatoką"), ("parent_id", "999999"), ("phones", "")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert_eq!(error_at(&page, "parent_id"), "no such organisation");
    assert!(page.contains("<option value=\"999999\" selected>"), "the choice is kept: {page}");

    // A property cannot be a parent: the API's one-level rule, at the field.
    let sopot = app.world.sopot.to_string();
    let Page { status: s, body: page, .. } =
        admin.post("/admin/organisations/new", &[("name", "Hotel X"), ("parent_id", &sopot)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "parent_id").contains("only one level"), "{page}");
    // A phone of another customer: a conflict, shown at the phones.
    let Page { status: s, body: page, .. } =
        admin.post("/admin/organisations/new", &[("name", "Hotel X"), ("phones", "+48 22 111 11 11")]).await;
    assert_eq!(s, StatusCode::CONFLICT, "{page}");
    assert!(error_at(&page, "phones").contains("belongs to another organisation"));
    // Not a number where an id belongs: the page's own message.
    let Page { status: s, body: page, .. } =
        admin.post("/admin/organisations/new", &[("name", "Hotel X"), ("parent_id", "abc")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_at(&page, "parent_id"), "Tej pozycji nie ma na liście.");
    assert_eq!(app.count("organisations").await, before, "nothing was stored");

    // The same on the edit form: the stored record stays as it was.
    let rozy = app.world.rozy;
    let Page { status: s, body: page, .. } = admin
        .post(
            &format!("/admin/organisations/{rozy}"),
            &[("name", "Hotel Pod Różami"), ("time_zone", "Europe/Warsaw"), ("phones", "12")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "phones").contains("`12`"));
    let phones = app.db(move |tx| deskbell_store::orgs::get(tx, rozy).unwrap().phones).await;
    assert_eq!(phones, ["+48221111111"]);
    let Page { status: s, .. } = admin.get("/admin/organisations/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn an_admin_changes_a_persons_role_and_the_api_rules_still_apply(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let id = app.world.rozy_user;
    let rozy = app.world.rozy.to_string();
    let Page { status: s, body: page, .. } =
        admin.get(&format!("/admin/people?organisation={rozy}&role=customer_user")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("recepcja@pod-rozami.test") && page.contains("spa@pod-rozami.test"), "{page}");
    assert!(!page.contains("it@pod-rozami.test"), "the role filter: {page}");
    assert!(!page.contains("recepcja@zdroj.test"), "the organisation filter");

    let Page { status: s, body: form, .. } = admin.get(&format!("/admin/people/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("value=\"recepcja@pod-rozami.test\""));
    assert!(form.contains("<option value=\"customer_user\" selected>użytkownik klienta</option>"), "{form}");
    assert!(form.contains(&format!("<option value=\"{rozy}\" selected>")));
    assert!(!form.contains("$argon2"), "no password hash on the page");

    let person = |role: &'static str, org: &'static str| {
        let org = if org == "rozy" { rozy.clone() } else { String::new() };
        vec![
            ("name", "Recepcja".to_owned()),
            ("email", "recepcja@pod-rozami.test".to_owned()),
            ("role", role.to_owned()),
            ("organisation_id", org),
            ("language", "pl".to_owned()),
            ("phone", "".to_owned()),
            ("active", "1".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post(&format!("/admin/people/{id}"), &f).await
        }
    };
    // The vendor's staff belong to no customer: the API's rule, at the organisation field.
    let Page { status: s, body: page, .. } = post(person("agent", "rozy")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(error_at(&page, "organisation_id").contains("belong to no customer organisation"));
    assert!(page.contains("<option value=\"agent\" selected>"), "the role typed is kept");
    let Page { status: s, body: page, .. } = post(person("customer_admin", "")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "organisation_id").contains("belongs to an organisation"));

    let Page { status: s, location: to, body: page } = post(person("customer_admin", "rozy")).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(to.as_deref(), Some("/admin/people?saved=1"));
    let api = app.login("admin@vendor.test").await;
    let (_, p) = api.get(&format!("/api/v1/people/{id}")).await;
    assert_eq!((p["role"].as_str(), p["name"].as_str()), (Some("customer_admin"), Some("Recepcja")), "{p}");
    assert_eq!(p["organisation_id"], json!(app.world.rozy));

    // An admin sets a new password: the person logs in with it.
    let mut fields = person("customer_admin", "rozy");
    fields.push(("password", "nowe hasło 2026".to_owned()));
    let Page { status: s, .. } = post(fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "recepcja@pod-rozami.test", "password": "nowe hasło 2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Too short a password: at the field, and never shown again.
    let mut fields = person("customer_admin", "rozy");
    fields.push(("password", "abc".to_owned()));
    let Page { status: s, body: page, .. } = post(fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "password").contains("4 to 1024"));
    assert!(!page.contains("value=\"abc\""));

    // A new person through the form.
    let Page { status: s, body: page, .. } = admin
        .post(
            "/admin/people/new",
            &[
                ("name", "Nowy Konsultant"),
                ("email", "Nowy@Vendor.test"),
                ("role", "agent"),
                ("organisation_id", ""),
                ("language", "en"),
                ("phone", "+48 600 100 200"),
                ("password", "długie hasło"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, list) = api.get("/api/v1/people").await;
    let p = list.as_array().unwrap().iter().find(|p| p["email"] == "nowy@vendor.test").expect("stored");
    assert_eq!(
        (p["role"].as_str(), p["language"].as_str(), p["phone"].as_str()),
        (Some("agent"), Some("en"), Some("+48600100200"))
    );
    let Page { status: s, body: page, .. } = admin
        .post("/admin/people/new", &[("name", "X"), ("email", "nie-adres"), ("role", "agent"), ("language", "pl")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_at(&page, "email"), "To nie jest adres e-mail.");
    assert!(page.contains("value=\"nie-adres\""));
}

async fn an_admin_adds_a_calendar_version_from_text_lines(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { status: s, location: to, body: page } = admin
        .post(
            "/admin/calendars/new",
            &[
                ("name", "Recepcja Sopot"),
                ("time_zone", "Europe/Warsaw"),
                ("intervals", "mon-fri 08:00-20:00\r\n"),
                ("holidays", "1"),
                ("closed_dates", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let to = to.unwrap();
    let id: i64 = to.trim_start_matches("/admin/calendars/").split('?').next().unwrap().parse().unwrap();
    let Page { status: s, body: page, .. } = admin.get(&to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<code>mon-fri 08:00-20:00</code>"), "{page}");
    assert!(page.contains(">\nmon-fri 08:00-20:00</textarea>"), "the form starts from the newest version");

    // A new version from 1 March, local time, with a Saturday and a closed date.
    let path = format!("/admin/calendars/{id}/versions");
    let Page { status: s, location: to, body: page } = admin
        .post(
            &path,
            &[
                ("time_zone", "Europe/Warsaw"),
                ("intervals", "mon-fri 07:00-21:00\r\nsat 09:00-13:00"),
                ("holidays", "1"),
                ("closed_dates", "2026-12-31\r\n"),
                ("effective_from", "2026-03-01T00:00"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(to.as_deref(), Some(format!("/admin/calendars/{id}?saved=1").as_str()));
    let api = app.login("admin@vendor.test").await;
    let (_, cal) = api.get(&format!("/api/v1/calendars/{id}")).await;
    let versions = cal["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{cal}");
    let v = &versions[1];
    assert_eq!(v["effective_from"], "2026-02-28T23:00:00Z", "midnight in Warsaw (CET)");
    assert_eq!(v["applied_at"], Value::Null, "scheduled, not yet applied");
    assert_eq!(v["spec"]["holidays"], "pl");
    assert_eq!(v["spec"]["closed_dates"], json!(["2026-12-31"]));
    assert_eq!(
        v["spec"]["intervals"],
        json!([
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "21:00"},
            {"days": ["sat"], "start": "09:00", "end": "13:00"},
        ])
    );
    let Page { body: page, .. } = admin.get(&format!("/admin/calendars/{id}")).await;
    assert!(page.contains("zaplanowana") && page.contains("01.03.2026 00:00"), "{page}");
    assert!(page.contains("<code>sat 09:00-13:00</code>"));

    // What cannot be read is shown at its field; the API's calendar rules at the definition.
    let Page { status: s, body: page, .. } =
        admin.post(&path, &[("time_zone", "Europe/Warsaw"), ("intervals", "mon-fri 8-20h"), ("holidays", "1")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "intervals").contains("Wiersz 1"), "{page}");
    assert!(page.contains(">\nmon-fri 8-20h</textarea>"));
    let Page { status: s, body: page, .. } =
        admin.post(&path, &[("time_zone", "Europe/Warsaw"), ("intervals", "mon 10:00-10:00"), ("holidays", "1")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "spec").contains("zero length"), "{page}");
    let Page { status: s, body: page, .. } = admin
        .post(
            &path,
            &[
                ("time_zone", "Europe/Warsaw"),
                ("intervals", "mon 10:00-12:00"),
                ("holidays", "1"),
                ("effective_from", "2026-01-01T00:00"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "effective_from").contains("in the past"), "{page}");
    assert!(page.contains("value=\"2026-01-01T00:00\""));
    // Before the scheduled one: a conflict the form explains.
    let Page { status: s, body: page, .. } =
        admin.post(&path, &[("time_zone", "Europe/Warsaw"), ("intervals", "mon 10:00-12:00"), ("holidays", "1")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("already scheduled"), "{page}");
    let (_, cal) = api.get(&format!("/api/v1/calendars/{id}")).await;
    assert_eq!(cal["versions"].as_array().unwrap().len(), 2, "nothing more was stored");

    // A built-in calendar has no form, and refuses a version.
    let (_, list) = api.get("/api/v1/calendars").await;
    let builtin = list.as_array().unwrap().iter().find(|c| c["builtin"] == true).unwrap()["id"].as_i64().unwrap();
    let Page { body: page, .. } = admin.get(&format!("/admin/calendars/{builtin}")).await;
    assert!(!page.contains("name=\"intervals\"") && page.contains("wbudowany"));
    let Page { status: s, body: page, .. } = admin
        .post(&format!("/admin/calendars/{builtin}/versions"), &[("time_zone", "Europe/Warsaw"), ("always_open", "1")])
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("built-in calendars cannot be edited"));
}

async fn calendar_id(app: &TestApp, name: &str) -> i64 {
    let api = app.login("admin@vendor.test").await;
    let (_, list) = api.get("/api/v1/calendars").await;
    list.as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn an_admin_creates_a_contract_with_per_priority_targets_and_penalties(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let (around, business) = (calendar_id(&app, "24x7").await, calendar_id(&app, "pl-business-08-20").await);
    // A new contract starts with DESIGN §2's targets.
    let Page { status: s, body: form, .. } = admin.get("/admin/contracts/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("name=\"t_critical_first\" value=\"15\""), "{form}");
    assert!(form.contains("name=\"t_standard_resolution\" value=\"1440\""));

    let (rozy, premium, around_s, business_s) =
        (app.world.rozy.to_string(), app.world.premium.to_string(), around.to_string(), business.to_string());
    let fields = |from: &'static str| {
        vec![
            ("organisation_id", rozy.clone()),
            ("name", "Serwis 24/7".to_owned()),
            ("valid_from", from.to_owned()),
            ("valid_to", "2026-12-31".to_owned()),
            ("product_ids", premium.clone()),
            ("calendar_id", around_s.clone()),
            ("warning_percent", "75".to_owned()),
            ("monthly_fee", "4 000,50".to_owned()),
            ("penalty_basis", "clock".to_owned()),
            ("penalty_cap", "1000".to_owned()),
            ("t_critical_first", "15".to_owned()),
            ("t_critical_resolution", "120".to_owned()),
            ("t_critical_penalty", "share".to_owned()),
            ("t_critical_penalty_value", "2,5".to_owned()),
            ("t_fault_first", "60".to_owned()),
            ("t_fault_resolution", "480".to_owned()),
            ("t_standard_first", "240".to_owned()),
            ("t_standard_resolution", "1440".to_owned()),
            ("t_standard_calendar", business_s.clone()),
            ("t_standard_penalty", "amount".to_owned()),
            ("t_standard_penalty_value", "50".to_owned()),
            ("t_development_request_first", "".to_owned()),
        ]
    };
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post(&path, &f).await
        }
    };
    let Page { status: s, location: to, body: page } = post("/admin/contracts/new".into(), fields("2026-01-01")).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(to, Some(format!("/admin/contracts?organisation={rozy}&saved=1")));

    let api = app.login("admin@vendor.test").await;
    let (_, list) = api.get(&format!("/api/v1/contracts?organisation_id={rozy}")).await;
    let k = list.as_array().unwrap().first().expect("stored").clone();
    assert_eq!((k["valid_from"].as_str(), k["valid_to"].as_str()), (Some("2026-01-01"), Some("2026-12-31")));
    assert_eq!((k["product_ids"].clone(), k["calendar_id"].clone()), (json!([app.world.premium]), json!(around)));
    assert_eq!((k["warning_percent"].clone(), k["monthly_fee_minor"].clone()), (json!(75), json!(400050)));
    assert_eq!((k["penalty_basis"].as_str(), k["penalty_cap_minor"].clone()), (Some("clock"), json!(100000)));
    assert_eq!(
        k["targets"],
        json!([
            {"priority": "critical", "first_response_secs": 900, "resolution_secs": 7200, "calendar_id": null,
             "penalty": {"minor_per_hour": null, "basis_points_per_hour": 250}},
            {"priority": "fault", "first_response_secs": 3600, "resolution_secs": 28800, "calendar_id": null, "penalty": null},
            {"priority": "standard", "first_response_secs": 14400, "resolution_secs": 86400, "calendar_id": business,
             "penalty": {"minor_per_hour": 5000, "basis_points_per_hour": null}},
        ]),
        "{k}"
    );
    let Page { status: s, body: page, .. } = admin.get(to.as_deref().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(">Serwis 24/7</a>") && page.contains("4000.50 zł") && page.contains("2026-01-01 – 2026-12-31")
    );
    let id = k["id"].as_i64().unwrap();
    let Page { body: form, .. } = admin.get(&format!("/admin/contracts/{id}")).await;
    assert!(form.contains("name=\"t_critical_penalty_value\" value=\"2.50\""), "{form}");
    assert!(form.contains("name=\"monthly_fee\" value=\"4000.50\""));

    // Overlapping the same product: the API's conflict, at the validity; nothing stored.
    let Page { status: s, body: page, .. } = post("/admin/contracts/new".into(), fields("2026-06-01")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{page}");
    assert!(error_at(&page, "valid_from").contains("already covers product"), "{page}");
    assert!(page.contains("value=\"2026-06-01\"") && page.contains("name=\"t_standard_penalty_value\" value=\"50\""));
    // A penalty without its value, and minutes that are not a number: at their cells.
    let mut bad = fields("2026-01-01");
    bad.retain(|(k, _)| *k != "t_critical_penalty_value");
    bad.retain(|(k, _)| *k != "t_fault_first");
    bad.push(("t_fault_first", "godzina".to_owned()));
    let Page { status: s, body: page, .. } = post("/admin/contracts/new".into(), bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "t_critical_penalty_value").contains("wartość kary"));
    assert_eq!(error_at(&page, "t_fault_first"), "Podaj liczbę całkowitą.");
    // A target out of range: the API's message at the targets.
    let mut bad = fields("2026-01-01");
    bad.retain(|(k, _)| *k != "t_fault_first");
    bad.push(("t_fault_first", "0".to_owned()));
    let Page { status: s, body: page, .. } = post("/admin/contracts/new".into(), bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "targets").contains("priority fault"), "{page}");
    assert_eq!(app.count("contracts").await, 1);

    // Editing: a shorter fee; the targets stay as the form shows them.
    let mut change = fields("2026-01-01");
    change.retain(|(k, _)| *k != "monthly_fee");
    change.push(("monthly_fee", "3500".to_owned()));
    let Page { status: s, body: page, .. } = post(format!("/admin/contracts/{id}"), change).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, k2) = api.get(&format!("/api/v1/contracts/{id}")).await;
    assert_eq!(k2["monthly_fee_minor"], 350000);
    assert_eq!(k2["targets"], k["targets"]);
}

async fn a_mailbox_form_never_shows_a_stored_password_and_keeps_it_when_left_empty(app: TestApp) {
    let mut api = app.login("admin@vendor.test").await;
    let (s, m) = api
        .post(
            "/api/v1/mailboxes",
            &json!({
                "name": "wsparcie", "address": "wsparcie@vendor.test", "display_name": "Wsparcie",
                "imap": {"host": "imap.vendor.test", "port": 993, "security": "tls", "user": "wsparcie", "password": "imap-Sekret-123"},
                "smtp": {"host": "smtp.vendor.test", "port": 587, "security": "starttls", "user": "wsparcie", "password": "smtp-Sekret-456"},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { status: s, body: list, .. } = admin.get("/admin/mailboxes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains("imap.vendor.test:993 (tls)") && list.contains("nigdy"), "{list}");
    assert!(list.contains("href=\"/admin/quarantine\""));
    let Page { status: s, body: form, .. } = admin.get(&format!("/admin/mailboxes/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!form.contains("Sekret"), "a stored password is never on the page");
    assert!(form.contains("name=\"imap_password\" value=\"\""), "{form}");
    assert!(form.contains("Hasło jest zapisane"), "the form says one is stored");
    assert!(form.contains("value=\"imap.vendor.test\""));

    let edit = |imap_password: &'static str, port: &'static str| {
        vec![
            ("name", "wsparcie"),
            ("address", "wsparcie@vendor.test"),
            ("display_name", "Wsparcie techniczne"),
            ("imap_host", "imap.vendor.test"),
            ("imap_port", port),
            ("imap_security", "tls"),
            ("imap_user", "wsparcie"),
            ("imap_password", imap_password),
            ("imap_folder", "INBOX"),
            ("poll_secs", "60"),
            ("smtp_host", "smtp.vendor.test"),
            ("smtp_port", "587"),
            ("smtp_security", "starttls"),
            ("smtp_user", "wsparcie"),
            ("smtp_password", ""),
            ("unknown_senders", "customer"),
            ("max_message_mb", "25"),
            ("active", "1"),
        ]
    };
    let stored = || app.db(move |tx| mail::mailbox(tx, id).unwrap());
    // Left empty: the stored passwords stay.
    let Page { status: s, location: to, body: page } =
        admin.post(&format!("/admin/mailboxes/{id}"), &edit("", "993")).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(to.as_deref(), Some("/admin/mailboxes?saved=1"));
    let m = stored().await;
    assert_eq!(m.display_name, "Wsparcie techniczne");
    assert_eq!(m.imap.as_ref().unwrap().password.as_deref(), Some("imap-Sekret-123"));
    assert_eq!(m.smtp.as_ref().unwrap().password.as_deref(), Some("smtp-Sekret-456"));
    assert_eq!(m.max_message_bytes, 25 * 1024 * 1024);
    // A form shown again with an error does not echo a password typed into it.
    let Page { status: s, body: page, .. } =
        admin.post(&format!("/admin/mailboxes/{id}"), &edit("nowe-Tajne-789", "dziewięćset")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_at(&page, "imap_port"), "Podaj liczbę całkowitą.");
    assert!(!page.contains("Tajne") && !page.contains("Sekret"), "{page}");
    // The API's rules at their fields: plain only on loopback.
    let mut plain = edit("", "143");
    plain.retain(|(k, _)| *k != "imap_security");
    plain.push(("imap_security", "plain"));
    let Page { status: s, body: page, .. } = admin.post(&format!("/admin/mailboxes/{id}"), &plain).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&page, "imap_security").contains("only to a server on this machine"), "{page}");
    // Typed: the new one is stored.
    let Page { status: s, .. } = admin.post(&format!("/admin/mailboxes/{id}"), &edit("nowe-Tajne-789", "993")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(stored().await.imap.unwrap().password.as_deref(), Some("nowe-Tajne-789"));
    let Page { body: form, .. } = admin.get(&format!("/admin/mailboxes/{id}")).await;
    assert!(!form.contains("Tajne"));

    // A new mailbox through the form; its name must be free.
    let mut new = edit("haslo-nowej", "");
    new.retain(|(k, _)| *k != "name" && *k != "address");
    new.extend([("name", "sprzedaz"), ("address", "sprzedaz@vendor.test")]);
    let Page { status: s, body: page, .. } = admin.post("/admin/mailboxes/new", &new).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, list) = api.get("/api/v1/mailboxes").await;
    let m = list.as_array().unwrap().iter().find(|m| m["name"] == "sprzedaz").unwrap().clone();
    assert_eq!((m["imap"]["port"].clone(), m["imap"]["has_password"].clone()), (json!(993), json!(true)), "{m}");
    let Page { status: s, body: page, .. } = admin.post("/admin/mailboxes/new", &new).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(error_at(&page, "name").contains("another mailbox"));
    assert!(!page.contains("haslo-nowej"));
    let _ = &mut api;
}

async fn quarantined_mail_is_listed_and_can_be_retried_or_dismissed_from_the_page(app: TestApp) {
    let mut api = app.login("admin@vendor.test").await;
    let (s, m) = api
        .post(
            "/api/v1/mailboxes",
            &json!({"name": "wsparcie", "address": "wsparcie@vendor.test",
            "smtp": {"host": "127.0.0.1", "port": 2525, "security": "plain"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    let mb = app.db(move |tx| mail::mailbox(tx, id).unwrap()).await;
    let store = app.store.clone();
    let limits = Limits { attachment_max_bytes: 10 << 20, reopen_days: 7 };
    let now = app.clock.as_ref().unwrap().now();
    let outcomes = tokio::task::spawn_blocking(move || {
        [
            "To: wsparcie@vendor.test\r\nSubject: kto to?\r\nMessage-ID: <nofrom@x>\r\n\r\ntresc\r\n",
            "To: wsparcie@vendor.test\r\nSubject: drugi\r\nMessage-ID: <nofrom2@x>\r\n\r\ntresc\r\n",
        ]
        .map(|raw| intake::ingest(&store, &mb, raw.as_bytes(), &Source::pipe(), limits, now).unwrap())
    })
    .await
    .unwrap();
    assert!(outcomes.iter().all(|o| matches!(o, Outcome::Quarantined { .. })), "{outcomes:?}");

    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { status: s, body: page, .. } = admin.get("/admin/mailboxes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Kwarantanna: 2"), "{page}");
    let Page { status: s, body: page, .. } = admin.get("/admin/quarantine").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Subject: kto to?") && page.contains("Subject: drugi"), "{page}");
    let (_, list) = api.get("/api/v1/mail/quarantine").await;
    let qid = |subject: &str| {
        list.as_array().unwrap().iter().find(|q| q["headers_preview"].as_str().unwrap().contains(subject)).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (first, second) = (qid("kto to?"), qid("drugi"));
    assert!(page.contains(&format!("action=\"/admin/quarantine/{first}/retry\"")));

    // Retried, it fails again: it stays, and the page says why.
    let Page { status: s, location: to, .. } = admin.post(&format!("/admin/quarantine/{first}/retry"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let Page { body: page, .. } = admin.get(to.as_deref().unwrap()).await;
    assert!(page.contains("Nadal w kwarantannie"), "{page}");
    let (_, list) = api.get("/api/v1/mail/quarantine").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list.as_array().unwrap().iter().find(|q| q["id"] == first).unwrap()["attempts"], 2);

    // Dismissed: off the waiting list, still on record.
    let Page { status: s, location: to, .. } = admin.post(&format!("/admin/quarantine/{second}/dismiss"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let Page { body: page, .. } = admin.get(to.as_deref().unwrap()).await;
    assert!(page.contains("Wiadomość odrzucona.") && !page.contains("Subject: drugi"), "{page}");
    let Page { body: page, .. } = admin.get("/admin/quarantine?all=1").await;
    assert!(page.contains("Subject: drugi") && page.contains("dismissed by admin@vendor.test"), "{page}");
    // Dismissed twice, or retried after: the API's answer, as an error page.
    let Page { status: s, .. } = admin.post(&format!("/admin/quarantine/{second}/retry"), &[]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let Page { status: s, .. } = admin.post("/admin/quarantine/999999/dismiss", &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let _ = &mut api;
}

async fn the_admin_pages_follow_the_language_switch(app: TestApp) {
    let admin = Browser::login(&app, "admin@vendor.test").await;
    let Page { body: page, .. } = admin.get("/admin/organisations/new").await;
    assert!(page.contains("<html lang=\"pl\">") && page.contains("Nowa organizacja"));
    let Page { status: s, location: to, .. } =
        admin.post("/language", &[("lang", "en"), ("next", "/admin/organisations/new")]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/organisations/new")));
    for (path, text) in [
        ("/admin", "Administration"),
        ("/admin/organisations/new", "New organisation"),
        ("/admin/people", "customer user"),
        ("/admin/calendars", "Weekly intervals"),
        ("/admin/contracts/new", "Targets per priority"),
        ("/admin/mailboxes/new", "Incoming mail (IMAP)"),
        ("/admin/quarantine", "The quarantine is empty."),
    ] {
        let Page { status: s, body: page, .. } = admin.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(page.contains("<html lang=\"en\">") && page.contains(text), "{path}: {page}");
        for polish in ["Zapisz", "Organizacje", "Administracja"] {
            assert!(!page.contains(polish), "{path} still says {polish}");
        }
    }
    let Page { status: s, body: page, .. } =
        admin.post("/admin/organisations/new", &[("name", "X"), ("parent_id", "abc")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Please correct the marked fields."));
    assert_eq!(error_at(&page, "parent_id"), "This is not one of the choices.");
    // Forbidden pages are in the reader's language too.
    let agent = Browser::login(&app, "agent@vendor.test").await;
    let Page { status: s, .. } = agent.post("/language", &[("lang", "en"), ("next", "/admin")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let Page { status: s, body: page, .. } = agent.get("/admin").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(page.contains("Not allowed"), "{page}");
}
