//! The store contract of the knowledge base, trainings and release notes, on SQLite and
//! PostgreSQL: who reads which article, search with and without Polish diacritics, revisions,
//! files, ticket links with their history event, and registrations that never overbook.

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use deskbell_domain::kb::{ArticleStatus, Reader, RegistrationStatus, Visibility};
use deskbell_domain::person::{Language, Role};
use deskbell_store::kb::{self, ArticleInput, Filter};
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::releases::{self, ReleaseInput};
use deskbell_store::tickets;
use deskbell_store::trainings::{self, Refusal, TrainingInput};
use deskbell_store::{Store, StoreError, Tx, events};
use jiff::{SignedDuration, Timestamp};

contract_tests!(
    each_reader_finds_only_the_articles_it_may_read,
    search_finds_polish_words_with_and_without_diacritics,
    saving_an_article_keeps_every_revision_with_its_author_and_refuses_a_stale_version,
    an_article_file_is_served_only_to_readers_of_its_article,
    a_used_article_is_recorded_once_with_a_history_event,
    fifty_concurrent_registrations_for_ten_places_give_ten_places_and_forty_waiting,
    a_cancelled_place_goes_to_the_first_on_the_waiting_list,
    a_registration_after_the_start_or_for_a_full_event_without_a_waiting_list_writes_nothing,
    releases_newer_than_an_installation_compare_versions_as_numbers,
    each_voter_counts_once_and_a_changed_answer_moves_the_count,
);

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn now() -> Timestamp {
    ts("2026-12-01T09:00:00Z")
}

fn write<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.write(f).expect("write transaction")
}

fn read<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.read(f).expect("read transaction")
}

struct World {
    org: i64,
    author: i64,
    customers: Vec<i64>,
    product: i64,
}

fn world(store: &Store, customers: usize) -> World {
    write(store, |tx| {
        let org = orgs::create(
            tx,
            &OrganisationInput {
                name: "Hotel Pod Różami".into(),
                time_zone: "Europe/Warsaw".into(),
                active: true,
                ..Default::default()
            },
            now(),
        )?
        .id;
        let person = |tx: &mut Tx<'_>, email: String, role: Role, org: Option<i64>| {
            people::create(
                tx,
                &PersonInput {
                    email: email.parse().unwrap(),
                    name: email.clone(),
                    role,
                    organisation_id: org,
                    phone: None,
                    language: Language::Pl,
                    active: true,
                },
                None,
                now(),
            )
            .map(|p| p.id)
        };
        let author = person(tx, "agent@vendor.test".into(), Role::Agent, None)?;
        let mut list = Vec::new();
        for i in 0..customers {
            list.push(person(tx, format!("gosc{i}@pod-rozami.test"), Role::CustomerUser, Some(org))?);
        }
        let product = orgs::save_product(tx, None, "ph", "PremiumHotel", None, now())?.id;
        Ok(World { org, author, customers: list, product })
    })
}

fn article(
    store: &Store,
    w: &World,
    slug: &str,
    visibility: Visibility,
    status: ArticleStatus,
    pl: &str,
    en: Option<&str>,
) -> i64 {
    let mut texts = vec![(Language::Pl, pl.to_owned(), format!("Treść: {pl}"))];
    if let Some(en) = en {
        texts.push((Language::En, en.to_owned(), format!("Body: {en}")));
    }
    let input = ArticleInput {
        slug: slug.into(),
        category_id: None,
        product_id: Some(w.product),
        module: None,
        visibility,
        status,
    };
    write(store, |tx| kb::create(tx, &input, &texts, Some(w.author), now())).id
}

fn slugs(store: &Store, reader: Reader, query: &str) -> Vec<String> {
    let mut v: Vec<String> = read(store, |tx| {
        kb::list(tx, &Filter { reader, query, category_id: None, product_id: None, status: None, limit: 50 })
    })
    .into_iter()
    .map(|a| a.slug)
    .collect();
    v.sort();
    v
}

