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

/// A ticket to insert (`tickets::insert` gives it its id and number): a portal incident,
/// standard priority, new, created at `at`.
#[allow(dead_code)] // not every contract suite stores tickets
pub fn new_ticket(
    subject: &str,
    organisation_id: i64,
    requester_id: i64,
    at: jiff::Timestamp,
) -> deskbell_store::tickets::Ticket {
    use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
    deskbell_store::tickets::Ticket {
        id: 0,
        number: 0,
        subject: subject.into(),
        organisation_id,
        requester_id,
        cc: Vec::new(),
        channel: Channel::Portal,
        kind: Kind::Incident,
        priority: Priority::Standard,
        proposed_priority: None,
        status: Status::New,
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
    }
}
