//! Time as an injected dependency: real time for `serve`, virtual time for the engine and
//! scenarios, so the same scenario gives byte-identical output.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// A source of "now".
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> OffsetDateTime;

    /// The current time in Unix milliseconds, the unit of every stored and written timestamp
    /// (a clock may answer it without building a date).
    fn now_millis(&self) -> i64 {
        unix_millis(self.now())
    }
}

/// A date-time as Unix milliseconds (sub-millisecond parts dropped).
pub const fn unix_millis(t: OffsetDateTime) -> i64 {
    // Lossless: `OffsetDateTime` spans years -9999 to 9999, about 3.2e14 ms either way.
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Unix milliseconds as a date-time (the Unix epoch if out of range).
pub fn from_unix_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

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
    /// A clock stopped at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self::at_millis(unix_millis(start))
    }

    /// A clock stopped at `start` Unix milliseconds.
    pub(crate) fn at_millis(start: i64) -> Self {
        VirtualClock(Arc::new(AtomicI64::new(start)))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(millis, Ordering::SeqCst);
    }

    /// Sets the clock to `t` if that is later than now (it never goes back).
    pub fn advance_to(&self, t: OffsetDateTime) {
        self.advance_to_millis(unix_millis(t));
    }

    /// Sets the clock to `millis` if that is later than now.
    pub(crate) fn advance_to_millis(&self, millis: i64) {
        self.0.fetch_max(millis, Ordering::SeqCst);
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        from_unix_millis(self.now_millis())
    }

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
        let c = VirtualClock::at_millis(1_000);
        let other = c.clone();
        c.advance(Duration::from_millis(500));
        assert_eq!(other.now_millis(), 1_500);
        c.advance_to(from_unix_millis(1_200));
        assert_eq!(c.now(), from_unix_millis(1_500));
        assert!(SystemClock.now_millis() > 1_600_000_000_000);
        let system = SystemClock.now();
        assert!((unix_millis(system) - SystemClock.now_millis()).abs() < 60_000);
    }
}
