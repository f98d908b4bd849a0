//! Tickets and their articles. Only the ticket service in the server calls the writing
//! functions here, inside the transaction that also appends the history event.

use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use jiff::Timestamp;

use crate::attachments::{self, Attachment};
use crate::sql::{Dialect, Row, Tx, Value, in_list};
use crate::{StoreError, json_list, params, parse_json_list, search};

#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub organisation_id: i64,
    pub requester_id: i64,
    pub cc: Vec<String>,
    pub channel: Channel,
    pub kind: Kind,
    pub priority: Priority,
    pub proposed_priority: Option<Priority>,
    pub status: Status,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    pub installation_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tags: Vec<String>,
    /// An agreed due date (development requests), `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub parent_id: Option<i64>,
    /// The customer's answers to the local-IT checks, as JSON.
    pub local_it_checks: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
    /// How the ticket ended or waits apart from its status (`redirected`,
    /// `awaiting_written_confirmation`, `training_catalogue`); see the scope rules.
    pub disposition: Option<String>,
}

/// [`COLS`] without the table alias, for `RETURNING`.
const RETURNING_COLS: &str = "id, number, subject, organisation_id, requester_id, cc, channel, kind, priority, \
    proposed_priority, status, product_id, module, installation_id, assignee_id, team_id, tags, due_date, \
    parent_id, local_it_checks, created_at, updated_at, first_response_at, resolved_at, closed_at, version, disposition";

/// Columns in [`COLS`]; a query may select more after them.
const COLS_COUNT: usize = 27;

pub(crate) const COLS: &str = "t.id, t.number, t.subject, t.organisation_id, t.requester_id, t.cc, t.channel, t.kind, t.priority, \
    t.proposed_priority, t.status, t.product_id, t.module, t.installation_id, t.assignee_id, t.team_id, t.tags, t.due_date, \
    t.parent_id, t.local_it_checks, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, t.version, t.disposition";

fn parse<T: std::str::FromStr>(s: String) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| StoreError::Db(format!("stored value is invalid: {e}")))
}

pub(crate) fn from_row(r: &Row) -> Result<Ticket, StoreError> {
    Ok(Ticket {
        id: r.i64(0)?,
        number: r.i64(1)?,
        subject: r.str(2)?,
        organisation_id: r.i64(3)?,
        requester_id: r.i64(4)?,
        cc: parse_json_list(&r.str(5)?),
        channel: parse(r.str(6)?)?,
        kind: parse(r.str(7)?)?,
        priority: parse(r.str(8)?)?,
        proposed_priority: r.opt_str(9)?.map(parse).transpose()?,
        status: parse(r.str(10)?)?,
        product_id: r.opt_i64(11)?,
        module: r.opt_str(12)?,
        installation_id: r.opt_i64(13)?,
        assignee_id: r.opt_i64(14)?,
        team_id: r.opt_i64(15)?,
        tags: parse_json_list(&r.str(16)?),
        due_date: r.opt_str(17)?,
        parent_id: r.opt_i64(18)?,
        local_it_checks: r.opt_str(19)?,
        created_at: r.time(20)?,
        updated_at: r.time(21)?,
        first_response_at: r.opt_time(22)?,
        resolved_at: r.opt_time(23)?,
        closed_at: r.opt_time(24)?,
        version: r.i64(25)?,
        disposition: r.opt_str(26)?,
    })
}

/// Who may see which tickets; every read of tickets takes one.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// The vendor side.
    All,
    /// A customer admin: the organisation and its child properties.
    Organisations(Vec<i64>),
    /// A customer user: their own tickets.
    Requester(i64),
}

impl Scope {
    /// SQL condition on `t` binding parameters after `first` existing ones.
    pub(crate) fn condition(&self, params: &mut Vec<Value>) -> String {
        match self {
            Scope::All => "TRUE".into(),
            Scope::Organisations(ids) => {
                let s = format!("t.organisation_id IN {}", in_list(params.len(), ids.len()));
                params.extend(ids.iter().map(|i| Value::Int(*i)));
                s
            }
            Scope::Requester(id) => {
                params.push(Value::Int(*id));
                format!("t.requester_id = ${}", params.len())
            }
        }
    }

