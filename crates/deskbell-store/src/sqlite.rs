//! SQLite backend: one writer connection (SQLite allows one writer at a time; queueing in
//! the process is cheaper than `SQLITE_BUSY` retries) and a pool of readers, all in WAL mode.
//! `synchronous = FULL` makes every commit durable before the caller hears about it.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::StoreError;
use crate::sql::{Conn, Dialect, Row, Value, refuse_nul};

pub struct SqliteBackend {
    writer: Mutex<Connection>,
    readers: r2d2::Pool<ReaderManager>,
}

struct ReaderManager {
    path: Arc<str>,
}

impl r2d2::ManageConnection for ReaderManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let c = Connection::open_with_flags(
            &*self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        c.set_prepared_statement_cache_capacity(128);
        Ok(c)
    }

    fn is_valid(&self, _conn: &mut Connection) -> Result<(), rusqlite::Error> {
        Ok(())
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        // A reader still inside a transaction (its user panicked before the rollback ran)
        // would serve a stale snapshot forever; the pool drops it instead.
        !conn.is_autocommit()
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
            && f.code == rusqlite::ErrorCode::ConstraintViolation
            && msg.starts_with("UNIQUE constraint failed")
        {
            // "UNIQUE constraint failed: people.email" → `people.email`.
            let constraint = msg.trim_start_matches("UNIQUE constraint failed: ").to_owned();
            return StoreError::Unique { constraint };
        }
        StoreError::Db(e.to_string())
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl SqliteBackend {
    pub fn open(path: &str, readers: u32) -> Result<Self, StoreError> {
        if let Some(dir) = Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let writer = Connection::open(path)?;
        // WAL lets readers run beside the writer; FULL fsyncs each commit so an answered
        // request survives a crash or power loss.
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        writer.busy_timeout(std::time::Duration::from_secs(5))?;
        writer.set_prepared_statement_cache_capacity(128);
        let readers = r2d2::Pool::builder()
            .max_size(readers.max(1))
            .min_idle(Some(1))
            .build(ReaderManager { path: Arc::from(path) })?;
        Ok(Self { writer: Mutex::new(writer), readers })
    }

    /// The writer connection, outside any transaction.
    ///
    /// A panic inside [`write`](Self::write) poisons the mutex. By then the transaction has
    /// been rolled back (dropping a rusqlite `Transaction` while unwinding rolls it back),
    /// so the connection is as good as before; refusing it would turn one bug into an outage
    /// of every later write. Should a transaction still be open, it is rolled back here.
    fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        let conn = match self.writer.lock() {
            Ok(conn) => conn,
            Err(poisoned) => {
                let conn = poisoned.into_inner();
                if !conn.is_autocommit() {
                    conn.execute_batch("ROLLBACK")?;
                }
                self.writer.clear_poison();
                conn
            }
        };
        Ok(conn)
    }

    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        let mut c = SqliteConn { conn: &tx };
        let out = f(&mut c)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.readers.get().map_err(StoreError::from)?;
        // A read transaction gives one consistent snapshot for a page and its count.
        let tx = conn.transaction().map_err(StoreError::from)?;
        let mut c = SqliteConn { conn: &tx };
        let out = f(&mut c)?;
        drop(tx);
        Ok(out)
    }

    /// Runs a migration script outside the pooled machinery.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.writer()?;
        f(&mut conn)
    }
}

pub(crate) struct SqliteConn<'a> {
    pub(crate) conn: &'a Connection,
}

/// `$1` → `?1`: SQLite would read `$1` as a *named* parameter numbered by first appearance,
/// which breaks queries that use a parameter twice or out of order.
fn placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as S;
    match v {
        Value::Null => S::Null,
        Value::Int(i) => S::Integer(*i),
        Value::Text(t) => S::Text(t.clone()),
        Value::Bytes(b) => S::Blob(b.clone()),
        Value::Bool(b) => S::Integer(i64::from(*b)),
        Value::Time(t) => S::Integer(t.as_microsecond()),
        Value::Float(f) => S::Real(*f),
    }
}

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        refuse_nul(params)?;
        let mut stmt = self.conn.prepare_cached(&placeholders(sql))?;
        let n = stmt.execute(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        refuse_nul(params)?;
        let mut stmt = self.conn.prepare_cached(&placeholders(sql))?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut cols = Vec::with_capacity(n);
            for i in 0..n {
                cols.push(match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Float(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            out.push(Row(cols));
        }
        Ok(out)
    }
}
