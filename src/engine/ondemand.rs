//! Provision on demand (aad-provisioning-service.md §1.5): one user, now, in five steps,
//! outside the schedule and without escrow back-off.

use super::cycle::{Ctx, Plan, finish_entry};
use super::directory::Directory;
use super::job::{EngineError, ProvisioningJob};
use super::log::{LogEntry, Status};
use super::scope;
use super::wire::Dialect;
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

impl ProvisioningJob {
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
            .ok_or_else(|| EngineError::Directory(format!("no user '{key}' in the directory")))?;
        self.on_demand_count += 1;
        let label = format!("on-demand {}", self.on_demand_count);
        let start = self.clock.now_millis();
        let mut trace = Vec::new();
        let probe = self
            .probe(2_000_000 + u64::from(self.on_demand_count), &mut trace)
            .await;
        self.record_trace(&label, "(test connection)", trace);
        let step = |number: u8, name: &str, status: Status, description: String| OnDemandStep {
            number,
            name: name.into(),
            status,
            description,
        };
        if !probe.ok {
            return Ok(OnDemandResult {
                steps: vec![step(1, "Test connection", Status::Failure, probe.message)],
                entry: None,
            });
        }
        let assignments = dir.assignments_of(&record.user.object_id);
        let scope = scope::evaluate_with(
            &assignments,
            record,
            self.config.scope,
            &self.config.scoping_filters,
            self.config.skip_default_access,
        );
        let upn = record.user.user_principal_name.clone();
        let mut plan = self.plan_for_on_demand(record, &scope);
        let unsupported = matches!(plan, Plan::Deprovision { unmanage: false } | Plan::Delete);
        if unsupported {
            plan = Plan::Skip(scope::SkipReason::NotActive);
        }
        let outcome = {
            let ctx = Ctx {
                job: self,
                client: self.client(),
                dialect: Dialect::Legacy,
                now: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(start) * 1_000_000)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
                initial: false,
                on_demand: true,
            };
            ctx.process(record, &scope, plan).await
        };
        let mut o = outcome;
        self.apply_link(&mut o);
        self.record_trace(&label, &upn, std::mem::take(&mut o.trace));
        let mut cost = o.cost;
        if let Some(task) = o.reference.clone() {
            let client = self.client();
            let r = self.export_reference(&client, dir, &upn, &task).await;
            cost += r.cost;
            self.record_trace(&label, &upn, r.trace);
            o.entry.steps.extend(r.step);
            o.entry.modified.extend(r.modified);
            self.absorb_exported(&o.object_id, &mut o.entry, r.exported);
            if let Some(f) = r.failure {
                if o.entry.status != Status::Failure {
                    o.entry.status = Status::Warning;
                }
                o.entry.error.get_or_insert(f);
            }
        }
        if o.failure.is_none() && o.entry.status != Status::Failure {
            self.escrows.remove(&o.object_id);
        }
        let cycle_id = self.seeded_guid(3_000 + u64::from(self.on_demand_count), 0);
        let change_id = self.seeded_guid(3_000 + u64::from(self.on_demand_count), 1);
        let at = start.saturating_add(i64::try_from(cost.as_millis()).unwrap_or(0));
        let mut entry = finish_entry(
            self,
            o.entry,
            &o.object_id,
            &upn,
            &cycle_id,
            &change_id,
            at,
            cost,
            true,
        );
        if unsupported {
            entry.provisioning_steps.push(super::log::Step {
                name: "EntrySynchronizationSkip".into(),
                provisioning_step_type: super::log::StepType::Processing,
                status: Status::Skipped,
                description: "On-demand provisioning doesn't support disabling or deleting users that have been disabled or deleted in Microsoft Entra ID".into(),
                details: Default::default(),
            });
        }
        if self.config.retain_logs {
            self.logs.push(entry.clone());
        }
        self.clock.advance_to(at);
        let steps = vec![
            step(
                2,
                "Import user",
                Status::Success,
                format!("Retrieved User '{upn}' from Azure Active Directory"),
            ),
            step(
                3,
                "Determine if user is in scope",
                if scope.in_scope() {
                    Status::Success
                } else {
                    Status::Skipped
                },
                scope.detail(),
            ),
            {
                let matched = entry
                    .provisioning_steps
                    .iter()
                    .find(|s| s.provisioning_step_type == super::log::StepType::Matching);
                let target = &self.config.target_system;
                let created = entry.provisioning_action == super::log::Action::Create
                    && entry.status() == Status::Success;
                let linked = self.links.get(&record.user.object_id);
                let description = match (matched, created, linked) {
                    (Some(m), _, _) => m.description.clone(),
                    (None, true, _) => {
                        format!("No matching User was found in {target}; it was created")
                    }
                    (None, false, Some(link)) => format!(
                        "User '{upn}' is linked to User '{}' in {target}, matched in an earlier cycle",
                        link.target_id
                    ),
                    (None, false, None) => format!("No matching User in {target}"),
                };
                step(
                    4,
                    "Match user between source and target system",
                    Status::Success,
                    description,
                )
            },
            step(
                5,
                "Perform action",
                entry.status(),
                entry
                    .provisioning_steps
                    .last()
                    .map(|s| s.description.clone())
                    .unwrap_or_default(),
            ),
        ];
        Ok(OnDemandResult {
            steps,
            entry: Some(entry),
        })
    }

    fn plan_for_on_demand(
        &self,
        record: &super::directory::UserRecord,
        scope: &scope::ScopeResult,
    ) -> Plan {
        self.plan_public(record, scope)
    }
}
