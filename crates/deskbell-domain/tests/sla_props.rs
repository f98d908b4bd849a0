//! Property tests of the business-time arithmetic against a brute-force reference.
//!
//! The reference is deliberately naive: it asks jiff for the local wall-clock time of every
//! UTC minute, decides "open" from the intervals of that local day and the day before (a shift
//! belongs to the day it starts), and then counts second by second inside open minutes. It
//! shares nothing with the fast path but the holiday list. Where the two disagree, the fast path
//! is wrong.
//!
//! Minute steps are exact because every time zone used here has whole-minute offsets and
//! transitions on whole minutes (asserted), so "open" cannot change inside a UTC minute.

// Helper functions outside `#[test]` are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use deskbell_domain::sla::{Calendar, HolidayRule, Pause, SlaError, WeeklyInterval, polish_holidays};
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use proptest::prelude::*;

const DAY: i64 = 86_400;
/// 2024-01-01T00:00:00Z.
const FROM_2024: i64 = 1_704_067_200;

const ZONES: &[&str] = &[
    "Europe/Warsaw",
    "America/New_York",
    "Australia/Lord_Howe", // DST shifts by 30 minutes
    "America/Santiago",    // southern hemisphere, changes at midnight
    "Asia/Kolkata",        // +05:30, no DST
    "UTC",
];

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

#[derive(Debug)]
struct Model {
    tz: TimeZone,
    always_open: bool,
    intervals: Vec<WeeklyInterval>,
    closed: HashSet<Date>,
    calendar: Calendar,
}

impl Model {
    /// The reference: is the second starting at `t` open?
    fn open(&self, t: i64) -> bool {
        if self.always_open {
            return true;
        }
        let at = Timestamp::from_second(t).unwrap();
        assert_eq!(self.tz.to_offset(at).seconds() % 60, 0);
        let local = self.tz.to_datetime(at);
        let wall = i64::from(local.hour()) * 3600 + i64::from(local.minute()) * 60 + i64::from(local.second());
        let today = local.date();
        // Today's intervals, and yesterday's night shifts seen 24 h later on their clock.
        for (day, shift) in [(today, 0), (today.yesterday().unwrap(), DAY)] {
            if self.closed.contains(&day) {
                continue;
            }
            for interval in self.intervals.iter().filter(|i| i.day == day.weekday()) {
                let start = i64::from(interval.start) * 60;
                let end = start + i64::from(interval.length_minutes()) * 60;
                if (start..end).contains(&(wall + shift)) {
                    return true;
                }
            }
        }
        false
    }

    /// Open seconds of one week of the pattern.
    fn week_secs(&self) -> i64 {
        if self.always_open { 7 * DAY } else { self.intervals.iter().map(|i| i64::from(i.length_minutes()) * 60).sum() }
    }
}

fn paused(pauses: &[(i64, Option<i64>)], s: i64) -> bool {
    pauses.iter().any(|&(from, to)| from <= s && to.is_none_or(|to| s < to))
}

/// Reference counted time: minute by minute, then second by second inside open minutes.
fn ref_counted(model: &Model, from: i64, to: i64, pauses: &[(i64, Option<i64>)]) -> i64 {
    let mut total = 0;
    let mut minute = from.div_euclid(60) * 60;
    while minute < to {
        if model.open(minute) {
            for s in minute.max(from)..(minute + 60).min(to) {
                if !paused(pauses, s) {
                    total += 1;
                }
            }
        }
        minute += 60;
    }
    total
}

/// Reference deadline: the first instant at which the counted seconds reach `target`; `None`
/// when a pause that never ends starts first.
fn ref_deadline(model: &Model, start: i64, target: i64, pauses: &[(i64, Option<i64>)]) -> Option<i64> {
    let forever = pauses.iter().filter(|p| p.1.is_none()).map(|p| p.0.max(start)).min();
    let mut counted = 0;
    let mut minute = start.div_euclid(60) * 60;
    loop {
        if forever.is_some_and(|f| minute >= f + 60) {
            return None;
        }
        if model.open(minute) {
            for s in minute.max(start)..minute + 60 {
                if !paused(pauses, s) {
                    counted += 1;
                    if counted == target {
                        return Some(s + 1);
                    }
                }
            }
        }
        minute += 60;
    }
}

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

