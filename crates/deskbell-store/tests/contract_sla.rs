//! The store contract for SLA data — calendars, contracts, clocks — on SQLite and PostgreSQL.

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use deskbell_domain::sla::penalty::{OverrunBasis, PenaltyRate};
use deskbell_domain::sla::{
    Calendar, CalendarSpec, ClockEvent, ClockEventKind, ClockSummary, Metric, RunState, WarningShare,
};
use deskbell_domain::ticket::Priority;
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::sla::{self, ClockRow, ContractInput, Target};
use deskbell_store::{Store, StoreError, Tx};
use jiff::Timestamp;

contract_tests!(
    the_built_in_calendars_are_stored_with_the_domains_definitions,
    a_calendar_edit_is_a_new_version_and_the_old_one_stays,
    a_contract_round_trips_and_covers_only_its_products_and_dates,
    a_clock_and_its_events_round_trip_and_replay_to_the_stored_summary,
);

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn write<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.write(f).expect("write transaction")
}

fn read<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.read(f).expect("read transaction")
}

fn the_built_in_calendars_are_stored_with_the_domains_definitions(store: &Store) {
    let list = read(store, sla::calendars);
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["24x7", "pl-business-08-20"]);
    for c in &list {
        assert!(c.builtin);
        assert_eq!(c.versions.len(), 1);
        assert_eq!(c.versions[0].spec, CalendarSpec::builtin(&c.name).unwrap(), "{}", c.name);
    }
    // New calendars get ids after the built-ins on PostgreSQL too.
    let spec = CalendarSpec::builtin("pl-business-08-20").unwrap();
    let c = write(store, |tx| sla::create_calendar(tx, "recepcja-06-22", &spec, None, ts("2026-01-01T00:00:00Z")));
    assert!(c.id > 2 && c.versions[0].id > 2, "{c:?}");
}

fn a_calendar_edit_is_a_new_version_and_the_old_one_stays(store: &Store) {
    let mut spec = CalendarSpec::builtin("pl-business-08-20").unwrap();
    let t0 = ts("2026-01-01T00:00:00Z");
    let c = write(store, |tx| sla::create_calendar(tx, "spa", &spec, None, t0));
    spec.intervals[0].end = "18:00".into();
    let t1 = ts("2026-06-01T00:00:00Z");
    let v2 = write(store, |tx| sla::add_version(tx, c.id, &spec, t1, None, t1));
    let c = read(store, |tx| sla::calendar(tx, c.id));
    assert_eq!(c.versions.len(), 2);
    assert_eq!(c.version_at(ts("2026-05-31T23:59:59Z")).unwrap().id, c.versions[0].id);
    assert_eq!(c.version_at(t1).unwrap().id, v2.id);
    assert_eq!(read(store, |tx| sla::calendar_version(tx, v2.id)).spec.intervals[0].end, "18:00");
    let dup = store.write(|tx| sla::create_calendar(tx, "spa", &spec, None, t1));
    assert!(matches!(dup, Err(StoreError::Unique { .. })), "{dup:?}");
}

fn contract_input(org: i64, product: i64, from: &str, to: Option<&str>) -> ContractInput {
    ContractInput {
        organisation_id: org,
        name: "Umowa serwisowa 24/7".into(),
        valid_from: from.into(),
        valid_to: to.map(str::to_owned),
        product_ids: vec![product],
        calendar_id: 2,
        warning_percent: 75,
        monthly_fee_minor: 400_000,
        penalty_basis: OverrunBasis::Clock,
        penalty_cap_minor: Some(100_000),
        targets: vec![
            Target {
                priority: Priority::Standard,
                first_response_secs: Some(4 * 3600),
                resolution_secs: Some(24 * 3600),
                calendar_id: Some(1),
                penalty: None,
            },
            Target {
                priority: Priority::Critical,
                first_response_secs: Some(900),
                resolution_secs: Some(7200),
                calendar_id: None,
                penalty: Some(PenaltyRate::FeeShare { basis_points_per_hour: 200 }),
            },
        ],
    }
}

