//! SLA calendars and clocks (DESIGN §3): the pure arithmetic that decides when a promise to a
//! customer is due and whether it was kept, exact to the second and replayable from stored
//! events.
//!
//! - [`holidays`]: Polish public holidays, computed for any year.
//! - [`calendar`]: what a calendar is (time zone, weekly intervals, holidays, closed dates, or
//!   24/7), its TOML/serde spec, validation and the built-in calendars.
//! - [`business`]: business-time arithmetic on a calendar — `counted`, `deadline`, pauses,
//!   breach — including the rule for DST gaps and folds.
//! - [`clock`]: the per-ticket, per-metric clock state machine folded from clock events.
//! - [`penalty`]: penalties per started hour of overrun and the monthly cap.
//! - [`parse`]: durations, instants and pauses as the CLI and API read and print them.
//!
//! No I/O: a calendar is built from a spec the caller parsed, and clocks read calendars through
//! [`clock::CalendarSource`].

pub mod business;
pub mod calendar;
mod civil;
pub mod clock;
pub mod holidays;
pub mod parse;
pub mod penalty;

pub use business::{Pause, SlaError, is_breached};
pub use calendar::{
    BUILTIN_24X7, BUILTIN_PL_BUSINESS, Calendar, CalendarError, CalendarSpec, DayName, IntervalSpec, WeeklyInterval,
};
pub use clock::{
    CalendarSource, ClockError, ClockEvent, ClockEventKind, ClockState, ClockSummary, Metric, RunState, WarningShare,
};
pub use holidays::{HolidayRule, polish_holidays};
pub use parse::{ParseError, format_counted, format_instant, parse_duration, parse_instant, parse_pause};
