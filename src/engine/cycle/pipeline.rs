//! One object's pipeline (HPW steps 2-5): from its plan to its outcome, through mapping
//! evaluation, matching or reading, and the export the plan calls for.

use super::Ctx;
use super::entry::{Outcome, step};
use super::export::linked;
use super::lookup::{resource_id, resource_user_name};
use super::plan::Plan;
use crate::engine::directory::UserRecord;
use crate::engine::failure::{self, Failure, FailureCode, Verb};
use crate::engine::job::LinkChange;
use crate::engine::log::{Action, Status, StepName, StepType};
use crate::engine::mapping::{self, Evaluation, SourceView};
use crate::engine::scope::{ScopeResult, SkipReason};
use serde_json::Value;

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Ctx<'_> {
    /// Evaluates the mappings for one user (seeded per object, so reruns agree).
    pub(crate) fn evaluate(
        &self,
        record: &UserRecord,
        scope: &ScopeResult,
        soft_deleted: bool,
        op: mapping::Operation,
    ) -> Result<Evaluation, Failure> {
        let view = SourceView {
            user: &record.user,
            is_soft_deleted: soft_deleted,
            roles: scope.roles.clone(),
            strip_b2b_upn: self.job.config().known_issues.strip_b2b_upn,
        };
        let seed = self.job.config().seed ^ hash(&record.user.object_id);
        mapping::evaluate(self.resource.mappings, &view, op, self.now, seed).map_err(|e| {
            Failure::new(
                FailureCode::SchemaPropertyCanOnlyAcceptValue,
                format!(
                    "Failed to evaluate the mapping for '{}': {}",
                    e.target, e.message
                ),
                None,
            )
        })
    }

    /// One object's pipeline.
    pub(crate) async fn process(
        &self,
        record: &UserRecord,
        scope: &ScopeResult,
        plan: Plan,
    ) -> Outcome {
        let o = Outcome::new(self, record, scope);
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        match plan {
            Plan::Skip(reason) => {
                let description = format!("{kind} '{upn}' will be skipped. {}", scope.detail());
                o.skip(reason, description)
            }
            Plan::SkipDeprovision => o.skip(
                SkipReason::SkipOutOfScopeDeletions,
                format!("{kind} '{upn}' is out of scope but is not disabled in {target} because SkipOutOfScopeDeletions is set"),
            ),
            Plan::Forget => {
                let mut o = o.skip(SkipReason::NotManaged, format!("{kind} '{upn}' was deleted in Azure Active Directory but is no longer managed by the provisioning service: nothing is sent to {target}"));
                o.link = LinkChange::Remove;
                o
            }
            Plan::Staged => self.staged(o, record),
            Plan::Delete => self.delete(o, record).await,
            Plan::Deprovision { unmanage } => self.deprovision(o, record, scope, unmanage).await,
            Plan::Provision => self.provision(o, record, scope).await,
        }
    }

    fn staged(&self, mut o: Outcome, record: &UserRecord) -> Outcome {
        o.entry.steps.push(step(
            StepName::EntrySynchronizationSkip,
            StepType::Export,
            Status::Skipped,
            format!(
                "{} '{}' was not disabled or deleted in {}: the deletions and disables of this cycle exceed the accidental-deletion threshold of {}; allow deletes to export them",
                self.resource.kind,
                o.upn,
                self.target(),
                self.job.config().accidental_deletions.threshold
            ),
        ));
        o.entry.action = Action::StagedDelete;
        o.entry.status = Status::Skipped;
        if let Some(l) = self.job.state().links().get(&record.user.object_id) {
            o.entry.target = self.resource.identity(&l.target_id, &l.user_name);
        }
        o
    }

    /// Provisions an in-scope, active object: the linked one is read (or trusted) and
    /// updated; an unlinked one is matched and updated, or created.
    async fn provision(&self, o: Outcome, record: &UserRecord, scope: &ScopeResult) -> Outcome {
        let link = self
            .job
            .state()
            .managed_link(&record.user.object_id)
            .cloned();
        let Some(link) = link else {
            return self.match_or_create(o, record, scope).await;
        };
        let (mut o, current) = match self.read_linked(o, &link, Action::Update).await {
            Ok(read) => read,
            Err(failed) => return failed,
        };
        if current.is_none() {
            o.entry.target = self.resource.identity(&link.target_id, &link.user_name);
        }
        self.update(o, record, scope, link.target_id, current).await
    }

    async fn match_or_create(
        &self,
        mut o: Outcome,
        record: &UserRecord,
        scope: &ScopeResult,
    ) -> Outcome {
        let (kind, upn, target) = (self.resource.kind, o.upn.clone(), self.target());
        let eval = match self.evaluate(record, scope, false, mapping::Operation::Create) {
            Ok(e) => e,
            Err(f) => {
                return o.unevaluated(self, Action::Create, StepName::EntrySynchronizationAdd, f);
            }
        };
        let found: Value = match self.find(&mut o, &eval).await {
            Ok(Some(found)) => found,
            Ok(None) => return self.create(o, eval).await,
            Err(f) if f.code == FailureCode::ImportSkipped => {
                let mut o = o.skip(SkipReason::ImportSkipped, f.reason.clone());
                o.entry.error = Some(f);
                return o;
            }
            Err(f) => {
                let description = format!("Failed to match {kind} '{upn}' in {target}");
                return o.fail(Action::Create, StepName::EntryImport, description, f);
            }
        };
        let Some(id) = resource_id(&found) else {
            let f = failure::incompatible(Verb::Match, &upn, target, 200);
            let description = format!("Failed to match {kind} '{upn}'");
            return o.fail(Action::Update, StepName::EntryImport, description, f);
        };
        let user_name = resource_user_name(&found);
        o.matched(self, &id, &user_name);
        o.link = linked(id.clone(), user_name);
        self.update(o, record, scope, id, Some(found)).await
    }
}
