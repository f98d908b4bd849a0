//! The Polish demo data (`deskbell demo`, `deskbell serve --demo`), loaded into a throwaway
//! database, once on SQLite and once on PostgreSQL.

// The helpers below run only inside tests, where failing loudly is the point.
#![allow(clippy::expect_used, clippy::panic)]

use deskbell_domain::person::{EmailAddress, Role};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_server::auth::verify_password;
use deskbell_server::demo;
use deskbell_store::testing::{Backend, TestDb};
use deskbell_store::{Store, StoreError, StoreOptions, Tx, orgs, people, settings};
use jiff::{SignedDuration, Timestamp};

/// A database with the demo loaded into it.
struct Demo {
    store: Store,
    now: Timestamp,
    _db: TestDb,
}

impl Demo {
    /// `None` when the backend is PostgreSQL and it is unreachable outside CI.
    fn load(backend: Backend) -> Option<Demo> {
        let db = TestDb::new(backend)?;
        let store = Store::open(&db.url, &StoreOptions { pool_size: 2 }).expect("open store");
        store.migrate().expect("migrate");
        let now: Timestamp = "2026-03-16T09:30:00Z".parse().expect("now");
        assert!(demo::load(&store, now).expect("load demo"), "the first load loads");
        Some(Demo { store, now, _db: db })
    }

    fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
        self.store.read(f).expect("read")
    }

    fn count(&self, sql: &str) -> i64 {
        self.read(|tx| tx.query_one(sql, &[])?.i64(0))
    }

    fn strings(&self, sql: &str) -> Vec<String> {
        self.read(|tx| tx.query(sql, &[])?.iter().map(|r| r.str(0)).collect())
    }

    fn counts(&self) -> Vec<i64> {
        ["tickets", "articles", "ticket_events", "people", "organisations", "installations", "teams", "products"]
            .iter()
            .map(|t| self.count(&format!("SELECT COUNT(*) FROM {t}")))
            .collect()
    }
}

fn loading_twice_loads_once_and_changes_nothing_the_second_time(d: &Demo) {
    let before = d.counts();
    assert!(!demo::load(&d.store, d.now).expect("second load"), "the second load reports nothing loaded");
    let later = d.now.checked_add(SignedDuration::from_hours(30)).expect("later");
    assert!(!demo::load(&d.store, later).expect("third load"), "a later load still finds the demo");
    assert_eq!(d.counts(), before);
    assert!(d.read(|tx| settings::get(tx, demo::MARKER)).is_some(), "the marker setting is written");
}

fn there_are_at_least_300_tickets_in_every_status_priority_kind_and_channel(d: &Demo) {
    let tickets = d.count("SELECT COUNT(*) FROM tickets");
    assert!(tickets >= 300, "only {tickets} tickets");
    let column = |c: &str| d.strings(&format!("SELECT DISTINCT {c} FROM tickets ORDER BY {c}"));
    let statuses = column("status");
    for s in Status::ALL {
        assert!(statuses.iter().any(|x| x == s.as_str()), "no ticket is {s}: {statuses:?}");
    }
    let priorities = column("priority");
    for p in Priority::ALL {
        assert!(priorities.iter().any(|x| x == p.as_str()), "no ticket is {p}: {priorities:?}");
    }
    let kinds = column("kind");
    for k in Kind::ALL {
        assert!(kinds.iter().any(|x| x == k.as_str()), "no ticket is {k}: {kinds:?}");
    }
    let channels = column("channel");
    for c in Channel::ALL {
        assert!(channels.iter().any(|x| x == c.as_str()), "no ticket came by {c}: {channels:?}");
    }
    // A reasonable spread, not a token one of each.
    for s in ["new", "open", "waiting_for_customer", "resolved"] {
        let n = d.count(&format!("SELECT COUNT(*) FROM tickets WHERE status = '{s}'"));
        assert!(n >= 3, "only {n} tickets are {s}");
    }
    assert!(d.count("SELECT COUNT(*) FROM tickets WHERE status = 'closed'") >= 150);
}

