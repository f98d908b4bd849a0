//! Runs one contract story against a fresh database of each backend.
//!
//! SQLite: a new file under the system temp directory, removed afterwards. PostgreSQL: a
//! throwaway database `deskbell_t_<random>` created on the server named by
//! `DESKBELL_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and dropped
//! afterwards, also when the story panics. When PostgreSQL cannot be reached the test fails
//! if `CI=true` and is otherwise skipped with a loud notice on stderr.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use deskbell_store::{Store, StoreOptions};

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A name no other test run (of this process or another) is using.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", h.finish())
}

fn open_and_migrate(url: &str) -> Store {
    // Two connections are plenty for a story and keep 2×N parallel tests far below the
    // server's connection limit.
    let store = Store::open(url, &StoreOptions { pool_size: 2 }).expect("open the test store");
    let applied = store.migrate().expect("first migrate");
    assert!(!applied.is_empty(), "a fresh database must get its migrations, got none");
    store
}

/// Removes the SQLite file and its WAL companions, also when the story panicked.
struct SqliteFile(PathBuf);

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

pub fn run_sqlite(name: &str, story: fn(&Store)) {
    let path = std::env::temp_dir().join(format!("deskbell-contract-{name}-{}.db", unique_suffix()));
    let _file = SqliteFile(path.clone());
    let store = open_and_migrate(&format!("sqlite://{}", path.display()));
    story(&store);
    // `store` is dropped (connections closed) before `_file` removes the files.
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

/// Drops the throwaway database when the test ends, however it ends.
struct PgDatabase {
    admin: postgres::Client,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(e) = self.admin.batch_execute(&sql) {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

pub fn run_postgres(name: &str, story: fn(&Store)) {
    let url = std::env::var("DESKBELL_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let mut admin = match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            let why = format!("PostgreSQL at {url} is unreachable ({e})");
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{why}; CI=true requires the store contract suite to run on PostgreSQL");
            }
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !!! SKIPPED postgres_{name}: {why}.\n\
                 !!! Set DESKBELL_TEST_PG_URL or start PostgreSQL; with CI=true this fails.\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            return;
        }
    };
    let db = format!("deskbell_t_{}", unique_suffix());
    admin
        .batch_execute(&format!("CREATE DATABASE \"{db}\""))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {db} on {url}: {e}"));
    let _guard = PgDatabase { admin, name: db.clone() };
    let store = open_and_migrate(&with_database(&url, &db));
    story(&store);
    drop(store);
}

#[test]
fn database_is_replaced_in_the_url() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/test", "x"), "postgres://postgres@127.0.0.1:5432/x");
    assert_eq!(with_database("postgres://u:p@h/test?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgresql://h:5433", "x"), "postgresql://h:5433/x");
}
