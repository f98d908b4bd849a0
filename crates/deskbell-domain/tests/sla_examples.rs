//! DESIGN §3 worked examples and the fixed cases issue 3 asks for: both DST weekends of 2026 and
//! 2027, 24 December 2024 (working day) against 2025 (holiday), 29 February 2028, deadlines at
//! opening and closing, night shifts on DST nights.

// Helper functions outside `#[test]` are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use deskbell_domain::sla::{
    Calendar, CalendarSpec, HolidayRule, Pause, SlaError, WeeklyInterval, format_instant, is_breached, parse_duration,
    parse_instant,
};
use jiff::Timestamp;
use jiff::civil::{Weekday, date};
use jiff::tz::TimeZone;

fn std_cal() -> Calendar {
    Calendar::builtin("pl-business-08-20").unwrap()
}

fn all_day() -> Calendar {
    Calendar::builtin("24x7").unwrap()
}

fn warsaw() -> TimeZone {
    TimeZone::get("Europe/Warsaw").unwrap()
}

/// A local time (or RFC 3339) in the calendar's zone.
fn at(cal: &Calendar, text: &str) -> Timestamp {
    parse_instant(text, cal.time_zone()).unwrap()
}

fn deadline(cal: &Calendar, start: &str, target: &str, pauses: &[(&str, &str)]) -> String {
    let pauses: Vec<Pause> = pauses.iter().map(|(a, b)| Pause::new(at(cal, a), Some(at(cal, b))).unwrap()).collect();
    let start = at(cal, start);
    let target = parse_duration(target).unwrap();
    let due = cal.deadline(start, target, &pauses).unwrap();
    // Deadline and counted agree: exactly the target at the deadline, less a second before.
    assert_eq!(cal.counted(start, due, &pauses), target);
    assert!(cal.counted(start, due - jiff::SignedDuration::from_secs(1), &pauses) < target);
    format_instant(due, cal.time_zone())
}

fn counted(cal: &Calendar, from: &str, to: &str) -> i64 {
    cal.counted(at(cal, from), at(cal, to), &[])
}

const H: i64 = 3600;

#[test]
fn design_worked_examples() {
    let std = std_cal();
    assert_eq!(deadline(&std, "2026-03-13T19:30", "2h", &[]), "2026-03-16T09:30:00+01:00");
    assert_eq!(deadline(&std, "2026-12-23T18:00", "8h", &[]), "2026-12-28T14:00:00+01:00");
    assert_eq!(deadline(&std, "2026-03-13T18:00", "2h", &[]), "2026-03-13T20:00:00+01:00");
    assert_eq!(deadline(&std, "2026-05-04T08:00", "24h", &[]), "2026-05-05T20:00:00+02:00");
    assert_eq!(
        deadline(&std, "2026-03-02T10:00", "8h", &[("2026-03-02T14:00", "2026-03-04T09:00")]),
        "2026-03-04T13:00:00+01:00"
    );
    let all = all_day();
    assert_eq!(deadline(&all, "2026-03-29T01:30", "2h", &[]), "2026-03-29T04:30:00+02:00");
    assert_eq!(deadline(&all, "2026-10-24T22:00", "8h", &[]), "2026-10-25T05:00:00+01:00");
}

#[test]
fn fix_after_closing_on_a_closing_deadline_is_not_a_breach() {
    let std = std_cal();
    let start = at(&std, "2026-03-13T18:00");
    let target = 2 * H;
    for (fixed, breached) in [
        ("2026-03-13T20:00:00", false),
        ("2026-03-13T20:30:00", false),
        ("2026-03-16T08:00:00", false),
        ("2026-03-16T08:00:01", true),
    ] {
        let counted = std.counted(start, at(&std, fixed), &[]);
        assert_eq!(is_breached(counted, target), breached, "{fixed}");
    }
}

