//! Append-only migrations, one folder per backend. An applied migration is never edited;
//! a change is a new file.

use crate::StoreError;

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

const SQLITE: &[Migration] =
    migrations!("sqlite": 1 "0001_foundation", 2 "0002_sla", 3 "0003_sla_schedules", 4 "0004_mail");
const POSTGRES: &[Migration] =
    migrations!("postgres": 1 "0001_foundation", 2 "0002_sla", 3 "0003_sla_schedules", 4 "0004_mail");

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
            tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&m.version, &m.name])?;
            applied.push(m.name.to_owned());
        }
    }
    tx.commit()?;
    Ok(applied)
}
