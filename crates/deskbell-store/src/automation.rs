//! What automation keeps: the admin's rules, canned responses, and what routing needs
//! (absences, working hours, whose turn it is). The rules' meaning lives in
//! `deskbell_domain::automation`; here they are stored as checked JSON.

use jiff::Timestamp;

use crate::collation::sort_by_name;
use crate::sql::{Row, Tx, in_list};
use crate::{StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub active: bool,
    /// The `RuleDef` as JSON, checked when saved.
    pub definition: String,
    /// How many times it fired.
    pub fired: i64,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub definition: String,
}

const RULE_COLS: &str = "id, name, position, active, definition, fired, created_by, created_at, updated_at";

fn rule_from(r: &Row) -> Result<Rule, StoreError> {
    Ok(Rule {
        id: r.i64(0)?,
        name: r.str(1)?,
        position: r.i64(2)?,
        active: r.bool(3)?,
        definition: r.str(4)?,
        fired: r.i64(5)?,
        created_by: r.opt_i64(6)?,
        created_at: r.time(7)?,
        updated_at: r.time(8)?,
    })
}

/// Every rule in the order they run (position, then id).
pub fn rules(tx: &mut Tx<'_>) -> Result<Vec<Rule>, StoreError> {
    tx.query(&format!("SELECT {RULE_COLS} FROM rules ORDER BY position, id"), &[])?.iter().map(rule_from).collect()
}

/// The active rules, in the order they run.
pub fn active_rules(tx: &mut Tx<'_>) -> Result<Vec<Rule>, StoreError> {
    tx.query(&format!("SELECT {RULE_COLS} FROM rules WHERE active ORDER BY position, id"), &[])?
        .iter()
        .map(rule_from)
        .collect()
}

/// The stored values of settings `keys` (in their order, `None` where absent) and how many
/// rules are active, in one query: every new ticket needs both, and most desks have no rule
/// to read then.
pub fn settings_and_active_rules(tx: &mut Tx<'_>, keys: &[&str]) -> Result<(Vec<Option<String>>, i64), StoreError> {
    let params: Vec<crate::Value> = keys.iter().map(|k| (*k).into()).collect();
    let rows = tx.query(
        &format!(
            "SELECT key, value FROM settings WHERE key IN {} \
             UNION ALL SELECT NULL, CAST(COUNT(*) AS TEXT) FROM rules WHERE active",
            in_list(0, keys.len())
        ),
        &params,
    )?;
    let mut found = Vec::new();
    let mut active = 0;
    for r in &rows {
        match r.opt_str(0)? {
            Some(key) => found.push((key, r.str(1)?)),
            None => active = r.str(1)?.parse().map_err(|e| StoreError::Db(format!("rule count: {e}")))?,
        }
    }
    let values = keys.iter().map(|k| found.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone())).collect();
    Ok((values, active))
}

pub fn rule(tx: &mut Tx<'_>, id: i64) -> Result<Rule, StoreError> {
    rule_from(&tx.query_one(&format!("SELECT {RULE_COLS} FROM rules WHERE id = $1"), params![id])?)
}

