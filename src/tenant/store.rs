//! The tenant's users: ordered by id, indexed by userName, externalId and email, with
//! Blink's uniqueness rules. Pure data structure; locking is the caller's.

use super::groups::{GroupRules, GroupStore};
use super::index::ValueIndex;
use super::state::check_meta;
use crate::scim::error::{ScimError, excerpt};
use crate::scim::filter::{CompareOp, Compiled, FilterTarget, Operand};
use crate::scim::fold::{eq_folded, fold};
use crate::scim::group::{Group, GroupAttrs};
use crate::scim::schema::Attr;
use crate::scim::user::{ManagerNames, Meta, Text, User, UserAttrs};
use rand::RngExt;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Uniqueness rules applied on every write.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// Reject a work email already used by another user.
    pub unique_work_email: bool,
}

/// The result of a replace.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Replaced {
    /// Something changed; version and lastModified moved.
    Changed,
    /// The new attributes equal the old; nothing moved (RFC 7644 §3.5.2.1).
    Unchanged,
}

/// All users of a tenant.
#[derive(Debug)]
pub(crate) struct Store {
    users: BTreeMap<Uuid, Box<User>>,
    by_user_name: ValueIndex,
    by_external_id: ValueIndex,
    by_email: ValueIndex,
    /// How many users with a given (folded) userName were deleted: the ordinal that keeps
    /// re-created users' ids fresh.
    deletions: HashMap<String, u32>,
    seed: u64,
    /// The groups, under the same lock as the users they reference.
    groups: GroupStore,
    /// Whether users render the groups they are in.
    user_groups: bool,
}

