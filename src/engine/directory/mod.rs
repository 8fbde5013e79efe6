//! The source directory: users, groups, the Blink application's roles and assignments, with
//! soft delete (hard delete 30 days later or on demand), restore, and a change sequence that
//! incremental cycles read (aad-provisioning-service.md §1.3, §2).

pub(crate) mod generator;
pub(crate) mod model;

pub(crate) use model::{AppRole, Assignment, DirectoryUser, Group, Principal, blink_app_roles};

use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Entra ID hard-deletes a user this long after a soft delete (HPW incremental step 9).
pub(crate) const HARD_DELETE_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

/// Where a user is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Lifecycle {
    /// A normal user.
    Present,
    /// In the recycle bin since `at` (Unix ms); restorable.
    SoftDeleted {
        /// When.
        at: i64,
    },
    /// Permanently deleted at `at`; kept as a tombstone so cycles see the deletion.
    HardDeleted {
        /// When.
        at: i64,
    },
}

/// A user and what the directory tracks about it.
#[derive(Clone, Debug)]
pub struct UserRecord {
    /// The user.
    pub user: DirectoryUser,
    /// Lifecycle state.
    pub lifecycle: Lifecycle,
    /// The change sequence number of its last change.
    pub changed_seq: u64,
}

impl UserRecord {
    /// Whether the user is soft-deleted.
    pub fn is_soft_deleted(&self) -> bool {
        matches!(self.lifecycle, Lifecycle::SoftDeleted { .. })
    }

    /// Whether the user is hard-deleted.
    pub fn is_hard_deleted(&self) -> bool {
        matches!(self.lifecycle, Lifecycle::HardDeleted { .. })
    }
}

/// A directory operation that could not be carried out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// No such user.
    #[error("no user with object id or userPrincipalName '{0}'")]
    NoUser(String),
    /// No such group.
    #[error("no group with object id or name '{0}'")]
    NoGroup(String),
    /// No such app role.
    #[error("no app role with id, value or display name '{0}'")]
    NoRole(String),
    /// The object id or UPN is taken.
    #[error("'{0}' is already used by another object")]
    Duplicate(String),
    /// The operation does not apply in the user's state.
    #[error("{0}")]
    Invalid(String),
}

/// How one user is assigned to the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveAssignment {
    /// The role.
    pub role: AppRole,
    /// The group the assignment came through, if not direct.
    pub via_group: Option<String>,
}

/// An Entra ID tenant's worth of identities.
#[derive(Clone, Debug)]
pub struct Directory {
    users: Vec<UserRecord>,
    user_index: HashMap<String, usize>,
    /// Lower-cased UPN of every user not hard-deleted.
    upn_index: HashMap<String, usize>,
    groups: Vec<Group>,
    group_index: HashMap<String, usize>,
    /// Members of each group, for constant-time membership checks.
    member_sets: Vec<HashSet<String>>,
    roles: Vec<AppRole>,
    assignments: Vec<Assignment>,
    assignment_set: HashSet<(Principal, String)>,
    seq: u64,
    next_id: u64,
}

impl Default for Directory {
    fn default() -> Self {
        Directory::new()
    }
}

impl Directory {
    /// An empty directory with the Blink application's roles.
    pub fn new() -> Self {
        Directory {
            users: Vec::new(),
            user_index: HashMap::new(),
            upn_index: HashMap::new(),
            groups: Vec::new(),
            group_index: HashMap::new(),
            member_sets: Vec::new(),
            roles: blink_app_roles(),
            assignments: Vec::new(),
            assignment_set: HashSet::new(),
            seq: 0,
            next_id: 1,
        }
    }

