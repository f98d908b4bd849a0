//! Release notes: the versions of each product with what changed (Markdown), published to
//! the help centre. Installations keep their version (`installations.version`); which
//! versions are newer than a customer's is decided by
//! [`deskbell_domain::kb::compare_versions`], in Rust, since version strings do not sort
//! as text.

use deskbell_domain::kb::compare_versions;
use jiff::Timestamp;

use crate::sql::{Row, Tx};
use crate::{StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub id: i64,
    pub product_id: i64,
    pub version: String,
    /// `YYYY-MM-DD`.
    pub released_on: String,
    /// Markdown.
    pub notes: String,
    pub published: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct ReleaseInput {
    pub product_id: i64,
    pub version: String,
    pub released_on: String,
    pub notes: String,
    pub published: bool,
}

const COLS: &str = "id, product_id, version, released_on, notes, published, created_at, updated_at";

fn from_row(r: &Row) -> Result<Release, StoreError> {
    Ok(Release {
        id: r.i64(0)?,
        product_id: r.i64(1)?,
        version: r.str(2)?,
        released_on: r.str(3)?,
        notes: r.str(4)?,
        published: r.bool(5)?,
        created_at: r.time(6)?,
        updated_at: r.time(7)?,
    })
}

pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Release, StoreError> {
    from_row(&tx.query_one(&format!("SELECT {COLS} FROM product_versions WHERE id = $1"), params![id])?)
}

/// Releases of one product or all, newest version first per product; only published ones
/// unless `drafts`.
pub fn list(tx: &mut Tx<'_>, product_id: Option<i64>, drafts: bool) -> Result<Vec<Release>, StoreError> {
    let published = if drafts { "" } else { " AND published" };
    let rows = match product_id {
        Some(p) => {
            tx.query(&format!("SELECT {COLS} FROM product_versions WHERE product_id = $1{published}"), params![p])?
        }
        None => tx.query(&format!("SELECT {COLS} FROM product_versions WHERE TRUE{published}"), &[])?,
    };
    let mut list: Vec<Release> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    list.sort_by(|a, b| a.product_id.cmp(&b.product_id).then_with(|| compare_versions(&b.version, &a.version)));
    Ok(list)
}

/// Published releases of `product_id` newer than `version` (all of them when the
/// installation's version is unknown), newest first.
pub fn newer_than(tx: &mut Tx<'_>, product_id: i64, version: Option<&str>) -> Result<Vec<Release>, StoreError> {
    Ok(newer(&list(tx, Some(product_id), false)?, product_id, version))
}

/// Of `releases` (as [`list`] gives them), those of `product_id` newer than `version` (all
/// of them when it is unknown), in their order.
pub fn newer(releases: &[Release], product_id: i64, version: Option<&str>) -> Vec<Release> {
    releases
        .iter()
        .filter(|r| r.product_id == product_id && version.is_none_or(|v| compare_versions(&r.version, v).is_gt()))
        .cloned()
        .collect()
}

pub fn save(tx: &mut Tx<'_>, id: Option<i64>, i: &ReleaseInput, now: Timestamp) -> Result<Release, StoreError> {
    let id = match id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE product_versions SET product_id = $2, version = $3, released_on = $4, notes = $5, published = $6, \
                 updated_at = $7 WHERE id = $1",
                params![id, i.product_id, &i.version, &i.released_on, &i.notes, i.published, now],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            id
        }
        None => tx
            .query_one(
                "INSERT INTO product_versions (product_id, version, released_on, notes, published, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                params![i.product_id, &i.version, &i.released_on, &i.notes, i.published, now],
            )?
            .i64(0)?,
    };
    get(tx, id)
}
