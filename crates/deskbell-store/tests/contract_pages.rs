//! The store contract for the agent workspace's queue pages — the deadline order, the at-risk
//! filter, batch lookups for rendering a page, type-ahead lookup of organisations and people —
//! on SQLite and PostgreSQL.

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use std::collections::{HashMap, HashSet};

use deskbell_domain::person::{Language, Role};
use deskbell_domain::sla::{Calendar, ClockEvent, ClockEventKind, ClockSummary, Metric, RunState, WarningShare};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::sla::{self, ClockRow, ContractInput, Target};
use deskbell_store::tickets::{self, AtRisk, Filter, Scope, Sort, Ticket};
use deskbell_store::{Store, StoreError, Tx};
use jiff::{SignedDuration, Timestamp};

contract_tests!(
    deadline_sort_puts_the_earliest_running_clock_first_and_the_rest_newest_first,
    deadline_pages_cross_from_clocked_to_unclocked_tickets_exactly_once,
    at_risk_keeps_warned_breached_and_due_tickets_and_is_inclusive_at_its_instants,
    clocks_of_many_tickets_come_back_in_one_lookup,
    names_of_many_people_and_organisations_come_back_in_one_lookup,
    organisations_are_found_by_name_or_phone_without_case_or_diacritics,
    people_are_found_by_name_email_or_phone_within_the_given_organisations,
    find_keys_of_rows_from_before_the_migration_are_filled_in,
    a_form_key_makes_one_ticket_and_belongs_to_its_person,
    an_invitation_is_used_once_and_only_before_it_expires,
    every_tracking_link_of_a_ticket_keeps_working,
);

// ---------------------------------------------------------------------------------------
// Helpers and fixtures
// ---------------------------------------------------------------------------------------

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn base() -> Timestamp {
    ts("2026-03-16T09:00:00.123456Z")
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

const MICRO: SignedDuration = SignedDuration::from_micros(1);

fn write<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.write(f).expect("write transaction")
}

fn read<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.read(f).expect("read transaction")
}

fn org_input(name: &str, phones: &[&str]) -> OrganisationInput {
    OrganisationInput {
        name: name.into(),
        time_zone: "Europe/Warsaw".into(),
        active: true,
        phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        ..Default::default()
    }
}

fn person_input(email: &str, name: &str, organisation_id: i64, phone: Option<&str>) -> PersonInput {
    PersonInput {
        email: email.parse().unwrap(),
        name: name.into(),
        role: Role::CustomerUser,
        organisation_id: Some(organisation_id),
        phone: phone.map(str::to_owned),
        language: Language::Pl,
        active: true,
    }
}

fn new_ticket(subject: &str, organisation_id: i64, requester_id: i64, team_id: Option<i64>) -> Ticket {
    Ticket {
        id: 0,
        number: 0,
        subject: subject.into(),
        organisation_id,
        requester_id,
        cc: Vec::new(),
        channel: Channel::Phone,
        kind: Kind::Incident,
        priority: Priority::Standard,
        proposed_priority: None,
        status: Status::Open,
        product_id: None,
        module: None,
        installation_id: None,
        assignee_id: None,
        team_id,
        tags: Vec::new(),
        due_date: None,
        parent_id: None,
        local_it_checks: None,
        created_at: base(),
        updated_at: base(),
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        version: 0,
        disposition: None,
    }
}

/// An organisation with a user, a contract to hang clocks on, and two teams.
struct World {
    org: i64,
    user: i64,
    contract: i64,
    team1: i64,
    team2: i64,
}

fn world(store: &Store) -> World {
    write(store, |tx| {
        let now = base();
        let org = orgs::create(tx, &org_input("Hotel Pod Różami", &[]), now)?.id;
        let user = people::create(tx, &person_input("recepcja@pod-rozami.demo", "Recepcja", org, None), None, now)?.id;
        let product = orgs::save_product(tx, None, "PH", "PremiumHotel", None, now)?.id;
        let contract = sla::create_contract(
            tx,
            &ContractInput {
                organisation_id: org,
                name: "Umowa".into(),
                valid_from: "2026-01-01".into(),
                valid_to: None,
                product_ids: vec![product],
                calendar_id: 2,
                warning_percent: 80,
                monthly_fee_minor: 0,
                penalty_basis: deskbell_domain::sla::penalty::OverrunBasis::Clock,
                penalty_cap_minor: None,
                targets: vec![Target {
                    priority: Priority::Standard,
                    first_response_secs: Some(3600),
                    resolution_secs: Some(8 * 3600),
                    calendar_id: None,
                    penalty: None,
                }],
            },
            now,
        )?
        .id;
        let team1 = orgs::save_team(tx, None, "Zespół PMS", &[], now)?.id;
        let team2 = orgs::save_team(tx, None, "Zespół Spa", &[], now)?.id;
        Ok(World { org, user, contract, team1, team2 })
    })
}