fn a_contract_round_trips_and_covers_only_its_products_and_dates(store: &Store) {
    let now = ts("2026-01-01T00:00:00Z");
    let (org, pms, spa) = write(store, |tx| {
        let org = orgs::create(
            tx,
            &OrganisationInput {
                name: "Hotel".into(),
                time_zone: "Europe/Warsaw".into(),
                active: true,
                ..Default::default()
            },
            now,
        )?
        .id;
        let pms = orgs::save_product(tx, None, "pms", "PremiumHotel", None, now)?.id;
        let spa = orgs::save_product(tx, None, "spa", "Kuracjusz", None, now)?.id;
        Ok((org, pms, spa))
    });
    let input = contract_input(org, pms, "2026-01-01", Some("2026-12-31"));
    let c = write(store, |tx| sla::create_contract(tx, &input, now));
    assert_eq!(c.targets.iter().map(|t| t.priority).collect::<Vec<_>>(), [Priority::Critical, Priority::Standard]);
    assert_eq!(
        c.target(Priority::Critical).unwrap().penalty,
        Some(PenaltyRate::FeeShare { basis_points_per_hour: 200 })
    );
    assert_eq!((c.warning_percent, c.penalty_basis, c.penalty_cap_minor), (75, OverrunBasis::Clock, Some(100_000)));
    assert_eq!(read(store, |tx| sla::contract(tx, c.id)), c);

    let cover =
        |product, date: &'static str| read(store, move |tx| sla::covering(tx, org, product, date)).map(|c| c.id);
    assert_eq!(cover(pms, "2026-01-01"), Some(c.id));
    assert_eq!(cover(pms, "2026-12-31"), Some(c.id));
    assert_eq!(cover(pms, "2027-01-01"), None);
    assert_eq!(cover(pms, "2025-12-31"), None);
    assert_eq!(cover(spa, "2026-06-01"), None);
    // By instant, the day is Warsaw's: 23:30 UTC on 31 December is already 1 January there,
    // and 22:30 UTC on 31 December 2026 is still that day.
    let cover_at = |product, at: &'static str| {
        let (zone, c) = read(store, move |tx| sla::covering_at(tx, org, product, ts(at)));
        (zone, c.map(|c| c.id))
    };
    assert_eq!(cover_at(pms, "2025-12-31T23:30:00Z"), ("Europe/Warsaw".to_owned(), Some(c.id)));
    assert_eq!(cover_at(pms, "2025-12-31T22:30:00Z").1, None);
    assert_eq!(cover_at(pms, "2026-12-31T22:30:00Z").1, Some(c.id));
    assert_eq!(cover_at(pms, "2026-12-31T23:30:00Z").1, None);
    assert_eq!(cover_at(spa, "2026-06-01T12:00:00Z"), ("Europe/Warsaw".to_owned(), None));
    let c_full = read(store, move |tx| sla::covering_at(tx, org, pms, ts("2026-06-01T12:00:00Z"))).1;
    assert_eq!(c_full.as_ref(), Some(&c), "the whole contract, as `contract` reads it");
    assert!(
        matches!(store.read(|tx| sla::covering_at(tx, org + 1000, pms, now)), Err(StoreError::NotFound)),
        "an unknown organisation is not found"
    );

    let mut changed = input.clone();
    changed.product_ids = vec![pms, spa];
    changed.targets.truncate(1);
    let later = ts("2026-02-01T00:00:00Z");
    let c2 = write(store, |tx| sla::update_contract(tx, c.id, &changed, later));
    assert_eq!((c2.product_ids.len(), c2.targets.len(), c2.updated_at), (2, 1, later));
    assert_eq!(cover(spa, "2026-06-01"), Some(c.id));
}

fn a_clock_and_its_events_round_trip_and_replay_to_the_stored_summary(store: &Store) {
    // A minimal ticket to hang the clock on.
    let now = ts("2026-03-13T18:30:00Z");
    let ticket_id = write(store, |tx| {
        let org = orgs::create(
            tx,
            &OrganisationInput {
                name: "Hotel".into(),
                time_zone: "Europe/Warsaw".into(),
                active: true,
                ..Default::default()
            },
            now,
        )?
        .id;
        let product = orgs::save_product(tx, None, "pms", "PremiumHotel", None, now)?.id;
        let contract = sla::create_contract(tx, &contract_input(org, product, "2026-01-01", None), now)?.id;
        let person = tx
            .query_one(
                "INSERT INTO people (email, name, role, organisation_id, language, active, created_at, updated_at) \
                 VALUES ('a@b.test', 'A', 'customer_user', $1, 'pl', TRUE, $2, $2) RETURNING id",
                deskbell_store::params![org, now],
            )?
            .i64(0)?;
        let id = tx
            .query_one(
                "INSERT INTO tickets (number, subject, organisation_id, requester_id, channel, kind, priority, status, created_at, updated_at) \
                 VALUES (1, 'x', $1, $2, 'portal', 'incident', 'critical', 'new', $3, $3) RETURNING id",
                deskbell_store::params![org, person, now],
            )?
            .i64(0)?;
        Ok((id, contract))
    });
    let (ticket_id, contract_id) = ticket_id;
    let std = Calendar::builtin("pl-business-08-20").unwrap();
    let calendars = std::collections::HashMap::from([(1i64, std)]);
    let events = [
        ClockEvent {
            at: now,
            kind: ClockEventKind::Start { target_secs: 7200 },
            reason: "created".into(),
            actor: Some(1),
            calendar_version: 1,
        },
        ClockEvent {
            at: ts("2026-03-16T08:00:00Z"),
            kind: ClockEventKind::Pause,
            reason: "waiting".into(),
            actor: None,
            calendar_version: 1,
        },
    ];
    let mut summary = ClockSummary::new(Metric::Resolution, WarningShare::default());
    for e in &events {
        summary.apply(e, &calendars).unwrap();
        write(store, |tx| sla::append_event(tx, ticket_id, Metric::Resolution, e, now).map(|_| ()));
    }
    let row = ClockRow {
        ticket_id,
        metric: Metric::Resolution,
        contract_id,
        calendar_id: 1,
        summary: summary.clone(),
        deadline_at: Some(ts("2026-03-16T08:30:00Z")),
        warning_at: None,
        breach_at: None,
        warning_fired_at: None,
        breach_fired_at: None,
    };
    write(store, |tx| sla::save_clock(tx, &row, now));
    let again = ClockRow { warning_fired_at: Some(now), ..row.clone() };
    write(store, |tx| sla::save_clock(tx, &again, now));
    let stored = read(store, |tx| sla::clocks(tx, ticket_id));
    assert_eq!(stored, [again]);
    assert_eq!(stored[0].summary.state(), RunState::Paused);

    let log = read(store, |tx| sla::events(tx, ticket_id));
    assert_eq!(log.iter().map(|e| e.event.clone()).collect::<Vec<_>>(), events);
    let replayed =
        ClockSummary::replay(Metric::Resolution, WarningShare::default(), log.iter().map(|e| &e.event), &calendars)
            .unwrap();
    assert_eq!(replayed, stored[0].summary);
}
