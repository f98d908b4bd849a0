//! Calendars: *when* an SLA clock counts.
//!
//! DESIGN §3: time counts only inside the contract's calendar, in the calendar's time zone —
//! weekly intervals at minute resolution (an interval may cross midnight and then belongs to the
//! day it starts), public holidays and extra closed dates — or around the clock (`24/7/365`,
//! which counts every instant and ignores holidays).
//!
//! This module owns the calendar's definition and its validation: the [`Calendar`] value, its
//! serialisable [`CalendarSpec`] (the TOML shape of a calendar file), the built-in calendars and
//! [`CalendarError`]. The arithmetic on a calendar (`counted`, `deadline`) lives in
//! [`super::business`]; both share the precomputed weekly table built here.

use std::fmt;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::civil::{day_number, weekday_to_index};
use super::holidays::HolidayRule;

/// Minutes in a day; an interval's `end` may equal it ("24:00").
pub const MINUTES_PER_DAY: u16 = 1440;
const MINUTES_PER_WEEK: u32 = 7 * 1440;

/// Name of the built-in Mon–Fri 08:00–20:00 Europe/Warsaw calendar with Polish holidays.
pub const BUILTIN_PL_BUSINESS: &str = "pl-business-08-20";
/// Name of the built-in always-open Europe/Warsaw calendar.
pub const BUILTIN_24X7: &str = "24x7";

/// One weekly open interval, at minute resolution, in the calendar's local wall-clock time.
///
/// `start` and `end` are minutes after local midnight. `start` is `0..1440`; `end` is
/// `0..=1440`. When `end <= start` the interval ends on the *next* day (`22:00–06:00` is a night
/// shift). The whole interval belongs to `day`, the day it starts: on a holiday or closed date
/// the whole shift is closed, and a shift started the evening before a holiday runs to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WeeklyInterval {
    /// The day the interval starts.
    pub day: Weekday,
    /// Minute of the day it opens, `0..1440`.
    pub start: u16,
    /// Minute it closes, `0..=1440`; at or before `start` means the next day.
    pub end: u16,
}

impl WeeklyInterval {
    /// An interval; [`Calendar::weekly`] validates it.
    pub fn new(day: Weekday, start: u16, end: u16) -> WeeklyInterval {
        WeeklyInterval { day, start, end }
    }

    /// Whether the interval ends on the next day.
    pub fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// Length in wall-clock minutes (the real length differs on a DST night).
    pub fn length_minutes(&self) -> u32 {
        if self.crosses_midnight() {
            u32::from(self.end) + u32::from(MINUTES_PER_DAY) - u32::from(self.start)
        } else {
            u32::from(self.end) - u32::from(self.start)
        }
    }
}

impl fmt::Display for WeeklyInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", DayName::from(self.day).as_str(), HhMm(self.start), HhMm(self.end))?;
        if self.crosses_midnight() {
            f.write_str(" (next day)")?;
        }
        Ok(())
    }
}

/// Formats a minute of the day as `HH:MM`.
struct HhMm(u16);

