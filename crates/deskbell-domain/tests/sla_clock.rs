//! The SLA clock state machine: DESIGN §3 policies (pause, reopen, priority change,
//! effective-dated calendar change), refusals, and replay — folding events one at a time into a
//! stored summary gives exactly the summary of a full replay.

// Helper functions outside `#[test]` are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use deskbell_domain::sla::{
    Calendar, CalendarSource, ClockError, ClockEvent, ClockEventKind, ClockState, ClockSummary, HolidayRule, Metric,
    Pause, RunState, WarningShare, WeeklyInterval, parse_instant,
};
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use proptest::prelude::*;

const H: i64 = 3600;
const STD: i64 = 1;
const ALL_DAY: i64 = 2;
const NIGHTS: i64 = 3;

fn calendars() -> BTreeMap<i64, Calendar> {
    let nights: Vec<WeeklyInterval> = [Weekday::Monday, Weekday::Wednesday, Weekday::Friday]
        .into_iter()
        .map(|d| WeeklyInterval::new(d, 22 * 60, 6 * 60))
        .collect();
    BTreeMap::from([
        (STD, Calendar::builtin("pl-business-08-20").unwrap()),
        (ALL_DAY, Calendar::builtin("24x7").unwrap()),
        (NIGHTS, Calendar::weekly(TimeZone::get("Europe/Warsaw").unwrap(), &nights, HolidayRule::Poland, &[]).unwrap()),
    ])
}

fn t(local: &str) -> Timestamp {
    parse_instant(local, &TimeZone::get("Europe/Warsaw").unwrap()).unwrap()
}

fn ev(at: &str, kind: ClockEventKind, version: i64) -> ClockEvent {
    ClockEvent { at: t(at), kind, reason: format!("{kind:?}"), actor: Some(42), calendar_version: version }
}

fn start(at: &str, target_secs: i64) -> ClockEvent {
    ev(at, ClockEventKind::Start { target_secs }, STD)
}

fn replay(metric: Metric, events: &[ClockEvent]) -> ClockSummary {
    ClockSummary::replay(metric, WarningShare::default(), events, &calendars()).unwrap()
}

fn state(summary: &ClockSummary, now: &str) -> ClockState {
    summary.state_at(t(now), &calendars()).unwrap()
}

#[test]
fn pause_and_resume_reproduce_the_worked_example() {
    let events = [
        start("2026-03-02T10:00", 8 * H),
        ev("2026-03-02T14:00", ClockEventKind::Pause, STD),
        ev("2026-03-04T09:00", ClockEventKind::Resume, STD),
    ];
    let summary = replay(Metric::Resolution, &events);
    assert_eq!(summary.counted_secs(), 4 * H);
    assert_eq!(summary.segment_start(), Some(t("2026-03-04T09:00")));
    let now = state(&summary, "2026-03-04T10:00");
    assert_eq!(now.state, RunState::Running);
    assert_eq!(now.counted_secs, 5 * H);
    assert_eq!(now.remaining_secs, Some(3 * H));
    assert_eq!(now.deadline, Some(t("2026-03-04T13:00")));
    assert_eq!(now.breach_at, Some(t("2026-03-04T13:00:01")));
    // 80 % of 8 h = 6 h 24 min: 4 h on Monday, 2 h 24 min on Wednesday.
    assert_eq!(now.warning_at, Some(t("2026-03-04T11:24")));
    assert!(!now.breached);
    // Later, the same summary (no new events) shows the breach.
    let later = state(&summary, "2026-03-04T13:00:01");
    assert!(later.breached);
    assert_eq!(later.remaining_secs, Some(-1));
    assert_eq!(later.deadline, Some(t("2026-03-04T13:00")));
}

#[test]
fn while_paused_the_deadline_is_unknown_and_remaining_is_fixed() {
    let events = [start("2026-03-02T10:00", 8 * H), ev("2026-03-02T14:00", ClockEventKind::Pause, STD)];
    let summary = replay(Metric::Resolution, &events);
    for now in ["2026-03-02T15:00", "2026-03-20T15:00"] {
        let s = state(&summary, now);
        assert_eq!(s.state, RunState::Paused);
        assert_eq!(s.counted_secs, 4 * H);
        assert_eq!(s.remaining_secs, Some(4 * H));
        assert_eq!(s.deadline, None);
        assert_eq!(s.warning_at, None);
        assert_eq!(s.breach_at, None);
    }
}

