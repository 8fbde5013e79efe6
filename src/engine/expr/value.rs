//! Values produced by evaluation and how they are sent to a SCIM target.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::catalog::Function;
use super::datetime;
use super::source::AppRoleAssignment;

/// The result of evaluating an expression or one of its parts.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: an absent attribute (ref §6.3 IsNull: "a Null is expressed by the absence of
    /// the attribute"). Never sent ("doesn't support provisioning null values", ref §6.1).
    Null,
    /// A string.
    String(String),
    /// A boolean; sent to string targets as "True"/"False".
    Boolean(bool),
    /// An integer (BitAnd, Count, DateDiff, InStr, NumFromDate, integer literals).
    Number(i64),
    /// A UTC date/time (CDate, DateAdd, DateFromNum, Now).
    DateTime(time::OffsetDateTime),
    /// A multi-valued attribute or the result of Split.
    Multi(Vec<Value>),
    /// App-role assignments produced by a role function (ref §6.2).
    Roles(Vec<RoleValue>),
    /// `IgnoreFlowIfNullOrEmpty` dropped the attribute from the flow.
    Ignore,
}

/// Which role function produced a role, which fixes its JSON shapes (ref §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleStyle {
    /// `SingleAppRoleAssignment`: one role, `primary: true`, PATCH "Add".
    Single,
    /// `AppRoleAssignmentsComplex`: all roles, `primary: false`, PATCH "Add" only.
    Complex,
    /// `AssertiveAppRoleAssignmentsComplex`: all roles, PATCH "replace".
    Assertive,
}

impl RoleStyle {
    pub(super) fn of(function: Function) -> Option<RoleStyle> {
        match function {
            Function::SingleAppRoleAssignment => Some(RoleStyle::Single),
            Function::AppRoleAssignmentsComplex => Some(RoleStyle::Complex),
            Function::AssertiveAppRoleAssignmentsComplex => Some(RoleStyle::Assertive),
            _ => None,
        }
    }

    /// The PATCH `op` for the `roles` path. ref §6.2: the complex form "does PATCH add only";
    /// the assertive one "does PATCH replace" (lower-case `"replace"` in the example).
    pub fn patch_op(self) -> &'static str {
        match self {
            RoleStyle::Single | RoleStyle::Complex => "Add",
            RoleStyle::Assertive => "replace",
        }
    }
}

/// One app role as sent to the target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleValue {
    /// The assignment it comes from.
    pub assignment: AppRoleAssignment,
    /// ref §6.2: single role is `primary: true`; "All roles are provisioned as primary = false"
    /// for the complex forms.
    pub primary: bool,
    /// The function that produced it.
    pub style: RoleStyle,
}

/// ref §6.2 role object `type`.
const ROLE_TYPE: &str = "WindowsAzureActiveDirectoryRole";

impl RoleValue {
    /// The role object in a POST body (ref §6.2 example requests): Single has no display name,
    /// Complex uses `displayName`, Assertive uses `display`.
    pub fn post_json(&self) -> serde_json::Value {
        let a = &self.assignment;
        match self.style {
            RoleStyle::Single => {
                json!({"primary": self.primary, "type": ROLE_TYPE, "value": a.value})
            }
            RoleStyle::Complex => json!({
                "primary": self.primary, "type": ROLE_TYPE,
                "displayName": a.display_name, "value": a.value
            }),
            RoleStyle::Assertive => json!({
                "primary": self.primary, "type": ROLE_TYPE,
                "display": a.display_name, "value": a.value
            }),
        }
    }

