//! Provisioning logs (aad-provisioning-service.md §5): one entry per object per cycle, shaped
//! like Graph's `provisioningObjectSummary`, with steps and modified properties; cycle
//! summaries as the portal's sync details; JSON-lines and CSV exports.

use super::failure::FailureCode;
use super::job::{JobStatus, QuarantineReason};
use super::names::names;
use super::scope::SkipReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;

/// The action of a log entry (LOGS: Create, Update, Delete, Disable, StagedDelete, Other).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// A user was (or was to be) created.
    Create,
    /// A user was updated.
    Update,
    /// A user was deleted.
    Delete,
    /// A user was disabled.
    Disable,
    /// A deletion or disable held back by the accidental-deletion threshold.
    StagedDelete,
    /// Nothing to do, e.g. already in sync or skipped.
    Other,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    /// The portal label.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "Create",
            Action::Update => "Update",
            Action::Delete => "Delete",
            Action::Disable => "Disable",
            Action::StagedDelete => "StagedDelete",
            Action::Other => "Other",
        }
    }
}

/// The status of a log entry or step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Done.
    Success,
    /// Failed.
    Failure,
    /// Skipped.
    Skipped,
    /// Done with a caveat.
    Warning,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Status {
    /// The portal label.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "Success",
            Status::Failure => "Failure",
            Status::Skipped => "Skipped",
            Status::Warning => "Warning",
        }
    }
}

/// The type of a provisioning step (Graph `provisioningStepType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepType {
    /// Reading the source object.
    Import,
    /// Evaluating scope.
    Scoping,
    /// Looking up the target object.
    Matching,
    /// Deciding what to do.
    Processing,
    /// Exporting a reference.
    ReferenceResolution,
    /// Writing to the target.
    Export,
}

names! {
    /// The name of a provisioning step (§5: Microsoft's samples' spellings).
    pub enum StepName ("step name") {
        /// Reading the source object, or (matching) the target object.
        EntryImport,
        /// Reading a changed source object (incremental).
        EntryImportUpdate,
        /// Reading a deleted source object (incremental).
        EntryImportDelete,
        /// Evaluating scope.
        EntrySynchronizationScoping,
        /// Deciding to skip the object.
        EntrySynchronizationSkip,
        /// Deciding to create it.
        EntrySynchronizationAdd,
        /// Deciding to update or disable it.
        EntrySynchronizationUpdate,
        /// Deciding to delete it.
        EntrySynchronizationDelete,
        /// Creating it.
        EntryExportAdd,
        /// Updating or disabling it, or exporting its reference.
        EntryExportUpdate,
        /// Deleting it.
        EntryExportDelete,
    }
}

names! {
    /// Whether a cycle read everything or only changes (HPW).
    pub enum CycleKind ("cycle kind") {
        /// Every object in scope, after start or restart.
        Initial,
        /// Changes since the watermark.
        Incremental,
    }
}

names! {
    /// How a cycle ended (Graph execution state).
    pub enum CycleState ("cycle state") {
        /// Every object exported.
        Succeeded,
        /// Some objects or references failed.
        EntryLevelErrors,
        /// The cycle did not run (test connection failed).
        Failed,
    }
}

/// One step of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Step name, e.g. `EntryExportAdd`.
    pub name: StepName,
    /// Step type.
    pub provisioning_step_type: StepType,
    /// Status.
    pub status: Status,
    /// Description, in the words of Microsoft's samples.
    pub description: String,
    /// Details.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

/// A changed attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    /// The attribute.
    pub display_name: String,
    /// Its value before, if any.
    pub old_value: Option<String>,
    /// Its value after.
    pub new_value: Option<String>,
}

/// A source or target identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// Object id (source) or SCIM id (target), empty when unknown.
    pub id: String,
    /// A name people recognise (UPN or userName).
    pub display_name: String,
    /// "User".
    pub identity_type: String,
}

/// Error details of a failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInformation {
    /// Error code, e.g. `EntryConflict`.
    pub error_code: FailureCode,
    /// Reason.
    pub reason: String,
    /// `nonServiceFailure` for target-side errors.
    pub error_category: String,
}

/// Status and error of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusInfo {
    /// Status.
    pub status: Status,
    /// Error details on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_information: Option<ErrorInformation>,
}

