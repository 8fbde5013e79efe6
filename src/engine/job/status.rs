//! The job as Graph shows it (§1.1): `synchronizationJob` with its `synchronizationSchedule`
//! and `synchronizationStatus`, built from the job's state and cycle summaries.

use super::{JobStatus, ProvisioningJob, Quarantine};
use crate::engine::log::{CycleKind, CycleState, CycleSummary};
use crate::engine::names::names;
use crate::engine::policy::{self, CYCLE_INTERVAL};
use crate::scim::datetime::format_millis;
use serde::Serialize;
use std::time::Duration;

names! {
    /// Graph `synchronizationStatus.code` (§1.1).
    pub enum StatusCode ("status code") {
        /// "Job was not configured and never run. No authorization was provided."
        NotConfigured,
        /// Configured, first run not completed.
        NotRun,
        /// Running periodically.
        Active,
        /// Paused by an administrator; state kept.
        Paused,
        /// Quarantined: cycles run with reduced frequency.
        Quarantine,
    }
}

names! {
    /// Graph `synchronizationSchedule.state` (§1.1): where Graph keeps `Disabled`.
    pub enum ScheduleState ("schedule state") {
        /// Cycles run on the schedule.
        Active,
        /// No cycles: not started, or disabled after four weeks of quarantine (QUAR).
        Disabled,
        /// Stopped by an administrator.
        Paused,
    }
}

/// Graph's value for an unset time (CFGAPI).
pub(super) const UNSET_TIME: &str = "0001-01-01T00:00:00Z";
/// Graph's interval of a job never started: .NET `TimeSpan.MaxValue` (CFGAPI).
pub(super) const NEVER_INTERVAL: &str = "P10675199DT2H48M5.4775807S";
/// Objects per page of the progress counts. WHEN says progress counts pages; their size is
/// NOT FOUND: chosen 100 (README).
pub(super) const PROGRESS_PAGE_SIZE: u64 = 100;

/// Graph `synchronizationJob`, as written to `status.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationJob {
    /// The job id.
    pub id: String,
    /// The template, the job id's first part.
    pub template_id: String,
    /// The schedule.
    pub schedule: Schedule,
    /// The status.
    pub status: SynchronizationStatus,
}

/// Graph `synchronizationSchedule`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Never set by the engine.
    pub expiration: Option<String>,
    /// ISO 8601 duration between cycles, e.g. `PT40M`.
    pub interval: String,
    /// Active, Disabled or Paused.
    pub state: ScheduleState,
}

/// Graph `synchronizationStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationStatus {
    /// The status code.
    pub code: StatusCode,
    /// Cycles in a row, the last included, that failed as a whole.
    pub count_successive_complete_failures: u64,
    /// Always false: the engine never prunes escrows during the initial cycle.
    pub escrows_pruned: bool,
    /// The last cycle.
    pub last_execution: Option<TaskExecution>,
    /// The last cycle that succeeded.
    pub last_successful_execution: Option<TaskExecution>,
    /// The last cycle that succeeded and exported something.
    pub last_successful_execution_with_exports: Option<TaskExecution>,
    /// The last cycle's progress, in pages.
    pub progress: Vec<SyncProgress>,
    /// The quarantine, if any.
    pub quarantine: Option<SyncQuarantine>,
    /// End of the first cycle that had nothing to export.
    pub steady_state_first_achieved_time: String,
    /// End of the last cycle that had nothing to export.
    pub steady_state_last_achieved_time: String,
    /// Objects in the connector data store, by type.
    pub synchronized_entry_count_by_type: Vec<EntryCount>,
    /// Never set by the engine.
    pub troubleshooting_url: Option<String>,
}

