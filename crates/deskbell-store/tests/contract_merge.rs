//! Merged and linked tickets and the children of a major incident, on both backends: what a
//! merge moves (articles, files, history, search documents), the merged number finding the
//! target under the caller's scope, and links and children seen only within a scope.

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use deskbell_domain::article::ArticleKind;
use deskbell_domain::person::{Language, Role};
use deskbell_store::events::{self, NewEvent};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::tickets::{self, Article, Filter, Scope, Sort, Ticket};
use deskbell_store::{Store, StoreError, Tx, attachments, merges, orgs};
use jiff::Timestamp;

contract_tests!(
    a_merge_moves_articles_files_history_and_search_documents,
    the_merged_number_finds_the_target_only_within_the_scope,
    a_target_merged_later_takes_its_sources_along,
    links_are_unordered_unique_pairs_seen_only_within_the_scope,
    children_and_foreign_parents_are_listed_within_the_scope,
);

fn at() -> Timestamp {
    "2026-12-04T08:00:00Z".parse().unwrap()
}

fn w<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.write(f).expect("write")
}

fn r<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.read(f).expect("read")
}

struct World {
    rozy: i64,
    zdroj: i64,
    rozy_user: i64,
    rozy_user2: i64,
    zdroj_user: i64,
}

fn world(store: &Store) -> World {
    w(store, |tx| {
        let org = |tx: &mut Tx<'_>, name: &str| {
            orgs::create(
                tx,
                &orgs::OrganisationInput {
                    name: name.into(),
                    time_zone: "Europe/Warsaw".into(),
                    active: true,
                    ..Default::default()
                },
                at(),
            )
            .map(|o| o.id)
        };
        let person = |tx: &mut Tx<'_>, email: &str, org: i64| {
            let input = PersonInput {
                email: email.parse().unwrap(),
                name: email.into(),
                role: Role::CustomerUser,
                organisation_id: Some(org),
                phone: None,
                language: Language::Pl,
                active: true,
            };
            people::create(tx, &input, None, at()).map(|p| p.id)
        };
        let rozy = org(tx, "Hotel Pod Różami")?;
        let zdroj = org(tx, "Uzdrowisko Zdrój")?;
        Ok(World {
            rozy,
            zdroj,
            rozy_user: person(tx, "recepcja@pod-rozami.demo", rozy)?,
            rozy_user2: person(tx, "spa@pod-rozami.demo", rozy)?,
            zdroj_user: person(tx, "recepcja@zdroj.demo", zdroj)?,
        })
    })
}

fn ticket(store: &Store, subject: &str, org: i64, requester: i64, body: &str) -> Ticket {
    w(store, |tx| {
        let t = tickets::insert(tx, &deskbell_store::testing::new_ticket(subject, org, requester, at()))?;
        article(tx, &t, ArticleKind::PublicReply, requester, body)?;
        events::append(tx, t.id, Some(requester), at(), &NewEvent { kind: "created", ..Default::default() })?;
        Ok(t)
    })
}

fn article(tx: &mut Tx<'_>, t: &Ticket, kind: ArticleKind, author: i64, body: &str) -> Result<Article, StoreError> {
    tickets::insert_article(
        tx,
        &Article {
            id: 0,
            ticket_id: t.id,
            kind,
            author_id: Some(author),
            body: body.into(),
            call: None,
            mail: None,
            created_at: at(),
            attachments: Vec::new(),
        },
    )
}

fn search(store: &Store, scope: &Scope, q: &str) -> Vec<i64> {
    let f = Filter { q: Some(q.into()), limit: 200, sort: Sort::NumberAsc, ..Default::default() };
    r(store, |tx| tickets::list(tx, scope, &f)).items.iter().map(|t| t.number).collect()
}

fn numbers(list: &[Ticket]) -> Vec<i64> {
    list.iter().map(|t| t.number).collect()
}

fn merge(store: &Store, source: &Ticket, target: &Ticket) -> merges::Moved {
    w(store, |tx| {
        let moved = merges::move_contents(tx, source.id, target.id)?;
        merges::record(tx, source.id, target.id, None, at(), Some("the same outage"))?;
        Ok(moved)
    })
}