    /// The current change sequence number (the watermark a cycle persists).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    fn bump(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn mark(&mut self, index: usize) {
        let seq = self.bump();
        if let Some(r) = self.users.get_mut(index) {
            r.changed_seq = seq;
        }
    }

    /// A fresh GUID-shaped object id, deterministic in the directory's history
    /// (`kind` 1 for users, 2 for groups).
    fn fresh_id(&mut self, kind: u32) -> String {
        let n = self.next_id;
        self.next_id += 1;
        format!("{kind:08x}-0000-4000-8000-{n:012x}")
    }

    /// Users in insertion order, tombstones included.
    pub fn users(&self) -> &[UserRecord] {
        &self.users
    }

    /// A user by object id or UPN (case-insensitive).
    pub fn user(&self, key: &str) -> Option<&UserRecord> {
        self.user_position(key).map(|i| &self.users[i])
    }

    fn user_position(&self, key: &str) -> Option<usize> {
        self.user_index
            .get(key)
            .copied()
            .or_else(|| self.upn_index.get(&key.to_lowercase()).copied())
            // Hard-deleted users keep their UPN for lookups (a slow path, for tombstones).
            .or_else(|| {
                self.users.iter().position(|r| {
                    r.is_hard_deleted() && r.user.user_principal_name.eq_ignore_ascii_case(key)
                })
            })
    }

    fn user_mut_index(&self, key: &str) -> Result<usize, DirectoryError> {
        self.user_position(key)
            .ok_or_else(|| DirectoryError::NoUser(key.to_string()))
    }

    /// Adds a user; an empty object id gets a generated one. Returns the object id.
    pub fn add_user(&mut self, mut user: DirectoryUser) -> Result<String, DirectoryError> {
        if user.object_id.is_empty() {
            user.object_id = self.fresh_id(1);
        }
        if self.user_index.contains_key(&user.object_id) {
            return Err(DirectoryError::Duplicate(user.object_id));
        }
        let upn = user.user_principal_name.to_lowercase();
        if self.upn_index.contains_key(&upn) {
            return Err(DirectoryError::Duplicate(user.user_principal_name));
        }
        let id = user.object_id.clone();
        let seq = self.bump();
        self.upn_index.insert(upn, self.users.len());
        self.user_index.insert(id.clone(), self.users.len());
        self.users.push(UserRecord {
            user,
            lifecycle: Lifecycle::Present,
            changed_seq: seq,
        });
        Ok(id)
    }

    /// Changes a user with `f`; the user counts as changed for the next incremental cycle.
    pub fn update_user(
        &mut self,
        key: &str,
        f: impl FnOnce(&mut DirectoryUser),
    ) -> Result<(), DirectoryError> {
        let i = self.user_mut_index(key)?;
        if self.users[i].is_hard_deleted() {
            return Err(DirectoryError::Invalid(format!(
                "user '{key}' is hard-deleted"
            )));
        }
        let id = self.users[i].user.object_id.clone();
        let old_upn = self.users[i].user.user_principal_name.to_lowercase();
        let mut updated = self.users[i].user.clone();
        f(&mut updated);
        updated.object_id = id;
        let new_upn = updated.user_principal_name.to_lowercase();
        if new_upn != old_upn {
            if self.upn_index.contains_key(&new_upn) {
                return Err(DirectoryError::Duplicate(updated.user_principal_name));
            }
            self.upn_index.remove(&old_upn);
            self.upn_index.insert(new_upn, i);
        }
        self.users[i].user = updated;
        self.mark(i);
        Ok(())
    }

    /// Sets one attribute by its source name (`department`, `extensionAttribute3`, ...).
    pub fn set_attribute(
        &mut self,
        key: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<(), DirectoryError> {
        let mut ok = true;
        self.update_user(key, |u| ok = u.set_attribute(name, value))?;
        if ok {
            Ok(())
        } else {
            Err(DirectoryError::Invalid(format!(
                "attribute '{name}' cannot be set to that value"
            )))
        }
    }

    /// Moves a user to the recycle bin.
    pub fn soft_delete(&mut self, key: &str, now: i64) -> Result<(), DirectoryError> {
        let i = self.user_mut_index(key)?;
        if self.users[i].lifecycle != Lifecycle::Present {
            return Err(DirectoryError::Invalid(format!(
                "user '{key}' is not present"
            )));
        }
        self.users[i].lifecycle = Lifecycle::SoftDeleted { at: now };
        self.mark(i);
        Ok(())
    }

    /// Restores a soft-deleted user.
    pub fn restore(&mut self, key: &str) -> Result<(), DirectoryError> {
        let i = self.user_mut_index(key)?;
        if !self.users[i].is_soft_deleted() {
            return Err(DirectoryError::Invalid(format!(
                "user '{key}' is not soft-deleted"
            )));
        }
        self.users[i].lifecycle = Lifecycle::Present;
        self.mark(i);
        Ok(())
    }

    /// Deletes a user permanently (also "on demand" during the 30 days).
    pub fn hard_delete(&mut self, key: &str, now: i64) -> Result<(), DirectoryError> {
        let i = self.user_mut_index(key)?;
        if self.users[i].is_hard_deleted() {
            return Err(DirectoryError::Invalid(format!(
                "user '{key}' is already hard-deleted"
            )));
        }
        self.users[i].lifecycle = Lifecycle::HardDeleted { at: now };
        let id = self.users[i].user.object_id.clone();
        self.upn_index
            .remove(&self.users[i].user.user_principal_name.to_lowercase());
        let principal = Principal::User(id.clone());
        self.assignments.retain(|a| a.principal != principal);
        self.assignment_set.retain(|(p, _)| *p != principal);
        for (g, set) in self.groups.iter_mut().zip(self.member_sets.iter_mut()) {
            if set.remove(&id) {
                g.members.retain(|m| *m != id);
            }
        }
        self.mark(i);
        Ok(())
    }

    /// Hard-deletes users soft-deleted at least 30 days before `now` (the recycle bin); returns them.
    pub fn purge_expired(&mut self, now: i64) -> Vec<String> {
        let limit = i64::try_from(HARD_DELETE_AFTER.as_millis()).unwrap_or(i64::MAX);
        let due: Vec<String> = self
            .users
            .iter()
            .filter(|r| matches!(r.lifecycle, Lifecycle::SoftDeleted { at } if now.saturating_sub(at) >= limit))
            .map(|r| r.user.object_id.clone())
            .collect();
        for id in &due {
            let _ = self.hard_delete(id, now);
        }
        due
    }

    /// Groups in insertion order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    fn group_position(&self, key: &str) -> Option<usize> {
        self.group_index.get(key).copied().or_else(|| {
            self.groups
                .iter()
                .position(|g| g.display_name.eq_ignore_ascii_case(key))
        })
    }

    /// A group by object id or display name.
    pub fn group(&self, key: &str) -> Option<&Group> {
        self.group_position(key).map(|i| &self.groups[i])
    }

    /// Adds a group; members may be named by object id or UPN / group name.
    pub fn add_group(&mut self, mut group: Group) -> Result<String, DirectoryError> {
        if group.object_id.is_empty() {
            group.object_id = self.fresh_id(2);
        }
        if self.group_index.contains_key(&group.object_id)
            || self.group_position(&group.display_name).is_some()
        {
            return Err(DirectoryError::Duplicate(group.display_name));
        }
        let members = std::mem::take(&mut group.members);
        let id = group.object_id.clone();
        self.group_index.insert(id.clone(), self.groups.len());
        self.groups.push(group);
        self.member_sets.push(HashSet::new());
        for m in members {
            self.add_member(&id, &m)?;
        }
        Ok(id)
    }

    fn resolve_member(&self, key: &str) -> Result<String, DirectoryError> {
        if let Some(u) = self.user(key) {
            return Ok(u.user.object_id.clone());
        }
        self.group(key)
            .map(|g| g.object_id.clone())
            .ok_or_else(|| DirectoryError::NoUser(key.to_string()))
    }

    /// Adds a member (user or group) to a group.
    pub fn add_member(&mut self, group: &str, member: &str) -> Result<(), DirectoryError> {
        let gi = self
            .group_position(group)
            .ok_or_else(|| DirectoryError::NoGroup(group.to_string()))?;
        let member = self.resolve_member(member)?;
        if self.member_sets[gi].insert(member.clone()) {
            self.groups[gi].members.push(member.clone());
            if let Some(ui) = self.user_index.get(&member).copied() {
                self.mark(ui);
            }
        }
        Ok(())
    }

    /// Removes a member from a group.
    pub fn remove_member(&mut self, group: &str, member: &str) -> Result<(), DirectoryError> {
        let gi = self
            .group_position(group)
            .ok_or_else(|| DirectoryError::NoGroup(group.to_string()))?;
        let member = self.resolve_member(member)?;
        if self.member_sets[gi].remove(&member) {
            self.groups[gi].members.retain(|m| *m != member);
        }
        if let Some(ui) = self.user_index.get(&member).copied() {
            self.mark(ui);
        }
        Ok(())
    }

    /// The application's roles.
    pub fn roles(&self) -> &[AppRole] {
        &self.roles
    }

    /// Adds an app role.
    pub fn add_role(&mut self, role: AppRole) -> Result<(), DirectoryError> {
        if self
            .roles
            .iter()
            .any(|r| r.id == role.id || r.value == role.value)
        {
            return Err(DirectoryError::Duplicate(role.value));
        }
        self.roles.push(role);
        Ok(())
    }

    /// A role by id, value or display name (case-insensitive).
    pub fn role(&self, key: &str) -> Option<&AppRole> {
        self.roles.iter().find(|r| {
            r.id.eq_ignore_ascii_case(key)
                || r.value.eq_ignore_ascii_case(key)
                || r.display_name.eq_ignore_ascii_case(key)
        })
    }

    fn principal(&self, key: &str, is_group: bool) -> Result<Principal, DirectoryError> {
        if is_group {
            self.group(key)
                .map(|g| Principal::Group(g.object_id.clone()))
                .ok_or_else(|| DirectoryError::NoGroup(key.into()))
        } else {
            self.user(key)
                .map(|u| Principal::User(u.user.object_id.clone()))
                .ok_or_else(|| DirectoryError::NoUser(key.into()))
        }
    }

    /// Users an assignment to `principal` reaches: the user, or a group's direct user members.
    fn reached(&self, principal: &Principal) -> Vec<usize> {
        match principal {
            Principal::User(id) => self.user_index.get(id).copied().into_iter().collect(),
            Principal::Group(id) => self
                .group_index
                .get(id)
                .map(|&gi| {
                    self.groups[gi]
                        .members
                        .iter()
                        .filter_map(|m| self.user_index.get(m).copied())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Assigns the application to a user or group with a role.
    pub fn assign(&mut self, key: &str, is_group: bool, role: &str) -> Result<(), DirectoryError> {
        let principal = self.principal(key, is_group)?;
        let role_id = self.role_id(role)?;
        if self
            .assignment_set
            .insert((principal.clone(), role_id.clone()))
        {
            self.assignments.push(Assignment {
                principal: principal.clone(),
                role_id,
            });
        }
        for i in self.reached(&principal) {
            self.mark(i);
        }
        Ok(())
    }

    /// Removes every assignment of a user or group.
    pub fn unassign(&mut self, key: &str, is_group: bool) -> Result<(), DirectoryError> {
        let principal = self.principal(key, is_group)?;
        self.assignments.retain(|a| a.principal != principal);
        self.assignment_set.retain(|(p, _)| *p != principal);
        for i in self.reached(&principal) {
            self.mark(i);
        }
        Ok(())
    }

    /// Replaces a user's or group's assignments with one of `role`.
    pub fn set_role(
        &mut self,
        key: &str,
        is_group: bool,
        role: &str,
    ) -> Result<(), DirectoryError> {
        // Both checked before anything changes.
        self.role_id(role)?;
        self.principal(key, is_group)?;
        self.unassign(key, is_group)?;
        self.assign(key, is_group, role)
    }

    /// The id of a role named by id, value or display name.
    fn role_id(&self, role: &str) -> Result<String, DirectoryError> {
        self.role(role)
            .map(|r| r.id.clone())
            .ok_or_else(|| DirectoryError::NoRole(role.to_string()))
    }

    /// All assignments.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }

    /// How a user is assigned: directly, or through a group it is a direct member of
    /// (members of nested groups are not reached, HPW "Nested groups").
    pub fn assignments_of(&self, object_id: &str) -> Vec<EffectiveAssignment> {
        let role = |id: &str| self.roles.iter().find(|r| r.id == id).cloned();
        let mut out = Vec::new();
        for a in &self.assignments {
            let via_group = match &a.principal {
                Principal::User(u) if u == object_id => None,
                Principal::Group(g) => match self.group_index.get(g) {
                    Some(&gi) if self.member_sets[gi].contains(object_id) => Some(g.clone()),
                    _ => continue,
                },
                Principal::User(_) => continue,
            };
            if let Some(role) = role(&a.role_id) {
                out.push(EffectiveAssignment { role, via_group });
            }
        }
        out
    }

    /// Every user's effective assignments, computed in one pass (for cycles over many users).
    pub fn assignment_index(&self) -> HashMap<String, Vec<EffectiveAssignment>> {
        let mut index: HashMap<String, Vec<EffectiveAssignment>> = HashMap::new();
        for a in &self.assignments {
            let Some(role) = self.roles.iter().find(|r| r.id == a.role_id) else {
                continue;
            };
            match &a.principal {
                Principal::User(u) => {
                    index
                        .entry(u.clone())
                        .or_default()
                        .push(EffectiveAssignment {
                            role: role.clone(),
                            via_group: None,
                        })
                }
                Principal::Group(g) => {
                    if let Some(&gi) = self.group_index.get(g) {
                        for m in &self.groups[gi].members {
                            if self.user_index.contains_key(m) {
                                index
                                    .entry(m.clone())
                                    .or_default()
                                    .push(EffectiveAssignment {
                                        role: role.clone(),
                                        via_group: Some(g.clone()),
                                    });
                            }
                        }
                    }
                }
            }
        }
        index
    }

    /// Users changed after `watermark`, in directory order.
    pub fn changed_since(&self, watermark: u64) -> Vec<&UserRecord> {
        self.users
            .iter()
            .filter(|r| r.changed_seq > watermark)
            .collect()
    }
}

#[cfg(test)]
mod tests;
