//! Calendar files: the TOML shape of issue 3, strict parsing, and precise refusals.

// Helper functions outside `#[test]` are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use deskbell_domain::sla::{
    Calendar, CalendarError, CalendarSpec, HolidayRule, WeeklyInterval, format_instant, parse_instant,
};
use jiff::civil::Weekday;

fn spec(text: &str) -> Result<CalendarSpec, toml::de::Error> {
    toml::from_str(text)
}

fn calendar(text: &str) -> Result<Calendar, CalendarError> {
    Calendar::from_spec(&spec(text).unwrap())
}

#[test]
fn the_issue_example_parses() {
    let cal = calendar(
        r#"
        time_zone = "Europe/Warsaw"
        holidays = "pl"            # or "none"
        [[intervals]]
        days = ["mon", "tue", "wed", "thu", "fri"]
        start = "22:00"
        end = "06:00"              # ends the next day
        "#,
    )
    .unwrap();
    assert!(!cal.is_always_open());
    assert_eq!(cal.time_zone().iana_name(), Some("Europe/Warsaw"));
    let start = parse_instant("2026-03-16T12:00", cal.time_zone()).unwrap();
    let due = cal.deadline(start, 3600, &[]).unwrap();
    assert_eq!(format_instant(due, cal.time_zone()), "2026-03-16T23:00:00+01:00");
}

#[test]
fn the_full_shape_with_closed_dates_and_several_entries() {
    let cal = calendar(
        r#"
        time_zone = "Europe/Warsaw"
        holidays = "none"
        always_open = false
        closed_dates = ["2026-12-31"]
        [[intervals]]
        days = ["mon", "tue", "wed", "thu", "fri"]
        start = "08:00"
        end = "12:00"
        [[intervals]]
        days = ["mon", "tue", "wed", "thu", "fri"]
        start = "13:00"
        end = "17:00"
        [[intervals]]
        days = ["sun"]
        start = "00:00"
        end = "24:00"
        "#,
    )
    .unwrap();
    let tz = cal.time_zone().clone();
    let at = |s: &str| parse_instant(s, &tz).unwrap();
    // 31 December 2026 (Thursday) is closed; 1 January is no holiday under "none".
    assert_eq!(cal.counted(at("2026-12-31T00:00"), at("2027-01-01T00:00"), &[]), 0);
    assert_eq!(cal.counted(at("2027-01-01T00:00"), at("2027-01-02T00:00"), &[]), 8 * 3600);
    // Sunday is open all day.
    assert_eq!(cal.counted(at("2027-01-03T00:00"), at("2027-01-04T00:00"), &[]), 24 * 3600);
}

#[test]
fn always_open_alone_is_24_7() {
    let cal = calendar("time_zone = \"Europe/Warsaw\"\nalways_open = true\n").unwrap();
    assert!(cal.is_always_open());
    let cal = calendar("time_zone = \"UTC\"\nalways_open = true\nholidays = \"none\"\n").unwrap();
    assert!(cal.is_always_open());
}

#[test]
fn unknown_keys_and_values_are_refused_by_the_parser() {
    for (text, needle) in [
        ("time_zone = \"UTC\"\nalways_open = true\nopen = 1\n", "unknown field"),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"08:00\"\nend = \"10:00\"\nbreak = \"09:00\"\n",
            "unknown field",
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"monday\"]\nstart = \"08:00\"\nend = \"10:00\"\n",
            "unknown variant",
        ),
        ("time_zone = \"UTC\"\nholidays = \"de\"\nalways_open = true\n", "unknown variant"),
        ("holidays = \"pl\"\n", "missing field"),
        ("time_zone = \"UTC\"\nalways_open = true\nclosed_dates = [\"2026-02-30\"]\n", "2026-02-30"),
    ] {
        let err = spec(text).unwrap_err().to_string();
        assert!(err.contains(needle), "{text:?}: {err}");
    }
}

#[test]
fn inconsistent_calendars_are_refused_with_a_precise_error() {
    let cases: &[(&str, CalendarError)] = &[
        (
            "time_zone = \"Europe/Warsow\"\nalways_open = true\n",
            CalendarError::UnknownTimeZone { name: "Europe/Warsow".into() },
        ),
        ("time_zone = \"UTC\"\n", CalendarError::NeverOpen),
        ("time_zone = \"UTC\"\nholidays = \"pl\"\n", CalendarError::NeverOpen),
        ("time_zone = \"UTC\"\nalways_open = true\nholidays = \"pl\"\n", CalendarError::AlwaysOpenWithHolidays),
        (
            "time_zone = \"UTC\"\nalways_open = true\nclosed_dates = [\"2026-12-31\"]\n",
            CalendarError::AlwaysOpenWithClosedDates,
        ),
        (
            "time_zone = \"UTC\"\nalways_open = true\n[[intervals]]\ndays = [\"mon\"]\nstart = \"08:00\"\nend = \"10:00\"\n",
            CalendarError::AlwaysOpenWithIntervals,
        ),
        (
            "time_zone = \"UTC\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"08:00\"\nend = \"10:00\"\n",
            CalendarError::MissingHolidays,
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = []\nstart = \"08:00\"\nend = \"10:00\"\n",
            CalendarError::NoDays { index: 0 },
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"08:00\"\nend = \"10:00\"\n[[intervals]]\ndays = [\"tue\"]\nstart = \"25:00\"\nend = \"10:00\"\n",
            CalendarError::InvalidTime { index: 1, field: "start", value: "25:00".into() },
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"8:00\"\nend = \"10:00\"\n",
            CalendarError::InvalidTime { index: 0, field: "start", value: "8:00".into() },
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"24:00\"\nend = \"10:00\"\n",
            CalendarError::TimeOutOfRange { interval: WeeklyInterval::new(Weekday::Monday, 1440, 600) },
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"08:00\"\nend = \"08:00\"\n",
            CalendarError::ZeroLengthInterval { interval: WeeklyInterval::new(Weekday::Monday, 480, 480) },
        ),
        (
            "time_zone = \"UTC\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"fri\"]\nstart = \"22:00\"\nend = \"06:00\"\n[[intervals]]\ndays = [\"sat\"]\nstart = \"05:30\"\nend = \"09:00\"\n",
            CalendarError::Overlap {
                first: WeeklyInterval::new(Weekday::Friday, 1320, 360),
                second: WeeklyInterval::new(Weekday::Saturday, 330, 540),
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(calendar(text).unwrap_err(), *expected, "{text}");
    }
    assert_eq!(
        cases.last().unwrap().1.to_string(),
        "interval fri 22:00-06:00 (next day) overlaps interval sat 05:30-09:00"
    );
    assert_eq!(
        CalendarError::UnknownTimeZone { name: "Mars/Olympus".into() }.to_string(),
        "unknown time zone \"Mars/Olympus\""
    );
}

#[test]
fn built_in_specs_round_trip_through_toml() {
    for name in ["pl-business-08-20", "24x7"] {
        let builtin = CalendarSpec::builtin(name).unwrap();
        let text = toml::to_string(&builtin).unwrap();
        assert_eq!(spec(&text).unwrap(), builtin, "{text}");
        assert!(Calendar::from_spec(&builtin).is_ok());
    }
    let text = toml::to_string(&CalendarSpec::builtin("pl-business-08-20").unwrap()).unwrap();
    assert!(text.contains("holidays = \"pl\""), "{text}");
    assert_eq!(CalendarSpec::builtin("pl-24x7"), Err(CalendarError::UnknownBuiltin { name: "pl-24x7".into() }));
    assert_eq!(HolidayRule::Poland, serde_json::from_str("\"pl\"").unwrap());
}
