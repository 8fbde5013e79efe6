//! One object's outcome in a cycle and the log entry drafted from it (§5): the import and
//! scoping steps, skips, failures, matches, and the finished entry with its ids and times.

use super::reference::RefTask;
use super::{Ctx, Run};
use crate::engine::client::TraceEntry;
use crate::engine::directory::UserRecord;
use crate::engine::failure::Failure;
use crate::engine::job::{LinkChange, ProvisioningJob};
use crate::engine::log::{
    Action, ErrorInformation, Identity, Initiator, LogEntry, ModifiedProperty, Status, StatusInfo,
    Step, StepName, StepType,
};
use crate::engine::scope::{ScopeResult, SkipReason};
use crate::engine::wire::Change;
use crate::scim::datetime::format_millis;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// What one object's pipeline produced.
pub(crate) struct Outcome {
    pub object_id: String,
    pub upn: String,
    pub entry: EntryDraft,
    pub trace: Vec<TraceEntry>,
    /// Requests sent for the object (the trace's length, kept when the trace is not).
    pub requests: usize,
    pub link: LinkChange,
    pub failure: Option<Failure>,
    pub cost: Duration,
    pub reference: Option<RefTask>,
    pub entitled: bool,
    pub escrow_clear: bool,
    /// Whether steps and modified properties are written: not when the cycle's log entries
    /// are dropped anyway (`retain_logs` off), which saves building them for every object.
    pub detail: bool,
}

/// A log entry under construction.
#[derive(Clone, Debug)]
pub(crate) struct EntryDraft {
    pub action: Action,
    pub status: Status,
    pub steps: Vec<Step>,
    pub modified: Vec<ModifiedProperty>,
    pub target: Identity,
    pub error: Option<Failure>,
}

/// Where and when a finished entry belongs.
pub(crate) struct Stamp {
    pub cycle_id: String,
    pub change_id: String,
    pub at: i64,
    pub on_demand: bool,
}

/// A step without details.
pub(crate) fn step(name: StepName, kind: StepType, status: Status, description: String) -> Step {
    Step {
        name,
        provisioning_step_type: kind,
        status,
        description,
        details: BTreeMap::new(),
    }
}

pub(crate) fn details<const N: usize>(mut s: Step, pairs: [(&str, String); N]) -> Step {
    for (k, v) in pairs {
        s.details.insert(k.to_string(), v);
    }
    s
}

