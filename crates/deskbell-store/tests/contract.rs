//! The store contract: one set of stories, run against SQLite and against PostgreSQL.
//!
//! Every story is a plain `fn(&Store)` that receives a freshly migrated, empty database.
//! [`contract_tests!`] turns each into a `sqlite_<story>` and a `postgres_<story>` test, so a
//! behaviour that differs between the backends fails on one of them. See `support/mod.rs`
//! for how the throwaway databases are made (and when PostgreSQL may be skipped).

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use std::collections::HashSet;

use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::attachments;
use deskbell_store::auth;
use deskbell_store::events::{self, NewEvent};
use deskbell_store::orgs::{self, Organisation, OrganisationInput};
use deskbell_store::people::{self, Person, PersonInput};
use deskbell_store::settings;
use deskbell_store::tickets::{self, Article, AssigneeFilter, Call, Cursor, Filter, MailMeta, Scope, Sort, Ticket};
use deskbell_store::{Dialect, Store, StoreError, Tx, params};
use jiff::{SignedDuration, Timestamp};

contract_tests! {
    migrations_are_idempotent_and_keep_the_data,
    organisation_with_parent_phones_domains_and_account_team_round_trips,
    organisation_is_found_by_phone_and_mail_domain_and_updates_move_them,
    duplicate_organisation_name_phone_or_domain_is_refused_and_nothing_is_written,
    duplicate_person_email_is_refused_identically_and_nothing_is_written,
    duplicate_on_a_two_column_key_names_both_columns_identically,
    person_round_trips_and_is_found_by_email_in_any_case,
    deactivating_a_person_ends_their_sessions_and_tokens,
    ticket_numbers_are_sequential_from_one,
    saving_a_ticket_bumps_its_version_and_reindexes_its_subject,
    saving_with_a_stale_version_is_a_conflict_and_changes_nothing,
    an_error_inside_a_write_rolls_back_everything,
    a_panic_inside_a_write_rolls_back_and_the_store_keeps_working,
    a_reference_to_a_missing_row_is_refused_and_nothing_is_written,
    another_organisations_or_requesters_ticket_is_not_found_exactly_like_a_missing_one,
    list_filters_return_exactly_the_matching_tickets,
    every_sort_pages_through_every_ticket_exactly_once,
    list_never_shows_a_ticket_outside_the_scope,
    search_folds_polish_diacritics_and_matches_prefixes,
    search_finds_words_inside_addresses_versions_and_codes,
    search_never_leaves_the_scope_and_hides_internal_notes_from_customers,
    search_of_only_punctuation_or_query_syntax_returns_an_empty_page,
    a_very_long_article_is_stored_whole_and_searchable,
    articles_with_call_and_mail_metadata_round_trip_and_internal_notes_can_be_hidden,
    attachments_are_content_addressed_and_return_the_exact_bytes,
    history_events_are_appended_and_listed_in_order,
    sessions_are_found_until_they_expire_or_are_deleted,
    api_tokens_work_until_revoked_or_the_owner_is_deactivated,
    a_lookup_reads_what_is_committed_and_refuses_to_write,
    a_successful_login_resets_the_failure_count,
    settings_are_upserted,
    hostile_and_international_text_comes_back_exactly_as_stored,
    text_with_a_nul_character_is_refused_by_both_backends_and_nothing_is_written,
    timestamps_round_trip_to_the_microsecond,
    names_are_listed_in_the_same_order_on_both_backends,
}

// ---------------------------------------------------------------------------------------
// Helpers and fixtures
// ---------------------------------------------------------------------------------------

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp literal")
}

/// A fixed instant with microsecond precision.
fn base() -> Timestamp {
    ts("2025-03-14T09:26:53.589793Z")
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

fn email(s: &str) -> EmailAddress {
    s.parse().expect("e-mail literal")
}

fn write<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.write(f).expect("write transaction")
}

fn read<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.read(f).expect("read transaction")
}

fn count(store: &Store, table: &str) -> i64 {
    read(store, |tx| tx.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?.i64(0))
}

/// Row counts of every table a business write touches.
fn census(store: &Store) -> Vec<(&'static str, i64)> {
    let search = match store.dialect() {
        Dialect::Sqlite => "search_fts",
        Dialect::Postgres => "search_docs",
    };
    [
        "organisations",
        "organisation_phones",
        "organisation_domains",
        "organisation_account_team",
        "people",
        "teams",
        "team_members",
        "products",
        "tickets",
        "articles",
        "blobs",
        "attachments",
        "ticket_events",
        "sessions",
        "api_tokens",
        "settings",
        search,
    ]
    .into_iter()
    .map(|t| (t, count(store, t)))
    .collect()
}

fn org_input(name: &str) -> OrganisationInput {
    OrganisationInput { name: name.into(), time_zone: "Europe/Warsaw".into(), active: true, ..Default::default() }
}

fn person_input(addr: &str, name: &str, role: Role, organisation_id: Option<i64>) -> PersonInput {
    PersonInput {
        email: email(addr),
        name: name.into(),
        role,
        organisation_id,
        phone: None,
        language: Language::Pl,
        active: true,
    }
}

fn new_ticket(subject: &str, organisation_id: i64, requester_id: i64, at: Timestamp) -> Ticket {
    deskbell_store::testing::new_ticket(subject, organisation_id, requester_id, at)
}

fn new_article(ticket_id: i64, kind: ArticleKind, author_id: Option<i64>, body: &str, at: Timestamp) -> Article {
    Article {
        id: 0,
        ticket_id,
        kind,
        author_id,
        body: body.into(),
        call: None,
        mail: None,
        created_at: at,
        attachments: Vec::new(),
    }
}

/// Two customers (one a chain with a child property), their users, two agents in two teams,
/// two products.
struct World {
    chain: i64,
    property: i64,
    other: i64,
    chain_user: i64,
    property_user: i64,
    other_user: i64,
    agent1: i64,
    agent2: i64,
    team1: i64,
    team2: i64,
    product1: i64,
    product2: i64,
}

fn world(store: &Store) -> World {
    write(store, |tx| {
        let now = base();
        let chain = orgs::create(tx, &org_input("Sieć Hoteli Różany"), now)?.id;
        let property =
            orgs::create(tx, &OrganisationInput { parent_id: Some(chain), ..org_input("Hotel Pod Różami") }, now)?.id;
        let other = orgs::create(tx, &org_input("Uzdrowisko Zdrój"), now)?.id;
        let chain_user = people::create(
            tx,
            &person_input("it@rozany.demo", "Irena IT", Role::CustomerAdmin, Some(chain)),
            None,
            now,
        )?
        .id;
        let property_user = people::create(
            tx,
            &person_input("recepcja@pod-rozami.demo", "Recepcja", Role::CustomerUser, Some(property)),
            None,
            now,
        )?
        .id;
        let other_user = people::create(
            tx,
            &person_input("recepcja@zdroj.demo", "Recepcja Zdrój", Role::CustomerUser, Some(other)),
            None,
            now,
        )?
        .id;
        let agent1 =
            people::create(tx, &person_input("anna@deskbell.demo", "Anna Agentka", Role::Agent, None), None, now)?.id;
        let agent2 =
            people::create(tx, &person_input("bartek@deskbell.demo", "Bartek Agent", Role::Agent, None), None, now)?.id;
        let team1 = orgs::save_team(tx, None, "Zespół PMS", &[agent1], now)?.id;
        let team2 = orgs::save_team(tx, None, "Zespół Spa", &[agent2], now)?.id;
        let product1 = orgs::save_product(tx, None, "PH", "PremiumHotel", Some(team1), now)?.id;
        let product2 = orgs::save_product(tx, None, "KUR", "Kuracjusz", Some(team2), now)?.id;
        Ok(World {
            chain,
            property,
            other,
            chain_user,
            property_user,
            other_user,
            agent1,
            agent2,
            team1,
            team2,
            product1,
            product2,
        })
    })
}

fn insert_ticket(store: &Store, t: Ticket) -> Ticket {
    write(store, |tx| tickets::insert(tx, &t))
}

fn page_filter(limit: usize) -> Filter {
    Filter { limit, ..Default::default() }
}

/// Follows `next` cursors to the end, checking that pages are full except the last, that
/// no page is empty and that no ticket appears twice.
fn all_pages(store: &Store, scope: &Scope, filter: &Filter) -> Vec<Ticket> {
    let mut out: Vec<Ticket> = Vec::new();
    let mut seen = HashSet::new();
    let mut f = filter.clone();
    for _ in 0..1000 {
        let page = read(store, |tx| tickets::list(tx, scope, &f));
        assert!(page.items.len() <= filter.limit, "a page holds at most `limit` tickets");
        for t in &page.items {
            assert!(seen.insert(t.id), "ticket #{} appeared on two pages", t.number);
        }
        match page.next {
            Some(c) => {
                assert_eq!(page.items.len(), filter.limit, "only the last page may be short");
                let last = page.items.last().expect("a page with a cursor has items");
                assert_eq!(c.id, last.id, "the cursor points after the page's last ticket");
                out.extend(page.items);
                f.after = Some(c);
            }
            None => {
                assert!(!page.items.is_empty() || out.is_empty(), "no empty trailing page");
                out.extend(page.items);
                return out;
            }
        }
    }
    panic!("pagination did not end");
}

/// The key of `t` under `sort`. These fixtures have no SLA clocks, so under the deadline sort
/// every ticket is in its second part, newest first (contract_pages.rs tests the first).
fn sort_key(sort: Sort, t: &Ticket) -> i64 {
    match sort {
        Sort::UpdatedDesc | Sort::UpdatedAsc => t.updated_at.as_microsecond(),
        Sort::CreatedDesc | Sort::CreatedAsc => t.created_at.as_microsecond(),
        Sort::NumberDesc | Sort::NumberAsc => t.number,
        Sort::Deadline => 0,
    }
}

fn expected_order(sort: Sort, mut v: Vec<Ticket>) -> Vec<i64> {
    v.sort_by_key(|t| (sort_key(sort, t), t.id));
    if matches!(sort, Sort::UpdatedDesc | Sort::CreatedDesc | Sort::NumberDesc | Sort::Deadline) {
        v.reverse();
    }
    v.into_iter().map(|t| t.id).collect()
}

fn ids(v: &[Ticket]) -> Vec<i64> {
    v.iter().map(|t| t.id).collect()
}

