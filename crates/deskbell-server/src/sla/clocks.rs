//! Ticket clocks: the clock events a ticket change implies, derived in one place from the
//! ticket before and after the change, and written in the change's own transaction.
//!
//! The ticket service calls [`after_change`] from every write function; nothing else appends
//! clock events for tickets. Each event is folded into the stored summary (constant time,
//! whatever the length of the log) and the next warning, deadline and breach instants are
//! stored in indexed columns for the SLA watch.

use std::collections::HashMap;

use deskbell_domain::sla::{
    Calendar, CalendarSource, ClockEvent, ClockEventKind, ClockState, ClockSummary, Metric, RunState, WarningShare,
};
use deskbell_domain::ticket::{Priority, Status};
use deskbell_store::sla::{self, ClockRow, Contract, StoredClockEvent};
use deskbell_store::tickets::Ticket;
use deskbell_store::{StoreError, Tx, orgs};
use jiff::Timestamp;

use crate::error::ApiError;

/// Calendar versions built from their specs, loaded as clocks ask for them; one cache serves
/// every clock a change touches (a calendar edit reaches thousands).
#[derive(Default)]
pub(crate) struct Versions(HashMap<i64, Calendar>);

impl CalendarSource for Versions {
    fn calendar(&self, version: i64) -> Option<&Calendar> {
        self.0.get(&version)
    }
}

impl Versions {
    /// Makes sure the given versions are loaded.
    fn load(&mut self, tx: &mut Tx<'_>, ids: impl IntoIterator<Item = i64>) -> Result<&Self, ApiError> {
        for id in ids {
            if self.0.contains_key(&id) {
                continue;
            }
            let v = sla::calendar_version(tx, id)?;
            let cal = Calendar::from_spec(&v.spec)
                .map_err(|e| ApiError::internal(format!("stored calendar version {} is invalid: {e}", v.id)))?;
            self.0.insert(id, cal);
        }
        Ok(self)
    }
}

fn versions(tx: &mut Tx<'_>, ids: impl IntoIterator<Item = i64>) -> Result<Versions, ApiError> {
    let mut v = Versions::default();
    v.load(tx, ids)?;
    Ok(v)
}

fn clock_error(e: deskbell_domain::sla::ClockError) -> ApiError {
    ApiError::internal(format!("clock event refused: {e}"))
}

fn targets(contract: &Contract, priority: Priority) -> [(Metric, Option<i64>); 2] {
    let t = contract.target(priority);
    [
        (Metric::FirstResponse, t.and_then(|t| t.first_response_secs)),
        (Metric::Resolution, t.and_then(|t| t.resolution_secs)),
    ]
}

/// Folds `kind` into the clock and stores the event and the new summary.
pub(crate) fn apply_kind(
    tx: &mut Tx<'_>,
    cache: &mut Versions,
    row: &mut ClockRow,
    kind: ClockEventKind,
    reason: &str,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let version = row.summary.calendar_version().unwrap_or_default();
    let new_version = match kind {
        ClockEventKind::CalendarChange { calendar_version } => Some(calendar_version),
        _ => None,
    };
    let cals = cache.load(tx, std::iter::once(version).chain(new_version))?;
    let event = ClockEvent { at: now, kind, reason: reason.to_owned(), actor, calendar_version: version };
    row.summary.apply(&event, cals).map_err(clock_error)?;
    schedule(row, now, cals)?;
    sla::append_event(tx, row.ticket_id, row.metric, &event, now)?;
    sla::update_clock(tx, row, now)?;
    Ok(())
}

/// Copies the instants the SLA watch acts on from the clock's state.
fn schedule(row: &mut ClockRow, now: Timestamp, cals: &dyn CalendarSource) -> Result<(), ApiError> {
    let s = row.summary.state_at(now, cals).map_err(clock_error)?;
    row.deadline_at = s.deadline;
    row.warning_at = s.warning_at;
    row.breach_at = s.breach_at;
    Ok(())
}

