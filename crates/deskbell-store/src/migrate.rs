//! Append-only migrations, one folder per backend. An applied migration is never edited;
//! a change is a new file.

use crate::StoreError;
use crate::sql::Tx;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($v:literal $name:literal),* $(,)?) => {
        &[$(Migration { version: $v, name: $name, sql: include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")) }),*]
    };
}

const SQLITE: &[Migration] = migrations!("sqlite":
    1 "0001_foundation", 2 "0002_sla", 3 "0003_sla_schedules", 4 "0004_mail", 5 "0005_pages", 6 "0006_forms", 7 "0007_automation",
    8 "0008_knowledge", 9 "0009_merge_links");
const POSTGRES: &[Migration] = migrations!("postgres":
    1 "0001_foundation", 2 "0002_sla", 3 "0003_sla_schedules", 4 "0004_mail", 5 "0005_pages", 6 "0006_forms", 7 "0007_automation",
    8 "0008_knowledge", 9 "0009_merge_links");

/// Work a migration needs beyond its SQL, written once for both backends.
type Step = fn(&mut Tx<'_>) -> Result<(), StoreError>;

/// The step run right after a migration's SQL, in the same transaction: filling a new column
/// from values only Rust can compute.
fn then(version: i64) -> Option<Step> {
    match version {
        // The folded keys of orgs::find / people::find.
        5 => Some(crate::find::backfill),
        _ => None,
    }
}

pub(crate) fn sqlite(conn: &mut rusqlite::Connection) -> Result<Vec<String>, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )?;
    let mut applied = Vec::new();
    for m in SQLITE {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)", [m.version], |r| {
                r.get(0)
            })?;
        if !done {
            tx.execute_batch(m.sql).map_err(|e| StoreError::Db(format!("migration {}: {e}", m.name)))?;
            if let Some(f) = then(m.version) {
                f(&mut crate::sqlite::SqliteConn { conn: &tx })
                    .map_err(|e| StoreError::Db(format!("migration {}: {e}", m.name)))?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                rusqlite::params![m.version, m.name],
            )?;
            applied.push(m.name.to_owned());
        }
        tx.commit()?;
    }
    Ok(applied)
}

pub(crate) fn postgres(client: &mut postgres::Client) -> Result<Vec<String>, StoreError> {
    let mut applied = Vec::new();
    let mut tx = client.transaction()?;
    // Several instances may start at once: the advisory lock makes one of them migrate
    // while the others wait and then find nothing left to do.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7243519); \
         CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )?;
    for m in POSTGRES {
        let done: bool =
            tx.query_one("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", &[&m.version])?.get(0);
        if !done {
            tx.batch_execute(m.sql)
                .map_err(|e| StoreError::Db(format!("migration {}: {}", m.name, StoreError::from(e))))?;
            if let Some(f) = then(m.version) {
                crate::postgres::with_conn(&mut tx, f)
                    .map_err(|e| StoreError::Db(format!("migration {}: {e}", m.name)))?;
            }
            tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&m.version, &m.name])?;
            applied.push(m.name.to_owned());
        }
    }
    tx.commit()?;
    Ok(applied)
}
