//! State export and import (`/_admin/state`): every user and group with its id and meta.
//! An import is checked as writes are and replaces the state only when all of it passes.

use super::Tenant;
use super::store::{Rules, Store};
use crate::scim::datetime::parse_millis;
use crate::scim::error::{ScimError, excerpt};
use crate::scim::group::{Group, GroupAttrs};
use crate::scim::schema::UserSchema;
use crate::scim::user::{ManagerRef, Meta, ReadPolicy, UnknownAttributes, User, UserAttrs};
use serde_json::{Value, json};
use uuid::Uuid;

impl Tenant {
    /// Every user and group with its id and meta, in id order:
    /// `{"users": [...], "groups": [...]}`.
    pub fn export_state(&self) -> Value {
        json!({ "users": self.users(), "groups": self.groups() })
    }

    /// Replaces all users and groups with an exported state (`groups` may be left out).
    /// Every rule a write obeys is checked (unique id, userName and, when enforced, work
    /// email; `created` ≤ `lastModified`; a manager id naming a user of the state; for a
    /// group, when the tenant enforces them, a free displayName and members that are users
    /// of the state); the first offending user or group is named and nothing changes.
    /// Returns the number of users.
    pub fn import_state(&self, state: &Value) -> Result<usize, ScimError> {
        let items = state
            .get("users")
            .and_then(Value::as_array)
            .ok_or_else(|| ScimError::invalid_syntax("The state must be {\"users\": [...]}"))?;
        let mut imported = self.store().read().empty_like();
        self.import_users(&mut imported, items)?;
        match state.get("groups") {
            None | Some(Value::Null) => {}
            Some(Value::Array(groups)) => self.import_groups(&mut imported, groups)?,
            Some(_) => {
                return Err(ScimError::invalid_syntax(
                    "The state's 'groups' must be an array",
                ));
            }
        }
        let n = imported.len();
        *self.store().write() = imported;
        Ok(n)
    }

    fn import_users(&self, imported: &mut Store, items: &[Value]) -> Result<(), ScimError> {
        let rules = Rules {
            unique_work_email: self.options().unique_work_email,
        };
        for (i, item) in items.iter().enumerate() {
            let name = item.get("userName").and_then(Value::as_str).unwrap_or("?");
            let user = user_from_state(item, self.options().user_schema)
                .and_then(|u| imported.insert_checked(u, rules));
            user.map_err(|e| at("users", i, e, name))?;
        }
        let dangling = imported.iter().find_map(|u| match u.attrs.manager() {
            Some(ManagerRef::Id(m)) if imported.get(m).is_none() => Some((u, *m)),
            _ => None,
        });
        if let Some((user, manager)) = dangling {
            let i = imported.iter().position(|u| u.id == user.id).unwrap_or(0);
            let e =
                ScimError::invalid_value(format!("manager '{manager}' is not a user of the state"));
            return Err(at("users", i, e, &user.attrs.user_name));
        }
        Ok(())
    }

    fn import_groups(&self, imported: &mut Store, items: &[Value]) -> Result<(), ScimError> {
        let rules = self.group_rules();
        for (i, item) in items.iter().enumerate() {
            let name = item.get("displayName").and_then(Value::as_str);
            let group =
                group_from_state(item).and_then(|g| imported.insert_group_checked(g, rules));
            group.map_err(|e| at("groups", i, e, name.unwrap_or("?")))?;
        }
        Ok(())
    }
}

/// The error naming the offending item: `users[3] (ada@x): ...`.
fn at(list: &str, i: usize, e: ScimError, name: &str) -> ScimError {
    ScimError::invalid_value(format!("{list}[{i}] ({}): {}", excerpt(name), e.detail))
}

/// A stored user back from its rendered form: id and meta included.
fn user_from_state(item: &Value, schema: UserSchema) -> Result<User, ScimError> {
    let (id, meta) = id_and_meta(item)?;
    let policy = ReadPolicy {
        unknown: UnknownAttributes::Reject,
        schema,
    };
    let attrs = UserAttrs::from_json(item, policy)?;
    Ok(User { id, meta, attrs })
}

/// A stored group back from its rendered form: id and meta included.
fn group_from_state(item: &Value) -> Result<Group, ScimError> {
    let (id, meta) = id_and_meta(item)?;
    let attrs = GroupAttrs::from_json(item)?;
    Ok(Group { id, meta, attrs })
}

/// A rendered resource's `id` and `meta` (created, lastModified, version).
fn id_and_meta(item: &Value) -> Result<(Uuid, Meta), ScimError> {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ScimError::invalid_value("missing or invalid 'id'"))?;
    let meta = item
        .get("meta")
        .ok_or_else(|| ScimError::invalid_value("missing 'meta'"))?;
    let time = |k: &str| {
        meta.get(k)
            .and_then(Value::as_str)
            .and_then(parse_millis)
            .ok_or_else(|| ScimError::invalid_value(format!("missing or invalid 'meta.{k}'")))
    };
    let version = meta
        .get("version")
        .and_then(Value::as_str)
        .and_then(|v| v.trim_start_matches("W/").trim_matches('"').parse().ok())
        .ok_or_else(|| ScimError::invalid_value("missing or invalid 'meta.version'"))?;
    let meta = Meta {
        created: time("created")?,
        last_modified: time("lastModified")?,
        version,
    };
    Ok((id, meta))
}

/// What an imported resource's meta must hold: `created` ≤ `lastModified`, version ≥ 1.
pub(super) fn check_meta(meta: &Meta) -> Result<(), ScimError> {
    if meta.last_modified < meta.created {
        return Err(ScimError::invalid_value(
            "meta.lastModified is before meta.created",
        ));
    }
    if meta.version == 0 {
        return Err(ScimError::invalid_value("meta.version must be at least 1"));
    }
    Ok(())
}
