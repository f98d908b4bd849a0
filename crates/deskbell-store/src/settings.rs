//! Small key-value settings (e.g. that demo data was loaded).

use crate::sql::Tx;
use crate::{StoreError, params};

pub fn get(tx: &mut Tx<'_>, key: &str) -> Result<Option<String>, StoreError> {
    tx.query_opt("SELECT value FROM settings WHERE key = $1", params![key])?.map(|r| r.str(0)).transpose()
}

pub fn set(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