    /// The item of a PATCH `value` array (ref §6.2 example outputs): Single and Complex send
    /// `{"value": "{\"id\":…,\"value\":…,\"displayName\":…}"}` (the assignment as a JSON
    /// string, keys in that order); Assertive sends the POST object.
    pub fn patch_json(&self) -> serde_json::Value {
        match self.style {
            RoleStyle::Single | RoleStyle::Complex => {
                let a = &self.assignment;
                let quoted = |s: &str| serde_json::Value::String(s.to_string()).to_string();
                let inner = format!(
                    "{{\"id\":{},\"value\":{},\"displayName\":{}}}",
                    quoted(&a.id),
                    quoted(&a.value),
                    quoted(&a.display_name)
                );
                json!({ "value": inner })
            }
            RoleStyle::Assertive => self.post_json(),
        }
    }
}

impl Value {
    /// The string Azure AD would send for a single-valued string target (booleans as
    /// "True"/"False", dates as "M/d/yyyy h:mm:ss tt"), None for Null/Ignore.
    ///
    /// A multi-valued value gives its first non-null item and roles the first role's `value`
    /// (ref §6.2: with several roles "There's no guarantee which role is provisioned").
    pub fn to_target_string(&self) -> Option<String> {
        match self {
            Value::Null | Value::Ignore => None,
            Value::String(s) => Some(s.clone()),
            Value::Boolean(b) => Some(bool_text(*b).to_string()),
            Value::Number(n) => Some(n.to_string()),
            // ref §6.3 CDate: "always in UTC and follows the format M/d/yyyy h:mm:ss tt".
            Value::DateTime(dt) => Some(datetime::general_string(*dt)),
            Value::Multi(items) => items.iter().find_map(Value::to_target_string),
            Value::Roles(roles) => roles.first().map(|r| r.assignment.value.clone()),
        }
    }

    /// [`to_target_string`](Self::to_target_string), moving a string instead of copying it.
    pub fn into_target_string(self) -> Option<String> {
        match self {
            Value::String(s) => Some(s),
            other => other.to_target_string(),
        }
    }

    /// JSON for the SCIM request body: strings, booleans, numbers, arrays for Multi, role
    /// objects in the POST shape of ref §6.2 for Roles; None for Null/Ignore.
    pub fn to_scim_json(&self) -> Option<serde_json::Value> {
        match self {
            Value::Null | Value::Ignore => None,
            Value::Boolean(b) => Some(json!(b)),
            Value::Number(n) => Some(json!(n)),
            Value::Multi(items) => Some(serde_json::Value::Array(
                items.iter().filter_map(Value::to_scim_json).collect(),
            )),
            Value::Roles(roles) => Some(serde_json::Value::Array(
                roles.iter().map(RoleValue::post_json).collect(),
            )),
            Value::String(_) | Value::DateTime(_) => self.to_target_string().map(|s| json!(s)),
        }
    }

    /// For Roles, the whole PATCH operation on `roles` (ref §6.2 example outputs), e.g.
    /// `{"op": "Add", "path": "roles", "value": [...]}`; None for other values.
    pub fn roles_patch_operation(&self) -> Option<serde_json::Value> {
        let Value::Roles(roles) = self else {
            return None;
        };
        let op = roles.first().map_or("Add", |r| r.style.patch_op());
        let items: Vec<_> = roles.iter().map(RoleValue::patch_json).collect();
        Some(json!({"op": op, "path": "roles", "value": items}))
    }

    /// True for Null, "", and empty multi-valued or role lists (ref §6.3 IsNullOrEmpty).
    pub fn is_null_or_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Multi(items) => items.is_empty(),
            Value::Roles(roles) => roles.is_empty(),
            Value::Boolean(_) | Value::Number(_) | Value::DateTime(_) | Value::Ignore => false,
        }
    }

    /// Short name of the variant, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::String(_) => "string",
            Value::Boolean(_) => "boolean",
            Value::Number(_) => "number",
            Value::DateTime(_) => "date",
            Value::Multi(_) => "multi-valued",
            Value::Roles(_) => "roles",
            Value::Ignore => "ignored",
        }
    }
}

/// VB/.NET spelling of booleans (`Boolean.ToString()`).
pub(super) fn bool_text(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}
