//! One group's pipeline (§3.7): import and scope, match by displayName or create without
//! members, rename, then the member references in batched PATCHes, or the DELETE of a group
//! that left scope or was deleted in the directory.

use super::GroupOutcome;
use super::body;
use super::plan::{self, GroupWork, Members};
use crate::engine::cycle::entry::{Outcome, details, step, tf};
use crate::engine::cycle::lookup::resource_id;
use crate::engine::cycle::{Ctx, Plan, Run};
use crate::engine::directory::{Directory, EffectiveAssignment, Group};
use crate::engine::failure::{self, Verb};
use crate::engine::job::{GroupLink, LinkChange};
use crate::engine::log::{Action, ModifiedProperty, Status, Step, StepName, StepType};
use crate::engine::mapping::{Desired, Evaluation};
use crate::engine::scope::SkipReason;
use http::Method;
use serde_json::Value;
use std::collections::HashMap;

/// Names listed in a member step before "and N more".
const NAMES_SHOWN: usize = 5;

fn member_step(status: Status, description: String) -> Step {
    step(
        StepName::EntryExportUpdate,
        StepType::ReferenceResolution,
        status,
        description,
    )
}

/// `a, b, c and 7 more`.
fn names(dir: &Directory, ids: &[&str]) -> String {
    let upn = |id: &&str| {
        dir.user(id)
            .map_or(id.to_string(), |r| r.user.user_principal_name.clone())
    };
    let mut out: Vec<String> = ids.iter().take(NAMES_SHOWN).map(upn).collect();
    if ids.len() > NAMES_SHOWN {
        out.push(format!("and {} more", ids.len() - NAMES_SHOWN));
    }
    out.join(", ")
}

/// The import and scoping steps of a group.
fn first_steps(ctx: &Ctx<'_>, w: &GroupWork, linked: bool) -> Vec<Step> {
    let name = &w.display_name;
    let import = match (ctx.run, &w.plan, linked) {
        (Run::Incremental, Plan::Delete | Plan::Forget, _) => {
            (StepName::EntryImportDelete, "Delete")
        }
        (Run::Incremental, _, false) => (StepName::EntryImportAdd, "Add"),
        (Run::Incremental, _, true) => (StepName::EntryImportUpdate, "Update"),
        _ => (StepName::EntryImport, ""),
    };
    let description = if import.1.is_empty() {
        format!("Retrieved Group '{name}' from Azure Active Directory")
    } else {
        format!(
            "Received Group '{name}' change of type ({}) from Azure Active Directory",
            import.1
        )
    };
    let in_scope = w.plan == Plan::Provision;
    vec![
        details(
            step(import.0, StepType::Import, Status::Success, description),
            [
                ("objectId", w.object_id.clone()),
                ("displayName", name.clone()),
            ],
        ),
        details(
            step(
                StepName::EntrySynchronizationScoping,
                StepType::Scoping,
                if in_scope {
                    Status::Success
                } else {
                    Status::Skipped
                },
                "Determine if Group in scope by evaluating against each scoping filter".into(),
            ),
            [("Assigned", tf(in_scope))],
        ),
    ]
}

/// The result of a pipeline that changes no link.
fn kept(outcome: Outcome) -> GroupOutcome {
    GroupOutcome {
        outcome,
        link: LinkChange::Keep,
        reference_failures: 0,
    }
}