#[test]
fn deadlines_at_opening_and_closing() {
    let std = std_cal();
    // Started at opening, a full day's target ends at closing the same day, not next morning.
    assert_eq!(deadline(&std, "2026-03-16T08:00", "12h", &[]), "2026-03-16T20:00:00+01:00");
    // One second from opening.
    assert_eq!(deadline(&std, "2026-03-16T08:00", "1s", &[]), "2026-03-16T08:00:01+01:00");
    // Started exactly at closing: nothing counts until the next opening.
    assert_eq!(deadline(&std, "2026-03-13T20:00", "1s", &[]), "2026-03-16T08:00:01+01:00");
    assert_eq!(deadline(&std, "2026-03-14T12:00", "1h", &[]), "2026-03-16T09:00:00+01:00");
    // Ending exactly at closing after crossing a weekend.
    assert_eq!(deadline(&std, "2026-03-13T19:00", "13h", &[]), "2026-03-16T20:00:00+01:00");
    // A second before the opening and a second after it.
    assert_eq!(counted(&std, "2026-03-16T07:59:59", "2026-03-16T08:00:00"), 0);
    assert_eq!(counted(&std, "2026-03-16T08:00:00", "2026-03-16T08:00:01"), 1);
    assert_eq!(counted(&std, "2026-03-16T19:59:59", "2026-03-16T20:00:01"), 1);
    assert!(std.is_open(at(&std, "2026-03-16T08:00:00")));
    assert!(std.is_open(at(&std, "2026-03-16T19:59:59")));
    assert!(!std.is_open(at(&std, "2026-03-16T20:00:00")));
    assert!(!std.is_open(at(&std, "2026-03-16T07:59:59")));
}

#[test]
fn a_deadline_inside_a_pause_moves_to_its_end() {
    let std = std_cal();
    // Paused from 09:00 to 11:00: two hours later, not one.
    assert_eq!(
        deadline(&std, "2026-03-16T08:00", "2h", &[("2026-03-16T09:00", "2026-03-16T11:00")]),
        "2026-03-16T12:00:00+01:00"
    );
    // A pause ending exactly where the target would be reached without it.
    assert_eq!(
        deadline(&std, "2026-03-16T08:00", "1h", &[("2026-03-16T08:00", "2026-03-16T09:00")]),
        "2026-03-16T10:00:00+01:00"
    );
    // Overlapping pauses count once; a pause at the weekend changes nothing.
    assert_eq!(
        deadline(
            &std,
            "2026-03-13T19:30",
            "2h",
            &[("2026-03-14T10:00", "2026-03-15T10:00"), ("2026-03-13T21:00", "2026-03-14T12:00"),]
        ),
        "2026-03-16T09:30:00+01:00"
    );
}

#[test]
fn an_open_pause_has_no_deadline() {
    let std = std_cal();
    let start = at(&std, "2026-03-16T08:00");
    let pause = Pause::open(at(&std, "2026-03-16T09:00"));
    assert_eq!(std.deadline(start, 2 * H, &[pause]), Err(SlaError::PausedIndefinitely));
    // …unless the target is reached before it starts.
    assert_eq!(std.deadline(start, H, &[pause]), Ok(at(&std, "2026-03-16T09:00")));
    assert_eq!(std.counted(start, at(&std, "2026-03-20T12:00"), &[pause]), H);
}

#[test]
fn bad_targets_are_refused() {
    let std = std_cal();
    let start = at(&std, "2026-03-16T08:00");
    assert_eq!(std.deadline(start, 0, &[]), Err(SlaError::NonPositiveTarget { target_secs: 0 }));
    assert_eq!(std.deadline(start, -5, &[]), Err(SlaError::NonPositiveTarget { target_secs: -5 }));
    assert_eq!(std.deadline(start, i64::MAX, &[]), Err(SlaError::OutOfRange));
    // 8000 years of business time from 2026 end after year 9999.
    assert_eq!(std.deadline(start, 8000 * 52 * 60 * H, &[]), Err(SlaError::OutOfRange));
    assert_eq!(all_day().deadline(start, 8000 * 366 * 24 * H, &[]), Err(SlaError::OutOfRange));
}

#[test]
fn counted_over_an_empty_or_inverted_range_is_zero() {
    let std = std_cal();
    assert_eq!(counted(&std, "2026-03-16T10:00", "2026-03-16T10:00"), 0);
    assert_eq!(counted(&std, "2026-03-16T12:00", "2026-03-16T10:00"), 0);
}

#[test]
fn dst_weekends_2026_and_2027_around_the_clock() {
    let all = all_day();
    for (spring, autumn) in [("2026-03-29", "2026-10-25"), ("2027-03-28", "2027-10-31")] {
        let day = |d: &str, t: &str| format!("{d}T{t}");
        // A local day is 23 h in spring and 25 h in autumn.
        let next = |d: &str| {
            let d: jiff::civil::Date = d.parse().unwrap();
            d.tomorrow().unwrap().to_string()
        };
        assert_eq!(counted(&all, &day(spring, "00:00"), &day(&next(spring), "00:00")), 23 * H);
        assert_eq!(counted(&all, &day(autumn, "00:00"), &day(&next(autumn), "00:00")), 25 * H);
        // Across the gap: 01:30 CET + 2 h = 04:30 CEST.
        assert_eq!(deadline(&all, &day(spring, "01:30"), "2h", &[]), format!("{spring}T04:30:00+02:00"));
        // Across the fold: 01:30 CEST + 2 h = 02:30 CET (the second 02:30).
        assert_eq!(deadline(&all, &day(autumn, "01:30"), "2h", &[]), format!("{autumn}T02:30:00+01:00"));
    }
}

