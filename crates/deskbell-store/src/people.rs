//! People: customer users and admins of an organisation, and the vendor's staff.

use deskbell_domain::person::{EmailAddress, Language, Role};
use jiff::Timestamp;

use crate::collation::sort_by_name;
use crate::sql::{Row, Tx, in_list};
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

fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(format!("stored {what} is invalid: {e}"))
}

fn from_row(r: &Row) -> Result<Person, StoreError> {
    Ok(Person {
        id: r.i64(0)?,
        email: r.str(1)?.parse().map_err(|e| bad("e-mail", e))?,
        name: r.str(2)?,
        role: r.str(3)?.parse().map_err(|e| bad("role", e))?,
        organisation_id: r.opt_i64(4)?,
        phone: r.opt_str(5)?,
        language: r.str(6)?.parse().map_err(|e| bad("language", e))?,
        active: r.bool(7)?,
        created_at: r.time(8)?,
        updated_at: r.time(9)?,
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

pub fn create(
    tx: &mut Tx<'_>,
    p: &PersonInput,
    password_hash: Option<&str>,
    now: Timestamp,
) -> Result<Person, StoreError> {
    let id = tx
        .query_one(
            "INSERT INTO people (email, name, role, organisation_id, phone, language, password_hash, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            params![p.email.as_str(), &p.name, p.role.as_str(), p.organisation_id, p.phone.clone(), p.language.as_str(), password_hash, p.active, now],
        )?
        .i64(0)?;
    get(tx, id)
}

pub fn update(tx: &mut Tx<'_>, id: i64, p: &PersonInput, now: Timestamp) -> Result<Person, StoreError> {
    let n = tx.execute(
        "UPDATE people SET email = $2, name = $3, role = $4, organisation_id = $5, phone = $6, language = $7, active = $8, updated_at = $9 WHERE id = $1",
        params![id, p.email.as_str(), &p.name, p.role.as_str(), p.organisation_id, p.phone.clone(), p.language.as_str(), p.active, now],
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
