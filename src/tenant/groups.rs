//! The tenant's groups: ordered by id, indexed by displayName, externalId and member (the
//! user→groups index keeps "delete a user, drop it from every group" cheap). Pure data
//! structure; the user store owns it, so both change under one lock.

use super::index::ValueIndex;
use crate::scim::error::{ScimError, excerpt};
use crate::scim::filter::Filter;
use crate::scim::fold::fold;
use crate::scim::group::{Group, GroupAttrs};
use crate::scim::group_filter::{self, GroupLookup};
use crate::scim::user::Meta;
use rand::RngExt;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Rules applied on every group write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GroupRules {
    /// A second group with the same displayName (case-insensitive) gets 409.
    pub unique_display_name: bool,
    /// A member must be a user of the tenant (else 400 `invalidValue`).
    pub members_must_exist: bool,
}

/// All groups of a tenant.
#[derive(Debug)]
pub(crate) struct GroupStore {
    groups: BTreeMap<Uuid, Group>,
    by_display_name: ValueIndex,
    by_external_id: ValueIndex,
    by_member: HashMap<Uuid, BTreeSet<Uuid>>,
    deletions: HashMap<String, u32>,
}

impl Default for GroupStore {
    fn default() -> Self {
        GroupStore {
            groups: BTreeMap::new(),
            by_display_name: ValueIndex::new(true),
            by_external_id: ValueIndex::new(false),
            by_member: HashMap::new(),
            deletions: HashMap::new(),
        }
    }
}

impl GroupStore {
    /// Number of groups.
    pub(crate) fn len(&self) -> usize {
        self.groups.len()
    }

    /// A group by id.
    pub(crate) fn get(&self, id: &Uuid) -> Option<&Group> {
        self.groups.get(id)
    }

    /// All groups, in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// The ids of the groups `user` is a member of, in id order.
    pub(crate) fn groups_of(&self, user: &Uuid) -> impl Iterator<Item = &Uuid> {
        self.by_member.get(user).into_iter().flatten()
    }

    /// The group with this displayName (case-insensitive).
    pub(crate) fn find_by_display_name(&self, name: &str) -> Option<&Group> {
        let folded = fold(name);
        self.by_display_name
            .get(name)
            .filter_map(|id| self.groups.get(&id))
            .find(|g| fold(&g.attrs.display_name) == folded)
    }

    /// Checks what a write must hold; `member_exists` says whether a user id is in the tenant.
    pub(crate) fn check(
        &self,
        attrs: &GroupAttrs,
        except: Option<Uuid>,
        rules: GroupRules,
        member_exists: &dyn Fn(&Uuid) -> bool,
    ) -> Result<(), ScimError> {
        if rules.unique_display_name
            && let Some(other) = self.find_by_display_name(&attrs.display_name)
            && Some(other.id) != except
        {
            return Err(ScimError::uniqueness(format!(
                "A group named '{}' already exists",
                excerpt(&attrs.display_name)
            )));
        }
        if rules.members_must_exist
            && let Some(m) = attrs.members.iter().find(|m| !member_exists(&m.value))
        {
            return Err(crate::scim::group::unknown_member(&m.value.to_string()));
        }
        Ok(())
    }

    /// The id a new group named `name` gets, from the seed, the name and prior deletions.
    fn new_id(&self, seed: u64, name: &str) -> Uuid {
        let folded = fold(name);
        let mut ordinal = self.deletions.get(&*folded).copied().unwrap_or(0);
        loop {
            let key = super::store::fnv1a(&folded) ^ 0x6772_6f75_7073; // "groups"
            let mut rng = crate::fakes::rng(seed ^ key, u64::from(ordinal));
            let id = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
            if !self.groups.contains_key(&id) {
                return id;
            }
            ordinal += 1;
        }
    }

    /// Creates a checked group; returns its id.
    pub(crate) fn create(&mut self, seed: u64, attrs: GroupAttrs, now: i64) -> Uuid {
        let id = self.new_id(seed, &attrs.display_name);
        let meta = Meta {
            created: now,
            last_modified: now,
            version: 1,
        };
        self.insert(Group { id, meta, attrs });
        id
    }

    /// Inserts a group exactly as given (state import); replaces one with the same id.
    pub(crate) fn insert(&mut self, group: Group) {
        if let Some(old) = self.groups.remove(&group.id) {
            self.unindex(&old);
        }
        self.index(&group);
        self.groups.insert(group.id, group);
    }

    fn index(&mut self, g: &Group) {
        self.by_display_name.insert(&g.attrs.display_name, g.id);
        if let Some(ext) = &g.attrs.external_id {
            self.by_external_id.insert(ext, g.id);
        }
        for m in &g.attrs.members {
            self.by_member.entry(m.value).or_default().insert(g.id);
        }
    }

    fn unindex(&mut self, g: &Group) {
        self.by_display_name.remove(&g.attrs.display_name, g.id);
        if let Some(ext) = &g.attrs.external_id {
            self.by_external_id.remove(ext, g.id);
        }
        for m in &g.attrs.members {
            if let Some(set) = self.by_member.get_mut(&m.value) {
                set.remove(&g.id);
                if set.is_empty() {
                    self.by_member.remove(&m.value);
                }
            }
        }
    }

    /// Replaces a checked group's attributes; whether anything changed (`None`: no such group).
    pub(crate) fn replace(&mut self, id: &Uuid, attrs: GroupAttrs, now: i64) -> Option<bool> {
        let mut group = self.groups.remove(id)?;
        if group.attrs == attrs {
            self.groups.insert(*id, group);
            return Some(false);
        }
        self.unindex(&group);
        group.attrs = attrs;
        group.meta.last_modified = now.max(group.meta.created);
        group.meta.version = group.meta.version.saturating_add(1);
        self.index(&group);
        self.groups.insert(*id, group);
        Some(true)
    }

