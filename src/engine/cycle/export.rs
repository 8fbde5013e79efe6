//! Writes to the target (HPW step 5): create, update, disable and delete, each recorded in
//! the object's log entry as its export step, modified properties or failure.

use super::Ctx;
use super::entry::{Outcome, modified};
use super::lookup::{Named, content_type_ok, resource_id};
use crate::engine::directory::UserRecord;
use crate::engine::failure::{self, Verb};
use crate::engine::job::{Link, LinkChange};
use crate::engine::log::{Action, Status, StepName};
use crate::engine::mapping::{self, Desired, Evaluation};
use crate::engine::scope::{ScopeResult, SkipReason};
use crate::engine::wire::{self, Change};
use http::Method;
use serde_json::Value;

/// The skip description when source and target already agree (Microsoft's wording).
fn redundant(kind: impl std::fmt::Display, upn: &str) -> String {
    format!(
        "The state of the user in both the source and target systems already match. No change to the {kind} '{upn}' currently needs to be made."
    )
}

pub(super) fn linked(target_id: String, user_name: String) -> LinkChange {
    LinkChange::Set(Link {
        target_id,
        user_name,
        managed: true,
        manager: None,
    })
}

/// Why a managed user is disabled, for the decision step.
fn disable_reason(record: &UserRecord, scope: &ScopeResult) -> &'static str {
    if record.is_soft_deleted() {
        "User is soft-deleted in Azure Active Directory"
    } else if !record.user.account_enabled {
        "User is disabled (accountEnabled is false) in Azure Active Directory"
    } else if !scope.assigned || !scope.effectively_entitled {
        "User is no longer assigned to the application"
    } else {
        "User no longer passes the scoping filters"
    }
}

