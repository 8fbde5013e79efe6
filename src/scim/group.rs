//! The SCIM Group resource (RFC 7643 §4.2): parsing, rendering and attribute selection.
//! Pure values; the tenant stores them and checks that members exist.

use super::datetime::format_millis;
use super::error::ScimError;
use super::user::{Meta, lookup};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Microsoft's group schema, which Entra sends beside the core one (aad-provisioning-service.md §3.7).
pub const MS_GROUP_SCHEMA: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/// Gives a member's displayName from its id (the tenant looks the user up).
pub type MemberNames<'a> = &'a dyn Fn(&Uuid) -> Option<String>;

/// One member of a group: a user of the tenant, by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's id.
    pub value: Uuid,
    /// The `display` the client sent, kept as sent.
    pub display: Option<String>,
}

/// The client-writable attributes of a group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupAttrs {
    /// `displayName` (required).
    pub display_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `members`, without duplicates, in the order they were added.
    pub members: Vec<Member>,
}

/// A stored group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Server-assigned id.
    pub id: Uuid,
    /// Metadata.
    pub meta: Meta,
    /// Client-writable attributes.
    pub attrs: GroupAttrs,
}

impl GroupAttrs {
    /// Reads a Group representation (POST, PUT). `id`, `meta` and unknown attributes are
    /// ignored (RFC 7644 §3.3); `schemas`, when sent, must name the core or Microsoft's schema.
    pub fn from_json(doc: &Value) -> Result<GroupAttrs, ScimError> {
        let obj = doc
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("A Group must be a JSON object"))?;
        check_schemas(obj)?;
        let display_name = match lookup(obj, "displayName") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => {
                return Err(ScimError::invalid_value(
                    "displayName is required and must be a non-empty string",
                ));
            }
        };
        let external_id = optional_string(obj, "externalId")?;
        let mut attrs = GroupAttrs {
            display_name,
            external_id,
            members: Vec::new(),
        };
        match lookup(obj, "members") {
            None | Some(Value::Null) => {}
            Some(v) => attrs.add_members(parse_members(v)?),
        }
        Ok(attrs)
    }

    /// Adds members not already present (adding an existing member changes nothing).
    pub fn add_members(&mut self, members: Vec<Member>) {
        for m in members {
            if !self.members.iter().any(|e| e.value == m.value) {
                self.members.push(m);
            }
        }
    }

    /// Removes the members with these ids.
    pub fn remove_members(&mut self, ids: &[Uuid]) {
        self.members.retain(|m| !ids.contains(&m.value));
    }
}

fn check_schemas(obj: &Map<String, Value>) -> Result<(), ScimError> {
    let Some(schemas) = lookup(obj, "schemas") else {
        return Ok(());
    };
    let ok = schemas.as_array().is_some_and(|a| {
        a.iter().all(|s| {
            s.as_str().is_some_and(|s| {
                s.eq_ignore_ascii_case(GROUP_SCHEMA) || s.eq_ignore_ascii_case(MS_GROUP_SCHEMA)
            })
        }) && a.iter().any(|s| s.as_str().is_some())
    });
    if ok {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "'schemas' must list \"{GROUP_SCHEMA}\" (and may list \"{MS_GROUP_SCHEMA}\")"
        )))
    }
}

fn optional_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, ScimError> {
    match lookup(obj, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::invalid_value(format!("{key} must be a string"))),
    }
}

/// Reads a `members` value: an array of `{"value": id, ...}` (a single object is accepted too).
pub(crate) fn parse_members(value: &Value) -> Result<Vec<Member>, ScimError> {
    let items: &[Value] = match value {
        Value::Array(items) => items,
        Value::Object(_) => std::slice::from_ref(value),
        _ => {
            return Err(ScimError::invalid_value(
                "members must be an array of objects with a 'value'",
            ));
        }
    };
    items.iter().map(parse_member).collect()
}

