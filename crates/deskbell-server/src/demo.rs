//! Polish demo data (being written).

use deskbell_store::{Store, StoreError};
use jiff::Timestamp;

/// Loads the demo data once; returns whether anything was loaded.
pub fn load(_store: &Store, _now: Timestamp) -> Result<bool, StoreError> {
    Ok(false)
}
