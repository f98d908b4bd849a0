//! Attachments, stored in the database so every instance serves them. Content is addressed
//! by SHA-256: the same file attached twice is stored once.

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::sql::{Row, Tx};
use crate::{StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    pub article_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: Timestamp,
    /// A mail's inline image: the Content-ID its HTML refers to as `cid:…`.
    pub content_id: Option<String>,
}

const COLS: &str = "id, ticket_id, article_id, filename, content_type, size, sha256, created_at, content_id";

fn from_row(r: &Row) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: r.i64(0)?,
        ticket_id: r.i64(1)?,
        article_id: r.i64(2)?,
        filename: r.str(3)?,
        content_type: r.str(4)?,
        size: r.i64(5)?,
        sha256: r.str(6)?,
        created_at: r.time(7)?,
        content_id: r.opt_str(8)?,
    })
}

/// Records the Content-ID of an inline mail image.
pub fn set_content_id(tx: &mut Tx<'_>, id: i64, content_id: &str) -> Result<(), StoreError> {
    tx.execute("UPDATE attachments SET content_id = $2 WHERE id = $1", params![id, content_id])?;
    Ok(())
}

pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores the bytes once by their SHA-256 (a second copy is not written) and returns it.
pub(crate) fn store_blob(tx: &mut Tx<'_>, data: &[u8]) -> Result<String, StoreError> {
    let sha = sha256_hex(data);
    tx.execute(
        "INSERT INTO blobs (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
        params![&sha, data.len() as i64, data.to_vec()],
    )?;
    Ok(sha)
}

pub fn insert(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    article_id: i64,
    filename: &str,
    content_type: &str,
    data: &[u8],
    now: Timestamp,
) -> Result<Attachment, StoreError> {
    let sha = store_blob(tx, data)?;
    let r = tx.query_one(
        &format!(
            "INSERT INTO attachments (ticket_id, article_id, filename, content_type, size, sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLS}"
        ),
        params![ticket_id, article_id, filename, content_type, data.len() as i64, &sha, now],
    )?;
    from_row(&r)
}

pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Attachment, StoreError> {
    from_row(&tx.query_one(&format!("SELECT {COLS} FROM attachments WHERE id = $1"), params![id])?)
}

pub fn for_ticket(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<Attachment>, StoreError> {
    tx.query(&format!("SELECT {COLS} FROM attachments WHERE ticket_id = $1 ORDER BY id"), params![ticket_id])?
        .iter()
        .map(from_row)
        .collect()
}

pub fn content(tx: &mut Tx<'_>, sha256: &str) -> Result<Vec<u8>, StoreError> {
    tx.query_one("SELECT data FROM blobs WHERE sha256 = $1", params![sha256])?.bytes(0)
}
