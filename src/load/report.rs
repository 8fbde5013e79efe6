//! The figures of a load and how they print.

use crate::engine::log::CycleSummary;
use crate::histogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

/// One cycle's figures.
#[derive(Clone, Debug, Serialize)]
pub struct CycleFigures {
    /// Cycle number.
    pub number: u32,
    /// "Initial" or "Incremental".
    pub kind: String,
    /// Users changed in the directory before it (churn).
    pub changed: usize,
    /// Users the cycle processed.
    pub imported: u64,
    /// Created.
    pub created: u64,
    /// Updated.
    pub updated: u64,
    /// Disabled.
    pub disabled: u64,
    /// Skipped.
    pub skipped: u64,
    /// Failed.
    pub failed: u64,
    /// Requests sent, retries included.
    pub requests: u64,
    /// Real time, milliseconds.
    pub real_ms: u64,
    /// How long Azure AD would take for the same work (simulated), milliseconds.
    pub simulated_ms: u64,
    /// Processed users per real second.
    pub users_per_sec: f64,
    /// Requests per real second.
    pub requests_per_sec: f64,
}

impl CycleFigures {
    /// From a cycle's summary and its real duration.
    pub fn new(s: &CycleSummary, changed: usize, real: Duration, requests: u64) -> Self {
        let secs = real.as_secs_f64().max(1e-9);
        CycleFigures {
            number: s.number,
            kind: s.kind.to_string(),
            changed,
            imported: s.counts.imported,
            created: s.counts.created,
            updated: s.counts.updated,
            disabled: s.counts.disabled,
            skipped: s.counts.skipped,
            failed: s.counts.failed,
            requests,
            real_ms: u64::try_from(real.as_millis()).unwrap_or(u64::MAX),
            simulated_ms: s.simulated_duration_ms,
            users_per_sec: s.counts.imported as f64 / secs,
            requests_per_sec: requests as f64 / secs,
        }
    }
}

/// Latency figures of one operation (real time, milliseconds).
#[derive(Clone, Debug, Serialize)]
pub struct OpFigures {
    /// The operation.
    pub operation: String,
    /// Requests.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Maximum.
    pub max_ms: f64,
}

impl OpFigures {
    /// From a histogram.
    pub fn new(operation: &str, h: &Histogram) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        OpFigures {
            operation: operation.to_string(),
            count: h.count(),
            p50_ms: ms(h.quantile_micros(0.50)),
            p90_ms: ms(h.quantile_micros(0.90)),
            p99_ms: ms(h.quantile_micros(0.99)),
            max_ms: ms(h.max_micros()),
        }
    }
}

/// Everything a load measured.
#[derive(Clone, Debug, Serialize)]
pub struct LoadReport {
    /// Users in the generated directory.
    pub users: usize,
    /// Seed.
    pub seed: u64,
    /// Requests in flight.
    pub concurrency: usize,
    /// Where the requests went.
    pub target: String,
    /// Time to generate the directory, milliseconds.
    pub generate_ms: u64,
    /// Per cycle.
    pub cycles: Vec<CycleFigures>,
    /// Latency per operation, all cycles.
    pub operations: Vec<OpFigures>,
    /// Error responses and transport errors by code.
    pub errors: BTreeMap<String, u64>,
    /// Why the load stopped early, if it did.
    pub stopped: Option<String>,
}

fn human(ms: u64) -> String {
    crate::duration::format_duration(Duration::from_millis(ms))
}

/// `12345.6` as `12,346`.
pub(crate) fn thousands(n: f64) -> String {
    let whole = n.round().max(0.0) as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl LoadReport {
    /// The self-contained HTML page of `load --html` (issue 16).
    pub fn html(&self) -> String {
        crate::html::load_page(self)
    }

    /// Failed when the load stopped early (time limit, a cycle that could not run).
    pub fn exit_status(&self) -> crate::exit::ExitStatus {
        if self.stopped.is_some() {
            crate::exit::ExitStatus::Failed
        } else {
            crate::exit::ExitStatus::Success
        }
    }

    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "blinksim load: {} users (seed {}), concurrency {}, {}",
            thousands(self.users as f64),
            self.seed,
            self.concurrency,
            self.target
        );
        let _ = writeln!(
            out,
            "directory generated in {:.2} s",
            self.generate_ms as f64 / 1000.0
        );
        for c in &self.cycles {
            c.render(&mut out);
        }
        let _ = writeln!(out, "\nLatency by operation (real, ms)");
        let _ = writeln!(
            out,
            "  {:<14} {:>9} {:>8} {:>8} {:>8} {:>8}",
            "operation", "count", "p50", "p90", "p99", "max"
        );
        for o in &self.operations {
            let _ = writeln!(
                out,
                "  {:<14} {:>9} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
                o.operation,
                thousands(o.count as f64),
                o.p50_ms,
                o.p90_ms,
                o.p99_ms,
                o.max_ms
            );
        }
        if self.errors.is_empty() {
            let _ = writeln!(out, "\nErrors: none");
        } else {
            let list: Vec<String> = self
                .errors
                .iter()
                .map(|(code, n)| format!("{code}: {}", thousands(*n as f64)))
                .collect();
            let _ = writeln!(out, "\nErrors: {}", list.join(" | "));
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(out, "\nStopped early: {why}");
        }
        out
    }
}

impl CycleFigures {
    /// The cycle's lines of the text report.
    fn render(&self, out: &mut String) {
        let churn = if self.kind == "Initial" {
            String::new()
        } else {
            format!(" after {} users changed", thousands(self.changed as f64))
        };
        let _ = writeln!(out, "\nCycle {} ({}){churn}", self.number, self.kind);
        let _ = writeln!(
            out,
            "  {} users in {:.2} s = {} users/s; {} requests = {} req/s",
            thousands(self.imported as f64),
            self.real_ms as f64 / 1000.0,
            thousands(self.users_per_sec),
            thousands(self.requests as f64),
            thousands(self.requests_per_sec)
        );
        let speedup = self.simulated_ms as f64 / (self.real_ms.max(1) as f64);
        let _ = writeln!(
            out,
            "  Azure AD would take {} for the same work (simulated): {}x real time",
            human(self.simulated_ms),
            thousands(speedup)
        );
        let _ = writeln!(
            out,
            "  created {} | updated {} | disabled {} | skipped {} | failed {}",
            thousands(self.created as f64),
            thousands(self.updated as f64),
            thousands(self.disabled as f64),
            thousands(self.skipped as f64),
            thousands(self.failed as f64)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1234567.8), "1,234,568");
    }
}