fn every_ticket_has_history_and_an_article(d: &Demo) {
    let without_events = d.count(
        "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id)",
    );
    assert_eq!(without_events, 0, "tickets without history");
    let without_articles =
        d.count("SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.ticket_id = t.id)");
    assert_eq!(without_articles, 0, "tickets without an article");
    // Tickets have conversations: replies on both sides, internal notes and phone calls.
    for kind in ["public_reply", "internal_note", "phone_call"] {
        let n = d.count(&format!("SELECT COUNT(*) FROM articles WHERE kind = '{kind}'"));
        assert!(n >= 20, "only {n} articles are {kind}");
    }
    let by_customers = d.count(
        "SELECT COUNT(*) FROM articles a JOIN people p ON p.id = a.author_id \
         WHERE a.kind = 'public_reply' AND p.role IN ('customer_user', 'customer_admin')",
    );
    assert!(by_customers >= 100, "only {by_customers} public replies by customers");
    // The history shows the work: statuses changed, tickets assigned, priorities corrected.
    for kind in ["created", "status_changed", "assigned", "field_changed", "article_added"] {
        let n = d.count(&format!("SELECT COUNT(*) FROM ticket_events WHERE kind = '{kind}'"));
        assert!(n >= 1, "no {kind} event");
    }
    let corrected = d.count("SELECT COUNT(*) FROM ticket_events WHERE field = 'priority' AND reason IS NOT NULL");
    assert!(corrected >= 1, "no priority was corrected with a reason");
    let linked = d.count("SELECT COUNT(*) FROM tickets WHERE parent_id IS NOT NULL");
    assert_eq!(linked, 3, "the major incident has three child tickets");
}

fn the_history_lies_in_the_sixty_days_before_now(d: &Demo) {
    let oldest = d.now.checked_sub(SignedDuration::from_hours(24 * 61)).expect("oldest");
    let (early, late, late_events, spread) = d.read(|tx| {
        let q = |tx: &mut Tx<'_>, sql: &str, t: Timestamp| tx.query_one(sql, deskbell_store::params![t])?.i64(0);
        Ok((
            q(tx, "SELECT COUNT(*) FROM tickets WHERE created_at < $1", oldest)?,
            q(tx, "SELECT COUNT(*) FROM tickets WHERE created_at > $1 OR updated_at > $1", d.now)?,
            q(tx, "SELECT COUNT(*) FROM ticket_events WHERE at > $1", d.now)?,
            q(
                tx,
                "SELECT COUNT(*) FROM tickets WHERE created_at < $1",
                d.now.checked_sub(SignedDuration::from_hours(24 * 30)).expect("a month ago"),
            )?,
        ))
    });
    assert_eq!(early, 0, "tickets older than 61 days");
    assert_eq!(late, 0, "tickets created or changed after now");
    assert_eq!(late_events, 0, "events after now");
    assert!(spread >= 100, "only {spread} tickets are older than a month: the spread is too narrow");
    let out_of_order =
        d.count("SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.at < t.created_at");
    assert_eq!(out_of_order, 0, "events before their ticket was created");
}

fn the_six_demo_logins_have_their_roles_and_the_password_demo(d: &Demo) {
    let logins = [
        ("admin@deskbell.demo", Role::Admin, None),
        ("agent@deskbell.demo", Role::Agent, None),
        ("kierownik@deskbell.demo", Role::Supervisor, None),
        ("recepcja@pod-rozami.demo", Role::CustomerUser, Some("Hotel Pod Różami")),
        ("it@pod-rozami.demo", Role::CustomerAdmin, Some("Hotel Pod Różami")),
        ("recepcja@zdroj.demo", Role::CustomerUser, Some("Uzdrowisko Zdrój")),
    ];
    for (email, role, org) in logins {
        let address: EmailAddress = email.parse().expect("email");
        let (person, hash, org_name) = d.read(|tx| {
            let p = people::by_email(tx, &address)?.expect("person exists");
            let hash = people::password_hash(tx, p.id)?.expect("has a password");
            let org_name = p.organisation_id.map(|o| orgs::get(tx, o).map(|o| o.name)).transpose()?;
            Ok((p, hash, org_name))
        });
        assert_eq!(person.role, role, "{email}");
        assert!(person.active, "{email}");
        assert_eq!(org_name.as_deref(), org, "{email}");
        assert!(verify_password("demo", &hash), "the password of {email} is `demo`");
        assert!(!verify_password("Demo", &hash), "{email}");
    }
    assert!(d.count("SELECT COUNT(*) FROM people WHERE role = 'agent'") >= 6, "at least six agents");
}

