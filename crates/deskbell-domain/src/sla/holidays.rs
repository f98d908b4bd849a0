//! Public holidays that close a business calendar.
//!
//! DESIGN §3: Polish public holidays are built in and *computed*, never typed in, so a calendar
//! stays right in any year: 1 and 6 January, Easter Sunday and Monday, 1 and 3 May, Pentecost
//! Sunday, Corpus Christi, 15 August, 1 and 11 November, 24 December (from 2025 on), 25 and 26
//! December. A holiday on a Saturday or Sunday gives no substitute day.
//!
//! Easter is the Gregorian computus (proleptic before 1583). Computing a year's holidays is a
//! few dozen integer operations, so nothing is cached.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::civil::{day_number, days_from_civil, year_of_day};

/// Which public holidays close a calendar (serialised as `"none"` / `"pl"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HolidayRule {
    /// No public holidays: every day follows the weekly intervals.
    #[serde(rename = "none")]
    None,
    /// Polish public holidays (see the module documentation).
    #[serde(rename = "pl")]
    Poland,
}

impl HolidayRule {
    /// Whether `date` is a public holiday under this rule.
    pub fn is_holiday(self, date: Date) -> bool {
        match self {
            HolidayRule::None => false,
            HolidayRule::Poland => {
                let day = day_number(date);
                let (days, len) = polish_holiday_days(i64::from(date.year()));
                days[..len].contains(&day)
            }
        }
    }

    /// Calls `f` with the day number of every holiday in `first..=last` (day numbers, see
    /// `civil`), in no particular order.
    pub(crate) fn for_each_in(self, first: i64, last: i64, mut f: impl FnMut(i64)) {
        if self == HolidayRule::None || last < first {
            return;
        }
        for year in year_of_day(first)..=year_of_day(last) {
            let (days, len) = polish_holiday_days(year);
            for &day in &days[..len] {
                if (first..=last).contains(&day) {
                    f(day);
                }
            }
        }
    }
}

/// Day number of Easter Sunday in `year` (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
fn easter_day(year: i64) -> i64 {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    days_from_civil(year, n / 31, n % 31 + 1)
}

/// The Polish public holidays of `year` as day numbers, in calendar order: the first `len`
/// entries of the array are used (14 from 2025 on, 13 before). All are distinct: the movable
/// feasts fall between 22 March and 24 June and never meet a fixed one.
pub(crate) fn polish_holiday_days(year: i64) -> ([i64; 14], usize) {
    let fixed = |month, day| days_from_civil(year, month, day);
    let easter = easter_day(year);
    let mut days = [0; 14];
    let mut len = 0;
    let mut push = |day| {
        days[len] = day;
        len += 1;
    };
    push(fixed(1, 1)); // New Year
    push(fixed(1, 6)); // Epiphany
    push(easter); // Easter Sunday
    push(easter + 1); // Easter Monday
    push(fixed(5, 1)); // Labour Day
    push(fixed(5, 3)); // Constitution Day
    push(easter + 49); // Pentecost Sunday
    push(easter + 60); // Corpus Christi
    push(fixed(8, 15)); // Assumption
    push(fixed(11, 1)); // All Saints
    push(fixed(11, 11)); // Independence Day
    // Christmas Eve is a public holiday from 2025 on (DESIGN §3), a working day before.
    if year >= 2025 {
        push(fixed(12, 24));
    }
    push(fixed(12, 25)); // Christmas
    push(fixed(12, 26)); // Second day of Christmas
    (days, len)
}

