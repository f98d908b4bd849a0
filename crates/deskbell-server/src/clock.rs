//! Time is injected so that tests can move it; every instant is truncated to microseconds,
//! the precision both databases store.

use std::sync::Mutex;

use jiff::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        micros(Timestamp::now())
    }
}

/// A clock a test sets by hand.
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(t: Timestamp) -> Self {
        FixedClock(Mutex::new(micros(t)))
    }

    pub fn set(&self, t: Timestamp) {
        if let Ok(mut g) = self.0.lock() {
            *g = micros(t);
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|g| *g).unwrap_or_else(|p| *p.into_inner())
    }
}

/// Drops sub-microsecond digits (truncating, never rounding into the future).
pub fn micros(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}