fn the_tickets_run_sla_clocks_from_24_7_and_business_day_contracts(d: &Demo) {
    let contracts = d.count("SELECT COUNT(*) FROM contracts");
    let with_installations = d.count("SELECT COUNT(DISTINCT organisation_id) FROM installations");
    assert_eq!(contracts, with_installations, "every organisation with installations has a contract");
    let calendars = d.strings(
        "SELECT DISTINCT cal.name FROM contracts c JOIN calendars cal ON cal.id = c.calendar_id ORDER BY cal.name",
    );
    assert_eq!(calendars, ["24x7", "pl-business-08-20"]);
    // Every ticket about a covered product, other than a development request, has clocks.
    let without = d.count(
        "SELECT COUNT(*) FROM tickets t WHERE t.product_id IS NOT NULL AND t.priority <> 'development_request' \
         AND NOT EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = t.id)",
    );
    assert_eq!(without, 0, "tickets of covered products without a clock");
    assert!(d.count("SELECT COUNT(*) FROM ticket_clocks") >= 300);
    assert!(d.count("SELECT COUNT(*) FROM clock_events WHERE kind LIKE '%pause%'") > 0, "no ticket ever waited");
    // The history's alerts fired when they fell due, not all at load time: each breach
    // event is dated at its clock's breach instant, and nothing is left for the watch.
    let breaches = d.count("SELECT COUNT(*) FROM ticket_events WHERE kind = 'sla_breach'");
    assert!(breaches > 0, "months of history and not a single breach");
    let late = d.count(
        "SELECT COUNT(*) FROM ticket_events e JOIN ticket_clocks c ON c.ticket_id = e.ticket_id AND c.metric = e.field \
         WHERE e.kind = 'sla_breach' AND e.at <> c.breach_at",
    );
    assert_eq!(late, 0, "breaches recorded at another moment than their instant");
    let unfired = d.count("SELECT COUNT(*) FROM ticket_clocks WHERE breach_fired_at IS NULL AND breach_at <= (SELECT MAX(created_at) FROM tickets)");
    assert_eq!(unfired, 0, "breaches due before the demo's last ticket left for the watch");
}

fn the_vendor_has_two_teams_and_two_products_installed_at_the_hotels(d: &Demo) {
    let (teams, products, installations) =
        d.read(|tx| Ok((orgs::teams(tx)?, orgs::products(tx)?, orgs::installations(tx, None)?)));
    let mut names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Zespół Kuracjusz", "Zespół PremiumHotel"]);
    assert!(teams.iter().all(|t| t.members.len() >= 3), "every team has members");
    let mut products: Vec<&str> = products.iter().map(|p| p.name.as_str()).collect();
    products.sort_unstable();
    assert_eq!(products, ["Kuracjusz", "PremiumHotel"]);
    assert!(installations.len() >= 8, "only {} installations", installations.len());
}

fn the_organisations_are_hotels_and_spas_with_a_chain_of_two_properties(d: &Demo) {
    let (all, chains) = d.read(|tx| {
        let all = orgs::list(tx, None)?;
        let mut chains = Vec::new();
        for o in &all {
            let family = orgs::with_children(tx, o.id)?;
            if family.len() > 1 {
                chains.push((o.name.clone(), family.len() - 1));
            }
        }
        Ok((all, chains))
    });
    assert!(all.len() >= 6, "only {} organisations", all.len());
    assert_eq!(chains, [("Grupa Hoteli Bałtyk".to_owned(), 2)]);
    for o in &all {
        assert_eq!(o.time_zone, "Europe/Warsaw", "{}", o.name);
        assert!(!o.phones.is_empty(), "{} has a phone number", o.name);
        assert!(!o.mail_domains.is_empty(), "{} has a mail domain", o.name);
        assert!(!o.account_team.is_empty(), "{} has an account team", o.name);
    }
    let rozy = all.iter().find(|o| o.name == "Hotel Pod Różami").expect("Hotel Pod Różami");
    assert!(rozy.mail_domains.iter().any(|m| m == "pod-rozami.demo"));
    // Every organisation has people, and every property reports tickets.
    let without_people = d.count(
        "SELECT COUNT(*) FROM organisations o WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.organisation_id = o.id)",
    );
    assert_eq!(without_people, 0);
    let silent = d.count(
        "SELECT COUNT(*) FROM organisations o WHERE o.parent_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.organisation_id = o.id)",
    );
    assert_eq!(silent, 0, "a property without tickets");
}

