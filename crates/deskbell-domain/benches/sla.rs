//! Benchmark of the SLA arithmetic (issue 3): one `deadline` must take ≤ 1 µs at the median and
//! ≤ 5 µs at p99 for targets up to 30 business days on a calendar with two intervals a day and
//! Polish holidays; recomputing a clock must cost the same with 10 or 10,000 events.
//!
//! Run with `cargo bench -p deskbell-domain --bench sla`. Each call is timed on its own with
//! `Instant`, from pseudo-random start instants over 2026–2027 (so DST changes and holidays are
//! hit), and the median and 99th percentile are printed.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use deskbell_domain::sla::{
    Calendar, CalendarSpec, ClockEvent, ClockEventKind, ClockSummary, DayName, HolidayRule, IntervalSpec, Metric,
    WarningShare,
};
use jiff::{SignedDuration, Timestamp};

const CALLS: usize = 20_000;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> i64 {
        // n is small; the result fits an i64.
        i64::try_from(self.next() % n).unwrap_or(0)
    }
}

fn two_intervals_a_day() -> Result<Calendar, String> {
    let weekdays = vec![DayName::Mon, DayName::Tue, DayName::Wed, DayName::Thu, DayName::Fri];
    let spec = CalendarSpec {
        time_zone: "Europe/Warsaw".to_owned(),
        holidays: Some(HolidayRule::Poland),
        always_open: false,
        closed_dates: Vec::new(),
        intervals: vec![
            IntervalSpec { days: weekdays.clone(), start: "08:00".to_owned(), end: "12:00".to_owned() },
            IntervalSpec { days: weekdays, start: "13:00".to_owned(), end: "17:00".to_owned() },
        ],
    };
    Calendar::from_spec(&spec).map_err(|e| e.to_string())
}

fn starts(n: usize) -> Result<Vec<Timestamp>, String> {
    let from = "2026-01-01T00:00:00Z".parse::<Timestamp>().map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| from.checked_add(SignedDuration::from_secs(rng.below(2 * 365 * 86_400))).map_err(|e| e.to_string()))
        .collect()
}

struct Figures {
    median: Duration,
    p99: Duration,
}

fn measure(mut f: impl FnMut(usize)) -> Figures {
    // Warm up caches and branch predictors.
    for i in 0..CALLS / 10 {
        f(i);
    }
    let mut times: Vec<Duration> = (0..CALLS)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed()
        })
        .collect();
    times.sort_unstable();
    Figures { median: times[CALLS / 2], p99: times[CALLS * 99 / 100] }
}

fn report(what: &str, figures: &Figures) {
    println!(
        "{what:<48} median {:>7.3} µs ({:>6} ns)   p99 {:>7.3} µs ({:>6} ns)",
        figures.median.as_secs_f64() * 1e6,
        figures.median.as_nanos(),
        figures.p99.as_secs_f64() * 1e6,
        figures.p99.as_nanos(),
    );
}

fn clock_events(count: usize, start: Timestamp) -> Result<Vec<ClockEvent>, String> {
    let mut events = vec![ClockEvent {
        at: start,
        // Events a second apart never use up 8 h, so every run computes the three future
        // instants (warning, deadline, breach), whatever the number of events.
        kind: ClockEventKind::Start { target_secs: 8 * 3600 },
        reason: "created".to_owned(),
        actor: None,
        calendar_version: 1,
    }];
    let mut at = start;
    for i in 1..count {
        at = at.checked_add(SignedDuration::from_secs(1)).map_err(|e| e.to_string())?;
        let kind = if i % 2 == 1 { ClockEventKind::Pause } else { ClockEventKind::Resume };
        events.push(ClockEvent {
            at,
            kind,
            reason: "waiting for customer".to_owned(),
            actor: Some(7),
            calendar_version: 1,
        });
    }
    Ok(events)
}

fn main() -> Result<(), String> {
    let calendar = two_intervals_a_day()?;
    let std = Calendar::builtin("pl-business-08-20").map_err(|e| e.to_string())?;
    let starts = starts(CALLS)?;
    println!("deadline: two intervals a day (08-12, 13-17 Mon-Fri), Polish holidays, Europe/Warsaw");
    // 250 business days (a year) is beyond the requirement; it shows how the cost grows.
    for days in [1, 5, 30, 250] {
        let target = days * 8 * 3600;
        let figures = measure(|i| {
            let _ = black_box(calendar.deadline(black_box(starts[i]), black_box(target), &[]));
        });
        report(&format!("deadline {days:>2} business day(s) ({target} s)"), &figures);
    }
    println!("deadline: pl-business-08-20");
    for days in [1, 5, 30] {
        let target = days * 12 * 3600;
        let figures = measure(|i| {
            let _ = black_box(std.deadline(black_box(starts[i]), black_box(target), &[]));
        });
        report(&format!("deadline {days:>2} business day(s) ({target} s)"), &figures);
    }
    println!("counted: two intervals a day, Polish holidays");
    for days in [1, 30] {
        let span = SignedDuration::from_secs(days * 86_400 * 7 / 5);
        let ends: Vec<Timestamp> =
            starts.iter().map(|s| s.checked_add(span).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
        let figures = measure(|i| {
            black_box(calendar.counted(black_box(starts[i]), black_box(ends[i]), &[]));
        });
        report(&format!("counted over {days:>2} business day(s)"), &figures);
    }
    println!("clock: fold one more event and read the state, after 10 and 10,000 events");
    let mut calendars = BTreeMap::new();
    calendars.insert(1, std.clone());
    let clock_start = starts[0];
    for count in [10, 10_000] {
        let events = clock_events(count + 1, clock_start)?;
        let (history, next) = events.split_at(count);
        let summary = ClockSummary::replay(Metric::Resolution, WarningShare::default(), history, &calendars)
            .map_err(|e| e.to_string())?;
        let now = next[0].at;
        let figures = measure(|_| {
            let mut s = summary.clone();
            let _ = black_box(s.apply(black_box(&next[0]), &calendars));
            let _ = black_box(s.state_at(black_box(now), &calendars));
        });
        report(&format!("apply + state_at after {count:>5} events"), &figures);
    }
    Ok(())
}