/// A clock summary in `state` (on the built-in 24x7 calendar, version 2).
fn summary(metric: Metric, state: RunState) -> ClockSummary {
    let calendars = HashMap::from([(2i64, Calendar::builtin("24x7").unwrap())]);
    let event = |at: Timestamp, kind| ClockEvent { at, kind, reason: "test".into(), actor: None, calendar_version: 2 };
    let mut s = ClockSummary::new(metric, WarningShare::default());
    s.apply(&event(base() - mins(600), ClockEventKind::Start { target_secs: 3600 }), &calendars).unwrap();
    match state {
        RunState::Running => {}
        RunState::Paused => s.apply(&event(base() - mins(590), ClockEventKind::Pause), &calendars).unwrap(),
        RunState::Stopped => s.apply(&event(base() - mins(590), ClockEventKind::Stop), &calendars).unwrap(),
        RunState::NotStarted => panic!("not a state a fixture needs"),
    }
    assert_eq!(s.state(), state);
    s
}

/// A clock of a fixture: its metric, state, deadline and warning instants.
#[derive(Clone, Copy)]
struct Clock {
    metric: Metric,
    state: RunState,
    deadline: Option<Timestamp>,
    warning: Option<Timestamp>,
}

fn running(metric: Metric, deadline: Option<Timestamp>, warning: Option<Timestamp>) -> Clock {
    Clock { metric, state: RunState::Running, deadline, warning }
}

fn save_clocks(tx: &mut Tx<'_>, w: &World, ticket_id: i64, clocks: &[Clock]) -> Result<(), StoreError> {
    for c in clocks {
        let row = ClockRow {
            ticket_id,
            metric: c.metric,
            contract_id: w.contract,
            calendar_id: 2,
            summary: summary(c.metric, c.state),
            deadline_at: c.deadline,
            warning_at: c.warning,
            breach_at: c.deadline.map(|d| d + MICRO),
            warning_fired_at: None,
            breach_fired_at: None,
        };
        sla::save_clock(tx, &row, base())?;
    }
    Ok(())
}

/// Inserts one ticket per entry of `clocks` (in order, so ids ascend) with those clocks.
fn tickets_with(store: &Store, w: &World, clocks: &[Vec<Clock>]) -> Vec<i64> {
    write(store, |tx| {
        let mut ids = Vec::new();
        for (i, cs) in clocks.iter().enumerate() {
            let team = [Some(w.team1), Some(w.team2), None][i % 3];
            let t = tickets::insert(tx, &new_ticket(&format!("Zgłoszenie {i}"), w.org, w.user, team))?;
            save_clocks(tx, w, t.id, cs)?;
            ids.push(t.id);
        }
        Ok(ids)
    })
}

/// The order `Sort::Deadline` must give `tickets` (id and clocks): by the earliest deadline
/// of a running clock, ties by id; then the rest by id, descending. Computed here from the
/// fixture, independently of the SQL.
fn model_deadline_order(tickets: &[(i64, Vec<Clock>)]) -> Vec<i64> {
    let earliest = |cs: &[Clock]| cs.iter().filter(|c| c.state == RunState::Running).filter_map(|c| c.deadline).min();
    let mut clocked: Vec<(Timestamp, i64)> =
        tickets.iter().filter_map(|(id, cs)| earliest(cs).map(|d| (d, *id))).collect();
    clocked.sort();
    let mut rest: Vec<i64> = tickets.iter().filter(|(_, cs)| earliest(cs).is_none()).map(|(id, _)| *id).collect();
    rest.sort_by(|a, b| b.cmp(a));
    clocked.into_iter().map(|(_, id)| id).chain(rest).collect()
}

/// Follows `next` cursors to the end, checking that pages are full except the last and that
/// no ticket appears twice; returns the ids page by page.
fn pages(store: &Store, scope: &Scope, filter: &Filter) -> Vec<Vec<i64>> {
    let mut out: Vec<Vec<i64>> = Vec::new();
    let mut seen = HashSet::new();
    let mut f = filter.clone();
    for _ in 0..1000 {
        let page = read(store, |tx| tickets::list(tx, scope, &f));
        assert!(page.items.len() <= filter.limit, "a page holds at most `limit` tickets");
        for t in &page.items {
            assert!(seen.insert(t.id), "ticket {} appeared twice (limit {})", t.id, filter.limit);
        }
        let ids: Vec<i64> = page.items.iter().map(|t| t.id).collect();
        match page.next {
            Some(c) => {
                assert_eq!(ids.len(), filter.limit, "only the last page may be short");
                assert_eq!(Some(&c.id), ids.last(), "the cursor points after the page's last ticket");
                out.push(ids);
                f.after = Some(c);
            }
            None => {
                assert!(!ids.is_empty() || out.is_empty(), "no empty trailing page");
                out.push(ids);
                return out;
            }
        }
    }
    panic!("pagination did not end");
}

