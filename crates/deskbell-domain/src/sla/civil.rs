//! Day numbers on the proleptic Gregorian calendar, for the hot path of the business-time
//! arithmetic.
//!
//! jiff owns every time-zone question; this module only turns civil dates into a plain count of
//! days (and back) so that the arithmetic can work on integers without building `Date` values.
//! "Civil seconds" elsewhere in `sla` means `day_number * 86_400 + second_of_day` of a local
//! wall-clock time.

use jiff::civil::{Date, Weekday};

/// Seconds in a civil day (a wall-clock day; the real length of a DST day is handled by the
/// caller through UTC offsets).
pub(crate) const DAY: i64 = 86_400;
/// Seconds in a civil week.
pub(crate) const WEEK: i64 = 7 * DAY;

/// Days from 1970-01-01 to `year-month-day` (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12; // March = 0, so the leap day is the last day of the year.
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of the day `days` after 1970-01-01 (inverse of [`days_from_civil`], year only).
pub(crate) fn year_of_day(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Days in January and February belong to the next year in the March-based era.
    yoe + era * 400 + i64::from(mp >= 10)
}

/// The day number of a `jiff` date.
pub(crate) fn day_number(date: Date) -> i64 {
    days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()))
}

/// Monday = 0 … Sunday = 6 for a day number (1970-01-01 was a Thursday).
pub(crate) fn weekday_index(days: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (days + 3).rem_euclid(7) as usize
}

/// Monday = 0 … Sunday = 6.
pub(crate) fn weekday_to_index(day: Weekday) -> usize {
    // to_monday_zero_offset is in 0..=6.
    day.to_monday_zero_offset().unsigned_abs() as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;

    #[test]
    fn day_numbers_agree_with_jiff_for_every_day_of_many_years() {
        let epoch = date(1970, 1, 1);
        let mut d = date(1599, 1, 1);
        while d < date(2405, 1, 1) {
            let n = day_number(d);
            let expected = i64::from((d - epoch).get_days());
            assert_eq!(n, expected, "{d}");
            assert_eq!(year_of_day(n), i64::from(d.year()), "{d}");
            assert_eq!(weekday_index(n), weekday_to_index(d.weekday()), "{d}");
            d = d.checked_add(1.day()).unwrap();
        }
    }

    #[test]
    fn negative_years_round_trip() {
        for y in [-9999_i64, -401, -400, -1, 0, 1] {
            for (m, dd) in [(1, 1), (2, 28), (3, 1), (12, 31)] {
                assert_eq!(year_of_day(days_from_civil(y, m, dd)), y);
            }
        }
    }
}