    /// Whether internal notes are visible.
    pub fn sees_internal(&self) -> bool {
        matches!(self, Scope::All)
    }
}

/// Hands out the next ticket number on SQLite, which has one writer at a time, so a counter
/// row cannot be handed out twice. (PostgreSQL's sequence is unique across every instance
/// sharing the database; `insert` draws from it.)
fn next_sqlite_number(tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    tx.query_one("UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value", &[])?.i64(0)
}

/// Inserts a new ticket (number assigned here) and indexes its subject.
pub fn insert(tx: &mut Tx<'_>, t: &Ticket) -> Result<Ticket, StoreError> {
    // PostgreSQL draws the number inside the insert (one round trip less per new ticket).
    let (number, number_sql) = match tx.dialect() {
        Dialect::Postgres => (None, "COALESCE($1::bigint, nextval('ticket_number_seq'))"),
        Dialect::Sqlite => (Some(next_sqlite_number(tx)?), "$1"),
    };
    let row = tx
        .query_one(
            &format!("INSERT INTO tickets (number, subject, organisation_id, requester_id, cc, channel, kind, priority, proposed_priority, status, \
             product_id, module, installation_id, assignee_id, team_id, tags, due_date, parent_id, local_it_checks, created_at, updated_at, version, disposition) \
             VALUES ({number_sql}, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, 1, $21) RETURNING {RETURNING_COLS}"),
            params![
                number,
                &t.subject,
                t.organisation_id,
                t.requester_id,
                json_list(&t.cc),
                t.channel.as_str(),
                t.kind.as_str(),
                t.priority.as_str(),
                t.proposed_priority.map(|p| p.as_str()),
                t.status.as_str(),
                t.product_id,
                t.module.clone(),
                t.installation_id,
                t.assignee_id,
                t.team_id,
                json_list(&t.tags),
                t.due_date.clone(),
                t.parent_id,
                t.local_it_checks.clone(),
                t.created_at,
                t.disposition.clone(),
            ],
        )?;
    // One round trip: the row comes back with its id and defaults.
    let saved = from_row(&row)?;
    search::index(tx, -saved.id, saved.id, true, &saved.subject)?;
    Ok(saved)
}

/// Writes every mutable field of `t` if the stored version is still `t.version`, and bumps
/// the version. A concurrent change makes this fail with [`StoreError::Conflict`].
pub fn save(tx: &mut Tx<'_>, t: &Ticket) -> Result<Ticket, StoreError> {
    let old_subject =
        tx.query_opt("SELECT subject FROM tickets WHERE id = $1", params![t.id])?.map(|r| r.str(0)).transpose()?;
    save_row(tx, t, old_subject.as_deref())
}

/// [`save`] of `t`, a change of `loaded` (the row as read in this transaction): the stored
/// subject is known, which saves a round trip. Should the row have changed since it was
/// read, its version has too, and the save is a [`StoreError::Conflict`] as with [`save`].
pub fn save_over(tx: &mut Tx<'_>, loaded: &Ticket, t: &Ticket) -> Result<Ticket, StoreError> {
    debug_assert_eq!((loaded.id, loaded.version), (t.id, t.version), "a change of another row or version");
    save_row(tx, t, Some(loaded.subject.as_str()))
}

fn save_row(tx: &mut Tx<'_>, t: &Ticket, old_subject: Option<&str>) -> Result<Ticket, StoreError> {
    // One round trip: the row comes back as saved.
    let row = tx.query_opt(
        &format!("UPDATE tickets SET subject = $3, cc = $4, kind = $5, priority = $6, status = $7, product_id = $8, module = $9, \
         installation_id = $10, assignee_id = $11, team_id = $12, tags = $13, due_date = $14, parent_id = $15, \
         updated_at = $16, first_response_at = $17, resolved_at = $18, closed_at = $19, organisation_id = $20, \
         requester_id = $21, disposition = $22, version = version + 1 WHERE id = $1 AND version = $2 RETURNING {RETURNING_COLS}"),
        params![
            t.id,
            t.version,
            &t.subject,
            json_list(&t.cc),
            t.kind.as_str(),
            t.priority.as_str(),
            t.status.as_str(),
            t.product_id,
            t.module.clone(),
            t.installation_id,
            t.assignee_id,
            t.team_id,
            json_list(&t.tags),
            t.due_date.clone(),
            t.parent_id,
            t.updated_at,
            t.first_response_at,
            t.resolved_at,
            t.closed_at,
            t.organisation_id,
            t.requester_id,
            t.disposition.clone(),
        ],
    )?;
    let Some(row) = row else { return Err(StoreError::Conflict) };
    // Most saves are status or assignment changes: re-index only a changed subject.
    if old_subject != Some(t.subject.as_str()) {
        search::index(tx, -t.id, t.id, true, &t.subject)?;
    }
    from_row(&row)
}

