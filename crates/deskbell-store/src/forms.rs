//! What the pages' forms need beyond the records they change: one ticket per submitted form,
//! and invitation links.

use jiff::Timestamp;

use crate::sql::Tx;
use crate::{StoreError, params};

/// What claiming a form's key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// First submission: go ahead, then [`finish_submission`] in the same transaction.
    New,
    /// Submitted before by the same person: the ticket it made (`None` while that first
    /// submission is still being written or was refused).
    Repeated(Option<i64>),
}

/// Claims `key` for `person_id`. A key is random and private to one form, so another
/// person's key is treated as unusable rather than revealing its ticket.
pub fn claim_submission(tx: &mut Tx<'_>, key: &str, person_id: i64, now: Timestamp) -> Result<Claim, StoreError> {
    // ON CONFLICT waits for a concurrent claim of the same key to commit, then does nothing.
    let inserted = tx.execute(
        "INSERT INTO form_submissions (key, person_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        params![key, person_id, now],
    )?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let row = tx.query_opt("SELECT person_id, ticket_id FROM form_submissions WHERE key = $1", params![key])?;
    match row {
        Some(r) if r.i64(0)? == person_id => Ok(Claim::Repeated(r.opt_i64(1)?)),
        _ => Ok(Claim::Repeated(None)),
    }
}

pub fn finish_submission(tx: &mut Tx<'_>, key: &str, ticket_id: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE form_submissions SET ticket_id = $2 WHERE key = $1", params![key, ticket_id])?;
    Ok(())
}

pub fn create_invitation(
    tx: &mut Tx<'_>,
    token_hash: &str,
    person_id: i64,
    invited_by: i64,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO invitations (token_hash, person_id, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        params![token_hash, person_id, invited_by, now, expires_at],
    )?;
    Ok(())
}

/// The person an unused, unexpired invitation is for.
pub fn invitation(tx: &mut Tx<'_>, token_hash: &str, now: Timestamp) -> Result<Option<i64>, StoreError> {
    tx.query_opt(
        "SELECT person_id FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        params![token_hash, now],
    )?
    .map(|r| r.i64(0))
    .transpose()
}

/// Uses an invitation once; `false` when it was already used or has expired.
pub fn use_invitation(tx: &mut Tx<'_>, token_hash: &str, now: Timestamp) -> Result<bool, StoreError> {
    let n = tx.execute(
        "UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        params![token_hash, now],
    )?;
    Ok(n == 1)
}
