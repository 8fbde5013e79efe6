//! Reference attributes, exported after every object of the cycle exists (HPW step 6;
//! SCIMDEV Example 5): the manager today, group members next.

use super::Ctx;
use super::entry::{Outcome, step};
use crate::engine::client::TraceEntry;
use crate::engine::directory::Directory;
use crate::engine::failure::{self, Failure, Verb};
use crate::engine::job::JobState;
use crate::engine::log::{Action, ModifiedProperty, Status, Step, StepName, StepType};
use crate::engine::mapping::{Desired, Evaluation};
use crate::engine::wire;
use http::Method;
use serde_json::Value;
use std::time::Duration;

/// A manager reference to export after all objects (HPW step 6).
#[derive(Clone, Debug)]
pub(crate) struct RefTask {
    pub object_id: String,
    pub target_id: String,
    pub desired: Option<String>,
    pub current: Option<String>,
}

/// What exporting one reference produced.
#[derive(Default)]
pub(crate) struct RefResult {
    pub step: Option<Step>,
    pub modified: Option<ModifiedProperty>,
    /// The manager id now in the target, when the PATCH succeeded (`Some(None)`: removed).
    pub exported: Option<Option<String>>,
    /// The out-of-scope manager the object was exported without, when it was.
    pub awaiting: Option<String>,
    pub failure: Option<Failure>,
    pub trace: Vec<TraceEntry>,
    pub cost: Duration,
}

fn reference_step(status: Status, description: String) -> Step {
    step(
        StepName::EntryExportUpdate,
        StepType::ReferenceResolution,
        status,
        description,
    )
}

impl RefResult {
    /// Applies the export to its object: its step and modified property, the link's manager,
    /// and a warning when only the reference failed; returns that failure.
    pub(crate) fn apply(self, state: &mut JobState, o: &mut Outcome) -> Option<Failure> {
        o.entry.steps.extend(self.step);
        o.entry.modified.extend(self.modified);
        if self.awaiting.is_some() {
            state.set_awaiting_manager(&o.object_id, self.awaiting);
        }
        if let Some(manager) = self.exported {
            state.set_link_manager(&o.object_id, manager);
            state.set_awaiting_manager(&o.object_id, None);
            // A user whose only change was its manager counts as updated, not skipped.
            let entry = &mut o.entry;
            if entry.action == Action::Other && entry.status == Status::Skipped {
                entry
                    .steps
                    .retain(|s| s.name != StepName::EntrySynchronizationSkip);
                entry.action = Action::Update;
                entry.status = Status::Success;
            }
        }
        let f = self.failure?;
        // The user itself is fine; only its reference failed.
        if o.entry.status != Status::Failure {
            o.entry.status = Status::Warning;
        }
        o.entry.error.get_or_insert(f.clone());
        Some(f)
    }
}