pub fn by_id(tx: &mut Tx<'_>, id: i64) -> Result<Ticket, StoreError> {
    from_row(&tx.query_one(&format!("SELECT {COLS} FROM tickets t WHERE t.id = $1"), params![id])?)
}

/// A ticket by number, if the scope may see it; otherwise `NotFound`, exactly as for a
/// number that does not exist, so a customer learns nothing about other organisations.
///
/// The number of a ticket merged into another finds that other ticket (see `merges`), under
/// the same scope; a customer user also sees the ticket their own ticket was merged into.
pub fn by_number(tx: &mut Tx<'_>, number: i64, scope: &Scope) -> Result<Ticket, StoreError> {
    let mut params = vec![Value::Int(number)];
    let mut cond = scope.condition(&mut params);
    if let Scope::Requester(_) = scope {
        cond = format!(
            "({cond} OR EXISTS (SELECT 1 FROM ticket_merges m JOIN tickets s ON s.id = m.source_id \
             WHERE m.target_id = t.id AND s.requester_id = ${}))",
            params.len()
        );
    }
    from_row(&tx.query_one(
        &format!(
            "SELECT {COLS} FROM tickets t WHERE t.id = COALESCE(\
             (SELECT m.target_id FROM ticket_merges m JOIN tickets s ON s.id = m.source_id WHERE s.number = $1), \
             (SELECT n.id FROM tickets n WHERE n.number = $1)) AND {cond}"
        ),
        &params,
    )?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    CreatedDesc,
    CreatedAsc,
    NumberDesc,
    NumberAsc,
    /// The SLA queue order (`deadline`): first the tickets with a running clock, by the
    /// deadline of their earliest running clock, ties by id; then every other ticket, newest
    /// (highest id) first. A running clock whose deadline is unknown (it would lie past the
    /// year 9999) counts as none.
    Deadline,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "-updated_at" => Sort::UpdatedDesc,
            "updated_at" => Sort::UpdatedAsc,
            "-created_at" => Sort::CreatedDesc,
            "created_at" => Sort::CreatedAsc,
            "-number" => Sort::NumberDesc,
            "number" => Sort::NumberAsc,
            "deadline" => Sort::Deadline,
            _ => return None,
        })
    }

    pub const NAMES: &'static [&'static str] =
        &["-updated_at", "updated_at", "-created_at", "created_at", "-number", "number", "deadline"];

    /// The column of a single-column sort and whether it descends; `None` for
    /// [`Sort::Deadline`], which [`list_by_deadline`] handles.
    fn column(self) -> Option<(&'static str, bool)> {
        Some(match self {
            Sort::UpdatedDesc => ("t.updated_at", true),
            Sort::UpdatedAsc => ("t.updated_at", false),
            Sort::CreatedDesc => ("t.created_at", true),
            Sort::CreatedAsc => ("t.created_at", false),
            Sort::NumberDesc => ("t.number", true),
            Sort::NumberAsc => ("t.number", false),
            Sort::Deadline => return None,
        })
    }

    /// The key of `t` under a single-column sort, for the next page's cursor.
    fn key(self, t: &Ticket) -> i64 {
        match self {
            Sort::UpdatedDesc | Sort::UpdatedAsc => t.updated_at.as_microsecond(),
            Sort::CreatedDesc | Sort::CreatedAsc => t.created_at.as_microsecond(),
            Sort::NumberDesc | Sort::NumberAsc => t.number,
            // Keyed by the clock, not the ticket: see `list_by_deadline`.
            Sort::Deadline => t.id,
        }
    }

    fn key_value(self, key: i64) -> Result<Value, StoreError> {
        match self {
            Sort::NumberDesc | Sort::NumberAsc => Ok(Value::Int(key)),
            _ => time_value(key),
        }
    }
}

