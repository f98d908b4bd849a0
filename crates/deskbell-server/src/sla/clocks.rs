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
use deskbell_store::sla::{self, CalendarRecord, ClockRow, Contract, StoredClockEvent};
use deskbell_store::tickets::{self, Ticket};
use deskbell_store::{StoreError, Tx};
use jiff::Timestamp;

use crate::error::ApiError;

/// Calendar versions built from their specs, and calendars with their version lists, loaded
/// as clocks ask for them; one cache serves every clock a change touches (a calendar edit
/// reaches thousands).
#[derive(Default)]
pub(crate) struct Versions {
    built: HashMap<i64, Calendar>,
    records: HashMap<i64, CalendarRecord>,
}

impl CalendarSource for Versions {
    fn calendar(&self, version: i64) -> Option<&Calendar> {
        self.built.get(&version)
    }
}

/// A calendar version a clock has yet to apply: id, in force from, author, event reason.
type Pending = (i64, Timestamp, Option<i64>, String);

impl Versions {
    /// Makes sure the given versions are loaded.
    fn load(&mut self, tx: &mut Tx<'_>, ids: impl IntoIterator<Item = i64>) -> Result<&Self, ApiError> {
        for id in ids {
            if self.built.contains_key(&id) {
                continue;
            }
            let v = sla::calendar_version(tx, id)?;
            let cal = Calendar::from_spec(&v.spec)
                .map_err(|e| ApiError::internal(format!("stored calendar version {} is invalid: {e}", v.id)))?;
            self.built.insert(id, cal);
        }
        Ok(self)
    }

    fn record(&mut self, tx: &mut Tx<'_>, calendar_id: i64) -> Result<&CalendarRecord, ApiError> {
        if let std::collections::hash_map::Entry::Vacant(e) = self.records.entry(calendar_id) {
            e.insert(sla::calendar(tx, calendar_id)?);
        }
        self.records.get(&calendar_id).ok_or_else(|| ApiError::internal("calendar cache"))
    }

