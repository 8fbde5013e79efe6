//! The documented numbers of the provisioning service, each defined once: cycle intervals,
//! the escrow retry schedule, quarantine thresholds and the accidental-deletion threshold
//! (aad-provisioning-service.md §1.3, §4.1, §4.3, §4.4).

use super::job::QuarantineReason;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Incremental cycles run every 40 minutes (SCIMDEV "The process runs every 40 minutes").
pub(crate) const CYCLE_INTERVAL: Duration = Duration::from_secs(40 * MINUTE);
/// In quarantine, cycles slow to once a day (QUAR).
pub(crate) const QUARANTINE_CYCLE_INTERVAL: Duration = Duration::from_secs(DAY);

/// The interval after a quarantined cycle: "The frequency of incremental cycles is gradually
/// reduced to once per day" (QUAR). The steps are NOT FOUND in the reference; chosen: the
/// normal 40 minutes doubled at each quarantined cycle (80 min, 160 min, ... 21 h 20 min),
/// then once a day. `series_count` is 0 for the cycle that entered quarantine.
pub(crate) fn quarantine_interval(series_count: u32) -> Duration {
    let doubled =
        CYCLE_INTERVAL.saturating_mul(2u32.saturating_pow(series_count.saturating_add(1)));
    doubled.min(QUARANTINE_CYCLE_INTERVAL)
}
/// A job in quarantine for more than four weeks is disabled (QUAR, HPW).
pub(crate) const QUARANTINE_DISABLE_AFTER: Duration = Duration::from_secs(28 * DAY);

/// Escrow retries after the first failure: the next cycle, then 6 h, 12 h and 24 h after the
/// first failure (QUAR "Retry duration").
pub(crate) const ESCROW_RETRY_OFFSETS: [Duration; 3] = [
    Duration::from_secs(6 * HOUR),
    Duration::from_secs(12 * HOUR),
    Duration::from_secs(DAY),
];
/// After the third retry, every 24 hours (QUAR).
pub(crate) const ESCROW_RETRY_EVERY: Duration = Duration::from_secs(DAY);
/// Retries stop 28 days after the first failure and the escrow is removed (QUAR).
pub(crate) const ESCROW_MAX_AGE: Duration = Duration::from_secs(28 * DAY);

/// Default accidental-deletion threshold (CFGAPI `QuarantineTooManyDeletesThreshold` = "500").
pub(crate) const DEFAULT_DELETION_THRESHOLD: u32 = 500;

/// Below this many failures a cycle is not evaluated for quarantine (QUAR: "5,000 failures are
/// the minimum to start evaluating").
pub(crate) const QUARANTINE_MIN_FAILURES: u64 = 5_000;
/// More than this share of failing events quarantines (QUAR: "more than 40%").
pub(crate) const QUARANTINE_FAILURE_RATIO: f64 = 0.40;
/// More than this many non-reference failures quarantines (QUAR: "more than 40,000").
pub(crate) const QUARANTINE_MAX_FAILURES: u64 = 40_000;
/// More than this many failures of any kind quarantines (QUAR: "absolute threshold of 60,000").
pub(crate) const QUARANTINE_ABSOLUTE_FAILURES: u64 = 60_000;