fn time_value(micros: i64) -> Result<Value, StoreError> {
    Timestamp::from_microsecond(micros).map(Value::Time).map_err(|_| StoreError::Db("cursor out of range".into()))
}

/// Position after the last row of a page: the sort key and the id as tie-breaker.
///
/// Under [`Sort::Deadline`] the key is the deadline (microseconds since the epoch) of the
/// last ticket's earliest running clock, or `i64::MAX` once the page has passed every ticket
/// with a running clock (no instant jiff can represent comes near it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

/// [`Cursor::key`] under [`Sort::Deadline`] past the tickets with a running clock.
const PAST_THE_CLOCKS: i64 = i64::MAX;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Person(i64),
    Unassigned,
}

/// Tickets needing attention: a running clock already warned (`warning_at <= now`, which
/// includes the breached) or due soon (`deadline_at <= horizon`). Both bounds are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtRisk {
    pub now: Timestamp,
    pub horizon: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub kinds: Vec<Kind>,
    pub channels: Vec<Channel>,
    pub organisation_ids: Vec<i64>,
    pub assignee: Option<AssigneeFilter>,
    /// Tickets of any of these teams; empty: no condition.
    pub team_ids: Vec<i64>,
    pub product_id: Option<i64>,
    pub requester_id: Option<i64>,
    /// Full-text query; words must all occur (prefixes match).
    pub q: Option<String>,
    pub updated_since: Option<Timestamp>,
    pub at_risk: Option<AtRisk>,
    pub sort: Sort,
    pub after: Option<Cursor>,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Ticket>,
    pub next: Option<Cursor>,
}

fn any_of<T: Copy>(
    column: &str,
    values: &[T],
    text: impl Fn(T) -> &'static str,
    params: &mut Vec<Value>,
    conds: &mut Vec<String>,
) {
    if !values.is_empty() {
        conds.push(format!("{column} IN {}", in_list(params.len(), values.len())));
        params.extend(values.iter().map(|v| Value::Text(text(*v).to_owned())));
    }
}

fn any_id(column: &str, ids: &[i64], params: &mut Vec<Value>, conds: &mut Vec<String>) {
    if !ids.is_empty() {
        conds.push(format!("{column} IN {}", in_list(params.len(), ids.len())));
        params.extend(ids.iter().map(|i| Value::Int(*i)));
    }
}

/// Running clocks, as SQL on `ticket_clocks` aliased `c`.
const RUNNING: &str = "c.state = 'running' AND c.deadline_at IS NOT NULL";

/// `c` is its ticket's earliest running clock (by deadline, then metric, so exactly one clock
/// of a ticket with two running ones qualifies). Checked per clock on the primary key.
const EARLIEST: &str = "NOT EXISTS (SELECT 1 FROM ticket_clocks e WHERE e.ticket_id = c.ticket_id AND e.state = 'running' \
    AND e.deadline_at IS NOT NULL AND (e.deadline_at < c.deadline_at OR (e.deadline_at = c.deadline_at AND e.metric < c.metric)))";

/// The ticket `t` has no running clock with a deadline.
const UNCLOCKED: &str = "NOT EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = t.id AND c.state = 'running' \
    AND c.deadline_at IS NOT NULL)";