pub(crate) fn tf(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

fn import_step(ctx: &Ctx<'_>, record: &UserRecord, scope: &ScopeResult) -> Step {
    let u = &record.user;
    let upn = &u.user_principal_name;
    let kind = ctx.resource.kind;
    let import = if ctx.run != Run::Incremental {
        step(
            StepName::EntryImport,
            StepType::Import,
            Status::Success,
            format!("Retrieved {kind} '{upn}' from Azure Active Directory"),
        )
    } else {
        // A user the connector data store has no link for is an Add (§5.5 Example 2).
        let (name, change) = if record.is_hard_deleted() {
            (StepName::EntryImportDelete, "Delete")
        } else if !ctx.job.links().contains_key(&u.object_id) {
            (StepName::EntryImportAdd, "Add")
        } else {
            (StepName::EntryImportUpdate, "Update")
        };
        step(
            name,
            StepType::Import,
            Status::Success,
            format!(
                "Received {kind} '{upn}' change of type ({change}) from Azure Active Directory"
            ),
        )
    };
    let roles: Vec<String> = scope.roles.iter().map(|r| r.value.clone()).collect();
    details(
        import,
        [
            ("objectId", u.object_id.clone()),
            ("userPrincipalName", upn.clone()),
            ("accountEnabled", tf(u.account_enabled)),
            ("IsSoftDeleted", tf(scope.is_soft_deleted())),
            ("appRoleAssignments", roles.join(",")),
        ],
    )
}

fn scoping_step(ctx: &Ctx<'_>, scope: &ScopeResult) -> Step {
    details(
        step(
            StepName::EntrySynchronizationScoping,
            StepType::Scoping,
            if scope.in_scope() && scope.is_active {
                Status::Success
            } else {
                Status::Skipped
            },
            format!(
                "Determine if {} in scope by evaluating against each scoping filter",
                ctx.resource.kind
            ),
        ),
        [
            ("IsActive", tf(scope.is_active)),
            ("Assigned", tf(scope.assigned)),
            (
                "IsEffectivelyEntitledForProvisioning",
                tf(scope.assigned && scope.effectively_entitled),
            ),
            ("IsInProvisioningScopeDisplayName", tf(scope.passes_filters)),
            (
                "ScopeEvaluationResult",
                if scope.passes_filters {
                    "{}".into()
                } else {
                    "{\"ScopingFilters\":\"False\"}".into()
                },
            ),
        ],
    )
}

impl Outcome {
    /// An outcome with the import and scoping steps, skipped until a stage says otherwise.
    pub(crate) fn new(ctx: &Ctx<'_>, record: &UserRecord, scope: &ScopeResult) -> Outcome {
        let detail = ctx.keeps_detail();
        let steps = match detail {
            true => vec![import_step(ctx, record, scope), scoping_step(ctx, scope)],
            false => Vec::new(),
        };
        let (id, upn) = (&record.user.object_id, &record.user.user_principal_name);
        let mut o = Outcome::with_steps(ctx, id, upn, scope.in_scope(), steps);
        o.detail = detail;
        o
    }

    /// An outcome for the object `object_id` named `name`, skipped until a stage says
    /// otherwise, starting with `steps`.
    pub(crate) fn with_steps(
        ctx: &Ctx<'_>,
        object_id: &str,
        name: &str,
        entitled: bool,
        steps: Vec<Step>,
    ) -> Outcome {
        Outcome {
            object_id: object_id.to_string(),
            upn: name.to_string(),
            entry: EntryDraft {
                action: Action::Other,
                status: Status::Skipped,
                steps,
                modified: Vec::new(),
                target: ctx.resource.identity("", ""),
                error: None,
            },
            trace: Vec::new(),
            requests: 0,
            link: LinkChange::Keep,
            failure: None,
            cost: ctx.object_overhead(),
            reference: None,
            entitled,
            escrow_clear: false,
            detail: true,
        }
    }

    /// Ends the pipeline with a failed export step.
    pub(crate) fn fail(
        mut self,
        action: Action,
        name: StepName,
        description: String,
        f: Failure,
    ) -> Outcome {
        self.push_export_step(name, Status::Failure, description);
        self.entry.action = action;
        self.entry.status = Status::Failure;
        self.entry.error = Some(f.clone());
        self.failure = Some(f);
        self
    }

    /// Ends the pipeline because its mappings did not evaluate.
    pub(crate) fn unevaluated(
        self,
        ctx: &Ctx<'_>,
        action: Action,
        name: StepName,
        f: Failure,
    ) -> Outcome {
        let description = format!(
            "Failed to evaluate the mappings of {} '{}'",
            ctx.resource.kind, self.upn
        );
        self.fail(action, name, description, f)
    }

    /// Ends the pipeline with a skip step; a skip closes the object's escrow.
    pub(crate) fn skip(mut self, reason: SkipReason, description: String) -> Outcome {
        if self.detail {
            self.entry.steps.push(details(
                // Typed Export as in Microsoft's sample (§5.4).
                step(
                    StepName::EntrySynchronizationSkip,
                    StepType::Export,
                    Status::Skipped,
                    description,
                ),
                [("SkipReason", reason.as_str().to_string())],
            ));
        }
        self.entry.action = Action::Other;
        self.entry.status = Status::Skipped;
        self.escrow_clear = true;
        self
    }

    /// Adds a decision step that succeeded, typed matching as in Graph's Example 2 (§5.5).
    pub(crate) fn decide(&mut self, name: StepName, description: String) {
        if self.detail {
            self.entry
                .steps
                .push(step(name, StepType::Matching, Status::Success, description));
        }
    }

    /// Records a successful export as `action`.
    pub(crate) fn exported(&mut self, action: Action, name: StepName, description: String) {
        self.push_export_step(name, Status::Success, description);
        self.entry.action = action;
        self.entry.status = Status::Success;
        self.escrow_clear = true;
    }

    /// Adds an export step naming the object as Graph's Example 2 does (§5.5).
    fn push_export_step(&mut self, name: StepName, status: Status, description: String) {
        if self.detail {
            let export = details(
                step(name, StepType::Export, status, description),
                [("ReportableIdentifier", self.upn.clone())],
            );
            self.entry.steps.push(export);
        }
    }

    pub(crate) fn add_call_cost(&mut self, cost: Duration) {
        self.cost += cost;
    }

    /// Records the target object found by a match or read.
    pub(crate) fn matched(&mut self, ctx: &Ctx<'_>, target_id: &str, user_name: &str) {
        self.entry.target = ctx.resource.identity(target_id, user_name);
        if !self.detail {
            return;
        }
        // Right after the import step: the samples match before scoping (§5.4).
        let at = self
            .entry
            .steps
            .iter()
            .position(|s| {
                !matches!(
                    s.provisioning_step_type,
                    StepType::Import | StepType::Matching
                )
            })
            .unwrap_or(self.entry.steps.len());
        self.entry.steps.insert(
            at,
            details(
                step(
                    StepName::EntryImport,
                    StepType::Matching,
                    Status::Success,
                    // Double space as in Microsoft's sample (§5 EntryImport, sic).
                    format!("Retrieved  '{user_name}' from {}", ctx.target()),
                ),
                [
                    ("id", target_id.to_string()),
                    (ctx.resource.kind.name_attribute(), user_name.to_string()),
                ],
            ),
        );
    }

    /// Completes the draft into a Graph-shaped log entry with ids and times (§5.2).
    pub(crate) fn finish(self, job: &ProvisioningJob, stamp: Stamp) -> LogEntry {
        let draft = self.entry;
        let parties = job.parties();
        LogEntry {
            id: stamp.change_id.clone(),
            activity_date_time: format_millis(stamp.at),
            tenant_id: parties.tenant_id.clone(),
            job_id: job.job_id().to_string(),
            cycle_id: stamp.cycle_id,
            change_id: stamp.change_id,
            provisioning_action: draft.action,
            duration_in_milliseconds: u64::try_from(self.cost.as_millis()).unwrap_or(u64::MAX),
            initiated_by: if stamp.on_demand {
                Initiator::on_demand()
            } else {
                Initiator::service()
            },
            modified_properties: draft.modified,
            provisioning_steps: draft.steps,
            service_principal: parties.service_principal.clone(),
            source_identity: Identity {
                id: self.object_id,
                display_name: self.upn,
                identity_type: draft.target.identity_type.clone(),
                details: BTreeMap::new(),
            },
            source_system: parties.source_system.clone(),
            target_identity: draft.target,
            target_system: parties.target_system.clone(),
            provisioning_status_info: StatusInfo {
                status: draft.status,
                error_information: draft
                    .error
                    .map(|f| ErrorInformation::target(f.code, f.reason)),
            },
        }
    }
}

/// A target value as the logs show it: booleans as Azure AD writes them ("True"/"False").
fn old_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

/// The modified properties of `changes`, with redacted targets hidden.
pub(crate) fn modified(changes: &[Change], redacted: &[String]) -> Vec<ModifiedProperty> {
    changes
        .iter()
        .map(|c| {
            let hide = redacted.iter().any(|r| r.eq_ignore_ascii_case(&c.target));
            let show = |s: String| if hide { "[Redact]".to_string() } else { s };
            ModifiedProperty {
                display_name: c.target.clone(),
                old_value: c.old.as_ref().map(|v| show(old_text(v))),
                new_value: Some(show(c.new.display())),
            }
        })
        .collect()
}