impl fmt::Display for HhMm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Why a calendar was refused. Nothing is built when any rule is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The time zone name is not in the time-zone database.
    #[error("unknown time zone {name:?}")]
    UnknownTimeZone {
        /// The name as given.
        name: String,
    },
    /// No built-in calendar has this name.
    #[error("unknown calendar {name:?}: the built-in calendars are \"pl-business-08-20\" and \"24x7\"")]
    UnknownBuiltin {
        /// The name as given.
        name: String,
    },
    /// `start` is 24:00 or later, or `end` is after 24:00.
    #[error("interval {interval}: times must lie between 00:00 and 24:00, and an interval cannot start at 24:00")]
    TimeOutOfRange {
        /// The offending interval.
        interval: WeeklyInterval,
    },
    /// `start == end`: neither an interval nor a full day (write a full day as 00:00–24:00).
    #[error("interval {interval} has zero length (start equals end; a full day is 00:00-24:00)")]
    ZeroLengthInterval {
        /// The offending interval.
        interval: WeeklyInterval,
    },
    /// Two intervals share some minute of the week (a night shift counts on the next day too).
    #[error("interval {first} overlaps interval {second}")]
    Overlap {
        /// The interval that starts first in the week.
        first: WeeklyInterval,
        /// The interval that starts inside it.
        second: WeeklyInterval,
    },
    /// Not always open and no intervals: no deadline could ever be reached.
    #[error("the calendar is never open: give at least one interval, or always_open = true")]
    NeverOpen,
    /// `always_open` together with intervals.
    #[error("an always-open calendar cannot also have intervals")]
    AlwaysOpenWithIntervals,
    /// `always_open` together with `holidays = "pl"`: 24/7/365 ignores holidays.
    #[error("an always-open (24/7/365) calendar ignores holidays: leave holidays out or set it to \"none\"")]
    AlwaysOpenWithHolidays,
    /// `always_open` together with closed dates.
    #[error("an always-open (24/7/365) calendar cannot have closed dates")]
    AlwaysOpenWithClosedDates,
    /// A calendar with intervals must say which holidays close it.
    #[error("a calendar with intervals must name its holidays: holidays = \"pl\" or \"none\"")]
    MissingHolidays,
    /// An `[[intervals]]` entry with an empty `days` list.
    #[error("intervals entry {index} lists no days")]
    NoDays {
        /// 0-based position of the entry in `intervals`.
        index: usize,
    },
    /// An `[[intervals]]` entry whose `start` or `end` is not `HH:MM`.
    #[error("intervals entry {index}: {field} = {value:?} is not a time HH:MM from 00:00 to 24:00")]
    InvalidTime {
        /// 0-based position of the entry in `intervals`.
        index: usize,
        /// `"start"` or `"end"`.
        field: &'static str,
        /// The text as given.
        value: String,
    },
}

/// Day names of a calendar file: `"mon"` … `"sun"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl DayName {
    fn as_str(self) -> &'static str {
        match self {
            DayName::Mon => "mon",
            DayName::Tue => "tue",
            DayName::Wed => "wed",
            DayName::Thu => "thu",
            DayName::Fri => "fri",
            DayName::Sat => "sat",
            DayName::Sun => "sun",
        }
    }
}

impl From<DayName> for Weekday {
    fn from(day: DayName) -> Weekday {
        match day {
            DayName::Mon => Weekday::Monday,
            DayName::Tue => Weekday::Tuesday,
            DayName::Wed => Weekday::Wednesday,
            DayName::Thu => Weekday::Thursday,
            DayName::Fri => Weekday::Friday,
            DayName::Sat => Weekday::Saturday,
            DayName::Sun => Weekday::Sunday,
        }
    }
}

impl From<Weekday> for DayName {
    fn from(day: Weekday) -> DayName {
        match day {
            Weekday::Monday => DayName::Mon,
            Weekday::Tuesday => DayName::Tue,
            Weekday::Wednesday => DayName::Wed,
            Weekday::Thursday => DayName::Thu,
            Weekday::Friday => DayName::Fri,
            Weekday::Saturday => DayName::Sat,
            Weekday::Sunday => DayName::Sun,
        }
    }
}

/// A calendar as written in a calendar file (TOML) or stored as a calendar version.
///
/// ```toml
/// time_zone = "Europe/Warsaw"
/// holidays = "pl"            # or "none"; required when there are intervals
/// always_open = false        # optional; true with no intervals = 24/7
/// closed_dates = ["2026-12-31"]   # optional
/// [[intervals]]
/// days = ["mon", "tue", "wed", "thu", "fri"]
/// start = "22:00"
/// end = "06:00"              # at or before start: ends the next day; "24:00" is midnight
/// ```
///
/// Unknown keys are refused. [`Calendar::from_spec`] validates the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone name, e.g. `Europe/Warsaw`.
    pub time_zone: String,
    /// Holidays that close the calendar; must be given when there are intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<HolidayRule>,
    /// Open every instant (24/7/365); then there are no intervals, holidays nor closed dates.
    #[serde(default, skip_serializing_if = "is_false")]
    pub always_open: bool,
    /// Extra local dates on which the calendar is closed (the intervals starting that day).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_dates: Vec<Date>,
    /// Weekly intervals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<IntervalSpec>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One `[[intervals]]` entry: the same times on several days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalSpec {
    /// Days the interval starts on.
    pub days: Vec<DayName>,
    /// Opening time `HH:MM`.
    pub start: String,
    /// Closing time `HH:MM` (`24:00` allowed); at or before `start` means the next day.
    pub end: String,
}