/// Graph `synchronizationTaskExecution`: one cycle's counters (§1.1, §5.7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskExecution {
    /// The cycle id.
    pub activity_identifier: String,
    /// Objects in scope.
    pub count_entitled: u64,
    /// Objects in scope (the engine does not tell the two apart).
    pub count_entitled_for_provisioning: u64,
    /// Objects that failed and were escrowed.
    pub count_escrowed: u64,
    /// Escrows including failed reference exports.
    pub count_escrowed_raw: u64,
    /// Objects exported.
    pub count_exported: u64,
    /// Objects that were to be exported.
    pub count_exports: u64,
    /// Objects imported.
    pub count_imported: u64,
    /// Objects imported as changes (incremental cycles).
    pub count_imported_deltas: u64,
    /// Manager references exported or attempted.
    pub count_imported_reference_deltas: u64,
    /// Why the cycle failed, when it did.
    pub error: Option<SyncError>,
    /// Succeeded, EntryLevelErrors or Failed.
    pub state: CycleState,
    /// Start.
    pub time_began: String,
    /// End.
    pub time_ended: String,
}

/// Graph `synchronizationError`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncError {
    /// The quarantine reason, or the cycle state when none.
    pub code: String,
    /// The message.
    pub message: String,
    /// Whether the tenant can act on it (credentials, endpoint, data: always).
    pub tenant_actionable: bool,
}

/// Graph `synchronizationQuarantine`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncQuarantine {
    /// When the quarantine was last evaluated and imposed.
    pub current_began: String,
    /// When the next cycle is attempted.
    pub next_attempt: String,
    /// Why.
    pub reason: super::QuarantineReason,
    /// When the series began.
    pub series_began: String,
    /// Times it was re-evaluated and kept.
    pub series_count: u32,
    /// The error that caused it.
    pub error: SyncError,
}

/// Graph `synchronizationProgress`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Pages done.
    pub completed_units: u64,
    /// When observed (the cycle's end).
    pub progress_observation_date_time: String,
    /// Pages in all.
    pub total_units: u64,
    /// "pages" (WHEN; Graph's example).
    pub units: String,
}

/// Graph `stringKeyLongValuePair`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntryCount {
    /// The object type.
    pub key: String,
    /// How many.
    pub value: u64,
}

/// A duration in ISO 8601 (`PT40M`, `P1D`, `PT1H20M`).
pub(super) fn iso_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours + minutes + seconds > 0 || days == 0 {
        out.push('T');
        for (n, unit) in [(hours, 'H'), (minutes, 'M'), (seconds, 'S')] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
        if out.ends_with('T') {
            out.push_str("0S");
        }
    }
    out
}

impl ProvisioningJob {
    /// The job as Graph's `synchronizationJob` (§1.1).
    pub fn synchronization_job(&self) -> SynchronizationJob {
        let template_id = self.job_id().split('.').next().unwrap_or_default();
        SynchronizationJob {
            id: self.job_id().to_string(),
            template_id: template_id.to_string(),
            schedule: self.schedule(),
            status: self.synchronization_status(),
        }
    }

    fn configured(&self) -> bool {
        !self.config().secret_token.is_empty() || !self.cycles().is_empty()
    }

    /// Graph's `synchronizationStatus.code`: `Disabled` is the schedule's, not a code.
    pub fn status_code(&self) -> StatusCode {
        match self.status() {
            _ if !self.configured() => StatusCode::NotConfigured,
            JobStatus::NotRun => StatusCode::NotRun,
            JobStatus::Active => StatusCode::Active,
            JobStatus::Paused => StatusCode::Paused,
            JobStatus::Quarantine | JobStatus::Disabled => StatusCode::Quarantine,
        }
    }

    /// Graph's `synchronizationSchedule.state`.
    pub fn schedule_state(&self) -> ScheduleState {
        match self.status() {
            _ if !self.configured() => ScheduleState::Disabled,
            JobStatus::Disabled => ScheduleState::Disabled,
            JobStatus::Paused => ScheduleState::Paused,
            JobStatus::NotRun | JobStatus::Active | JobStatus::Quarantine => ScheduleState::Active,
        }
    }

    fn schedule(&self) -> Schedule {
        let interval = if !self.configured() {
            NEVER_INTERVAL.to_string()
        } else {
            iso_duration(match self.quarantine() {
                Some(q) => policy::quarantine_interval(q.series_count),
                None => CYCLE_INTERVAL,
            })
        };
        Schedule {
            expiration: None,
            interval,
            state: self.schedule_state(),
        }
    }

