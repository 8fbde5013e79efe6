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
        if let Some(manager) = self.exported {
            state.set_link_manager(&o.object_id, manager);
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
        target_id: &str,
        current: Option<String>,
    ) -> Option<RefTask> {
        let attribute = self.resource.reference_attribute()?;
        let desired = match eval.get(attribute) {
            Some(Desired::Reference(id)) => Some(id.clone()),
            _ => None,
        };
        (desired.is_some() || current.is_some()).then(|| RefTask {
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
        let (body, new_id) = match (&task.desired, manager_target) {
            (Some(_), Some(id)) if task.current.as_deref() == Some(id.as_str()) => return r,
            (Some(_), Some(id)) => (wire::manager_body(&id, dialect), Some(id)),
            (Some(m), None) => {
                r.step = Some(reference_step(
                    Status::Skipped,
                    format!(
                        "The manager '{}' of User '{upn}' is not provisioned in {target} yet: the reference is exported when User '{upn}' is next processed",
                        manager_upn.unwrap_or_else(|| m.clone())
                    ),
                ));
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