fn each_reader_finds_only_the_articles_it_may_read(store: &Store) {
    let w = world(store, 0);
    article(store, &w, "publiczny", Visibility::Public, ArticleStatus::Published, "Faktura publiczna", None);
    article(store, &w, "klienci", Visibility::Customers, ArticleStatus::Published, "Faktura dla klientów", None);
    let internal =
        article(store, &w, "wewn", Visibility::Internal, ArticleStatus::Published, "Faktura wewnętrzna", None);
    article(store, &w, "szkic", Visibility::Public, ArticleStatus::Draft, "Faktura szkic", None);
    assert_eq!(slugs(store, Reader::Anonymous, ""), ["publiczny"]);
    assert_eq!(slugs(store, Reader::Customer, "faktura"), ["klienci", "publiczny"]);
    assert_eq!(slugs(store, Reader::Vendor, "faktura"), ["klienci", "publiczny", "szkic", "wewn"]);
    // Asked for by id or by slug, an internal article is missing for a customer.
    for key in [internal.to_string(), "wewn".to_owned()] {
        assert_eq!(read(store, |tx| Ok(kb::readable(tx, Reader::Customer, &key))), Err(StoreError::NotFound));
    }
    assert_eq!(read(store, |tx| Ok(kb::readable(tx, Reader::Anonymous, "klienci"))), Err(StoreError::NotFound));
    assert_eq!(read(store, |tx| kb::readable(tx, Reader::Vendor, "wewn")).id, internal);
}

fn search_finds_polish_words_with_and_without_diacritics(store: &Store) {
    let w = world(store, 0);
    article(
        store,
        &w,
        "jak-wystawic-fakture",
        Visibility::Public,
        ArticleStatus::Published,
        "Jak wystawić fakturę zaliczkową",
        Some("How to issue an advance invoice"),
    );
    article(store, &w, "zmiana-hasla", Visibility::Public, ArticleStatus::Published, "Zmiana hasła użytkownika", None);
    for q in ["wystawić fakturę", "wystawic fakture", "WYSTAWIC", "zaliczk", "faktur", "advance invoice"] {
        assert_eq!(slugs(store, Reader::Anonymous, q), ["jak-wystawic-fakture"], "query {q}");
    }
    assert_eq!(slugs(store, Reader::Anonymous, "hasla"), ["zmiana-hasla"]);
    assert_eq!(slugs(store, Reader::Anonymous, "hasła użytkownika"), ["zmiana-hasla"]);
    // Every word must match, and in the middle of a word nothing does.
    assert!(slugs(store, Reader::Anonymous, "faktura hasło").is_empty());
    assert!(slugs(store, Reader::Anonymous, "aktur").is_empty());
    // Query syntax is inert.
    assert!(slugs(store, Reader::Anonymous, "%' OR 1=1 --").is_empty());
}

fn saving_an_article_keeps_every_revision_with_its_author_and_refuses_a_stale_version(store: &Store) {
    let w = world(store, 0);
    let id = article(store, &w, "faktura", Visibility::Public, ArticleStatus::Draft, "Faktura", None);
    let a = read(store, |tx| kb::get(tx, id));
    assert_eq!(a.published_at, None);
    let input = ArticleInput {
        slug: a.slug.clone(),
        category_id: None,
        product_id: None,
        module: Some("Recepcja".into()),
        visibility: Visibility::Customers,
        status: ArticleStatus::Published,
    };
    let texts = [(Language::En, "Invoice".to_owned(), "Body".to_owned())];
    let later = now() + SignedDuration::from_mins(5);
    let b = write(store, |tx| kb::update(tx, id, a.version, &input, &texts, Some(w.author), later));
    assert_eq!((b.version, b.status, b.published_at), (a.version + 1, ArticleStatus::Published, Some(later)));
    assert_eq!(b.text(Language::En).map(|t| t.title.as_str()), Some("Invoice"));
    assert_eq!(b.text(Language::Pl).map(|t| t.title.as_str()), Some("Faktura"));
    let stale = store.write(|tx| kb::update(tx, id, a.version, &input, &texts, Some(w.author), later));
    assert_eq!(stale.map(|a| a.id), Err(StoreError::Conflict));
    let revs = read(store, |tx| kb::revisions(tx, id));
    assert_eq!(revs.len(), 2);
    assert_eq!((revs[0].language, revs[0].author_id, revs[0].created_at), (Language::En, Some(w.author), later));
    assert_eq!(revs[1].title, "Faktura");
}