    fn synchronization_status(&self) -> SynchronizationStatus {
        let cycles = self.cycles();
        let succeeded = |s: &&CycleSummary| s.state == CycleState::Succeeded;
        let steady: Vec<&CycleSummary> = cycles.iter().filter(|s| s.steady_state).collect();
        let achieved = |s: Option<&&CycleSummary>| s.map_or(UNSET_TIME.into(), |s| s.ended.clone());
        SynchronizationStatus {
            code: self.status_code(),
            count_successive_complete_failures: cycles
                .iter()
                .rev()
                .take_while(|s| s.state == CycleState::Failed)
                .count() as u64,
            escrows_pruned: false,
            last_execution: cycles.last().map(execution),
            last_successful_execution: cycles.iter().rev().find(succeeded).map(execution),
            last_successful_execution_with_exports: cycles
                .iter()
                .rev()
                .filter(succeeded)
                .find(|s| exported(s) > 0)
                .map(execution),
            progress: cycles.last().map(progress).into_iter().collect(),
            quarantine: self.quarantine().map(|q| quarantine(q, cycles)),
            steady_state_first_achieved_time: achieved(steady.first()),
            steady_state_last_achieved_time: achieved(steady.last()),
            synchronized_entry_count_by_type: cycles
                .last()
                .map(|s| EntryCount {
                    key: "User".into(),
                    value: s.users_in_connector_data_store,
                })
                .into_iter()
                .collect(),
            troubleshooting_url: None,
        }
    }
}

fn exported(s: &CycleSummary) -> u64 {
    let c = &s.counts;
    c.created + c.updated + c.disabled + c.deleted
}

fn execution(s: &CycleSummary) -> TaskExecution {
    let c = &s.counts;
    TaskExecution {
        activity_identifier: s.cycle_id.clone(),
        count_entitled: c.entitled,
        count_entitled_for_provisioning: c.entitled,
        count_escrowed: c.failed,
        count_escrowed_raw: c.failed + c.reference_failures,
        count_exported: exported(s),
        count_exports: exported(s) + c.failed,
        count_imported: c.imported,
        count_imported_deltas: match s.kind {
            CycleKind::Initial => 0,
            CycleKind::Incremental => c.imported,
        },
        count_imported_reference_deltas: c.references,
        error: s.error.as_ref().map(|message| SyncError {
            code: s
                .quarantine
                .map_or(s.state.as_str(), |q| q.as_str())
                .to_string(),
            message: message.clone(),
            tenant_actionable: true,
        }),
        state: s.state,
        time_began: s.started.clone(),
        time_ended: s.ended.clone(),
    }
}

fn progress(s: &CycleSummary) -> SyncProgress {
    let pages = s.counts.imported.div_ceil(PROGRESS_PAGE_SIZE);
    SyncProgress {
        completed_units: pages,
        progress_observation_date_time: s.ended.clone(),
        total_units: pages,
        units: "pages".into(),
    }
}

/// The quarantine with its current start: the engine imposes or keeps a quarantine only when
/// a cycle ends (or, for a failed test connection, when it starts).
fn quarantine(q: &Quarantine, cycles: &[CycleSummary]) -> SyncQuarantine {
    let current_began = cycles
        .iter()
        .rev()
        .find(|s| s.quarantine.is_some())
        .map_or_else(
            || format_millis(q.series_began),
            |s| match s.state {
                CycleState::Failed => s.started.clone(),
                _ => s.ended.clone(),
            },
        );
    SyncQuarantine {
        current_began,
        next_attempt: format_millis(q.next_attempt),
        reason: q.reason,
        series_began: format_millis(q.series_began),
        series_count: q.series_count,
        error: SyncError {
            code: q.reason.as_str().to_string(),
            message: q.message.clone(),
            tenant_actionable: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_iso_8601() {
        assert_eq!(iso_duration(CYCLE_INTERVAL), "PT40M");
        assert_eq!(iso_duration(Duration::from_secs(80 * 60)), "PT1H20M");
        assert_eq!(iso_duration(Duration::from_secs(86_400)), "P1D");
        assert_eq!(iso_duration(Duration::from_secs(90_061)), "P1DT1H1M1S");
        assert_eq!(iso_duration(Duration::ZERO), "PT0S");
    }
}
