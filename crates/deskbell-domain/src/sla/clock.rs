//! SLA clocks: one state machine per ticket and metric, driven by stored [`ClockEvent`]s.
//!
//! DESIGN §3 rules implemented here:
//! - two metrics: [`Metric::FirstResponse`] and [`Metric::Resolution`];
//! - `waiting for customer` pauses a clock ([`ClockEventKind::Pause`] / `Resume`);
//! - `resolved` stops it; a reopen is `Resume` after `Stop` on the resolution clock, and the time
//!   while resolved counts as a pause (the first-response clock cannot be reopened);
//! - a priority change ([`ClockEventKind::TargetChange`]) measures the new target from the
//!   ticket's creation: time already counted stays counted and is compared with the new target;
//! - a calendar or contract change ([`ClockEventKind::CalendarChange`]) is effective-dated: time
//!   before the event was counted by the old calendar version, time after it by the new one, and
//!   past counted time is never rewritten;
//! - every event carries its reason, actor and calendar version, so a clock can be replayed
//!   months later and give the same result.
//!
//! # Incremental folding
//!
//! A [`ClockSummary`] holds everything needed to continue: the time counted up to the last
//! event, the state, the target, the calendar version, and the instants at which the warning,
//! deadline and breach thresholds were crossed. [`ClockSummary::apply`] folds one event in
//! constant time, so a ticket's clock costs the same with 10 or 10,000 events: store the
//! summary, apply only new events. Folding is exact (counted time is additive over adjacent
//! ranges), so replaying the whole event list gives exactly the stored summary.
//! [`ClockSummary::state_at`] then answers for any `now` without changing the summary.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::business::{SlaError, is_breached};
use super::calendar::Calendar;

/// Which promise a clock measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Stopped by the first public reply of a person on the vendor side.
    FirstResponse,
    /// Stopped by `resolved`; continues on reopen.
    Resolution,
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Metric::FirstResponse => "first response",
            Metric::Resolution => "resolution",
        })
    }
}

/// What happened to a clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClockEventKind {
    /// The clock starts counting towards `target_secs`, on the event's calendar version.
    Start {
        /// Target in counted seconds (> 0).
        target_secs: i64,
    },
    /// Counting stops for a while (`waiting for customer`).
    Pause,
    /// Counting continues after a pause, or after a stop for a reopened resolution clock.
    Resume,
    /// The promise is met (first public reply / `resolved`).
    Stop,
    /// The priority changed: the new target, measured from the ticket's creation.
    TargetChange {
        /// New target in counted seconds (> 0).
        target_secs: i64,
    },
    /// From this event on, time counts by `calendar_version`.
    CalendarChange {
        /// The calendar version in force from the event's instant.
        calendar_version: i64,
    },
}

impl ClockEventKind {
    fn name(&self) -> &'static str {
        match self {
            ClockEventKind::Start { .. } => "start",
            ClockEventKind::Pause => "pause",
            ClockEventKind::Resume => "resume",
            ClockEventKind::Stop => "stop",
            ClockEventKind::TargetChange { .. } => "target change",
            ClockEventKind::CalendarChange { .. } => "calendar change",
        }
    }
}

/// A stored clock event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockEvent {
    /// When it took effect. Events of a clock are applied in order of `at` (equal is fine).
    pub at: Timestamp,
    /// What happened.
    pub kind: ClockEventKind,
    /// Why, in words (shown when a breach is proven).
    pub reason: String,
    /// Who (a person's id), or `None` for the system.
    pub actor: Option<i64>,
    /// The calendar version the clock was counting by when the event happened. For `Start` it
    /// chooses the clock's calendar; for every other event it must equal the clock's current
    /// version (for `CalendarChange` that is the *old* version; the new one is in the kind).
    pub calendar_version: i64,
}

/// Where a clock is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// No `Start` yet.
    NotStarted,
    /// Counting (while the calendar is open).
    Running,
    /// Not counting until `Resume`.
    Paused,
    /// The promise is met; a resolution clock may be resumed by a reopen.
    Stopped,
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunState::NotStarted => "not started",
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Stopped => "stopped",
        })
    }
}

/// The share of the target at which the warning fires, in whole percent (1–100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct WarningShare(u8);

impl WarningShare {
    /// A share of `percent` % of the target; refuses 0 and more than 100.
    pub fn new(percent: u8) -> Result<WarningShare, ClockError> {
        if (1..=100).contains(&percent) {
            Ok(WarningShare(percent))
        } else {
            Err(ClockError::InvalidWarningShare { percent })
        }
    }

    /// The share in percent.
    pub fn percent(self) -> u8 {
        self.0
    }

