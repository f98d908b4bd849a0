//! Background jobs of a running instance, each stoppable by the shutdown signal.

use std::time::Duration;

use crate::state::AppState;

/// Refreshes the database's planner statistics once a minute (see `Store::maintain`). Safe
/// on several instances: analysing twice is merely redundant.
pub async fn maintenance(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        let store = state.store.clone();
        match tokio::task::spawn_blocking(move || store.maintain()).await {
            Ok(Ok(tables)) if !tables.is_empty() => tracing::info!(?tables, "refreshed planner statistics"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "database maintenance failed; retrying in a minute"),
            Err(e) => tracing::error!(error = %e, "database maintenance panicked"),
        }
    }
}
