//! Checks of a fault rule's values, so that a loaded rule always runs bounded.

use super::rule::{Effect, FaultRule, LostAs, MAX_FAULT_DURATION, RuleError};
use crate::duration::HumanDuration;
use std::time::Duration;

impl Effect {
    pub(super) fn validate(&self) -> Result<(), (&'static str, String)> {
        match self {
            Effect::Latency {
                fixed,
                min,
                max,
                median,
                sigma,
            } => validate_latency([*fixed, *min, *max, *median], *sigma)?,
            Effect::Status {
                status,
                retry_after,
                scim_type,
                ..
            } => {
                if !(100..=599).contains(status) {
                    return Err(("status", format!("{status} is not an HTTP status code")));
                }
                if retry_after.is_some_and(|r| r > 86_400) {
                    return Err(("retry_after", "must be at most 86400 seconds".into()));
                }
                if let Some(t) = scim_type
                    && crate::scim::ScimType::parse(t).is_none()
                {
                    return Err(("scim_type", format!("'{t}' is not a SCIM error type")));
                }
            }
            Effect::RateLimit {
                per_second,
                burst,
                retry_after,
            } => {
                if !(per_second.is_finite() && *per_second > 0.0) {
                    return Err(("per_second", format!("{per_second} must be positive")));
                }
                if *burst == 0 {
                    return Err(("burst", "must be at least 1".into()));
                }
                if retry_after.is_some_and(|r| r > 86_400) {
                    return Err(("retry_after", "must be at most 86400 seconds".into()));
                }
            }
            Effect::Hang { duration } => bounded("duration", *duration)?,
            Effect::Dribble { chunk, interval } => {
                if *chunk == Some(0) {
                    return Err(("chunk", "must be at least 1".into()));
                }
                if interval.is_some_and(|i| i.0 > Duration::from_secs(10)) {
                    return Err(("interval", "must be at most 10s".into()));
                }
            }
            Effect::Lost {
                then: LostAs::Status(code),
            } if !(100..=599).contains(code) => {
                return Err(("then", format!("{code} is not an HTTP status code")));
            }
            _ => {}
        }
        Ok(())
    }
}

/// A duration field within the 10-minute bound.
fn bounded(field: &'static str, d: Option<HumanDuration>) -> Result<(), (&'static str, String)> {
    match d {
        Some(d) if d.0 > MAX_FAULT_DURATION => Err((field, format!("{d} exceeds the 10m bound"))),
        _ => Ok(()),
    }
}

/// A latency effect: one of fixed; min and max; median (with an optional sigma), each bounded.
fn validate_latency(
    [fixed, min, max, median]: [Option<HumanDuration>; 4],
    sigma: Option<f64>,
) -> Result<(), (&'static str, String)> {
    for (f, d) in [
        ("fixed", fixed),
        ("min", min),
        ("max", max),
        ("median", median),
    ] {
        bounded(f, d)?;
    }
    match (fixed, min, max, median) {
        (Some(_), None, None, None) => {}
        (None, Some(lo), Some(hi), None) if lo <= hi => {}
        (None, Some(_), Some(_), None) => {
            return Err(("min", "must not exceed max".into()));
        }
        (None, None, None, Some(_)) => {}
        _ => {
            return Err((
                "fixed",
                "give exactly one of: fixed; min and max; median (with optional sigma)".into(),
            ));
        }
    }
    if let Some(s) = sigma
        && !(0.0..=10.0).contains(&s)
    {
        return Err(("sigma", format!("{s} is outside 0..10")));
    }
    Ok(())
}

/// Validates every rule, naming the first bad one.
pub(crate) fn validate_all(rules: &[FaultRule]) -> Result<(), RuleError> {
    for (i, rule) in rules.iter().enumerate() {
        rule.validate().map_err(|mut e| {
            e.location = format!("fault[{i}].");
            e
        })?;
    }
    Ok(())
}
