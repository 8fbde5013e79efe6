//! What a cycle decides for groups (§2.2, §3.7), pure: which groups it provisions or deletes
//! (before anything is sent, so they count toward the deletion threshold, ACCDEL), and, once
//! the users are exported, which members each group gains or loses.

use crate::engine::config::JobConfig;
use crate::engine::cycle::Plan;
use crate::engine::directory::{Directory, EffectiveAssignment, Group, Principal};
use crate::engine::job::{GroupLink, JobState};
use crate::engine::scope::{self, SkipReason, SyncScope};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One group the cycle handles, with its plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupWork {
    pub object_id: String,
    pub display_name: String,
    pub plan: Plan,
    /// On demand: the only members to provision (none removed).
    pub selection: Option<BTreeSet<String>>,
}

/// Groups in scope: every group in sync-all; otherwise those assigned to the application
/// themselves, with a role other than Default Access when that role is skipped (HPW
/// "Groups", NOUSERS). A group reached only through another group is nested and not
/// provisioned (KNOWN "Provisioning nested groups beyond the first level is not supported").
fn entitled_groups<'d>(dir: &'d Directory, config: &JobConfig) -> HashSet<&'d str> {
    match config.scope {
        SyncScope::All => dir.groups().iter().map(|g| g.object_id.as_str()).collect(),
        SyncScope::AssignedOnly => dir
            .assignments()
            .iter()
            .filter(|a| {
                let default_access = dir
                    .roles()
                    .iter()
                    .any(|r| r.id == a.role_id && r.default_access);
                !(config.skip_default_access && default_access)
            })
            .filter_map(|a| match &a.principal {
                Principal::Group(g) => Some(g.as_str()),
                Principal::User(_) => None,
            })
            .collect(),
    }
}

/// The groups a cycle handles and what to do with each: in scope, provision; linked and out of
/// scope or deleted in the directory, delete (a SCIM group has no `active` to soft-delete, so
/// HPW's DELETE "when the target application doesn't support soft-deletes" applies), unless
/// SkipOutOfScopeDeletions is set or the Delete action is off. An incremental cycle leaves out
/// skips and groups whose escrow is not due.
pub(crate) fn plan_groups(
    state: &JobState,
    config: &JobConfig,
    dir: &Directory,
    initial: bool,
    now: i64,
) -> Vec<GroupWork> {
    let entitled = entitled_groups(dir, config);
    let links = state.group_links();
    let held = |id: &str| !initial && state.escrows().get(id).is_some_and(|e| e.next_retry > now);
    let leave = |left_scope: bool| {
        if left_scope && config.skip_out_of_scope_deletions {
            Plan::SkipDeprovision
        } else if config.actions.delete {
            Plan::Delete
        } else {
            Plan::Forget
        }
    };
    let mut work = Vec::new();
    for g in dir.groups() {
        let id = g.object_id.as_str();
        let plan = match (entitled.contains(id), links.contains_key(id)) {
            (true, _) => Plan::Provision,
            (false, true) => leave(true),
            (false, false) => Plan::Skip(SkipReason::NotEffectivelyEntitled),
        };
        work.push(GroupWork {
            object_id: g.object_id.clone(),
            display_name: g.display_name.clone(),
            plan,
            selection: None,
        });
    }
    // Linked groups no longer in the directory were deleted there.
    for (id, link) in links {
        if dir.group(id).is_none_or(|g| g.object_id != *id) {
            work.push(GroupWork {
                object_id: id.clone(),
                display_name: link.display_name.clone(),
                plan: leave(false),
                selection: None,
            });
        }
    }
    // An incremental cycle logs no skips; "assigned only" never imports unassigned groups.
    let assigned_only = config.scope == SyncScope::AssignedOnly;
    work.retain(|w| {
        let skip = matches!(w.plan, Plan::Skip(_));
        let quiet = skip || w.plan == Plan::SkipDeprovision;
        let left_out = held(&w.object_id) || (quiet && !initial) || (skip && assigned_only);
        !left_out
    });
    work
}

/// How a group's membership changes in this cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Members {
    /// In-scope, provisioned members not exported yet: (user object id, target id).
    pub add: Vec<(String, String)>,
    /// Exported members to remove (left the group or scope): (user object id, target id).
    pub remove: Vec<(String, String)>,
    /// Exported members whose user is gone from the target: dropped without a request.
    pub gone: Vec<String>,
    /// In scope but not provisioned yet: deferred to a later cycle (user object ids).
    pub deferred: Vec<String>,
    /// Out of scope: neither provisioned nor added (user object ids).
    pub out_of_scope: BTreeSet<String>,
    /// Groups among the members: nested groups are not provisioned (KNOWN).
    pub nested: Vec<String>,
}