/// Numbers of the tickets a full-text query finds for `scope`, ascending.
fn search(store: &Store, scope: &Scope, q: &str) -> Vec<i64> {
    let f = Filter { q: Some(q.into()), limit: 200, sort: Sort::NumberAsc, ..Default::default() };
    let page = store.read(|tx| tickets::list(tx, scope, &f)).unwrap_or_else(|e| panic!("search {q:?} failed: {e}"));
    assert!(page.next.is_none());
    page.items.iter().map(|t| t.number).collect()
}

// ---------------------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------------------

fn migrations_are_idempotent_and_keep_the_data(store: &Store) {
    write(store, |tx| settings::set(tx, "demo_loaded", "yes"));
    let applied = store.migrate().expect("second migrate");
    assert!(applied.is_empty(), "a second migrate applies nothing, got {applied:?}");
    assert!(store.migrate().expect("third migrate").is_empty());
    let versions: Vec<i64> = read(store, |tx| {
        tx.query("SELECT version FROM schema_migrations ORDER BY version", &[])?.iter().map(|r| r.i64(0)).collect()
    });
    assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(read(store, |tx| settings::get(tx, "demo_loaded")).as_deref(), Some("yes"));
    store.ping().expect("ping");
}

// ---------------------------------------------------------------------------------------
// Organisations and people
// ---------------------------------------------------------------------------------------

fn organisation_with_parent_phones_domains_and_account_team_round_trips(store: &Store) {
    let w = world(store);
    let created_at = base() + mins(5);
    let input = OrganisationInput {
        name: "Hotel Pod Różami — Kraków".into(),
        parent_id: Some(w.chain),
        time_zone: "Europe/Warsaw".into(),
        notes: "Serwerownia w piwnicy; klucz u portiera.".into(),
        active: true,
        phones: vec!["+48126543210".into(), "+48120000000".into()],
        mail_domains: vec!["pod-rozami-krakow.demo".into(), "krakow.rozany.demo".into()],
        account_team: vec![w.agent2, w.agent1],
    };
    let org = write(store, |tx| orgs::create(tx, &input, created_at));
    let expected = Organisation {
        id: org.id,
        name: input.name.clone(),
        parent_id: Some(w.chain),
        time_zone: "Europe/Warsaw".into(),
        notes: input.notes.clone(),
        active: true,
        phones: vec!["+48120000000".into(), "+48126543210".into()],
        mail_domains: vec!["krakow.rozany.demo".into(), "pod-rozami-krakow.demo".into()],
        account_team: vec![w.agent1, w.agent2],
        created_at,
        updated_at: created_at,
    };
    assert_eq!(org, expected);
    assert_eq!(read(store, |tx| orgs::get(tx, org.id)), expected);

    // The chain now has two direct children; a grandchild is not one of them.
    let grandchild = write(store, |tx| {
        orgs::create(
            tx,
            &OrganisationInput { parent_id: Some(org.id), ..org_input("Restauracja hotelowa") },
            created_at,
        )
    })
    .id;
    assert_eq!(read(store, |tx| orgs::with_children(tx, w.chain)), [w.chain, w.property, org.id]);
    assert_eq!(read(store, |tx| orgs::with_children(tx, org.id)), [org.id, grandchild]);
    assert_eq!(read(store, |tx| orgs::with_children(tx, w.other)), [w.other]);
    assert_eq!(read(store, |tx| orgs::with_children(tx, 999_999)), Vec::<i64>::new());

    // Update replaces every list and keeps created_at.
    let updated_at = created_at + mins(60);
    let change = OrganisationInput {
        name: "Hotel Pod Różami Kraków".into(),
        parent_id: None,
        notes: String::new(),
        active: false,
        phones: vec!["+48129999999".into()],
        mail_domains: Vec::new(),
        account_team: vec![w.agent2],
        ..input.clone()
    };
    let updated = write(store, |tx| orgs::update(tx, org.id, &change, updated_at));
    assert_eq!(
        updated,
        Organisation {
            name: change.name.clone(),
            parent_id: None,
            notes: String::new(),
            active: false,
            phones: vec!["+48129999999".into()],
            mail_domains: Vec::new(),
            account_team: vec![w.agent2],
            updated_at,
            ..expected.clone()
        }
    );
    assert_eq!(read(store, |tx| orgs::with_children(tx, w.chain)), [w.chain, w.property]);
    assert_eq!(write(store, |tx| Ok(orgs::update(tx, 999_999, &change, updated_at))), Err(StoreError::NotFound));
    assert_eq!(read(store, |tx| Ok(orgs::get(tx, 999_999))), Err(StoreError::NotFound));

    let visible = read(store, |tx| orgs::list(tx, Some(&[w.other, org.id])));
    assert_eq!(visible.iter().map(|o| o.id).collect::<Vec<_>>(), [org.id, w.other]);
    assert!(read(store, |tx| orgs::list(tx, Some(&[]))).is_empty());
    assert_eq!(read(store, |tx| orgs::list(tx, None)).len(), 5);
}

fn organisation_is_found_by_phone_and_mail_domain_and_updates_move_them(store: &Store) {
    let w = world(store);
    let input = OrganisationInput {
        phones: vec!["+48124440000".into(), "+48124440001".into()],
        mail_domains: vec!["pod-rozami.demo".into()],
        ..org_input("Hotel Pod Różami II")
    };
    let id = write(store, |tx| orgs::create(tx, &input, base())).id;
    assert_eq!(read(store, |tx| orgs::by_phone(tx, "+48124440001")), Some(id));
    assert_eq!(read(store, |tx| orgs::by_phone(tx, "+48124440000")), Some(id));
    assert_eq!(read(store, |tx| orgs::by_phone(tx, "+48124449999")), None);
    assert_eq!(read(store, |tx| orgs::by_domain(tx, "pod-rozami.demo")), Some(id));
    assert_eq!(read(store, |tx| orgs::by_domain(tx, "zdroj.demo")), None);

    // The numbers move to another organisation: the old owner no longer answers.
    write(store, |tx| {
        orgs::update(tx, id, &OrganisationInput { phones: vec![], mail_domains: vec![], ..input.clone() }, base())
    });
    let moved = OrganisationInput {
        phones: vec!["+48124440001".into()],
        mail_domains: vec!["pod-rozami.demo".into()],
        ..org_input("Uzdrowisko Zdrój")
    };
    write(store, |tx| orgs::update(tx, w.other, &moved, base()));
    assert_eq!(read(store, |tx| orgs::by_phone(tx, "+48124440001")), Some(w.other));
    assert_eq!(read(store, |tx| orgs::by_phone(tx, "+48124440000")), None);
    assert_eq!(read(store, |tx| orgs::by_domain(tx, "pod-rozami.demo")), Some(w.other));
}

fn duplicate_organisation_name_phone_or_domain_is_refused_and_nothing_is_written(store: &Store) {
    let w = world(store);
    write(store, |tx| {
        orgs::update(
            tx,
            w.property,
            &OrganisationInput {
                parent_id: Some(w.chain),
                phones: vec!["+48221112233".into()],
                mail_domains: vec!["pod-rozami.demo".into()],
                ..org_input("Hotel Pod Różami")
            },
            base(),
        )
    });
    let before = census(store);
    let cases = [
        (
            OrganisationInput { phones: vec!["+48000000001".into()], ..org_input("Hotel Pod Różami") },
            "organisations.name",
        ),
        (
            OrganisationInput { phones: vec!["+48000000001".into(), "+48221112233".into()], ..org_input("Nowy Hotel") },
            "organisation_phones.phone",
        ),
        (
            OrganisationInput {
                mail_domains: vec!["nowy.demo".into(), "pod-rozami.demo".into()],
                ..org_input("Nowy Hotel")
            },
            "organisation_domains.domain",
        ),
    ];
    for (input, constraint) in cases {
        let got = store.write(|tx| orgs::create(tx, &input, base()));
        assert_eq!(got, Err(StoreError::Unique { constraint: constraint.into() }), "creating {input:?}");
        assert_eq!(census(store), before, "a refused organisation leaves nothing behind");
    }
    // Renaming onto an existing name is refused too, and the organisation keeps its name.
    let got = store.write(|tx| orgs::update(tx, w.other, &org_input("Hotel Pod Różami"), base() + mins(1)));
    assert_eq!(got, Err(StoreError::Unique { constraint: "organisations.name".into() }));
    let other = read(store, |tx| orgs::get(tx, w.other));
    assert_eq!((other.name.as_str(), other.updated_at), ("Uzdrowisko Zdrój", base()));
    assert_eq!(census(store), before);
}

fn duplicate_person_email_is_refused_identically_and_nothing_is_written(store: &Store) {
    let w = world(store);
    let before = census(store);
    // The address differs only in case and surrounding blanks: it is the same person.
    let dup = person_input("  Recepcja@Pod-Rozami.DEMO ", "Ktoś Inny", Role::CustomerUser, Some(w.other));
    let got = store.write(|tx| {
        // Something else written first in the same transaction must go too.
        settings::set(tx, "touched", "yes")?;
        people::create(tx, &dup, Some("hash"), base())
    });
    assert_eq!(got, Err(StoreError::Unique { constraint: "people.email".into() }));
    assert_eq!(census(store), before);
    assert_eq!(read(store, |tx| settings::get(tx, "touched")), None);

    // Changing someone's address to a taken one is refused and changes nothing.
    let original = read(store, |tx| people::get(tx, w.other_user));
    let change = PersonInput {
        name: "Zmieniona".into(),
        ..person_input("recepcja@pod-rozami.demo", "", Role::CustomerUser, Some(w.other))
    };
    let got = store.write(|tx| people::update(tx, w.other_user, &change, base() + mins(3)));
    assert_eq!(got, Err(StoreError::Unique { constraint: "people.email".into() }));
    assert_eq!(read(store, |tx| people::get(tx, w.other_user)), original);
    assert_eq!(census(store), before);
}

fn duplicate_on_a_two_column_key_names_both_columns_identically(store: &Store) {
    let w = world(store);
    let before = census(store);
    let got = store.write(|tx| {
        tx.execute("INSERT INTO team_members (team_id, person_id) VALUES ($1, $2)", params![w.team1, w.agent2])?;
        tx.execute("INSERT INTO team_members (team_id, person_id) VALUES ($1, $2)", params![w.team1, w.agent1])
    });
    assert_eq!(got, Err(StoreError::Unique { constraint: "team_members.team_id, team_members.person_id".into() }));
    assert_eq!(census(store), before);
}