fn all_ids(store: &Store, scope: &Scope, filter: &Filter) -> Vec<i64> {
    pages(store, scope, filter).concat()
}

fn deadline_filter(limit: usize) -> Filter {
    Filter { sort: Sort::Deadline, limit, ..Default::default() }
}

// ---------------------------------------------------------------------------------------
// The deadline order
// ---------------------------------------------------------------------------------------

fn deadline_sort_puts_the_earliest_running_clock_first_and_the_rest_newest_first(store: &Store) {
    let w = world(store);
    let at = |m: i64| Some(base() + mins(m));
    let fr = Metric::FirstResponse;
    let res = Metric::Resolution;
    let fixture: Vec<Vec<Clock>> = vec![
        // 0: no clocks.
        vec![],
        // 1: one running clock, due at 30.
        vec![running(res, at(30), None)],
        // 2: two running clocks: listed once, at the earlier (10).
        vec![running(fr, at(10), None), running(res, at(50), None)],
        // 3: due at 30 like ticket 1: after it, by id.
        vec![running(res, at(30), None)],
        // 4: paused (its deadline is the earliest of all, but it does not run).
        vec![Clock { metric: res, state: RunState::Paused, deadline: at(1), warning: None }],
        // 5: stopped.
        vec![Clock { metric: res, state: RunState::Stopped, deadline: at(2), warning: None }],
        // 6: running with an unknown deadline: counts as unclocked.
        vec![running(res, None, None)],
        // 7: a stopped first response and a running resolution, due at 40.
        vec![
            Clock { metric: fr, state: RunState::Stopped, deadline: at(5), warning: None },
            running(res, at(40), None),
        ],
        // 8: two running clocks due at the same instant (20): still listed once.
        vec![running(fr, at(20), None), running(res, at(20), None)],
        // 9: no clocks.
        vec![],
    ];
    let ids = tickets_with(store, &w, &fixture);
    let expected: Vec<i64> = [2, 8, 1, 3, 7, 9, 6, 5, 4, 0].iter().map(|&i| ids[i]).collect();
    assert_eq!(model_deadline_order(&ids.iter().copied().zip(fixture.clone()).collect::<Vec<_>>()), expected);

    let page = read(store, |tx| tickets::list(tx, &Scope::All, &deadline_filter(200)));
    assert_eq!(page.items.iter().map(|t| t.id).collect::<Vec<_>>(), expected);
    assert!(page.next.is_none());
    // Every page size puts a page boundary at every position, the boundary between the
    // clocked and the unclocked tickets included.
    for limit in 1..=expected.len() {
        assert_eq!(all_ids(store, &Scope::All, &deadline_filter(limit)), expected, "limit {limit}");
    }
    assert_eq!(Sort::parse("deadline"), Some(Sort::Deadline));
    assert!(Sort::NAMES.contains(&"deadline"));
}