impl Ctx<'_> {
    /// Creates the object (or, after a lost response and a 409, matches what was created).
    pub(crate) async fn create(&self, o: Outcome, eval: Evaluation) -> Outcome {
        let (o, allowed) = self.may_create(o);
        if !allowed {
            return o;
        }
        let body = wire::create_body(&eval);
        match self.post(o, &eval, &body).await {
            Ok((o, resource, attempts)) => self.created(o, &eval, resource, attempts),
            Err(failed) => failed,
        }
    }

    /// Records the decision to create an unmatched object and returns true, or its skip when
    /// the Create action is off and false.
    pub(crate) fn may_create(&self, mut o: Outcome) -> (Outcome, bool) {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        if !self.job.config().actions.create {
            let o = o.skip(
                SkipReason::CreateNotAllowed,
                format!(
                    "{kind} '{upn}' has no match in {target} and the Create action is not enabled"
                ),
            );
            return (o, false);
        }
        o.decide(StepName::EntrySynchronizationAdd, format!("{kind} '{upn}' will be created in {target} ({kind} is active and assigned in Azure Active Directory, but no matching {kind} was found in {target})"));
        (o, true)
    }

    /// POSTs `body` to the kind's endpoint: the created resource's names and the attempts it
    /// took (or, after a lost response and a 409, the match of `eval`), or the failed outcome.
    pub(crate) async fn post(
        &self,
        mut o: Outcome,
        eval: &Evaluation,
        body: &Value,
    ) -> Result<(Outcome, Named, u32), Outcome> {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        let request = self
            .client
            .request(Method::POST, self.resource.kind.endpoint(), Some(body));
        let call = self.client.call(request, &mut o.trace).await;
        o.add_call_cost(call.cost);
        let failed = format!("Failed to create {kind} '{upn}' in {target}");
        let resource = match call.outcome {
            // A retried create that meets 409: the lost attempt was applied, so match again.
            Ok(resp) if resp.status.as_u16() == 409 && call.uncertain => {
                let conflict =
                    self.failure_of(failure::from_response(Verb::Create, &upn, target, &resp));
                match self.find(&mut o, eval).await {
                    Ok(Some(found)) if resource_id(&found).is_some() => Named::of(&found),
                    _ => {
                        return Err(o.fail(
                            Action::Create,
                            StepName::EntryExportAdd,
                            failed,
                            conflict,
                        ));
                    }
                }
            }
            outcome => match failure::check(outcome, Verb::Create, &upn, target) {
                // Only the names are read: the rest of the resource is not kept.
                Ok(resp) => match Named::parse(&resp.body).filter(|_| content_type_ok(&resp)) {
                    Some(named) if named.id.is_some() => named,
                    _ => {
                        let status = resp.status.as_u16();
                        let f = self.failure_of(failure::incompatible(
                            Verb::Create,
                            &upn,
                            target,
                            status,
                        ));
                        return Err(o.fail(Action::Create, StepName::EntryExportAdd, failed, f));
                    }
                },
                Err(f) => {
                    let f = self.failure_of(f);
                    return Err(o.fail(Action::Create, StepName::EntryExportAdd, failed, f));
                }
            },
        };
        Ok((o, resource, call.attempts))
    }

    /// Records a created object: its export step, values and link, and its reference task.
    fn created(
        &self,
        mut o: Outcome,
        eval: &Evaluation,
        resource: Named,
        attempts: u32,
    ) -> Outcome {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        let id = resource.id.unwrap_or_default();
        let user_name = resource.user_name;
        let mut description = format!("{kind} '{upn}' was created in {target}");
        if attempts > 1 {
            description.push_str(&format!(" (after {attempts} attempts)"));
        }
        o.exported(Action::Create, StepName::EntryExportAdd, description);
        if o.detail {
            if let Some(last) = o.entry.steps.last_mut() {
                last.details
                    .insert("ReportableIdentifier".into(), upn.clone());
            }
            let exported: Vec<Change> = eval
                .values
                .iter()
                .filter(|(_, d)| !matches!(d, Desired::Reference(_)))
                .map(|(t, d)| Change {
                    target: t.clone(),
                    old: None,
                    new: d.clone(),
                })
                .collect();
            o.entry.modified = modified(&exported, &eval.redacted);
        }
        o.entry.target = self.resource.identity(&id, &user_name);
        o.reference = self.reference_task(eval, &o.object_id, &id, None);
        o.link = linked(id, user_name);
        o
    }

    /// Updates the linked or matched object `id`, whose state `current` was read (if it was).
    pub(crate) async fn update(
        &self,
        o: Outcome,
        record: &UserRecord,
        scope: &ScopeResult,
        id: String,
        current: Option<Value>,
    ) -> Outcome {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        let eval = match self.evaluate(record, scope, false, mapping::Operation::Update) {
            Ok(e) => e,
            Err(f) => {
                return o.unevaluated(
                    self,
                    Action::Update,
                    StepName::EntrySynchronizationUpdate,
                    f,
                );
            }
        };
        let changes: Vec<Change> = eval
            .values
            .iter()
            .filter(|(_, d)| !matches!(d, Desired::Reference(_)))
            .filter_map(|(t, d)| {
                let old = current.as_ref().and_then(|c| wire::value_ref_at(c, t));
                (current.is_none() || !wire::same(old, d)).then(|| Change {
                    target: t.clone(),
                    old: old.cloned(),
                    new: d.clone(),
                })
            })
            .collect();
        let mut o = o;
        // With the Update action off, references are not exported either.
        if self.job.config().actions.update {
            let current_reference =
                self.current_reference(&record.user.object_id, current.as_ref());
            o.reference = self.reference_task(&eval, &o.object_id, &id, current_reference);
        }
        if changes.is_empty() {
            // The reference task set above still runs: a manager change alone is exported.
            return o.skip(SkipReason::RedundantExport, redundant(kind, &upn));
        }
        if !self.job.config().actions.update {
            return o.skip(
                SkipReason::UpdateNotAllowed,
                format!("{kind} '{upn}' differs in {target} but the Update action is not enabled"),
            );
        }
        o.decide(StepName::EntrySynchronizationUpdate, format!("{kind} '{upn}' will be updated in {target} ({kind} is active and assigned in Azure Active Directory, and a matching {kind} was found in {target})"));
        self.export_patch(o, &id, &changes, &eval.redacted, Action::Update)
            .await
    }

    /// Disables a managed object that left scope or became inactive; `unmanage` when it left
    /// scope, so a later delete sends nothing (HPW known limitations).
    pub(crate) async fn deprovision(
        &self,
        mut o: Outcome,
        record: &UserRecord,
        scope: &ScopeResult,
        unmanage: bool,
    ) -> Outcome {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        let Some(link) = self.linked_target(&mut o, record) else {
            return self.not_provisioned(o);
        };
        let eval = match self.evaluate(record, scope, true, mapping::Operation::Update) {
            Ok(e) => e,
            Err(f) => {
                return o.unevaluated(
                    self,
                    Action::Disable,
                    StepName::EntrySynchronizationUpdate,
                    f,
                );
            }
        };
        let Some((active_target, desired)) = eval
            .values
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case("active"))
            .cloned()
        else {
            return o.skip(SkipReason::NoActiveMapping, format!("{kind} '{upn}' left scope but no mapping feeds 'active' (IsSoftDeleted), so nothing is sent to {target}"));
        };
        let unmanaged = LinkChange::Set(Link {
            managed: !unmanage,
            ..link.clone()
        });
        let (mut o, current) = match self.read_linked(o, &link, Action::Disable).await {
            Ok(read) => read,
            Err(failed) => return failed,
        };
        let old = current
            .as_ref()
            .and_then(|c| wire::value_at(c, &active_target));
        if current.is_some() && wire::same(old.as_ref(), &desired) {
            let mut o = o.skip(SkipReason::RedundantExport, redundant(kind, &upn));
            o.link = unmanaged;
            return o;
        }
        let why = disable_reason(record, scope);
        o.decide(
            StepName::EntrySynchronizationUpdate,
            format!("{kind} '{upn}' will be disabled in {target} ({why})"),
        );
        let change = Change {
            target: active_target,
            old,
            new: desired,
        };
        let changes = std::slice::from_ref(&change);
        let mut o = self
            .export_patch(o, &link.target_id, changes, &eval.redacted, Action::Disable)
            .await;
        if o.entry.status == Status::Success {
            o.link = unmanaged;
        }
        o
    }

    /// Sends one PATCH of `changes` to the target object `id` and records it as `action`
    /// (Update or Disable): the export step, the modified properties, or the failure.
    async fn export_patch(
        &self,
        mut o: Outcome,
        id: &str,
        changes: &[Change],
        redacted: &[String],
        action: Action,
    ) -> Outcome {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        let (verb, doing, done) = match action {
            Action::Disable => (Verb::Disable, "disable", "disabled"),
            _ => (Verb::Update, "update", "updated"),
        };
        let body = wire::update_body(changes, self.dialect());
        let path = self.resource.path(id);
        let request = self.client.request(Method::PATCH, &path, Some(&body));
        let call = self.client.call(request, &mut o.trace).await;
        o.add_call_cost(call.cost);
        match failure::check(call.outcome, verb, &upn, target) {
            Ok(_) => {
                let description = format!("{kind} '{upn}' was {done} in {target}");
                o.exported(action, StepName::EntryExportUpdate, description);
                if o.detail {
                    o.entry.modified = modified(changes, redacted);
                }
                o
            }
            Err(f) => {
                let description = format!("Failed to {doing} {kind} '{upn}' in {target}");
                o.fail(action, StepName::EntryExportUpdate, description, f)
            }
        }
    }

    /// The object's link, its target recorded.
    fn linked_target(&self, o: &mut Outcome, record: &UserRecord) -> Option<Link> {
        let link = self.job.state().links().get(&record.user.object_id)?;
        o.entry.target = self.resource.identity(&link.target_id, &link.user_name);
        Some(link.clone())
    }

    /// Ends the pipeline of an object that has no link.
    fn not_provisioned(&self, o: Outcome) -> Outcome {
        let description = format!(
            "{} '{}' is not provisioned in {}",
            self.resource.kind,
            o.upn,
            self.target()
        );
        o.skip(SkipReason::NotManaged, description)
    }

    /// Deletes a managed object that was permanently deleted in the directory.
    pub(crate) async fn delete(&self, mut o: Outcome, record: &UserRecord) -> Outcome {
        let Some(link) = self.linked_target(&mut o, record) else {
            return self.not_provisioned(o);
        };
        self.send_delete(
            o,
            &link.target_id,
            "was permanently deleted in Azure Active Directory",
        )
        .await
    }

    /// Sends the DELETE of the target object `id`, the object having done `why`.
    pub(crate) async fn send_delete(&self, mut o: Outcome, id: &str, why: &str) -> Outcome {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        o.decide(
            StepName::EntrySynchronizationDelete,
            format!("{kind} '{upn}' will be deleted in {target} ({kind} {why})"),
        );
        let path = self.resource.path(id);
        let request = self.client.request(Method::DELETE, &path, None);
        let call = self.client.call(request, &mut o.trace).await;
        o.add_call_cost(call.cost);
        let result = match call.outcome {
            // 404: already gone, which is what a delete wants.
            Ok(resp) if resp.status.as_u16() == 404 => Ok(resp),
            outcome => failure::check(outcome, Verb::Delete, &upn, target),
        };
        match result {
            Ok(_) => self.deleted(o),
            Err(f) => {
                let description = format!("Failed to delete {kind} '{upn}' in {target}");
                o.fail(
                    Action::Delete,
                    StepName::EntryExportDelete,
                    description,
                    self.failure_of(f),
                )
            }
        }
    }

    fn deleted(&self, mut o: Outcome) -> Outcome {
        let description = format!(
            "{} '{}' was deleted in {}",
            self.resource.kind,
            o.upn,
            self.target()
        );
        o.exported(Action::Delete, StepName::EntryExportDelete, description);
        o.link = LinkChange::Remove;
        o
    }
}
