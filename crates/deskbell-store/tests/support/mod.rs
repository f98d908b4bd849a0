//! Runs one contract story against a fresh database of each backend, made by
//! [`deskbell_store::testing::TestDb`]: a temporary SQLite file, or a throwaway PostgreSQL
//! database (skipped loudly when unreachable, a failure when `CI=true`).

use deskbell_store::testing::{Backend, TestDb};

/// Turns each story `fn(&Store)` into a `sqlite_<story>` and a `postgres_<story>` test.
macro_rules! contract_tests {
    ($($story:ident),* $(,)?) => {
        paste::paste! {
            $(
                #[test]
                fn [<sqlite_ $story>]() {
                    crate::support::run_sqlite(stringify!($story), $story);
                }

                #[test]
                fn [<postgres_ $story>]() {
                    crate::support::run_postgres(stringify!($story), $story);
                }
            )*
        }
    };
}

use deskbell_store::{Store, StoreOptions};

fn run(backend: Backend, story: fn(&Store)) {
    let Some(db) = TestDb::new(backend) else { return };
    // Two connections are plenty for a story and keep 2×N parallel tests far below the
    // server's connection limit.
    let store = Store::open(&db.url, &StoreOptions { pool_size: 2 }).expect("open the test store");
    let applied = store.migrate().expect("first migrate");
    assert!(!applied.is_empty(), "a fresh database must get its migrations, got none");
    story(&store);
    // The store closes its connections before `db` removes the database.
    drop(store);
}

pub fn run_sqlite(_name: &str, story: fn(&Store)) {
    run(Backend::Sqlite, story);
}

pub fn run_postgres(_name: &str, story: fn(&Store)) {
    run(Backend::Postgres, story);
}