impl Members {
    /// Whether the membership differs from what the link records.
    pub(crate) fn changes(&self, link: Option<&GroupLink>) -> bool {
        !self.add.is_empty()
            || !self.remove.is_empty()
            || !self.gone.is_empty()
            || link.is_none_or(|l| l.out_of_scope != self.out_of_scope)
    }
}

/// The membership plan of an in-scope group, read after the cycle's users are exported: a
/// member is added once both ends exist (SCIMDEV, HPW step 6); a member whose user is not
/// provisioned yet is deferred; a member out of scope is neither provisioned nor added, and
/// with the known issue on its return to scope goes unnoticed until a restart (rulings.md R7).
pub(crate) fn members(
    state: &JobState,
    config: &JobConfig,
    dir: &Directory,
    index: &HashMap<String, Vec<EffectiveAssignment>>,
    group: &Group,
    initial: bool,
) -> Members {
    let link = state.group_links().get(&group.object_id);
    let sticky = config.known_issues.group_member_scope_needs_restart && !initial;
    let mut plan = Members::default();
    let mut desired: BTreeMap<&str, &str> = BTreeMap::new();
    for m in &group.members {
        let Some(record) = dir.user(m).filter(|r| r.user.object_id == *m) else {
            if dir.group(m).is_some() {
                plan.nested.push(m.clone());
            }
            continue;
        };
        let s = scope::evaluate_with(
            index.get(m).map_or(&[], Vec::as_slice),
            record,
            config.scope,
            &config.scoping_filters,
            config.skip_default_access,
        );
        let was_out = sticky && link.is_some_and(|l| l.out_of_scope.contains(m));
        if !(s.in_scope() && s.is_active) || was_out {
            plan.out_of_scope.insert(m.clone());
        } else if let Some(l) = state.managed_link(m) {
            desired.insert(m, &l.target_id);
        } else {
            plan.deferred.push(m.clone());
        }
    }
    if let Some(link) = link {
        for (id, target) in &link.members {
            if desired.get(id.as_str()) == Some(&target.as_str()) {
                continue;
            }
            match state.links().get(id) {
                Some(_) => plan.remove.push((id.clone(), target.clone())),
                None => plan.gone.push(id.clone()),
            }
        }
    }
    plan.add = desired
        .into_iter()
        .filter(|(id, target)| {
            link.is_none_or(|l| l.members.get(*id).map(String::as_str) != Some(*target))
        })
        .map(|(id, target)| (id.to_string(), target.to_string()))
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::directory::DirectoryUser;
    use crate::engine::job::{Link, LinkChange};

    fn directory() -> Directory {
        let mut dir = Directory::new();
        for (id, upn) in [
            ("u1", "ada@c.example"),
            ("u2", "alan@c.example"),
            ("u3", "grace@c.example"),
        ] {
            dir.add_user(DirectoryUser::new(id, upn)).unwrap();
        }
        dir.add_group(Group {
            object_id: "g1".into(),
            display_name: "Sales".into(),
            members: vec!["u1".into(), "u2".into()],
        })
        .unwrap();
        dir.add_group(Group {
            object_id: "g2".into(),
            display_name: "Ops".into(),
            members: vec!["u3".into(), "g1".into()],
        })
        .unwrap();
        dir.assign("g1", true, "User").unwrap();
        dir
    }

    fn link_user(state: &mut JobState, id: &str) {
        let link = Link {
            target_id: format!("t-{id}"),
            user_name: id.into(),
            managed: true,
            manager: None,
        };
        state.change_link(id, LinkChange::Set(link));
    }

    fn link_group(state: &mut JobState, id: &str, name: &str, members: &[&str]) {
        let link = GroupLink {
            target_id: format!("t-{id}"),
            display_name: name.into(),
            members: members
                .iter()
                .map(|m| (m.to_string(), format!("t-{m}")))
                .collect(),
            out_of_scope: BTreeSet::new(),
        };
        state.change_group_link(id, LinkChange::Set(link));
    }

    fn plans(work: &[GroupWork]) -> Vec<(&str, Plan)> {
        work.iter()
            .map(|w| (w.object_id.as_str(), w.plan))
            .collect()
    }

    #[test]
    fn assigned_groups_are_provisioned_and_nested_ones_are_not() {
        let dir = directory();
        let config = JobConfig::default();
        let state = JobState::new(0);
        let work = plan_groups(&state, &config, &dir, true, 0);
        assert_eq!(
            plans(&work),
            [("g1", Plan::Provision)],
            "g2 is not assigned"
        );
        let all = JobConfig {
            scope: SyncScope::All,
            ..JobConfig::default()
        };
        let work = plan_groups(&state, &all, &dir, true, 0);
        assert_eq!(
            plans(&work),
            [("g1", Plan::Provision), ("g2", Plan::Provision)]
        );
    }

    #[test]
    fn unassigned_or_deleted_linked_groups_are_deleted() {
        let mut dir = directory();
        let mut state = JobState::new(0);
        link_group(&mut state, "g1", "Sales", &[]);
        link_group(&mut state, "g9", "Gone", &[]);
        dir.unassign("g1", true).unwrap();
        let config = JobConfig::default();
        let work = plan_groups(&state, &config, &dir, false, 0);
        assert_eq!(plans(&work), [("g1", Plan::Delete), ("g9", Plan::Delete)]);
        let skip = JobConfig {
            skip_out_of_scope_deletions: true,
            ..JobConfig::default()
        };
        let work = plan_groups(&state, &skip, &dir, true, 0);
        assert_eq!(
            plans(&work),
            [("g1", Plan::SkipDeprovision), ("g9", Plan::Delete)],
            "a deletion in the directory is not an out-of-scope deletion"
        );
    }

    #[test]
    fn members_are_added_once_provisioned_and_deferred_before() {
        let dir = directory();
        let config = JobConfig::default();
        let mut state = JobState::new(0);
        link_user(&mut state, "u1");
        let index = dir.assignment_index();
        let g1 = dir.group("g1").unwrap();
        let m = members(&state, &config, &dir, &index, g1, true);
        assert_eq!(m.add, [("u1".to_string(), "t-u1".to_string())]);
        assert_eq!(m.deferred, ["u2"]);
        let g2 = dir.group("g2").unwrap();
        let m = members(&state, &config, &dir, &index, g2, true);
        assert_eq!(m.nested, ["g1"]);
        assert_eq!(m.out_of_scope.len(), 1, "u3 is not assigned: {m:?}");
    }

    #[test]
    fn removed_members_are_removed_and_deleted_users_dropped() {
        let mut dir = directory();
        let config = JobConfig::default();
        let mut state = JobState::new(0);
        link_user(&mut state, "u1");
        link_user(&mut state, "u2");
        link_group(&mut state, "g1", "Sales", &["u1", "u2", "u3"]);
        dir.remove_member("g1", "u2").unwrap();
        let index = dir.assignment_index();
        let m = members(
            &state,
            &config,
            &dir,
            &index,
            dir.group("g1").unwrap(),
            false,
        );
        assert!(m.add.is_empty());
        assert_eq!(m.remove, [("u2".to_string(), "t-u2".to_string())]);
        assert_eq!(m.gone, ["u3"], "u3 has no link any more");
        assert!(m.changes(state.group_links().get("g1")));
    }

    #[test]
    fn a_member_back_in_scope_waits_for_a_restart() {
        // KNOWN "Member of group not provisioned" (rulings.md R7).
        let dir = directory();
        let mut state = JobState::new(0);
        link_user(&mut state, "u1");
        link_user(&mut state, "u2");
        let mut link = GroupLink {
            target_id: "t-g1".into(),
            display_name: "Sales".into(),
            members: [("u1".to_string(), "t-u1".to_string())].into(),
            out_of_scope: ["u2".to_string()].into(),
        };
        state.change_group_link("g1", LinkChange::Set(link.clone()));
        let config = JobConfig::default();
        let index = dir.assignment_index();
        let g1 = dir.group("g1").unwrap();
        let m = members(&state, &config, &dir, &index, g1, false);
        assert!(m.add.is_empty() && m.out_of_scope.contains("u2"), "{m:?}");
        assert!(!m.changes(Some(&link)));
        let m = members(&state, &config, &dir, &index, g1, true);
        assert_eq!(
            m.add,
            [("u2".to_string(), "t-u2".to_string())],
            "after a restart"
        );
        let off = JobConfig {
            known_issues: crate::engine::known_issues::KnownIssues {
                group_member_scope_needs_restart: false,
                ..Default::default()
            },
            ..JobConfig::default()
        };
        let m = members(&state, &off, &dir, &index, g1, false);
        assert_eq!(m.add.len(), 1, "the known issue turned off");
        link.out_of_scope.clear();
        assert!(m.changes(Some(&link)));
    }
}
