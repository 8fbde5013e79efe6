//! Cycle summaries as the portal's sync details (§5.7).

use super::{CycleKind, CycleState};
use crate::engine::job::{JobStatus, QuarantineReason};
use serde::{Deserialize, Serialize};

/// Counters of one cycle (Graph `synchronizationTaskExecution`, portal "sync details").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CycleCounts {
    /// Objects imported from the directory.
    pub imported: u64,
    /// Objects in scope ("entitled").
    pub entitled: u64,
    /// Created.
    pub created: u64,
    /// Updated.
    pub updated: u64,
    /// Disabled.
    pub disabled: u64,
    /// Deleted.
    pub deleted: u64,
    /// Skipped (out of scope or nothing to do).
    pub skipped: u64,
    /// Failed objects.
    pub failed: u64,
    /// Failed reference exports.
    pub reference_failures: u64,
    /// Reference exports sent (Graph `countImportedReferenceDeltas`).
    #[serde(default)]
    pub references: u64,
    /// Held back by the deletion threshold.
    pub staged_deletes: u64,
    /// Requests sent to the target, retries included.
    pub requests: u64,
}

/// One cycle, as the portal's sync details show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CycleSummary {
    /// 1-based cycle number.
    pub number: u32,
    /// Cycle id.
    pub cycle_id: String,
    /// Initial or incremental.
    pub kind: CycleKind,
    /// Start (simulated time).
    pub started: String,
    /// End (simulated time).
    pub ended: String,
    /// Simulated duration, milliseconds.
    pub simulated_duration_ms: u64,
    /// How it ended (Graph execution state).
    pub state: CycleState,
    /// Counters.
    pub counts: CycleCounts,
    /// Objects waiting in escrow after the cycle.
    pub escrowed: u64,
    /// Users in the connector data store after the cycle.
    pub users_in_connector_data_store: u64,
    /// Job status code after the cycle (`Active`, `Quarantine`, ...).
    pub job_status: JobStatus,
    /// Quarantine reason, when quarantined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<QuarantineReason>,
    /// No exports were needed: steady state.
    pub steady_state: bool,
    /// Why the cycle failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CycleSummary {
    /// The sync details as the portal would print them.
    pub fn render(&self) -> String {
        let c = &self.counts;
        let mut out = format!(
            "Cycle {} ({}) {} -> {} [{}]\n  imported {} | in scope {} | created {} | updated {} | disabled {} | deleted {} | skipped {} | failed {}",
            self.number,
            self.kind,
            self.started,
            self.ended,
            crate::duration::format_duration(std::time::Duration::from_millis(
                self.simulated_duration_ms
            )),
            c.imported,
            c.entitled,
            c.created,
            c.updated,
            c.disabled,
            c.deleted,
            c.skipped,
            c.failed
        );
        if c.staged_deletes > 0 {
            out.push_str(&format!(" | staged deletes {}", c.staged_deletes));
        }
        out.push_str(&format!(
            "\n  requests {} | escrowed {} | users in connector data store {} | job {}{}{}",
            c.requests,
            self.escrowed,
            self.users_in_connector_data_store,
            self.job_status,
            self.quarantine
                .as_ref()
                .map(|q| format!(" ({q})"))
                .unwrap_or_default(),
            if self.steady_state {
                " | steady state"
            } else {
                ""
            }
        ));
        if let Some(e) = &self.error {
            out.push_str(&format!("\n  error: {e}"));
        }
        out
    }
}
