//! Time as an injected dependency: real time for `serve`, virtual time for the engine and
//! scenarios, so the same scenario gives byte-identical output.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of "now", in Unix milliseconds.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time, Unix milliseconds.
    fn now_millis(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to. Cheap to clone; clones share the time.
#[derive(Debug, Clone)]
pub struct VirtualClock(Arc<AtomicI64>);

impl VirtualClock {
    /// A clock stopped at `start` (Unix milliseconds).
    pub fn new(start: i64) -> Self {
        VirtualClock(Arc::new(AtomicI64::new(start)))
    }

    /// Moves the clock forward by `millis` (never backwards).
    pub fn advance(&self, millis: i64) {
        self.0.fetch_add(millis.max(0), Ordering::SeqCst);
    }

    /// Sets the clock to `millis` if that is later than now.
    pub fn advance_to(&self, millis: i64) {
        self.0.fetch_max(millis, Ordering::SeqCst);
    }
}

impl Clock for VirtualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_moves_only_forward_and_is_shared() {
        let c = VirtualClock::new(1_000);
        let other = c.clone();
        c.advance(500);
        assert_eq!(other.now_millis(), 1_500);
        c.advance(-10);
        c.advance_to(1_200);
        assert_eq!(c.now_millis(), 1_500);
        assert!(SystemClock.now_millis() > 1_600_000_000_000);
    }
}
