//! What a cycle decides before it sends anything (HPW): which users it imports, what to do
//! with each, and which deletions the accidental-deletion threshold holds back (ACCDEL).
//! Pure: values in, values out.

use crate::engine::config::JobConfig;
use crate::engine::directory::{Directory, EffectiveAssignment, UserRecord};
use crate::engine::job::JobState;
use crate::engine::scope::{self, ScopeResult, SkipReason};
use std::collections::{HashMap, HashSet};

/// What a cycle decided to do with one user before exporting anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Not provisioned and not in scope: log a skip.
    Skip(SkipReason),
    /// In scope and active: match or read, then create or update.
    Provision,
    /// Managed and no longer in scope (or inactive): disable; `unmanage` when it left scope.
    Deprovision { unmanage: bool },
    /// Left scope, but SkipOutOfScopeDeletions is set.
    SkipDeprovision,
    /// Hard-deleted and managed: delete.
    Delete,
    /// Held back by the deletion threshold.
    Staged,
    /// Hard-deleted but no longer managed: forget the link.
    Forget,
}

impl Plan {
    /// Whether the plan disables or deletes in the target.
    fn deletes(self) -> bool {
        matches!(self, Plan::Deprovision { .. } | Plan::Delete)
    }
}

/// Which users the cycle reads: all assigned (or all, in sync-all scope) for an initial
/// cycle; for an incremental one, those changed since the watermark, plus escrows due and
/// staged deletes (HPW).
pub(crate) fn import<'d>(
    state: &JobState,
    config: &JobConfig,
    dir: &'d Directory,
    index: &HashMap<String, Vec<EffectiveAssignment>>,
    now: i64,
) -> Vec<&'d UserRecord> {
    let relevant = |r: &UserRecord| {
        let id = &r.user.object_id;
        state.links().contains_key(id)
            || (!r.is_hard_deleted()
                && match config.scope {
                    scope::SyncScope::All => true,
                    scope::SyncScope::AssignedOnly => index.get(id).is_some_and(|a| !a.is_empty()),
                })
    };
    match state.watermark() {
        None => dir.users().iter().filter(|r| relevant(r)).collect(),
        Some(w) => {
            let woken = woken_reports(state, config, dir, w);
            dir.users()
                .iter()
                .filter(|r| {
                    let id = &r.user.object_id;
                    ((r.changed_seq > w || woken.contains(id.as_str())) && relevant(r))
                        || state.escrows().get(id).is_some_and(|e| e.next_retry <= now)
                        || state.staged().contains(id)
                })
                .collect()
        }
    }
}

/// With the manager known issue switched off, the users exported without a manager that
/// changed since watermark `w` (e.g. came into scope), so their reference follows at once;
/// none while it is on: "the manager reference won't be updated until you restart
/// provisioning" (known-issues.md, rulings.md R7).
fn woken_reports<'s>(
    state: &'s JobState,
    config: &JobConfig,
    dir: &Directory,
    w: u64,
) -> HashSet<&'s str> {
    if config.known_issues.manager_in_scope_needs_restart {
        return HashSet::new();
    }
    state
        .awaiting_manager()
        .iter()
        .filter(|(_, m)| dir.user(m).is_some_and(|r| r.changed_seq > w))
        .map(|(report, _)| report.as_str())
        .collect()
}

/// What to do with one user.
pub(crate) fn plan(
    state: &JobState,
    config: &JobConfig,
    record: &UserRecord,
    scope: &ScopeResult,
) -> Plan {
    let link = state.links().get(&record.user.object_id);
    let managed = link.is_some_and(|l| l.managed);
    if record.is_hard_deleted() {
        return match link {
            Some(l) if l.managed && config.actions.delete => Plan::Delete,
            Some(_) => Plan::Forget,
            None => Plan::Skip(SkipReason::NotEffectivelyEntitled),
        };
    }
    if scope.in_scope() {
        return match (scope.is_active, managed) {
            (true, _) => Plan::Provision,
            (false, true) => Plan::Deprovision { unmanage: false },
            (false, false) => Plan::Skip(SkipReason::NotActive),
        };
    }
    match (managed, config.skip_out_of_scope_deletions) {
        (true, true) => Plan::SkipDeprovision,
        (true, false) => Plan::Deprovision { unmanage: true },
        (false, _) => Plan::Skip(
            scope
                .skip_reason()
                .unwrap_or(SkipReason::NotEffectivelyEntitled),
        ),
    }
}