pub fn list(tx: &mut Tx<'_>, scope: &Scope, f: &Filter) -> Result<Page, StoreError> {
    let mut params = Vec::new();
    let mut conds = vec![scope.condition(&mut params)];
    // Status, priority, kind, channel and team hold a few values each: an index on one
    // fetches a fifth of the tickets or more. Under the deadline order no ticket index gives
    // the order anyway (45 ms at 100,000 for one team, on SQLite without statistics), where
    // walking the running clocks by deadline finds a page of matches at once; beside a
    // selective filter (a few organisations, a requester, an assignee) that filter's index
    // is the one to take, but SQLite's sampled statistics can make it pick the broad one (two
    // hotels' faults by number: 25 ms through the priority index, 13 ms through the hotels').
    // SQLite's unary `+` keeps it off them; PostgreSQL's planner weighs them by its statistics.
    let selective = (1..=4).contains(&f.organisation_ids.len())
        || f.requester_id.is_some()
        || matches!(f.assignee, Some(AssigneeFilter::Person(_)));
    let broad = if (f.sort == Sort::Deadline || selective) && tx.dialect() == Dialect::Sqlite { "+" } else { "" };
    let col = |name: &str| format!("{broad}t.{name}");
    any_of(&col("status"), &f.statuses, Status::as_str, &mut params, &mut conds);
    any_of(&col("priority"), &f.priorities, Priority::as_str, &mut params, &mut conds);
    any_of(&col("kind"), &f.kinds, Kind::as_str, &mut params, &mut conds);
    any_of(&col("channel"), &f.channels, Channel::as_str, &mut params, &mut conds);
    // A few organisations are selective (their index wins); many (a name that matches dozens)
    // are broad like the columns above: 50 of 300 hotels took 125 ms through the index.
    let org_col = if f.organisation_ids.len() > 4 { col("organisation_id") } else { "t.organisation_id".to_owned() };
    any_id(&org_col, &f.organisation_ids, &mut params, &mut conds);
    any_id(&col("team_id"), &f.team_ids, &mut params, &mut conds);
    let mut eq = |column: &str, v: Option<i64>, params: &mut Vec<Value>| {
        if let Some(v) = v {
            params.push(Value::Int(v));
            conds.push(format!("{column} = ${}", params.len()));
        }
    };
    eq("t.product_id", f.product_id, &mut params);
    eq("t.requester_id", f.requester_id, &mut params);
    match f.assignee {
        Some(AssigneeFilter::Person(id)) => eq("t.assignee_id", Some(id), &mut params),
        Some(AssigneeFilter::Unassigned) => conds.push("t.assignee_id IS NULL".into()),
        None => {}
    }
    if let Some(since) = f.updated_since {
        params.push(Value::Time(since));
        conds.push(format!("t.updated_at >= ${}", params.len()));
    }
    if let Some(q) = &f.q {
        match search::condition(tx.dialect(), q, scope.sees_internal(), &mut params) {
            Some(c) => conds.push(c),
            // A query with no words (only punctuation) matches nothing rather than everything.
            None => return Ok(Page { items: Vec::new(), next: None }),
        }
    }
    let limit = f.limit.clamp(1, 200);
    let Some((col, descending)) = f.sort.column() else {
        return list_by_deadline(tx, conds, params, f.at_risk, f.after, limit);
    };
    if let Some(r) = f.at_risk {
        // Both halves walk a partial index of running clocks; the set of tickets they give is
        // small when few are at risk, where probing every listed ticket's clocks would not be.
        params.extend([Value::Time(r.now), Value::Time(r.horizon)]);
        conds.push(format!(
            "t.id IN (SELECT ticket_id FROM ticket_clocks WHERE state = 'running' AND warning_at <= ${} \
             UNION SELECT ticket_id FROM ticket_clocks WHERE state = 'running' AND deadline_at <= ${})",
            params.len() - 1,
            params.len()
        ));
    }
    let (cmp, dir) = if descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(c) = f.after {
        params.push(f.sort.key_value(c.key)?);
        params.push(Value::Int(c.id));
        conds.push(format!("({col}, t.id) {cmp} (${}, ${})", params.len() - 1, params.len()));
    }
    params.push(Value::Int(limit as i64 + 1));
    let sql = format!(
        "SELECT {COLS} FROM tickets t WHERE {} ORDER BY {col} {dir}, t.id {dir} LIMIT ${}",
        conds.join(" AND "),
        params.len()
    );
    let mut items = tx.query(&sql, &params)?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|t| Cursor { key: f.sort.key(t), id: t.id })
    } else {
        None
    };
    Ok(Page { items, next })
}

/// A condition a stretch of [`list_by_deadline`] adds, binding its parameters after the
/// given ones (each query binds only what it uses: PostgreSQL refuses an unused parameter).
type Extra = Box<dyn Fn(&mut Vec<Value>) -> String>;

/// One query of [`list_by_deadline`]: a stretch of the order with its own extra condition.
enum Stretch {
    /// Tickets by their earliest running clock `c`; the condition is on `c`.
    Clocked(Option<Extra>),
    /// Tickets without a running clock, newest first; the condition is on `t`.
    Unclocked(Option<Extra>),
}

