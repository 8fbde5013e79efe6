//! The bookkeeping after a cycle's exports: counters, escrow of failed objects on the
//! documented schedule (§4.2), the cycle's state, and quarantine (QUAR, ACCDEL).

use super::entry::Outcome;
use crate::engine::job::{JobState, ProvisioningJob, QuarantineReason};
use crate::engine::log::{Action, CycleCounts, CycleState, CycleSummary, Status, StepType};
use crate::scim::datetime::format_millis;
use std::time::Duration;

/// Counts one finished object.
pub(crate) fn count(counts: &mut CycleCounts, o: &Outcome) {
    counts.references += o
        .entry
        .steps
        .iter()
        .filter(|s| s.provisioning_step_type == StepType::ReferenceResolution)
        .filter(|s| s.status != Status::Skipped)
        .count() as u64;
    match (o.entry.action, o.entry.status) {
        (_, Status::Failure) => counts.failed += 1,
        (Action::StagedDelete, _) => counts.staged_deletes += 1,
        (_, Status::Skipped) => counts.skipped += 1,
        (Action::Create, _) => counts.created += 1,
        (Action::Update, _) => counts.updated += 1,
        (Action::Disable, _) => counts.disabled += 1,
        (Action::Delete, _) => counts.deleted += 1,
        (Action::Other, _) => counts.skipped += 1,
    }
}

/// Escrow: a failure is retried on the documented schedule (and its reason says when);
/// anything else but a plain skip closes the object's escrow.
pub(crate) fn escrow(state: &mut JobState, o: &mut Outcome, at: i64, start: i64) {
    match &o.failure {
        Some(f) => {
            if let Some((failures, next)) = state.escrow_failure(&o.object_id, f.code, at, start)
                && let Some(err) = &mut o.entry.error
            {
                err.reason = format!(
                    "{} This operation was retried {} times. It will be retried again after this date: {} UTC",
                    err.reason,
                    failures - 1,
                    format_millis(next.max(at))
                );
            }
        }
        None if o.escrow_clear || o.entry.status != Status::Skipped => {
            state.clear_escrow(&o.object_id);
        }
        None => {}
    }
}

/// The summary's duration, state and steady-state flag once every object is counted.
pub(crate) fn conclude(summary: &mut CycleSummary, elapsed: Duration, request_latency_ms: u64) {
    let c = &summary.counts;
    summary.simulated_duration_ms = u64::try_from(elapsed.as_millis())
        .unwrap_or(u64::MAX)
        .max(request_latency_ms);
    summary.state = if c.failed > 0 || c.reference_failures > 0 {
        CycleState::EntryLevelErrors
    } else {
        CycleState::Succeeded
    };
    summary.steady_state =
        c.created + c.updated + c.disabled + c.deleted + c.failed + c.staged_deletes == 0;
}

/// Whether a quarantine for `reason` comes from the failure thresholds.
fn is_threshold(reason: QuarantineReason) -> bool {
    matches!(
        reason,
        QuarantineReason::EncounteredTotalEscrowThreshold
            | QuarantineReason::EncounteredBaseEscrowThreshold
            | QuarantineReason::EncounteredEscrowProportionThreshold
    )
}

/// Quarantine after a cycle that ended at `end`: staged deletes (unless allowed), then the
/// failure thresholds, judged on the escrows still failing (rulings.md R4): a threshold
/// quarantine stays until a retry succeeds or no escrow is left, so a cycle with no retry
/// due does not lift it.
pub(crate) fn quarantine(job: &mut ProvisioningJob, c: &CycleCounts, forced: bool, end: i64) {
    let successes = c.created + c.updated + c.disabled + c.deleted;
    let state = job.state();
    let failing = (state.escrows().len() as u64).max(c.failed);
    let verdict = job
        .config()
        .quarantine
        .verdict(failing, c.reference_failures, successes);
    let threshold = job.config().accidental_deletions.threshold;
    let staged = state.staged().len();
    let current = state.quarantine().map(|q| q.reason);
    let errors_fixed = state.retries_succeeded() > 0 || state.escrows().is_empty();
    let state = job.state_mut();
    if staged > 0 && !forced {
        let message = format!(
            "Provisioning has been quarantined. See quarantine details for more information: {staged} deletions or disables exceed the accidental-deletion threshold of {threshold}."
        );
        state.enter_quarantine(QuarantineReason::TooManyDeletes, &message, end);
    } else if let Some(reason) = current.filter(|r| is_threshold(*r) && !errors_fixed) {
        // "removed from quarantine after all errors are fixed" or "If any of the retries
        // above gets a successful response" (QUAR): neither happened, so it stays.
        let message = threshold_message(failing, c.reference_failures);
        state.enter_quarantine(reason, &message, end);
    } else if let Some(reason) = verdict.filter(|_| current.is_none()) {
        let message = threshold_message(failing, c.reference_failures);
        state.enter_quarantine(reason, &message, end);
    } else if current != Some(QuarantineReason::EncounteredQuarantineException) {
        state.clear_quarantine();
    }
}

fn threshold_message(failing: u64, reference_failures: u64) -> String {
    format!(
        "Quarantined due to a high number of errors ({failing} failing, {reference_failures} reference failures). Sync frequency is gradually reduced to once per day."
    )
}
