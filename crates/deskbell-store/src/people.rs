//! People: customer users and admins of an organisation, and the vendor's staff.

use std::collections::HashMap;

use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_domain::text::fold;
use jiff::Timestamp;

use crate::collation::sort_by_name;
use crate::find::{self, Query};
use crate::sql::{Row, Tx, Value, in_list, query_ids};
use crate::{StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: i64,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub phone: Option<String>,
    pub language: Language,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct PersonInput {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub phone: Option<String>,
    pub language: Language,
    pub active: bool,
}

const COLS: &str = "id, email, name, role, organisation_id, phone, language, active, created_at, updated_at";
/// [`COLS`] of the table aliased `p`, for joins that read a person with something else.
pub(crate) const P_COLS: &str =
    "p.id, p.email, p.name, p.role, p.organisation_id, p.phone, p.language, p.active, p.created_at, p.updated_at";

fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(format!("stored {what} is invalid: {e}"))
}

fn from_row(r: &Row) -> Result<Person, StoreError> {
    from_row_at(r, 0)
}

/// A person read from [`P_COLS`] starting at column `at`.
pub(crate) fn from_row_at(r: &Row, at: usize) -> Result<Person, StoreError> {
    Ok(Person {
        id: r.i64(at)?,
        email: r.str(at + 1)?.parse().map_err(|e| bad("e-mail", e))?,
        name: r.str(at + 2)?,
        role: r.str(at + 3)?.parse().map_err(|e| bad("role", e))?,
        organisation_id: r.opt_i64(at + 4)?,
        phone: r.opt_str(at + 5)?,
        language: r.str(at + 6)?.parse().map_err(|e| bad("language", e))?,
        active: r.bool(at + 7)?,
        created_at: r.time(at + 8)?,
        updated_at: r.time(at + 9)?,
    })
}

pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Person, StoreError> {
    from_row(&tx.query_one(&format!("SELECT {COLS} FROM people WHERE id = $1"), params![id])?)
}

pub fn by_email(tx: &mut Tx<'_>, email: &EmailAddress) -> Result<Option<Person>, StoreError> {
    tx.query_opt(&format!("SELECT {COLS} FROM people WHERE email = $1"), params![email.as_str()])?
        .map(|r| from_row(&r))
        .transpose()
}

/// The stored password hash of an active person, for login.
pub fn password_hash(tx: &mut Tx<'_>, id: i64) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_opt("SELECT password_hash FROM people WHERE id = $1 AND active = TRUE", params![id])?
        .map(|r| r.opt_str(0))
        .transpose()?
        .flatten())
}