    /// The versions of the clock's calendar that came into force after the one it counts
    /// by, up to `now`, oldest first: a scheduled edit whose instant has passed, or one saved
    /// while the clock was stopped. Each is applied at its own instant.
    fn pending(&mut self, tx: &mut Tx<'_>, row: &ClockRow, now: Timestamp) -> Result<Vec<Pending>, ApiError> {
        let Some(current) = row.summary.calendar_version() else { return Ok(Vec::new()) };
        let record = self.record(tx, row.calendar_id)?;
        let Some(pos) = record.versions.iter().position(|v| v.id == current) else { return Ok(Vec::new()) };
        Ok(record.versions[pos + 1..]
            .iter()
            .filter(|v| v.effective_from <= now)
            .map(|v| (v.id, v.effective_from, v.created_by, format!("calendar \u{201e}{}\u{201d} edited", record.name)))
            .collect())
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

/// Folds `kind` into the clock at `now` and stores the event and the new summary.
pub(crate) fn apply_kind(
    tx: &mut Tx<'_>,
    cache: &mut Versions,
    row: &mut ClockRow,
    kind: ClockEventKind,
    reason: &str,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let event = fold_kind(tx, cache, row, kind, reason, actor, now, now)?;
    sla::append_event(tx, row.ticket_id, row.metric, &event, now)?;
    sla::update_clock(tx, row, now)?;
    Ok(())
}

/// Folds `kind` at instant `at` into the clock in memory, schedules it as of `now`, and
/// returns the event to store; the caller writes both (one at a time, or in bulk).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fold_kind(
    tx: &mut Tx<'_>,
    cache: &mut Versions,
    row: &mut ClockRow,
    kind: ClockEventKind,
    reason: &str,
    actor: Option<i64>,
    at: Timestamp,
    now: Timestamp,
) -> Result<ClockEvent, ApiError> {
    let version = row.summary.calendar_version().unwrap_or_default();
    let new_version = match kind {
        ClockEventKind::CalendarChange { calendar_version } => Some(calendar_version),
        _ => None,
    };
    let cals = cache.load(tx, std::iter::once(version).chain(new_version))?;
    let event = ClockEvent { at, kind, reason: reason.to_owned(), actor, calendar_version: version };
    row.summary.apply(&event, cals).map_err(clock_error)?;
    schedule(row, now, cals)?;
    Ok(event)
}

/// Folds the calendar versions that came into force since the clock's own (see
/// [`Versions::pending`]) and returns their events, unwritten.
pub(crate) fn catch_up(
    tx: &mut Tx<'_>,
    cache: &mut Versions,
    row: &mut ClockRow,
    now: Timestamp,
) -> Result<Vec<ClockEvent>, ApiError> {
    if row.summary.state() == RunState::NotStarted {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (version, from, actor, reason) in cache.pending(tx, row, now)? {
        let kind = ClockEventKind::CalendarChange { calendar_version: version };
        out.push(fold_kind(tx, cache, row, kind, &reason, actor, from, now)?);
    }
    Ok(out)
}

/// Tells every open clock on the version's calendar about it, with bulk writes. Returns how
/// many clocks changed. Clocks stopped now catch up when they are next touched.
pub(crate) fn apply_version(tx: &mut Tx<'_>, calendar_id: i64, now: Timestamp) -> Result<usize, ApiError> {
    let mut cache = Versions::default();
    let mut rows = Vec::new();
    let mut events = Vec::new();
    for mut row in sla::open_clocks_on_calendar(tx, calendar_id)? {
        let folded = catch_up(tx, &mut cache, &mut row, now)?;
        if !folded.is_empty() {
            events.extend(folded.into_iter().map(|e| (row.ticket_id, row.metric, e)));
            rows.push(row);
        }
    }
    sla::apply_bulk(tx, &rows, &events, now)?;
    Ok(rows.len())
}

/// The SLA watch's share of scheduled edits: applies each version whose instant has come,
/// claimed so that exactly one instance does it. Returns how many versions this call applied.
pub fn apply_due_versions(store: &deskbell_store::Store, now: Timestamp) -> Result<usize, ApiError> {
    let due = store.read(|tx| sla::due_versions(tx, now))?;
    let mut applied = 0;
    for v in due {
        let done = store.write(|tx| -> Result<bool, StoreError> {
            if !sla::claim_version(tx, v.id, now)? {
                return Ok(false);
            }
            apply_version(tx, v.calendar_id, now).map_err(|e| StoreError::Db(e.message))?;
            Ok(true)
        })?;
        applied += usize::from(done);
    }
    Ok(applied)
}

/// A contract's terms were replaced: its open clocks move to the calendar and targets now in
/// the contract, from `now` on (effective-dated, §3). Stopped clocks keep the terms they were
/// measured by. Returns how many clocks were looked at.
pub(crate) fn contract_changed(
    tx: &mut Tx<'_>,
    contract_id: i64,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<usize, ApiError> {
    let contract = sla::contract(tx, contract_id)?;
    let reason = format!("contract \u{201e}{}\u{201d} changed", contract.name);
    let mut cache = Versions::default();
    let rows = sla::open_clocks_of_contract(tx, contract_id)?;
    for mut row in rows.iter().cloned() {
        let priority = tickets::by_id(tx, row.ticket_id)?.priority;
        for e in catch_up(tx, &mut cache, &mut row, now)? {
            sla::append_event(tx, row.ticket_id, row.metric, &e, now)?;
            sla::update_clock(tx, &row, now)?;
        }
        reconcile(tx, &mut cache, &mut row, &contract, priority, &reason, actor, now)?;
    }
    Ok(rows.len())
}

/// Brings an active clock in line with its contract's terms for `priority`: the calendar
/// (effective-dated, from `now`) and the target (measured from creation, §3); a priority
/// without a target for this metric stops the clock.
#[allow(clippy::too_many_arguments)]
fn reconcile(
    tx: &mut Tx<'_>,
    cache: &mut Versions,
    row: &mut ClockRow,
    contract: &Contract,
    priority: Priority,
    reason: &str,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let state = row.summary.state();
    if state == RunState::NotStarted {
        return Ok(());
    }
    let active = matches!(state, RunState::Running | RunState::Paused);
    let calendar_id = contract.target(priority).and_then(|x| x.calendar_id).unwrap_or(contract.calendar_id);
    if calendar_id != row.calendar_id {
        let record = cache.record(tx, calendar_id)?;
        let version = record.version_at(now).map(|v| v.id).ok_or(StoreError::NotFound)?;
        let why = format!("{reason}: calendar \u{201e}{}\u{201d}", record.name);
        row.calendar_id = calendar_id;
        apply_kind(tx, cache, row, ClockEventKind::CalendarChange { calendar_version: version }, &why, actor, now)?;
    }
    let target = targets(contract, priority).into_iter().find(|(m, _)| *m == row.metric).and_then(|x| x.1);
    match target {
        Some(t) if Some(t) != row.summary.target_secs() => {
            apply_kind(tx, cache, row, ClockEventKind::TargetChange { target_secs: t }, reason, actor, now)?
        }
        None if active => apply_kind(
            tx,
            cache,
            row,
            ClockEventKind::Stop,
            &format!("{reason}: priority {priority} has no {} target", row.metric),
            actor,
            now,
        )?,
        _ => {}
    }
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
    let Some(contract) = sla::covering_at(tx, t.organisation_id, product, now)?.1 else { return Ok(()) };
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
        for e in catch_up(tx, &mut cache, row, now)? {
            sla::append_event(tx, row.ticket_id, row.metric, &e, now)?;
            sla::update_clock(tx, row, now)?;
        }
        if before.priority != after.priority {
            let contract = sla::contract(tx, row.contract_id)?;
            let reason = format!("priority {} \u{2192} {}", before.priority, after.priority);
            reconcile(tx, &mut cache, row, &contract, after.priority, &reason, actor, now)?;
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
