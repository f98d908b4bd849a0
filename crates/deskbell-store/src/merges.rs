//! Merged and linked tickets, and the children of a major incident (`tickets.parent_id`).
//!
//! A merge moves a duplicate's articles, attachments, search documents and history to the
//! ticket it is merged into and records the pair in `ticket_merges`; the duplicate stays, closed,
//! under its own number, and [`crate::tickets::by_number`] finds the target by that number.
//! Links are unordered pairs of related tickets. Only the ticket service writes here, in the
//! transaction that appends the history events.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::sql::{Row, Tx, Value};
use crate::tickets::{COLS, Scope, Ticket, from_row};
use crate::{StoreError, params, search};

#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    pub source_id: i64,
    pub target_id: i64,
    pub merged_by: Option<i64>,
    pub merged_at: Timestamp,
    pub reason: Option<String>,
}

/// What a merge moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Moved {
    pub articles: u64,
    pub attachments: u64,
    pub events: u64,
}

/// Moves the articles (with their search documents), attachments and history events of
/// `from` to `to`. Rows keep their ids, authors and instants, so the target's conversation and
/// history stay in the order things happened.
pub fn move_contents(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Moved, StoreError> {
    let articles = tx.execute("UPDATE articles SET ticket_id = $2 WHERE ticket_id = $1", params![from, to])?;
    let attachments = tx.execute("UPDATE attachments SET ticket_id = $2 WHERE ticket_id = $1", params![from, to])?;
    let events = tx.execute("UPDATE ticket_events SET ticket_id = $2 WHERE ticket_id = $1", params![from, to])?;
    search::move_articles(tx, from, to)?;
    Ok(Moved { articles, attachments, events })
}

/// Records that `source` was merged into `target`. Tickets merged into `source` before now
/// point at `target` too, so a merged number is always one hop from the ticket it finds.
pub fn record(
    tx: &mut Tx<'_>,
    source: i64,
    target: i64,
    by: Option<i64>,
    at: Timestamp,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute("UPDATE ticket_merges SET target_id = $2 WHERE target_id = $1", params![source, target])?;
    tx.execute(
        "INSERT INTO ticket_merges (source_id, target_id, merged_by, merged_at, reason) VALUES ($1, $2, $3, $4, $5)",
        params![source, target, by, at, reason],
    )?;
    Ok(())
}

fn merge_from(r: &Row) -> Result<Merge, StoreError> {
    Ok(Merge {
        source_id: r.i64(0)?,
        target_id: r.i64(1)?,
        merged_by: r.opt_i64(2)?,
        merged_at: r.time(3)?,
        reason: r.opt_str(4)?,
    })
}

const MERGE_COLS: &str = "source_id, target_id, merged_by, merged_at, reason";

/// The merge of `source`, if it was merged.
pub fn of_source(tx: &mut Tx<'_>, source: i64) -> Result<Option<Merge>, StoreError> {
    tx.query_opt(&format!("SELECT {MERGE_COLS} FROM ticket_merges WHERE source_id = $1"), params![source])?
        .as_ref()
        .map(merge_from)
        .transpose()
}

/// The ticket a message about ticket `id` belongs to now: its merge target, or itself.
pub fn current(tx: &mut Tx<'_>, id: i64) -> Result<i64, StoreError> {
    Ok(of_source(tx, id)?.map_or(id, |m| m.target_id))
}

/// The numbers of the tickets merged into `target`, oldest merge first.
pub fn sources_of(tx: &mut Tx<'_>, target: i64) -> Result<Vec<i64>, StoreError> {
    tx.query(
        "SELECT s.number FROM ticket_merges m JOIN tickets s ON s.id = m.source_id WHERE m.target_id = $1 \
         ORDER BY m.merged_at, s.number",
        params![target],
    )?
    .iter()
    .map(|r| r.i64(0))
    .collect()
}

/// Of the tickets `ids`, those merged into another: source id → the target's number (for a
/// list page: one query per few hundred ids).
pub fn targets(tx: &mut Tx<'_>, ids: &[i64]) -> Result<HashMap<i64, i64>, StoreError> {
    let rows = crate::sql::query_ids(tx, ids, |list| {
        format!(
            "SELECT m.source_id, t.number FROM ticket_merges m JOIN tickets t ON t.id = m.target_id WHERE m.source_id IN {list}"
        )
    })?;
    rows.iter().map(|r| Ok((r.i64(0)?, r.i64(1)?))).collect()
}

fn pair(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

/// Links two tickets; `false` when they were linked already.
pub fn link(tx: &mut Tx<'_>, a: i64, b: i64, by: Option<i64>, at: Timestamp) -> Result<bool, StoreError> {
    let (a, b) = pair(a, b);
    let n = tx.execute(
        "INSERT INTO ticket_links (ticket_a, ticket_b, created_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (ticket_a, ticket_b) DO NOTHING",
        params![a, b, by, at],
    )?;
    Ok(n == 1)
}

/// Removes the link of two tickets; `false` when there was none.
pub fn unlink(tx: &mut Tx<'_>, a: i64, b: i64) -> Result<bool, StoreError> {
    let (a, b) = pair(a, b);
    Ok(tx.execute("DELETE FROM ticket_links WHERE ticket_a = $1 AND ticket_b = $2", params![a, b])? == 1)
}

/// Tickets matching `cond` (SQL on `t`, its parameters bound as `$1…`) that `scope` may see,
/// by number.
fn visible(tx: &mut Tx<'_>, cond: &str, mut params: Vec<Value>, scope: &Scope) -> Result<Vec<Ticket>, StoreError> {
    let scoped = scope.condition(&mut params);
    tx.query(&format!("SELECT {COLS} FROM tickets t WHERE {cond} AND {scoped} ORDER BY t.number"), &params)?
        .iter()
        .map(from_row)
        .collect()
}

/// The tickets linked to `ticket` that `scope` may see, by number: a customer never learns of
/// a linked ticket outside their scope.
pub fn linked(tx: &mut Tx<'_>, ticket: i64, scope: &Scope) -> Result<Vec<Ticket>, StoreError> {
    visible(
        tx,
        "t.id IN (SELECT ticket_b FROM ticket_links WHERE ticket_a = $1 UNION SELECT ticket_a FROM ticket_links WHERE ticket_b = $1)",
        vec![Value::Int(ticket)],
        scope,
    )
}

/// The children of a parent ticket (a major incident) that `scope` may see, by number.
pub fn children(tx: &mut Tx<'_>, parent: i64, scope: &Scope) -> Result<Vec<Ticket>, StoreError> {
    visible(tx, "t.parent_id = $1", vec![Value::Int(parent)], scope)
}

/// Of `tickets`, the ids of those whose parent belongs to another organisation.
pub fn foreign_parents(tx: &mut Tx<'_>, tickets: &[Ticket]) -> Result<Vec<i64>, StoreError> {
    let ids: Vec<i64> = tickets.iter().filter(|t| t.parent_id.is_some()).map(|t| t.id).collect();
    let rows = crate::sql::query_ids(tx, &ids, |list| {
        format!(
            "SELECT t.id FROM tickets t JOIN tickets p ON p.id = t.parent_id \
             WHERE t.id IN {list} AND p.organisation_id <> t.organisation_id"
        )
    })?;
    rows.iter().map(|r| r.i64(0)).collect()
}
