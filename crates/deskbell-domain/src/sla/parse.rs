//! Text in and out of the SLA domain, for the CLI (`deskbell sla deadline|counted`) and the API.
//!
//! - targets `D`: `2h`, `90m`, `1h30m`, `45s`, `2h15m30s` → whole seconds ([`parse_duration`]);
//! - instants `T`: RFC 3339 with an offset, or a local `2026-03-13T19:30[:00]` read in the
//!   calendar's time zone; a local time that does not exist (spring gap) or is ambiguous
//!   (autumn fold) is refused by name rather than guessed ([`parse_instant`]);
//! - pauses `A/B` ([`parse_pause`]);
//! - a deadline printed as RFC 3339 with the calendar's UTC offset at that instant
//!   ([`format_instant`]) and counted time as `HH:MM:SS` ([`format_counted`]).

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::business::{Pause, SlaError};

/// Why a text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not a duration of the form `1h30m`.
    #[error(
        "{input:?} is not a duration: write hours, minutes and seconds in that order, like 2h, 90m, 1h30m, 45s or 2h15m30s"
    )]
    InvalidDuration {
        /// The text as given.
        input: String,
    },
    /// A duration that adds up to zero.
    #[error("{input:?} is zero: a target must be more than zero seconds")]
    ZeroDuration {
        /// The text as given.
        input: String,
    },
    /// A duration too large to count in seconds.
    #[error("{input:?} is too long")]
    DurationTooLong {
        /// The text as given.
        input: String,
    },
    /// Neither RFC 3339 with an offset nor a local `YYYY-MM-DDTHH:MM[:SS]`.
    #[error(
        "{input:?} is not a time: write RFC 3339 with an offset (2026-03-13T19:30:00+01:00) or a local time (2026-03-13T19:30 or 2026-03-13T19:30:00)"
    )]
    InvalidInstant {
        /// The text as given.
        input: String,
    },
    /// A local time skipped by a clock change (spring forward).
    #[error("local time {input} does not exist in {time_zone} (the clocks jump forward over it); give an offset")]
    NonexistentLocalTime {
        /// The text as given.
        input: String,
        /// The time zone's name.
        time_zone: String,
    },
    /// A local time that happens twice (fall back).
    #[error(
        "local time {input} is ambiguous in {time_zone} (it happens twice when the clocks go back); give an offset"
    )]
    AmbiguousLocalTime {
        /// The text as given.
        input: String,
        /// The time zone's name.
        time_zone: String,
    },
    /// A pause that is not `A/B` (or `A/` for one that has not ended).
    #[error("{input:?} is not a pause: write START/END, or START/ for a pause that has not ended")]
    InvalidPause {
        /// The text as given.
        input: String,
    },
    /// A pause that ends before it starts.
    #[error(transparent)]
    Pause(#[from] SlaError),
}

/// Parses a target like `2h`, `90m`, `1h30m`, `45s`, `2h15m30s` into seconds.
///
/// Hours, minutes and seconds each at most once and in that order, digits only, no signs or
/// spaces; the total must be more than zero.
pub fn parse_duration(input: &str) -> Result<i64, ParseError> {
    let invalid = || ParseError::InvalidDuration { input: input.to_owned() };
    let too_long = || ParseError::DurationTooLong { input: input.to_owned() };
    let mut rest = input;
    let mut total: i64 = 0;
    // Units still allowed, in order.
    let mut units: &[(char, i64)] = &[('h', 3600), ('m', 60), ('s', 1)];
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(invalid());
        }
        let (number, after) = rest.split_at(digits);
        let unit = after.chars().next().ok_or_else(invalid)?;
        let position = units.iter().position(|&(u, _)| u == unit).ok_or_else(invalid)?;
        let scale = units[position].1;
        units = &units[position + 1..];
        let value: i64 = number.parse().map_err(|_| too_long())?;
        total = value.checked_mul(scale).and_then(|secs| total.checked_add(secs)).ok_or_else(too_long)?;
        rest = &after[unit.len_utf8()..];
    }
    if total == 0 {
        return Err(ParseError::ZeroDuration { input: input.to_owned() });
    }
    Ok(total)
}

