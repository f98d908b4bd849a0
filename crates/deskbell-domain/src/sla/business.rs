//! Business-time arithmetic on a [`Calendar`]: how much open time lies between two instants
//! ([`Calendar::counted`]) and when a target amount of it is reached ([`Calendar::deadline`]).
//!
//! DESIGN §3, exactly:
//! - Instants are UTC [`Timestamp`]s taken to the whole second (a sub-second part is dropped:
//!   everything here is exact integer seconds, never floats).
//! - Time counts only while the calendar is open and the clock is not paused. A pause outside
//!   business hours therefore changes nothing, and overlapping pauses count once.
//! - **Deadline** = the *earliest* instant at which the counted time equals the target, so a
//!   deadline may fall exactly on closing time (Fri 20:00), never on the next opening.
//! - **Breach** = counted time > target ([`is_breached`]).
//!
//! # Local time, DST and the rule for gaps and folds
//!
//! An instant is open when the calendar's local wall-clock time at that instant lies inside an
//! open interval belonging to a working day (an interval belongs to the day it starts). Real
//! elapsed seconds are counted, so DST days are 23 h and 25 h long. This one rule settles every
//! gap and fold deterministically:
//! - spring forward (Warsaw 02:00 CET → 03:00 CEST): wall times 02:00–02:59 never occur, so an
//!   interval 02:00–03:00 that night is zero seconds long, and 02:30–05:00 opens at 03:00 CEST
//!   (2 h);
//! - fall back (03:00 CEST → 02:00 CET): wall times 02:00–02:59 occur twice, and each
//!   occurrence counts when that wall time is inside an open interval. An interval over the
//!   whole fold (22:00–06:00, or 01:00–04:00) therefore counts the real elapsed 9 h (4 h); one
//!   that ends inside it (22:00–02:30) counts 22:00–02:30 CEST and again 02:00–02:30 CET; one
//!   that starts inside it (02:30–05:00) counts 02:30–03:00 CEST and 02:30–05:00 CET (3 h).
//!
//! Deadlines follow from the count, so they are also the earliest such instant across a change.
//!
//! # How it is fast
//!
//! Between two UTC-offset transitions (twice a year for Europe/Warsaw) local wall time is UTC
//! plus a constant, so open time in UTC equals open time on the wall-clock ("civil") axis. On
//! that axis the weekly pattern repeats exactly, so the open seconds up to any civil instant are
//! `whole weeks × open seconds per week + a prefix inside the week` (a binary search over the
//! week's spans), minus the intervals of the few holidays and closed dates in range. A deadline
//! inverts that count directly instead of stepping through days, then corrects for the closed
//! days it jumped over. One deadline costs a couple of time-zone look-ups and a few dozen integer
//! operations whatever the target.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::calendar::{Calendar, Coverage, WeeklyTable};
use super::civil::{DAY, WEEK, weekday_index};

/// An interval during which the clock does not count: `[from, to)`, or from `from` on when
/// `to` is `None` (still paused). Pauses may overlap each other and lie outside business hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    from: Timestamp,
    to: Option<Timestamp>,
}

impl Pause {
    /// A pause from `from` to `to` (`None`: still paused). Refuses a pause that ends before it
    /// starts.
    pub fn new(from: Timestamp, to: Option<Timestamp>) -> Result<Pause, SlaError> {
        match to {
            Some(to) if to < from => Err(SlaError::PauseEndsBeforeStart { from, to }),
            _ => Ok(Pause { from, to }),
        }
    }

    /// A pause with no end yet.
    pub fn open(from: Timestamp) -> Pause {
        Pause { from, to: None }
    }

    /// When the pause starts.
    pub fn from(&self) -> Timestamp {
        self.from
    }

    /// When the pause ends, if it has ended.
    pub fn to(&self) -> Option<Timestamp> {
        self.to
    }
}

/// Why a business-time computation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// Targets are amounts of counted time and must be positive.
    #[error("the target must be more than zero seconds, got {target_secs} s")]
    NonPositiveTarget {
        /// The target as given.
        target_secs: i64,
    },
    /// A pause whose end is before its start.
    #[error("the pause ends at {to} before it starts at {from}")]
    PauseEndsBeforeStart {
        /// Start of the pause.
        from: Timestamp,
        /// End of the pause.
        to: Timestamp,
    },
    /// A pause with no end begins before the target is reached: there is no deadline.
    #[error("the clock is paused with no end before the target is reached, so there is no deadline")]
    PausedIndefinitely,
    /// The deadline lies beyond the last instant `jiff` represents (year 9999).
    #[error("the deadline lies beyond the supported time range")]
    OutOfRange,
}

