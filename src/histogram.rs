//! A fixed-size latency histogram (log-linear buckets, about 3% precision) for percentiles
//! over millions of samples in constant memory.

use std::time::Duration;

/// Sub-buckets per power of two: 32 gives a relative error under 3.2%.
const SUB: usize = 32;
const BUCKETS: usize = 64 * SUB;

/// Counts of latencies in microseconds.
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
    max: u64,
    sum: u128,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max: 0,
            sum: 0,
        }
    }
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.total)
            .field("max_us", &self.max)
            .finish()
    }
}

fn bucket_of(us: u64) -> usize {
    if us < SUB as u64 {
        return us as usize;
    }
    let power = 63 - us.leading_zeros() as usize; // us >= 2^power
    let shift = power - SUB.trailing_zeros() as usize;
    let sub = ((us >> shift) as usize) & (SUB - 1);
    ((power - SUB.trailing_zeros() as usize + 1) * SUB + sub).min(BUCKETS - 1)
}

/// The smallest value that falls in `bucket`.
fn lower_bound(bucket: usize) -> u64 {
    if bucket < SUB {
        return bucket as u64;
    }
    let group = bucket / SUB - 1;
    let sub = (bucket % SUB) as u64;
    (SUB as u64 + sub) << group
}

impl Histogram {
    /// Records one sample.
    pub fn record(&mut self, latency: Duration) {
        self.record_micros(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
    }

    /// Records one sample in microseconds.
    pub fn record_micros(&mut self, us: u64) {
        self.counts[bucket_of(us)] += 1;
        self.total += 1;
        self.max = self.max.max(us);
        self.sum += u128::from(us);
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Largest sample, microseconds.
    pub fn max_micros(&self) -> u64 {
        self.max
    }

    /// Mean, microseconds.
    pub fn mean_micros(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.sum as f64 / self.total as f64
        }
    }

    /// The `q` quantile (0.0..=1.0) in microseconds: the lower bound of its bucket.
    pub fn quantile_micros(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                // The top bucket holds the maximum, which is known exactly.
                return if seen == self.total {
                    self.max
                } else {
                    lower_bound(i).min(self.max)
                };
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_precision() {
        let mut h = Histogram::default();
        for us in 1..=10_000u64 {
            h.record_micros(us);
        }
        for (q, expected) in [(0.5, 5000.0), (0.9, 9000.0), (0.99, 9900.0)] {
            let got = h.quantile_micros(q) as f64;
            assert!(
                (got - expected).abs() / expected < 0.04,
                "q{q}: {got} vs {expected}"
            );
        }
        assert_eq!(h.max_micros(), 10_000);
        assert_eq!(h.count(), 10_000);
        assert_eq!(Histogram::default().quantile_micros(0.5), 0);
        let mut big = Histogram::default();
        big.record_micros(u64::MAX);
        assert_eq!(big.quantile_micros(1.0), u64::MAX);
        for us in [0u64, 31, 32, 33, 63, 64, 1000, 1 << 40] {
            let b = bucket_of(us);
            assert!(lower_bound(b) <= us, "{us}");
        }
    }
}