#[test]
fn dst_weekends_2026_and_2027_in_business_hours() {
    // The changes happen on Sunday night, so Mon–Fri 08:00–20:00 days keep 12 h; a deadline
    // over the weekend is the same wall-clock time as without DST.
    let std = std_cal();
    assert_eq!(deadline(&std, "2026-03-27T19:00", "2h", &[]), "2026-03-30T09:00:00+02:00");
    assert_eq!(deadline(&std, "2026-10-23T19:00", "2h", &[]), "2026-10-26T09:00:00+01:00");
    // 2027's spring change is on Easter Sunday, so Easter Monday 29 March is off too.
    assert_eq!(deadline(&std, "2027-03-26T19:00", "2h", &[]), "2027-03-30T09:00:00+02:00");
    // …and 2027's autumn change is the night before All Saints (Monday 1 November).
    assert_eq!(deadline(&std, "2027-10-29T19:00", "2h", &[]), "2027-11-02T09:00:00+01:00");
    // Whole DST weeks hold exactly 5 × 12 h.
    assert_eq!(counted(&std, "2026-03-23T00:00", "2026-03-30T00:00"), 60 * H);
    assert_eq!(counted(&std, "2026-10-19T00:00", "2026-10-26T00:00"), 60 * H);
    // A Sunday-only all-day calendar counts the real 23 h and 25 h.
    let sunday =
        Calendar::weekly(warsaw(), &[WeeklyInterval::new(Weekday::Sunday, 0, 1440)], HolidayRule::None, &[]).unwrap();
    for (spring, autumn) in [("2026-03-29", "2026-10-25"), ("2027-03-28", "2027-10-31")] {
        let week_around = |d: &str| {
            let d: jiff::civil::Date = d.parse().unwrap();
            (format!("{}T00:00", d.yesterday().unwrap()), format!("{}T00:00", d.tomorrow().unwrap()))
        };
        let (from, to) = week_around(spring);
        assert_eq!(counted(&sunday, &from, &to), 23 * H);
        let (from, to) = week_around(autumn);
        assert_eq!(counted(&sunday, &from, &to), 25 * H);
        // 23 h from Sunday midnight ends at the next midnight in spring, an hour early in autumn.
        assert_eq!(
            deadline(&sunday, &format!("{spring}T00:00"), "23h", &[]),
            format!("{}T00:00:00+02:00", spring.parse::<jiff::civil::Date>().unwrap().tomorrow().unwrap())
        );
        assert_eq!(deadline(&sunday, &format!("{autumn}T00:00"), "23h", &[]), format!("{autumn}T22:00:00+01:00"));
    }
}

/// Interval semantics on DST nights (documented in `sla::business`): an instant is open when
/// its local wall-clock time is inside an open interval.
#[test]
fn intervals_inside_the_gap_and_the_fold() {
    let tz = warsaw();
    let sunday = |start, end| {
        Calendar::weekly(tz.clone(), &[WeeklyInterval::new(Weekday::Sunday, start, end)], HolidayRule::None, &[])
            .unwrap()
    };
    let whole_sunday = |cal: &Calendar, d: &str| {
        let d: jiff::civil::Date = d.parse().unwrap();
        counted(cal, &format!("{}T12:00", d.yesterday().unwrap()), &format!("{}T12:00", d.tomorrow().unwrap()))
    };
    for (spring, autumn) in [("2026-03-29", "2026-10-25"), ("2027-03-28", "2027-10-31")] {
        // 02:00–03:00 on the spring night never happens; in autumn it happens twice.
        let gap_hour = sunday(120, 180);
        assert_eq!(whole_sunday(&gap_hour, spring), 0);
        assert_eq!(whole_sunday(&gap_hour, autumn), 2 * H);
        // 02:30–05:00 opens when the clocks jump to 03:00 in spring (2 h); in autumn 02:30–03:00
        // counts the first time and 02:30–05:00 the second time (3 h).
        let from_half_past_two = sunday(150, 300);
        assert_eq!(whole_sunday(&from_half_past_two, spring), 2 * H);
        assert_eq!(whole_sunday(&from_half_past_two, autumn), 3 * H);
        // 01:00–04:00 spans the whole change: the real elapsed 2 h and 4 h.
        let over = sunday(60, 240);
        assert_eq!(whole_sunday(&over, spring), 2 * H);
        assert_eq!(whole_sunday(&over, autumn), 4 * H);
        // Saturday 22:00–02:30 ends inside the change: 4 h in spring (02:00 CET is 03:00
        // CEST, already past 02:30); in autumn 22:00–02:30 CEST and 02:00–02:30 CET again (5 h).
        let into_the_night = Calendar::weekly(
            tz.clone(),
            &[WeeklyInterval::new(Weekday::Saturday, 22 * 60, 150)],
            HolidayRule::None,
            &[],
        )
        .unwrap();
        assert_eq!(whole_sunday(&into_the_night, spring), 4 * H);
        assert_eq!(whole_sunday(&into_the_night, autumn), 5 * H);
        // A deadline over the fold lands on real elapsed time: 01:00 CEST + 3 h = 03:00 CET.
        assert_eq!(deadline(&over, &format!("{autumn}T01:00"), "3h", &[]), format!("{autumn}T03:00:00+01:00"));
    }
}

