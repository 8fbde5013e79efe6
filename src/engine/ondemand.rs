//! Provision on demand (aad-provisioning-service.md §1.5): one user, now, in five steps,
//! outside the schedule and without escrow back-off.

use super::cycle::{Ctx, Cycle, Outcome, Plan, Run, Stamp, plan, step};
use super::directory::{Directory, UserRecord};
use super::job::{EngineError, LinkChange, ProvisioningJob};
use super::log::{Action, LogEntry, Status, StepName, StepType};
use super::scope::{self, ScopeResult, SkipReason};
use crate::clock::Clock;
use serde::Serialize;

/// One of the five steps the portal shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OnDemandStep {
    /// 1 to 5.
    pub number: u8,
    /// "Test connection", "Import user", ...
    pub name: String,
    /// Its status.
    pub status: Status,
    /// What happened.
    pub description: String,
}

/// The result of provisioning one user on demand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OnDemandResult {
    /// The steps shown (step 1 only when it failed, POD).
    pub steps: Vec<OnDemandStep>,
    /// The provisioning log entry, when the user was processed.
    pub entry: Option<LogEntry>,
}

fn portal_step(number: u8, name: &str, status: Status, description: String) -> OnDemandStep {
    OnDemandStep {
        number,
        name: name.into(),
        status,
        description,
    }
}

impl ProvisioningJob {
    /// The ids and time of an on-demand run's log entry (its cycle id and change id come from
    /// the run's own seeded stream; the entry ends after the run's simulated cost).
    pub(crate) fn on_demand_stamp(&self, run: u32, start: i64, cost: std::time::Duration) -> Stamp {
        Stamp {
            cycle_id: self.seeded_guid(3_000 + u64::from(run), 0),
            change_id: self.seeded_guid(3_000 + u64::from(run), 1),
            at: start.saturating_add(i64::try_from(cost.as_millis()).unwrap_or(0)),
            on_demand: true,
        }
    }

    /// Provisions one user now (POD). The PATCH dialect is the legacy one whatever the job's
    /// setting ("this feature flag currently doesn't work with on-demand provisioning"), users
    /// disabled or deleted in the directory are not deprovisioned, and escrow back-off is
    /// bypassed (a success clears the user's escrow).
    pub async fn provision_on_demand(
        &mut self,
        dir: &Directory,
        key: &str,
    ) -> Result<OnDemandResult, EngineError> {
        let record = dir
            .user(key)
            .ok_or_else(|| EngineError::UnknownUser(key.to_string()))?;
        let run = self.state_mut().begin_on_demand();
        let label = format!("on-demand {run}");
        let start = self.clock().now_millis();
        let mut trace = Vec::new();
        let probe = self.probe(2_000_000 + u64::from(run), &mut trace).await;
        self.record_trace(&label, "(test connection)", trace);
        if !probe.ok {
            return Ok(OnDemandResult {
                steps: vec![portal_step(
                    1,
                    "Test connection",
                    Status::Failure,
                    probe.message,
                )],
                entry: None,
            });
        }
        let config = self.config();
        let scope = scope::evaluate_with(
            &dir.assignments_of(&record.user.object_id),
            record,
            config.scope,
            &config.scoping_filters,
            config.skip_default_access,
        );
        // Disabled or deleted in the directory: not deprovisioned on demand.
        let unsupported = matches!(
            plan(self.state(), config, record, &scope),
            Plan::Deprovision { unmanage: false } | Plan::Delete
        );
        let cycle = Cycle {
            label,
            start,
            run: Run::OnDemand,
            cut: false,
        };
        let o = self
            .provision_one(dir, record, &scope, unsupported, &cycle)
            .await;
        let stamp = self.on_demand_stamp(run, start, o.cost);
        let at = stamp.at;
        let mut entry = o.finish(self, stamp);
        if unsupported {
            entry.provisioning_steps.push(step(
                StepName::EntrySynchronizationSkip,
                StepType::Export,
                Status::Skipped,
                "On-demand provisioning doesn't support disabling or deleting users that have been disabled or deleted in Microsoft Entra ID".into(),
            ));
        }
        self.push_log(entry.clone());
        self.clock().advance_to_millis(at);
        let steps = self.portal_steps(record, &scope, &entry);
        Ok(OnDemandResult {
            steps,
            entry: Some(entry),
        })
    }

    /// Runs the user's pipeline and its reference export; returns the outcome with the cost
    /// of both.
    async fn provision_one(
        &mut self,
        dir: &Directory,
        record: &UserRecord,
        scope: &ScopeResult,
        unsupported: bool,
        cycle: &Cycle,
    ) -> Outcome {
        let planned = if unsupported {
            Plan::Skip(SkipReason::NotActive)
        } else {
            plan(self.state(), self.config(), record, scope)
        };
        let (label, start) = (cycle.label.as_str(), cycle.start);
        let mut o = Ctx::new(self, cycle.run, start)
            .process(record, scope, planned)
            .await;
        let link = std::mem::replace(&mut o.link, LinkChange::Keep);
        self.state_mut().change_link(&o.object_id, link);
        self.record_trace(label, &o.upn, std::mem::take(&mut o.trace));
        if let Some(task) = o.reference.clone() {
            let mut r = Ctx::new(self, cycle.run, start)
                .export_reference(dir, &o.upn, &task)
                .await;
            o.cost += r.cost;
            self.record_trace(label, &o.upn, std::mem::take(&mut r.trace));
            // A reference failure shows as a warning; the user's escrow still clears.
            let _reference_failure = r.apply(self.state_mut(), &mut o);
        }
        if o.failure.is_none() && o.entry.status != Status::Failure {
            self.state_mut().clear_escrow(&o.object_id);
        }
        o
    }

    /// Steps 2 to 5 as the portal shows them.
    fn portal_steps(
        &self,
        record: &UserRecord,
        scope: &ScopeResult,
        entry: &LogEntry,
    ) -> Vec<OnDemandStep> {
        let upn = &record.user.user_principal_name;
        let target = &self.config().target_system;
        let matched = entry.provisioning_steps.iter().find(|s| {
            s.name == StepName::EntryImport && s.provisioning_step_type == StepType::Matching
        });
        let created =
            entry.provisioning_action == Action::Create && entry.status() == Status::Success;
        let linked = self.links().get(&record.user.object_id);
        let matching = match (matched, created, linked) {
            (Some(m), _, _) => m.description.clone(),
            (None, true, _) => format!("No matching User was found in {target}; it was created"),
            (None, false, Some(link)) => format!(
                "User '{upn}' is linked to User '{}' in {target}, matched in an earlier cycle",
                link.target_id
            ),
            (None, false, None) => format!("No matching User in {target}"),
        };
        let in_scope = if scope.in_scope() {
            Status::Success
        } else {
            Status::Skipped
        };
        let last = entry.provisioning_steps.last();
        vec![
            portal_step(
                2,
                "Import user",
                Status::Success,
                format!("Retrieved User '{upn}' from Azure Active Directory"),
            ),
            portal_step(3, "Determine if user is in scope", in_scope, scope.detail()),
            portal_step(
                4,
                "Match user between source and target system",
                Status::Success,
                matching,
            ),
            portal_step(
                5,
                "Perform action",
                entry.status(),
                last.map(|s| s.description.clone()).unwrap_or_default(),
            ),
        ]
    }
}