    /// Counted seconds at which the warning fires: the share of the target, rounded up so the
    /// warning never fires before the share is really used up.
    fn threshold(self, target_secs: i64) -> i64 {
        // Targets are at most MAX_TARGET_SECS (~3.2e9), so this cannot overflow.
        (target_secs * i64::from(self.0) + 99) / 100
    }
}

impl Default for WarningShare {
    /// DESIGN §3: warnings at 80 % of the target by default.
    fn default() -> WarningShare {
        WarningShare(80)
    }
}

impl TryFrom<u8> for WarningShare {
    type Error = ClockError;
    fn try_from(percent: u8) -> Result<WarningShare, ClockError> {
        WarningShare::new(percent)
    }
}

impl From<WarningShare> for u8 {
    fn from(share: WarningShare) -> u8 {
        share.0
    }
}

/// The largest target a clock accepts: 100 years of counted time. Anything longer is a typing
/// error, and every deadline of an accepted target stays representable.
pub const MAX_TARGET_SECS: i64 = 100 * 366 * 86_400;

/// Calendars by version, so a clock can count each stretch by the version then in force.
pub trait CalendarSource {
    /// The calendar of `version`, if it exists.
    fn calendar(&self, version: i64) -> Option<&Calendar>;
}

impl CalendarSource for HashMap<i64, Calendar> {
    fn calendar(&self, version: i64) -> Option<&Calendar> {
        self.get(&version)
    }
}

impl CalendarSource for BTreeMap<i64, Calendar> {
    fn calendar(&self, version: i64) -> Option<&Calendar> {
        self.get(&version)
    }
}

/// Why an event or a query was refused. A refused event leaves the summary unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The event does not fit the clock's state (e.g. `Pause` while paused, `Resume` on a
    /// stopped first-response clock, anything before `Start`).
    #[error("a {event} event cannot apply to a {state} {metric} clock")]
    InvalidTransition {
        /// The clock's metric.
        metric: Metric,
        /// The clock's state.
        state: RunState,
        /// The event's kind.
        event: &'static str,
    },
    /// Events must be applied in order of time.
    #[error("event at {at} is earlier than the clock's last event at {last}")]
    OutOfOrder {
        /// The refused event's instant.
        at: Timestamp,
        /// The last applied event's instant.
        last: Timestamp,
    },
    /// The event names another calendar version than the one the clock counts by.
    #[error("event recorded with calendar version {found}, but the clock counts by version {expected}")]
    CalendarVersionMismatch {
        /// The clock's current version.
        expected: i64,
        /// The event's version.
        found: i64,
    },
    /// The calendar source has no such version.
    #[error("unknown calendar version {version}")]
    UnknownCalendarVersion {
        /// The missing version.
        version: i64,
    },
    /// A target of zero or less, or above [`MAX_TARGET_SECS`].
    #[error("a target must be between 1 s and 100 years of counted time, got {target_secs} s")]
    InvalidTarget {
        /// The target as given.
        target_secs: i64,
    },
    /// A warning share of 0 % or above 100 %.
    #[error("the warning share must be 1-100 %, got {percent} %")]
    InvalidWarningShare {
        /// The share as given.
        percent: u8,
    },
    /// The business-time arithmetic failed.
    #[error(transparent)]
    Sla(#[from] SlaError),
}

/// A clock folded up to its last event. Serialise it to store it beside the ticket; apply new
/// events to it as they come.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockSummary {
    metric: Metric,
    warning_share: WarningShare,
    state: RunState,
    target_secs: Option<i64>,
    /// Counted seconds up to `last_event_at`.
    counted_secs: i64,
    last_event_at: Option<Timestamp>,
    calendar_version: Option<i64>,
    started_at: Option<Timestamp>,
    stopped_at: Option<Timestamp>,
    /// When the counted time reached the warning threshold, the target, and target + 1 s.
    warning_reached_at: Option<Timestamp>,
    deadline_reached_at: Option<Timestamp>,
    breach_reached_at: Option<Timestamp>,
    events_applied: u64,
}

/// A clock as of some instant: what the API shows and what the SLA watch schedules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    /// Where the clock is.
    pub state: RunState,
    /// The target in counted seconds (`None` before `Start`).
    pub target_secs: Option<i64>,
    /// Counted seconds as of the instant asked for.
    pub counted_secs: i64,
    /// `target - counted`; negative once overrun. Fixed while paused or stopped.
    pub remaining_secs: Option<i64>,
    /// The earliest instant at which the counted time equals the target. Known while running
    /// (past or future; `None` only if it lies past year 9999); while paused or stopped only if
    /// it was already reached, since a future deadline depends on when the clock resumes.
    pub deadline: Option<Timestamp>,
    /// The instant the counted time exceeds the target (the breach fires then). Same rules as
    /// `deadline`.
    pub breach_at: Option<Timestamp>,
    /// `counted > target` (DESIGN §3).
    pub breached: bool,
    /// The instant the counted time reaches the warning share of the target. Same rules as
    /// `deadline`.
    pub warning_at: Option<Timestamp>,
    /// When the clock was stopped, while it is stopped.
    pub stopped_at: Option<Timestamp>,
}