/// The Polish public holidays of `year`, in calendar order.
///
/// Years outside the range `jiff` dates support (-9999..=9999) have no representable dates
/// and give an empty list.
pub fn polish_holidays(year: i16) -> Vec<Date> {
    if !(-9999..=9999).contains(&year) {
        return Vec::new();
    }
    let (days, len) = polish_holiday_days(i64::from(year));
    let jan_first = days_from_civil(i64::from(year), 1, 1);
    days[..len]
        .iter()
        .filter_map(|&day| {
            // Every holiday falls inside `year`, so the ordinal is 1..=366 and the date exists.
            let ordinal = i16::try_from(day - jan_first + 1).ok()?;
            Date::new(year, 1, 1).ok()?.with().day_of_year(ordinal).build().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// An independent Easter algorithm (Lilius/Clavius epact table as given by Knuth,
    /// TAOCP vol. 1, 1.3.2 exercise 14) to cross-check the computus.
    fn easter_knuth(year: i64) -> (i64, i64) {
        let g = year % 19 + 1;
        let c = year / 100 + 1;
        let x = 3 * c / 4 - 12;
        let z = (8 * c + 5) / 25 - 5;
        let d = 5 * year / 4 - x - 10;
        let mut e = (11 * g + 20 + z - x).rem_euclid(30);
        if (e == 25 && g > 11) || e == 24 {
            e += 1;
        }
        let mut n = 44 - e;
        if n < 21 {
            n += 30;
        }
        n = n + 7 - (d + n) % 7;
        if n > 31 { (4, n - 31) } else { (3, n) }
    }

    #[test]
    fn computus_matches_an_independent_algorithm() {
        for year in 1583..=4099 {
            let (m, d) = easter_knuth(year);
            assert_eq!(easter_day(year), days_from_civil(year, m, d), "{year}");
        }
    }

    #[test]
    fn known_easter_sundays() {
        for (y, m, d) in [
            (2000, 4, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_day(y), days_from_civil(y, m, d), "{y}");
        }
    }

    #[test]
    fn polish_holidays_2026_in_order() {
        let expected = [
            date(2026, 1, 1),
            date(2026, 1, 6),
            date(2026, 4, 5),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 5, 3),
            date(2026, 5, 24),
            date(2026, 6, 4),
            date(2026, 8, 15),
            date(2026, 11, 1),
            date(2026, 11, 11),
            date(2026, 12, 24),
            date(2026, 12, 25),
            date(2026, 12, 26),
        ];
        assert_eq!(polish_holidays(2026), expected);
    }

    #[test]
    fn christmas_eve_is_a_holiday_from_2025_on() {
        assert!(!polish_holidays(2024).contains(&date(2024, 12, 24)));
        assert_eq!(polish_holidays(2024).len(), 13);
        assert!(polish_holidays(2025).contains(&date(2025, 12, 24)));
        assert!(!HolidayRule::Poland.is_holiday(date(2024, 12, 24)));
        assert!(HolidayRule::Poland.is_holiday(date(2025, 12, 24)));
    }

    #[test]
    fn is_holiday_agrees_with_the_list_for_every_day() {
        for year in [1999_i16, 2024, 2025, 2026, 2027, 2028, 2100] {
            let list = polish_holidays(year);
            let mut d = date(year, 1, 1);
            while d.year() == year {
                assert_eq!(HolidayRule::Poland.is_holiday(d), list.contains(&d), "{d}");
                assert!(!HolidayRule::None.is_holiday(d));
                d = d.tomorrow().unwrap();
            }
        }
    }

    #[test]
    fn no_substitute_day_for_a_weekend_holiday() {
        // 15 August 2026 is a Saturday; Friday 14th and Monday 17th stay working days.
        assert!(HolidayRule::Poland.is_holiday(date(2026, 8, 15)));
        assert!(!HolidayRule::Poland.is_holiday(date(2026, 8, 14)));
        assert!(!HolidayRule::Poland.is_holiday(date(2026, 8, 17)));
    }

    #[test]
    fn years_without_jiff_dates_are_empty() {
        assert!(polish_holidays(10_000).is_empty());
        assert!(polish_holidays(-10_000).is_empty());
        assert_eq!(polish_holidays(9999).len(), 14);
    }

    #[test]
    fn for_each_in_spans_year_boundaries() {
        let first = days_from_civil(2025, 12, 20);
        let last = days_from_civil(2026, 1, 10);
        let mut seen = Vec::new();
        HolidayRule::Poland.for_each_in(first, last, |d| seen.push(d));
        seen.sort_unstable();
        let expected: Vec<i64> = [(2025, 12, 24), (2025, 12, 25), (2025, 12, 26), (2026, 1, 1), (2026, 1, 6)]
            .iter()
            .map(|&(y, m, d)| days_from_civil(y, m, d))
            .collect();
        assert_eq!(seen, expected);
        let mut none = 0;
        HolidayRule::None.for_each_in(first, last, |_| none += 1);
        assert_eq!(none, 0);
    }
}
