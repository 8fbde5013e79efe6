//! Where attribute values come from.

use serde::{Deserialize, Serialize};

use super::value::Value;

/// The source object (an Entra ID user) an expression reads.
pub trait Source {
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
pub struct JsonSource {
    attributes: Vec<(String, Value)>,
    roles: Vec<AppRoleAssignment>,
}

/// Key holding the role assignments in a [`JsonSource`] object.
const ROLES_KEY: &str = "appRoleAssignments";

impl JsonSource {
    /// Reads a JSON object; errors name the offending attribute.
    pub fn new(obj: serde_json::Value) -> Result<Self, String> {
        let serde_json::Value::Object(map) = obj else {
            return Err("the source must be a JSON object of attribute name -> value".into());
        };
        let mut source = JsonSource::default();
        for (name, json) in map {
            if name == ROLES_KEY {
                source.roles = serde_json::from_value(json)
                    .map_err(|e| format!("attribute '{ROLES_KEY}': {e}"))?;
                continue;
            }
            let value = match json {
                serde_json::Value::Array(items) => Value::Multi(
                    items
                        .into_iter()
                        .map(scalar)
                        .collect::<Result<_, _>>()
                        .map_err(|e| format!("attribute '{name}': {e}"))?,
                ),
                other => scalar(other).map_err(|e| format!("attribute '{name}': {e}"))?,
            };
            source.attributes.push((name, value));
        }
        Ok(source)
    }
}

fn scalar(json: serde_json::Value) -> Result<Value, String> {
    match json {
        serde_json::Value::Null => Ok(Value::Null),
        serde_json::Value::Bool(b) => Ok(Value::Boolean(b)),
        serde_json::Value::String(s) => Ok(Value::String(s)),
        serde_json::Value::Number(n) => Ok(n
            .as_i64()
            .map_or_else(|| Value::String(n.to_string()), Value::Number)),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            Err("nested arrays and objects are not supported".into())
        }
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