impl CalendarSpec {
    /// The spec of a built-in calendar: `"pl-business-08-20"` or `"24x7"`.
    pub fn builtin(name: &str) -> Result<CalendarSpec, CalendarError> {
        match name {
            BUILTIN_PL_BUSINESS => Ok(CalendarSpec {
                time_zone: "Europe/Warsaw".to_owned(),
                holidays: Some(HolidayRule::Poland),
                always_open: false,
                closed_dates: Vec::new(),
                intervals: vec![IntervalSpec {
                    days: vec![DayName::Mon, DayName::Tue, DayName::Wed, DayName::Thu, DayName::Fri],
                    start: "08:00".to_owned(),
                    end: "20:00".to_owned(),
                }],
            }),
            BUILTIN_24X7 => Ok(CalendarSpec {
                time_zone: "Europe/Warsaw".to_owned(),
                holidays: None,
                always_open: true,
                closed_dates: Vec::new(),
                intervals: Vec::new(),
            }),
            _ => Err(CalendarError::UnknownBuiltin { name: name.to_owned() }),
        }
    }
}

/// Parses `HH:MM` (two digits each) into a minute of the day, `24:00` included.
fn parse_hh_mm(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let digits = [bytes[0], bytes[1], bytes[3], bytes[4]];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let [h1, h0, m1, m0] = digits.map(|d| u16::from(d - b'0'));
    let (hour, minute) = (h1 * 10 + h0, m1 * 10 + m0);
    let total = hour * 60 + minute;
    (minute < 60 && total <= MINUTES_PER_DAY).then_some(total)
}

/// A validated business calendar. Cheap to share (`Clone`, `Send`, `Sync`); build it once per
/// calendar version and reuse it for every ticket.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub(crate) time_zone: TimeZone,
    pub(crate) coverage: Coverage,
}

#[derive(Clone, Debug)]
pub(crate) enum Coverage {
    /// 24/7/365: every instant counts, holidays are ignored.
    AlwaysOpen,
    /// Weekly intervals with holidays and closed dates.
    Weekly(Box<WeeklyTable>),
}

/// A half-open span `[start, end)` of civil seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CivilSpan {
    pub(crate) start: i64,
    pub(crate) end: i64,
}

/// The weekly pattern precomputed for the arithmetic, in civil (wall-clock) seconds.
///
/// The civil time axis is `day_number * 86_400 + second_of_day`: it has no DST, so the pattern
/// repeats exactly every week on it, and the count of open seconds up to any civil instant is
/// `weeks * week_total + prefix`. Closed days are subtracted separately (see `business`).
#[derive(Clone, Debug)]
pub(crate) struct WeeklyTable {
    /// Open spans of one week, offsets from Monday 00:00, sorted, merged where they touch,
    /// split at the week's end (a Sunday night shift continues at offset 0).
    pub(crate) week_spans: Vec<CivilSpan>,
    /// Open seconds of the week before `week_spans[i].start`.
    pub(crate) week_prefix: Vec<i64>,
    /// Open seconds in one week (> 0).
    pub(crate) week_total: i64,
    /// Per weekday (Monday = 0), the intervals that *belong* to that day, as offsets from its
    /// midnight; `end` may pass midnight (up to just under two days).
    pub(crate) day_spans: [Vec<CivilSpan>; 7],
    /// Holidays that close the calendar.
    pub(crate) holidays: HolidayRule,
    /// Extra closed dates as day numbers, sorted, without those the holiday rule already closes
    /// (so no day is subtracted twice).
    pub(crate) closed_days: Vec<i64>,
}

