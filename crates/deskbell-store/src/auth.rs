//! Sessions, API tokens and login attempts. Only hashes of secrets are stored: a leaked
//! database does not hand out sessions or tokens.

use jiff::Timestamp;

use crate::people::{self, P_COLS, Person};
use crate::sql::Tx;
use crate::{StoreError, params};

/// A live session, with its person read in the same query (every request needs both).
#[derive(Debug, Clone)]
pub struct Session {
    pub csrf_token: String,
    pub expires_at: Timestamp,
    pub person: Person,
}

pub fn create_session(
    tx: &mut Tx<'_>,
    token_hash: &str,
    person_id: i64,
    csrf: &str,
    now: Timestamp,
    expires: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        params![token_hash, person_id, csrf, now, expires],
    )?;
    Ok(())
}

/// A live session of an active person.
pub fn session(tx: &mut Tx<'_>, token_hash: &str, now: Timestamp) -> Result<Option<Session>, StoreError> {
    tx.query_opt(
        &format!(
            "SELECT s.csrf_token, s.expires_at, {P_COLS} FROM sessions s JOIN people p ON p.id = s.person_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.active = TRUE"
        ),
        params![token_hash, now],
    )?
    .map(|r| Ok(Session { csrf_token: r.str(0)?, expires_at: r.time(1)?, person: people::from_row_at(&r, 2)? }))
    .transpose()
}

pub fn delete_session(tx: &mut Tx<'_>, token_hash: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", params![token_hash])?;
    Ok(())
}

pub fn purge_expired_sessions(tx: &mut Tx<'_>, now: Timestamp) -> Result<u64, StoreError> {
    tx.execute("DELETE FROM sessions WHERE expires_at <= $1", params![now])
}

/// An API token, with its person read in the same query.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub person: Person,
}

pub fn create_token(
    tx: &mut Tx<'_>,
    person_id: i64,
    name: &str,
    token_hash: &str,
    scopes: &[String],
    now: Timestamp,
) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO api_tokens (person_id, name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        params![person_id, name, token_hash, scopes.join(" "), now],
    )?
    .i64(0)
}

/// A token that is not revoked and whose owner is active.
pub fn token(tx: &mut Tx<'_>, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
    tx.query_opt(
        &format!(
            "SELECT t.id, t.name, t.scopes, {P_COLS} FROM api_tokens t JOIN people p ON p.id = t.person_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND p.active = TRUE"
        ),
        params![token_hash],
    )?
    .map(|r| {
        Ok(ApiToken {
            id: r.i64(0)?,
            name: r.str(1)?,
            scopes: r.str(2)?.split_whitespace().map(str::to_owned).collect(),
            person: people::from_row_at(&r, 3)?,
        })
    })
    .transpose()
}

pub fn record_login_attempt(tx: &mut Tx<'_>, email: &str, success: bool, now: Timestamp) -> Result<(), StoreError> {
    tx.execute("INSERT INTO login_attempts (email, at, success) VALUES ($1, $2, $3)", params![email, now, success])?;
    Ok(())
}

/// Failed attempts for an address since `since`, stopping at the last success: a correct
/// password resets the count.
pub fn recent_failures(tx: &mut Tx<'_>, email: &str, since: Timestamp) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at > $2 AND success = FALSE \
         AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE email = $1 AND success = TRUE), $2)",
        params![email, since],
    )?
    .i64(0)
}
