//! Checks of a user's provisioning log entries.

use super::{Checks, CycleRef, CycleWord, LogExpect};
use crate::engine::job::ProvisioningJob;
use crate::engine::log::LogEntry;

/// The entries a cycle reference selects, for one user.
fn entries_for<'a>(
    job: &'a ProvisioningJob,
    user: &str,
    cycle: Option<&CycleRef>,
) -> Vec<&'a LogEntry> {
    let mine = |e: &&LogEntry| {
        e.source_identity.display_name.eq_ignore_ascii_case(user) || e.source_identity.id == user
    };
    let cycle_id = |n: u32| {
        job.cycles()
            .iter()
            .find(|s| s.number == n)
            .map(|s| s.cycle_id.clone())
    };
    match cycle {
        None => job.logs().iter().rev().find(mine).into_iter().collect(),
        Some(CycleRef::Word(CycleWord::Latest)) => {
            job.logs().iter().rev().find(mine).into_iter().collect()
        }
        Some(CycleRef::Word(CycleWord::All)) => job.logs().iter().filter(mine).collect(),
        Some(CycleRef::Word(CycleWord::OnDemand)) => job
            .logs()
            .iter()
            .rev()
            .filter(mine)
            .find(|e| e.initiated_by.is_on_demand())
            .into_iter()
            .collect(),
        Some(CycleRef::Word(CycleWord::Last)) => {
            let id = job.cycles().last().map(|s| s.cycle_id.clone());
            job.logs()
                .iter()
                .filter(|e| Some(&e.cycle_id) == id.as_ref())
                .filter(mine)
                .collect()
        }
        Some(CycleRef::Number(n)) => {
            let id = cycle_id(*n);
            job.logs()
                .iter()
                .filter(|e| Some(&e.cycle_id) == id.as_ref())
                .filter(mine)
                .collect()
        }
    }
}

pub(super) fn cycle_label(c: Option<&CycleRef>, default: &str) -> String {
    match c {
        None => default.to_string(),
        Some(CycleRef::Number(n)) => format!("cycle {n}"),
        Some(CycleRef::Word(w)) => w.as_str().to_string(),
    }
}

pub(super) fn log_checks(checks: &mut Checks, l: &LogExpect, job: &ProvisioningJob) {
    let entries = entries_for(job, &l.user, l.cycle.as_ref());
    let label = format!(
        "log {} ({})",
        l.user,
        cycle_label(l.cycle.as_ref(), "latest")
    );
    checks.eq(format!("{label} entries"), l.count, entries.len());
    let wants_entry = l.action.is_some()
        || l.status.is_some()
        || l.error_code.is_some()
        || l.skip_reason.is_some()
        || l.modified.is_some()
        || !l.not_modified.is_empty()
        || l.step_contains.is_some()
        || l.reason_contains.is_some();
    if !wants_entry {
        return;
    }
    let Some(e) = entries.last() else {
        checks.push(label, false, "an entry".into(), "none".into());
        return;
    };
    checks.eq(format!("{label} action"), l.action, e.provisioning_action);
    checks.eq(format!("{label} status"), l.status, e.status());
    checks.eq(
        format!("{label} error_code"),
        l.error_code,
        e.error_code().into(),
    );
    checks.eq(
        format!("{label} skip_reason"),
        l.skip_reason,
        e.skip_reason().into(),
    );
    modified_checks(checks, &label, l, e);
    text_checks(checks, &label, l, e);
}

/// The modified and not-modified properties of the entry.
fn modified_checks(checks: &mut Checks, label: &str, l: &LogExpect, e: &LogEntry) {
    if let Some(props) = &l.modified {
        let actual: Vec<&str> = e
            .modified_properties
            .iter()
            .map(|m| m.display_name.as_str())
            .collect();
        let ok = props
            .iter()
            .all(|p| actual.iter().any(|a| a.eq_ignore_ascii_case(p)));
        checks.push(
            format!("{label} modified"),
            ok,
            props.join(", "),
            actual.join(", "),
        );
    }
    if !l.not_modified.is_empty() {
        let actual: Vec<&str> = e
            .modified_properties
            .iter()
            .map(|m| m.display_name.as_str())
            .collect();
        let ok = !l
            .not_modified
            .iter()
            .any(|p| actual.iter().any(|a| a.eq_ignore_ascii_case(p)));
        checks.push(
            format!("{label} not modified"),
            ok,
            format!("none of {}", l.not_modified.join(", ")),
            actual.join(", "),
        );
    }
}

/// Text in the entry's steps and error reason.
fn text_checks(checks: &mut Checks, label: &str, l: &LogExpect, e: &LogEntry) {
    if let Some(text) = &l.step_contains {
        let ok = e
            .provisioning_steps
            .iter()
            .any(|s| s.description.contains(text.as_str()));
        let last = e
            .provisioning_steps
            .last()
            .map(|s| s.description.clone())
            .unwrap_or_default();
        checks.push(
            format!("{label} steps"),
            ok,
            format!("a step containing {text:?}"),
            last,
        );
    }
    if let Some(text) = &l.reason_contains {
        let reason = e
            .provisioning_status_info
            .error_information
            .as_ref()
            .map_or("", |x| x.reason.as_str());
        checks.push(
            format!("{label} reason"),
            reason.contains(text.as_str()),
            format!("contains {text:?}"),
            reason.to_string(),
        );
    }
}