impl Ctx<'_> {
    /// The reference to export for an object, when it has or should have one.
    pub(crate) fn reference_task(
        &self,
        eval: &Evaluation,
        object_id: &str,
        target_id: &str,
        current: Option<String>,
    ) -> Option<RefTask> {
        let attribute = self.resource.reference_attribute()?;
        let desired = match eval.get(attribute) {
            Some(Desired::Reference(id)) => Some(id.clone()),
            _ => None,
        };
        (desired.is_some() || current.is_some()).then(|| RefTask {
            object_id: object_id.to_string(),
            target_id: target_id.to_string(),
            desired,
            current,
        })
    }

    /// The reference now in the target: read from `current` when it was read, else the one
    /// last exported.
    pub(crate) fn current_reference(
        &self,
        object_id: &str,
        current: Option<&Value>,
    ) -> Option<String> {
        match (current, self.resource.reference_attribute()) {
            (Some(c), Some(t)) => wire::value_at(c, t).and_then(|v| v.as_str().map(str::to_string)),
            (None, _) => self
                .job
                .state()
                .links()
                .get(object_id)
                .and_then(|l| l.manager.clone()),
            _ => None,
        }
    }

    /// Whether the reference of `object_id` to `manager` waits for a restart: it was exported
    /// without that manager while the manager was out of scope, and this is no initial cycle
    /// (known-issues.md "Manager isn't provisioned", rulings.md R7).
    fn waits_for_restart(&self, object_id: &str, manager: &str) -> bool {
        self.job
            .config()
            .known_issues
            .manager_in_scope_needs_restart
            && self.run != super::Run::Initial
            && self
                .job
                .state()
                .awaiting_manager()
                .get(object_id)
                .map(String::as_str)
                == Some(manager)
    }

    /// The skipped step of a reference to manager `m` that has no link: a manager that failed
    /// (escrowed) is in scope and waits for the report's next processing; any other is out of
    /// scope, and the report is exported without it (known-issues.md, rulings.md R7).
    fn unprovisioned_manager(&self, upn: &str, m: &str, name: &str, r: &mut RefResult) -> Step {
        let target = self.target();
        let name = if name.is_empty() { m } else { name };
        let description = if self.job.state().escrows().contains_key(m) {
            format!(
                "The manager '{name}' of User '{upn}' is not provisioned in {target} yet: the reference is exported when User '{upn}' is next processed"
            )
        } else {
            r.awaiting = Some(m.to_string());
            let then = if self
                .job
                .config()
                .known_issues
                .manager_in_scope_needs_restart
            {
                "is not updated until provisioning is restarted"
            } else {
                "is exported when the manager comes into scope"
            };
            format!(
                "The manager '{name}' of User '{upn}' is not in scope: User '{upn}' is provisioned without the manager reference, which {then}"
            )
        };
        reference_step(Status::Skipped, description)
    }

    /// Exports one manager reference: after both users exist; deferred while the manager is
    /// not provisioned (KNOWN "Manager isn't provisioned").
    pub(crate) async fn export_reference(
        &self,
        dir: &Directory,
        upn: &str,
        task: &RefTask,
    ) -> RefResult {
        let mut r = RefResult::default();
        let target = self.target();
        let manager_target = task.desired.as_ref().and_then(|m| {
            self.job
                .state()
                .managed_link(m)
                .map(|l| l.target_id.clone())
        });
        let manager_upn = task
            .desired
            .as_ref()
            .and_then(|m| dir.user(m))
            .map(|r| r.user.user_principal_name.clone());
        let dialect = self.dialect();
        let manager_name = || manager_upn.clone().unwrap_or_default();
        let (body, new_id) = match (&task.desired, manager_target) {
            (Some(_), Some(id)) if task.current.as_deref() == Some(id.as_str()) => return r,
            (Some(m), Some(_)) if self.waits_for_restart(&task.object_id, m) => {
                r.step = Some(reference_step(
                    Status::Skipped,
                    format!(
                        "The manager '{}' of User '{upn}' came into scope after User '{upn}' was provisioned without it: the reference is not updated until provisioning is restarted",
                        manager_name()
                    ),
                ));
                return r;
            }
            (Some(_), Some(id)) => (wire::manager_body(&id, dialect), Some(id)),
            (Some(m), None) => {
                r.step = Some(self.unprovisioned_manager(upn, m, &manager_name(), &mut r));
                return r;
            }
            (None, _) => match &task.current {
                Some(old) => (wire::remove_manager_body(old, dialect), None),
                None => return r,
            },
        };
        let path = self.resource.path(&task.target_id);
        let request = self.client.request(Method::PATCH, &path, Some(&body));
        let call = self.client.call(request, &mut r.trace).await;
        r.cost = call.cost;
        match failure::check(call.outcome, Verb::Reference, upn, target) {
            Ok(_) => {
                let description = match (&new_id, &manager_upn) {
                    (Some(_), Some(m)) => {
                        format!("Manager of User '{upn}' set to '{m}' in {target}")
                    }
                    _ => format!("Manager of User '{upn}' removed in {target}"),
                };
                r.step = Some(reference_step(Status::Success, description));
                r.modified = Some(ModifiedProperty {
                    display_name: format!("{}:manager", crate::scim::schema::ENTERPRISE_SCHEMA),
                    old_value: task.current.clone(),
                    new_value: new_id.clone(),
                });
                r.exported = Some(new_id);
            }
            Err(f) => {
                r.step = Some(reference_step(
                    Status::Failure,
                    format!("Failed to update the manager of User '{upn}' in {target}"),
                ));
                r.failure = Some(f);
            }
        }
        r
    }
}