pub fn set_password_hash(tx: &mut Tx<'_>, id: i64, hash: &str, now: Timestamp) -> Result<(), StoreError> {
    match tx.execute("UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1", params![id, hash, now])? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// People of the given organisations (all people when `None`), by name — sorted here, the
/// same on both backends (see [`crate::collation`]).
pub fn list(tx: &mut Tx<'_>, orgs: Option<&[i64]>) -> Result<Vec<Person>, StoreError> {
    let rows = match orgs {
        None => tx.query(&format!("SELECT {COLS} FROM people"), &[])?,
        Some(ids) => {
            let params: Vec<_> = ids.iter().map(|i| (*i).into()).collect();
            tx.query(&format!("SELECT {COLS} FROM people WHERE organisation_id IN {}", in_list(0, ids.len())), &params)?
        }
    };
    let mut list = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    sort_by_name(&mut list, |p| (&p.name, p.id));
    Ok(list)
}

/// The text [`find`] matches a person by: name and e-mail folded, the phone number's digits.
pub(crate) fn find_key(name: &str, email: &str, phone: Option<&str>) -> String {
    find::key([fold(name).as_str(), fold(email).as_str(), find::digits(phone.unwrap_or_default()).as_str()])
}

fn input_key(p: &PersonInput) -> String {
    find_key(&p.name, p.email.as_str(), p.phone.as_deref())
}

/// People whose name or e-mail contains `q`, or whose phone number contains its digits,
/// ignoring case and diacritics (`zolw` finds "Żółw"; see [`crate::find`]); only people of
/// `orgs` when given. For the phone-ticket form, which asks while the agent types. Names
/// starting with `q` come first; at most `limit` (up to 200) results, and none for an empty
/// `q`. Inactive people are included (their `active` says so).
pub fn find(tx: &mut Tx<'_>, q: &str, orgs: Option<&[i64]>, limit: usize) -> Result<Vec<Person>, StoreError> {
    let Some(query) = Query::parse(q) else { return Ok(Vec::new()) };
    let limit = limit.min(find::MAX_LIMIT);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut params: Vec<Value> = Vec::new();
    let mut conds = Vec::new();
    if let Some(ids) = orgs {
        conds.push(format!("organisation_id IN {}", in_list(0, ids.len())));
        params.extend(ids.iter().map(|i| Value::Int(*i)));
    }
    let (cond, order) = query.sql(tx.dialect(), &mut params);
    conds.push(cond);
    params.push(Value::Int(limit as i64));
    let rows = tx.query(
        &format!(
            "SELECT {COLS}, find_key FROM people WHERE {} ORDER BY {order} LIMIT ${}",
            conds.join(" AND "),
            params.len()
        ),
        &params,
    )?;
    let mut list = rows
        .iter()
        .map(|r| Ok((query.is_prefix_of(&r.str(10)?), from_row(r)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    // By name within each rank, the order of every other list (see `crate::collation`).
    sort_by_name(&mut list, |(_, p)| (&p.name, p.id));
    list.sort_by_key(|(prefix, _)| !prefix);
    Ok(list.into_iter().map(|(_, p)| p).collect())
}

/// The given people in one query, in the order of `ids`; unknown ids are left out.
pub fn get_many(tx: &mut Tx<'_>, ids: &[i64]) -> Result<Vec<Person>, StoreError> {
    let found = query_ids(tx, ids, |list| format!("SELECT {COLS} FROM people WHERE id IN {list}"))?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids.iter().filter_map(|id| found.iter().find(|p| p.id == *id).cloned()).collect())
}

/// The names of the given people, for rendering a list page in one query per few hundred
/// ids; unknown ids are left out.
pub fn names(tx: &mut Tx<'_>, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
    query_ids(tx, ids, |list| format!("SELECT id, name FROM people WHERE id IN {list}"))?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.str(1)?)))
        .collect()
}

/// The vendor's active staff (agents, supervisors, admins), by name: the choices of an
/// assignee field. Customers are never in it, however many there are.
pub fn staff(tx: &mut Tx<'_>) -> Result<Vec<Person>, StoreError> {
    let rows =
        tx.query(&format!("SELECT {COLS} FROM people WHERE role IN ('agent', 'supervisor', 'admin') AND active"), &[])?;
    let mut list = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    sort_by_name(&mut list, |p| (&p.name, p.id));
    Ok(list)
}

pub fn create(
    tx: &mut Tx<'_>,
    p: &PersonInput,
    password_hash: Option<&str>,
    now: Timestamp,
) -> Result<Person, StoreError> {
    let id = tx
        .query_one(
            "INSERT INTO people (email, name, role, organisation_id, phone, language, password_hash, active, created_at, updated_at, find_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
            params![p.email.as_str(), &p.name, p.role.as_str(), p.organisation_id, p.phone.clone(), p.language.as_str(), password_hash, p.active, now, input_key(p)],
        )?
        .i64(0)?;
    get(tx, id)
}

pub fn update(tx: &mut Tx<'_>, id: i64, p: &PersonInput, now: Timestamp) -> Result<Person, StoreError> {
    let n = tx.execute(
        "UPDATE people SET email = $2, name = $3, role = $4, organisation_id = $5, phone = $6, language = $7, active = $8, updated_at = $9, \
         find_key = $10 WHERE id = $1",
        params![id, p.email.as_str(), &p.name, p.role.as_str(), p.organisation_id, p.phone.clone(), p.language.as_str(), p.active, now, input_key(p)],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if !p.active {
        // A deactivated person is logged out everywhere at once.
        tx.execute("DELETE FROM sessions WHERE person_id = $1", params![id])?;
    }
    get(tx, id)
}