/// Creates (`id` = `None`) or replaces a rule.
pub fn save_rule(
    tx: &mut Tx<'_>,
    id: Option<i64>,
    input: &RuleInput,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<Rule, StoreError> {
    let row = match id {
        None => tx.query_one(
            &format!(
                "INSERT INTO rules (name, position, active, definition, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {RULE_COLS}"
            ),
            params![&input.name, input.position, input.active, &input.definition, actor, now],
        )?,
        Some(id) => tx
            .query_opt(
                &format!(
                    "UPDATE rules SET name = $2, position = $3, active = $4, definition = $5, updated_at = $6 \
                     WHERE id = $1 RETURNING {RULE_COLS}"
                ),
                params![id, &input.name, input.position, input.active, &input.definition, now],
            )?
            .ok_or(StoreError::NotFound)?,
    };
    rule_from(&row)
}

pub fn delete_rule(tx: &mut Tx<'_>, id: i64) -> Result<(), StoreError> {
    if tx.execute("DELETE FROM rules WHERE id = $1", params![id])? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Counts firings, in the transaction of the change the rules made.
pub fn count_firings(tx: &mut Tx<'_>, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let params: Vec<crate::Value> = ids.iter().map(|i| crate::Value::Int(*i)).collect();
    tx.execute(&format!("UPDATE rules SET fired = fired + 1 WHERE id IN {}", in_list(0, ids.len())), &params)?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub id: i64,
    /// Set on the answers the scope rules send.
    pub key: Option<String>,
    pub title: String,
    pub body_pl: String,
    pub body_en: String,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Response {
    /// The text in `language` (`pl` or `en`); Polish when the English one is empty.
    pub fn body(&self, language: &str) -> &str {
        if language == "en" && !self.body_en.trim().is_empty() { &self.body_en } else { &self.body_pl }
    }
}

#[derive(Debug, Clone)]
pub struct ResponseInput {
    pub title: String,
    pub body_pl: String,
    pub body_en: String,
    pub active: bool,
}

const RESPONSE_COLS: &str = "id, key, title, body_pl, body_en, active, created_at, updated_at";

fn response_from(r: &Row) -> Result<Response, StoreError> {
    Ok(Response {
        id: r.i64(0)?,
        key: r.opt_str(1)?,
        title: r.str(2)?,
        body_pl: r.str(3)?,
        body_en: r.str(4)?,
        active: r.bool(5)?,
        created_at: r.time(6)?,
        updated_at: r.time(7)?,
    })
}

pub fn responses(tx: &mut Tx<'_>) -> Result<Vec<Response>, StoreError> {
    let mut list: Vec<Response> = tx
        .query(&format!("SELECT {RESPONSE_COLS} FROM responses"), &[])?
        .iter()
        .map(response_from)
        .collect::<Result<_, _>>()?;
    sort_by_name(&mut list, |r| (r.title.as_str(), r.id));
    Ok(list)
}

pub fn response(tx: &mut Tx<'_>, id: i64) -> Result<Response, StoreError> {
    response_from(&tx.query_one(&format!("SELECT {RESPONSE_COLS} FROM responses WHERE id = $1"), params![id])?)
}

/// The response with `key`, written with `default` first if there is none yet (the scope
/// rules' answers exist from their first use on, and admins may then edit them).
pub fn keyed_response(
    tx: &mut Tx<'_>,
    key: &str,
    default: &ResponseInput,
    now: Timestamp,
) -> Result<Response, StoreError> {
    tx.execute(
        "INSERT INTO responses (key, title, body_pl, body_en, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (key) DO NOTHING",
        params![key, &default.title, &default.body_pl, &default.body_en, default.active, now],
    )?;
    response_from(&tx.query_one(&format!("SELECT {RESPONSE_COLS} FROM responses WHERE key = $1"), params![key])?)
}

pub fn save_response(
    tx: &mut Tx<'_>,
    id: Option<i64>,
    input: &ResponseInput,
    now: Timestamp,
) -> Result<Response, StoreError> {
    let row = match id {
        None => tx.query_one(
            &format!(
                "INSERT INTO responses (title, body_pl, body_en, active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING {RESPONSE_COLS}"
            ),
            params![&input.title, &input.body_pl, &input.body_en, input.active, now],
        )?,
        Some(id) => tx
            .query_opt(
                &format!(
                    "UPDATE responses SET title = $2, body_pl = $3, body_en = $4, active = $5, updated_at = $6 \
                     WHERE id = $1 RETURNING {RESPONSE_COLS}"
                ),
                params![id, &input.title, &input.body_pl, &input.body_en, input.active, now],
            )?
            .ok_or(StoreError::NotFound)?,
    };
    response_from(&row)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Absence {
    pub id: i64,
    pub person_id: i64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
}

fn absence_from(r: &Row) -> Result<Absence, StoreError> {
    Ok(Absence {
        id: r.i64(0)?,
        person_id: r.i64(1)?,
        starts_at: r.time(2)?,
        ends_at: r.time(3)?,
        reason: r.opt_str(4)?,
        created_by: r.opt_i64(5)?,
    })
}

const ABSENCE_COLS: &str = "id, person_id, starts_at, ends_at, reason, created_by";

pub fn add_absence(
    tx: &mut Tx<'_>,
    person_id: i64,
    starts_at: Timestamp,
    ends_at: Timestamp,
    reason: Option<&str>,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<Absence, StoreError> {
    absence_from(&tx.query_one(
        &format!(
            "INSERT INTO absences (person_id, starts_at, ends_at, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ABSENCE_COLS}"
        ),
        params![person_id, starts_at, ends_at, reason, actor, now],
    )?)
}

/// Absences that have not ended by `from`, by start.
pub fn absences(tx: &mut Tx<'_>, from: Timestamp) -> Result<Vec<Absence>, StoreError> {
    tx.query(&format!("SELECT {ABSENCE_COLS} FROM absences WHERE ends_at > $1 ORDER BY starts_at, id"), params![from])?
        .iter()
        .map(absence_from)
        .collect()
}

pub fn delete_absence(tx: &mut Tx<'_>, id: i64) -> Result<(), StoreError> {
    if tx.execute("DELETE FROM absences WHERE id = $1", params![id])? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets (`Some`) or clears an agent's working-hours calendar.
pub fn set_working_hours(tx: &mut Tx<'_>, person_id: i64, calendar_id: Option<i64>) -> Result<(), StoreError> {
    match calendar_id {
        Some(c) => tx.execute(
            "INSERT INTO agent_hours (person_id, calendar_id) VALUES ($1, $2) \
             ON CONFLICT (person_id) DO UPDATE SET calendar_id = excluded.calendar_id",
            params![person_id, c],
        )?,
        None => tx.execute("DELETE FROM agent_hours WHERE person_id = $1", params![person_id])?,
    };
    Ok(())
}

/// Takes the next turn of a round-robin pool among `candidates` (not empty): the one whose
/// last turn is oldest, never-served first, ties by id. Locks the pool's row first, so two
/// tickets routed at once on PostgreSQL take turns instead of both picking the same person
/// (SQLite has one writer anyway).
pub fn take_turn(tx: &mut Tx<'_>, pool: &str, candidates: &[i64], now: Timestamp) -> Result<i64, StoreError> {
    let turn = tx
        .query_one(
            "INSERT INTO routing_pools (pool, turns) VALUES ($1, 1) \
             ON CONFLICT (pool) DO UPDATE SET turns = routing_pools.turns + 1 RETURNING turns",
            params![pool],
        )?
        .i64(0)?;
    // Whoever of the candidates was served longest ago (never: first), lowest id on a tie,
    // chosen and marked in one statement.
    let mut params: Vec<crate::Value> = vec![pool.into(), now.into(), turn.into()];
    params.extend(candidates.iter().map(|p| crate::Value::Int(*p)));
    tx.query_opt(
        &format!(
            "INSERT INTO routing_turns (pool, person_id, last_at, turn) \
             SELECT $1, p.id, $2, $3 FROM people p LEFT JOIN routing_turns r ON r.pool = $1 AND r.person_id = p.id \
             WHERE p.id IN {} ORDER BY COALESCE(r.turn, -1), p.id LIMIT 1 \
             ON CONFLICT (pool, person_id) DO UPDATE SET last_at = excluded.last_at, turn = excluded.turn \
             RETURNING person_id",
            in_list(3, candidates.len())
        ),
        &params,
    )?
    .ok_or(StoreError::NotFound)?
    .i64(0)
}

/// Who of `people` can take a ticket, in one query: `(person, working-hours calendar)` of
/// each active member of the vendor's staff, without those absent at `at` when
/// `skip_absent`.
pub fn candidates(
    tx: &mut Tx<'_>,
    people: &[i64],
    skip_absent: bool,
    at: Timestamp,
) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut params: Vec<crate::Value> = vec![at.into(), skip_absent.into()];
    params.extend(people.iter().map(|p| crate::Value::Int(*p)));
    tx.query(
        &format!(
            "SELECT p.id, h.calendar_id FROM people p LEFT JOIN agent_hours h ON h.person_id = p.id \
             WHERE p.id IN {} AND p.active AND p.role IN ('agent', 'supervisor', 'admin') \
             AND NOT ($2 AND EXISTS (SELECT 1 FROM absences a WHERE a.person_id = p.id AND a.starts_at <= $1 AND a.ends_at > $1))",
            in_list(2, people.len())
        ),
        &params,
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.opt_i64(1)?)))
    .collect()
}
