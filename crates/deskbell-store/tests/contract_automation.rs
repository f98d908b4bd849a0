//! The store contract for automation: rules in their order with firing counts, canned
//! responses (the scope rules' keyed answers written once), absences and working hours,
//! and round-robin turns that stay fair when tickets are routed at the same moment.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use std::collections::HashMap;

use deskbell_domain::person::{Language, Role};
use deskbell_store::automation::{self, ResponseInput, RuleInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::{Store, StoreError, Tx};
use jiff::{SignedDuration, Timestamp};

contract_tests!(
    rules_come_back_in_their_order_and_count_their_firings,
    a_keyed_response_is_written_once_and_keeps_the_admins_edits,
    absences_and_working_hours_are_kept_per_agent,
    round_robin_serves_the_longest_waiting_agent_first,
    concurrent_turns_of_one_pool_never_pick_the_same_agent_twice_in_a_row,
);

fn base() -> Timestamp {
    "2026-03-16T09:00:00Z".parse().unwrap()
}

fn write<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.write(f).expect("write transaction")
}

fn read<T>(store: &Store, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> T {
    store.read(f).expect("read transaction")
}

fn agents(store: &Store, n: usize) -> Vec<i64> {
    write(store, |tx| {
        (0..n)
            .map(|i| {
                let input = PersonInput {
                    email: format!("agent{i}@vendor.demo").parse().unwrap(),
                    name: format!("Agent {i}"),
                    role: Role::Agent,
                    organisation_id: None,
                    phone: None,
                    language: Language::Pl,
                    active: true,
                };
                Ok(people::create(tx, &input, None, base())?.id)
            })
            .collect()
    })
}

fn rule_input(name: &str, position: i64, active: bool) -> RuleInput {
    RuleInput {
        name: name.into(),
        position,
        active,
        definition: r#"{"on":["created"],"actions":[{"action":"unassign"}]}"#.into(),
    }
}

fn rules_come_back_in_their_order_and_count_their_firings(store: &Store) {
    let config = |store: &Store| read(store, |tx| automation::settings_and_active_rules(tx, &["routing", "scope"]));
    assert_eq!(config(store), (vec![None, None], 0), "no settings, no rules");
    let (a, b, c) = write(store, |tx| {
        let a = automation::save_rule(tx, None, &rule_input("later", 20, true), None, base())?;
        let b = automation::save_rule(tx, None, &rule_input("first", 10, true), None, base())?;
        let c = automation::save_rule(tx, None, &rule_input("off", 5, false), None, base())?;
        Ok((a, b, c))
    });
    let names = |list: Vec<automation::Rule>| list.into_iter().map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(names(read(store, automation::rules)), ["off", "first", "later"]);
    assert_eq!(names(read(store, automation::active_rules)), ["first", "later"]);
    write(store, |tx| deskbell_store::settings::set(tx, "scope", r#"{"out_of_scope":false}"#));
    assert_eq!(
        config(store),
        (vec![None, Some(r#"{"out_of_scope":false}"#.to_owned())], 2),
        "settings in the order asked and the active rules counted, in one query"
    );

    // Names are unique.
    let dup = store.write(|tx| automation::save_rule(tx, None, &rule_input("first", 1, true), None, base()));
    assert!(matches!(dup, Err(StoreError::Unique { .. })), "{dup:?}");

    write(store, |tx| {
        automation::count_firings(tx, &[a.id, b.id])?;
        automation::count_firings(tx, &[a.id])
    });
    let fired: HashMap<String, i64> = read(store, automation::rules).into_iter().map(|r| (r.name, r.fired)).collect();
    assert_eq!(fired["later"], 2);
    assert_eq!(fired["first"], 1);
    assert_eq!(fired["off"], 0);

    let later = base() + SignedDuration::from_mins(5);
    let edited = write(store, |tx| automation::save_rule(tx, Some(c.id), &rule_input("on now", 5, true), None, later));
    assert_eq!(
        (edited.name.as_str(), edited.active, edited.created_at, edited.updated_at),
        ("on now", true, base(), later)
    );
    write(store, |tx| automation::delete_rule(tx, b.id));
    assert!(matches!(store.write(|tx| automation::delete_rule(tx, b.id)), Err(StoreError::NotFound)));
    assert!(matches!(
        store.write(|tx| automation::save_rule(tx, Some(b.id), &rule_input("x", 1, true), None, later)),
        Err(StoreError::NotFound)
    ));
    assert_eq!(names(read(store, automation::active_rules)), ["on now", "later"]);
    assert_eq!(config(store).1, 2);
}

fn a_keyed_response_is_written_once_and_keeps_the_admins_edits(store: &Store) {
    let default = ResponseInput {
        title: "Lokalne IT".into(),
        body_pl: "Prosimy o kontakt z lokalnym IT, {{person}}.".into(),
        body_en: "Please contact your local IT, {{person}}.".into(),
        active: true,
    };
    let first = write(store, |tx| automation::keyed_response(tx, "local_it", &default, base()));
    assert_eq!(first.key.as_deref(), Some("local_it"));
    let edited = ResponseInput { body_pl: "Zmieniony tekst".into(), ..default.clone() };
    write(store, |tx| automation::save_response(tx, Some(first.id), &edited, base()));
    let again = write(store, |tx| automation::keyed_response(tx, "local_it", &default, base()));
    assert_eq!(again.id, first.id);
    assert_eq!(again.body("pl"), "Zmieniony tekst", "the admin's edit stays");
    assert_eq!(again.body("en"), "Please contact your local IT, {{person}}.");

    let plain = write(store, |tx| {
        automation::save_response(
            tx,
            None,
            &ResponseInput {
                title: "Anulowanie rezerwacji".into(),
                body_pl: "Tekst".into(),
                body_en: " ".into(),
                active: true,
            },
            base(),
        )
    });
    assert_eq!(plain.key, None);
    assert_eq!(plain.body("en"), "Tekst", "an empty English text falls back to Polish");
    let titles: Vec<String> = read(store, automation::responses).into_iter().map(|r| r.title).collect();
    assert_eq!(titles, ["Anulowanie rezerwacji", "Lokalne IT"]);
}

fn absences_and_working_hours_are_kept_per_agent(store: &Store) {
    let a = agents(store, 3);
    let t = base();
    let h = SignedDuration::from_hours(1);
    write(store, |tx| {
        automation::add_absence(tx, a[0], t, t + h * 8, Some("urlop"), None, t)?;
        automation::add_absence(tx, a[1], t + h * 2, t + h * 3, None, None, t)?;
        Ok(())
    });
    // Those `candidates` leaves out when it skips the absent (all three are active agents).
    let away = |at: Timestamp| {
        let here: Vec<i64> =
            read(store, |tx| automation::candidates(tx, &a, true, at)).into_iter().map(|(p, _)| p).collect();
        a.iter().copied().filter(|p| !here.contains(p)).collect::<Vec<_>>()
    };
    assert_eq!(away(t), [a[0]], "the start instant is inside");
    let mut both = away(t + h * 2);
    both.sort_unstable();
    assert_eq!(both, [a[0], a[1]]);
    assert_eq!(away(t + h * 8), Vec::<i64>::new(), "the end instant is outside");
    assert_eq!(read(store, |tx| automation::absences(tx, t + h * 4)).len(), 1);
    let bad = store.write(|tx| automation::add_absence(tx, a[2], t, t, None, None, t));
    assert!(bad.is_err(), "an absence must end after it starts");

    write(store, |tx| {
        automation::set_working_hours(tx, a[0], Some(1))?;
        automation::set_working_hours(tx, a[1], Some(1))?;
        automation::set_working_hours(tx, a[1], Some(2))?;
        automation::set_working_hours(tx, a[0], None)
    });
    let hours: Vec<(i64, i64)> = read(store, |tx| automation::candidates(tx, &a, false, t))
        .into_iter()
        .filter_map(|(p, calendar)| Some((p, calendar?)))
        .collect();
    assert_eq!(hours, [(a[1], 2)]);
}

fn round_robin_serves_the_longest_waiting_agent_first(store: &Store) {
    let a = agents(store, 3);
    let take = |cands: &[i64]| write(store, |tx| automation::take_turn(tx, "team:1", cands, base()));
    assert_eq!([take(&a), take(&a), take(&a), take(&a)], [a[0], a[1], a[2], a[0]]);
    // a[1] is away: the others take turns; back, a[1] has waited longest.
    assert_eq!(take(&[a[0], a[2]]), a[2]);
    assert_eq!(take(&[a[0], a[2]]), a[0]);
    assert_eq!(take(&a), a[1]);
    // Another pool keeps its own turns.
    assert_eq!(write(store, |tx| automation::take_turn(tx, "org:7", &a, base())), a[0]);
}

fn concurrent_turns_of_one_pool_never_pick_the_same_agent_twice_in_a_row(store: &Store) {
    let a = agents(store, 4);
    let picks: Vec<i64> = std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..8).map(|_| s.spawn(|| write(store, |tx| automation::take_turn(tx, "team:9", &a, base())))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for p in picks {
        *counts.entry(p).or_default() += 1;
    }
    // Eight turns among four agents: two each, whatever the interleaving.
    assert_eq!(counts.len(), 4, "{counts:?}");
    assert!(counts.values().all(|&n| n == 2), "{counts:?}");
}