fn to_pauses(raw: &[(i64, Option<i64>)]) -> Vec<Pause> {
    raw.iter().map(|&(from, to)| Pause::new(ts(from), to.map(ts)).unwrap()).collect()
}

type RawInterval = (usize, u16, u16, bool);

/// Builds a model around `start`: closed dates are given as days after the start's UTC date, so
/// they fall inside the ranges under test.
fn build_model(
    zone: &str,
    raw_intervals: &[RawInterval],
    poland: bool,
    closed_offsets: &[i64],
    always_open: bool,
    start: i64,
) -> Model {
    let tz = TimeZone::get(zone).unwrap();
    if always_open {
        return Model {
            tz: tz.clone(),
            always_open,
            intervals: vec![],
            closed: HashSet::new(),
            calendar: Calendar::always_open(tz),
        };
    }
    let holidays = if poland { HolidayRule::Poland } else { HolidayRule::None };
    let start_date = TimeZone::UTC.to_datetime(ts(start)).date();
    let closed_dates: Vec<Date> =
        closed_offsets.iter().map(|&d| start_date.checked_add(jiff::Span::new().days(d)).unwrap()).collect();
    // Keep each random interval the validating constructor accepts alongside those kept so far.
    let mut intervals: Vec<WeeklyInterval> = Vec::new();
    for &(day, start, len, on_the_hour) in raw_intervals {
        let (start, len) = if on_the_hour { (start / 60 * 60, (len / 60 * 60).max(60)) } else { (start, len) };
        let end = if start + len == 1440 { 1440 } else { (start + len) % 1440 };
        let candidate = WeeklyInterval::new(WEEKDAYS[day], start, end);
        let mut trial = intervals.clone();
        trial.push(candidate);
        if Calendar::weekly(tz.clone(), &trial, holidays, &closed_dates).is_ok() {
            intervals = trial;
        }
    }
    if intervals.is_empty() {
        intervals.push(WeeklyInterval::new(Weekday::Wednesday, 600, 720));
    }
    let calendar = Calendar::weekly(tz.clone(), &intervals, holidays, &closed_dates).unwrap();
    let mut closed: HashSet<Date> = closed_dates.into_iter().collect();
    if poland {
        for year in 2022..=2031 {
            closed.extend(polish_holidays(year));
        }
    }
    Model { tz, always_open, intervals, closed, calendar }
}

/// A start instant: anywhere in 2024–2028, or within four days of one of the zone's UTC
/// offset changes (to hit DST nights often).
fn pick_start(tz: &TimeZone, near_change: bool, pick: u64, jitter: i64) -> i64 {
    let anywhere = FROM_2024 + (pick % (5 * 365 * DAY as u64)) as i64;
    if !near_change {
        return anywhere;
    }
    let changes: Vec<i64> = tz
        .following(ts(FROM_2024))
        .take_while(|t| t.timestamp().as_second() < FROM_2024 + 5 * 365 * DAY)
        .map(|t| t.timestamp().as_second())
        .collect();
    if changes.is_empty() {
        return anywhere;
    }
    changes[(pick % changes.len() as u64) as usize] + jitter
}

/// A random calendar (zone, up to five intervals, often night shifts, Polish holidays or not,
/// up to three closed dates near the start, sometimes 24/7) and a start instant.
fn case_strategy() -> impl Strategy<Value = (Model, i64)> {
    (
        prop::sample::select(ZONES),
        prop::collection::vec((0..7usize, 0..1440u16, 1..1440u16, any::<bool>()), 1..6),
        any::<bool>(),
        prop::collection::vec(-2..10i64, 0..4),
        prop::bool::weighted(0.1),
        (prop::bool::weighted(0.6), any::<u64>(), -4 * DAY..4 * DAY),
    )
        .prop_map(|(zone, raw, poland, closed, always, (near, pick, jitter))| {
            let tz = TimeZone::get(zone).unwrap();
            let start = pick_start(&tz, near, pick, jitter);
            (build_model(zone, &raw, poland, &closed, always, start), start)
        })
}

