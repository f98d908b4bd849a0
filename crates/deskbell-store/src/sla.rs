//! SLA persistence: versioned calendars, contracts with per-priority targets, and per-ticket
//! clocks (the folded summary plus the next instants to act on) with their event log.
//!
//! Only the server's ticket service and SLA feature write here, inside the transaction of the
//! change that caused the clock event.

use deskbell_domain::sla::penalty::{OverrunBasis, PenaltyRate};
use deskbell_domain::sla::{CalendarSpec, ClockEvent, ClockEventKind, ClockSummary, Metric, RunState};
use deskbell_domain::ticket::Priority;
use jiff::Timestamp;

use crate::collation::sort_by_name;
use crate::sql::{Array, Dialect, Row, Tx, Value, query_ids};
use crate::{StoreError, params};

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Db(format!("cannot encode: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Db(format!("stored JSON is invalid: {e}")))
}

fn parse<T: std::str::FromStr>(s: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| StoreError::Db(format!("stored value is invalid: {e}")))
}

pub fn metric_str(m: Metric) -> &'static str {
    match m {
        Metric::FirstResponse => "first_response",
        Metric::Resolution => "resolution",
    }
}

pub fn parse_metric(s: &str) -> Result<Metric, StoreError> {
    match s {
        "first_response" => Ok(Metric::FirstResponse),
        "resolution" => Ok(Metric::Resolution),
        other => Err(StoreError::Db(format!("stored metric is invalid: {other}"))),
    }
}

pub fn state_str(s: RunState) -> &'static str {
    match s {
        RunState::NotStarted => "not_started",
        RunState::Running => "running",
        RunState::Paused => "paused",
        RunState::Stopped => "stopped",
    }
}

// ---------------------------------------------------------------- calendars