fn an_article_file_is_served_only_to_readers_of_its_article(store: &Store) {
    let w = world(store, 0);
    let public = article(store, &w, "pub", Visibility::Public, ArticleStatus::Published, "Publiczny", None);
    let internal = article(store, &w, "wew", Visibility::Internal, ArticleStatus::Published, "Wewnętrzny", None);
    let f1 = write(store, |tx| kb::add_file(tx, public, "ekran.png", "image/png", b"png bytes", now()));
    let f2 = write(store, |tx| kb::add_file(tx, internal, "haslo.txt", "text/plain", b"secret", now()));
    assert_eq!(read(store, |tx| kb::readable_file(tx, Reader::Anonymous, f1.id)).1, b"png bytes");
    assert_eq!(
        read(store, |tx| Ok(kb::readable_file(tx, Reader::Customer, f2.id).map(|f| f.1))),
        Err(StoreError::NotFound)
    );
    assert_eq!(read(store, |tx| kb::readable_file(tx, Reader::Vendor, f2.id)).1, b"secret");
    assert_eq!(read(store, |tx| kb::files(tx, internal)).len(), 1);
}

fn a_used_article_is_recorded_once_with_a_history_event(store: &Store) {
    let w = world(store, 1);
    let a = article(store, &w, "faktura", Visibility::Public, ArticleStatus::Published, "Faktura", None);
    let ticket = write(store, |tx| {
        tickets::insert(tx, &deskbell_store::testing::new_ticket("Faktura", w.org, w.customers[0], now()))
    });
    write(store, |tx| kb::suggested(tx, ticket.id, &[a], Some(w.author), now()));
    write(store, |tx| kb::suggested(tx, ticket.id, &[a], None, now() + SignedDuration::from_mins(1)));
    assert!(write(store, |tx| kb::used(tx, ticket.id, a, w.author, now())));
    assert!(!write(store, |tx| kb::used(tx, ticket.id, a, w.author, now())));
    let links = read(store, |tx| kb::ticket_links(tx, ticket.id));
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].suggested_at, links[0].suggested_by), (Some(now()), Some(w.author)));
    assert_eq!((links[0].used_at, links[0].used_by), (Some(now()), Some(w.author)));
    let evs: Vec<_> =
        read(store, |tx| events::list(tx, ticket.id)).into_iter().filter(|e| e.kind == "kb_article_used").collect();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].new_value.as_deref(), Some("faktura"));
}

fn training(capacity: i64, waiting_list: bool) -> TrainingInput {
    TrainingInput {
        title: "Nowości w PremiumHotel".into(),
        description: String::new(),
        product_id: None,
        starts_at: ts("2026-12-10T10:00:00Z"),
        time_zone: "Europe/Warsaw".into(),
        duration_minutes: 90,
        online_url: Some("https://meet.example/abc".into()),
        capacity,
        waiting_list,
        recording_url: None,
        materials: String::new(),
    }
}

