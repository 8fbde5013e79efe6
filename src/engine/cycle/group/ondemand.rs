//! A group on demand (POD): "a single group with up to 5 members at a time". The members are
//! provisioned first, each as a user on demand, then the group with those members only; the
//! group's other members are left as they are.

use super::GroupWork;
use super::plan::plan_groups;
use crate::clock::Clock;
use crate::engine::cycle::{Ctx, Plan, Run};
use crate::engine::directory::Directory;
use crate::engine::job::{EngineError, ProvisioningJob};
use crate::engine::log::{Action, LogEntry, Status};
use crate::engine::ondemand::{OnDemandResult, OnDemandStep};
use crate::engine::scope::SkipReason;
use std::collections::BTreeSet;

/// Most members one group on demand takes (POD).
pub(crate) const ON_DEMAND_MEMBERS: usize = 5;

impl ProvisioningJob {
    /// Provisions one group now with up to five of its direct members (POD): the members'
    /// results, then the group's. The PATCH dialect is the legacy one (rulings.md R1).
    pub async fn provision_group_on_demand(
        &mut self,
        dir: &Directory,
        key: &str,
        members: &[String],
    ) -> Result<Vec<OnDemandResult>, EngineError> {
        if !self.config().provision_groups {
            return Err(EngineError::GroupsNotProvisioned);
        }
        let group = dir
            .group(key)
            .ok_or_else(|| EngineError::UnknownGroup(key.to_string()))?;
        if members.len() > ON_DEMAND_MEMBERS {
            return Err(EngineError::TooManyOnDemandMembers(members.len()));
        }
        let mut ids = BTreeSet::new();
        for m in members {
            let id = dir
                .user(m)
                .map(|r| r.user.object_id.clone())
                .filter(|id| group.members.contains(id))
                .ok_or_else(|| EngineError::NotAMember {
                    group: group.display_name.clone(),
                    member: m.clone(),
                })?;
            ids.insert(id);
        }
        let mut results = Vec::with_capacity(ids.len() + 1);
        for id in &ids {
            results.push(self.provision_on_demand(dir, id).await?);
        }
        let planned = plan_groups(self.state(), self.config(), dir, true, 0)
            .into_iter()
            .find(|w| w.object_id == group.object_id)
            .map_or(Plan::Skip(SkipReason::NotEffectivelyEntitled), |w| w.plan);
        let work = GroupWork {
            object_id: group.object_id.clone(),
            display_name: group.display_name.clone(),
            // Disables and deletes are not done on demand (POD).
            plan: match planned {
                Plan::Provision | Plan::Skip(_) => planned,
                _ => Plan::Skip(SkipReason::NotEffectivelyEntitled),
            },
            selection: Some(ids),
        };
        results.push(self.group_on_demand(dir, &work).await);
        Ok(results)
    }

    /// Runs the group's pipeline on demand and logs it.
    async fn group_on_demand(&mut self, dir: &Directory, work: &GroupWork) -> OnDemandResult {
        let run = self.state_mut().begin_on_demand();
        let label = format!("on-demand {run}");
        let start = self.clock().now_millis();
        let index = dir.assignment_index();
        let outcome = Ctx::for_groups(self, Run::OnDemand, start)
            .process_group(dir, &index, work)
            .await;
        let Some(g) = outcome else {
            return OnDemandResult {
                steps: Vec::new(),
                entry: None,
            };
        };
        let mut o = g.outcome;
        self.state_mut().change_group_link(&o.object_id, g.link);
        self.record_trace(&label, &o.upn, std::mem::take(&mut o.trace));
        if o.failure.is_none() && o.entry.status != Status::Failure {
            self.state_mut().clear_escrow(&o.object_id);
        }
        let stamp = self.on_demand_stamp(run, start, o.cost);
        let at = stamp.at;
        let entry = o.finish(self, stamp);
        self.push_log(entry.clone());
        self.clock().advance_to_millis(at);
        let steps = self.group_portal_steps(work, &entry);
        OnDemandResult {
            steps,
            entry: Some(entry),
        }
    }

    /// Steps 2 to 5 as the portal shows them for a group.
    fn group_portal_steps(&self, work: &GroupWork, entry: &LogEntry) -> Vec<OnDemandStep> {
        let step = |number: u8, name: &str, status: Status, description: String| OnDemandStep {
            number,
            name: name.into(),
            status,
            description,
        };
        let in_scope = match work.plan {
            Plan::Provision => Status::Success,
            _ => Status::Skipped,
        };
        let target = &self.config().target_system;
        let matching = match entry.provisioning_action {
            Action::Create => format!("No matching Group was found in {target}; it was created"),
            _ if entry.target_identity.id.is_empty() => format!("No matching Group in {target}"),
            _ => format!(
                "Group '{}' is linked to Group '{}' in {target}",
                work.display_name, entry.target_identity.id
            ),
        };
        let last = entry.provisioning_steps.last();
        vec![
            step(
                2,
                "Import group",
                Status::Success,
                format!(
                    "Retrieved Group '{}' from Azure Active Directory",
                    work.display_name
                ),
            ),
            step(
                3,
                "Determine if group is in scope",
                in_scope,
                format!("Assigned = {}", in_scope == Status::Success),
            ),
            step(
                4,
                "Match group between source and target system",
                Status::Success,
                matching,
            ),
            step(
                5,
                "Perform action",
                entry.status(),
                last.map(|s| s.description.clone()).unwrap_or_default(),
            ),
        ]
    }
}