#[derive(Debug, Clone, PartialEq)]
pub struct CalendarVersion {
    /// The version id clock events refer to.
    pub id: i64,
    pub calendar_id: i64,
    pub spec: CalendarSpec,
    pub effective_from: Timestamp,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    /// When the open clocks got their `calendar_change` events for this version; `None`
    /// while a scheduled version is not yet in force.
    pub applied_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRecord {
    pub id: i64,
    pub name: String,
    pub builtin: bool,
    /// Oldest first; the last one is in force from its `effective_from` on.
    pub versions: Vec<CalendarVersion>,
}

impl CalendarRecord {
    /// The version in force at `at`: the latest whose `effective_from` is not after `at`.
    pub fn version_at(&self, at: Timestamp) -> Option<&CalendarVersion> {
        self.versions.iter().rev().find(|v| v.effective_from <= at).or(self.versions.first())
    }
}

const VERSION_COLS: &str = "id, calendar_id, spec, effective_from, created_by, created_at, applied_at";

fn version_from(r: &Row) -> Result<CalendarVersion, StoreError> {
    Ok(CalendarVersion {
        id: r.i64(0)?,
        calendar_id: r.i64(1)?,
        spec: from_json(&r.str(2)?)?,
        effective_from: r.time(3)?,
        created_by: r.opt_i64(4)?,
        created_at: r.time(5)?,
        applied_at: r.opt_time(6)?,
    })
}

fn calendar_from(tx: &mut Tx<'_>, r: &Row) -> Result<CalendarRecord, StoreError> {
    let id = r.i64(0)?;
    let versions = tx
        .query(
            &format!("SELECT {VERSION_COLS} FROM calendar_versions WHERE calendar_id = $1 ORDER BY effective_from, id"),
            params![id],
        )?
        .iter()
        .map(version_from)
        .collect::<Result<_, _>>()?;
    Ok(CalendarRecord { id, name: r.str(1)?, builtin: r.bool(2)?, versions })
}

pub fn calendar(tx: &mut Tx<'_>, id: i64) -> Result<CalendarRecord, StoreError> {
    let r = tx.query_one("SELECT id, name, builtin FROM calendars WHERE id = $1", params![id])?;
    calendar_from(tx, &r)
}

pub fn calendar_by_name(tx: &mut Tx<'_>, name: &str) -> Result<CalendarRecord, StoreError> {
    let r = tx.query_one("SELECT id, name, builtin FROM calendars WHERE name = $1", params![name])?;
    calendar_from(tx, &r)
}

pub fn calendars(tx: &mut Tx<'_>) -> Result<Vec<CalendarRecord>, StoreError> {
    let rows = tx.query("SELECT id, name, builtin FROM calendars", &[])?;
    let mut list = rows.iter().map(|r| calendar_from(tx, r)).collect::<Result<Vec<_>, _>>()?;
    sort_by_name(&mut list, |c| (c.name.as_str(), c.id));
    Ok(list)
}

/// One version by id, for replaying clock events.
pub fn calendar_version(tx: &mut Tx<'_>, id: i64) -> Result<CalendarVersion, StoreError> {
    version_from(&tx.query_one(&format!("SELECT {VERSION_COLS} FROM calendar_versions WHERE id = $1"), params![id])?)
}

/// A new calendar with its first version, in force from `now`.
pub fn create_calendar(
    tx: &mut Tx<'_>,
    name: &str,
    spec: &CalendarSpec,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<CalendarRecord, StoreError> {
    let id = tx
        .query_one(
            "INSERT INTO calendars (name, builtin, created_at) VALUES ($1, FALSE, $2) RETURNING id",
            params![name, now],
        )?
        .i64(0)?;
    add_version(tx, id, spec, now, actor, now)?;
    calendar(tx, id)
}

/// Appends a version in force from `effective_from`. Earlier versions are never changed. A
/// version in force already (`effective_from <= now`) counts as applied: the caller writes
/// the open clocks' events in the same transaction; a later one waits for the SLA watch.
pub fn add_version(
    tx: &mut Tx<'_>,
    calendar_id: i64,
    spec: &CalendarSpec,
    effective_from: Timestamp,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<CalendarVersion, StoreError> {
    let r = tx.query_one(
        &format!(
            "INSERT INTO calendar_versions (calendar_id, spec, effective_from, created_by, created_at, applied_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {VERSION_COLS}"
        ),
        params![calendar_id, json(spec)?, effective_from, actor, now, (effective_from <= now).then_some(now)],
    )?;
    version_from(&r)
}

/// Scheduled versions whose instant has come and whose clocks have not been told, oldest first.
pub fn due_versions(tx: &mut Tx<'_>, now: Timestamp) -> Result<Vec<CalendarVersion>, StoreError> {
    tx.query(
        &format!(
            "SELECT {VERSION_COLS} FROM calendar_versions WHERE applied_at IS NULL AND effective_from <= $1 \
             ORDER BY effective_from, id"
        ),
        params![now],
    )?
    .iter()
    .map(version_from)
    .collect()
}

/// Marks a due version applied, if nobody has: `true` for exactly one caller across instances.
pub fn claim_version(tx: &mut Tx<'_>, id: i64, now: Timestamp) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "UPDATE calendar_versions SET applied_at = $2 WHERE id = $1 AND applied_at IS NULL",
        params![id, now],
    )? == 1)
}

// ---------------------------------------------------------------- contracts

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub priority: Priority,
    pub first_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
    /// `None`: the contract's calendar.
    pub calendar_id: Option<i64>,
    pub penalty: Option<PenaltyRate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    /// Local dates `YYYY-MM-DD`, inclusive.
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub product_ids: Vec<i64>,
    pub calendar_id: i64,
    pub warning_percent: u8,
    pub monthly_fee_minor: i64,
    pub penalty_basis: OverrunBasis,
    pub penalty_cap_minor: Option<i64>,
    pub targets: Vec<Target>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Contract {
    pub fn target(&self, p: Priority) -> Option<&Target> {
        self.targets.iter().find(|t| t.priority == p)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractInput {
    pub organisation_id: i64,
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub product_ids: Vec<i64>,
    pub calendar_id: i64,
    pub warning_percent: u8,
    pub monthly_fee_minor: i64,
    pub penalty_basis: OverrunBasis,
    pub penalty_cap_minor: Option<i64>,
    pub targets: Vec<Target>,
}

const CONTRACT_COLS: &str = "id, organisation_id, name, valid_from, valid_to, calendar_id, warning_percent, \
    monthly_fee_minor, penalty_basis, penalty_cap_minor, created_at, updated_at";

fn contract_from(tx: &mut Tx<'_>, r: &Row) -> Result<Contract, StoreError> {
    let id = r.i64(0)?;
    let product_ids = tx
        .query("SELECT product_id FROM contract_products WHERE contract_id = $1 ORDER BY product_id", params![id])?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_, _>>()?;
    let mut targets = tx
        .query(
            "SELECT priority, first_response_secs, resolution_secs, calendar_id, penalty FROM contract_targets WHERE contract_id = $1",
            params![id],
        )?
        .iter()
        .map(|t| {
            Ok(Target {
                priority: parse(&t.str(0)?)?,
                first_response_secs: t.opt_i64(1)?,
                resolution_secs: t.opt_i64(2)?,
                calendar_id: t.opt_i64(3)?,
                penalty: t.opt_str(4)?.map(|p| from_json(&p)).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    targets.sort_by_key(|t| t.priority);
    let basis = r.str(8)?;
    Ok(Contract {
        id,
        organisation_id: r.i64(1)?,
        name: r.str(2)?,
        valid_from: r.str(3)?,
        valid_to: r.opt_str(4)?,
        product_ids,
        calendar_id: r.i64(5)?,
        warning_percent: u8::try_from(r.i64(6)?).map_err(|_| StoreError::Db("warning_percent out of range".into()))?,
        monthly_fee_minor: r.i64(7)?,
        penalty_basis: OverrunBasis::parse(&basis)
            .ok_or_else(|| StoreError::Db(format!("stored penalty basis is invalid: {basis}")))?,
        penalty_cap_minor: r.opt_i64(9)?,
        targets,
        created_at: r.time(10)?,
        updated_at: r.time(11)?,
    })
}

pub fn contract(tx: &mut Tx<'_>, id: i64) -> Result<Contract, StoreError> {
    let r = tx.query_one(&format!("SELECT {CONTRACT_COLS} FROM contracts WHERE id = $1"), params![id])?;
    contract_from(tx, &r)
}

/// Contracts, optionally of one organisation, oldest first.
pub fn contracts(tx: &mut Tx<'_>, organisation_id: Option<i64>) -> Result<Vec<Contract>, StoreError> {
    let rows = match organisation_id {
        Some(o) => tx.query(
            &format!("SELECT {CONTRACT_COLS} FROM contracts WHERE organisation_id = $1 ORDER BY valid_from, id"),
            params![o],
        )?,
        None => {
            tx.query(&format!("SELECT {CONTRACT_COLS} FROM contracts ORDER BY organisation_id, valid_from, id"), &[])?
        }
    };
    rows.iter().map(|r| contract_from(tx, r)).collect()
}

fn write_children(tx: &mut Tx<'_>, id: i64, c: &ContractInput) -> Result<(), StoreError> {
    tx.execute("DELETE FROM contract_products WHERE contract_id = $1", params![id])?;
    tx.execute("DELETE FROM contract_targets WHERE contract_id = $1", params![id])?;
    for p in &c.product_ids {
        tx.execute("INSERT INTO contract_products (contract_id, product_id) VALUES ($1, $2)", params![id, *p])?;
    }
    for t in &c.targets {
        tx.execute(
            "INSERT INTO contract_targets (contract_id, priority, first_response_secs, resolution_secs, calendar_id, penalty) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                id,
                t.priority.as_str(),
                t.first_response_secs,
                t.resolution_secs,
                t.calendar_id,
                t.penalty.as_ref().map(json).transpose()?
            ],
        )?;
    }
    Ok(())
}

/// The contract's own columns, in the order both statements below bind them.
fn contract_values(c: &ContractInput) -> Vec<Value> {
    params![
        c.organisation_id,
        &c.name,
        &c.valid_from,
        c.valid_to.clone(),
        c.calendar_id,
        i64::from(c.warning_percent),
        c.monthly_fee_minor,
        c.penalty_basis.as_str(),
        c.penalty_cap_minor,
    ]
    .to_vec()
}

pub fn create_contract(tx: &mut Tx<'_>, c: &ContractInput, now: Timestamp) -> Result<Contract, StoreError> {
    let mut values = contract_values(c);
    values.push(Value::Time(now));
    let id = tx
        .query_one(
            "INSERT INTO contracts (organisation_id, name, valid_from, valid_to, calendar_id, warning_percent, monthly_fee_minor, \
             penalty_basis, penalty_cap_minor, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            &values,
        )?
        .i64(0)?;
    write_children(tx, id, c)?;
    contract(tx, id)
}

pub fn update_contract(tx: &mut Tx<'_>, id: i64, c: &ContractInput, now: Timestamp) -> Result<Contract, StoreError> {
    let mut values = contract_values(c);
    values.extend([Value::Time(now), Value::Int(id)]);
    let n = tx.execute(
        "UPDATE contracts SET organisation_id = $1, name = $2, valid_from = $3, valid_to = $4, calendar_id = $5, \
         warning_percent = $6, monthly_fee_minor = $7, penalty_basis = $8, penalty_cap_minor = $9, updated_at = $10 WHERE id = $11",
        &values,
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    write_children(tx, id, c)?;
    contract(tx, id)
}

/// The organisation's contract covering `product_id` on local date `date` (`YYYY-MM-DD`; the
/// ISO form sorts as text, so the comparison is the same on both backends).
pub fn covering(
    tx: &mut Tx<'_>,
    organisation_id: i64,
    product_id: i64,
    date: &str,
) -> Result<Option<Contract>, StoreError> {
    let r = tx.query_opt(
        &format!(
            "SELECT {CONTRACT_COLS} FROM contracts c WHERE organisation_id = $1 AND valid_from <= $3 \
             AND (valid_to IS NULL OR valid_to >= $3) \
             AND EXISTS (SELECT 1 FROM contract_products p WHERE p.contract_id = c.id AND p.product_id = $2) \
             ORDER BY valid_from DESC, id DESC LIMIT 1"
        ),
        params![organisation_id, product_id, date],
    )?;
    r.map(|r| contract_from(tx, &r)).transpose()
}

/// The organisation's time zone and its contract covering `product_id` at instant `at`, the
/// day taken in that zone (UTC when the zone is unknown), as [`covering`] would find it; in
/// one query instead of two, for every new ticket.
pub fn covering_at(
    tx: &mut Tx<'_>,
    organisation_id: i64,
    product_id: i64,
    at: Timestamp,
) -> Result<(String, Option<Contract>), StoreError> {
    // Every zone's date is within a day of UTC's: fetch the contracts valid on any of the
    // three days and pick by the zone's date.
    let utc = at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let day = |d: Result<jiff::civil::Date, jiff::Error>| d.map(|d| d.to_string()).unwrap_or_else(|_| utc.to_string());
    let (first, last) = (day(utc.yesterday()), day(utc.tomorrow()));
    let rows = tx.query(
        &format!(
            "SELECT o.time_zone, x.* FROM organisations o LEFT JOIN (SELECT {CONTRACT_COLS} FROM contracts c \
             WHERE organisation_id = $1 AND valid_from <= $4 AND (valid_to IS NULL OR valid_to >= $3) \
             AND EXISTS (SELECT 1 FROM contract_products p WHERE p.contract_id = c.id AND p.product_id = $2)) x ON TRUE \
             WHERE o.id = $1 ORDER BY x.valid_from DESC, x.id DESC"
        ),
        params![organisation_id, product_id, first, last],
    )?;
    let Some(head) = rows.first() else { return Err(StoreError::NotFound) };
    let zone = head.str(0)?;
    let tz = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let date = at.to_zoned(tz).date().to_string();
    for r in &rows {
        if matches!(r.0.get(1), None | Some(Value::Null)) {
            continue;
        }
        let contract = Row(r.0[1..].to_vec());
        let (from, to) = (contract.str(3)?, contract.opt_str(4)?);
        if from.as_str() <= date.as_str() && to.as_deref().is_none_or(|t| t >= date.as_str()) {
            return Ok((zone, Some(contract_from(tx, &contract)?)));
        }
    }
    Ok((zone, None))
}

// ---------------------------------------------------------------- clocks

/// A ticket's clock for one metric as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockRow {
    pub ticket_id: i64,
    pub metric: Metric,
    pub contract_id: i64,
    pub calendar_id: i64,
    pub summary: ClockSummary,
    pub deadline_at: Option<Timestamp>,
    pub warning_at: Option<Timestamp>,
    pub breach_at: Option<Timestamp>,
    pub warning_fired_at: Option<Timestamp>,
    pub breach_fired_at: Option<Timestamp>,
}

const CLOCK_COLS: &str = "ticket_id, metric, contract_id, calendar_id, summary, deadline_at, warning_at, breach_at, \
    warning_fired_at, breach_fired_at";

fn clock_from(r: &Row) -> Result<ClockRow, StoreError> {
    Ok(ClockRow {
        ticket_id: r.i64(0)?,
        metric: parse_metric(&r.str(1)?)?,
        contract_id: r.i64(2)?,
        calendar_id: r.i64(3)?,
        summary: from_json(&r.str(4)?)?,
        deadline_at: r.opt_time(5)?,
        warning_at: r.opt_time(6)?,
        breach_at: r.opt_time(7)?,
        warning_fired_at: r.opt_time(8)?,
        breach_fired_at: r.opt_time(9)?,
    })
}

pub fn clocks(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<ClockRow>, StoreError> {
    let mut list = tx
        .query(&format!("SELECT {CLOCK_COLS} FROM ticket_clocks WHERE ticket_id = $1"), params![ticket_id])?
        .iter()
        .map(clock_from)
        .collect::<Result<Vec<_>, _>>()?;
    list.sort_by_key(|c| c.metric == Metric::Resolution);
    Ok(list)
}

/// Every clock (running, paused or stopped) of the given tickets, for rendering a list page
/// without a query per ticket: by ticket id, first response before resolution (as
/// [`clocks`]). Duplicate ids are looked up once; unknown ids and tickets without clocks
/// simply contribute nothing.
pub fn running_clocks_for(tx: &mut Tx<'_>, ticket_ids: &[i64]) -> Result<Vec<ClockRow>, StoreError> {
    let mut list =
        query_ids(tx, ticket_ids, |ids| format!("SELECT {CLOCK_COLS} FROM ticket_clocks WHERE ticket_id IN {ids}"))?
            .iter()
            .map(clock_from)
            .collect::<Result<Vec<_>, _>>()?;
    list.sort_by_key(|c| (c.ticket_id, c.metric == Metric::Resolution));
    Ok(list)
}

/// The clocks counting by `calendar_id` that are not stopped (a calendar edit reaches them).
pub fn open_clocks_on_calendar(tx: &mut Tx<'_>, calendar_id: i64) -> Result<Vec<ClockRow>, StoreError> {
    tx.query(
        &format!("SELECT {CLOCK_COLS} FROM ticket_clocks WHERE calendar_id = $1 AND state IN ('running', 'paused') ORDER BY ticket_id, metric"),
        params![calendar_id],
    )?
    .iter()
    .map(clock_from)
    .collect()
}

/// The open clocks measured under a contract (an edit of its terms reaches them).
pub fn open_clocks_of_contract(tx: &mut Tx<'_>, contract_id: i64) -> Result<Vec<ClockRow>, StoreError> {
    tx.query(
        &format!("SELECT {CLOCK_COLS} FROM ticket_clocks WHERE contract_id = $1 AND state IN ('running', 'paused') ORDER BY ticket_id, metric"),
        params![contract_id],
    )?
    .iter()
    .map(clock_from)
    .collect()
}

/// Writes the new state of an existing clock row (cheaper than [`save_clock`]'s upsert; a
/// calendar edit writes one per open clock).
pub fn update_clock(tx: &mut Tx<'_>, c: &ClockRow, now: Timestamp) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE ticket_clocks SET summary = $3, state = $4, deadline_at = $5, warning_at = $6, breach_at = $7, updated_at = $8, \
         calendar_id = $9 WHERE ticket_id = $1 AND metric = $2",
        params![
            c.ticket_id,
            metric_str(c.metric),
            json(&c.summary)?,
            state_str(c.summary.state()),
            c.deadline_at,
            c.warning_at,
            c.breach_at,
            now,
            c.calendar_id
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Rows per statement of SQLite's multi-row event insert: 8 parameters a row stays far below
/// its limit of 32,766.
const SQLITE_CHUNK: usize = 500;

/// Rows per statement on PostgreSQL, where each column travels as one array parameter.
const PG_CHUNK: usize = 20_000;

/// Writes many clocks' new states and appends their events, in few statements: a calendar
/// edit reaches every open clock on the calendar. On PostgreSQL one round trip per clock made
/// an edit reaching 200,000 clocks take over a minute, and a multi-row `VALUES` list with a
/// parameter per cell still spent most of its time binding and planning; whole columns as
/// arrays through `unnest` cost one round trip per 20,000 rows. Each row appears once in
/// `rows`.
pub fn apply_bulk(
    tx: &mut Tx<'_>,
    rows: &[ClockRow],
    events: &[(i64, Metric, ClockEvent)],
    now: Timestamp,
) -> Result<(), StoreError> {
    match tx.dialect() {
        Dialect::Sqlite => {
            for chunk in events.chunks(SQLITE_CHUNK) {
                let mut sql = String::from(
                    "INSERT INTO clock_events (ticket_id, metric, at, kind, reason, actor_id, calendar_version, recorded_at) VALUES ",
                );
                let mut values = Vec::with_capacity(chunk.len() * 8);
                for (i, (ticket_id, metric, e)) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    placeholders(&mut sql, i * 8, 8);
                    values.extend([
                        Value::from(*ticket_id),
                        metric_str(*metric).into(),
                        e.at.into(),
                        json(&e.kind)?.into(),
                        (&e.reason).into(),
                        e.actor.into(),
                        e.calendar_version.into(),
                        now.into(),
                    ]);
                }
                tx.execute(&sql, &values)?;
            }
            // In process, a prepared statement per row costs no round trip.
            for row in rows {
                update_clock(tx, row, now)?;
            }
        }
        Dialect::Postgres => {
            let ints = |f: &dyn Fn(usize) -> Option<i64>, n: usize| Value::Array(Array::Int((0..n).map(f).collect()));
            let texts = |v: Vec<Option<String>>| Value::Array(Array::Text(v));
            let times = |v: Vec<Option<Timestamp>>| Value::Array(Array::Time(v));
            for chunk in events.chunks(PG_CHUNK) {
                let n = chunk.len();
                let kinds = chunk.iter().map(|(_, _, e)| json(&e.kind).map(Some)).collect::<Result<Vec<_>, _>>()?;
                let values = [
                    ints(&|i| Some(chunk[i].0), n),
                    texts(chunk.iter().map(|(_, m, _)| Some(metric_str(*m).to_owned())).collect()),
                    times(chunk.iter().map(|(_, _, e)| Some(e.at)).collect()),
                    texts(kinds),
                    texts(chunk.iter().map(|(_, _, e)| Some(e.reason.clone())).collect()),
                    ints(&|i| chunk[i].2.actor, n),
                    ints(&|i| Some(chunk[i].2.calendar_version), n),
                    now.into(),
                ];
                tx.execute(
                    "INSERT INTO clock_events (ticket_id, metric, at, kind, reason, actor_id, calendar_version, recorded_at) \
                     SELECT t, m, a, k, r, p, v, $8 FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], \
                     $5::text[], $6::bigint[], $7::bigint[]) AS u (t, m, a, k, r, p, v)",
                    &values,
                )?;
            }
            for chunk in rows.chunks(PG_CHUNK) {
                let n = chunk.len();
                let summaries = chunk.iter().map(|r| json(&r.summary).map(Some)).collect::<Result<Vec<_>, _>>()?;
                let values = [
                    ints(&|i| Some(chunk[i].ticket_id), n),
                    texts(chunk.iter().map(|r| Some(metric_str(r.metric).to_owned())).collect()),
                    texts(summaries),
                    texts(chunk.iter().map(|r| Some(state_str(r.summary.state()).to_owned())).collect()),
                    times(chunk.iter().map(|r| r.deadline_at).collect()),
                    times(chunk.iter().map(|r| r.warning_at).collect()),
                    times(chunk.iter().map(|r| r.breach_at).collect()),
                    ints(&|i| Some(chunk[i].calendar_id), n),
                    now.into(),
                ];
                let changed = tx.execute(
                    "UPDATE ticket_clocks AS c SET summary = v.summary, state = v.state, deadline_at = v.deadline_at, \
                     warning_at = v.warning_at, breach_at = v.breach_at, calendar_id = v.calendar_id, updated_at = $9 \
                     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], \
                     $7::timestamptz[], $8::bigint[]) AS v (ticket_id, metric, summary, state, deadline_at, warning_at, breach_at, calendar_id) \
                     WHERE c.ticket_id = v.ticket_id AND c.metric = v.metric",
                    &values,
                )?;
                if changed != n as u64 {
                    return Err(StoreError::NotFound);
                }
            }
        }
    }
    Ok(())
}

/// Appends `($first+1, …, $first+count)` to `sql`.
fn placeholders(sql: &mut String, first: usize, count: usize) {
    use std::fmt::Write;
    sql.push('(');
    for k in 0..count {
        if k > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "${}", first + k + 1);
    }
    sql.push(')');
}

/// Inserts or replaces a ticket's clock row (the summary after the latest event).
pub fn save_clock(tx: &mut Tx<'_>, c: &ClockRow, now: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO ticket_clocks (ticket_id, metric, contract_id, calendar_id, summary, state, deadline_at, warning_at, breach_at, \
         warning_fired_at, breach_fired_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (ticket_id, metric) DO UPDATE SET contract_id = excluded.contract_id, calendar_id = excluded.calendar_id, \
         summary = excluded.summary, state = excluded.state, deadline_at = excluded.deadline_at, warning_at = excluded.warning_at, \
         breach_at = excluded.breach_at, warning_fired_at = excluded.warning_fired_at, breach_fired_at = excluded.breach_fired_at, \
         updated_at = excluded.updated_at",
        params![
            c.ticket_id,
            metric_str(c.metric),
            c.contract_id,
            c.calendar_id,
            json(&c.summary)?,
            state_str(c.summary.state()),
            c.deadline_at,
            c.warning_at,
            c.breach_at,
            c.warning_fired_at,
            c.breach_fired_at,
            now
        ],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredClockEvent {
    pub id: i64,
    pub ticket_id: i64,
    pub metric: Metric,
    pub event: ClockEvent,
    pub recorded_at: Timestamp,
}

pub fn append_event(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    metric: Metric,
    e: &ClockEvent,
    now: Timestamp,
) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO clock_events (ticket_id, metric, at, kind, reason, actor_id, calendar_version, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        params![ticket_id, metric_str(metric), e.at, json(&e.kind)?, &e.reason, e.actor, e.calendar_version, now],
    )?
    .i64(0)
}

/// A ticket's clock events, in the order they were applied.
pub fn events(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<StoredClockEvent>, StoreError> {
    tx.query(
        "SELECT id, ticket_id, metric, at, kind, reason, actor_id, calendar_version, recorded_at FROM clock_events \
         WHERE ticket_id = $1 ORDER BY id",
        params![ticket_id],
    )?
    .iter()
    .map(|r| {
        let kind: ClockEventKind = from_json(&r.str(4)?)?;
        Ok(StoredClockEvent {
            id: r.i64(0)?,
            ticket_id: r.i64(1)?,
            metric: parse_metric(&r.str(2)?)?,
            event: ClockEvent {
                at: r.time(3)?,
                kind,
                reason: r.str(5)?,
                actor: r.opt_i64(6)?,
                calendar_version: r.i64(7)?,
            },
            recorded_at: r.time(8)?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------- the SLA watch

/// Which threshold of a clock fell due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Warning,
    Breach,
}

impl Alert {
    pub fn as_str(self) -> &'static str {
        match self {
            Alert::Warning => "sla_warning",
            Alert::Breach => "sla_breach",
        }
    }

    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Alert::Warning => ("warning_at", "warning_fired_at"),
            Alert::Breach => ("breach_at", "breach_fired_at"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DueAlert {
    pub ticket_id: i64,
    pub metric: Metric,
    pub alert: Alert,
    /// The instant the threshold was crossed.
    pub at: Timestamp,
}

/// Alerts whose instant has come and that nobody has fired yet, oldest first. Both queries
/// run on the partial indexes of unfired instants.
pub fn due_alerts(tx: &mut Tx<'_>, now: Timestamp, limit: usize) -> Result<Vec<DueAlert>, StoreError> {
    let mut out = Vec::new();
    for alert in [Alert::Breach, Alert::Warning] {
        let (at, fired) = alert.columns();
        let rows = tx.query(
            &format!(
                "SELECT ticket_id, metric, {at} FROM ticket_clocks WHERE {fired} IS NULL AND {at} IS NOT NULL AND {at} <= $1 \
                 ORDER BY {at} LIMIT $2"
            ),
            params![now, limit as i64],
        )?;
        for r in rows {
            out.push(DueAlert { ticket_id: r.i64(0)?, metric: parse_metric(&r.str(1)?)?, alert, at: r.time(2)? });
        }
    }
    out.sort_by_key(|a| a.at);
    out.truncate(limit);
    Ok(out)
}

/// Marks an alert fired, if nobody has: `true` for exactly one caller across every instance
/// (the conditional update is the claim; a second instance's update finds the column set).
pub fn claim_alert(tx: &mut Tx<'_>, a: &DueAlert, now: Timestamp) -> Result<bool, StoreError> {
    let (at, fired) = a.alert.columns();
    let n = tx.execute(
        &format!(
            "UPDATE ticket_clocks SET {fired} = $3 WHERE ticket_id = $1 AND metric = $2 AND {fired} IS NULL AND {at} IS NOT NULL AND {at} <= $3"
        ),
        params![a.ticket_id, metric_str(a.metric), now],
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub person_id: i64,
    pub ticket_id: i64,
    pub kind: String,
    pub message: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

pub fn notify(
    tx: &mut Tx<'_>,
    person_id: i64,
    ticket_id: i64,
    kind: &str,
    message: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO notifications (person_id, ticket_id, kind, message, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![person_id, ticket_id, kind, message, now],
    )?;
    Ok(())
}

/// A person's notifications, newest first.
pub fn notifications(tx: &mut Tx<'_>, person_id: i64, limit: usize) -> Result<Vec<Notification>, StoreError> {
    tx.query(
        "SELECT id, person_id, ticket_id, kind, message, created_at, read_at FROM notifications WHERE person_id = $1 \
         ORDER BY id DESC LIMIT $2",
        params![person_id, limit as i64],
    )?
    .iter()
    .map(|r| {
        Ok(Notification {
            id: r.i64(0)?,
            person_id: r.i64(1)?,
            ticket_id: r.i64(2)?,
            kind: r.str(3)?,
            message: r.str(4)?,
            created_at: r.time(5)?,
            read_at: r.opt_time(6)?,
        })
    })
    .collect()
}

/// Running clocks by nearest deadline, for the at-risk queue.
pub fn at_risk(tx: &mut Tx<'_>, limit: usize) -> Result<Vec<ClockRow>, StoreError> {
    tx.query(
        &format!(
            "SELECT {CLOCK_COLS} FROM ticket_clocks WHERE state = 'running' AND deadline_at IS NOT NULL ORDER BY deadline_at, ticket_id LIMIT $1"
        ),
        params![limit as i64],
    )?
    .iter()
    .map(clock_from)
    .collect()
}

// ---------------------------------------------------------------- statements and waivers

#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    pub ticket_id: i64,
    pub reason: String,
    pub actor_id: i64,
    pub created_at: Timestamp,
}

/// Records a waiver; a second one for the same ticket is a `Unique` error.
pub fn waive(tx: &mut Tx<'_>, ticket_id: i64, reason: &str, actor_id: i64, now: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sla_waivers (ticket_id, reason, actor_id, created_at) VALUES ($1, $2, $3, $4)",
        params![ticket_id, reason, actor_id, now],
    )?;
    Ok(())
}

pub fn waiver(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Option<Waiver>, StoreError> {
    tx.query_opt(
        "SELECT ticket_id, reason, actor_id, created_at FROM sla_waivers WHERE ticket_id = $1",
        params![ticket_id],
    )?
    .map(|r| Ok(Waiver { ticket_id: r.i64(0)?, reason: r.str(1)?, actor_id: r.i64(2)?, created_at: r.time(3)? }))
    .transpose()
}

/// Ids of the organisation's tickets created in `[from, to)` that have clocks, oldest first.
pub fn tickets_with_clocks(
    tx: &mut Tx<'_>,
    organisation_id: i64,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<i64>, StoreError> {
    tx.query(
        "SELECT t.id FROM tickets t WHERE t.organisation_id = $1 AND t.created_at >= $2 AND t.created_at < $3 \
         AND EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = t.id) ORDER BY t.created_at, t.id",
        params![organisation_id, from, to],
    )?
    .iter()
    .map(|r| r.i64(0))
    .collect()
}

// ---------------------------------------------------------------- on call

#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    pub id: i64,
    pub person_id: i64,
    /// `None`: on call for every team.
    pub team_id: Option<i64>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub created_by: Option<i64>,
}

const SHIFT_COLS: &str = "id, person_id, team_id, starts_at, ends_at, created_by";

fn shift_from(r: &Row) -> Result<Shift, StoreError> {
    Ok(Shift {
        id: r.i64(0)?,
        person_id: r.i64(1)?,
        team_id: r.opt_i64(2)?,
        starts_at: r.time(3)?,
        ends_at: r.time(4)?,
        created_by: r.opt_i64(5)?,
    })
}

pub fn add_shift(
    tx: &mut Tx<'_>,
    person_id: i64,
    team_id: Option<i64>,
    starts_at: Timestamp,
    ends_at: Timestamp,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<Shift, StoreError> {
    shift_from(&tx.query_one(
        &format!(
            "INSERT INTO on_call_shifts (person_id, team_id, starts_at, ends_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {SHIFT_COLS}"
        ),
        params![person_id, team_id, starts_at, ends_at, actor, now],
    )?)
}

/// Shifts overlapping `[from, to)`, by start.
pub fn shifts(tx: &mut Tx<'_>, from: Timestamp, to: Timestamp) -> Result<Vec<Shift>, StoreError> {
    tx.query(
        &format!(
            "SELECT {SHIFT_COLS} FROM on_call_shifts WHERE starts_at < $2 AND ends_at > $1 ORDER BY starts_at, id"
        ),
        params![from, to],
    )?
    .iter()
    .map(shift_from)
    .collect()
}

pub fn delete_shift(tx: &mut Tx<'_>, id: i64) -> Result<(), StoreError> {
    match tx.execute("DELETE FROM on_call_shifts WHERE id = $1", params![id])? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// Who is on call at `at` for `team` (shifts of that team, and shifts for every team).
pub fn on_call(tx: &mut Tx<'_>, team_id: Option<i64>, at: Timestamp) -> Result<Vec<i64>, StoreError> {
    tx.query(
        "SELECT DISTINCT person_id FROM on_call_shifts WHERE starts_at <= $1 AND ends_at > $1 \
         AND (team_id IS NULL OR team_id = $2) ORDER BY person_id",
        params![at, team_id],
    )?
    .iter()
    .map(|r| r.i64(0))
    .collect()
}