fn deadline_pages_cross_from_clocked_to_unclocked_tickets_exactly_once(store: &Store) {
    let w = world(store);
    let fr = Metric::FirstResponse;
    let res = Metric::Resolution;
    // 40 tickets: 24 with running clocks whose deadlines repeat (ties), some with two; the
    // rest without clocks, stopped or paused.
    let fixture: Vec<Vec<Clock>> = (0..40i64)
        .map(|i| {
            let due = |k: i64| Some(base() + mins((i * 7 + k) % 13));
            match i % 5 {
                0 => vec![],
                1 => vec![running(res, due(0), None)],
                2 => vec![running(fr, due(3), None), running(res, due(1), None)],
                3 => vec![Clock { metric: res, state: RunState::Stopped, deadline: due(0), warning: None }],
                _ => vec![
                    running(fr, due(2), None),
                    Clock { metric: res, state: RunState::Paused, deadline: Some(base() - mins(60)), warning: None },
                ],
            }
        })
        .collect();
    let ids = tickets_with(store, &w, &fixture);
    let tickets: Vec<(i64, Vec<Clock>)> = ids.iter().copied().zip(fixture.clone()).collect();
    let expected = model_deadline_order(&tickets);
    assert_eq!(expected.len(), 40);
    let clocked = fixture.iter().filter(|cs| cs.iter().any(|c| c.state == RunState::Running)).count();
    assert_eq!(clocked, 24);

    for limit in [3, 4, 5, 7] {
        let got = pages(store, &Scope::All, &deadline_filter(limit));
        assert!(got.len() >= 3, "limit {limit}: several pages");
        assert_eq!(got.concat(), expected, "limit {limit}");
        // 24 clocked tickets: with 5 and 7 a page holds both kinds, with 3 and 4 one ends
        // exactly on the last clocked ticket.
        let boundary_page = (clocked - 1) / limit;
        let last_clocked = expected[clocked - 1];
        assert!(got[boundary_page].contains(&last_clocked));
    }

    // Filters apply to both parts: the tickets of team 1 or 2 in the same order.
    let teams: HashSet<i64> = ids.iter().enumerate().filter(|(i, _)| i % 3 != 2).map(|(_, id)| *id).collect();
    let filter = Filter { team_ids: vec![w.team1, w.team2], ..deadline_filter(4) };
    let want: Vec<i64> = expected.iter().copied().filter(|id| teams.contains(id)).collect();
    assert!(want.len() < expected.len() && want.len() > 8);
    assert_eq!(all_ids(store, &Scope::All, &filter), want);
    let only_team2: Vec<i64> =
        expected.iter().copied().filter(|id| ids.iter().position(|x| x == id).unwrap() % 3 == 1).collect();
    assert_eq!(all_ids(store, &Scope::All, &Filter { team_ids: vec![w.team2], ..deadline_filter(3) }), only_team2);

    // And so does the scope: another organisation's tickets are never listed.
    let other = write(store, |tx| {
        let org = orgs::create(tx, &org_input("Uzdrowisko Zdrój", &[]), base())?.id;
        let user = people::create(tx, &person_input("zdroj@zdroj.demo", "Zdrój", org, None), None, base())?.id;
        let t = tickets::insert(tx, &new_ticket("Inny klient", org, user, None))?;
        save_clocks(tx, &w, t.id, &[running(res, Some(base() - mins(1)), None)])?;
        Ok(t.id)
    });
    assert_eq!(all_ids(store, &Scope::Organisations(vec![w.org]), &deadline_filter(6)), expected);
    assert_eq!(all_ids(store, &Scope::All, &deadline_filter(6))[0], other);
}

// ---------------------------------------------------------------------------------------
// At risk
// ---------------------------------------------------------------------------------------

fn at_risk_keeps_warned_breached_and_due_tickets_and_is_inclusive_at_its_instants(store: &Store) {
    let w = world(store);
    let now = base();
    let horizon = now + mins(60);
    let fr = Metric::FirstResponse;
    let res = Metric::Resolution;
    let fixture: Vec<(&str, Vec<Clock>)> = vec![
        ("warned at now, due far later", vec![running(res, Some(now + mins(300)), Some(now))]),
        ("warned and due 1 µs too late", vec![running(res, Some(horizon + MICRO), Some(now + MICRO))]),
        ("due at the horizon", vec![running(res, Some(horizon), Some(now + mins(30)))]),
        ("breached", vec![running(res, Some(now - mins(60)), Some(now - mins(120)))]),
        (
            "paused, though warned and breached",
            vec![Clock {
                metric: res,
                state: RunState::Paused,
                deadline: Some(now - mins(30)),
                warning: Some(now - mins(60)),
            }],
        ),
        (
            "earliest clock fine, the other warned",
            vec![
                running(fr, Some(now + mins(180)), Some(now + mins(120))),
                running(res, Some(now + mins(240)), Some(now - mins(1))),
            ],
        ),
        ("warned, deadline unknown", vec![running(res, None, Some(now - mins(5)))]),
        ("no clocks", vec![]),
        (
            "stopped, though warned and breached",
            vec![Clock {
                metric: res,
                state: RunState::Stopped,
                deadline: Some(now - mins(30)),
                warning: Some(now - mins(60)),
            }],
        ),
        ("not warned, due 1 µs too late", vec![running(res, Some(horizon + MICRO), None)]),
    ];
    let clocks: Vec<Vec<Clock>> = fixture.iter().map(|(_, c)| c.clone()).collect();
    let ids = tickets_with(store, &w, &clocks);
    let id = |name: &str| ids[fixture.iter().position(|(n, _)| *n == name).unwrap()];

    let listed = |r: AtRisk, sort: Sort, limit: usize| {
        all_ids(store, &Scope::All, &Filter { at_risk: Some(r), sort, limit, ..Default::default() })
    };
    let set = |names: &[&str]| -> HashSet<i64> { names.iter().map(|n| id(n)).collect() };
    let at_risk = [
        "breached",
        "due at the horizon",
        "earliest clock fine, the other warned",
        "warned at now, due far later",
        "warned, deadline unknown",
    ];
    let r = AtRisk { now, horizon };
    // In deadline order: by the earliest running deadline (of "earliest clock fine…" its
    // first response at +180), then the one without a known deadline.
    let in_deadline_order: Vec<i64> = at_risk.iter().map(|n| id(n)).collect();
    for limit in [1, 2, 3, 200] {
        assert_eq!(listed(r, Sort::Deadline, limit), in_deadline_order, "deadline order, limit {limit}");
        let by_number = listed(r, Sort::NumberAsc, limit);
        let mut want: Vec<i64> = set(&at_risk).into_iter().collect();
        want.sort();
        assert_eq!(by_number, want, "number order, limit {limit}");
    }
    // One microsecond earlier, the ticket warned exactly at `now` drops out; the one due
    // exactly at the horizon drops out with a horizon one microsecond earlier.
    let earlier_now = AtRisk { now: now - MICRO, horizon };
    let earlier_horizon = AtRisk { now, horizon: horizon - MICRO };
    for sort in [Sort::Deadline, Sort::UpdatedDesc] {
        let got: HashSet<i64> = listed(earlier_now, sort, 2).into_iter().collect();
        assert_eq!(got, &set(&at_risk) - &set(&["warned at now, due far later"]), "{sort:?}");
        let got: HashSet<i64> = listed(earlier_horizon, sort, 2).into_iter().collect();
        assert_eq!(got, &set(&at_risk) - &set(&["due at the horizon"]), "{sort:?}");
        // One microsecond later, the tickets just outside come in.
        let later = AtRisk { now: now + MICRO, horizon: horizon + MICRO };
        let got: HashSet<i64> = listed(later, sort, 2).into_iter().collect();
        let more = set(&["warned and due 1 µs too late", "not warned, due 1 µs too late"]);
        assert_eq!(got, &set(&at_risk) | &more, "{sort:?}");
    }
    // Combined with another filter.
    let f = Filter { at_risk: Some(r), team_ids: vec![w.team1], sort: Sort::Deadline, limit: 10, ..Default::default() };
    let team1: Vec<i64> =
        in_deadline_order.iter().copied().filter(|t| ids.iter().position(|x| x == t).unwrap() % 3 == 0).collect();
    assert!(!team1.is_empty() && team1.len() < at_risk.len());
    assert_eq!(all_ids(store, &Scope::All, &f), team1);
}