fn automation_is_on_with_rules_responses_and_todays_tickets_handled_by_the_scope_rules(d: &Demo) {
    assert_eq!(d.count("SELECT COUNT(*) FROM rules WHERE active"), 2);
    assert!(d.count("SELECT COUNT(*) FROM responses") >= 4, "two canned responses and the scope rules' two");
    assert_eq!(d.count("SELECT COUNT(*) FROM tickets WHERE disposition = 'redirected' AND status = 'resolved'"), 1);
    assert_eq!(d.count("SELECT COUNT(*) FROM tickets WHERE disposition = 'training_catalogue'"), 1);
    let routing = d.read(|tx| settings::get(tx, "routing")).unwrap_or_default();
    assert!(routing.contains("\"enabled\":true"), "routing is on after the load: {routing}");
}

fn the_knowledge_base_trainings_and_release_notes_are_there(d: &Demo) {
    let vis = d.strings("SELECT visibility FROM kb_articles WHERE status = 'published' ORDER BY visibility");
    for v in ["customers", "internal", "public"] {
        assert!(vis.iter().any(|x| x == v), "a published {v} article: {vis:?}");
    }
    let titles = d.strings("SELECT title FROM kb_translations ORDER BY title");
    assert!(
        titles.iter().any(|t| t == "Jak wystawić fakturę") && titles.iter().any(|t| t == "How to issue an invoice")
    );
    assert!(d.count("SELECT COUNT(*) FROM trainings") >= 3);
    let waiting = d.count("SELECT COUNT(*) FROM training_registrations WHERE status = 'waiting'");
    assert!(waiting >= 1, "a training with a waiting list");
    assert!(
        d.count("SELECT COUNT(*) FROM trainings WHERE recording_url IS NOT NULL") >= 1,
        "a past training's recording"
    );
    assert!(d.count("SELECT COUNT(*) FROM product_versions WHERE published") >= 2, "release notes of two versions");
}

fn the_demo_is_deterministic_for_a_given_now(a: &Demo, backend: Backend) {
    let Some(b) = Demo::load(backend) else { return };
    let sql = "SELECT number || ' ' || subject || ' ' || status || ' ' || priority FROM tickets ORDER BY number";
    assert_eq!(a.strings(sql), b.strings(sql));
}

/// One load per backend serves every check (a load costs seconds); the checks run in order and
/// each failure names its check.
fn the_demo_has_everything_the_readme_promises(backend: Backend) {
    let Some(d) = Demo::load(backend) else { return };
    there_are_at_least_300_tickets_in_every_status_priority_kind_and_channel(&d);
    every_ticket_has_history_and_an_article(&d);
    the_history_lies_in_the_sixty_days_before_now(&d);
    the_six_demo_logins_have_their_roles_and_the_password_demo(&d);
    the_vendor_has_two_teams_and_two_products_installed_at_the_hotels(&d);
    the_tickets_run_sla_clocks_from_24_7_and_business_day_contracts(&d);
    the_organisations_are_hotels_and_spas_with_a_chain_of_two_properties(&d);
    automation_is_on_with_rules_responses_and_todays_tickets_handled_by_the_scope_rules(&d);
    the_knowledge_base_trainings_and_release_notes_are_there(&d);
    loading_twice_loads_once_and_changes_nothing_the_second_time(&d);
    the_demo_is_deterministic_for_a_given_now(&d, backend);
}

#[test]
fn the_demo_has_everything_the_readme_promises_on_sqlite() {
    the_demo_has_everything_the_readme_promises(Backend::Sqlite);
}

#[test]
fn the_demo_has_everything_the_readme_promises_on_postgres() {
    the_demo_has_everything_the_readme_promises(Backend::Postgres);
}
