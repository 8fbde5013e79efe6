//! Checks of the requests sent.

use super::{Checks, CycleRef, CycleWord, RequestExpect};
use crate::engine::job::ProvisioningJob;
use crate::tenant::faults::set::glob;

pub(super) fn request_checks(checks: &mut Checks, r: &RequestExpect, job: &ProvisioningJob) {
    let label = match r.cycle.as_ref() {
        None => job
            .cycles()
            .last()
            .map_or("".to_string(), |s| s.number.to_string()),
        Some(CycleRef::Number(n)) => n.to_string(),
        Some(CycleRef::Word(CycleWord::OnDemand)) => job
            .trace()
            .iter()
            .rev()
            .find(|t| t.cycle.starts_with("on-demand"))
            .map(|t| t.cycle.clone())
            .unwrap_or_default(),
        Some(CycleRef::Word(CycleWord::All)) => "*".into(),
        Some(CycleRef::Word(CycleWord::Last | CycleWord::Latest)) => job
            .cycles()
            .last()
            .map_or("".to_string(), |s| s.number.to_string()),
    };
    let n = job
        .trace()
        .iter()
        .filter(|t| label == "*" || t.cycle == label)
        .filter(|t| {
            t.object != "(test connection)"
                || r.path.as_deref().is_some_and(|p| p.contains("filter"))
        })
        .filter(|t| {
            r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&t.entry.method))
        })
        .filter(|t| r.path.as_deref().is_none_or(|p| glob(p, &t.entry.path)))
        .filter(|t| {
            r.user
                .as_deref()
                .is_none_or(|u| u.eq_ignore_ascii_case(&t.object))
        })
        .filter(|t| {
            r.body_contains
                .as_deref()
                .is_none_or(|b| t.entry.body.as_deref().is_some_and(|body| body.contains(b)))
        })
        .filter(|t| {
            r.outcome
                .as_deref()
                .is_none_or(|o| t.entry.outcome.starts_with(o) || t.entry.outcome.contains(o))
        })
        .filter(|t| r.waited.is_none_or(|w| w.as_millis() == t.entry.waited_ms))
        .count();
    let what = describe(r, &label);
    checks.eq(what.clone(), r.count, n);
    if let Some(min) = r.min {
        checks.push(what, n >= min, format!("at least {min}"), n.to_string());
    }
}

/// The requests an expectation is about, in words.
fn describe(r: &RequestExpect, label: &str) -> String {
    format!(
        "requests{}{}{}{}{}{} in cycle {}",
        r.method
            .as_deref()
            .map(|m| format!(" {m}"))
            .unwrap_or_default(),
        r.path
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default(),
        r.user
            .as_deref()
            .map(|u| format!(" for {u}"))
            .unwrap_or_default(),
        r.body_contains
            .as_deref()
            .map(|b| format!(" with body containing {b:?}"))
            .unwrap_or_default(),
        r.waited
            .map(|w| format!(" after waiting {w}"))
            .unwrap_or_default(),
        r.outcome
            .as_deref()
            .map(|o| format!(" -> {o}"))
            .unwrap_or_default(),
        if label == "*" { "any" } else { label }
    )
}
