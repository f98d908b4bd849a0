//! SQLite backend: one writer connection (SQLite allows one writer at a time; queueing in
//! the process is cheaper than `SQLITE_BUSY` retries) and a pool of readers, all in WAL mode.
//! `synchronous = FULL` makes every commit durable before the caller hears about it.
//!
//! # Group commit
//!
//! The fsync of a commit costs more than the writes of a typical request, so writes that
//! queue up behind each other share one: each runs in a savepoint of the open transaction
//! (an error or a panic rolls back only its own savepoint), and the last writer of the queue
//! commits for all of them. Nobody hears "done" before the commit that holds their write —
//! exactly the durability of one transaction per write — but under load one fsync serves
//! many requests. A lone write commits at once, as before.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::StoreError;
use crate::sql::{Conn, Dialect, Row, Value, refuse_nul};

pub struct SqliteBackend {
    writer: Mutex<Writer>,
    /// Callers waiting for the writer: while there are any, a finished write leaves the
    /// batch open for them instead of committing.
    queued: AtomicUsize,
    /// Which batches are finished, for the writers waiting on someone else's commit.
    outcomes: Mutex<Outcomes>,
    finished: Condvar,
    readers: r2d2::Pool<ReaderManager>,
}

/// The writer connection and the batch (transaction) it has open.
struct Writer {
    conn: Connection,
    /// A transaction is open, holding released writes not yet committed.
    open: bool,
    /// Number of the current (or last) batch.
    batch: u64,
    /// Writes released into the open batch.
    in_batch: usize,
    /// Commits since the planner statistics were last refreshed.
    commits: u64,
}

#[derive(Default)]
struct Outcomes {
    /// Every batch up to this one has committed or failed.
    finished: u64,
    /// Batches whose commit failed (rare; kept so a late waiter still learns it).
    failed: BTreeSet<u64>,
}

/// A batch holds at most this many writes, so a steady stream of writers cannot keep a
/// transaction (and the answers waiting on it) open indefinitely.
const MAX_BATCH: usize = 64;