/// DESIGN §3: a breach is counted time *strictly greater* than the target; reaching the target
/// exactly (a fix at the deadline) is on time.
pub fn is_breached(counted_secs: i64, target_secs: i64) -> bool {
    counted_secs > target_secs
}

/// An instant as whole seconds since the Unix epoch, rounded down.
pub(crate) fn whole_second(at: Timestamp) -> i64 {
    let second = at.as_second();
    if at.subsec_nanosecond() < 0 { second - 1 } else { second }
}

/// Converts whole seconds back to a timestamp, failing past jiff's range.
fn to_timestamp(second: i64) -> Result<Timestamp, SlaError> {
    Timestamp::from_second(second).map_err(|_| SlaError::OutOfRange)
}

/// The last whole second jiff represents.
fn max_second() -> i64 {
    Timestamp::MAX.as_second()
}

/// The UTC offset in force at `t` (seconds) and the next instant it may change.
///
/// Outside jiff's range the offset at the range's edge continues (nothing is ever counted
/// there: callers only reach it while failing with [`SlaError::OutOfRange`]).
fn offset_segment(time_zone: &TimeZone, t: i64) -> (i64, Option<i64>) {
    let at = Timestamp::from_second(t).unwrap_or(if t < 0 { Timestamp::MIN } else { Timestamp::MAX });
    let offset = i64::from(time_zone.to_offset(at).seconds());
    let next = time_zone.following(at).next().map(|transition| transition.timestamp().as_second());
    (offset, next)
}