// ---------------------------------------------------------------------------------------
// Batch lookups for a page
// ---------------------------------------------------------------------------------------

fn clocks_of_many_tickets_come_back_in_one_lookup(store: &Store) {
    let w = world(store);
    let res = Metric::Resolution;
    let fr = Metric::FirstResponse;
    let fixture: Vec<Vec<Clock>> = (0..30i64)
        .map(|i| {
            let due = Some(base() + mins(i));
            match i % 4 {
                0 => vec![],
                1 => vec![running(res, due, due)],
                2 => vec![
                    running(res, due, None),
                    Clock { metric: fr, state: RunState::Stopped, deadline: None, warning: None },
                ],
                _ => vec![Clock { metric: res, state: RunState::Paused, deadline: None, warning: None }],
            }
        })
        .collect();
    let ids = tickets_with(store, &w, &fixture);
    // Unknown ids and repeats, out of order.
    let mut asked: Vec<i64> = ids.iter().rev().copied().collect();
    asked.extend([ids[1], ids[2], 999_999, -1]);
    let got = read(store, |tx| sla::running_clocks_for(tx, &asked));
    let mut want = Vec::new();
    for id in &ids {
        want.extend(read(store, |tx| sla::clocks(tx, *id)));
    }
    assert_eq!(want.len(), fixture.iter().map(Vec::len).sum::<usize>());
    assert_eq!(got, want);
    assert!(got.iter().any(|c| c.summary.state() == RunState::Stopped), "every state is returned");
    assert!(got.iter().any(|c| c.summary.state() == RunState::Paused));
    assert!(read(store, |tx| sla::running_clocks_for(tx, &[])).is_empty());
    // A list longer than one statement binds.
    let many: Vec<i64> = (1_000_000..1_001_200).chain(ids.iter().copied()).collect();
    assert_eq!(read(store, |tx| sla::running_clocks_for(tx, &many)), want);
}