#[cfg(test)]
#[test]
fn quarantine_slows_down_gradually_to_daily() {
    let minutes: Vec<u64> = (0..7)
        .map(|n| quarantine_interval(n).as_secs() / 60)
        .collect();
    assert_eq!(minutes, [80, 160, 320, 640, 1280, 1440, 1440]);
    assert_eq!(quarantine_interval(u32::MAX), QUARANTINE_CYCLE_INTERVAL);
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// When the escrow of an object that failed first at `first_failure` and has now failed
/// `failures` times (1 = the first failure) is next retried, or `None` once it expired;
/// `next_cycle` is when the next cycle starts.
pub(crate) fn escrow_next_retry(first_failure: i64, failures: u32, next_cycle: i64) -> Option<i64> {
    let due = match failures {
        0 | 1 => next_cycle, // "retried in the next sync cycle" (HPW)
        n => {
            let k = (n - 2) as usize;
            let offset = match ESCROW_RETRY_OFFSETS.get(k) {
                Some(d) => ms(*d),
                None => ms(ESCROW_RETRY_OFFSETS[2]) + ms(ESCROW_RETRY_EVERY) * (k as i64 - 2),
            };
            first_failure.saturating_add(offset)
        }
    };
    (due.saturating_sub(first_failure) <= ms(ESCROW_MAX_AGE)).then_some(due)
}

/// The failure thresholds that quarantine a job; configurable so small scenarios can show
/// the rule, with the documented values as defaults.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuarantineThresholds {
    /// Minimum failures before the ratio and maximum apply.
    pub min_failures: u64,
    /// Failure share that quarantines.
    pub failure_ratio: f64,
    /// Non-reference failures that quarantine.
    pub max_failures: u64,
    /// Failures of any kind that quarantine.
    pub absolute_failures: u64,
}

impl Default for QuarantineThresholds {
    fn default() -> Self {
        QuarantineThresholds {
            min_failures: QUARANTINE_MIN_FAILURES,
            failure_ratio: QUARANTINE_FAILURE_RATIO,
            max_failures: QUARANTINE_MAX_FAILURES,
            absolute_failures: QUARANTINE_ABSOLUTE_FAILURES,
        }
    }
}

impl QuarantineThresholds {
    /// The quarantine reason for a cycle's failures, if any (QUAR's predicate, §4.3):
    /// all > 60,000, or non-reference failures ≥ 5,000 and (> 40% or > 40,000).
    pub fn verdict(
        &self,
        object_failures: u64,
        reference_failures: u64,
        successes: u64,
    ) -> Option<QuarantineReason> {
        let all = object_failures + reference_failures;
        if all > self.absolute_failures {
            return Some(QuarantineReason::EncounteredTotalEscrowThreshold);
        }
        if object_failures < self.min_failures {
            return None;
        }
        if object_failures > self.max_failures {
            return Some(QuarantineReason::EncounteredBaseEscrowThreshold);
        }
        let ratio = object_failures as f64 / (object_failures + successes).max(1) as f64;
        (ratio > self.failure_ratio)
            .then_some(QuarantineReason::EncounteredEscrowProportionThreshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_quarantine_examples() {
        let t = QuarantineThresholds::default();
        assert_eq!(
            t.verdict(4_000, 0, 0),
            None,
            "4,000 failures wouldn't go into quarantine"
        );
        assert!(
            t.verdict(45_000, 0, 1_000_000).is_some(),
            "45,000 exceeds the 40,000 threshold"
        );
        assert!(
            t.verdict(30_000, 0, 5_000).is_some(),
            "30,000 failed and 5,000 succeeded: over 40%"
        );
        assert_eq!(
            t.verdict(20_000, 0, 100_000),
            None,
            "20,000 failures and 100,000 successes"
        );
        assert!(
            t.verdict(40_000, 21_000, 1_000_000).is_some(),
            "61,000 total exceeds 60,000"
        );
    }

    #[test]
    fn escrow_schedule() {
        let h = 3_600_000i64;
        assert_eq!(escrow_next_retry(0, 1, 40 * 60_000), Some(40 * 60_000));
        assert_eq!(escrow_next_retry(0, 2, 0), Some(6 * h));
        assert_eq!(escrow_next_retry(0, 3, 0), Some(12 * h));
        assert_eq!(escrow_next_retry(0, 4, 0), Some(24 * h));
        assert_eq!(escrow_next_retry(0, 5, 0), Some(48 * h));
        assert_eq!(escrow_next_retry(0, 31, 0), Some(28 * 24 * h));
        assert_eq!(
            escrow_next_retry(0, 32, 0),
            None,
            "retries stop after 28 days"
        );
    }
}