/// Whether `input` has exactly the shape `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`.
fn is_local_shape(input: &str) -> bool {
    let shape: &[u8] = match input.len() {
        16 => b"dddd-dd-ddTdd:dd",
        19 => b"dddd-dd-ddTdd:dd:dd",
        _ => return false,
    };
    input.bytes().zip(shape).all(|(c, &s)| if s == b'd' { c.is_ascii_digit() } else { c == s })
}

/// Parses an instant: RFC 3339 with an offset (`2026-03-13T19:30:00+01:00`, `…Z`), or a local
/// `2026-03-13T19:30` / `2026-03-13T19:30:00` read in `time_zone`.
pub fn parse_instant(input: &str, time_zone: &TimeZone) -> Result<Timestamp, ParseError> {
    let invalid = || ParseError::InvalidInstant { input: input.to_owned() };
    if let Ok(at) = input.parse::<Timestamp>() {
        return Ok(at);
    }
    if !is_local_shape(input) {
        return Err(invalid());
    }
    let local: DateTime = input.parse().map_err(|_| invalid())?;
    let name = || time_zone.iana_name().unwrap_or("the calendar's time zone").to_owned();
    let ambiguous = time_zone.to_ambiguous_timestamp(local);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => ambiguous.unambiguous().map_err(|_| invalid()),
        AmbiguousOffset::Gap { .. } => {
            Err(ParseError::NonexistentLocalTime { input: input.to_owned(), time_zone: name() })
        }
        AmbiguousOffset::Fold { .. } => {
            Err(ParseError::AmbiguousLocalTime { input: input.to_owned(), time_zone: name() })
        }
    }
}

/// Parses a pause `START/END` (each as [`parse_instant`]), or `START/` for one not yet ended.
pub fn parse_pause(input: &str, time_zone: &TimeZone) -> Result<Pause, ParseError> {
    let (from, to) = input.split_once('/').ok_or_else(|| ParseError::InvalidPause { input: input.to_owned() })?;
    let from = parse_instant(from, time_zone)?;
    let to = match to {
        "" => None,
        to => Some(parse_instant(to, time_zone)?),
    };
    Ok(Pause::new(from, to)?)
}

/// Formats an instant as RFC 3339 with the UTC offset `time_zone` has at that instant, e.g.
/// `2026-03-16T09:30:00+01:00`.
pub fn format_instant(at: Timestamp, time_zone: &TimeZone) -> String {
    at.display_with_offset(time_zone.to_offset(at)).to_string()
}