fn names_of_many_people_and_organisations_come_back_in_one_lookup(store: &Store) {
    // More than one statement's worth of each (500 ids are bound per statement).
    let (org_names, person_names) = write(store, |tx| {
        let mut orgs_by_id = HashMap::new();
        let mut people_by_id = HashMap::new();
        for i in 0..520 {
            let name = format!("Hotel Żółty {i}");
            let org = orgs::create(tx, &org_input(&name, &[]), base())?.id;
            orgs_by_id.insert(org, name);
            if i % 5 == 0 {
                for j in 0..6 {
                    let name = format!("Łucja {i}-{j}");
                    let p =
                        people::create(tx, &person_input(&format!("p{i}-{j}@x.demo"), &name, org, None), None, base())?;
                    people_by_id.insert(p.id, name);
                }
            }
        }
        Ok((orgs_by_id, people_by_id))
    });
    assert!(person_names.len() > 600);
    let mut asked: Vec<i64> = org_names.keys().copied().collect();
    asked.extend([asked[0], asked[3], 77_777_777]);
    assert_eq!(read(store, |tx| orgs::names(tx, &asked)), org_names);
    let mut asked: Vec<i64> = person_names.keys().copied().collect();
    asked.extend([asked[1], 88_888_888]);
    assert_eq!(read(store, |tx| people::names(tx, &asked)), person_names);

    let some: Vec<i64> = person_names.keys().copied().take(3).collect();
    let want: HashMap<i64, String> = some.iter().map(|id| (*id, person_names[id].clone())).collect();
    assert_eq!(read(store, |tx| people::names(tx, &some)), want);
    assert!(read(store, |tx| people::names(tx, &[])).is_empty());
    assert!(read(store, |tx| orgs::names(tx, &[123_456_789])).is_empty());
}

// ---------------------------------------------------------------------------------------
// Type-ahead lookup
// ---------------------------------------------------------------------------------------

fn org_names(store: &Store, q: &str, limit: usize) -> Vec<String> {
    read(store, |tx| orgs::find(tx, q, limit)).into_iter().map(|o| o.name).collect()
}

fn organisations_are_found_by_name_or_phone_without_case_or_diacritics(store: &Store) {
    let now = base();
    let (zolw, _) = write(store, |tx| {
        let zolw = orgs::create(tx, &org_input("Żółw Spa", &["+48221234567", "+48587654321"]), now)?;
        orgs::create(tx, &org_input("Zolwik Przedszkole", &[]), now)?;
        orgs::create(tx, &org_input("Hotel Łódź Centrum", &["+48426000000"]), now)?;
        orgs::create(tx, &org_input("Łódzki Dwór", &[]), now)?;
        orgs::create(tx, &org_input("Apteka pod Żółwiem", &[]), now)?;
        let other = orgs::create(tx, &org_input("Uzdrowisko Zdrój", &["+48600111222"]), now)?;
        Ok((zolw, other))
    });
    // Names starting with the query first, each group by name.
    let zolwie = ["Zolwik Przedszkole", "Żółw Spa", "Apteka pod Żółwiem"];
    assert_eq!(org_names(store, "zolw", 10), zolwie);
    assert_eq!(org_names(store, "ŻÓŁW", 10), zolwie);
    assert_eq!(org_names(store, " Żółw ", 10), zolwie);
    assert_eq!(org_names(store, "lodz", 10), ["Łódzki Dwór", "Hotel Łódź Centrum"]);
    assert_eq!(org_names(store, "Łódź", 10), ["Łódzki Dwór", "Hotel Łódź Centrum"]);
    assert_eq!(org_names(store, "łódź centrum", 10), ["Hotel Łódź Centrum"]);
    assert_eq!(org_names(store, "zdroj", 10), ["Uzdrowisko Zdrój"]);
    // The whole organisation comes back, phones included.
    let found = read(store, |tx| orgs::find(tx, "żółw spa", 10));
    assert_eq!(found, [read(store, |tx| orgs::get(tx, zolw.id))]);
    // By the digits of a phone number, however it is written.
    assert_eq!(org_names(store, "22 123", 10), ["Żółw Spa"]);
    assert_eq!(org_names(store, "+48 58 765-43-21", 10), ["Żółw Spa"]);
    assert_eq!(org_names(store, "(42) 600", 10), ["Hotel Łódź Centrum"]);
    assert_eq!(org_names(store, "600", 10), ["Hotel Łódź Centrum", "Uzdrowisko Zdrój"]);
    // A match never spans two phone numbers nor the name and a number.
    assert!(org_names(store, "4567 48", 10).is_empty());
    assert!(org_names(store, "spa 48", 10).is_empty());
    // Limits, and nothing for nothing.
    assert_eq!(org_names(store, "o", 2).len(), 2);
    assert_eq!(org_names(store, "o", 200).len(), 6);
    assert!(org_names(store, "o", 0).is_empty());
    assert!(org_names(store, "", 10).is_empty());
    assert!(org_names(store, "   ", 10).is_empty());
    assert!(org_names(store, "xyz", 10).is_empty());
    // Characters that are pattern syntax elsewhere are plain text here.
    assert!(org_names(store, "%", 10).is_empty());
    assert!(org_names(store, "_", 10).is_empty());

    // An update moves the organisation to its new name and phones.
    write(store, |tx| orgs::update(tx, zolw.id, &org_input("Ślimak Spa", &["+48 22 999 88 77"]), now));
    assert_eq!(org_names(store, "zolw", 10), ["Zolwik Przedszkole", "Apteka pod Żółwiem"]);
    assert_eq!(org_names(store, "slimak", 10), ["Ślimak Spa"]);
    assert!(org_names(store, "22 123", 10).is_empty());
    assert_eq!(org_names(store, "229998877", 10), ["Ślimak Spa"]);
}