impl WeeklyTable {
    fn build(
        intervals: &[WeeklyInterval],
        holidays: HolidayRule,
        closed_dates: &[Date],
    ) -> Result<WeeklyTable, CalendarError> {
        if intervals.is_empty() {
            return Err(CalendarError::NeverOpen);
        }
        // Pieces of the week in minutes, tagged with their interval; a piece that runs past
        // Sunday midnight wraps to Monday 00:00 of the (same, periodic) week.
        let mut pieces: Vec<(u32, u32, WeeklyInterval)> = Vec::with_capacity(intervals.len() + 1);
        let mut day_spans: [Vec<CivilSpan>; 7] = Default::default();
        for &interval in intervals {
            if interval.start >= MINUTES_PER_DAY || interval.end > MINUTES_PER_DAY {
                return Err(CalendarError::TimeOutOfRange { interval });
            }
            if interval.start == interval.end {
                return Err(CalendarError::ZeroLengthInterval { interval });
            }
            let day = weekday_to_index(interval.day);
            let start = u32::from(interval.start);
            let len = interval.length_minutes();
            // day is 0..7, so this cannot overflow.
            let week_start = day as u32 * 1440 + start;
            let week_end = week_start + len;
            if week_end <= MINUTES_PER_WEEK {
                pieces.push((week_start, week_end, interval));
            } else {
                pieces.push((week_start, MINUTES_PER_WEEK, interval));
                pieces.push((0, week_end - MINUTES_PER_WEEK, interval));
            }
            day_spans[day].push(CivilSpan { start: i64::from(start) * 60, end: i64::from(start + len) * 60 });
        }
        pieces.sort_by_key(|&(start, end, _)| (start, end));
        // Sorted by start, two pieces overlap iff one starts before the furthest end seen so
        // far. Touching intervals (08:00–12:00 and 12:00–16:00) are allowed.
        let mut furthest: Option<(u32, WeeklyInterval)> = None;
        for &(start, end, interval) in &pieces {
            if let Some((far_end, owner)) = furthest
                && start < far_end
            {
                return Err(CalendarError::Overlap { first: owner, second: interval });
            }
            if furthest.is_none_or(|(far_end, _)| end > far_end) {
                furthest = Some((end, interval));
            }
        }
        let mut week_spans: Vec<CivilSpan> = Vec::with_capacity(pieces.len());
        for &(start, end, _) in &pieces {
            let span = CivilSpan { start: i64::from(start) * 60, end: i64::from(end) * 60 };
            match week_spans.last_mut() {
                Some(last) if last.end == span.start => last.end = span.end,
                _ => week_spans.push(span),
            }
        }
        let mut week_prefix = Vec::with_capacity(week_spans.len());
        let mut week_total = 0;
        for span in &week_spans {
            week_prefix.push(week_total);
            week_total += span.end - span.start;
        }
        for spans in &mut day_spans {
            spans.sort_by_key(|s| s.start);
        }
        let mut closed_days: Vec<i64> =
            closed_dates.iter().filter(|&&date| !holidays.is_holiday(date)).map(|&date| day_number(date)).collect();
        closed_days.sort_unstable();
        closed_days.dedup();
        Ok(WeeklyTable { week_spans, week_prefix, week_total, day_spans, holidays, closed_days })
    }

    /// Calls `f` with every closed day (holiday or closed date) in `first..=last`.
    pub(crate) fn for_each_closed_day(&self, first: i64, last: i64, mut f: impl FnMut(i64)) {
        self.holidays.for_each_in(first, last, &mut f);
        let from = self.closed_days.partition_point(|&d| d < first);
        for &day in self.closed_days[from..].iter().take_while(|&&d| d <= last) {
            f(day);
        }
    }
}

impl Calendar {
    /// A calendar open every instant (24/7/365), ignoring holidays. The time zone only matters
    /// for reading and printing local times.
    pub fn always_open(time_zone: TimeZone) -> Calendar {
        Calendar { time_zone, coverage: Coverage::AlwaysOpen }
    }