/// Pauses as whole seconds, sorted and merged, so that overlapping pauses count once.
fn merge_pauses(pauses: &[Pause]) -> Vec<(i64, Option<i64>)> {
    let mut sorted: Vec<(i64, Option<i64>)> = pauses
        .iter()
        .map(|p| (whole_second(p.from), p.to.map(whole_second)))
        .filter(|&(from, to)| to.is_none_or(|to| to > from))
        .collect();
    sorted.sort_unstable_by_key(|&(from, _)| from);
    let mut merged: Vec<(i64, Option<i64>)> = Vec::with_capacity(sorted.len());
    for (from, to) in sorted {
        match merged.last_mut() {
            Some(last) if last.1.is_none_or(|end| from <= end) => {
                last.1 = last.1.zip(to).map(|(a, b)| a.max(b));
            }
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The unpaused stretches from a start on: `(start, Some(end))`, and a final `(start, None)`
/// unless a pause never ends.
struct Gaps<'a> {
    pauses: &'a [(i64, Option<i64>)],
    cursor: Option<i64>,
}

impl<'a> Gaps<'a> {
    fn new(start: i64, merged: &'a [(i64, Option<i64>)]) -> Gaps<'a> {
        Gaps { pauses: merged, cursor: Some(start) }
    }
}

impl Iterator for Gaps<'_> {
    type Item = (i64, Option<i64>);

    fn next(&mut self) -> Option<(i64, Option<i64>)> {
        let mut cursor = self.cursor?;
        while let Some((&(from, to), rest)) = self.pauses.split_first() {
            self.pauses = rest;
            if from > cursor {
                self.cursor = to;
                return Some((cursor, Some(from)));
            }
            // The pause covers the cursor (or ended before it): skip past its end.
            match to {
                Some(to) => cursor = cursor.max(to),
                None => {
                    self.cursor = None;
                    return None;
                }
            }
        }
        self.cursor = None;
        Some((cursor, None))
    }
}

impl Calendar {
    /// Seconds of open time in `[from, to)` that no pause covers. Zero when `to <= from`.
    pub fn counted(&self, from: Timestamp, to: Timestamp, pauses: &[Pause]) -> i64 {
        let (from, to) = (whole_second(from), whole_second(to));
        if to <= from {
            return 0;
        }
        let merged = merge_pauses(pauses);
        let mut total = 0;
        for (start, end) in Gaps::new(from, &merged) {
            if start >= to {
                break;
            }
            total += self.open_between(start, end.map_or(to, |end| end.min(to)));
        }
        total
    }

    /// The earliest instant at which the time counted from `start` (minus `pauses`) equals
    /// `target_secs`.
    ///
    /// Refuses a target of zero or less, fails with [`SlaError::PausedIndefinitely`] when a pause
    /// with no end begins before the target is reached, and with [`SlaError::OutOfRange`] past
    /// year 9999.
    pub fn deadline(&self, start: Timestamp, target_secs: i64, pauses: &[Pause]) -> Result<Timestamp, SlaError> {
        if target_secs <= 0 {
            return Err(SlaError::NonPositiveTarget { target_secs });
        }
        let start = whole_second(start);
        // Counted time never outruns elapsed time, so the deadline is at least start + target;
        // checking this first also keeps every sum below within i64.
        if target_secs > max_second() - start {
            return Err(SlaError::OutOfRange);
        }
        let merged = merge_pauses(pauses);
        let mut need = target_secs;
        for (gap_start, gap_end) in Gaps::new(start, &merged) {
            match self.advance(gap_start, gap_end, need) {
                Ok(reached) => return to_timestamp(reached),
                Err(consumed) => need -= consumed,
            }
        }
        Err(SlaError::PausedIndefinitely)
    }

    /// Whether the calendar counts the second starting at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let t = whole_second(at);
        match &self.coverage {
            Coverage::AlwaysOpen => true,
            Coverage::Weekly(table) => {
                let (offset, _) = offset_segment(&self.time_zone, t);
                table.open_between(t + offset, t + offset + 1) == 1
            }
        }
    }

    /// Open seconds in the UTC range `[a, b)`.
    fn open_between(&self, a: i64, b: i64) -> i64 {
        match &self.coverage {
            Coverage::AlwaysOpen => (b - a).max(0),
            Coverage::Weekly(table) => {
                let mut total = 0;
                let mut t = a;
                while t < b {
                    let (offset, next) = offset_segment(&self.time_zone, t);
                    let end = next.map_or(b, |next| next.min(b));
                    total += table.open_between(t + offset, end + offset);
                    t = end;
                }
                total
            }
        }
    }

    /// From UTC second `a`, counts `need` (> 0) open seconds without passing `limit`:
    /// `Ok(instant)` where they are reached (the earliest such instant), or `Err(consumed)`,
    /// the open seconds up to `limit`, when they are not.
    fn advance(&self, a: i64, limit: Option<i64>, need: i64) -> Result<i64, i64> {
        let table = match &self.coverage {
            Coverage::AlwaysOpen => {
                let reached = a + need;
                return match limit {
                    Some(limit) if reached > limit => Err(limit - a),
                    _ => Ok(reached),
                };
            }
            Coverage::Weekly(table) => table,
        };
        let (mut t, mut need, mut consumed) = (a, need, 0);
        loop {
            let (offset, next) = offset_segment(&self.time_zone, t);
            let end = match (next, limit) {
                (Some(next), Some(limit)) => Some(next.min(limit)),
                (next, limit) => next.or(limit),
            };
            // Inside one offset segment civil time is UTC + offset, so invert there — unless
            // even the bare pattern (an upper bound of the open time) cannot cover `need`
            // before the segment ends: then skip the inversion and take the whole segment, so
            // a target of years costs one holiday count per segment, not a long inversion each.
            let hopeless =
                end.is_some_and(|end| table.pattern_before(end + offset) - table.pattern_before(t + offset) < need);
            let reached = if hopeless { i64::MAX } else { table.advance(t + offset, need) - offset };
            match end {
                Some(end) if reached > end => {
                    let got = table.open_between(t + offset, end + offset);
                    need -= got;
                    consumed += got;
                    t = end;
                    if limit == Some(end) {
                        return Err(consumed);
                    }
                }
                _ => return Ok(reached),
            }
        }
    }
}

/// Monday 1969-12-29 00:00, the origin of whole weeks on the civil axis.
const WEEK_ORIGIN: i64 = -3 * DAY;

impl WeeklyTable {
    /// Open seconds of the bare weekly pattern (no closed days) in `[WEEK_ORIGIN, x)` — the
    /// cumulative count whose differences give open time between civil instants.
    fn pattern_before(&self, x: i64) -> i64 {
        let position = x - WEEK_ORIGIN;
        let (week, offset) = (position.div_euclid(WEEK), position.rem_euclid(WEEK));
        let spans_started = self.week_spans.partition_point(|s| s.start <= offset);
        let within = match spans_started.checked_sub(1) {
            None => 0,
            Some(j) => {
                let span = self.week_spans[j];
                self.week_prefix[j] + offset.min(span.end) - span.start
            }
        };
        week * self.week_total + within
    }

    /// The smallest civil instant `c` with `pattern_before(c) == value`: it lies inside an open
    /// span (or at its end), never at a later closed point — the "earliest instant" of §3.
    fn pattern_reach(&self, value: i64) -> i64 {
        let week = (value - 1).div_euclid(self.week_total);
        // In 1..=week_total.
        let rest = value - week * self.week_total;
        // The span whose open seconds contain the rest-th one: the last starting below it
        // (week_prefix[0] is 0 < rest, so there is one).
        let j = self.week_prefix.partition_point(|&p| p < rest).saturating_sub(1);
        WEEK_ORIGIN + week * WEEK + self.week_spans[j].start + (rest - self.week_prefix[j])
    }

    /// Open seconds of closed days' own intervals within civil `[x, y)`: a holiday or closed
    /// date shuts the intervals that *start* on it, including the part of a night shift after
    /// midnight, and leaves the previous evening's shift running into it.
    fn closed_between(&self, x: i64, y: i64) -> i64 {
        // A day's intervals end less than two days after its midnight.
        let first = x.div_euclid(DAY) - 1;
        let last = (y - 1).div_euclid(DAY);
        let mut total = 0;
        self.for_each_closed_day(first, last, |day| {
            let midnight = day * DAY;
            for span in &self.day_spans[weekday_index(day)] {
                total += (y.min(midnight + span.end) - x.max(midnight + span.start)).max(0);
            }
        });
        total
    }

    /// Open seconds in civil `[x, y)`.
    fn open_between(&self, x: i64, y: i64) -> i64 {
        if y <= x {
            return 0;
        }
        self.pattern_before(y) - self.pattern_before(x) - self.closed_between(x, y)
    }

    /// The smallest civil `c` with `open_between(x, c) == need` (`need > 0`).
    ///
    /// Jump with the bare pattern, then count what the closed days in between took away and
    /// jump again for that; each round passes at least one closed day, so few rounds are needed.
    fn advance(&self, x: i64, need: i64) -> i64 {
        // Past this civil instant no UTC instant is representable; stop rather than enumerate
        // holidays of far-future years (the caller then reports OutOfRange).
        let limit = max_second() + 2 * DAY;
        let (mut x, mut need) = (x, need);
        loop {
            let candidate = self.pattern_reach(self.pattern_before(x) + need);
            if candidate > limit {
                return candidate;
            }
            let got = self.open_between(x, candidate);
            if got == need {
                return candidate;
            }
            need -= got;
            x = candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::WeeklyInterval;
    use crate::sla::holidays::HolidayRule;
    use jiff::civil::Weekday;

    fn table(cal: &Calendar) -> &WeeklyTable {
        match &cal.coverage {
            Coverage::Weekly(table) => table,
            Coverage::AlwaysOpen => panic!("weekly calendar expected"),
        }
    }

    #[test]
    fn pattern_reach_inverts_pattern_before() {
        let cal = Calendar::weekly(
            TimeZone::UTC,
            &[
                WeeklyInterval::new(Weekday::Monday, 480, 720),
                WeeklyInterval::new(Weekday::Monday, 780, 1020),
                WeeklyInterval::new(Weekday::Sunday, 1380, 120),
            ],
            HolidayRule::None,
            &[],
        )
        .unwrap();
        let t = table(&cal);
        for x in (-3 * WEEK..3 * WEEK).step_by(599) {
            let v = t.pattern_before(x);
            let c = t.pattern_reach(v + 1);
            assert!(c > x);
            assert_eq!(t.pattern_before(c), v + 1);
            assert_eq!(t.pattern_before(c - 1), v);
        }
    }

    #[test]
    fn merging_pauses() {
        let ts = |s| Timestamp::from_second(s).unwrap();
        let p = |a, b| Pause::new(ts(a), Some(ts(b))).unwrap();
        assert_eq!(
            merge_pauses(&[p(50, 60), p(10, 20), p(15, 30), p(30, 40), p(70, 70)]),
            vec![(10, Some(40)), (50, Some(60))]
        );
        assert_eq!(merge_pauses(&[p(10, 20), Pause::open(ts(15)), p(30, 40)]), vec![(10, None)]);
        let gaps: Vec<_> = Gaps::new(12, &[(10, Some(40)), (50, Some(60))]).collect();
        assert_eq!(gaps, vec![(40, Some(50)), (60, None)]);
        let gaps: Vec<_> = Gaps::new(0, &[(10, None)]).collect();
        assert_eq!(gaps, vec![(0, Some(10))]);
    }

    #[test]
    fn whole_seconds_round_down() {
        let t = Timestamp::new(-2, -500_000_000).unwrap();
        assert_eq!(whole_second(t), -3);
        assert_eq!(whole_second(Timestamp::new(5, 999_999_999).unwrap()), 5);
    }

    #[test]
    fn pause_ending_before_it_starts_is_refused() {
        let a = Timestamp::from_second(100).unwrap();
        let b = Timestamp::from_second(99).unwrap();
        assert_eq!(Pause::new(a, Some(b)), Err(SlaError::PauseEndsBeforeStart { from: a, to: b }));
        assert!(Pause::new(a, Some(a)).is_ok());
    }
}