fn person_names(store: &Store, q: &str, orgs: Option<&[i64]>) -> Vec<String> {
    read(store, |tx| people::find(tx, q, orgs, 10)).into_iter().map(|p| p.name).collect()
}

fn people_are_found_by_name_email_or_phone_within_the_given_organisations(store: &Store) {
    let now = base();
    let (a, b, jan) = write(store, |tx| {
        let a = orgs::create(tx, &org_input("Żółw Spa", &[]), now)?.id;
        let b = orgs::create(tx, &org_input("Hotel Łódź", &[]), now)?.id;
        let jan = people::create(
            tx,
            &person_input("jan.zolwinski@zolw.demo", "Jan Żółwiński", a, Some("+48600100200")),
            None,
            now,
        )?;
        people::create(tx, &person_input("lucja@lodz.demo", "Łucja Kowalska", b, None), None, now)?;
        people::create(tx, &person_input("anna.nowak@x.demo", "Anna Nowak", b, Some("+48600100201")), None, now)?;
        people::create(tx, &person_input("zolwica@x.demo", "Żółwica Recepcja", b, None), None, now)?;
        Ok((a, b, jan))
    });
    // By name (prefix first) or e-mail, whatever the case and diacritics.
    assert_eq!(person_names(store, "zolw", None), ["Żółwica Recepcja", "Jan Żółwiński"]);
    assert_eq!(person_names(store, "ŻÓŁWIŃSKI", None), ["Jan Żółwiński"]);
    assert_eq!(person_names(store, "łucja", None), ["Łucja Kowalska"]);
    assert_eq!(person_names(store, "LUCJA", None), ["Łucja Kowalska"]);
    assert_eq!(person_names(store, "kowalsk", None), ["Łucja Kowalska"]);
    assert_eq!(person_names(store, "lodz", None), ["Łucja Kowalska"]);
    assert_eq!(person_names(store, "nowak@", None), ["Anna Nowak"]);
    // By the digits of a phone number.
    assert_eq!(person_names(store, "600 100 20", None), ["Anna Nowak", "Jan Żółwiński"]);
    assert_eq!(person_names(store, "+48 600-100-200", None), ["Jan Żółwiński"]);
    assert_eq!(person_names(store, "100201", None), ["Anna Nowak"]);
    // Only people of the given organisations.
    assert_eq!(person_names(store, "600 100 20", Some(&[b])), ["Anna Nowak"]);
    assert_eq!(person_names(store, "zolw", Some(&[b])), ["Żółwica Recepcja"]);
    assert_eq!(person_names(store, "zolw", Some(&[a, b])), ["Żółwica Recepcja", "Jan Żółwiński"]);
    assert!(person_names(store, "zolw", Some(&[])).is_empty());
    assert!(person_names(store, "", None).is_empty());
    assert_eq!(read(store, |tx| people::find(tx, "a", None, 2)).len(), 2);
    // The whole person comes back.
    assert_eq!(read(store, |tx| people::find(tx, "jan", None, 10)), std::slice::from_ref(&jan));

    // An update moves the person to the new name, e-mail and phone.
    let mut input = person_input("jan@slimak.demo", "Jan Ślimak", a, Some("+48 512 000 111"));
    input.active = jan.active;
    write(store, |tx| people::update(tx, jan.id, &input, now));
    assert_eq!(person_names(store, "zolw", None), ["Żółwica Recepcja"]);
    assert_eq!(person_names(store, "slimak", None), ["Jan Ślimak"]);
    assert_eq!(person_names(store, "512 000", None), ["Jan Ślimak"]);
    assert!(person_names(store, "600 100 200", None).is_empty());
}