#[test]
fn a_fix_after_closing_on_a_closing_deadline_is_not_a_breach() {
    let events = [start("2026-03-13T18:00", 2 * H), ev("2026-03-13T20:30", ClockEventKind::Stop, STD)];
    let summary = replay(Metric::Resolution, &events);
    let s = state(&summary, "2026-03-20T12:00");
    assert_eq!(s.state, RunState::Stopped);
    assert_eq!(s.counted_secs, 2 * H);
    assert_eq!(s.deadline, Some(t("2026-03-13T20:00")));
    assert_eq!(s.breach_at, None);
    assert!(!s.breached);
    assert_eq!(s.stopped_at, Some(t("2026-03-13T20:30")));
}

#[test]
fn reopen_continues_the_resolution_clock_and_resolved_time_is_a_pause() {
    let events = [
        start("2026-03-13T18:00", 8 * H),
        ev("2026-03-13T19:00", ClockEventKind::Stop, STD),
        // Reopened on Monday at 10:00: Monday 08:00–10:00 was resolved time, not counted.
        ev("2026-03-16T10:00", ClockEventKind::Resume, STD),
    ];
    let summary = replay(Metric::Resolution, &events);
    let s = state(&summary, "2026-03-16T12:00");
    assert_eq!(s.state, RunState::Running);
    assert_eq!(s.counted_secs, 3 * H);
    assert_eq!(s.stopped_at, None);
    assert_eq!(s.deadline, Some(t("2026-03-16T17:00")));
}

#[test]
fn the_first_response_clock_cannot_be_reopened() {
    let mut summary = replay(
        Metric::FirstResponse,
        &[start("2026-03-13T18:00", H), ev("2026-03-13T18:10", ClockEventKind::Stop, STD)],
    );
    let before = summary.clone();
    let err = summary.apply(&ev("2026-03-16T10:00", ClockEventKind::Resume, STD), &calendars()).unwrap_err();
    assert_eq!(
        err,
        ClockError::InvalidTransition { metric: Metric::FirstResponse, state: RunState::Stopped, event: "resume" }
    );
    assert_eq!(summary, before, "a refused event changes nothing");
}

#[test]
fn a_priority_change_measures_the_new_target_from_creation() {
    // Fault (8 h) from Monday 08:00; raised to critical (2 h) at 09:00: due at 10:00.
    let mut events = vec![
        start("2026-03-16T08:00", 8 * H),
        ev("2026-03-16T09:00", ClockEventKind::TargetChange { target_secs: 2 * H }, STD),
    ];
    let s = state(&replay(Metric::Resolution, &events), "2026-03-16T09:30");
    assert_eq!(s.target_secs, Some(2 * H));
    assert_eq!(s.counted_secs, 90 * 60);
    assert_eq!(s.deadline, Some(t("2026-03-16T10:00")));
    // 80 % of 2 h = 96 min: already counted by 09:36 — after the change, so exact.
    assert_eq!(s.warning_at, Some(t("2026-03-16T09:36")));

    // Raised only at 11:00, with 3 h counted: the new target is already overrun, the deadline
    // and the warning are recorded at the change (they are due now) and it is breached.
    events[1] = ev("2026-03-16T11:00", ClockEventKind::TargetChange { target_secs: 2 * H }, STD);
    let summary = replay(Metric::Resolution, &events);
    let s = state(&summary, "2026-03-16T11:00");
    assert_eq!(s.counted_secs, 3 * H);
    assert!(s.breached);
    assert_eq!(s.deadline, Some(t("2026-03-16T11:00")));
    assert_eq!(s.breach_at, Some(t("2026-03-16T11:00")));
    assert_eq!(s.warning_at, Some(t("2026-03-16T11:00")));

    // Lowered back to standard (24 h = 2 business days): pending again, counted stays.
    events.push(ev("2026-03-16T12:00", ClockEventKind::TargetChange { target_secs: 24 * H }, STD));
    let s = state(&replay(Metric::Resolution, &events), "2026-03-16T12:00");
    assert_eq!(s.counted_secs, 4 * H);
    assert!(!s.breached);
    assert_eq!(s.deadline, Some(t("2026-03-17T20:00")));
}

#[test]
fn an_unchanged_threshold_keeps_its_instant() {
    // The warning of a 10 h target at 80 % is 8 h; the warning of 8 h at 100 % is 8 h too.
    let share = WarningShare::new(100).unwrap();
    let events = [
        start("2026-03-16T08:00", 8 * H),
        ev("2026-03-16T18:00", ClockEventKind::TargetChange { target_secs: 9 * H }, STD),
    ];
    let summary = ClockSummary::replay(Metric::Resolution, share, &events, &calendars()).unwrap();
    let s = summary.state_at(t("2026-03-16T18:30"), &calendars()).unwrap();
    // The 8 h deadline was reached at 16:00; the new 9 h one is reached at 17:00 in the past,
    // recorded at the change; the 100 % warning equals the deadline.
    assert_eq!(s.deadline, Some(t("2026-03-16T18:00")));
    assert_eq!(s.warning_at, Some(t("2026-03-16T18:00")));
    assert!(s.breached);
}