#[test]
fn night_shifts_on_dst_nights() {
    let tz = warsaw();
    let every_night: Vec<WeeklyInterval> = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ]
    .into_iter()
    .map(|d| WeeklyInterval::new(d, 22 * 60, 6 * 60))
    .collect();
    let nights = Calendar::weekly(tz, &every_night, HolidayRule::Poland, &[]).unwrap();
    // In 2027 the spring change falls on Easter Sunday: the Sunday and Easter Monday shifts
    // start on holidays and stay closed, so the next open second is Tuesday night.
    for (sat_spring, sun_spring, sat_autumn, sun_autumn, next_after_spring_shift) in [
        ("2026-03-28", "2026-03-29", "2026-10-24", "2026-10-25", "2026-03-29T22:00:01+02:00"),
        ("2027-03-27", "2027-03-28", "2027-10-30", "2027-10-31", "2027-03-30T22:00:01+02:00"),
    ] {
        let t = |d: &str, hm: &str| format!("{d}T{hm}");
        // The Saturday shift is 7 h long in spring and 9 h in autumn.
        assert_eq!(counted(&nights, &t(sat_spring, "12:00"), &t(sun_spring, "12:00")), 7 * H);
        assert_eq!(counted(&nights, &t(sat_autumn, "12:00"), &t(sun_autumn, "12:00")), 9 * H);
        assert_eq!(deadline(&nights, &t(sat_spring, "22:00"), "7h", &[]), format!("{sun_spring}T06:00:00+02:00"));
        assert_eq!(deadline(&nights, &t(sat_spring, "22:00"), "4h", &[]), format!("{sun_spring}T03:00:00+02:00"));
        // 7 h + 1 s: the rest of the night is used up, so the next shift's first second.
        assert_eq!(deadline(&nights, &t(sat_spring, "22:00"), "7h1s", &[]), next_after_spring_shift);
        assert_eq!(deadline(&nights, &t(sat_autumn, "22:00"), "9h", &[]), format!("{sun_autumn}T06:00:00+01:00"));
        assert_eq!(deadline(&nights, &t(sat_autumn, "22:00"), "8h", &[]), format!("{sun_autumn}T05:00:00+01:00"));
    }
}

#[test]
fn a_night_shift_belongs_to_the_day_it_starts() {
    let spec: CalendarSpec = toml::from_str(
        r#"
        time_zone = "Europe/Warsaw"
        holidays = "pl"
        [[intervals]]
        days = ["mon", "tue", "wed", "thu", "fri"]
        start = "22:00"
        end = "06:00"
        "#,
    )
    .unwrap();
    let nights = Calendar::from_spec(&spec).unwrap();
    // Wed 23 Dec 2026 22:00 runs to Thu 24 06:00 (a holiday, but the shift started on Wed);
    // the Thu 24 and Fri 25 shifts start on holidays and stay closed.
    assert_eq!(counted(&nights, "2026-12-23T12:00", "2026-12-28T12:00"), 8 * H);
    // Friday's shift runs into Saturday; there is no Saturday shift.
    assert_eq!(counted(&nights, "2026-03-13T12:00", "2026-03-16T12:00"), 8 * H);
    assert!(nights.is_open(at(&nights, "2026-03-14T05:59:59")));
    assert!(!nights.is_open(at(&nights, "2026-03-14T06:00")));
    assert!(!nights.is_open(at(&nights, "2026-03-14T23:00")));
    // The Sunday night has no shift; Monday 00:00–06:00 belongs to it, so it is closed.
    assert!(!nights.is_open(at(&nights, "2026-03-16T03:00")));
    assert!(nights.is_open(at(&nights, "2026-03-17T03:00")));
    // A deadline from Friday evening: Fri 22:00–Sat 06:00 is 8 h, then Monday night.
    assert_eq!(deadline(&nights, "2026-03-13T18:00", "8h", &[]), "2026-03-14T06:00:00+01:00");
    assert_eq!(deadline(&nights, "2026-03-13T18:00", "9h", &[]), "2026-03-16T23:00:00+01:00");
}