/// Migration 0005 fills the keys of the rows that existed before it: undo it on a database
/// with data, run the migrations again, and find the old rows.
fn find_keys_of_rows_from_before_the_migration_are_filled_in(store: &Store) {
    let now = base();
    write(store, |tx| {
        let org = orgs::create(tx, &org_input("Żółw Spa", &["+48221234567"]), now)?.id;
        people::create(tx, &person_input("lucja@x.demo", "Łucja Kowalska", org, Some("+48600100200")), None, now)?;
        Ok(())
    });
    write(store, |tx| {
        for sql in [
            "DROP INDEX ticket_clocks_running_warning",
            "ALTER TABLE organisations DROP COLUMN find_key",
            "ALTER TABLE people DROP COLUMN find_key",
            "DELETE FROM schema_migrations WHERE version = 5",
        ] {
            tx.execute(sql, &[])?;
        }
        Ok(())
    });
    assert_eq!(store.migrate().unwrap(), ["0005_pages"]);
    assert_eq!(org_names(store, "zolw", 10), ["Żółw Spa"]);
    assert_eq!(org_names(store, "22 123", 10), ["Żółw Spa"]);
    assert_eq!(person_names(store, "lucja", None), ["Łucja Kowalska"]);
    assert_eq!(person_names(store, "600 100", None), ["Łucja Kowalska"]);
    assert!(store.migrate().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------
// The pages' forms
// ---------------------------------------------------------------------------------------

fn a_form_key_makes_one_ticket_and_belongs_to_its_person(store: &Store) {
    use deskbell_store::forms::{self, Claim};
    let w = world(store);
    let other =
        write(store, |tx| people::create(tx, &person_input("it@pod-rozami.demo", "IT", w.org, None), None, base())).id;
    assert_eq!(write(store, |tx| forms::claim_submission(tx, "key-1", w.user, base())), Claim::New);
    // Claimed but its ticket not written yet (or refused): a repeat knows of no ticket.
    assert_eq!(write(store, |tx| forms::claim_submission(tx, "key-1", w.user, base())), Claim::Repeated(None));
    let ticket = write(store, |tx| tickets::insert(tx, &new_ticket("Drukarka", w.org, w.user, None))).id;
    write(store, |tx| forms::finish_submission(tx, "key-1", ticket));
    assert_eq!(write(store, |tx| forms::claim_submission(tx, "key-1", w.user, base())), Claim::Repeated(Some(ticket)));
    // Someone else's key never reveals its ticket.
    assert_eq!(write(store, |tx| forms::claim_submission(tx, "key-1", other, base())), Claim::Repeated(None));
    // A claim rolled back with its failed transaction leaves the key free.
    let failed: Result<(), StoreError> = store.write(|tx| {
        assert_eq!(forms::claim_submission(tx, "key-2", w.user, base())?, Claim::New);
        Err(StoreError::Conflict)
    });
    assert!(failed.is_err());
    assert_eq!(write(store, |tx| forms::claim_submission(tx, "key-2", w.user, base())), Claim::New);
}

fn an_invitation_is_used_once_and_only_before_it_expires(store: &Store) {
    use deskbell_store::forms;
    let w = world(store);
    let invitee =
        write(store, |tx| people::create(tx, &person_input("spa@pod-rozami.demo", "Spa", w.org, None), None, base()))
            .id;
    let expires = base() + mins(60);
    write(store, |tx| forms::create_invitation(tx, "hash-a", invitee, w.user, base(), expires));
    write(store, |tx| forms::create_invitation(tx, "hash-b", invitee, w.user, base(), expires));
    assert_eq!(read(store, |tx| forms::invitation(tx, "hash-a", base())), Some(invitee));
    assert_eq!(read(store, |tx| forms::invitation(tx, "unknown", base())), None);
    assert_eq!(read(store, |tx| forms::invitation(tx, "hash-a", expires)), None, "expired at its instant");
    assert!(!write(store, |tx| forms::use_invitation(tx, "hash-b", expires)));
    assert!(write(store, |tx| forms::use_invitation(tx, "hash-a", base() + mins(1))));
    assert!(!write(store, |tx| forms::use_invitation(tx, "hash-a", base() + mins(2))), "used only once");
    assert_eq!(read(store, |tx| forms::invitation(tx, "hash-a", base() + mins(2))), None);
}

fn every_tracking_link_of_a_ticket_keeps_working(store: &Store) {
    use deskbell_store::mail;
    let w = world(store);
    let (a, b) = write(store, |tx| {
        let a = tickets::insert(tx, &new_ticket("Drukarka", w.org, w.user, None))?.id;
        let b = tickets::insert(tx, &new_ticket("Kasa", w.org, w.user, None))?.id;
        Ok((a, b))
    });
    write(store, |tx| mail::set_tracking_hash(tx, a, "received-link"));
    write(store, |tx| mail::set_tracking_hash(tx, a, "resolved-link"));
    write(store, |tx| mail::set_tracking_hash(tx, b, "other-ticket"));
    assert_eq!(read(store, |tx| mail::ticket_by_tracking_hash(tx, "received-link")), Some(a));
    assert_eq!(read(store, |tx| mail::ticket_by_tracking_hash(tx, "resolved-link")), Some(a));
    assert_eq!(read(store, |tx| mail::ticket_by_tracking_hash(tx, "other-ticket")), Some(b));
    assert_eq!(read(store, |tx| mail::ticket_by_tracking_hash(tx, "guess")), None);
}