#[test]
fn a_calendar_change_is_effective_dated() {
    // Counted by the business calendar until Friday 22:00 (2 h: 18:00–20:00), then around the
    // clock: the remaining 6 h end Saturday 04:00, not 02:00 as if 24/7 had always applied.
    let events = [
        start("2026-03-13T18:00", 8 * H),
        ev("2026-03-13T22:00", ClockEventKind::CalendarChange { calendar_version: ALL_DAY }, STD),
    ];
    let summary = replay(Metric::Resolution, &events);
    assert_eq!(summary.counted_secs(), 2 * H);
    assert_eq!(summary.calendar_version(), Some(ALL_DAY));
    let s = state(&summary, "2026-03-14T01:00");
    assert_eq!(s.counted_secs, 5 * H);
    assert_eq!(s.deadline, Some(t("2026-03-14T04:00")));
    // Later events name the new version.
    let mut more = summary.clone();
    assert_eq!(
        more.apply(&ev("2026-03-14T02:00", ClockEventKind::Pause, STD), &calendars()),
        Err(ClockError::CalendarVersionMismatch { expected: ALL_DAY, found: STD })
    );
    more.apply(&ev("2026-03-14T02:00", ClockEventKind::Pause, ALL_DAY), &calendars()).unwrap();
    assert_eq!(more.counted_secs(), 6 * H);
}

#[test]
fn refusals_name_the_problem_and_change_nothing() {
    let cals = calendars();
    let mut fresh = ClockSummary::new(Metric::Resolution, WarningShare::default());
    assert_eq!(
        fresh.apply(&ev("2026-03-16T08:00", ClockEventKind::Pause, STD), &cals),
        Err(ClockError::InvalidTransition { metric: Metric::Resolution, state: RunState::NotStarted, event: "pause" })
    );
    assert_eq!(fresh.apply(&start("2026-03-16T08:00", 0), &cals), Err(ClockError::InvalidTarget { target_secs: 0 }));
    assert_eq!(
        fresh.apply(&ev("2026-03-16T08:00", ClockEventKind::Start { target_secs: H }, 99), &cals),
        Err(ClockError::UnknownCalendarVersion { version: 99 })
    );
    assert_eq!(fresh, ClockSummary::new(Metric::Resolution, WarningShare::default()));

    let mut running = replay(Metric::Resolution, &[start("2026-03-16T08:00", 8 * H)]);
    let before = running.clone();
    for (event, expected) in [
        (
            start("2026-03-16T09:00", H),
            ClockError::InvalidTransition { metric: Metric::Resolution, state: RunState::Running, event: "start" },
        ),
        (
            ev("2026-03-16T09:00", ClockEventKind::Resume, STD),
            ClockError::InvalidTransition { metric: Metric::Resolution, state: RunState::Running, event: "resume" },
        ),
        (
            ev("2026-03-16T07:00", ClockEventKind::Pause, STD),
            ClockError::OutOfOrder { at: t("2026-03-16T07:00"), last: t("2026-03-16T08:00") },
        ),
        (
            ev("2026-03-16T09:00", ClockEventKind::TargetChange { target_secs: -60 }, STD),
            ClockError::InvalidTarget { target_secs: -60 },
        ),
        (
            ev("2026-03-16T09:00", ClockEventKind::CalendarChange { calendar_version: 7 }, STD),
            ClockError::UnknownCalendarVersion { version: 7 },
        ),
    ] {
        assert_eq!(running.apply(&event, &cals), Err(expected));
        assert_eq!(running, before);
    }
    assert_eq!(WarningShare::new(0), Err(ClockError::InvalidWarningShare { percent: 0 }));
    assert_eq!(WarningShare::new(101), Err(ClockError::InvalidWarningShare { percent: 101 }));
    assert!(serde_json::from_str::<WarningShare>("0").is_err());
    assert_eq!(serde_json::from_str::<WarningShare>("75").unwrap().percent(), 75);
    // The error text says what is wrong.
    assert_eq!(
        ClockError::InvalidTransition { metric: Metric::FirstResponse, state: RunState::Stopped, event: "resume" }
            .to_string(),
        "a resume event cannot apply to a stopped first response clock"
    );
}