/// Formats seconds as `HH:MM:SS`; hours may exceed 24 (`49:00:00`) and a negative amount (an
/// overrun) gets a leading `-`.
pub fn format_counted(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warsaw() -> TimeZone {
        TimeZone::get("Europe/Warsaw").unwrap()
    }

    #[test]
    fn durations() {
        for (text, secs) in [
            ("2h", 7200),
            ("90m", 5400),
            ("1h30m", 5400),
            ("45s", 45),
            ("2h15m30s", 8130),
            ("1h30s", 3630),
            ("0h1s", 1),
            ("24h", 86_400),
            ("007m", 420),
        ] {
            assert_eq!(parse_duration(text), Ok(secs), "{text}");
        }
        for bad in
            ["", "2", "h", "2x", "-2h", "+2h", "1.5h", "1 h", " 2h", "2h ", "30m1h", "1h1h", "2H", "2d", "1h30", "m30"]
        {
            assert_eq!(parse_duration(bad), Err(ParseError::InvalidDuration { input: bad.into() }), "{bad}");
        }
        for zero in ["0s", "0h0m0s", "00m"] {
            assert_eq!(parse_duration(zero), Err(ParseError::ZeroDuration { input: zero.into() }));
        }
        for long in ["99999999999999999999s", "9223372036854775807h"] {
            assert_eq!(parse_duration(long), Err(ParseError::DurationTooLong { input: long.into() }));
        }
    }

    #[test]
    fn instants_with_offsets_and_local() {
        let tz = warsaw();
        let expected: Timestamp = "2026-03-13T18:30:00Z".parse().unwrap();
        for text in ["2026-03-13T19:30:00+01:00", "2026-03-13T18:30:00Z", "2026-03-13T19:30", "2026-03-13T19:30:00"] {
            assert_eq!(parse_instant(text, &tz), Ok(expected), "{text}");
        }
        // Summer time: local 12:00 is 10:00 UTC.
        assert_eq!(parse_instant("2026-07-01T12:00", &tz), Ok("2026-07-01T10:00:00Z".parse().unwrap()));
        for bad in
            ["2026-03-13", "2026-03-13 19:30", "2026-03-13T19", "2026-02-30T10:00", "tomorrow", "2026-03-13T19:30:00.5"]
        {
            assert_eq!(parse_instant(bad, &tz), Err(ParseError::InvalidInstant { input: bad.into() }), "{bad}");
        }
    }

    #[test]
    fn gap_and_fold_local_times_are_refused_by_name() {
        let tz = warsaw();
        assert_eq!(
            parse_instant("2026-03-29T02:30", &tz),
            Err(ParseError::NonexistentLocalTime {
                input: "2026-03-29T02:30".into(),
                time_zone: "Europe/Warsaw".into()
            })
        );
        assert_eq!(
            parse_instant("2026-10-25T02:30:00", &tz),
            Err(ParseError::AmbiguousLocalTime {
                input: "2026-10-25T02:30:00".into(),
                time_zone: "Europe/Warsaw".into()
            })
        );
        // With an offset the same wall times are fine.
        assert!(parse_instant("2026-10-25T02:30:00+01:00", &tz).is_ok());
        // Right after the gap and the fold.
        assert_eq!(parse_instant("2026-03-29T03:00", &tz), Ok("2026-03-29T01:00:00Z".parse().unwrap()));
        assert_eq!(parse_instant("2026-10-25T03:00", &tz), Ok("2026-10-25T02:00:00Z".parse().unwrap()));
    }

    #[test]
    fn pauses() {
        let tz = warsaw();
        let p = parse_pause("2026-03-02T14:00/2026-03-04T09:00", &tz).unwrap();
        assert_eq!(p.from(), "2026-03-02T13:00:00Z".parse().unwrap());
        assert_eq!(p.to(), Some("2026-03-04T08:00:00Z".parse().unwrap()));
        assert_eq!(parse_pause("2026-03-02T14:00/", &tz).unwrap().to(), None);
        assert!(matches!(
            parse_pause("2026-03-04T09:00/2026-03-02T14:00", &tz),
            Err(ParseError::Pause(SlaError::PauseEndsBeforeStart { .. }))
        ));
        assert_eq!(
            parse_pause("2026-03-02T14:00", &tz),
            Err(ParseError::InvalidPause { input: "2026-03-02T14:00".into() })
        );
    }

    #[test]
    fn formatting() {
        let tz = warsaw();
        let winter: Timestamp = "2026-03-16T08:30:00Z".parse().unwrap();
        assert_eq!(format_instant(winter, &tz), "2026-03-16T09:30:00+01:00");
        let summer: Timestamp = "2026-05-05T18:00:00Z".parse().unwrap();
        assert_eq!(format_instant(summer, &tz), "2026-05-05T20:00:00+02:00");
        assert_eq!(format_instant(summer, &TimeZone::UTC), "2026-05-05T18:00:00+00:00");
        assert_eq!(format_counted(0), "00:00:00");
        assert_eq!(format_counted(7_261), "02:01:01");
        assert_eq!(format_counted(49 * 3600), "49:00:00");
        assert_eq!(format_counted(-90), "-00:01:30");
    }
}