/// Binds `v` after `params` and returns its placeholder.
fn bind(params: &mut Vec<Value>, v: Timestamp) -> String {
    params.push(Value::Time(v));
    format!("${}", params.len())
}

/// [`Sort::Deadline`]: the stretches of the order one after the other, each a query that
/// walks an index in that order and stops after the page: first the running clocks on the
/// partial index `ticket_clocks_deadline`, keeping each ticket's earliest running clock only
/// (so a ticket with two appears once); then the tickets by primary key, newest first,
/// skipping those with a running clock.
///
/// With `at_risk` the clocked stretch is cut in two so neither walks every running clock to
/// find the few at risk: tickets whose earliest deadline is within the horizon are all at
/// risk (a range of that index), and beyond it only those with a warned running clock are
/// (found on `ticket_clocks_running_warning`). An unclocked ticket is at risk only through a
/// warned running clock whose deadline is unknown.
fn list_by_deadline(
    tx: &mut Tx<'_>,
    conds: Vec<String>,
    params: Vec<Value>,
    at_risk: Option<AtRisk>,
    after: Option<Cursor>,
    limit: usize,
) -> Result<Page, StoreError> {
    let stretches = match at_risk {
        None => vec![Stretch::Clocked(None), Stretch::Unclocked(None)],
        Some(AtRisk { now, horizon }) => vec![
            Stretch::Clocked(Some(Box::new(move |p: &mut Vec<Value>| {
                format!("c.deadline_at <= {}", bind(p, horizon))
            }))),
            Stretch::Clocked(Some(Box::new(move |p: &mut Vec<Value>| {
                let horizon = bind(p, horizon);
                format!(
                    "c.deadline_at > {horizon} AND c.ticket_id IN (SELECT w.ticket_id FROM ticket_clocks w \
                     WHERE w.state = 'running' AND w.warning_at <= {})",
                    bind(p, now)
                )
            }))),
            Stretch::Unclocked(Some(Box::new(move |p: &mut Vec<Value>| {
                format!(
                    "t.id IN (SELECT w.ticket_id FROM ticket_clocks w WHERE w.state = 'running' \
                     AND w.warning_at <= {} AND w.deadline_at IS NULL)",
                    bind(p, now)
                )
            }))),
        ],
    };
    let conds = conds.join(" AND ");
    // Each ticket with the deadline it was ordered by (`None` in the unclocked stretch).
    let mut items: Vec<(Ticket, Option<Timestamp>)> = Vec::new();
    for stretch in stretches {
        let wanted = limit + 1 - items.len();
        if wanted == 0 {
            break;
        }
        let mut params = params.clone();
        let sql = match stretch {
            Stretch::Clocked(extra) => {
                let mut where_ = format!("{RUNNING} AND {EARLIEST} AND {conds}");
                match after {
                    Some(c) if c.key == PAST_THE_CLOCKS => continue,
                    Some(c) => {
                        params.extend([time_value(c.key)?, Value::Int(c.id)]);
                        where_ +=
                            &format!(" AND (c.deadline_at, c.ticket_id) > (${}, ${})", params.len() - 1, params.len());
                    }
                    None => {}
                }
                if let Some(extra) = extra {
                    where_ += &format!(" AND {}", extra(&mut params));
                }
                params.push(Value::Int(wanted as i64));
                format!(
                    "SELECT {COLS}, c.deadline_at FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id WHERE {where_} \
                     ORDER BY c.deadline_at, c.ticket_id LIMIT ${}",
                    params.len()
                )
            }
            Stretch::Unclocked(extra) => {
                let mut where_ = format!("{UNCLOCKED} AND {conds}");
                if let Some(c) = after.filter(|c| c.key == PAST_THE_CLOCKS) {
                    params.push(Value::Int(c.id));
                    where_ += &format!(" AND t.id < ${}", params.len());
                }
                if let Some(extra) = extra {
                    where_ += &format!(" AND {}", extra(&mut params));
                }
                params.push(Value::Int(wanted as i64));
                format!("SELECT {COLS}, NULL FROM tickets t WHERE {where_} ORDER BY t.id DESC LIMIT ${}", params.len())
            }
        };
        for r in tx.query(&sql, &params)? {
            items.push((from_row(&r)?, r.opt_time(COLS_COUNT)?));
        }
    }
    let next = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|(t, deadline)| Cursor { key: deadline.map_or(PAST_THE_CLOCKS, Timestamp::as_microsecond), id: t.id })
    } else {
        None
    };
    Ok(Page { items: items.into_iter().map(|(t, _)| t).collect(), next })
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub direction: CallDirection,
    pub number: Option<String>,
    pub duration_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MailMeta {
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cc: Option<String>,
    /// The sanitised HTML body of a mail, when it had one.
    pub html: Option<String>,
    /// Byte offset in the article body where the quoted history starts.
    pub quote_start: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: ArticleKind,
    pub author_id: Option<i64>,
    pub body: String,
    pub call: Option<Call>,
    pub mail: Option<MailMeta>,
    pub created_at: Timestamp,
    pub attachments: Vec<Attachment>,
}