#[test]
fn not_started_and_now_before_the_last_event() {
    let fresh = ClockSummary::new(Metric::FirstResponse, WarningShare::default());
    let s = state(&fresh, "2026-03-16T08:00");
    assert_eq!(s.state, RunState::NotStarted);
    assert_eq!((s.target_secs, s.counted_secs, s.deadline), (None, 0, None));
    let summary = replay(
        Metric::Resolution,
        &[start("2026-03-16T08:00", 8 * H), ev("2026-03-16T10:00", ClockEventKind::Pause, STD)],
    );
    assert_eq!(state(&summary, "2026-03-16T09:00").counted_secs, 2 * H);
}

#[test]
fn events_at_the_same_instant_are_fine() {
    let summary = replay(
        Metric::Resolution,
        &[
            start("2026-03-16T08:00", 8 * H),
            ev("2026-03-16T08:00", ClockEventKind::Pause, STD),
            ev("2026-03-16T08:00", ClockEventKind::Resume, STD),
        ],
    );
    assert_eq!(summary.events_applied(), 3);
    assert_eq!(state(&summary, "2026-03-16T09:00").counted_secs, H);
}

#[test]
fn a_stored_summary_round_trips_through_json() {
    let summary = replay(
        Metric::Resolution,
        &[start("2026-03-16T08:00", 8 * H), ev("2026-03-16T10:00", ClockEventKind::Pause, STD)],
    );
    let json = serde_json::to_string(&summary).unwrap();
    assert_eq!(serde_json::from_str::<ClockSummary>(&json).unwrap(), summary);
    let event = ev("2026-03-16T10:00", ClockEventKind::TargetChange { target_secs: 60 }, STD);
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["kind"]["type"], "target_change");
    assert_eq!(serde_json::from_value::<ClockEvent>(json).unwrap(), event);
}

/// One step of a generated ticket history: wait `delay` seconds, then do `op` (interpreted
/// against the clock's state so that most steps are valid).
#[derive(Clone, Debug)]
struct Step {
    delay: i64,
    op: u8,
    value: i64,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (0..3 * 86_400i64, 0..6u8, 1..40 * H).prop_map(|(delay, op, value)| Step { delay, op, value }),
        0..25,
    )
}

/// Turns generated steps into a valid event list for `metric`.
fn events_from(
    metric: Metric,
    begin: Timestamp,
    target: i64,
    steps: &[Step],
    with_calendar_changes: bool,
) -> Vec<ClockEvent> {
    let mut at = begin;
    let mut state = RunState::Running;
    let mut version = STD;
    let mut events = vec![ClockEvent {
        at,
        kind: ClockEventKind::Start { target_secs: target },
        reason: "created".into(),
        actor: None,
        calendar_version: version,
    }];
    for step in steps {
        at = at.checked_add(jiff::SignedDuration::from_secs(step.delay)).unwrap();
        let kind = match (step.op, state) {
            (0, RunState::Running) => ClockEventKind::Pause,
            (0 | 1, RunState::Paused) => ClockEventKind::Resume,
            (0 | 1, RunState::Stopped) if metric == Metric::Resolution => ClockEventKind::Resume,
            (1 | 2, RunState::Running | RunState::Paused) => ClockEventKind::Stop,
            (3, _) => ClockEventKind::TargetChange { target_secs: step.value },
            (4, _) if with_calendar_changes => {
                ClockEventKind::CalendarChange { calendar_version: [STD, ALL_DAY, NIGHTS][(step.value % 3) as usize] }
            }
            _ => continue,
        };
        events.push(ClockEvent { at, kind, reason: "generated".into(), actor: Some(1), calendar_version: version });
        state = match kind {
            ClockEventKind::Pause => RunState::Paused,
            ClockEventKind::Resume => RunState::Running,
            ClockEventKind::Stop => RunState::Stopped,
            _ => state,
        };
        if let ClockEventKind::CalendarChange { calendar_version } = kind {
            version = calendar_version;
        }
    }
    events
}