/// One provisioning log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Entry id (the change id).
    pub id: String,
    /// When (simulated time).
    pub activity_date_time: String,
    /// The job.
    pub job_id: String,
    /// The cycle ("Unique ID per job iteration").
    pub cycle_id: String,
    /// The change ("Unique ID of this change in this cycle").
    pub change_id: String,
    /// The action.
    pub provisioning_action: Action,
    /// Simulated duration of this object's processing.
    pub duration_in_milliseconds: u64,
    /// Who started it.
    pub initiated_by: String,
    /// The source object.
    pub source_identity: Identity,
    /// The target object.
    pub target_identity: Identity,
    /// "Azure Active Directory".
    pub source_system: String,
    /// "Blink".
    pub target_system: String,
    /// Changed attributes.
    pub modified_properties: Vec<ModifiedProperty>,
    /// Steps.
    pub provisioning_steps: Vec<Step>,
    /// Status and error.
    pub provisioning_status_info: StatusInfo,
}

impl LogEntry {
    /// The status.
    pub fn status(&self) -> Status {
        self.provisioning_status_info.status
    }

    /// The error code, if it failed.
    pub fn error_code(&self) -> Option<FailureCode> {
        self.provisioning_status_info
            .error_information
            .as_ref()
            .map(|e| e.error_code)
    }

    /// The skip reason from its steps, if it was skipped.
    pub fn skip_reason(&self) -> Option<SkipReason> {
        self.provisioning_steps
            .iter()
            .rev()
            .find_map(|s| s.details.get("SkipReason")?.parse().ok())
    }
}

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

/// Writes entries as JSON lines.
pub fn write_json_lines(entries: &[LogEntry], out: &mut dyn Write) -> std::io::Result<()> {
    for e in entries {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Writes the three CSV files the portal downloads (ANALYZE): the entries, their steps and
/// their modified properties, joined by change id.
pub(crate) fn write_csv(
    entries: &[LogEntry],
    logs: &mut dyn Write,
    steps: &mut dyn Write,
    modified: &mut dyn Write,
) -> std::io::Result<()> {
    write_entries_csv(entries, logs)?;
    write_steps_csv(entries, steps)?;
    write_modified_csv(entries, modified)
}

fn write_entries_csv(entries: &[LogEntry], logs: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(logs);
    w.write_record([
        "Date",
        "Identity",
        "Action",
        "Source System",
        "Target System",
        "Status",
        "Source ID",
        "Target ID",
        "Job ID",
        "Cycle ID",
        "Change ID",
        "Error Code",
        "Reason",
        "Duration (ms)",
    ])
    .map_err(csv_err)?;
    for e in entries {
        let err = e.provisioning_status_info.error_information.as_ref();
        w.write_record([
            e.activity_date_time.as_str(),
            e.source_identity.display_name.as_str(),
            e.provisioning_action.as_str(),
            e.source_system.as_str(),
            e.target_system.as_str(),
            e.status().as_str(),
            e.source_identity.id.as_str(),
            e.target_identity.id.as_str(),
            e.job_id.as_str(),
            e.cycle_id.as_str(),
            e.change_id.as_str(),
            err.map_or("", |x| x.error_code.as_str()),
            err.map_or("", |x| x.reason.as_str()),
            &e.duration_in_milliseconds.to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

fn write_steps_csv(entries: &[LogEntry], steps: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(steps);
    w.write_record([
        "Change ID",
        "Step",
        "Name",
        "Type",
        "Status",
        "Description",
        "Details",
    ])
    .map_err(csv_err)?;
    for e in entries {
        for (i, s) in e.provisioning_steps.iter().enumerate() {
            let details = serde_json::to_string(&s.details).unwrap_or_default();
            let kind = serde_json::to_value(s.provisioning_step_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            w.write_record([
                e.change_id.as_str(),
                &(i + 1).to_string(),
                s.name.as_str(),
                &kind,
                s.status.as_str(),
                s.description.as_str(),
                &details,
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn write_modified_csv(entries: &[LogEntry], modified: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(modified);
    w.write_record(["Change ID", "Name", "Old Value", "New Value"])
        .map_err(csv_err)?;
    for e in entries {
        for m in &e.modified_properties {
            w.write_record([
                e.change_id.as_str(),
                m.display_name.as_str(),
                m.old_value.as_deref().unwrap_or(""),
                m.new_value.as_deref().unwrap_or(""),
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush()
}
