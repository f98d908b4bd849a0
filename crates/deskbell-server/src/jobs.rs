//! Background jobs of a running instance, each stoppable by the shutdown signal.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};

use crate::state::AppState;

/// A job's beat: every `period`, a late tick delays the next rather than bunching up.
pub fn every(period: Duration) -> Interval {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick
}

/// Waits for the job's next tick; `false` once `stop` turned true (the job should return).
pub async fn next_tick(tick: &mut Interval, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tick.tick() => {}
        _ = stop.changed() => {}
    }
    !*stop.borrow()
}

/// Refreshes the database's planner statistics once a minute (see `Store::maintain`). Safe
/// on several instances: analysing twice is merely redundant.
pub async fn maintenance(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut tick = every(Duration::from_secs(60));
    while next_tick(&mut tick, &mut stop).await {
        let store = state.store.clone();
        match tokio::task::spawn_blocking(move || store.maintain()).await {
            Ok(Ok(tables)) if !tables.is_empty() => tracing::info!(?tables, "refreshed planner statistics"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "database maintenance failed; retrying in a minute"),
            Err(e) => tracing::error!(error = %e, "database maintenance panicked"),
        }
    }
}