fn metric_strategy() -> impl Strategy<Value = Metric> {
    prop::sample::select(vec![Metric::FirstResponse, Metric::Resolution])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Storing the summary after every event (through JSON, as the store would) and applying
    /// only the new event gives exactly the full replay, and the same state at any `now`.
    #[test]
    fn incremental_folding_equals_full_replay(
        metric in metric_strategy(),
        begin in 1_767_225_600i64..1_830_297_600,
        target in 1..60 * H,
        share in 1..=100u8,
        steps in steps(),
        later in 0..10 * 86_400i64,
    ) {
        let cals = calendars();
        let share = WarningShare::new(share).unwrap();
        let events = events_from(metric, Timestamp::from_second(begin).unwrap(), target, &steps, true);
        let full = ClockSummary::replay(metric, share, &events, &cals).unwrap();
        let mut stored = serde_json::to_string(&ClockSummary::new(metric, share)).unwrap();
        for event in &events {
            let mut summary: ClockSummary = serde_json::from_str(&stored).unwrap();
            summary.apply(event, &cals).unwrap();
            stored = serde_json::to_string(&summary).unwrap();
        }
        let incremental: ClockSummary = serde_json::from_str(&stored).unwrap();
        prop_assert_eq!(&incremental, &full);
        prop_assert_eq!(incremental.events_applied(), events.len() as u64);
        let last = events.last().unwrap().at;
        let now = last.checked_add(jiff::SignedDuration::from_secs(later)).unwrap();
        prop_assert_eq!(incremental.state_at(now, &cals).unwrap(), full.state_at(now, &cals).unwrap());
    }

    /// With one calendar, the clock's counted time is the calendar's counted time from the
    /// start with every pause and every resolved stretch as a pause; its deadline, warning and
    /// breach instants are where that count reaches the thresholds.
    #[test]
    fn the_clock_counts_what_the_calendar_counts(
        metric in metric_strategy(),
        begin in 1_767_225_600i64..1_830_297_600,
        target in 1..60 * H,
        steps in steps(),
        later in 0..10 * 86_400i64,
    ) {
        let cals = calendars();
        let cal = cals.calendar(STD).unwrap();
        let events = events_from(metric, Timestamp::from_second(begin).unwrap(), target, &steps, false);
        let summary = ClockSummary::replay(metric, WarningShare::default(), &events, &cals).unwrap();
        let now = events.last().unwrap().at.checked_add(jiff::SignedDuration::from_secs(later)).unwrap();
        // Pauses: from each Pause or Stop to the next Resume (or open).
        let mut pauses = Vec::new();
        let mut paused_since = None;
        let mut target = target;
        for e in &events {
            match e.kind {
                // A stop while paused continues the same uncounted stretch.
                ClockEventKind::Pause | ClockEventKind::Stop => {
                    paused_since.get_or_insert(e.at);
                }
                ClockEventKind::Resume => {
                    if let Some(since) = paused_since.take() {
                        pauses.push(Pause::new(since, Some(e.at)).unwrap());
                    }
                }
                ClockEventKind::TargetChange { target_secs } => target = target_secs,
                _ => {}
            }
        }
        if let Some(since) = paused_since {
            pauses.push(Pause::open(since));
        }
        let s = summary.state_at(now, &cals).unwrap();
        let begin = events[0].at;
        prop_assert_eq!(s.counted_secs, cal.counted(begin, now, &pauses));
        prop_assert_eq!(s.target_secs, Some(target));
        prop_assert_eq!(s.breached, s.counted_secs > target);
        prop_assert_eq!(s.remaining_secs, Some(target - s.counted_secs));
        // Without a target change, every known instant is the calendar's own deadline.
        if !events.iter().any(|e| matches!(e.kind, ClockEventKind::TargetChange { .. })) {
            let warning = (target * 80 + 99) / 100;
            for (instant, threshold) in [(s.warning_at, warning), (s.deadline, target), (s.breach_at, target + 1)] {
                match instant {
                    Some(at) => prop_assert_eq!(Ok(at), cal.deadline(begin, threshold, &pauses)),
                    None => prop_assert!(summary.state() != RunState::Running && s.counted_secs < threshold),
                }
            }
        }
    }
}

#[test]
fn a_deadline_past_year_9999_is_unknown_not_an_error() {
    // One minute a week: 100 years of counted time would take about a million years.
    let sparse = Calendar::weekly(
        TimeZone::get("Europe/Warsaw").unwrap(),
        &[WeeklyInterval::new(Weekday::Wednesday, 600, 601)],
        HolidayRule::None,
        &[],
    )
    .unwrap();
    let cals = BTreeMap::from([(STD, sparse)]);
    let target = deskbell_domain::sla::clock::MAX_TARGET_SECS;
    let summary =
        ClockSummary::replay(Metric::Resolution, WarningShare::default(), &[start("2026-03-16T08:00", target)], &cals)
            .unwrap();
    let s = summary.state_at(t("2026-03-20T08:00"), &cals).unwrap();
    assert_eq!(s.counted_secs, 60);
    assert_eq!((s.deadline, s.warning_at, s.breach_at), (None, None, None));
    assert_eq!(
        ClockSummary::new(Metric::Resolution, WarningShare::default())
            .apply(&start("2026-03-16T08:00", target + 1), &cals),
        Err(ClockError::InvalidTarget { target_secs: target + 1 })
    );
}