impl Store {
    /// An empty store whose ids derive from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Store {
            users: BTreeMap::new(),
            by_user_name: ValueIndex::new(true),
            by_external_id: ValueIndex::new(false),
            by_email: ValueIndex::new(true),
            deletions: HashMap::new(),
            seed,
            groups: GroupStore::default(),
            user_groups: false,
        }
    }

    /// A store whose users render their groups (the full schema's readOnly `groups`).
    pub(crate) fn with_user_groups(mut self, on: bool) -> Self {
        self.user_groups = on;
        self
    }

    /// Number of users.
    pub(crate) fn len(&self) -> usize {
        self.users.len()
    }

    /// Makes room in the indexes for `additional` more users (a prefill).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.by_user_name.reserve(additional);
        self.by_external_id.reserve(additional);
        self.by_email.reserve(additional);
    }

    /// A user by id.
    pub(crate) fn get(&self, id: &Uuid) -> Option<&User> {
        self.users.get(id).map(|u| &**u)
    }

    /// All users, in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &User> {
        self.users.values().map(|u| &**u)
    }

    /// The user with this userName (case-insensitive).
    pub(crate) fn find_by_user_name(&self, user_name: &str) -> Option<&User> {
        self.by_user_name
            .get(user_name)
            .filter_map(|id| self.get(&id))
            .find(|u| eq_folded(&u.attrs.user_name, user_name))
    }

    /// The id a new user named `user_name` gets: a function of the seed, the name and how
    /// often that name was deleted before, formatted as a random (v4) UUID.
    fn new_id(&self, user_name: &str) -> Uuid {
        let folded = fold(user_name);
        let mut ordinal = self.deletions.get(&*folded).copied().unwrap_or(0);
        loop {
            let mut rng = crate::fakes::rng(self.seed ^ fnv1a(&folded), u64::from(ordinal));
            let id = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
            if !self.users.contains_key(&id) {
                return id;
            }
            ordinal += 1;
        }
    }

    fn check_unique(
        &self,
        attrs: &UserAttrs,
        except: Option<Uuid>,
        rules: Rules,
    ) -> Result<(), ScimError> {
        if let Some(other) = self.find_by_user_name(&attrs.user_name)
            && Some(other.id) != except
        {
            return Err(ScimError::uniqueness(format!(
                "userName '{}' is already in use",
                excerpt(&attrs.user_name)
            )));
        }
        if rules.unique_work_email
            && let Some(email) = attrs.work_email()
        {
            let taken = self
                .by_email
                .get(email)
                .filter(|id| Some(*id) != except)
                .any(|id| {
                    self.users
                        .get(&id)
                        .and_then(|u| u.attrs.work_email())
                        .is_some_and(|e| eq_folded(e, email))
                });
            if taken {
                return Err(ScimError::uniqueness(format!(
                    "A user with email '{}' already exists",
                    excerpt(email)
                )));
            }
        }
        Ok(())
    }

    fn index(&mut self, user: &User) {
        self.by_user_name.insert(&user.attrs.user_name, user.id);
        if let Some(ext) = &user.attrs.external_id {
            self.by_external_id.insert(ext, user.id);
        }
        for value in user.attrs.emails.iter().filter_map(|e| e.value.as_deref()) {
            self.by_email.insert(value, user.id);
        }
    }

    fn unindex(&mut self, user: &User) {
        self.by_user_name.remove(&user.attrs.user_name, user.id);
        if let Some(ext) = &user.attrs.external_id {
            self.by_external_id.remove(ext, user.id);
        }
        for value in user.attrs.emails.iter().filter_map(|e| e.value.as_deref()) {
            self.by_email.remove(value, user.id);
        }
    }

    /// Creates a user (409 `uniqueness` on a taken userName or work email).
    pub(crate) fn create(
        &mut self,
        attrs: UserAttrs,
        now: i64,
        rules: Rules,
    ) -> Result<&User, ScimError> {
        self.check_unique(&attrs, None, rules)?;
        let id = self.new_id(&attrs.user_name);
        let user = User {
            id,
            meta: Meta {
                created: now,
                last_modified: now,
                version: 1,
            },
            attrs,
        };
        self.index(&user);
        Ok(self.users.entry(id).or_insert(Box::new(user)))
    }

    /// An empty store with the same seed.
    pub(crate) fn empty_like(&self) -> Store {
        Store::new(self.seed).with_user_groups(self.user_groups)
    }

    /// Inserts a user exactly as given after checking what the API enforces on a write:
    /// a new id, a free userName and work email, and `created` ≤ `lastModified` (state import).
    pub(crate) fn insert_checked(&mut self, user: User, rules: Rules) -> Result<(), ScimError> {
        if self.users.contains_key(&user.id) {
            return Err(ScimError::uniqueness(format!(
                "id '{}' is already in use",
                user.id
            )));
        }
        check_meta(&user.meta)?;
        self.check_unique(&user.attrs, None, rules)?;
        self.insert(user);
        Ok(())
    }

    /// Inserts a user exactly as given (state import); replaces one with the same id.
    pub(crate) fn insert(&mut self, user: User) {
        if let Some(old) = self.users.remove(&user.id) {
            self.unindex(&old);
        }
        self.index(&user);
        self.users.insert(user.id, Box::new(user));
    }

    /// Replaces a user's attributes; `None` if there is no such user.
    pub(crate) fn replace(
        &mut self,
        id: &Uuid,
        attrs: UserAttrs,
        now: i64,
        rules: Rules,
    ) -> Result<Option<Replaced>, ScimError> {
        let Some(current) = self.users.get(id) else {
            return Ok(None);
        };
        if current.attrs == attrs {
            return Ok(Some(Replaced::Unchanged));
        }
        self.check_unique(&attrs, Some(*id), rules)?;
        let Some(mut user) = self.users.remove(id) else {
            return Ok(None);
        };
        self.unindex(&user);
        user.attrs = attrs;
        user.meta.last_modified = now.max(user.meta.created);
        user.meta.version = user.meta.version.saturating_add(1);
        self.index(&user);
        self.users.insert(*id, user);
        Ok(Some(Replaced::Changed))
    }

    /// Deletes a user and drops it from every group.
    pub(crate) fn delete(&mut self, id: &Uuid, now: i64) -> Option<User> {
        let user = self.users.remove(id)?;
        self.unindex(&user);
        self.groups.remove_member_everywhere(id, now);
        *self
            .deletions
            .entry(fold(&user.attrs.user_name).into_owned())
            .or_insert(0) += 1;
        Some(*user)
    }

    /// Removes every user.
    pub(crate) fn clear(&mut self) {
        self.users.clear();
        self.by_user_name.clear();
        self.by_external_id.clear();
        self.by_email.clear();
        self.deletions.clear();
        self.groups.clear();
    }

    /// The groups.
    pub(crate) fn groups(&self) -> &GroupStore {
        &self.groups
    }

    /// Creates a group after checking its name and members (409 / 400).
    pub(crate) fn create_group(
        &mut self,
        attrs: GroupAttrs,
        now: i64,
        rules: GroupRules,
    ) -> Result<&Group, ScimError> {
        let users = &self.users;
        self.groups
            .check(&attrs, None, rules, &|id| users.contains_key(id))?;
        let id = self.groups.create(self.seed, attrs, now);
        self.groups
            .get(&id)
            .ok_or_else(|| ScimError::new(500, "group vanished"))
    }

    /// Replaces a group's attributes after the same checks; whether anything changed
    /// (`None`: no such group).
    pub(crate) fn replace_group(
        &mut self,
        id: &Uuid,
        attrs: GroupAttrs,
        now: i64,
        rules: GroupRules,
    ) -> Result<Option<bool>, ScimError> {
        if self.groups.get(id).is_none() {
            return Ok(None);
        }
        let users = &self.users;
        self.groups
            .check(&attrs, Some(*id), rules, &|u| users.contains_key(u))?;
        Ok(self.groups.replace(id, attrs, now))
    }

    /// Inserts a group exactly as given after checking what a write checks: a new id, sane
    /// meta, and (as the tenant's rules say) a free displayName and members that are users
    /// of this store (state import, issue 12).
    pub(crate) fn insert_group_checked(
        &mut self,
        group: Group,
        rules: GroupRules,
    ) -> Result<(), ScimError> {
        if self.groups.get(&group.id).is_some() {
            return Err(ScimError::uniqueness(format!(
                "id '{}' is already in use",
                group.id
            )));
        }
        check_meta(&group.meta)?;
        let users = &self.users;
        self.groups
            .check(&group.attrs, None, rules, &|u| users.contains_key(u))?;
        self.groups.insert(group);
        Ok(())
    }

    /// Deletes a group.
    pub(crate) fn delete_group(&mut self, id: &Uuid) -> Option<Group> {
        self.groups.delete(id)
    }

    /// Users matching `filter` (all when `None`), in id order: the total count and the page
    /// starting at 1-based `start` of at most `count` users.
    pub(crate) fn query(
        &self,
        filter: Option<&Compiled>,
        start: usize,
        count: usize,
    ) -> (usize, Vec<&User>) {
        let skip = start.saturating_sub(1);
        let Some(filter) = filter else {
            return (
                self.users.len(),
                self.iter().skip(skip).take(count).collect(),
            );
        };
        if let Some(mut ids) = self.candidates(filter) {
            ids.sort_unstable();
            ids.dedup();
            let matches: Vec<&User> = ids
                .iter()
                .filter_map(|id| self.get(id))
                .filter(|u| filter.matches(*u as &dyn FilterTarget))
                .collect();
            let total = matches.len();
            return (total, matches.into_iter().skip(skip).take(count).collect());
        }
        let mut total = 0;
        let mut page = Vec::new();
        for user in self
            .iter()
            .filter(|u| filter.matches(*u as &dyn FilterTarget))
        {
            if total >= skip && page.len() < count {
                page.push(user);
            }
            total += 1;
        }
        (total, page)
    }

    /// Ids that may match `filter`, from an index, or `None` when only a scan will do.
    fn candidates(&self, filter: &Compiled) -> Option<Vec<Uuid>> {
        match filter {
            Compiled::Test {
                attr, sub, test, ..
            } if test.op == Some(CompareOp::Eq) => {
                let Operand::Str(value) = &test.value else {
                    return None;
                };
                let index = match (attr, sub.map(|s| s.name)) {
                    (Attr::Id, None) => {
                        return Some(
                            Uuid::parse_str(value)
                                .ok()
                                .filter(|id| self.users.contains_key(id))
                                .into_iter()
                                .collect(),
                        );
                    }
                    (Attr::UserName, None) => &self.by_user_name,
                    (Attr::ExternalId, None) => &self.by_external_id,
                    (Attr::Emails, Some("value")) => &self.by_email,
                    _ => return None,
                };
                Some(index.get(value).collect())
            }
            Compiled::And(parts) => parts
                .iter()
                .filter_map(|p| self.candidates(p))
                .min_by_key(Vec::len),
            Compiled::Or(parts) => {
                let mut all = Vec::new();
                for p in parts {
                    all.extend(self.candidates(p)?);
                }
                Some(all)
            }
            _ => None,
        }
    }
}

impl ManagerNames for Store {
    fn display_name_of(&self, id: &str) -> Option<Text> {
        let id = Uuid::parse_str(id).ok()?;
        self.display_name_of_user(&id)
    }

    fn display_name_of_user(&self, id: &Uuid) -> Option<Text> {
        self.users.get(id)?.attrs.display_name.clone()
    }

    fn groups_of(&self, id: &Uuid) -> Vec<(Uuid, Text)> {
        if !self.user_groups {
            return Vec::new();
        }
        let groups = self.groups.groups_of(id).filter_map(|g| self.groups.get(g));
        groups
            .map(|g| (g.id, Text::from(g.attrs.display_name.as_str())))
            .collect()
    }
}

/// FNV-1a: a tiny hash that is the same on every platform and toolchain.
pub(super) fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests;
