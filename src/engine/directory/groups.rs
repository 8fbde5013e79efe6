//! The directory's groups: added, renamed and deleted, and their members (users or groups).

use super::{Directory, DirectoryError, Group, Principal};
use std::collections::HashSet;

impl Directory {
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

    /// Renames a group.
    pub fn rename_group(&mut self, key: &str, name: &str) -> Result<(), DirectoryError> {
        let gi = self
            .group_position(key)
            .ok_or_else(|| DirectoryError::NoGroup(key.to_string()))?;
        if self.group_position(name).is_some_and(|other| other != gi) {
            return Err(DirectoryError::Duplicate(name.to_string()));
        }
        self.groups[gi].display_name = name.to_string();
        Ok(())
    }

    /// Deletes a group permanently, with its assignments and its place in other groups; its
    /// members are marked changed, as their scope may change.
    pub fn delete_group(&mut self, key: &str) -> Result<(), DirectoryError> {
        let gi = self
            .group_position(key)
            .ok_or_else(|| DirectoryError::NoGroup(key.to_string()))?;
        let id = self.groups[gi].object_id.clone();
        let principal = Principal::Group(id.clone());
        for i in self.reached(&principal) {
            self.mark(i);
        }
        self.assignments.retain(|a| a.principal != principal);
        self.assignment_set.retain(|(p, _)| *p != principal);
        self.groups.remove(gi);
        self.member_sets.remove(gi);
        for (g, set) in self.groups.iter_mut().zip(self.member_sets.iter_mut()) {
            if set.remove(&id) {
                g.members.retain(|m| *m != id);
            }
        }
        self.group_index = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.object_id.clone(), i))
            .collect();
        Ok(())
    }
}
