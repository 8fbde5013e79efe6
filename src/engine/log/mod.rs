//! Provisioning logs (aad-provisioning-service.md §5): one entry per object per cycle, shaped
//! like Graph v1.0 `provisioningObjectSummary` (§5.2, rulings.md R5) with its steps and
//! modified properties; cycle summaries as the portal's sync details; JSON-lines and the
//! portal's CSV exports.

mod csv;
mod cycle;
mod graph;

pub(crate) use csv::write_csv;
pub use cycle::{CycleCounts, CycleSummary};
pub use graph::{
    ErrorCategory, ErrorInformation, Identity, Initiator, InitiatorType, Parties, PartyIds,
    ProvisioningSystem, ServicePrincipal,
};

use super::failure::FailureCode;
use super::names::names;
use super::scope::SkipReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;

/// The action of a log entry: Graph's `provisioningAction` in JSON (`create`, ...; §5.2),
/// the portal's label (`Create`, ...; §5.1) in CSV and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// A user was (or was to be) created.
    #[serde(rename = "create", alias = "Create")]
    Create,
    /// A user was updated.
    #[serde(rename = "update", alias = "Update")]
    Update,
    /// A user was deleted.
    #[serde(rename = "delete", alias = "Delete")]
    Delete,
    /// A user was disabled.
    #[serde(rename = "disable", alias = "Disable")]
    Disable,
    /// A deletion or disable held back by the accidental-deletion threshold.
    #[serde(rename = "stageddelete", alias = "StagedDelete")]
    StagedDelete,
    /// Nothing to do, e.g. already in sync or skipped.
    #[serde(rename = "other", alias = "Other")]
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

/// The status of a log entry or step: Graph's lower-case names in JSON (§5.2), the
/// portal's labels in CSV and reports (§5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Done.
    #[serde(rename = "success", alias = "Success")]
    Success,
    /// Failed.
    #[serde(rename = "failure", alias = "Failure")]
    Failure,
    /// Skipped.
    #[serde(rename = "skipped", alias = "Skipped")]
    Skipped,
    /// Done with a caveat.
    #[serde(rename = "warning", alias = "Warning")]
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
        /// Reading a newly assigned source object (incremental; §5.5 Example 2).
        EntryImportAdd,
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
    /// Details (`{}` when none, as in Graph's samples).
    #[serde(default)]
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

/// Status and error of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusInfo {
    /// Status.
    pub status: Status,
    /// Error details on failure (`null` otherwise, as in Graph's samples).
    #[serde(default)]
    pub error_information: Option<ErrorInformation>,
}

/// One provisioning log entry: Graph v1.0 `provisioningObjectSummary` (§5.2), every field
/// the engine knows, in Graph's names, nesting and casing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Entry id (a GUID per activity).
    pub id: String,
    /// When (simulated time, ISO 8601 UTC).
    pub activity_date_time: String,
    /// The Entra tenant.
    pub tenant_id: String,
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
    pub initiated_by: Initiator,
    /// Changed attributes.
    pub modified_properties: Vec<ModifiedProperty>,
    /// Steps, in the samples' order: import, matching, scoping, decision, export.
    pub provisioning_steps: Vec<Step>,
    /// The service principal of the provisioned application.
    pub service_principal: ServicePrincipal,
    /// The source object.
    pub source_identity: Identity,
    /// "Azure Active Directory".
    pub source_system: ProvisioningSystem,
    /// The target object.
    pub target_identity: Identity,
    /// The application, e.g. "Blink".
    pub target_system: ProvisioningSystem,
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

/// Writes entries as JSON lines.
pub fn write_json_lines(entries: &[LogEntry], out: &mut dyn Write) -> std::io::Result<()> {
    for e in entries {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