/// `PRAGMA optimize` every this many commits keeps the planner's statistics current as the
/// tables grow (cheap when nothing changed; bounded by `analysis_limit`).
const OPTIMIZE_EVERY: u64 = 2_000;

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
        // Without statistics the planner may prefer a four-valued index (priority) over a
        // selective one; gather them now, bounded so a large file opens fast.
        writer.execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
        let readers = r2d2::Pool::builder()
            .max_size(readers.max(1))
            .min_idle(Some(1))
            .build(ReaderManager { path: Arc::from(path) })?;
        Ok(Self {
            writer: Mutex::new(Writer { conn: writer, open: false, batch: 0, in_batch: 0, commits: 0 }),
            queued: AtomicUsize::new(0),
            outcomes: Mutex::new(Outcomes::default()),
            finished: Condvar::new(),
            readers,
        })
    }

    /// The writer, waiting in the queue for it.
    ///
    /// Writes run under `catch_unwind`, so a panic in a caller's closure does not poison the
    /// mutex; should anything else have, the open batch is rolled back (its writers are told)
    /// and the connection is used on: refusing it would turn one bug into an outage.
    fn writer(&self) -> Result<MutexGuard<'_, Writer>, StoreError> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let locked = self.writer.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        match locked {
            Ok(w) => Ok(w),
            Err(poisoned) => {
                let mut w = poisoned.into_inner();
                self.writer.clear_poison();
                if !w.conn.is_autocommit() {
                    w.conn.execute_batch("ROLLBACK")?;
                }
                if w.open {
                    w.open = false;
                    self.finish(w.batch, false);
                }
                Ok(w)
            }
        }
    }

    fn finish(&self, batch: u64, ok: bool) {
        let mut o = self.outcomes.lock().unwrap_or_else(|p| p.into_inner());
        o.finished = o.finished.max(batch);
        if !ok {
            o.failed.insert(batch);
            // Only recent failures can still have waiters.
            while o.failed.len() > 1024 {
                o.failed.pop_first();
            }
        }
        drop(o);
        self.finished.notify_all();
    }

    /// Commits the open batch; every writer in it learns the outcome.
    fn commit(&self, w: &mut Writer) -> Result<(), StoreError> {
        if !w.open {
            return Ok(());
        }
        w.open = false;
        let result = w
            .conn
            .execute_batch(crate::search::SQLITE_FLUSH)
            .and_then(|()| w.conn.execute_batch("COMMIT"))
            .map_err(StoreError::from);
        if result.is_err() && !w.conn.is_autocommit() {
            let _ = w.conn.execute_batch("ROLLBACK");
        }
        self.finish(w.batch, result.is_ok());
        w.commits += 1;
        if result.is_ok() && w.commits.is_multiple_of(OPTIMIZE_EVERY) {
            // Statistics only steer the planner; failing to refresh them is not the caller's problem.
            let _ = w.conn.execute_batch("PRAGMA optimize");
        }
        result
    }

    /// Commits now unless other writers are queued to join the batch (the last of them will).
    fn commit_unless_followed(&self, w: &mut Writer) -> Result<bool, StoreError> {
        if w.open && (self.queued.load(Ordering::SeqCst) == 0 || w.in_batch >= MAX_BATCH) {
            self.commit(w)?;
            return Ok(true);
        }
        Ok(!w.open)
    }

    /// Waits until `batch` is committed (or failed) by a later writer.
    fn wait_for(&self, batch: u64) -> Result<(), StoreError> {
        let mut o = self.outcomes.lock().unwrap_or_else(|p| p.into_inner());
        while o.finished < batch {
            o = self.finished.wait(o).unwrap_or_else(|p| p.into_inner());
        }
        if o.failed.contains(&batch) {
            return Err(StoreError::Unavailable("the transaction could not be committed".into()));
        }
        Ok(())
    }

    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut w = self.writer()?;
        if !w.open {
            w.conn.execute_batch("BEGIN IMMEDIATE").map_err(StoreError::from)?;
            w.open = true;
            w.batch += 1;
            w.in_batch = 0;
        }
        let batch = w.batch;
        if let Err(e) = w.conn.execute_batch("SAVEPOINT write") {
            // Earlier writers of the batch may be waiting for this one to commit.
            let _ = self.commit_unless_followed(&mut w);
            return Err(StoreError::from(e).into());
        }
        let out = catch_unwind(AssertUnwindSafe(|| f(&mut SqliteConn { conn: &w.conn })));
        match out {
            Ok(Ok(value)) => {
                if let Err(e) = w.conn.execute_batch("RELEASE write") {
                    self.abandon(&mut w);
                    return Err(StoreError::from(e).into());
                }
                w.in_batch += 1;
                if self.commit_unless_followed(&mut w)? {
                    return Ok(value);
                }
                drop(w);
                self.wait_for(batch)?;
                Ok(value)
            }
            Ok(Err(e)) => {
                self.undo(&mut w);
                let _ = self.commit_unless_followed(&mut w);
                Err(e)
            }
            Err(panic) => {
                self.undo(&mut w);
                let _ = self.commit_unless_followed(&mut w);
                drop(w);
                resume_unwind(panic)
            }
        }
    }

    /// Rolls back the current write's savepoint, keeping the batch's earlier writes.
    fn undo(&self, w: &mut Writer) {
        if w.conn.is_autocommit() {
            // SQLite itself rolled back the whole transaction (e.g. disk full): the writes
            // released into this batch are gone, and their writers must hear it.
            w.open = false;
            self.finish(w.batch, false);
        } else if w.conn.execute_batch("ROLLBACK TO write; RELEASE write").is_err() {
            self.abandon(w);
        }
    }

    /// Gives up the open batch: rolls it back and fails its waiting writers.
    fn abandon(&self, w: &mut Writer) {
        if !w.conn.is_autocommit() {
            let _ = w.conn.execute_batch("ROLLBACK");
        }
        if w.open {
            w.open = false;
            self.finish(w.batch, false);
        }
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

    /// Runs a migration script outside the pooled machinery, after committing any open batch.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut w = self.writer()?;
        self.commit(&mut w)?;
        f(&mut w.conn)
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
        // Refused by `refuse_arrays` before any statement runs.
        Value::Array(_) => S::Null,
    }
}

/// Array parameters are PostgreSQL's; a repository that binds one on SQLite has a bug, and
/// binding NULL instead would hide it.
fn refuse_arrays(params: &[Value]) -> Result<(), StoreError> {
    match params.iter().position(|p| matches!(p, Value::Array(_))) {
        Some(i) => Err(StoreError::Db(format!("parameter ${}: array parameters are for PostgreSQL only", i + 1))),
        None => Ok(()),
    }
}

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        refuse_nul(params)?;
        refuse_arrays(params)?;
        let mut stmt = self.conn.prepare_cached(&placeholders(sql))?;
        let n = stmt.execute(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        refuse_nul(params)?;
        refuse_arrays(params)?;
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