/// Inserts an article and indexes its text (internal notes as not public).
pub fn insert_article(tx: &mut Tx<'_>, a: &Article) -> Result<Article, StoreError> {
    let call = a.call.as_ref();
    let mail = a.mail.clone().unwrap_or_default();
    let id = tx
        .query_one(
            "INSERT INTO articles (ticket_id, kind, author_id, body, call_direction, call_number, call_duration_secs, \
             message_id, in_reply_to, mail_references, mail_from, mail_to, mail_cc, created_at, body_html, quote_start) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
            params![
                a.ticket_id,
                a.kind.as_str(),
                a.author_id,
                &a.body,
                call.map(|c| c.direction.as_str()),
                call.and_then(|c| c.number.clone()),
                call.and_then(|c| c.duration_secs),
                mail.message_id,
                mail.in_reply_to,
                mail.references,
                mail.from,
                mail.to,
                mail.cc,
                a.created_at,
                mail.html,
                mail.quote_start,
            ],
        )?
        .i64(0)?;
    search::index(tx, id, a.ticket_id, a.kind.is_public(), &a.body)?;
    Ok(Article { id, attachments: Vec::new(), ..a.clone() })
}

const ARTICLE_COLS: &str = "id, ticket_id, kind, author_id, body, call_direction, call_number, call_duration_secs, \
    message_id, in_reply_to, mail_references, mail_from, mail_to, mail_cc, created_at, body_html, quote_start";

fn article_from(r: &Row) -> Result<Article, StoreError> {
    let call = match r.opt_str(5)? {
        Some(d) => Some(Call { direction: parse(d)?, number: r.opt_str(6)?, duration_secs: r.opt_i64(7)? }),
        None => None,
    };
    let mail = MailMeta {
        message_id: r.opt_str(8)?,
        in_reply_to: r.opt_str(9)?,
        references: r.opt_str(10)?,
        from: r.opt_str(11)?,
        to: r.opt_str(12)?,
        cc: r.opt_str(13)?,
        html: r.opt_str(15)?,
        quote_start: r.opt_i64(16)?,
    };
    Ok(Article {
        id: r.i64(0)?,
        ticket_id: r.i64(1)?,
        kind: parse(r.str(2)?)?,
        author_id: r.opt_i64(3)?,
        body: r.str(4)?,
        call,
        mail: (mail != MailMeta::default()).then_some(mail),
        created_at: r.time(14)?,
        attachments: Vec::new(),
    })
}

/// The articles of a ticket in order, with attachments; internal notes only when asked.
pub fn articles(tx: &mut Tx<'_>, ticket_id: i64, include_internal: bool) -> Result<Vec<Article>, StoreError> {
    let sql = if include_internal {
        format!("SELECT {ARTICLE_COLS} FROM articles WHERE ticket_id = $1 ORDER BY id")
    } else {
        format!("SELECT {ARTICLE_COLS} FROM articles WHERE ticket_id = $1 AND kind <> 'internal_note' ORDER BY id")
    };
    let mut list = tx.query(&sql, params![ticket_id])?.iter().map(article_from).collect::<Result<Vec<_>, _>>()?;
    let mut files = attachments::for_ticket(tx, ticket_id)?;
    for a in &mut list {
        a.attachments = files.extract_if(.., |f| f.article_id == a.id).collect();
    }
    Ok(list)
}
