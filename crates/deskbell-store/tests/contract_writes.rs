//! Concurrent writers, on both backends: every write that returned `Ok` is committed and
//! visible at once, every write that failed left nothing, and one failing writer never takes
//! the others' writes with it (SQLite commits queued writes together; see `sqlite.rs`).

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

use std::sync::{Arc, Barrier};

use deskbell_store::{Store, StoreError, params, settings};

contract_tests!(
    concurrent_writes_are_each_all_or_nothing_and_visible_when_they_return,
    maintenance_refreshes_statistics_of_tables_that_changed_and_only_those,
);

fn maintenance_refreshes_statistics_of_tables_that_changed_and_only_those(store: &Store) {
    store
        .write(|tx| {
            for i in 0..3000 {
                settings::set(tx, &format!("bulk-{i}"), "x")?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    match store.dialect() {
        deskbell_store::Dialect::Postgres => {
            // The statistics views catch up with the writes within a second or so.
            let mut analysed = Vec::new();
            for _ in 0..50 {
                analysed = store.maintain().unwrap();
                if analysed.contains(&"settings".to_owned()) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            assert!(analysed.contains(&"settings".to_owned()), "3,000 new rows were never analysed: {analysed:?}");
            assert!(!store.maintain().unwrap().contains(&"settings".to_owned()), "analysed twice");
        }
        // SQLite keeps its statistics current itself while writing.
        deskbell_store::Dialect::Sqlite => assert_eq!(store.maintain().unwrap(), Vec::<String>::new()),
    }
}

fn concurrent_writes_are_each_all_or_nothing_and_visible_when_they_return(store: &Store) {
    const THREADS: usize = 8;
    const EACH: usize = 40;
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut kept = Vec::new();
                for i in 0..EACH {
                    let key = format!("k{t}-{i}");
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        store.write(|tx| {
                            settings::set(tx, &key, "first")?;
                            settings::set(tx, &format!("{key}-second"), "second")?;
                            match i % 5 {
                                // A failure after two writes must undo both of them.
                                3 => Err(StoreError::Conflict),
                                // So must a panic.
                                4 if t % 2 == 0 => panic!("a bug in one request"),
                                _ => Ok(()),
                            }
                        })
                    }));
                    if let Ok(Ok(())) = result {
                        // Visible to a reader the moment the write returned.
                        let seen = store.read(|tx| settings::get(tx, &key)).unwrap();
                        assert_eq!(seen.as_deref(), Some("first"), "{key} not visible after its write returned");
                        kept.push(key);
                    }
                }
                kept
            })
        })
        .collect();
    let mut kept: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    kept.sort();
    let mut stored: Vec<String> = store
        .read(|tx| {
            tx.query("SELECT key FROM settings WHERE key LIKE $1", params!["k%"])?
                .iter()
                .map(|r| r.str(0))
                .filter(|k| k.as_ref().map_or(true, |k| !k.ends_with("-second")))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    stored.sort();
    assert_eq!(stored, kept, "exactly the successful writes are stored");
    let seconds = store
        .read(|tx| tx.query_one("SELECT COUNT(*) FROM settings WHERE key LIKE $1", params!["%-second"])?.i64(0))
        .unwrap();
    assert_eq!(seconds as usize, kept.len(), "no half of a failed write survives");
    // 3 of every 5 writes succeed on odd threads, 3 or 4 of 5 on even ones.
    assert_eq!(kept.len(), THREADS / 2 * EACH * 3 / 5 + THREADS / 2 * EACH * 4 / 5);
    // The store keeps working after the panics.
    store.write(|tx| settings::set(tx, "after", "yes")).unwrap();
}