impl Ctx<'_> {
    /// One group's pipeline; `None` when an incremental cycle has nothing to do for it.
    pub(crate) async fn process_group(
        &self,
        dir: &Directory,
        index: &HashMap<String, Vec<EffectiveAssignment>>,
        w: &GroupWork,
    ) -> Option<GroupOutcome> {
        let link = self.job.state().group_links().get(&w.object_id).cloned();
        let steps = first_steps(self, w, link.is_some());
        let o = Outcome::with_steps(
            self,
            &w.object_id,
            &w.display_name,
            w.plan == Plan::Provision,
            steps,
        );
        let target = self.target();
        let name = &w.display_name;
        let linked = link
            .as_ref()
            .map(|l| (l.target_id.as_str(), l.display_name.as_str()));
        Some(match w.plan {
            Plan::Provision => {
                let mut group = dir.group(&w.object_id)?.clone();
                if let Some(only) = &w.selection {
                    group.members.retain(|m| only.contains(m));
                }
                return self.provision_group(o, dir, index, &group, link, w.selection.is_some()).await;
            }
            Plan::Delete | Plan::Forget | Plan::Staged | Plan::SkipDeprovision
                if link.is_none() =>
            {
                return None;
            }
            Plan::Delete => {
                let id = link.as_ref().map_or("", |l| l.target_id.as_str());
                let why = match dir.group(&w.object_id) {
                    Some(_) => "is no longer assigned to the application",
                    None => "was deleted in Azure Active Directory",
                };
                let mut o = self.send_delete(o, id, why).await;
                if let Some((id, n)) = linked {
                    o.entry.target = self.resource.identity(id, n);
                }
                let link = match o.entry.status {
                    Status::Success => LinkChange::Remove,
                    _ => LinkChange::Keep,
                };
                GroupOutcome {
                    outcome: o,
                    link,
                    reference_failures: 0,
                }
            }
            Plan::Staged => kept(self.staged(o, linked)),
            Plan::SkipDeprovision => kept(o.skip(
                SkipReason::SkipOutOfScopeDeletions,
                format!("Group '{name}' is out of scope but is not deleted in {target} because SkipOutOfScopeDeletions is set"),
            )),
            Plan::Forget => GroupOutcome {
                outcome: o.skip(
                    SkipReason::NotManaged,
                    format!("Group '{name}' is out of scope or deleted, but the Delete action is not enabled: nothing is sent to {target}"),
                ),
                link: LinkChange::Remove,
                reference_failures: 0,
            },
            Plan::Skip(reason) => kept(o.skip(
                reason,
                format!("Group '{name}' will be skipped: it is not assigned to the application"),
            )),
            Plan::Deprovision { .. } => return None,
        })
    }

    /// Provisions an in-scope group: linked, or matched or created; renamed; its members.
    async fn provision_group(
        &self,
        o: Outcome,
        dir: &Directory,
        index: &HashMap<String, Vec<EffectiveAssignment>>,
        group: &Group,
        link: Option<GroupLink>,
        selected: bool,
    ) -> Option<GroupOutcome> {
        let initial = self.run != Run::Incremental;
        let config = self.job.config();
        let mut members = plan::members(self.job.state(), config, dir, index, group, initial);
        if selected {
            // On demand adds the chosen members and leaves the others as they are (POD).
            members.remove.clear();
            members.gone.clear();
            if let Some(l) = &link {
                members.out_of_scope.extend(l.out_of_scope.iter().cloned());
            }
        }
        let renamed = link
            .as_ref()
            .is_some_and(|l| l.display_name != group.display_name);
        if !initial && !renamed && link.is_some() && !members.changes(link.as_ref()) {
            return None;
        }
        let (mut o, mut new_link, created) = match link {
            Some(l) => {
                let mut o = o;
                o.entry.target = self.resource.identity(&l.target_id, &l.display_name);
                (o, l, false)
            }
            None => match self.match_or_create_group(o, group).await {
                Ok(found) => found,
                Err(failed) => return Some(kept(failed)),
            },
        };
        if renamed {
            match self.rename(o, &new_link, group).await {
                Ok(done) => o = done,
                Err(failed) => return Some(kept(failed)),
            }
            new_link.display_name = group.display_name.clone();
        }
        let failures = self
            .export_members(&mut o, dir, &mut new_link, &members)
            .await;
        if !created && o.entry.action == Action::Other && o.entry.status != Status::Failure {
            let description = format!(
                "The state of the group in both the source and target systems already match. No change to the Group '{}' currently needs to be made.",
                group.display_name
            );
            let mut skipped = o.skip(SkipReason::RedundantExport, description);
            skipped.entry.status = match failures {
                0 => Status::Skipped,
                _ => Status::Warning,
            };
            o = skipped;
        }
        Some(GroupOutcome {
            outcome: o,
            link: LinkChange::Set(new_link),
            reference_failures: failures,
        })
    }

    /// Matches a group by displayName (`GET /Groups?excludedAttributes=members&filter=...`) or
    /// creates it without members; the outcome, the new link and whether it was created.
    async fn match_or_create_group(
        &self,
        mut o: Outcome,
        group: &Group,
    ) -> Result<(Outcome, GroupLink, bool), Outcome> {
        let eval = Evaluation {
            values: vec![
                (
                    "displayName".into(),
                    Desired::Text(group.display_name.clone()),
                ),
                ("externalId".into(), Desired::Text(group.object_id.clone())),
            ],
            redacted: Vec::new(),
        };
        let name = group.display_name.clone();
        let link = |target_id: String| GroupLink {
            target_id,
            display_name: name.clone(),
            ..GroupLink::default()
        };
        match self.find(&mut o, &eval).await {
            Ok(Some(found)) => {
                let Some(id) = resource_id(&found) else {
                    let f = failure::incompatible(Verb::Match, &name, self.target(), 200);
                    let description = format!("Failed to match Group '{name}'");
                    return Err(o.fail(
                        Action::Update,
                        StepName::EntryImport,
                        description,
                        self.failure_of(f),
                    ));
                };
                o.matched(self, &id, &name);
                Ok((o, link(id), false))
            }
            Ok(None) => {
                let (o, allowed) = self.may_create(o);
                if !allowed {
                    return Err(o);
                }
                let microsoft = self.job.config().group_microsoft_schema;
                let body = body::create_body(&group.object_id, &group.display_name, microsoft);
                let (mut o, resource, _) = self.post(o, &eval, &body).await?;
                let id = resource.id.unwrap_or_default();
                let description = format!("Group '{name}' was created in {}", self.target());
                o.exported(Action::Create, StepName::EntryExportAdd, description);
                o.entry.target = self.resource.identity(&id, &name);
                o.entry.modified = eval
                    .values
                    .iter()
                    .map(|(t, d)| ModifiedProperty {
                        display_name: t.clone(),
                        old_value: None,
                        new_value: Some(d.display()),
                    })
                    .collect();
                Ok((o, link(id), true))
            }
            Err(f) => {
                let description = format!("Failed to match Group '{name}' in {}", self.target());
                Err(o.fail(
                    Action::Create,
                    StepName::EntryImport,
                    description,
                    self.failure_of(f),
                ))
            }
        }
    }

    /// Renames the linked group (B.2 "Update Group [Non-member attributes]").
    async fn rename(
        &self,
        mut o: Outcome,
        link: &GroupLink,
        group: &Group,
    ) -> Result<Outcome, Outcome> {
        let (name, target) = (&group.display_name, self.target());
        let body = body::rename_body(name, self.dialect());
        let request = self.client.request(
            Method::PATCH,
            &self.resource.path(&link.target_id),
            Some(&body),
        );
        let call = self.client.call(request, &mut o.trace).await;
        o.add_call_cost(call.cost);
        match failure::check(call.outcome, Verb::Update, name, target) {
            Ok(_) => {
                let description = format!(
                    "Group '{}' was renamed to '{name}' in {target}",
                    link.display_name
                );
                o.exported(Action::Update, StepName::EntryExportUpdate, description);
                o.entry.target = self.resource.identity(&link.target_id, name);
                o.entry.modified.push(ModifiedProperty {
                    display_name: "displayName".into(),
                    old_value: Some(link.display_name.clone()),
                    new_value: Some(name.clone()),
                });
                Ok(o)
            }
            Err(f) => {
                let description = format!("Failed to update Group '{name}' in {target}");
                Err(o.fail(
                    Action::Update,
                    StepName::EntryExportUpdate,
                    description,
                    self.failure_of(f),
                ))
            }
        }
    }

    /// Exports the membership changes in PATCHes of at most the batch size, adds before
    /// removes; records what succeeded in `link`; returns the failed PATCHes.
    async fn export_members(
        &self,
        o: &mut Outcome,
        dir: &Directory,
        link: &mut GroupLink,
        members: &Members,
    ) -> u64 {
        let batch = self.job.config().group_member_batch_size.max(1);
        let (name, target) = (o.upn.clone(), self.target());
        let mut failures = 0;
        for id in &members.gone {
            link.members.remove(id);
        }
        link.out_of_scope = members.out_of_scope.clone();
        for chunk in members.add.chunks(batch) {
            let ids: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
            let users: Vec<&str> = chunk.iter().map(|(u, _)| u.as_str()).collect();
            let body = body::add_members_body(&ids, self.dialect());
            let ok = self.patch_members(o, &link.target_id, &body).await;
            let who = names(dir, &users);
            if ok {
                link.members.extend(chunk.iter().cloned());
                let description = format!(
                    "Added {} member(s) to Group '{name}' in {target}: {who}",
                    chunk.len()
                );
                self.member_exported(o, description, None, who);
            } else {
                failures += 1;
                let description = format!(
                    "Failed to add {} member(s) to Group '{name}' in {target}: {who}",
                    chunk.len()
                );
                o.entry
                    .steps
                    .push(member_step(Status::Failure, description));
            }
        }
        for chunk in members.remove.chunks(batch) {
            let ids: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
            let users: Vec<&str> = chunk.iter().map(|(u, _)| u.as_str()).collect();
            let body = body::remove_members_body(&ids, self.dialect());
            let ok = self.patch_members(o, &link.target_id, &body).await;
            let who = names(dir, &users);
            if ok {
                for (u, _) in chunk {
                    link.members.remove(u);
                }
                let description = format!(
                    "Removed {} member(s) from Group '{name}' in {target}: {who}",
                    chunk.len()
                );
                self.member_exported(o, description, Some(who), String::new());
            } else {
                failures += 1;
                let description = format!(
                    "Failed to remove {} member(s) from Group '{name}' in {target}: {who}",
                    chunk.len()
                );
                o.entry
                    .steps
                    .push(member_step(Status::Failure, description));
            }
        }
        self.note_members_left_out(o, dir, members);
        failures
    }

    /// Records a successful member PATCH: its step, the modified `members`, and an update for
    /// a group that had nothing else to export.
    fn member_exported(
        &self,
        o: &mut Outcome,
        description: String,
        removed: Option<String>,
        added: String,
    ) {
        o.entry
            .steps
            .push(member_step(Status::Success, description));
        o.entry.modified.push(ModifiedProperty {
            display_name: "members".into(),
            old_value: removed,
            new_value: (!added.is_empty()).then_some(added),
        });
        if o.entry.action == Action::Other {
            o.entry.action = Action::Update;
            o.entry.status = Status::Success;
            o.escrow_clear = true;
        }
    }

    /// Sends one member PATCH; a failure is a reference failure (QUAR): the group gets a
    /// warning and its error, and is not escrowed (the next cycle's diff retries).
    async fn patch_members(&self, o: &mut Outcome, id: &str, body: &Value) -> bool {
        let request = self
            .client
            .request(Method::PATCH, &self.resource.path(id), Some(body));
        let call = self.client.call(request, &mut o.trace).await;
        o.add_call_cost(call.cost);
        match failure::check(call.outcome, Verb::Reference, &o.upn, self.target()) {
            Ok(_) => true,
            Err(f) => {
                if o.entry.status != Status::Failure {
                    o.entry.status = Status::Warning;
                }
                o.entry.error.get_or_insert(self.failure_of(f));
                false
            }
        }
    }

    /// Skipped steps for the members not added: deferred, out of scope, nested groups.
    fn note_members_left_out(&self, o: &mut Outcome, dir: &Directory, members: &Members) {
        let (name, target) = (o.upn.clone(), self.target());
        if !members.deferred.is_empty() {
            let ids: Vec<&str> = members.deferred.iter().map(String::as_str).collect();
            o.entry.steps.push(member_step(
                Status::Skipped,
                format!("{} member(s) of Group '{name}' are not provisioned in {target} yet: they are added once they are ({})", ids.len(), names(dir, &ids)),
            ));
        }
        let fresh: Vec<&str> = members.out_of_scope.iter().map(String::as_str).collect();
        if !fresh.is_empty() {
            o.entry.steps.push(member_step(
                Status::Skipped,
                format!("{} member(s) of Group '{name}' are out of scope: they are neither provisioned nor added ({})", fresh.len(), names(dir, &fresh)),
            ));
        }
        if !members.nested.is_empty() {
            o.entry.steps.push(member_step(
                Status::Skipped,
                format!("{} nested group(s) of Group '{name}' are not provisioned: provisioning nested groups beyond the first level is not supported", members.nested.len()),
            ));
        }
    }
}