fn person_round_trips_and_is_found_by_email_in_any_case(store: &Store) {
    let w = world(store);
    let at = base() + mins(7);
    let input = PersonInput {
        phone: Some("+48 600 100 200".into()),
        language: Language::En,
        ..person_input("Jan.Kowalski@Pod-Rozami.demo", "Jan Kowalski", Role::CustomerUser, Some(w.property))
    };
    let p = write(store, |tx| people::create(tx, &input, Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"), at));
    let expected = Person {
        id: p.id,
        email: email("jan.kowalski@pod-rozami.demo"),
        name: "Jan Kowalski".into(),
        role: Role::CustomerUser,
        organisation_id: Some(w.property),
        phone: Some("+48 600 100 200".into()),
        language: Language::En,
        active: true,
        created_at: at,
        updated_at: at,
    };
    assert_eq!(p, expected);
    assert_eq!(p.email.as_str(), "jan.kowalski@pod-rozami.demo");
    assert_eq!(read(store, |tx| people::get(tx, p.id)), expected);
    assert_eq!(read(store, |tx| people::by_email(tx, &email("JAN.KOWALSKI@POD-ROZAMI.DEMO"))), Some(expected.clone()));
    assert_eq!(read(store, |tx| people::by_email(tx, &email("nikt@pod-rozami.demo"))), None);
    let agent = read(store, |tx| people::get(tx, w.agent1));
    assert_eq!(
        read(store, |tx| people::get_many(tx, &[w.agent1, 999_999, p.id])),
        [agent, expected.clone()],
        "several people in one query, in the order asked, unknown ids left out"
    );
    assert!(read(store, |tx| people::get_many(tx, &[])).is_empty());
    assert!(read(store, |tx| orgs::team_exists(tx, w.team1)));
    assert!(!read(store, |tx| orgs::team_exists(tx, w.team1 + 1000)));
    assert_eq!(
        read(store, |tx| people::password_hash(tx, p.id)).as_deref(),
        Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")
    );

    let later = at + mins(30);
    let change =
        PersonInput { name: "Jan Kowalski-Nowak".into(), role: Role::CustomerAdmin, phone: None, ..input.clone() };
    let updated = write(store, |tx| people::update(tx, p.id, &change, later));
    assert_eq!(
        updated,
        Person {
            name: "Jan Kowalski-Nowak".into(),
            role: Role::CustomerAdmin,
            phone: None,
            updated_at: later,
            ..expected.clone()
        }
    );
    write(store, |tx| people::set_password_hash(tx, p.id, "nowy-hash", later));
    assert_eq!(read(store, |tx| people::password_hash(tx, p.id)).as_deref(), Some("nowy-hash"));
    assert_eq!(store.write(|tx| people::set_password_hash(tx, 999_999, "x", later)), Err(StoreError::NotFound));
    assert_eq!(store.write(|tx| people::update(tx, 999_999, &change, later)), Err(StoreError::NotFound));
    assert_eq!(read(store, |tx| Ok(people::get(tx, 999_999))), Err(StoreError::NotFound));

    let of_property: Vec<i64> = read(store, |tx| people::list(tx, Some(&[w.property]))).iter().map(|p| p.id).collect();
    assert_eq!(of_property, [p.id, w.property_user], "by name: Jan… before Recepcja");
    // The world's five people and Jan.
    assert_eq!(read(store, |tx| people::list(tx, None)).len(), 6);

    // An inactive person has no usable password.
    write(store, |tx| people::update(tx, p.id, &PersonInput { active: false, ..change.clone() }, later));
    assert_eq!(read(store, |tx| people::password_hash(tx, p.id)), None);
}

fn deactivating_a_person_ends_their_sessions_and_tokens(store: &Store) {
    let w = world(store);
    let now = base();
    let expires = now + mins(600);
    write(store, |tx| {
        auth::create_session(tx, "s-anna-1", w.agent1, "csrf1", now, expires)?;
        auth::create_session(tx, "s-anna-2", w.agent1, "csrf2", now, expires)?;
        auth::create_session(tx, "s-bartek", w.agent2, "csrf3", now, expires)?;
        auth::create_token(tx, w.agent1, "integracja", "tok-anna", &["tickets:read".into()], now)?;
        Ok(())
    });
    assert!(read(store, |tx| auth::session(tx, "s-anna-1", now)).is_some());
    assert!(read(store, |tx| auth::token(tx, "tok-anna")).is_some());

    let anna = read(store, |tx| people::get(tx, w.agent1));
    let input = PersonInput {
        email: anna.email.clone(),
        name: anna.name.clone(),
        role: anna.role,
        organisation_id: None,
        phone: None,
        language: anna.language,
        active: false,
    };
    write(store, |tx| people::update(tx, w.agent1, &input, now + mins(1)));
    let left: i64 =
        read(store, |tx| tx.query_one("SELECT COUNT(*) FROM sessions WHERE person_id = $1", params![w.agent1])?.i64(0));
    assert_eq!(left, 0, "every session of a deactivated person is deleted");
    assert!(read(store, |tx| auth::session(tx, "s-anna-1", now)).is_none());
    assert!(read(store, |tx| auth::token(tx, "tok-anna")).is_none());
    assert_eq!(
        read(store, |tx| auth::session(tx, "s-bartek", now)).map(|s| s.person.id),
        Some(w.agent2),
        "other people stay logged in"
    );

    // Reactivating does not resurrect the old sessions; the token works again.
    write(store, |tx| people::update(tx, w.agent1, &PersonInput { active: true, ..input.clone() }, now + mins(2)));
    assert!(read(store, |tx| auth::session(tx, "s-anna-2", now)).is_none());
    assert!(read(store, |tx| auth::token(tx, "tok-anna")).is_some());
}

// ---------------------------------------------------------------------------------------
// Tickets: numbers, versions, transactions, scope
// ---------------------------------------------------------------------------------------

fn ticket_numbers_are_sequential_from_one(store: &Store) {
    let w = world(store);
    let first: Vec<i64> = write(store, |tx| {
        (0..3)
            .map(|i| {
                tickets::insert(
                    tx,
                    &new_ticket(&format!("Zgłoszenie {i}"), w.property, w.property_user, base() + mins(i)),
                )
                .map(|t| t.number)
            })
            .collect()
    });
    assert_eq!(first, [1, 2, 3]);
    let fourth = insert_ticket(store, new_ticket("Czwarte", w.other, w.other_user, base()));
    assert_eq!(fourth.number, 4);
    assert_eq!(fourth.version, 1);
    let second = read(store, |tx| tickets::by_number(tx, 2, &Scope::All));
    assert_eq!(second.subject, "Zgłoszenie 1");
    assert_eq!(read(store, |tx| tickets::by_id(tx, second.id)), second);
}

fn saving_a_ticket_bumps_its_version_and_reindexes_its_subject(store: &Store) {
    let w = world(store);
    let mut t = new_ticket("Drukarka fiskalna nie drukuje", w.property, w.property_user, base());
    t.cc = vec!["kierownik@pod-rozami.demo".into()];
    t.channel = Channel::Phone;
    t.proposed_priority = Some(Priority::Critical);
    t.local_it_checks = Some(r#"{"other_apps_work":true}"#.into());
    let t = insert_ticket(store, t);
    assert_eq!(t.version, 1);
    assert_eq!(t.created_at, base());
    assert_eq!(t.updated_at, base());
    assert_eq!(t.cc, ["kierownik@pod-rozami.demo"]);
    assert_eq!(t.proposed_priority, Some(Priority::Critical));
    assert_eq!(t.local_it_checks.as_deref(), Some(r#"{"other_apps_work":true}"#));

    let later = base() + mins(42);
    let changed = Ticket {
        subject: "Kasa fiskalna nie drukuje paragonów".into(),
        status: Status::Open,
        priority: Priority::Critical,
        kind: Kind::Question,
        assignee_id: Some(w.agent1),
        team_id: Some(w.team1),
        product_id: Some(w.product1),
        module: Some("Recepcja".into()),
        tags: vec!["fiskalna".into(), "pilne".into()],
        due_date: Some("2025-04-01".into()),
        updated_at: later,
        first_response_at: Some(later),
        ..t.clone()
    };
    let saved = write(store, |tx| tickets::save(tx, &changed));
    assert_eq!(saved, Ticket { version: 2, ..changed.clone() });
    assert_eq!(read(store, |tx| tickets::by_id(tx, t.id)), saved);
    assert_eq!(search(store, &Scope::All, "paragonow"), [t.number]);
    assert_eq!(search(store, &Scope::All, "drukarka"), Vec::<i64>::new(), "the old subject is no longer indexed");
    let again = write(store, |tx| {
        tickets::save(tx, &Ticket { status: Status::Resolved, resolved_at: Some(later), ..saved.clone() })
    });
    assert_eq!((again.version, again.status, again.resolved_at), (3, Status::Resolved, Some(later)));

    // `save_over` knows the stored row: the same save, re-indexing only a changed subject.
    let renamed = write(store, |tx| {
        tickets::save_over(tx, &again, &Ticket { subject: "Terminal płatniczy".into(), ..again.clone() })
    });
    assert_eq!((renamed.version, renamed.subject.as_str()), (4, "Terminal płatniczy"));
    assert_eq!(search(store, &Scope::All, "terminal"), [t.number]);
    assert_eq!(search(store, &Scope::All, "paragonow"), Vec::<i64>::new());
    let kept = write(store, |tx| tickets::save_over(tx, &renamed, &Ticket { status: Status::Open, ..renamed.clone() }));
    assert_eq!((kept.version, kept.status), (5, Status::Open));
    assert_eq!(search(store, &Scope::All, "terminal"), [t.number], "an unchanged subject stays indexed");
    assert_eq!(
        store.write(|tx| tickets::save_over(tx, &renamed, &Ticket { status: Status::Resolved, ..renamed.clone() })),
        Err(StoreError::Conflict),
        "a row changed since it was read is a conflict"
    );
}

fn saving_with_a_stale_version_is_a_conflict_and_changes_nothing(store: &Store) {
    let w = world(store);
    let original =
        insert_ticket(store, new_ticket("Brak synchronizacji z booking", w.property, w.property_user, base()));
    // Two agents read version 1; the first one saves.
    let first = write(store, |tx| {
        tickets::save(tx, &Ticket { assignee_id: Some(w.agent1), status: Status::Open, ..original.clone() })
    });
    assert_eq!(first.version, 2);
    let before = census(store);
    // The second one saves on top of version 1 and must not overwrite the first.
    let stale = Ticket {
        subject: "Nadpisany temat krokodyl".into(),
        assignee_id: Some(w.agent2),
        priority: Priority::Critical,
        ..original.clone()
    };
    let got = store.write(|tx| {
        events::append(tx, original.id, Some(w.agent2), base(), &NewEvent { kind: "assigned", ..Default::default() })?;
        tickets::save(tx, &stale)
    });
    assert_eq!(got, Err(StoreError::Conflict));
    assert_eq!(read(store, |tx| tickets::by_id(tx, original.id)), first);
    assert_eq!(census(store), before, "the event appended before the conflict is gone too");
    assert_eq!(search(store, &Scope::All, "krokodyl"), Vec::<i64>::new());
    // A ticket that does not exist cannot be saved either.
    assert_eq!(
        store.write(|tx| tickets::save(tx, &Ticket { id: 999_999, ..first.clone() })),
        Err(StoreError::Conflict)
    );
}

#[derive(Debug, PartialEq)]
enum StoryError {
    Store(StoreError),
    Refused(&'static str),
}

impl From<StoreError> for StoryError {
    fn from(e: StoreError) -> Self {
        StoryError::Store(e)
    }
}

fn an_error_inside_a_write_rolls_back_everything(store: &Store) {
    let before = census(store);
    let got: Result<(), StoryError> = store.write(|tx| {
        let now = base();
        let org = orgs::create(
            tx,
            &OrganisationInput {
                phones: vec!["+48111".into()],
                mail_domains: vec!["x.demo".into()],
                ..org_input("Hotel Widmo")
            },
            now,
        )?;
        let person =
            people::create(tx, &person_input("duch@x.demo", "Duch", Role::CustomerUser, Some(org.id)), None, now)?;
        let t = tickets::insert(tx, &new_ticket("Zniknie bez śladu", org.id, person.id, now))?;
        let a = tickets::insert_article(
            tx,
            &new_article(t.id, ArticleKind::PublicReply, Some(person.id), "treść widmo", now),
        )?;
        attachments::insert(tx, t.id, a.id, "widmo.txt", "text/plain", b"boo", now)?;
        events::append(tx, t.id, Some(person.id), now, &NewEvent { kind: "created", ..Default::default() })?;
        auth::create_session(tx, "widmo", person.id, "c", now, now + mins(5))?;
        auth::create_token(tx, person.id, "t", "widmo-token", &[], now)?;
        settings::set(tx, "widmo", "1")?;
        orgs::save_team(tx, None, "Zespół widmo", &[person.id], now)?;
        Err(StoryError::Refused("the business rule said no"))
    });
    assert_eq!(
        got,
        Err(StoryError::Refused("the business rule said no")),
        "the caller's own error comes back unchanged"
    );
    assert_eq!(census(store), before);
    assert_eq!(search(store, &Scope::All, "widmo"), Vec::<i64>::new());
    assert_eq!(read(store, |tx| orgs::by_phone(tx, "+48111")), None);

    // The store is fine afterwards, and a number handed to a rolled-back ticket is never
    // given to two tickets.
    let w = world(store);
    let a = insert_ticket(store, new_ticket("Pierwsze prawdziwe", w.other, w.other_user, base()));
    let b = insert_ticket(store, new_ticket("Drugie prawdziwe", w.other, w.other_user, base()));
    assert!(a.number >= 1 && b.number == a.number + 1, "numbers {} then {}", a.number, b.number);
}

fn a_panic_inside_a_write_rolls_back_and_the_store_keeps_working(store: &Store) {
    let w = world(store);
    let before = census(store);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Result<(), StoreError> = store.write(|tx| {
            tickets::insert(tx, &new_ticket("Przed paniką", w.other, w.other_user, base()))?;
            panic!("a bug in the caller");
        });
    }));
    assert!(outcome.is_err(), "the panic reaches the caller");
    assert_eq!(census(store), before, "nothing written before the panic survives");
    // Later writes and reads work as before: one bug must not take the service down.
    let t = insert_ticket(store, new_ticket("Po panice", w.other, w.other_user, base()));
    assert_eq!(read(store, |tx| tickets::by_id(tx, t.id)).subject, "Po panice");
    assert!(store.migrate().expect("migrate after a panic").is_empty());
}

fn a_reference_to_a_missing_row_is_refused_and_nothing_is_written(store: &Store) {
    let w = world(store);
    let before = census(store);
    let got = store
        .write(|tx| tickets::insert(tx, &new_ticket("Dla nieistniejącej organizacji", 999_999, w.other_user, base())));
    assert!(matches!(got, Err(StoreError::Db(_))), "got {got:?}");
    let got = store.write(|tx| {
        orgs::create(tx, &OrganisationInput { account_team: vec![999_999], ..org_input("Hotel Nowy") }, base())
    });
    assert!(matches!(got, Err(StoreError::Db(_))), "got {got:?}");
    let got = store.write(|tx| {
        people::create(tx, &person_input("a@nowy.demo", "A", Role::CustomerUser, Some(999_999)), None, base())
    });
    assert!(matches!(got, Err(StoreError::Db(_))), "got {got:?}");
    assert_eq!(census(store), before);
}

fn another_organisations_or_requesters_ticket_is_not_found_exactly_like_a_missing_one(store: &Store) {
    let w = world(store);
    let mine = insert_ticket(store, new_ticket("Moje zgłoszenie", w.property, w.property_user, base()));
    let colleague = insert_ticket(store, new_ticket("Zgłoszenie kolegi", w.chain, w.chain_user, base()));
    let foreign = insert_ticket(store, new_ticket("Cudze zgłoszenie", w.other, w.other_user, base()));
    let get = |number: i64, scope: Scope| store.read(|tx| tickets::by_number(tx, number, &scope));

    let missing = get(999, Scope::All);
    assert_eq!(missing, Err(StoreError::NotFound));
    // A customer admin of the chain sees the chain and its property, not the other customer.
    let chain_admin = Scope::Organisations(vec![w.chain, w.property]);
    assert_eq!(get(mine.number, chain_admin.clone()).map(|t| t.id), Ok(mine.id));
    assert_eq!(get(colleague.number, chain_admin.clone()).map(|t| t.id), Ok(colleague.id));
    assert_eq!(get(foreign.number, chain_admin.clone()), missing);
    assert_eq!(get(999, chain_admin), missing);
    // A property admin does not see the chain's own tickets.
    assert_eq!(get(colleague.number, Scope::Organisations(vec![w.property])), missing);
    assert_eq!(get(mine.number, Scope::Organisations(vec![])), missing);
    // A customer user sees only what they asked.
    assert_eq!(get(mine.number, Scope::Requester(w.property_user)).map(|t| t.id), Ok(mine.id));
    assert_eq!(get(colleague.number, Scope::Requester(w.property_user)), missing);
    assert_eq!(get(foreign.number, Scope::Requester(w.property_user)), missing);
    // The vendor sees everything.
    assert_eq!(get(foreign.number, Scope::All).map(|t| t.id), Ok(foreign.id));
}

// ---------------------------------------------------------------------------------------
// Lists: filters, sorting, pagination, scope
// ---------------------------------------------------------------------------------------

/// 120 tickets spread over every value of every filtered field; `updated_at` repeats every
/// 30 tickets and `created_at` every 2, so the id tie-breaker matters for every sort.
fn many_tickets(store: &Store, w: &World) -> Vec<Ticket> {
    write(store, |tx| {
        let orgs = [(w.chain, w.chain_user), (w.property, w.property_user), (w.other, w.other_user)];
        let mut out = Vec::new();
        for i in 0..120i64 {
            let n = i as usize;
            let (org, requester) = orgs[n % 3];
            let mut t = new_ticket(&format!("Zgłoszenie numer {i}"), org, requester, base() + mins(i / 2));
            t.status = Status::ALL[n % 5];
            t.priority = Priority::ALL[n % 4];
            t.kind = Kind::ALL[n % 6];
            t.channel = Channel::ALL[(n / 2) % 5];
            let inserted = tickets::insert(tx, &t)?;
            let changed = Ticket {
                assignee_id: [None, Some(w.agent1), Some(w.agent2)][(n / 3) % 3],
                team_id: [None, Some(w.team1), Some(w.team2)][(n / 4) % 3],
                product_id: [None, Some(w.product1), Some(w.product2)][(n / 6) % 3],
                updated_at: base() + mins(60 * (i % 30)),
                ..inserted
            };
            out.push(tickets::save(tx, &changed)?);
        }
        Ok(out)
    })
}

fn list_filters_return_exactly_the_matching_tickets(store: &Store) {
    let w = world(store);
    let all = many_tickets(store, &w);
    let since = base() + mins(60 * 20);
    type Pred = Box<dyn Fn(&Ticket) -> bool>;
    let cases: Vec<(&str, Filter, Pred)> = vec![
        (
            "status",
            Filter { statuses: vec![Status::Open, Status::Resolved], ..page_filter(10) },
            Box::new(|t| matches!(t.status, Status::Open | Status::Resolved)),
        ),
        (
            "priority",
            Filter { priorities: vec![Priority::Critical], ..page_filter(10) },
            Box::new(|t| t.priority == Priority::Critical),
        ),
        (
            "organisation",
            Filter { organisation_ids: vec![w.other], ..page_filter(10) },
            Box::new(move |t| t.organisation_id == w.other),
        ),
        (
            "organisations",
            Filter { organisation_ids: vec![w.chain, w.property], ..page_filter(10) },
            Box::new(move |t| t.organisation_id != w.other),
        ),
        (
            "assignee",
            Filter { assignee: Some(AssigneeFilter::Person(w.agent1)), ..page_filter(10) },
            Box::new(move |t| t.assignee_id == Some(w.agent1)),
        ),
        (
            "unassigned",
            Filter { assignee: Some(AssigneeFilter::Unassigned), ..page_filter(10) },
            Box::new(|t| t.assignee_id.is_none()),
        ),
        ("team", Filter { team_ids: vec![w.team2], ..page_filter(10) }, Box::new(move |t| t.team_id == Some(w.team2))),
        (
            "teams",
            Filter { team_ids: vec![w.team1, w.team2], ..page_filter(10) },
            Box::new(move |t| t.team_id.is_some()),
        ),
        (
            "product",
            Filter { product_id: Some(w.product1), ..page_filter(10) },
            Box::new(move |t| t.product_id == Some(w.product1)),
        ),
        (
            "channel",
            Filter { channels: vec![Channel::Phone, Channel::Email], ..page_filter(10) },
            Box::new(|t| matches!(t.channel, Channel::Phone | Channel::Email)),
        ),
        ("kind", Filter { kinds: vec![Kind::OutOfScope], ..page_filter(10) }, Box::new(|t| t.kind == Kind::OutOfScope)),
        (
            "requester",
            Filter { requester_id: Some(w.chain_user), ..page_filter(10) },
            Box::new(move |t| t.requester_id == w.chain_user),
        ),
        (
            "updated_since (inclusive)",
            Filter { updated_since: Some(since), ..page_filter(10) },
            Box::new(move |t| t.updated_at >= since),
        ),
        (
            "combined",
            Filter {
                statuses: vec![Status::New, Status::Open, Status::WaitingForCustomer],
                assignee: Some(AssigneeFilter::Unassigned),
                organisation_ids: vec![w.property],
                ..page_filter(3)
            },
            Box::new(move |t| t.status.is_open() && t.assignee_id.is_none() && t.organisation_id == w.property),
        ),
        ("nothing matches", Filter { team_ids: vec![999_999], ..page_filter(10) }, Box::new(|_| false)),
    ];
    for (name, filter, pred) in cases {
        let expected = expected_order(Sort::UpdatedDesc, all.iter().filter(|t| pred(t)).cloned().collect());
        if name != "nothing matches" {
            assert!(
                !expected.is_empty() && expected.len() < all.len(),
                "{name}: the fixture must make this filter meaningful"
            );
        }
        let got = ids(&all_pages(store, &Scope::All, &filter));
        assert_eq!(got, expected, "filter {name}");
    }
}

fn every_sort_pages_through_every_ticket_exactly_once(store: &Store) {
    let w = world(store);
    let all = many_tickets(store, &w);
    assert_eq!(Sort::NAMES.len(), 7);
    for name in Sort::NAMES {
        let sort = Sort::parse(name).unwrap_or_else(|| panic!("{name} parses"));
        for limit in [25, 24] {
            let got = all_pages(store, &Scope::All, &Filter { sort, ..page_filter(limit) });
            assert_eq!(ids(&got), expected_order(sort, all.clone()), "sort {name}, limit {limit}");
        }
    }
    assert_eq!(Sort::parse("priority"), None);
    assert_eq!(Sort::default(), Sort::UpdatedDesc);

    // The first page with a cursor from an earlier page is stable while a ticket on a page
    // already seen changes.
    let first = read(store, |tx| tickets::list(tx, &Scope::All, &page_filter(25)));
    let cursor: Cursor = first.next.expect("more than one page");
    let top = first.items[0].clone();
    write(store, |tx| tickets::save(tx, &Ticket { subject: "zmieniony".into(), ..top.clone() }));
    let second = read(store, |tx| tickets::list(tx, &Scope::All, &Filter { after: Some(cursor), ..page_filter(25) }));
    assert!(second.items.iter().all(|t| !first.items.iter().any(|f| f.id == t.id)));
    assert_eq!(ids(&second.items), expected_order(Sort::UpdatedDesc, all)[25..50]);
}

fn list_never_shows_a_ticket_outside_the_scope(store: &Store) {
    let w = world(store);
    let all = many_tickets(store, &w);
    let chain_admin = Scope::Organisations(vec![w.chain, w.property]);
    let got = all_pages(store, &chain_admin, &page_filter(25));
    assert_eq!(
        ids(&got),
        expected_order(Sort::UpdatedDesc, all.iter().filter(|t| t.organisation_id != w.other).cloned().collect())
    );

    let user = Scope::Requester(w.other_user);
    let got = all_pages(store, &user, &Filter { sort: Sort::NumberAsc, ..page_filter(7) });
    assert_eq!(
        ids(&got),
        expected_order(Sort::NumberAsc, all.iter().filter(|t| t.requester_id == w.other_user).cloned().collect())
    );

    // Filters narrow the scope, never widen it.
    let widen = Filter { organisation_ids: vec![w.other], ..page_filter(25) };
    assert!(all_pages(store, &chain_admin, &widen).is_empty());
    let widen = Filter { requester_id: Some(w.chain_user), ..page_filter(25) };
    assert!(all_pages(store, &user, &widen).is_empty());
    assert!(all_pages(store, &Scope::Organisations(vec![]), &page_filter(25)).is_empty());
}

// ---------------------------------------------------------------------------------------
// Full-text search
// ---------------------------------------------------------------------------------------

fn search_folds_polish_diacritics_and_matches_prefixes(store: &Store) {
    let w = world(store);
    let a = insert_ticket(store, new_ticket("Żółw w recepcji blokuje drzwi", w.property, w.property_user, base()));
    let b = insert_ticket(store, new_ticket("Nowe zamówienie licencji", w.property, w.property_user, base()));
    let c = insert_ticket(store, new_ticket("Błąd wydruku", w.property, w.property_user, base()));
    write(store, |tx| {
        tickets::insert_article(
            tx,
            &new_article(
                c.id,
                ArticleKind::PublicReply,
                Some(w.property_user),
                "Faktura VAT nie drukuje się w Łodzi.",
                base(),
            ),
        )
    });
    let all = Scope::All;
    assert_eq!(search(store, &all, "zolw"), [a.number]);
    assert_eq!(search(store, &all, "ŻÓŁW"), [a.number]);
    assert_eq!(search(store, &all, "ZAMOWIENIE"), [b.number]);
    assert_eq!(search(store, &all, "zamówienie licencji"), [b.number]);
    assert_eq!(search(store, &all, "fakt"), [c.number], "a prefix finds the article's word");
    assert_eq!(search(store, &all, "lodzi faktura"), [c.number], "all words of one article");
    assert_eq!(search(store, &all, "blad"), [c.number]);
    assert_eq!(search(store, &all, "zolw zamowienie"), Vec::<i64>::new(), "every word must occur");
    assert_eq!(search(store, &all, "kot"), Vec::<i64>::new());

    // Search combines with the other filters.
    write(store, |tx| tickets::save(tx, &Ticket { status: Status::Closed, ..b.clone() }));
    let f = Filter { q: Some("zamowienie".into()), statuses: vec![Status::New], ..page_filter(10) };
    assert!(read(store, |tx| tickets::list(tx, &Scope::All, &f)).items.is_empty());
}

fn search_finds_words_inside_addresses_versions_and_codes(store: &Store) {
    let w = world(store);
    let t =
        insert_ticket(store, new_ticket("Błąd po aktualizacji do wersji 2.3.1", w.property, w.property_user, base()));
    write(store, |tx| {
        tickets::insert_article(
            tx,
            &new_article(
                t.id,
                ArticleKind::PublicReply,
                Some(w.property_user),
                "Proszę o kontakt: jan.kowalski@pod-rozami.demo, serwer pms01.pod-rozami.local, \
                 kwota 12,50 zł (12.50 PLN), dokument FV-2025/03/117, log C:\\PMS\\logs\\error.log, \
                 https://pomoc.deskbell.demo/artykul?id=42",
                base(),
            ),
        )
    });
    for q in [
        "kowalski",
        "jan.kowalski@pod-rozami.demo",
        "rozami",
        "pms01",
        "2.3.1",
        "wersji 2",
        "12.50",
        "12,50",
        "117",
        "FV-2025/03/117",
        "error",
        "logs",
        "pomoc",
        "artykul",
    ] {
        assert_eq!(search(store, &Scope::All, q), [t.number], "query {q:?}");
    }
}

fn search_never_leaves_the_scope_and_hides_internal_notes_from_customers(store: &Store) {
    let w = world(store);
    let mine = insert_ticket(store, new_ticket("Żółw w recepcji", w.property, w.property_user, base()));
    let foreign = insert_ticket(store, new_ticket("Żółw w basenie", w.other, w.other_user, base()));
    write(store, |tx| {
        tickets::insert_article(
            tx,
            &new_article(
                mine.id,
                ArticleKind::InternalNote,
                Some(w.agent1),
                "Klient zalega z opłatą, tajemnica: krokodyl",
                base(),
            ),
        )?;
        tickets::insert_article(
            tx,
            &new_article(mine.id, ArticleKind::PublicReply, Some(w.agent1), "Sprawdzamy, proszę czekać", base()),
        )?;
        tickets::insert_article(
            tx,
            &new_article(foreign.id, ArticleKind::PhoneCall, Some(w.agent1), "Rozmowa o hipopotamie", base()),
        )
    });
    let chain_admin = Scope::Organisations(vec![w.chain, w.property]);
    let user = Scope::Requester(w.property_user);

    assert_eq!(search(store, &Scope::All, "zolw"), [mine.number, foreign.number]);
    assert_eq!(search(store, &chain_admin, "zolw"), [mine.number]);
    assert_eq!(search(store, &user, "zolw"), [mine.number]);
    assert_eq!(search(store, &Scope::Requester(w.other_user), "zolw"), [foreign.number]);
    assert_eq!(search(store, &chain_admin, "hipopotam"), Vec::<i64>::new(), "another customer's article");

    // Text that only an internal note holds.
    assert_eq!(search(store, &Scope::All, "krokodyl"), [mine.number]);
    assert_eq!(search(store, &chain_admin, "krokodyl"), Vec::<i64>::new());
    assert_eq!(search(store, &user, "krokodyl"), Vec::<i64>::new());
    assert_eq!(search(store, &user, "zalega"), Vec::<i64>::new());
    // Public text of the same ticket is found by the customer.
    assert_eq!(search(store, &user, "sprawdzamy"), [mine.number]);
}

fn search_of_only_punctuation_or_query_syntax_returns_an_empty_page(store: &Store) {
    let w = world(store);
    // The subject holds, as plain words, every word the queries below hold around their
    // syntax (OR, NEAR, body, x, tickets), so each of them finds it.
    let t = insert_ticket(
        store,
        new_ticket("Faktura OR paragon AND drop table: tickets, body, NEAR x", w.property, w.property_user, base()),
    );
    for q in ["\" * -- ;", "", "   ", "***", "''", "\\", "(", ")", "-- ;", "&|!:*<->", "\u{0}", "🐢🔥"] {
        let f = Filter { q: Some(q.into()), ..page_filter(10) };
        let page = store.read(|tx| tickets::list(tx, &Scope::All, &f)).unwrap_or_else(|e| panic!("query {q:?}: {e}"));
        assert!(page.items.is_empty() && page.next.is_none(), "query {q:?} has no words and finds nothing");
    }
    // Syntax around real words is treated as plain words, never as query syntax.
    for q in [
        "\" OR * -- ;",
        "faktura OR",
        "faktura\" OR \"x",
        "NEAR(faktura paragon)",
        "body:faktura",
        "^faktura",
        "faktura & !paragon | drop:*",
        "'; DROP TABLE tickets; --",
        "faktura*",
        "-faktura",
    ] {
        let f = Filter { q: Some(q.into()), ..page_filter(10) };
        let page = store.read(|tx| tickets::list(tx, &Scope::All, &f)).unwrap_or_else(|e| panic!("query {q:?}: {e}"));
        assert_eq!(page.items.iter().map(|t| t.number).collect::<Vec<_>>(), [t.number], "query {q:?}");
    }
    assert_eq!(search(store, &Scope::All, "faktura NOT paragon"), Vec::<i64>::new(), "NOT is a word, not an operator");
    let long = "a".repeat(5000);
    assert_eq!(search(store, &Scope::All, &long), Vec::<i64>::new());
    assert_eq!(count(store, "tickets"), 1);
}

fn a_very_long_article_is_stored_whole_and_searchable(store: &Store) {
    let w = world(store);
    let t = insert_ticket(store, new_ticket("Log z serwera", w.property, w.property_user, base()));
    // A pasted log: 2 MB of mostly unique tokens (ids, hex), words at its start, a very
    // long base64-like word in the middle.
    let mut body = String::from("Początek logu: kolejka fiskalna zatrzymana.\n");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while body.len() < 2_000_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body.push_str(&format!("{x:016x} req-{} ", x % 100_000));
        if body.len() > 1_000_000 && body.len() < 1_000_100 {
            body.push_str(&"QUJD".repeat(2000));
            body.push(' ');
        }
    }
    let a = write(store, |tx| {
        tickets::insert_article(tx, &new_article(t.id, ArticleKind::PublicReply, Some(w.property_user), &body, base()))
    });
    let stored = read(store, |tx| tickets::articles(tx, t.id, true));
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, a.id);
    assert!(stored[0].body == body, "the article comes back whole ({} bytes)", stored[0].body.len());
    assert_eq!(search(store, &Scope::All, "kolejka fiskalna"), [t.number]);
}

// ---------------------------------------------------------------------------------------
// Articles, attachments, history
// ---------------------------------------------------------------------------------------

fn articles_with_call_and_mail_metadata_round_trip_and_internal_notes_can_be_hidden(store: &Store) {
    let w = world(store);
    let t = insert_ticket(store, new_ticket("Rozmowa i poczta", w.property, w.property_user, base()));
    let other = insert_ticket(store, new_ticket("Inne", w.other, w.other_user, base()));
    let call = Article {
        call: Some(Call {
            direction: CallDirection::Inbound,
            number: Some("+48126543210".into()),
            duration_secs: Some(754),
        }),
        ..new_article(t.id, ArticleKind::PhoneCall, Some(w.agent1), "Klient zgłasza awarię drukarki.", base() + mins(1))
    };
    let outbound = Article {
        call: Some(Call { direction: CallDirection::Outbound, number: None, duration_secs: None }),
        ..new_article(t.id, ArticleKind::PhoneCall, Some(w.agent1), "Nie odebrano.", base() + mins(2))
    };
    let mail = Article {
        mail: Some(MailMeta {
            message_id: Some("<abc.123@pod-rozami.demo>".into()),
            in_reply_to: Some("<ticket-1@deskbell.demo>".into()),
            references: Some("<ticket-1@deskbell.demo> <x@y>".into()),
            from: Some("Recepcja <recepcja@pod-rozami.demo>".into()),
            to: Some("pomoc@deskbell.demo".into()),
            cc: Some("kierownik@pod-rozami.demo".into()),
            html: Some("<p>Dzień dobry,</p>".into()),
            quote_start: Some(12),
        }),
        ..new_article(
            t.id,
            ArticleKind::PublicReply,
            None,
            "Dzień dobry,\r\nw załączniku zrzut ekranu.\r\n",
            base() + mins(3),
        )
    };
    let partial_mail = Article {
        mail: Some(MailMeta { message_id: Some("<only-id@x.demo>".into()), ..Default::default() }),
        ..new_article(t.id, ArticleKind::PublicReply, Some(w.property_user), "Tylko Message-ID.", base() + mins(4))
    };
    let note = new_article(t.id, ArticleKind::InternalNote, Some(w.agent1), "Notatka wewnętrzna", base() + mins(5));
    let notice = new_article(t.id, ArticleKind::SystemNotice, None, "Zgłoszenie przyjęte.", base() + mins(6));
    let foreign = new_article(other.id, ArticleKind::PublicReply, None, "Nie stąd", base());

    let inserted: Vec<Article> = write(store, |tx| {
        let mut v = Vec::new();
        for a in [&call, &outbound, &mail, &partial_mail, &note, &notice, &foreign] {
            v.push(tickets::insert_article(tx, a)?);
        }
        Ok(v)
    });
    for (a, original) in inserted.iter().zip([&call, &outbound, &mail, &partial_mail, &note, &notice, &foreign]) {
        assert_eq!(*a, Article { id: a.id, ..(*original).clone() });
    }
    let everything = read(store, |tx| tickets::articles(tx, t.id, true));
    assert_eq!(everything, inserted[..6].to_vec(), "in order, with every field, only this ticket's");
    let public = read(store, |tx| tickets::articles(tx, t.id, false));
    let expected_public: Vec<Article> =
        inserted[..6].iter().filter(|a| a.kind != ArticleKind::InternalNote).cloned().collect();
    assert_eq!(public, expected_public);
    assert_eq!(public.len(), 5);
    assert!(read(store, |tx| tickets::articles(tx, 999_999, true)).is_empty());
}

fn attachments_are_content_addressed_and_return_the_exact_bytes(store: &Store) {
    let w = world(store);
    let t = insert_ticket(store, new_ticket("Zrzuty ekranu", w.property, w.property_user, base()));
    let other = insert_ticket(store, new_ticket("Inne", w.other, w.other_user, base()));
    // 3 MB of every byte value, in a pseudo-random order.
    let mut big = Vec::with_capacity(3 * 1024 * 1024);
    let mut x: u32 = 12345;
    while big.len() < 3 * 1024 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        big.push((x >> 16) as u8);
    }
    big[..256].copy_from_slice(&(0..=255u8).collect::<Vec<_>>());
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\xff";

    let (a1, a2, files) = write(store, |tx| {
        let a1 = tickets::insert_article(tx, &new_article(t.id, ArticleKind::PublicReply, None, "pierwszy", base()))?;
        let a2 = tickets::insert_article(tx, &new_article(t.id, ArticleKind::PublicReply, None, "drugi", base()))?;
        let a3 = tickets::insert_article(tx, &new_article(other.id, ArticleKind::PublicReply, None, "cudzy", base()))?;
        let files = vec![
            attachments::insert(tx, t.id, a1.id, "ekran.png", "image/png", png, base())?,
            attachments::insert(tx, t.id, a2.id, "ekran (kopia).png", "image/png", png, base() + mins(1))?,
            attachments::insert(tx, t.id, a2.id, "baza.bak", "application/octet-stream", &big, base())?,
            attachments::insert(tx, t.id, a2.id, "pusty.txt", "text/plain", b"", base())?,
            attachments::insert(tx, other.id, a3.id, "ten sam.png", "image/png", png, base())?,
        ];
        Ok((a1, a2, files))
    });
    assert_eq!(count(store, "attachments"), 5);
    assert_eq!(count(store, "blobs"), 3, "the same bytes are stored once");
    assert_eq!(files[0].sha256, files[1].sha256);
    assert_eq!(files[0].sha256, attachments::sha256_hex(png));
    assert_eq!(files[0].sha256.len(), 64);
    assert_eq!(files[2].size, big.len() as i64);
    assert_eq!(files[3].sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(read(store, |tx| attachments::content(tx, &files[0].sha256)), png);
    assert!(read(store, |tx| attachments::content(tx, &files[2].sha256)) == big, "3 MB come back byte for byte");
    assert_eq!(read(store, |tx| attachments::content(tx, &files[3].sha256)), b"");
    assert_eq!(
        read(store, |tx| Ok(attachments::content(tx, &attachments::sha256_hex(b"nie ma")))),
        Err(StoreError::NotFound)
    );
    assert_eq!(read(store, |tx| attachments::get(tx, files[1].id)), files[1]);
    assert_eq!(files[1].filename, "ekran (kopia).png");
    assert_eq!(files[1].created_at, base() + mins(1));
    assert_eq!(read(store, |tx| attachments::for_ticket(tx, t.id)), files[..4].to_vec());

    let arts = read(store, |tx| tickets::articles(tx, t.id, true));
    assert_eq!(arts.len(), 2);
    assert_eq!((arts[0].id, arts[0].attachments.clone()), (a1.id, files[..1].to_vec()));
    assert_eq!((arts[1].id, arts[1].attachments.clone()), (a2.id, files[1..4].to_vec()));
}

fn history_events_are_appended_and_listed_in_order(store: &Store) {
    let w = world(store);
    let t = insert_ticket(store, new_ticket("Historia", w.property, w.property_user, base()));
    let other = insert_ticket(store, new_ticket("Inna historia", w.other, w.other_user, base()));
    write(store, |tx| {
        events::append(tx, t.id, Some(w.property_user), base(), &NewEvent { kind: "created", ..Default::default() })?;
        events::append(tx, other.id, None, base(), &NewEvent { kind: "created", ..Default::default() })?;
        events::append(
            tx,
            t.id,
            Some(w.agent1),
            base() + mins(10),
            &NewEvent {
                kind: "field_changed",
                field: Some("priority"),
                old_value: Some("standard".into()),
                new_value: Some("critical".into()),
                reason: Some("Sprzedaż biletów stoi"),
            },
        )
    });
    // A later transaction appends; an earlier timestamp does not reorder the history.
    write(store, |tx| {
        events::append(
            tx,
            t.id,
            None,
            base() + mins(5),
            &NewEvent { kind: "sla_warning", new_value: Some("first_response".into()), ..Default::default() },
        )
    });
    let list = read(store, |tx| events::list(tx, t.id));
    let summary: Vec<_> = list
        .iter()
        .map(|e| {
            (
                e.ticket_id,
                e.actor_id,
                e.at,
                e.kind.as_str(),
                e.field.as_deref(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
                e.reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (t.id, Some(w.property_user), base(), "created", None, None, None, None),
            (
                t.id,
                Some(w.agent1),
                base() + mins(10),
                "field_changed",
                Some("priority"),
                Some("standard"),
                Some("critical"),
                Some("Sprzedaż biletów stoi")
            ),
            (t.id, None, base() + mins(5), "sla_warning", None, None, Some("first_response"), None),
        ]
    );
    assert!(list.windows(2).all(|p| p[0].id < p[1].id));
    assert_eq!(read(store, |tx| events::list(tx, other.id)).len(), 1);
    assert!(read(store, |tx| events::list(tx, 999_999)).is_empty());

    // Several events in one statement keep their order and every field.
    let at = base() + mins(20);
    write(store, |tx| {
        events::append_all(
            tx,
            other.id,
            Some(w.agent2),
            at,
            &[
                NewEvent {
                    kind: "assigned",
                    field: Some("assignee_id"),
                    new_value: Some("7".into()),
                    reason: Some("routing: a"),
                    ..Default::default()
                },
                NewEvent {
                    kind: "field_changed",
                    field: Some("team_id"),
                    old_value: Some("1".into()),
                    new_value: None,
                    reason: None,
                },
                NewEvent {
                    kind: "article_added",
                    field: Some("public_reply"),
                    new_value: Some("9".into()),
                    ..Default::default()
                },
            ],
        )?;
        events::append_all(tx, other.id, None, at, &[])
    });
    let batch: Vec<_> = read(store, |tx| events::list(tx, other.id))
        .into_iter()
        .skip(1)
        .map(|e| (e.actor_id, e.at, e.kind, e.field, e.old_value, e.new_value, e.reason))
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        batch,
        [
            (Some(w.agent2), at, "assigned".to_owned(), s("assignee_id"), None, s("7"), s("routing: a")),
            (Some(w.agent2), at, "field_changed".to_owned(), s("team_id"), s("1"), None, None),
            (Some(w.agent2), at, "article_added".to_owned(), s("public_reply"), None, s("9"), None),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Auth: sessions, tokens, login attempts; settings
// ---------------------------------------------------------------------------------------

fn sessions_are_found_until_they_expire_or_are_deleted(store: &Store) {
    let w = world(store);
    let now = base();
    let expires = now + mins(30);
    write(store, |tx| {
        auth::create_session(tx, "hash-a", w.agent1, "csrf-a", now, expires)?;
        auth::create_session(tx, "hash-b", w.agent2, "csrf-b", now, now + mins(5))?;
        auth::create_session(tx, "hash-c", w.agent2, "csrf-c", now, now + mins(60))
    });
    let s = read(store, |tx| auth::session(tx, "hash-a", now)).expect("live session");
    assert_eq!((s.person.id, s.csrf_token.as_str(), s.expires_at), (w.agent1, "csrf-a", expires));
    assert_eq!(s.person, read(store, |tx| people::get(tx, w.agent1)), "the session's person, read with it");
    assert!(read(store, |tx| auth::session(tx, "hash-a", expires - SignedDuration::from_micros(1))).is_some());
    assert!(read(store, |tx| auth::session(tx, "hash-a", expires)).is_none(), "expired at its expiry instant");
    assert!(read(store, |tx| auth::session(tx, "no-such-hash", now)).is_none());
    assert_eq!(
        store.write(|tx| auth::create_session(tx, "hash-a", w.agent2, "x", now, expires)),
        Err(StoreError::Unique { constraint: "sessions.token_hash".into() })
    );

    write(store, |tx| auth::delete_session(tx, "hash-a"));
    assert!(read(store, |tx| auth::session(tx, "hash-a", now)).is_none());
    write(store, |tx| auth::delete_session(tx, "hash-a"));

    let purged = write(store, |tx| auth::purge_expired_sessions(tx, now + mins(10)));
    assert_eq!(purged, 1, "only the session expired by then");
    assert!(read(store, |tx| auth::session(tx, "hash-c", now)).is_some());
    assert_eq!(count(store, "sessions"), 1);
}

fn api_tokens_work_until_revoked_or_the_owner_is_deactivated(store: &Store) {
    let w = world(store);
    let scopes = vec!["tickets:read".to_owned(), "tickets:write".to_owned()];
    let (id, other) = write(store, |tx| {
        let id = auth::create_token(tx, w.agent1, "Monitoring Zabbix", "tok-hash-1", &scopes, base())?;
        let other = auth::create_token(tx, w.agent2, "Skrypt", "tok-hash-2", &[], base())?;
        Ok((id, other))
    });
    let tok = read(store, |tx| auth::token(tx, "tok-hash-1")).expect("token");
    assert_eq!(
        (tok.id, tok.person.id, tok.name.as_str(), tok.scopes.clone()),
        (id, w.agent1, "Monitoring Zabbix", scopes.clone())
    );
    assert_eq!(tok.person, read(store, |tx| people::get(tx, w.agent1)), "the token's person, read with it");
    assert_eq!(read(store, |tx| auth::token(tx, "tok-hash-2")).map(|t| (t.id, t.scopes)), Some((other, vec![])));
    assert!(read(store, |tx| auth::token(tx, "unknown")).is_none());
    assert_eq!(
        store.write(|tx| auth::create_token(tx, w.agent2, "x", "tok-hash-1", &[], base())),
        Err(StoreError::Unique { constraint: "api_tokens.token_hash".into() })
    );

    write(store, |tx| tx.execute("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1", params![id, base()]));
    assert!(read(store, |tx| auth::token(tx, "tok-hash-1")).is_none(), "revoked");

    let bartek = read(store, |tx| people::get(tx, w.agent2));
    let input = PersonInput {
        email: bartek.email,
        name: bartek.name,
        role: bartek.role,
        organisation_id: None,
        phone: None,
        language: bartek.language,
        active: false,
    };
    write(store, |tx| people::update(tx, w.agent2, &input, base()));
    assert!(read(store, |tx| auth::token(tx, "tok-hash-2")).is_none(), "owner inactive");
}

fn a_lookup_reads_what_is_committed_and_refuses_to_write(store: &Store) {
    let w = world(store);
    write(store, |tx| auth::create_token(tx, w.agent1, "Zabbix", "tok-lookup", &[], base()));
    let found = store.lookup(|tx| auth::token(tx, "tok-lookup")).expect("lookup").expect("token");
    assert_eq!(found.person.id, w.agent1);
    let before = census(store);
    let refused = store.lookup(|tx| auth::create_token(tx, w.agent2, "x", "tok-sneaked", &[], base()));
    assert!(refused.is_err(), "a lookup must not write: {refused:?}");
    assert_eq!(census(store), before, "nothing was written");
    assert!(read(store, |tx| auth::token(tx, "tok-sneaked")).is_none());
}

fn a_successful_login_resets_the_failure_count(store: &Store) {
    let t0 = base();
    let since = t0 - mins(15);
    let failures = |at: Timestamp| read(store, |tx| auth::recent_failures(tx, "anna@deskbell.demo", at - mins(15)));
    write(store, |tx| {
        auth::record_login_attempt(tx, "anna@deskbell.demo", false, t0 - mins(20))?; // before the window
        auth::record_login_attempt(tx, "anna@deskbell.demo", false, t0 - mins(3))?;
        auth::record_login_attempt(tx, "anna@deskbell.demo", false, t0 - mins(2))?;
        auth::record_login_attempt(tx, "bartek@deskbell.demo", false, t0 - mins(2))?;
        auth::record_login_attempt(tx, "anna@deskbell.demo", false, t0 - mins(1))
    });
    assert_eq!(read(store, |tx| auth::recent_failures(tx, "anna@deskbell.demo", since)), 3);
    assert_eq!(failures(t0), 3);
    assert_eq!(read(store, |tx| auth::recent_failures(tx, "bartek@deskbell.demo", since)), 1);
    assert_eq!(read(store, |tx| auth::recent_failures(tx, "nikt@deskbell.demo", since)), 0);

    write(store, |tx| auth::record_login_attempt(tx, "anna@deskbell.demo", true, t0));
    assert_eq!(failures(t0), 0, "a correct password resets the count");
    assert_eq!(read(store, |tx| auth::recent_failures(tx, "bartek@deskbell.demo", since)), 1, "only for that address");

    write(store, |tx| auth::record_login_attempt(tx, "anna@deskbell.demo", false, t0 + mins(1)));
    assert_eq!(failures(t0 + mins(1)), 1);
    // Much later the old failures have left the window.
    assert_eq!(failures(t0 + mins(60)), 0);
}

fn settings_are_upserted(store: &Store) {
    assert_eq!(read(store, |tx| settings::get(tx, "demo_loaded")), None);
    write(store, |tx| settings::set(tx, "demo_loaded", "2025-03-14"));
    assert_eq!(read(store, |tx| settings::get(tx, "demo_loaded")).as_deref(), Some("2025-03-14"));
    write(store, |tx| settings::set(tx, "demo_loaded", ""));
    assert_eq!(read(store, |tx| settings::get(tx, "demo_loaded")).as_deref(), Some(""));
    write(store, |tx| settings::set(tx, "inne", "x"));
    assert_eq!(count(store, "settings"), 2);
    assert_eq!(read(store, |tx| settings::get(tx, "DEMO_LOADED")), None, "keys are case-sensitive");
}

// ---------------------------------------------------------------------------------------
// Text and time fidelity
// ---------------------------------------------------------------------------------------

const HOSTILE: &[&str] = &[
    "'; DROP TABLE tickets; --",
    "<script>alert(1)</script>",
    "Zażółć gęślą jaźń ŻÓŁĆ",
    "🐢🔥 żółw 👩‍💻",
    "Robert'); DELETE FROM people WHERE ('1'='1",
    "\" OR \"\"=\" $1 ?1 :name @x %s {0} \\n \\\\",
    "line one\r\nline two\ttab",
    "e\u{301} (combining) vs \u{e9}",
    "   leading and trailing   ",
    "&lt;b&gt; &amp; &#x27;",
];

fn hostile_and_international_text_comes_back_exactly_as_stored(store: &Store) {
    let w = world(store);
    for (i, s) in HOSTILE.iter().enumerate() {
        let s = (*s).to_owned();
        let at = base() + mins(i as i64);
        let org = write(store, |tx| {
            orgs::create(
                tx,
                &OrganisationInput {
                    notes: s.clone(),
                    phones: vec![format!("{s}#{i}")],
                    mail_domains: vec![format!("{s}.{i}")],
                    ..org_input(&format!("{s} {i}"))
                },
                at,
            )
        });
        let got = read(store, |tx| orgs::get(tx, org.id));
        assert_eq!(
            (got.name, got.notes, got.phones, got.mail_domains),
            (format!("{s} {i}"), s.clone(), vec![format!("{s}#{i}")], vec![format!("{s}.{i}")])
        );
        assert_eq!(read(store, |tx| orgs::by_phone(tx, &format!("{s}#{i}"))), Some(org.id));

        let person = write(store, |tx| {
            people::create(
                tx,
                &person_input(&format!("p{i}@x.demo"), &s, Role::CustomerUser, Some(org.id)),
                Some(&s),
                at,
            )
        });
        assert_eq!(read(store, |tx| people::get(tx, person.id)).name, s);
        assert_eq!(read(store, |tx| people::password_hash(tx, person.id)), Some(s.clone()));

        let mut t = new_ticket(&s, org.id, person.id, at);
        t.cc = vec![s.clone(), format!("[\"{s}\"]")];
        t.tags = vec![s.clone()];
        t.module = Some(s.clone());
        t.local_it_checks = Some(s.clone());
        let t = insert_ticket(store, t);
        let back = read(store, |tx| tickets::by_number(tx, t.number, &Scope::All));
        assert_eq!(
            (back.subject.as_str(), back.module.as_deref(), back.local_it_checks.as_deref()),
            (s.as_str(), Some(s.as_str()), Some(s.as_str()))
        );
        assert_eq!((back.cc, back.tags), (vec![s.clone(), format!("[\"{s}\"]")], vec![s.clone()]));

        let mail = MailMeta {
            message_id: Some(s.clone()),
            in_reply_to: Some(s.clone()),
            references: Some(s.clone()),
            from: Some(s.clone()),
            to: Some(s.clone()),
            cc: Some(s.clone()),
            html: Some(s.clone()),
            quote_start: None,
        };
        let a = Article { mail: Some(mail), ..new_article(t.id, ArticleKind::PublicReply, None, &s, at) };
        write(store, |tx| {
            let a = tickets::insert_article(tx, &a)?;
            attachments::insert(tx, t.id, a.id, &s, &s, s.as_bytes(), at)?;
            events::append(
                tx,
                t.id,
                None,
                at,
                &NewEvent {
                    kind: &s,
                    field: Some(&s),
                    old_value: Some(s.clone()),
                    new_value: Some(s.clone()),
                    reason: Some(&s),
                },
            )?;
            settings::set(tx, &s, &s)?;
            auth::create_session(tx, &s, person.id, &s, at, at + mins(1))?;
            auth::create_token(tx, person.id, &s, &format!("tok-{s}"), &[], at)
        });
        let arts = read(store, |tx| tickets::articles(tx, t.id, true));
        assert_eq!(arts, vec![Article { id: arts[0].id, attachments: arts[0].attachments.clone(), ..a.clone() }]);
        let file = &arts[0].attachments[0];
        assert_eq!((file.filename.as_str(), file.content_type.as_str()), (s.as_str(), s.as_str()));
        assert_eq!(read(store, |tx| attachments::content(tx, &file.sha256)), s.as_bytes());
        let e = &read(store, |tx| events::list(tx, t.id))[0];
        assert_eq!(
            (e.kind.as_str(), e.field.as_deref(), e.old_value.as_deref(), e.new_value.as_deref(), e.reason.as_deref()),
            (s.as_str(), Some(s.as_str()), Some(s.as_str()), Some(s.as_str()), Some(s.as_str()))
        );
        assert_eq!(read(store, |tx| settings::get(tx, &s)), Some(s.clone()));
        assert_eq!(read(store, |tx| auth::session(tx, &s, at)).map(|x| x.csrf_token), Some(s.clone()));
        assert_eq!(read(store, |tx| auth::token(tx, &format!("tok-{s}"))).map(|x| x.name), Some(s.clone()));
    }
    // Nothing above was executed as SQL.
    assert_eq!(count(store, "tickets"), HOSTILE.len() as i64);
    assert_eq!(count(store, "people"), 5 + HOSTILE.len() as i64, "the world's five and one per text");
    // And the hostile text is searchable like any other.
    assert_eq!(search(store, &Scope::All, "zazolc gesla jazn").len(), 1);
    assert_eq!(search(store, &Scope::All, "DROP TABLE").len(), 1);
    assert_eq!(search(store, &Scope::All, "script alert").len(), 1);
    let _ = w;
}

fn text_with_a_nul_character_is_refused_by_both_backends_and_nothing_is_written(store: &Store) {
    let w = world(store);
    let before = census(store);
    let got = store.write(|tx| tickets::insert(tx, &new_ticket("przed\0po", w.property, w.property_user, base())));
    assert!(matches!(got, Err(StoreError::Db(_))), "got {got:?}");
    let got = store.write(|tx| settings::set(tx, "k", "a\0b"));
    assert!(matches!(got, Err(StoreError::Db(_))), "got {got:?}");
    assert_eq!(census(store), before);
    // Bytes with NUL are fine as attachment content.
    let t = insert_ticket(store, new_ticket("Plik binarny", w.property, w.property_user, base()));
    let f = write(store, |tx| {
        let a = tickets::insert_article(tx, &new_article(t.id, ArticleKind::PublicReply, None, "plik", base()))?;
        attachments::insert(tx, t.id, a.id, "a.bin", "application/octet-stream", b"a\0b\0", base())
    });
    assert_eq!(read(store, |tx| attachments::content(tx, &f.sha256)), b"a\0b\0");
}

fn timestamps_round_trip_to_the_microsecond(store: &Store) {
    let w = world(store);
    let instants = [
        ts("2025-03-30T00:59:59.999999Z"), // an hour before the spring DST change in Warsaw
        ts("2025-10-26T01:00:00.000001Z"),
        ts("1969-12-31T23:59:59.999999Z"),
        ts("1900-01-01T00:00:00.000001Z"),
        ts("2000-01-01T00:00:00Z"),
        // jiff's last instant is 9999-12-30T22:00:00.999999999Z; one microsecond is added below.
        ts("9999-12-30T21:59:59.999999Z"),
        Timestamp::from_microsecond(1).expect("1 µs"),
    ];
    for at in instants {
        let t = insert_ticket(store, new_ticket("Czas", w.property, w.property_user, at));
        assert_eq!((t.created_at, t.updated_at), (at, at), "{at}");
        let saved = write(store, |tx| {
            tickets::save(
                tx,
                &Ticket {
                    first_response_at: Some(at),
                    resolved_at: Some(at),
                    closed_at: Some(at),
                    updated_at: at,
                    ..t.clone()
                },
            )
        });
        assert_eq!(
            (saved.first_response_at, saved.resolved_at, saved.closed_at),
            (Some(at), Some(at), Some(at)),
            "{at}"
        );
        write(store, |tx| events::append(tx, t.id, None, at, &NewEvent { kind: "x", ..Default::default() }));
        assert_eq!(read(store, |tx| events::list(tx, t.id))[0].at, at);
        write(store, |tx| auth::create_session(tx, &format!("s{at}"), w.agent1, "c", at, at));
        let expires: Timestamp = read(store, |tx| {
            tx.query_one("SELECT expires_at FROM sessions WHERE token_hash = $1", params![format!("s{at}")])?.time(0)
        });
        assert_eq!(expires, at);
        // The instant is also exact as a filter bound.
        let f = Filter { updated_since: Some(at), requester_id: Some(w.property_user), ..page_filter(200) };
        assert!(read(store, |tx| tickets::list(tx, &Scope::All, &f)).items.iter().any(|x| x.id == t.id));
        let f = Filter { updated_since: Some(at + SignedDuration::from_micros(1)), ..f };
        assert!(!read(store, |tx| tickets::list(tx, &Scope::All, &f)).items.iter().any(|x| x.id == t.id));
    }
    // Below a microsecond, both backends keep the same (truncated) instant.
    let precise = ts("2025-06-01T12:00:00.123456789Z");
    let t = insert_ticket(store, new_ticket("Nanosekundy", w.property, w.property_user, precise));
    assert_eq!(t.created_at, ts("2025-06-01T12:00:00.123456Z"));
}

fn names_are_listed_in_the_same_order_on_both_backends(store: &Store) {
    let now = base();
    let names = ["Łazienki Hotel", "apteka zdrojowa", "Zdrój", "Hotel B", "hotel a", "Ósemka", "Lipowy Dwór", "Ćma"];
    write(store, |tx| {
        for (i, n) in names.iter().enumerate() {
            let org = orgs::create(tx, &org_input(n), now)?;
            people::create(tx, &person_input(&format!("p{i}@x.demo"), n, Role::CustomerUser, Some(org.id)), None, now)?;
        }
        Ok(())
    });
    let expected = ["apteka zdrojowa", "Ćma", "hotel a", "Hotel B", "Lipowy Dwór", "Łazienki Hotel", "Ósemka", "Zdrój"];
    let orgs: Vec<String> = read(store, |tx| orgs::list(tx, None)).into_iter().map(|o| o.name).collect();
    assert_eq!(orgs, expected);
    let people: Vec<String> = read(store, |tx| people::list(tx, None)).into_iter().map(|p| p.name).collect();
    assert_eq!(people, expected);
}