fn parse_member(item: &Value) -> Result<Member, ScimError> {
    let obj = item
        .as_object()
        .ok_or_else(|| ScimError::invalid_value("Each member must be an object"))?;
    let value = match lookup(obj, "value") {
        Some(Value::String(s)) => s,
        _ => {
            return Err(ScimError::invalid_value(
                "Each member needs a string 'value'",
            ));
        }
    };
    let id = Uuid::parse_str(value.trim()).map_err(|_| unknown_member(value))?;
    let display = match lookup(obj, "display") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(Member { value: id, display })
}

/// The error for a member value that is not a user of this tenant.
pub(crate) fn unknown_member(value: &str) -> ScimError {
    ScimError::invalid_value(format!(
        "Member '{}' is not a user of this tenant",
        super::error::excerpt(value)
    ))
}

impl Group {
    /// `meta.location`.
    pub fn location(&self, base_url: &str) -> String {
        format!("{base_url}/Groups/{}", self.id)
    }

    /// The group as the tenant returns it; `member_names` gives a member's displayName, and
    /// `None` leaves `members` out (`excludedAttributes=members` on a large group).
    pub fn to_json(&self, base_url: &str, member_names: Option<MemberNames<'_>>) -> Value {
        let mut obj = Map::new();
        obj.insert("schemas".into(), json!([GROUP_SCHEMA]));
        obj.insert("id".into(), Value::String(self.id.to_string()));
        if let Some(ext) = &self.attrs.external_id {
            obj.insert("externalId".into(), Value::String(ext.clone()));
        }
        obj.insert(
            "displayName".into(),
            Value::String(self.attrs.display_name.clone()),
        );
        if let Some(member_names) = member_names {
            obj.insert("members".into(), self.members_json(base_url, member_names));
        }
        obj.insert(
            "meta".into(),
            json!({
                "resourceType": "Group",
                "created": format_millis(self.meta.created),
                "lastModified": format_millis(self.meta.last_modified),
                "location": self.location(base_url),
                "version": self.meta.etag(),
            }),
        );
        Value::Object(obj)
    }

    fn members_json(&self, base_url: &str, names: MemberNames<'_>) -> Value {
        self.attrs
            .members
            .iter()
            .map(|m| {
                let mut o = Map::new();
                o.insert("value".into(), Value::String(m.value.to_string()));
                o.insert(
                    "$ref".into(),
                    Value::String(format!("{base_url}/Users/{}", m.value)),
                );
                o.insert("type".into(), Value::String("User".into()));
                if let Some(d) = names(&m.value).or_else(|| m.display.clone()) {
                    o.insert("display".into(), Value::String(d));
                }
                Value::Object(o)
            })
            .collect()
    }
}

/// `attributes` / `excludedAttributes` for groups (RFC 7644 §3.4.2.5); `id` and `schemas`
/// are always returned. Names are top-level attributes, matched case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum GroupProjection {
    /// Every attribute.
    #[default]
    Default,
    /// Only these.
    Only(Vec<String>),
    /// All but these.
    Except(Vec<String>),
}