fn check_target(target_secs: i64) -> Result<i64, ClockError> {
    if (1..=MAX_TARGET_SECS).contains(&target_secs) {
        Ok(target_secs)
    } else {
        Err(ClockError::InvalidTarget { target_secs })
    }
}

fn lookup(calendars: &dyn CalendarSource, version: i64) -> Result<&Calendar, ClockError> {
    calendars.calendar(version).ok_or(ClockError::UnknownCalendarVersion { version })
}

impl ClockSummary {
    /// A clock that has not started.
    pub fn new(metric: Metric, warning_share: WarningShare) -> ClockSummary {
        ClockSummary {
            metric,
            warning_share,
            state: RunState::NotStarted,
            target_secs: None,
            counted_secs: 0,
            last_event_at: None,
            calendar_version: None,
            started_at: None,
            stopped_at: None,
            warning_reached_at: None,
            deadline_reached_at: None,
            breach_reached_at: None,
            events_applied: 0,
        }
    }

    /// Folds `events`, in order, into a new clock: the replay that must give the stored summary.
    pub fn replay<'e>(
        metric: Metric,
        warning_share: WarningShare,
        events: impl IntoIterator<Item = &'e ClockEvent>,
        calendars: &dyn CalendarSource,
    ) -> Result<ClockSummary, ClockError> {
        let mut summary = ClockSummary::new(metric, warning_share);
        for event in events {
            summary.apply(event, calendars)?;
        }
        Ok(summary)
    }

    /// Folds one event. On error the summary is unchanged.
    pub fn apply(&mut self, event: &ClockEvent, calendars: &dyn CalendarSource) -> Result<(), ClockError> {
        let mut next = self.clone();
        next.fold(event, calendars)?;
        *self = next;
        Ok(())
    }

    fn fold(&mut self, event: &ClockEvent, calendars: &dyn CalendarSource) -> Result<(), ClockError> {
        if let Some(last) = self.last_event_at
            && event.at < last
        {
            return Err(ClockError::OutOfOrder { at: event.at, last });
        }
        let invalid =
            ClockError::InvalidTransition { metric: self.metric, state: self.state, event: event.kind.name() };
        match (self.state, event.kind) {
            (RunState::NotStarted, ClockEventKind::Start { target_secs }) => {
                self.target_secs = Some(check_target(target_secs)?);
                lookup(calendars, event.calendar_version)?;
                self.calendar_version = Some(event.calendar_version);
                self.state = RunState::Running;
                self.started_at = Some(event.at);
            }
            (RunState::NotStarted, _) | (_, ClockEventKind::Start { .. }) => return Err(invalid),
            (state, kind) => {
                if let Some(expected) = self.calendar_version
                    && expected != event.calendar_version
                {
                    return Err(ClockError::CalendarVersionMismatch { expected, found: event.calendar_version });
                }
                // Count the stretch since the last event by the calendar then in force, before
                // the event changes anything (effective-dated changes, §3).
                self.count_until(event.at, calendars)?;
                match (state, kind) {
                    (RunState::Running, ClockEventKind::Pause) => self.state = RunState::Paused,
                    (RunState::Paused, ClockEventKind::Resume) => self.state = RunState::Running,
                    // Reopen: the resolution clock continues; the resolved stretch was never
                    // counted, so it acts as a pause.
                    (RunState::Stopped, ClockEventKind::Resume) if self.metric == Metric::Resolution => {
                        self.state = RunState::Running;
                        self.stopped_at = None;
                    }
                    (RunState::Running | RunState::Paused, ClockEventKind::Stop) => {
                        self.state = RunState::Stopped;
                        self.stopped_at = Some(event.at);
                    }
                    (_, ClockEventKind::TargetChange { target_secs }) => {
                        self.change_target(check_target(target_secs)?, event.at);
                    }
                    (_, ClockEventKind::CalendarChange { calendar_version }) => {
                        lookup(calendars, calendar_version)?;
                        self.calendar_version = Some(calendar_version);
                    }
                    _ => return Err(invalid),
                }
            }
        }
        self.last_event_at = Some(event.at);
        self.events_applied += 1;
        Ok(())
    }

    /// The three thresholds in counted seconds: warning, deadline (= target), breach
    /// (target + 1 s, the first second that is "counted > target").
    fn thresholds(&self, target_secs: i64) -> [i64; 3] {
        [self.warning_share.threshold(target_secs), target_secs, target_secs + 1]
    }

    fn reached_mut(&mut self) -> [&mut Option<Timestamp>; 3] {
        [&mut self.warning_reached_at, &mut self.deadline_reached_at, &mut self.breach_reached_at]
    }

    /// Adds the time counted from the last event to `at` (while running), recording the exact
    /// instant each threshold is crossed inside that stretch.
    fn count_until(&mut self, at: Timestamp, calendars: &dyn CalendarSource) -> Result<(), ClockError> {
        let (RunState::Running, Some(since), Some(version), Some(target)) =
            (self.state, self.last_event_at, self.calendar_version, self.target_secs)
        else {
            return Ok(());
        };
        let calendar = lookup(calendars, version)?;
        let before = self.counted_secs;
        let after = before + calendar.counted(since, at, &[]);
        let thresholds = self.thresholds(target);
        for (threshold, reached) in thresholds.into_iter().zip(self.reached_mut()) {
            if reached.is_none() && before < threshold && threshold <= after {
                *reached = Some(calendar.deadline(since, threshold - before, &[])?);
            }
        }
        self.counted_secs = after;
        Ok(())
    }

    /// DESIGN §3 priority change: the new target is measured from creation, against the time
    /// already counted. A threshold the change moves to or below the counted time was crossed
    /// at some past instant that only a replay of older stretches could find; it is recorded as
    /// reached at the change itself (it is due now), so the warning or breach fires at once. A
    /// threshold that does not move keeps its instant; one moved above the counted time is
    /// pending again.
    fn change_target(&mut self, target_secs: i64, at: Timestamp) {
        let old = self.target_secs.map(|t| self.thresholds(t));
        let new = self.thresholds(target_secs);
        let counted = self.counted_secs;
        for (i, reached) in self.reached_mut().into_iter().enumerate() {
            let unchanged = old.is_some_and(|old| old[i] == new[i]);
            if new[i] > counted {
                *reached = None;
            } else if !(unchanged && reached.is_some()) {
                *reached = Some(at);
            }
        }
        self.target_secs = Some(target_secs);
    }

    /// The clock as of `now`. A `now` before the last event is read as the last event's instant
    /// (folded time is never un-counted).
    pub fn state_at(&self, now: Timestamp, calendars: &dyn CalendarSource) -> Result<ClockState, ClockError> {
        let Some(target) = self.target_secs else {
            return Ok(ClockState {
                state: self.state,
                target_secs: None,
                counted_secs: 0,
                remaining_secs: None,
                deadline: None,
                breach_at: None,
                breached: false,
                warning_at: None,
                stopped_at: None,
            });
        };
        let mut counted = self.counted_secs;
        let mut reached = [self.warning_reached_at, self.deadline_reached_at, self.breach_reached_at];
        if let (RunState::Running, Some(since), Some(version)) = (self.state, self.last_event_at, self.calendar_version)
        {
            let calendar = lookup(calendars, version)?;
            counted += calendar.counted(since, now.max(since), &[]);
            for (threshold, reached) in self.thresholds(target).into_iter().zip(&mut reached) {
                if reached.is_none() {
                    // Not yet reached at the last event, so threshold > counted_secs there and
                    // the only possible failure is an instant past year 9999: then unknown.
                    *reached = calendar.deadline(since, threshold - self.counted_secs, &[]).ok();
                }
            }
        }
        let [warning_at, deadline, breach_at] = reached;
        Ok(ClockState {
            state: self.state,
            target_secs: Some(target),
            counted_secs: counted,
            remaining_secs: Some(target - counted),
            deadline,
            breach_at,
            breached: is_breached(counted, target),
            warning_at,
            stopped_at: self.stopped_at,
        })
    }

    /// The clock's metric.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The warning share the clock was created with.
    pub fn warning_share(&self) -> WarningShare {
        self.warning_share
    }

    /// Where the clock is after its last event.
    pub fn state(&self) -> RunState {
        self.state
    }

    /// The current target, once started.
    pub fn target_secs(&self) -> Option<i64> {
        self.target_secs
    }

    /// Counted seconds up to the last event.
    pub fn counted_secs(&self) -> i64 {
        self.counted_secs
    }

    /// The instant from which time is counting now: the last event, while running.
    pub fn segment_start(&self) -> Option<Timestamp> {
        match self.state {
            RunState::Running => self.last_event_at,
            _ => None,
        }
    }

    /// The instant of the last applied event.
    pub fn last_event_at(&self) -> Option<Timestamp> {
        self.last_event_at
    }

    /// The calendar version the clock counts by now.
    pub fn calendar_version(&self) -> Option<i64> {
        self.calendar_version
    }

    /// When the clock started.
    pub fn started_at(&self) -> Option<Timestamp> {
        self.started_at
    }

    /// How many events were folded in.
    pub fn events_applied(&self) -> u64 {
        self.events_applied
    }
}