fn a_merge_moves_articles_files_history_and_search_documents(store: &Store) {
    let wd = world(store);
    let target = ticket(store, "Drukarka fiskalna", wd.rozy, wd.rozy_user, "Paragony się nie drukują");
    let source = ticket(store, "Kasa nie działa", wd.rozy, wd.rozy_user2, "Kasa zgłasza błąd żółwia");
    // A note indexed in this very transaction, before the merge, follows too (SQLite stages it).
    let moved = w(store, |tx| {
        let a = article(tx, &source, ArticleKind::InternalNote, wd.rozy_user, "notatka wewnętrzna kangur")?;
        attachments::insert(tx, source.id, a.id, "log.txt", "text/plain", b"log", at())?;
        let moved = merges::move_contents(tx, source.id, target.id)?;
        merges::record(tx, source.id, target.id, None, at(), None)?;
        Ok(moved)
    });
    assert_eq!(moved, merges::Moved { articles: 2, attachments: 1, events: 1 });
    let (on_target, on_source, files, history) = r(store, |tx| {
        Ok((
            tickets::articles(tx, target.id, true)?,
            tickets::articles(tx, source.id, true)?,
            attachments::for_ticket(tx, target.id)?,
            events::list(tx, target.id)?,
        ))
    });
    assert_eq!(
        on_target.iter().map(|a| a.body.as_str()).collect::<Vec<_>>(),
        ["Paragony się nie drukują", "Kasa zgłasza błąd żółwia", "notatka wewnętrzna kangur"],
        "in the order written, with their authors"
    );
    assert_eq!(on_target[1].author_id, Some(wd.rozy_user2));
    assert!(on_source.is_empty());
    assert_eq!(files.len(), 1);
    assert_eq!(on_target[2].attachments.len(), 1, "the file stays with its article");
    assert_eq!(history.len(), 2);

    // The words of the moved articles find the target; the duplicate keeps only its subject.
    let all = Scope::All;
    assert_eq!(search(store, &all, "zolwia"), [target.number]);
    assert_eq!(search(store, &all, "kangur"), [target.number]);
    assert_eq!(search(store, &all, "kasa nie"), [source.number]);
    let customer = Scope::Organisations(vec![wd.rozy]);
    assert_eq!(search(store, &customer, "zolwia"), [target.number]);
    assert!(search(store, &customer, "kangur").is_empty(), "a moved internal note stays internal");
    // Written again later (a re-index), a moved article is still found once, on the target.
    w(store, |tx| article(tx, &target, ArticleKind::PublicReply, wd.rozy_user, "odpowiedź"));
    assert_eq!(search(store, &all, "zolwia"), [target.number]);
}

fn the_merged_number_finds_the_target_only_within_the_scope(store: &Store) {
    let wd = world(store);
    let target = ticket(store, "Drukarka", wd.rozy, wd.rozy_user, "a");
    let source = ticket(store, "Drukarka znowu", wd.rozy, wd.rozy_user2, "b");
    let other = ticket(store, "Zdrój", wd.zdroj, wd.zdroj_user, "c");
    merge(store, &source, &target);
    let find = |n: i64, scope: Scope| r(store, |tx| Ok(tickets::by_number(tx, n, &scope).map(|t| t.id)));
    assert_eq!(find(source.number, Scope::All), Ok(target.id));
    assert_eq!(find(target.number, Scope::All), Ok(target.id));
    assert_eq!(find(source.number, Scope::Organisations(vec![wd.rozy])), Ok(target.id));
    assert_eq!(find(source.number, Scope::Organisations(vec![wd.zdroj])), Err(StoreError::NotFound));
    // The duplicate's requester follows their ticket into the target, by either number…
    assert_eq!(find(source.number, Scope::Requester(wd.rozy_user2)), Ok(target.id));
    assert_eq!(find(target.number, Scope::Requester(wd.rozy_user2)), Ok(target.id));
    // …and nobody else does.
    assert_eq!(find(source.number, Scope::Requester(wd.zdroj_user)), Err(StoreError::NotFound));
    assert_eq!(find(other.number, Scope::Requester(wd.rozy_user2)), Err(StoreError::NotFound));
    assert_eq!(find(999_999, Scope::All), Err(StoreError::NotFound));
    let m = r(store, |tx| merges::of_source(tx, source.id)).unwrap();
    assert_eq!((m.target_id, m.reason.as_deref()), (target.id, Some("the same outage")));
    assert_eq!(r(store, |tx| merges::sources_of(tx, target.id)), [source.number]);
    assert_eq!(r(store, |tx| merges::current(tx, source.id)), target.id);
    assert_eq!(r(store, |tx| merges::current(tx, target.id)), target.id);
    let ids = [target.id, source.id, other.id];
    assert_eq!(r(store, |tx| merges::targets(tx, &ids)), [(source.id, target.number)].into_iter().collect());
    // A ticket is merged once.
    let again = store.write(|tx| merges::record(tx, source.id, other.id, None, at(), None));
    assert!(matches!(again, Err(StoreError::Unique { .. })), "{again:?}");
}

