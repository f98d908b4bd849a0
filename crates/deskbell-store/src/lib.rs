//! Persistence of deskbell.
//!
//! One [`Store`] in front of two backends, chosen once from `DATABASE_URL`: an embedded
//! SQLite file (the default) or PostgreSQL (for several instances). Repository modules
//! (`orgs`, `people`, `tickets`, …) hold the queries, written once against the SQL contract
//! in [`sql`]; each backend brings its own migrations. Callers run a closure inside a
//! transaction with [`Store::write`] or [`Store::read`]: everything a business change
//! writes (the row, its history event, clock events, outgoing mail) commits together.

pub mod attachments;
pub mod auth;
pub mod automation;
mod collation;
pub mod events;
mod find;
pub mod forms;
pub mod kb;
pub mod mail;
pub mod merges;
pub mod migrate;
pub mod orgs;
pub mod people;
mod postgres;
pub mod releases;
pub mod search;
pub mod settings;
pub mod sla;
pub mod sql;
mod sqlite;
pub mod testing;
pub mod tickets;
pub mod trainings;

use std::sync::Arc;

pub use sql::{Conn, Dialect, Row, Tx, Value};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `constraint` is `table.column`.
    #[error("already exists: {constraint}")]
    Unique { constraint: String },
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Conflict,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(String),
}

enum Backend {
    Sqlite(Box<sqlite::SqliteBackend>),
    Postgres(postgres::PgBackend),
}

/// Handle to the database; cheap to clone. All methods block: call them from a blocking
/// thread (the server wraps them in `spawn_blocking`).
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections for readers (SQLite) or for everything (PostgreSQL).
    pub pool_size: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { pool_size: 8 }
    }
}

impl Store {
    /// Opens `sqlite://path`, a bare path, or `postgres://…` / `postgresql://…`.
    pub fn open(url: &str, options: &StoreOptions) -> Result<Store, StoreError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::PgBackend::open(url, options.pool_size)?)
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            Backend::Sqlite(Box::new(sqlite::SqliteBackend::open(path, options.pool_size)?))
        };
        Ok(Store { backend: Arc::new(backend) })
    }

    pub fn dialect(&self) -> Dialect {
        match &*self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs `f` in a read-write transaction; commits when it returns `Ok`, rolls back
    /// otherwise, so an error leaves nothing behind.
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &*self.backend {
            Backend::Sqlite(b) => b.write(f),
            Backend::Postgres(b) => b.write(f),
        }
    }

    /// Runs `f` in a read-only transaction (one consistent snapshot).
    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &*self.backend {
            Backend::Sqlite(b) => b.read(f),
            Backend::Postgres(b) => b.read(f),
        }
    }

    /// Runs `f` for a lookup made on every request, e.g. who is calling: on PostgreSQL each
    /// statement runs on its own, without a transaction's two extra round trips (and without
    /// one snapshot shared between statements); SQLite reads as [`Store::read`] does. Writes
    /// are refused.
    pub fn lookup<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &*self.backend {
            Backend::Sqlite(b) => b.read(f),
            Backend::Postgres(b) => b.lookup(f),
        }
    }

    /// Applies pending migrations; safe to call from several instances at once.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(b) => b.with_writer(migrate::sqlite),
            Backend::Postgres(b) => b.with_client(migrate::postgres),
        }
    }

    /// Keeps the query planner's statistics current: SQLite refreshes them itself every few
    /// thousand commits (`PRAGMA optimize`); on PostgreSQL this analyses the tables that
    /// changed by more than a tenth since their last analysis, so plans stay right where
    /// autovacuum is off or behind (a list at 100,000 tickets went from 80 ms to 17 ms).
    pub fn maintain(&self) -> Result<Vec<String>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(_) => Ok(Vec::new()),
            Backend::Postgres(b) => b.with_client(|c| {
                let stale: Vec<String> = c
                    .query(
                        "SELECT relname FROM pg_stat_user_tables \
                         WHERE n_mod_since_analyze > 1000 + n_live_tup / 10 ORDER BY relname",
                        &[],
                    )?
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect();
                for t in &stale {
                    // Names come from the catalogue, quoted as identifiers all the same.
                    c.batch_execute(&format!("ANALYZE \"{}\"", t.replace('"', "\"\"")))?;
                }
                Ok(stale)
            }),
        }
    }

    /// A cheap round trip, for `/readyz`.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.read(|tx| tx.query_one("SELECT 1", &[]).map(|_| ()))
    }
}

/// Shorthand for JSON columns holding string lists.
pub(crate) fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn parse_json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}
