//! Where attribute values come from.

use serde::{Deserialize, Serialize};

use super::value::Value;

/// The source object (an Entra ID user) an expression reads.
pub(crate) trait Source {
    /// Value of a source attribute as referenced by `[name]`; Value::Null when absent.
    fn attribute(&self, name: &str) -> Value;
    /// The user's app-role assignments to the application, in a stable order.
    fn app_role_assignments(&self) -> Vec<AppRoleAssignment>;
}

/// One app-role assignment of the user to the application (ref §6.2 PATCH example:
/// `{"id":"06b07648-…","value":"25","displayName":"Role1234"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRoleAssignment {
    /// App role id (GUID).
    pub id: String,
    /// The role's value, e.g. "Admin".
    pub value: String,
    /// The role's display name.
    #[serde(rename = "displayName", default)]
    pub display_name: String,
}

/// A [`Source`] backed by a JSON object of attribute name -> value (strings, booleans, numbers,
/// arrays for multi-valued; optional "appRoleAssignments": [{id,value,displayName}]).
/// Used by the `blinksim expr` CLI and tests.
///
/// Lookup is exact first, then ASCII case-insensitive (Entra ID attribute names are not
/// case-sensitive: the reference writes both `IsSoftDeleted` and `isSoftDeleted`).
/// Integers outside `i64` and fractional numbers become strings; nested arrays and objects are
/// rejected.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct JsonSource {
    attributes: Vec<(String, Value)>,
    roles: Vec<AppRoleAssignment>,
}

/// Key holding the role assignments in a [`JsonSource`] object.
const ROLES_KEY: &str = "appRoleAssignments";

/// Why a JSON value is not a usable source object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The value is not a JSON object.
    #[error("the source must be a JSON object of attribute name -> value")]
    NotAnObject,
    /// `appRoleAssignments` is not a list of role assignments.
    #[error("attribute '{ROLES_KEY}': {0}")]
    Roles(String),
    /// An attribute holds a nested array or object.
    #[error("attribute '{0}': nested arrays and objects are not supported")]
    Nested(String),
}

impl JsonSource {
    /// Reads a JSON object; errors name the offending attribute.
    pub(crate) fn new(obj: serde_json::Value) -> Result<Self, SourceError> {
        let serde_json::Value::Object(map) = obj else {
            return Err(SourceError::NotAnObject);
        };
        let mut source = JsonSource::default();
        for (name, json) in map {
            if name == ROLES_KEY {
                source.roles =
                    serde_json::from_value(json).map_err(|e| SourceError::Roles(e.to_string()))?;
                continue;
            }
            let value = match json {
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .map(scalar)
                    .collect::<Option<_>>()
                    .map(Value::Multi),
                other => scalar(other),
            };
            let value = value.ok_or_else(|| SourceError::Nested(name.clone()))?;
            source.attributes.push((name, value));
        }
        Ok(source)
    }
}

/// A scalar JSON value as an expression value; `None` for nested arrays and objects.
fn scalar(json: serde_json::Value) -> Option<Value> {
    match json {
        serde_json::Value::Null => Some(Value::Null),
        serde_json::Value::Bool(b) => Some(Value::Boolean(b)),
        serde_json::Value::String(s) => Some(Value::String(s)),
        serde_json::Value::Number(n) => Some(
            n.as_i64()
                .map_or_else(|| Value::String(n.to_string()), Value::Number),
        ),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => None,
    }
}

impl Source for JsonSource {
    fn attribute(&self, name: &str) -> Value {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| {
                self.attributes
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map_or(Value::Null, |(_, v)| v.clone())
    }

    fn app_role_assignments(&self) -> Vec<AppRoleAssignment> {
        self.roles.clone()
    }
}