/// Starts the clocks of a new ticket from the contract covering its product on the
/// organisation's local date. Without a covering contract the ticket has no clocks.
fn start(tx: &mut Tx<'_>, t: &Ticket, actor: Option<i64>, now: Timestamp) -> Result<(), ApiError> {
    let Some(product) = t.product_id else { return Ok(()) };
    let tz = jiff::tz::TimeZone::get(&orgs::time_zone(tx, t.organisation_id)?).unwrap_or(jiff::tz::TimeZone::UTC);
    let date = now.to_zoned(tz).date().to_string();
    let Some(contract) = sla::covering(tx, t.organisation_id, product, &date)? else { return Ok(()) };
    let share = WarningShare::new(contract.warning_percent).unwrap_or_default();
    for (metric, target) in targets(&contract, t.priority) {
        let Some(target_secs) = target else { continue };
        let calendar_id = contract.target(t.priority).and_then(|x| x.calendar_id).unwrap_or(contract.calendar_id);
        let record = sla::calendar(tx, calendar_id)?;
        let version = record.version_at(now).map(|v| v.id).ok_or(StoreError::NotFound)?;
        let cals = versions(tx, [version])?;
        let event = ClockEvent {
            at: now,
            kind: ClockEventKind::Start { target_secs },
            reason: format!("ticket created under contract \u{201e}{}\u{201d}", contract.name),
            actor,
            calendar_version: version,
        };
        let mut summary = ClockSummary::new(metric, share);
        summary.apply(&event, &cals).map_err(clock_error)?;
        let mut row = ClockRow {
            ticket_id: t.id,
            metric,
            contract_id: contract.id,
            calendar_id,
            summary,
            deadline_at: None,
            warning_at: None,
            breach_at: None,
            warning_fired_at: None,
            breach_fired_at: None,
        };
        schedule(&mut row, now, &cals)?;
        sla::append_event(tx, t.id, metric, &event, now)?;
        sla::save_clock(tx, &row, now)?;
    }
    Ok(())
}

/// Appends the clock events that the change `before → after` implies (DESIGN §3), in the
/// caller's transaction. `before` is `None` for a new ticket.
pub fn after_change(
    tx: &mut Tx<'_>,
    before: Option<&Ticket>,
    after: &Ticket,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(before) = before else { return start(tx, after, actor, now) };
    let mut rows = sla::clocks(tx, after.id)?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut cache = Versions::default();
    for row in &mut rows {
        let state = row.summary.state();
        let active = matches!(state, RunState::Running | RunState::Paused);
        if before.priority != after.priority && state != RunState::NotStarted {
            let contract = sla::contract(tx, row.contract_id)?;
            let target =
                targets(&contract, after.priority).into_iter().find(|(m, _)| *m == row.metric).and_then(|x| x.1);
            match target {
                Some(target_secs) => apply_kind(
                    tx,
                    &mut cache,
                    row,
                    ClockEventKind::TargetChange { target_secs },
                    &format!("priority {} \u{2192} {}", before.priority, after.priority),
                    actor,
                    now,
                )?,
                None if active => apply_kind(
                    tx,
                    &mut cache,
                    row,
                    ClockEventKind::Stop,
                    &format!("priority {} has no {} target", after.priority, row.metric),
                    actor,
                    now,
                )?,
                None => {}
            }
        }
        if row.metric == Metric::FirstResponse
            && before.first_response_at.is_none()
            && after.first_response_at.is_some()
            && matches!(row.summary.state(), RunState::Running | RunState::Paused)
        {
            apply_kind(tx, &mut cache, row, ClockEventKind::Stop, "first response by support", actor, now)?;
        }
        if before.status != after.status {
            let kind = match (before.status, after.status, row.summary.state()) {
                (_, Status::Resolved, RunState::Running | RunState::Paused) => Some((ClockEventKind::Stop, "resolved")),
                (_, Status::WaitingForCustomer, RunState::Running) => {
                    Some((ClockEventKind::Pause, "waiting for customer"))
                }
                (Status::WaitingForCustomer, Status::Open, RunState::Paused) => {
                    Some((ClockEventKind::Resume, "no longer waiting for customer"))
                }
                (Status::Resolved, Status::Open, RunState::Stopped) if row.metric == Metric::Resolution => {
                    Some((ClockEventKind::Resume, "reopened"))
                }
                _ => None,
            };
            if let Some((kind, reason)) = kind {
                apply_kind(tx, &mut cache, row, kind, reason, actor, now)?;
            }
        }
    }
    Ok(())
}

/// A clock as shown to people: its state now, plus the contract it came from.
#[derive(Debug, Clone)]
pub struct ClockView {
    pub metric: Metric,
    pub contract_id: i64,
    pub calendar_id: i64,
    pub state: ClockState,
    pub warning_fired_at: Option<Timestamp>,
    pub breach_fired_at: Option<Timestamp>,
}

/// The ticket's clocks as of `now`, and their event log.
pub fn view(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    now: Timestamp,
) -> Result<(Vec<ClockView>, Vec<StoredClockEvent>), ApiError> {
    let mut out = Vec::new();
    for row in sla::clocks(tx, ticket_id)? {
        let cals = versions(tx, row.summary.calendar_version())?;
        let state = row.summary.state_at(now, &cals).map_err(clock_error)?;
        out.push(ClockView {
            metric: row.metric,
            contract_id: row.contract_id,
            calendar_id: row.calendar_id,
            state,
            warning_fired_at: row.warning_fired_at,
            breach_fired_at: row.breach_fired_at,
        });
    }
    Ok((out, sla::events(tx, ticket_id)?))
}