/// Pauses relative to the start: (offset, length, never ends).
fn pauses_strategy() -> impl Strategy<Value = Vec<(i64, i64, bool)>> {
    prop::collection::vec((-2 * DAY..10 * DAY, 0..2 * DAY, prop::bool::weighted(0.1)), 0..4)
}

fn make_pauses(start: i64, raw: &[(i64, i64, bool)], allow_open: bool) -> Vec<(i64, Option<i64>)> {
    raw.iter()
        .map(|&(offset, len, open)| {
            let from = start + offset;
            (from, if open && allow_open { None } else { Some(from + len) })
        })
        .collect()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(40))]

    #[test]
    fn counted_matches_the_reference(
        (model, start) in case_strategy(),
        len in 0..9 * DAY,
        raw_pauses in pauses_strategy(),
    ) {
        let from = start;
        let pauses = make_pauses(from, &raw_pauses, true);
        let fast = model.calendar.counted(ts(from), ts(from + len), &to_pauses(&pauses));
        prop_assert_eq!(fast, ref_counted(&model, from, from + len, &pauses));
    }

    #[test]
    fn deadline_matches_the_reference(
        (model, start) in case_strategy(),
        share in 1..=2000i64,
        (exact, len) in (any::<bool>(), 1..5 * DAY),
        raw_pauses in pauses_strategy(),
    ) {
        let pauses = make_pauses(start, &raw_pauses, true);
        // Either the counted time of a random range — whose deadline is often exactly a closing
        // time or a pause's start, the range's end lying in closed or paused time — or up to
        // two weeks of the pattern's open time, at most five days' worth of seconds.
        let in_range = if exact { ref_counted(&model, start, start + len, &pauses) } else { 0 };
        let target = if in_range > 0 {
            in_range
        } else {
            (model.week_secs() * 2 * share / 2000).clamp(1, 5 * DAY)
        };
        let fast = model.calendar.deadline(ts(start), target, &to_pauses(&pauses));
        match ref_deadline(&model, start, target, &pauses) {
            Some(expected) => prop_assert_eq!(fast, Ok(ts(expected))),
            None => prop_assert_eq!(fast, Err(SlaError::PausedIndefinitely)),
        }
    }

    #[test]
    fn is_open_matches_the_reference(
        (model, start) in case_strategy(),
    ) {
        let t = start;
        for s in [t, t - t.rem_euclid(3600), t + 59] {
            prop_assert_eq!(model.calendar.is_open(ts(s)), model.open(s), "at {}", ts(s));
        }
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// Fast path against itself, with long targets (up to ~60 business days).
    #[test]
    fn deadline_and_counted_agree(
        (model, start) in case_strategy(),
        weeks_share in 1..=12_000i64,
        (exact, len) in (any::<bool>(), 1..30 * DAY),
        raw_pauses in pauses_strategy(),
    ) {
        let pauses = to_pauses(&make_pauses(start, &raw_pauses, false));
        // As above: half the time the counted time of a range, to end on closing times.
        let in_range = if exact { model.calendar.counted(ts(start), ts(start + len), &pauses) } else { 0 };
        let target = if in_range > 0 {
            in_range
        } else {
            (model.week_secs() * weeks_share / 1000).max(1)
        };
        let due = model.calendar.deadline(ts(start), target, &pauses).unwrap();
        prop_assert_eq!(model.calendar.counted(ts(start), due, &pauses), target);
        prop_assert!(model.calendar.counted(ts(start), ts(due.as_second() - 1), &pauses) < target);
    }

    #[test]
    fn deadline_is_monotonic_in_target_and_start(
        (model, start) in case_strategy(),
        target in 1..30 * DAY,
        more in 1..3 * DAY,
        later in 0..5 * DAY,
        raw_pauses in pauses_strategy(),
    ) {
        let pauses = to_pauses(&make_pauses(start, &raw_pauses, false));
        let cal = &model.calendar;
        let d = cal.deadline(ts(start), target, &pauses).unwrap();
        // One more second of target always needs one more open second.
        prop_assert!(cal.deadline(ts(start), target + more, &pauses).unwrap() > d);
        prop_assert!(cal.deadline(ts(start + later), target, &pauses).unwrap() >= d);
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn a_pause_outside_business_hours_changes_nothing(
        (model, start) in case_strategy(),
        probe in 0..7 * DAY,
        cut in (0.0..1.0f64, 0.0..1.0f64),
        target in 1..4 * DAY,
        raw_pauses in pauses_strategy(),
    ) {
        // Find a closed stretch with the reference: first closed minute after the probe, then
        // as long as it stays closed (bounded). A 24/7 calendar has none: nothing to check.
        let mut a = (start + probe).div_euclid(60) * 60;
        while model.open(a) && a < start + 15 * DAY {
            a += 60;
        }
        if model.open(a) {
            return Ok(());
        }
        let mut b = a;
        while !model.open(b) && b < a + 4 * DAY {
            b += 60;
        }
        let span = (b - a) as f64;
        let (x, y) = (a + (span * cut.0.min(cut.1)) as i64, a + (span * cut.0.max(cut.1)) as i64);
        prop_assert_eq!(ref_counted(&model, x, y, &[]), 0);
        let others = to_pauses(&make_pauses(start, &raw_pauses, false));
        let mut with = others.clone();
        with.push(Pause::new(ts(x), Some(ts(y))).unwrap());
        let cal = &model.calendar;
        let end = ts(start + 12 * DAY);
        prop_assert_eq!(cal.counted(ts(start), end, &with), cal.counted(ts(start), end, &others));
        prop_assert_eq!(
            cal.deadline(ts(start), target, &with).unwrap(),
            cal.deadline(ts(start), target, &others).unwrap()
        );
    }

    #[test]
    fn splitting_a_pause_in_two_changes_nothing(
        (model, start) in case_strategy(),
        (offset, len) in (-DAY..5 * DAY, 1..3 * DAY),
        split in 0.0..1.0f64,
        overlap in 0..3600i64,
        target in 1..4 * DAY,
    ) {
        let (a, b) = (start + offset, start + offset + len);
        let m = a + (len as f64 * split) as i64;
        let whole = [Pause::new(ts(a), Some(ts(b))).unwrap()];
        let halves = [
            Pause::new(ts(a), Some(ts(m))).unwrap(),
            Pause::new(ts(m), Some(ts(b))).unwrap(),
        ];
        let overlapping = [
            Pause::new(ts(m), Some(ts(b))).unwrap(),
            Pause::new(ts(a), Some(ts((m + overlap).min(b)))).unwrap(),
        ];
        let cal = &model.calendar;
        let end = ts(start + 9 * DAY);
        let counted = cal.counted(ts(start), end, &whole);
        prop_assert_eq!(cal.counted(ts(start), end, &halves), counted);
        prop_assert_eq!(cal.counted(ts(start), end, &overlapping), counted);
        let due = cal.deadline(ts(start), target, &whole).unwrap();
        prop_assert_eq!(cal.deadline(ts(start), target, &halves).unwrap(), due);
        prop_assert_eq!(cal.deadline(ts(start), target, &overlapping).unwrap(), due);
    }
}

/// A fixed long case against the reference: 30 business days of a two-interval calendar over
/// a DST change and several holidays.
#[test]
fn thirty_business_days_against_the_reference() {
    let model = build_model(
        "Europe/Warsaw",
        &[
            (0, 480, 240, false),
            (0, 780, 240, false),
            (1, 480, 240, false),
            (1, 780, 240, false),
            (2, 480, 240, false),
            (2, 780, 240, false),
            (3, 480, 240, false),
            (3, 780, 240, false),
            (4, 480, 240, false),
            (4, 780, 240, false),
        ],
        true,
        &[],
        false,
        FROM_2024,
    );
    assert_eq!(model.intervals.len(), 10);
    for start in ["2026-03-13T11:17:23+01:00", "2026-10-09T16:59:59+02:00", "2026-12-01T00:00:00+01:00"] {
        let start: Timestamp = start.parse().unwrap();
        let target = 30 * 8 * 3600;
        let expected = ref_deadline(&model, start.as_second(), target, &[]).unwrap();
        assert_eq!(model.calendar.deadline(start, target, &[]), Ok(ts(expected)), "{start}");
    }
}