#[test]
fn christmas_eve_2024_is_a_working_day_2025_is_not() {
    let std = std_cal();
    assert_eq!(counted(&std, "2024-12-24T00:00", "2024-12-25T00:00"), 12 * H);
    assert_eq!(counted(&std, "2025-12-24T00:00", "2025-12-25T00:00"), 0);
    assert_eq!(deadline(&std, "2024-12-23T19:00", "2h", &[]), "2024-12-24T09:00:00+01:00");
    // 2025: Wed 24, Thu 25, Fri 26 are holidays, then the weekend.
    assert_eq!(deadline(&std, "2025-12-23T19:00", "2h", &[]), "2025-12-29T09:00:00+01:00");
    assert!(std.is_open(at(&std, "2024-12-24T12:00")));
    assert!(!std.is_open(at(&std, "2025-12-24T12:00")));
}

#[test]
fn leap_day_2028() {
    let std = std_cal();
    // 29 February 2028 is a Tuesday and a working day.
    assert_eq!(counted(&std, "2028-02-29T00:00", "2028-03-01T00:00"), 12 * H);
    assert_eq!(deadline(&std, "2028-02-28T19:00", "2h", &[]), "2028-02-29T09:00:00+01:00");
    assert_eq!(deadline(&std, "2028-02-28T08:00", "36h", &[]), "2028-03-01T20:00:00+01:00");
    let all = all_day();
    assert_eq!(deadline(&all, "2028-02-28T12:00", "48h", &[]), "2028-03-01T12:00:00+01:00");
    assert_eq!(counted(&all, "2028-02-01T00:00", "2028-03-01T00:00"), 29 * 24 * H);
    // Closing the leap day by hand skips it.
    let closed = Calendar::weekly(
        warsaw(),
        &[Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
            .map(|d| WeeklyInterval::new(d, 480, 1200)),
        HolidayRule::Poland,
        &[date(2028, 2, 29)],
    )
    .unwrap();
    assert_eq!(deadline(&closed, "2028-02-28T19:00", "2h", &[]), "2028-03-01T09:00:00+01:00");
}

#[test]
fn holidays_of_2026_close_the_business_calendar() {
    let std = std_cal();
    // Easter Monday 6 April, 1 May (Fri), Corpus Christi 4 June (Thu), 11 November (Wed).
    for day in ["2026-04-06", "2026-05-01", "2026-06-04", "2026-11-11", "2026-01-06"] {
        let d: jiff::civil::Date = day.parse().unwrap();
        let next = d.tomorrow().unwrap();
        assert_eq!(counted(&std, &format!("{d}T00:00"), &format!("{next}T00:00")), 0, "{day}");
    }
    // The week of Easter Monday has 4 working days.
    assert_eq!(counted(&std, "2026-04-06T00:00", "2026-04-13T00:00"), 48 * H);
    // A long target across many holidays, checked against day-by-day arithmetic: 30 business
    // days of 12 h from Mon 2 Nov 2026 (11 November off) is 360 h.
    assert_eq!(deadline(&std, "2026-11-02T08:00", "360h", &[]), "2026-12-14T20:00:00+01:00");
}

#[test]
fn always_open_ignores_holidays() {
    let all = all_day();
    assert_eq!(counted(&all, "2025-12-24T00:00", "2025-12-27T00:00"), 72 * H);
    assert!(all.is_open(at(&all, "2026-01-01T00:00")));
}

#[test]
fn sub_second_instants_are_taken_to_the_whole_second() {
    let std = std_cal();
    let start: Timestamp = "2026-03-16T07:00:00.999Z".parse().unwrap();
    let due = std.deadline(start, 60, &[]).unwrap();
    assert_eq!(due, "2026-03-16T07:01:00Z".parse::<Timestamp>().unwrap());
    let end: Timestamp = "2026-03-16T07:00:59.5Z".parse().unwrap();
    assert_eq!(std.counted(start, end, &[]), 59);
}
