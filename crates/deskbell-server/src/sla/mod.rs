//! SLA: ticket clocks ([`clocks`]), calendars by name or file, and the arithmetic checks of `deskbell sla deadline` and
//! `deskbell sla counted`, which let anyone verify a deadline from the outside with the same
//! code the service uses.

pub mod admin;
pub mod api;
pub mod clocks;
pub mod oncall;
pub mod statement;
pub mod watch;

use std::path::Path;

use deskbell_domain::sla::penalty::PenaltyRate;
use deskbell_domain::ticket::Priority;
use deskbell_store::sla::Target;

use deskbell_domain::sla::{
    BUILTIN_24X7, BUILTIN_PL_BUSINESS, Calendar, CalendarSpec, Pause, format_counted, format_instant, parse_duration,
    parse_instant, parse_pause,
};

/// The targets a new contract starts with (DESIGN §2), all editable: critical 15 min / 2 h,
/// fault 1 h / 8 h on the contract's calendar; standard 4 h / 2 business days (24 h counted)
/// on `business_calendar`; development requests have no clock (their date is agreed). The
/// penalty defaults are a share of the monthly fee per started hour of overrun.
pub fn default_targets(business_calendar: i64) -> Vec<Target> {
    let target = |priority, first: Option<i64>, resolution: Option<i64>, calendar, bp: Option<i64>| Target {
        priority,
        first_response_secs: first,
        resolution_secs: resolution,
        calendar_id: calendar,
        penalty: bp.map(|basis_points_per_hour| PenaltyRate::FeeShare { basis_points_per_hour }),
    };
    vec![
        target(Priority::Critical, Some(15 * 60), Some(2 * 3600), None, Some(200)),
        target(Priority::Fault, Some(3600), Some(8 * 3600), None, Some(100)),
        target(Priority::Standard, Some(4 * 3600), Some(24 * 3600), Some(business_calendar), None),
    ]
}

/// A calendar named on the command line: a built-in name, or a TOML file in the shape of
/// [`CalendarSpec`].
pub fn calendar_from_arg(arg: &str) -> Result<Calendar, String> {
    let path = Path::new(arg);
    if path.extension().is_some_and(|e| e == "toml") || path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read calendar file {arg}: {e}"))?;
        let spec: CalendarSpec =
            toml::from_str(&text).map_err(|e| format!("calendar file {arg}: {}", e.message().trim_end()))?;
        return Calendar::from_spec(&spec).map_err(|e| format!("calendar file {arg}: {e}"));
    }
    Calendar::builtin(arg).map_err(|_| {
        format!(
            "unknown calendar `{arg}`: use {BUILTIN_PL_BUSINESS}, {BUILTIN_24X7} or the path of a calendar file (.toml)"
        )
    })
}

fn pauses(calendar: &Calendar, raw: &[String]) -> Result<Vec<Pause>, String> {
    raw.iter().map(|p| parse_pause(p, calendar.time_zone()).map_err(|e| format!("--pause {p}: {e}"))).collect()
}

/// The deadline of `target` counted from `start`, printed with the calendar's UTC offset.
pub fn deadline_line(calendar: &Calendar, start: &str, target: &str, raw_pauses: &[String]) -> Result<String, String> {
    let tz = calendar.time_zone();
    let start = parse_instant(start, tz).map_err(|e| format!("--start: {e}"))?;
    let target = parse_duration(target).map_err(|e| format!("--target: {e}"))?;
    let pauses = pauses(calendar, raw_pauses)?;
    let deadline = calendar.deadline(start, target, &pauses).map_err(|e| e.to_string())?;
    Ok(format_instant(deadline, tz))
}

/// The time counted between `from` and `to`, as `HH:MM:SS`.
pub fn counted_line(calendar: &Calendar, from: &str, to: &str, raw_pauses: &[String]) -> Result<String, String> {
    let tz = calendar.time_zone();
    let from_t = parse_instant(from, tz).map_err(|e| format!("--from: {e}"))?;
    let to_t = parse_instant(to, tz).map_err(|e| format!("--to: {e}"))?;
    if to_t < from_t {
        return Err(format!("--to {to} is before --from {from}"));
    }
    let pauses = pauses(calendar, raw_pauses)?;
    Ok(format_counted(calendar.counted(from_t, to_t, &pauses)))
}

/// An instant from a request field: RFC 3339 with an offset, or a 422 naming the field.
pub(crate) fn instant(field: &str, s: &str) -> crate::error::ApiResult<jiff::Timestamp> {
    s.parse().map_err(|e| {
        crate::error::ApiError::invalid(field, format!("not an RFC 3339 instant with an offset ({s}): {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_worked_example_of_design_section_three() {
        let std = calendar_from_arg("pl-business-08-20").unwrap();
        assert_eq!(deadline_line(&std, "2026-03-13T19:30", "2h", &[]).unwrap(), "2026-03-16T09:30:00+01:00");
        assert_eq!(counted_line(&std, "2026-03-13T19:30", "2026-03-16T09:30", &[]).unwrap(), "02:00:00");
    }

    #[test]
    fn an_unknown_calendar_names_the_choices() {
        let err = calendar_from_arg("pl-business").unwrap_err();
        assert!(err.contains("unknown calendar `pl-business`") && err.contains("24x7"), "{err}");
    }
}
