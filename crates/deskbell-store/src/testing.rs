//! Throwaway databases for tests of this crate and the crates above it: a temporary SQLite
//! file, or a fresh database on the local PostgreSQL (dropped again when the guard drops).
//!
//! PostgreSQL is found at `DESKBELL_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! When it cannot be reached, tests are skipped with a loud notice — except when `CI=true`,
//! where a missing PostgreSQL fails the run: a suite that silently skips a backend proves nothing.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    /// `DATABASE_URL` of the throwaway database.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Files(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("deskbell_t_{}_{}_{}", std::process::id(), nanos, N.fetch_add(1, Ordering::Relaxed))
}

/// Runs blocking PostgreSQL client work on a thread of its own: the synchronous `postgres`
/// client starts a runtime internally, which panics when called from inside a tokio test.
fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match std::thread::spawn(f).join() {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("DESKBELL_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl TestDb {
    /// A fresh, empty database; `None` only when PostgreSQL is unreachable outside CI.
    #[allow(clippy::panic)] // test support: failing loudly is the point
    pub fn new(backend: Backend) -> Option<TestDb> {
        let name = unique_name();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                if let Err(e) = std::fs::create_dir_all(&dir) {
                    panic!("cannot create {}: {e}", dir.display());
                }
                let url = format!("sqlite://{}", dir.join("deskbell.db").display());
                Some(TestDb { url, cleanup: Cleanup::Files(dir) })
            }
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let mut client = match off_runtime({
                    let url = admin_url.clone();
                    move || postgres::Client::connect(&url, postgres::NoTls)
                }) {
                    Ok(c) => c,
                    Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                        panic!("CI=true but PostgreSQL at {admin_url} is unreachable: {e}")
                    }
                    Err(e) => {
                        eprintln!(
                            "\n!!! SKIPPED a PostgreSQL test: PostgreSQL at {admin_url} is unreachable ({e}).\n\
                             !!! Set DESKBELL_TEST_PG_URL or start PostgreSQL; with CI=true this fails.\n"
                        );
                        return None;
                    }
                };
                let create = format!("CREATE DATABASE {name}");
                if let Err(e) = off_runtime(move || client.batch_execute(&create)) {
                    panic!("cannot create database {name}: {e}");
                }
                let url = with_database(&admin_url, &name);
                Some(TestDb { url, cleanup: Cleanup::Database { admin_url, name } })
            }
        }
    }
}

/// `postgres://user@host:port/db?opts` with `db` replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    format!("{root}/{db}{query}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Files(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (url, drop) = (admin_url.clone(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                off_runtime(move || {
                    if let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls) {
                        let _ = c.batch_execute(&drop);
                    }
                });
            }
        }
    }
}

/// A new portal ticket of `requester` at `at`, standard priority, for [`crate::tickets::insert`].
pub fn new_ticket(
    subject: &str,
    organisation_id: i64,
    requester_id: i64,
    at: jiff::Timestamp,
) -> crate::tickets::Ticket {
    crate::tickets::Ticket {
        id: 0,
        number: 0,
        subject: subject.into(),
        organisation_id,
        requester_id,
        cc: Vec::new(),
        channel: deskbell_domain::ticket::Channel::Portal,
        kind: deskbell_domain::ticket::Kind::Incident,
        priority: deskbell_domain::ticket::Priority::Standard,
        proposed_priority: None,
        status: deskbell_domain::ticket::Status::New,
        product_id: None,
        module: None,
        installation_id: None,
        assignee_id: None,
        team_id: None,
        tags: Vec::new(),
        due_date: None,
        parent_id: None,
        local_it_checks: None,
        created_at: at,
        updated_at: at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        version: 0,
        disposition: None,
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u:p@h/test?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgresql://h:5433", "x"), "postgresql://h:5433/x");
    }
}