fn fifty_concurrent_registrations_for_ten_places_give_ten_places_and_forty_waiting(store: &Store) {
    let w = world(store, 50);
    let t = write(store, |tx| trainings::create(tx, &training(10, true), now())).id;
    let handles: Vec<_> = w
        .customers
        .iter()
        .map(|p| {
            let (store, p) = (store.clone(), *p);
            std::thread::spawn(move || store.write(|tx| trainings::register(tx, t, p, now())).expect("register"))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().expect("thread").expect("registered")).collect();
    let count = |s: RegistrationStatus| results.iter().filter(|r| r.status == s).count();
    assert_eq!((count(RegistrationStatus::Registered), count(RegistrationStatus::Waiting)), (10, 40));
    let tr = read(store, |tx| trainings::get(tx, t));
    assert_eq!((tr.registered, tr.waiting), (10, 40));
}

fn a_cancelled_place_goes_to_the_first_on_the_waiting_list(store: &Store) {
    let w = world(store, 3);
    let t = write(store, |tx| trainings::create(tx, &training(1, true), now())).id;
    for (i, p) in w.customers.iter().enumerate() {
        let at = now() + SignedDuration::from_mins(i as i64);
        write(store, |tx| trainings::register(tx, t, *p, at)).expect("registered");
    }
    let (cancelled, promoted) =
        write(store, |tx| trainings::cancel(tx, t, w.customers[0], now() + SignedDuration::from_mins(9)));
    assert_eq!(cancelled.map(|r| r.status), Some(RegistrationStatus::Registered));
    assert_eq!(promoted, Some(w.customers[1]), "the one waiting longest gets the place");
    let status = |p: i64| read(store, |tx| trainings::registration(tx, t, p)).map(|r| r.status);
    assert_eq!(status(w.customers[1]), Some(RegistrationStatus::Registered));
    assert_eq!(status(w.customers[2]), Some(RegistrationStatus::Waiting));
    // Cancelling again changes nothing; registering again joins the end of the queue.
    assert_eq!(write(store, |tx| trainings::cancel(tx, t, w.customers[0], now())), (None, None));
    let again = write(store, |tx| trainings::register(tx, t, w.customers[0], now() + SignedDuration::from_mins(10)));
    assert_eq!(again.map(|r| r.status), Ok(RegistrationStatus::Waiting));
    // A larger capacity moves the waiting list up.
    let (tr, promoted) =
        write(store, |tx| trainings::update(tx, t, &training(3, true), now() + SignedDuration::from_mins(11)));
    assert_eq!(promoted, [w.customers[2], w.customers[0]]);
    assert_eq!((tr.registered, tr.waiting), (3, 0));
}

fn a_registration_after_the_start_or_for_a_full_event_without_a_waiting_list_writes_nothing(store: &Store) {
    let w = world(store, 2);
    let t = write(store, |tx| trainings::create(tx, &training(1, false), now())).id;
    assert!(write(store, |tx| trainings::register(tx, t, w.customers[0], now())).is_ok());
    assert_eq!(write(store, |tx| trainings::register(tx, t, w.customers[1], now())), Err(Refusal::Full));
    assert_eq!(
        write(store, |tx| trainings::register(tx, t, w.customers[0], now())),
        Err(Refusal::Already(RegistrationStatus::Registered))
    );
    let after = ts("2026-12-10T10:00:00Z");
    write(store, |tx| trainings::cancel(tx, t, w.customers[0], now()));
    assert_eq!(write(store, |tx| trainings::register(tx, t, w.customers[1], after)), Err(Refusal::Started));
    assert_eq!(read(store, |tx| trainings::registration(tx, t, w.customers[1])), None);
    assert_eq!(read(store, |tx| trainings::registrations(tx, t)).len(), 1);
}

fn releases_newer_than_an_installation_compare_versions_as_numbers(store: &Store) {
    let w = world(store, 0);
    for (v, published) in [("2.9", true), ("2.10", true), ("2.10.1", false), ("2.8", true), ("3.0", true)] {
        let input = ReleaseInput {
            product_id: w.product,
            version: v.into(),
            released_on: "2026-11-01".into(),
            notes: format!("Zmiany w {v}"),
            published,
        };
        write(store, |tx| releases::save(tx, None, &input, now()));
    }
    let versions = |since: Option<&str>| -> Vec<String> {
        read(store, |tx| releases::newer_than(tx, w.product, since)).into_iter().map(|r| r.version).collect()
    };
    assert_eq!(versions(Some("2.9")), ["3.0", "2.10"]);
    assert_eq!(versions(None), ["3.0", "2.10", "2.9", "2.8"]);
    assert!(versions(Some("3.0")).is_empty());
    let dup = ReleaseInput {
        product_id: w.product,
        version: "3.0".into(),
        released_on: "2026-11-02".into(),
        notes: String::new(),
        published: false,
    };
    assert!(matches!(store.write(|tx| releases::save(tx, None, &dup, now())), Err(StoreError::Unique { .. })));
}

fn each_voter_counts_once_and_a_changed_answer_moves_the_count(store: &Store) {
    let w = world(store, 0);
    let a = article(store, &w, "faktura", Visibility::Public, ArticleStatus::Published, "Faktura", None);
    let vote = |voter: &str, helpful: bool| write(store, |tx| kb::vote(tx, a, voter, helpful, now()));
    assert!(vote("person:1", true));
    assert!(!vote("person:1", true), "the same answer again changes nothing");
    assert!(vote("browser:abc", true));
    assert!(vote("person:1", false), "a changed answer moves the count");
    let got = read(store, |tx| kb::get(tx, a));
    assert_eq!((got.helpful_yes, got.helpful_no), (1, 1));
    assert_eq!(store.write(|tx| kb::vote(tx, 999, "person:1", true, now())), Err(StoreError::NotFound));
}