/// Prevent accidental deletions (ACCDEL): more disables and deletes than the threshold in
/// one cycle are staged, unless deletes were allowed (`forced`).
pub(crate) fn stage_deletions(plans: &mut [Plan], config: &JobConfig, forced: bool) {
    let deletions = plans.iter().filter(|p| p.deletes()).count();
    let over = config.accidental_deletions.enabled
        && deletions > config.accidental_deletions.threshold as usize;
    if over && !forced {
        for p in plans.iter_mut().filter(|p| p.deletes()) {
            *p = Plan::Staged;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::AccidentalDeletions;
    use crate::engine::directory::DirectoryUser;
    use crate::engine::job::{Link, LinkChange};

    fn scope(in_scope: bool, active: bool) -> ScopeResult {
        ScopeResult {
            is_active: active,
            assigned: in_scope,
            effectively_entitled: true,
            passes_filters: true,
            roles: Vec::new(),
        }
    }

    fn linked(dir: &Directory, id: &str) -> JobState {
        let mut state = JobState::new(0);
        let link = Link {
            target_id: format!("t-{id}"),
            user_name: dir
                .user(id)
                .map_or(String::new(), |r| r.user.user_principal_name.clone()),
            managed: true,
            manager: None,
        };
        state.change_link(id, LinkChange::Set(link));
        state
    }

    fn directory() -> Directory {
        let mut dir = Directory::new();
        dir.add_user(DirectoryUser::new("u1", "ada@contoso.example"))
            .unwrap();
        dir.assign("u1", false, "User").unwrap();
        dir
    }

    #[test]
    fn in_scope_provisions_and_leaving_scope_disables_a_managed_user() {
        let dir = directory();
        let config = JobConfig::default();
        let record = dir.user("u1").unwrap();
        let fresh = JobState::new(0);
        assert_eq!(
            plan(&fresh, &config, record, &scope(true, true)),
            Plan::Provision
        );
        assert_eq!(
            plan(&fresh, &config, record, &scope(true, false)),
            Plan::Skip(SkipReason::NotActive)
        );
        let state = linked(&dir, "u1");
        assert_eq!(
            plan(&state, &config, record, &scope(true, false)),
            Plan::Deprovision { unmanage: false }
        );
        assert_eq!(
            plan(&state, &config, record, &scope(false, true)),
            Plan::Deprovision { unmanage: true }
        );
        let skip = JobConfig {
            skip_out_of_scope_deletions: true,
            ..JobConfig::default()
        };
        assert_eq!(
            plan(&state, &skip, record, &scope(false, true)),
            Plan::SkipDeprovision
        );
    }

    #[test]
    fn hard_deleted_users_are_deleted_only_when_managed() {
        let mut dir = directory();
        dir.hard_delete("u1", time::OffsetDateTime::UNIX_EPOCH)
            .unwrap();
        let config = JobConfig::default();
        let record = dir.user("u1").unwrap();
        let state = linked(&dir, "u1");
        assert_eq!(
            plan(&state, &config, record, &scope(false, false)),
            Plan::Delete
        );
        assert_eq!(
            plan(&JobState::new(0), &config, record, &scope(false, false)),
            Plan::Skip(SkipReason::NotEffectivelyEntitled)
        );
    }

    #[test]
    fn deletions_over_the_threshold_are_staged_unless_forced() {
        let config = JobConfig {
            accidental_deletions: AccidentalDeletions {
                enabled: true,
                threshold: 1,
            },
            ..JobConfig::default()
        };
        let all = [
            Plan::Delete,
            Plan::Deprovision { unmanage: true },
            Plan::Provision,
        ];
        let mut plans = all;
        stage_deletions(&mut plans, &config, false);
        assert_eq!(plans, [Plan::Staged, Plan::Staged, Plan::Provision]);
        let mut plans = all;
        stage_deletions(&mut plans, &config, true);
        assert_eq!(plans, all);
        let mut plans = [Plan::Delete, Plan::Provision];
        stage_deletions(&mut plans, &config, false);
        assert_eq!(plans, [Plan::Delete, Plan::Provision], "at the threshold");
    }

    #[test]
    fn an_incremental_import_reads_changes_only() {
        let mut dir = directory();
        dir.add_user(DirectoryUser::new("u2", "alan@contoso.example"))
            .unwrap();
        dir.assign("u2", false, "User").unwrap();
        let config = JobConfig::default();
        let index = dir.assignment_index();
        let mut state = JobState::new(0);
        assert_eq!(import(&state, &config, &dir, &index, 0).len(), 2);
        state.set_watermark(dir.seq());
        assert!(import(&state, &config, &dir, &index, 0).is_empty());
        dir.set_attribute("u2", "jobTitle", Some("Lead".into()))
            .unwrap();
        let index = dir.assignment_index();
        let ids: Vec<&str> = import(&state, &config, &dir, &index, 0)
            .iter()
            .map(|r| r.user.object_id.as_str())
            .collect();
        assert_eq!(ids, ["u2"]);
    }
}