impl GroupProjection {
    /// Reads `attributes` and `excludedAttributes` from a query string.
    pub fn from_query(query: Option<&str>) -> GroupProjection {
        let mut attributes = None;
        let mut excluded = None;
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.to_ascii_lowercase().as_str() {
                "attributes" => attributes = Some(names(&value)),
                "excludedattributes" => excluded = Some(names(&value)),
                _ => {}
            }
        }
        GroupProjection::new(attributes, excluded)
    }

    /// Reads `attributes` and `excludedAttributes` from a SearchRequest (string or array).
    pub fn from_search(body: &Value) -> GroupProjection {
        let list = |key: &str| {
            let obj = body.as_object()?;
            match lookup(obj, key)? {
                Value::String(s) => Some(names(s)),
                Value::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .flat_map(names)
                        .collect(),
                ),
                _ => None,
            }
        };
        GroupProjection::new(list("attributes"), list("excludedAttributes"))
    }

    fn new(attributes: Option<Vec<String>>, excluded: Option<Vec<String>>) -> GroupProjection {
        match (attributes, excluded) {
            (Some(a), _) if !a.is_empty() => GroupProjection::Only(a),
            (_, Some(e)) if !e.is_empty() => GroupProjection::Except(e),
            _ => GroupProjection::Default,
        }
    }

    /// Whether `members` is rendered (skipping it saves the work on large groups).
    pub fn wants_members(&self) -> bool {
        self.keeps("members")
    }

    fn keeps(&self, key: &str) -> bool {
        if key == "id" || key == "schemas" {
            return true;
        }
        match self {
            GroupProjection::Default => true,
            GroupProjection::Only(names) => names.iter().any(|n| n.eq_ignore_ascii_case(key)),
            GroupProjection::Except(names) => !names.iter().any(|n| n.eq_ignore_ascii_case(key)),
        }
    }

    /// Applies the selection to a rendered group.
    pub fn apply(&self, resource: Value) -> Value {
        match (self, resource) {
            (GroupProjection::Default, v) => v,
            (_, Value::Object(obj)) => {
                Value::Object(obj.into_iter().filter(|(k, _)| self.keeps(k)).collect())
            }
            (_, v) => v,
        }
    }
}

/// Top-level names of a comma-separated list; `urn:...:Group:members` means `members`.
fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|n| {
            let n = n.trim();
            let n = n
                .strip_prefix(GROUP_SCHEMA)
                .map(|r| r.trim_start_matches(':'))
                .unwrap_or(n);
            n.split('.').next().unwrap_or(n).to_string()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "2819c223-7f76-453a-919d-413861904646";

    #[test]
    fn parses_entra_create_with_microsoft_schema() {
        let doc = json!({
            "schemas": [GROUP_SCHEMA, MS_GROUP_SCHEMA],
            "externalId": "8aa1a0c0", "displayName": "Sales",
            "meta": {"resourceType": "Group"}
        });
        let g = GroupAttrs::from_json(&doc).unwrap();
        assert_eq!(g.display_name, "Sales");
        assert_eq!(g.external_id.as_deref(), Some("8aa1a0c0"));
        assert!(g.members.is_empty());
    }

    #[test]
    fn rejects_missing_name_bad_schema_and_bad_member() {
        assert_eq!(
            GroupAttrs::from_json(&json!({"members": []}))
                .unwrap_err()
                .status,
            400
        );
        let err = GroupAttrs::from_json(&json!({"schemas": ["urn:x"], "displayName": "a"}));
        assert!(err.unwrap_err().detail.contains("schemas"));
        let err =
            GroupAttrs::from_json(&json!({"displayName": "a", "members": [{"value": "nope"}]}));
        assert!(err.unwrap_err().detail.contains("not a user"));
    }

    #[test]
    fn members_deduplicate_and_render_with_ref() {
        let doc = json!({"displayName": "a", "members": [{"value": ADA}, {"value": ADA}]});
        let attrs = GroupAttrs::from_json(&doc).unwrap();
        assert_eq!(attrs.members.len(), 1);
        let g = Group {
            id: Uuid::nil(),
            meta: Meta {
                created: 0,
                last_modified: 0,
                version: 1,
            },
            attrs,
        };
        let out = g.to_json("http://h/scim", Some(&|_| Some("Ada".into())));
        assert_eq!(
            out["members"][0]["$ref"],
            format!("http://h/scim/Users/{ADA}")
        );
        assert_eq!(out["members"][0]["display"], "Ada");
        assert_eq!(out["meta"]["version"], "W/\"1\"");
        let p = GroupProjection::from_query(Some("excludedAttributes=members"));
        let out = p.apply(out);
        assert!(out.get("members").is_none() && out.get("displayName").is_some());
        let p = GroupProjection::from_query(Some("attributes=displayName"));
        let out = p.apply(g.to_json("", Some(&|_| None)));
        assert_eq!(out.as_object().unwrap().len(), 3);
    }
}