    /// Deletes a group.
    pub(crate) fn delete(&mut self, id: &Uuid) -> Option<Group> {
        let group = self.groups.remove(id)?;
        self.unindex(&group);
        *self
            .deletions
            .entry(fold(&group.attrs.display_name).into_owned())
            .or_insert(0) += 1;
        Some(group)
    }

    /// Drops a deleted user from every group it was in (each group's version moves).
    pub(crate) fn remove_member_everywhere(&mut self, user: &Uuid, now: i64) {
        let Some(ids) = self.by_member.remove(user) else {
            return;
        };
        for id in ids {
            if let Some(g) = self.groups.get_mut(&id) {
                g.attrs.members.retain(|m| m.value != *user);
                g.meta.last_modified = now.max(g.meta.created);
                g.meta.version = g.meta.version.saturating_add(1);
            }
        }
    }

    /// Removes every group.
    pub(crate) fn clear(&mut self) {
        *self = GroupStore::default();
    }

    /// Groups matching a validated `filter` (all when `None`), in id order: the total and
    /// the page starting at 1-based `start` of at most `count`.
    pub(crate) fn query(
        &self,
        filter: Option<&Filter>,
        start: usize,
        count: usize,
    ) -> (usize, Vec<&Group>) {
        let skip = start.saturating_sub(1);
        let candidates: Box<dyn Iterator<Item = &Group>> =
            match filter.and_then(group_filter::lookup) {
                Some(lookup) => Box::new(self.candidates(&lookup).into_iter()),
                None => Box::new(self.groups.values()),
            };
        let mut total = 0;
        let mut page = Vec::new();
        for g in candidates.filter(|g| filter.is_none_or(|f| group_filter::matches(f, g))) {
            if total >= skip && page.len() < count {
                page.push(g);
            }
            total += 1;
        }
        (total, page)
    }

    /// The groups an index lookup yields, in id order.
    fn candidates(&self, lookup: &GroupLookup<'_>) -> Vec<&Group> {
        let mut ids: Vec<Uuid> = match lookup {
            GroupLookup::Id(v) => Uuid::parse_str(v).ok().into_iter().collect(),
            GroupLookup::DisplayName(v) => self.by_display_name.get(v).collect(),
            GroupLookup::ExternalId(v) => self.by_external_id.get(v).collect(),
            GroupLookup::Member(v) => Uuid::parse_str(v)
                .ok()
                .and_then(|u| self.by_member.get(&u))
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
        };
        ids.sort_unstable();
        ids.dedup();
        ids.iter().filter_map(|id| self.groups.get(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse;
    use crate::scim::group::Member;

    const RULES: GroupRules = GroupRules {
        unique_display_name: true,
        members_must_exist: true,
    };

    fn attrs(name: &str, members: &[u128]) -> GroupAttrs {
        GroupAttrs {
            display_name: name.into(),
            external_id: Some(format!("ext-{name}")),
            members: members
                .iter()
                .map(|m| Member {
                    value: Uuid::from_u128(*m),
                    display: None,
                })
                .collect(),
        }
    }

    #[test]
    fn checks_names_and_members() {
        let mut s = GroupStore::default();
        let yes = |_: &Uuid| true;
        s.create(1, attrs("Sales", &[]), 0);
        assert_eq!(
            s.check(&attrs("SALES", &[]), None, RULES, &yes)
                .unwrap_err()
                .status,
            409
        );
        let no = |_: &Uuid| false;
        let err = s.check(&attrs("Ops", &[1]), None, RULES, &no).unwrap_err();
        assert!(err.detail.contains("not a user"));
        let lax = GroupRules {
            unique_display_name: false,
            members_must_exist: false,
        };
        assert!(s.check(&attrs("sales", &[1]), None, lax, &no).is_ok());
    }

    #[test]
    fn member_index_follows_writes_and_user_deletion() {
        let mut s = GroupStore::default();
        let a = s.create(1, attrs("a", &[1, 2]), 0);
        let b = s.create(1, attrs("b", &[2]), 0);
        let q = |s: &GroupStore, f: &str| {
            let f = parse(f).unwrap();
            let (n, page) = s.query(Some(&f), 1, 10);
            (n, page.iter().map(|g| g.id).collect::<Vec<_>>())
        };
        let member2 = format!(r#"members[value eq "{}"]"#, Uuid::from_u128(2));
        let mut both = vec![a, b];
        both.sort();
        assert_eq!(q(&s, &member2), (2, both));
        s.replace(&a, attrs("a", &[1]), 5);
        assert_eq!(q(&s, &member2), (1, vec![b]));
        s.remove_member_everywhere(&Uuid::from_u128(2), 9);
        assert!(s.get(&b).unwrap().attrs.members.is_empty());
        assert_eq!(s.get(&b).unwrap().meta.version, 2);
        assert_eq!(q(&s, r#"displayName eq "A""#), (1, vec![a]));
        assert_eq!(q(&s, r#"externalId eq "ext-b""#), (1, vec![b]));
        s.delete(&a);
        assert_eq!(q(&s, r#"displayName eq "a""#).0, 0);
    }

    #[test]
    fn ids_are_seeded_and_fresh_after_delete() {
        let mut s = GroupStore::default();
        let mut t = GroupStore::default();
        let a = s.create(3, attrs("a", &[]), 0);
        assert_eq!(a, t.create(3, attrs("a", &[]), 0));
        s.delete(&a);
        assert_ne!(s.create(3, attrs("a", &[]), 0), a);
    }
}