    /// A calendar open during weekly `intervals`, closed on `holidays` and `closed_dates`.
    ///
    /// Refuses out-of-range times, zero-length intervals, overlapping intervals (a night shift
    /// overlaps the next day's intervals too) and an empty interval list.
    pub fn weekly(
        time_zone: TimeZone,
        intervals: &[WeeklyInterval],
        holidays: HolidayRule,
        closed_dates: &[Date],
    ) -> Result<Calendar, CalendarError> {
        let table = WeeklyTable::build(intervals, holidays, closed_dates)?;
        Ok(Calendar { time_zone, coverage: Coverage::Weekly(Box::new(table)) })
    }

    /// Builds and validates a calendar from its spec (a parsed calendar file).
    pub fn from_spec(spec: &CalendarSpec) -> Result<Calendar, CalendarError> {
        let time_zone = TimeZone::get(&spec.time_zone)
            .map_err(|_| CalendarError::UnknownTimeZone { name: spec.time_zone.clone() })?;
        if spec.always_open {
            if !spec.intervals.is_empty() {
                return Err(CalendarError::AlwaysOpenWithIntervals);
            }
            if spec.holidays == Some(HolidayRule::Poland) {
                return Err(CalendarError::AlwaysOpenWithHolidays);
            }
            if !spec.closed_dates.is_empty() {
                return Err(CalendarError::AlwaysOpenWithClosedDates);
            }
            return Ok(Calendar::always_open(time_zone));
        }
        if spec.intervals.is_empty() {
            return Err(CalendarError::NeverOpen);
        }
        let holidays = spec.holidays.ok_or(CalendarError::MissingHolidays)?;
        let mut intervals = Vec::new();
        for (index, entry) in spec.intervals.iter().enumerate() {
            if entry.days.is_empty() {
                return Err(CalendarError::NoDays { index });
            }
            let time = |field: &'static str, value: &str| {
                parse_hh_mm(value).ok_or_else(|| CalendarError::InvalidTime { index, field, value: value.to_owned() })
            };
            let start = time("start", &entry.start)?;
            let end = time("end", &entry.end)?;
            for &day in &entry.days {
                intervals.push(WeeklyInterval::new(day.into(), start, end));
            }
        }
        Calendar::weekly(time_zone, &intervals, holidays, &spec.closed_dates)
    }

    /// A built-in calendar by name: `"pl-business-08-20"` (Mon–Fri 08:00–20:00 Europe/Warsaw
    /// with Polish holidays) or `"24x7"` (always open, Europe/Warsaw).
    pub fn builtin(name: &str) -> Result<Calendar, CalendarError> {
        Calendar::from_spec(&CalendarSpec::builtin(name)?)
    }

    /// The calendar's time zone: local days, intervals, and printed offsets are in it.
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// Whether the calendar counts every instant (24/7/365).
    pub fn is_always_open(&self) -> bool {
        matches!(self.coverage, Coverage::AlwaysOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::civil::DAY;

    fn iv(day: Weekday, start: u16, end: u16) -> WeeklyInterval {
        WeeklyInterval::new(day, start, end)
    }

    fn warsaw() -> TimeZone {
        TimeZone::get("Europe/Warsaw").unwrap()
    }

    fn weekly(intervals: &[WeeklyInterval]) -> Result<Calendar, CalendarError> {
        Calendar::weekly(warsaw(), intervals, HolidayRule::None, &[])
    }

    #[test]
    fn hh_mm_parsing() {
        assert_eq!(parse_hh_mm("00:00"), Some(0));
        assert_eq!(parse_hh_mm("08:30"), Some(510));
        assert_eq!(parse_hh_mm("23:59"), Some(1439));
        assert_eq!(parse_hh_mm("24:00"), Some(1440));
        for bad in ["24:01", "25:00", "8:00", "08:60", "08-00", "0800", "ab:cd", "", "08:00 "] {
            assert_eq!(parse_hh_mm(bad), None, "{bad}");
        }
    }

    #[test]
    fn zero_length_and_out_of_range_intervals_are_refused() {
        let z = iv(Weekday::Monday, 600, 600);
        assert_eq!(weekly(&[z]).unwrap_err(), CalendarError::ZeroLengthInterval { interval: z });
        let late = iv(Weekday::Monday, 1440, 60);
        assert_eq!(weekly(&[late]).unwrap_err(), CalendarError::TimeOutOfRange { interval: late });
        let past = iv(Weekday::Monday, 60, 1441);
        assert_eq!(weekly(&[past]).unwrap_err(), CalendarError::TimeOutOfRange { interval: past });
        assert_eq!(weekly(&[]).unwrap_err(), CalendarError::NeverOpen);
    }

    #[test]
    fn overlaps_are_refused_touching_is_fine() {
        let a = iv(Weekday::Monday, 480, 720);
        let b = iv(Weekday::Monday, 700, 900);
        assert_eq!(weekly(&[b, a]).unwrap_err(), CalendarError::Overlap { first: a, second: b });
        let c = iv(Weekday::Monday, 720, 960);
        assert!(weekly(&[a, c]).is_ok());
        // Full day 00:00–24:00 touching the next day's 00:00 start.
        assert!(weekly(&[iv(Weekday::Monday, 0, 1440), iv(Weekday::Tuesday, 0, 60)]).is_ok());
    }

    #[test]
    fn a_night_shift_overlapping_the_next_day_is_refused() {
        let night = iv(Weekday::Friday, 22 * 60, 6 * 60);
        let saturday = iv(Weekday::Saturday, 5 * 60, 12 * 60);
        assert_eq!(weekly(&[saturday, night]).unwrap_err(), CalendarError::Overlap { first: night, second: saturday });
        assert!(weekly(&[night, iv(Weekday::Saturday, 6 * 60, 12 * 60)]).is_ok());
        // Sunday's night shift wraps into Monday morning.
        let sunday_night = iv(Weekday::Sunday, 23 * 60, 2 * 60);
        let monday = iv(Weekday::Monday, 60, 120);
        assert_eq!(
            weekly(&[monday, sunday_night]).unwrap_err(),
            CalendarError::Overlap { first: sunday_night, second: monday }
        );
    }

    #[test]
    fn duplicate_days_overlap_themselves() {
        let spec = CalendarSpec {
            time_zone: "Europe/Warsaw".into(),
            holidays: Some(HolidayRule::None),
            always_open: false,
            closed_dates: vec![],
            intervals: vec![IntervalSpec {
                days: vec![DayName::Mon, DayName::Mon],
                start: "08:00".into(),
                end: "10:00".into(),
            }],
        };
        assert!(matches!(Calendar::from_spec(&spec), Err(CalendarError::Overlap { .. })));
    }

    #[test]
    fn week_table_of_the_business_calendar() {
        let cal = Calendar::builtin(BUILTIN_PL_BUSINESS).unwrap();
        let Coverage::Weekly(table) = &cal.coverage else {
            panic!("weekly expected");
        };
        assert_eq!(table.week_total, 5 * 12 * 3600);
        assert_eq!(table.week_spans.len(), 5);
        assert_eq!(table.week_spans[1], CivilSpan { start: DAY + 8 * 3600, end: DAY + 20 * 3600 });
        assert_eq!(table.week_prefix, vec![0, 43_200, 86_400, 129_600, 172_800]);
        assert!(Calendar::builtin(BUILTIN_24X7).unwrap().is_always_open());
        assert_eq!(Calendar::builtin("nope").unwrap_err(), CalendarError::UnknownBuiltin { name: "nope".into() });
    }

    #[test]
    fn closed_dates_that_are_holidays_are_not_kept_twice() {
        let dates = [jiff::civil::date(2026, 12, 25), jiff::civil::date(2026, 12, 31), jiff::civil::date(2026, 12, 31)];
        let cal = Calendar::weekly(warsaw(), &[iv(Weekday::Thursday, 480, 960)], HolidayRule::Poland, &dates).unwrap();
        let Coverage::Weekly(table) = &cal.coverage else {
            panic!("weekly expected");
        };
        assert_eq!(table.closed_days, vec![day_number(dates[1])]);
    }

    #[test]
    fn display_of_intervals() {
        assert_eq!(iv(Weekday::Friday, 1320, 360).to_string(), "fri 22:00-06:00 (next day)");
        assert_eq!(iv(Weekday::Monday, 480, 1440).to_string(), "mon 08:00-24:00");
    }
}