fn a_target_merged_later_takes_its_sources_along(store: &Store) {
    let wd = world(store);
    let a = ticket(store, "A", wd.rozy, wd.rozy_user, "a");
    let b = ticket(store, "B", wd.rozy, wd.rozy_user, "b");
    let c = ticket(store, "C", wd.rozy, wd.rozy_user, "c");
    merge(store, &a, &b);
    merge(store, &b, &c);
    let find = |n: i64| r(store, |tx| tickets::by_number(tx, n, &Scope::All)).id;
    assert_eq!((find(a.number), find(b.number)), (c.id, c.id));
    assert_eq!(r(store, |tx| merges::sources_of(tx, c.id)), [a.number, b.number]);
    assert_eq!(r(store, |tx| tickets::articles(tx, c.id, true)).len(), 3);
}

fn links_are_unordered_unique_pairs_seen_only_within_the_scope(store: &Store) {
    let wd = world(store);
    let a = ticket(store, "A", wd.rozy, wd.rozy_user, "a");
    let b = ticket(store, "B", wd.zdroj, wd.zdroj_user, "b");
    let c = ticket(store, "C", wd.rozy, wd.rozy_user2, "c");
    assert!(w(store, |tx| merges::link(tx, b.id, a.id, None, at())));
    assert!(!w(store, |tx| merges::link(tx, a.id, b.id, None, at())), "one pair, either way round");
    assert!(w(store, |tx| merges::link(tx, a.id, c.id, None, at())));
    let self_link = store.write(|tx| merges::link(tx, a.id, a.id, None, at()));
    assert!(self_link.is_err(), "a ticket is never linked to itself");
    let numbers = |id: i64, scope: Scope| numbers(&r(store, |tx| merges::linked(tx, id, &scope)));
    assert_eq!(numbers(a.id, Scope::All), [b.number, c.number]);
    assert_eq!(numbers(b.id, Scope::All), [a.number]);
    assert_eq!(numbers(a.id, Scope::Organisations(vec![wd.rozy])), [c.number], "never another organisation's");
    assert_eq!(numbers(a.id, Scope::Requester(wd.rozy_user)), Vec::<i64>::new());
    assert!(w(store, |tx| merges::unlink(tx, a.id, b.id)));
    assert!(!w(store, |tx| merges::unlink(tx, b.id, a.id)));
    assert_eq!(numbers(a.id, Scope::All), [c.number]);
}

fn children_and_foreign_parents_are_listed_within_the_scope(store: &Store) {
    let wd = world(store);
    let parent = ticket(store, "Awaria centrum danych", wd.rozy, wd.rozy_user, "p");
    let mut kids = Vec::new();
    for (org, who) in [(wd.rozy, wd.rozy_user2), (wd.zdroj, wd.zdroj_user)] {
        let mut t = ticket(store, "Nie działa", org, who, "k");
        t.parent_id = Some(parent.id);
        kids.push(w(store, |tx| tickets::save(tx, &t)));
    }
    let numbers = |scope: Scope| numbers(&r(store, |tx| merges::children(tx, parent.id, &scope)));
    assert_eq!(numbers(Scope::All), [kids[0].number, kids[1].number]);
    assert_eq!(numbers(Scope::Organisations(vec![wd.zdroj])), [kids[1].number]);
    assert_eq!(numbers(Scope::Requester(wd.rozy_user)), Vec::<i64>::new());
    let all = [parent.clone(), kids[0].clone(), kids[1].clone()];
    assert_eq!(r(store, |tx| merges::foreign_parents(tx, &all)), [kids[1].id], "only the other hotel's parent");
}
