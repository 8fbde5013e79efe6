//! PATCH of a group (RFC 7644 §3.5.2): members and displayName, in every dialect Entra
//! sends (aad-provisioning-service.md §3.7, Appendix B.2): `Add` members, the legacy
//! `Remove` with a `value` array, `remove` with the path `members[value eq "id"]`, `Replace`.
//! Pure: takes the current attributes and returns the new ones; the store checks members exist.

use super::error::ScimError;
use super::filter::PatchPath;
use super::group::{GroupAttrs, parse_members};
use super::group_filter::member_matches;
use super::patch::{OpKind, PatchOperation, PatchRequest};
use serde_json::Value;
use uuid::Uuid;

/// Applies every operation, in order, to a copy of `attrs`.
pub(crate) fn patch_group(
    attrs: &GroupAttrs,
    request: &PatchRequest,
    max_operations: usize,
) -> Result<GroupAttrs, ScimError> {
    if request.operations.len() > max_operations {
        return Err(ScimError::bad_request(
            super::ScimType::TooMany,
            format!(
                "The number of operations, {}, exceeds {max_operations} (max_operations)",
                request.operations.len()
            ),
        ));
    }
    let mut out = attrs.clone();
    for op in &request.operations {
        match &op.path {
            None => apply_pathless(&mut out, op)?,
            Some(path) => apply_path(&mut out, op, path)?,
        }
    }
    Ok(out)
}

fn apply_pathless(attrs: &mut GroupAttrs, op: &PatchOperation) -> Result<(), ScimError> {
    let Some(Value::Object(obj)) = &op.value else {
        return Err(ScimError::invalid_value(
            "Without a 'path', the value must be an object of attributes",
        ));
    };
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("members") {
            let members = parse_members(value)?;
            if op.op == OpKind::Replace {
                attrs.members.clear();
            }
            attrs.add_members(members);
        } else if key.eq_ignore_ascii_case("displayName") {
            attrs.display_name = display_name(Some(value))?;
        } else if key.eq_ignore_ascii_case("externalId") {
            attrs.external_id = external_id(Some(value))?;
        }
        // id, schemas, meta and attributes outside the Group schema are ignored (RFC 7644 §3.3).
    }
    Ok(())
}

fn apply_path(
    attrs: &mut GroupAttrs,
    op: &PatchOperation,
    path: &PatchPath,
) -> Result<(), ScimError> {
    let name = path.path.name.as_str();
    let value = op.value.as_ref();
    let text = op.path_text.as_deref().unwrap_or(name);
    if name.eq_ignore_ascii_case("members") && path.path.sub.is_none() {
        return apply_members(attrs, op, path);
    }
    if path.filter.is_some() || path.path.sub.is_some() {
        return Err(ScimError::invalid_path(format!(
            "'{text}' is not a patchable Group path"
        )));
    }
    if name.eq_ignore_ascii_case("displayName") {
        if op.op == OpKind::Remove {
            return Err(ScimError::invalid_value("displayName is required"));
        }
        attrs.display_name = display_name(value)?;
    } else if name.eq_ignore_ascii_case("externalId") {
        attrs.external_id = match op.op {
            OpKind::Remove => None,
            _ => external_id(value)?,
        };
    } else {
        return Err(ScimError::no_target(format!(
            "'{text}' is not an attribute of a Group"
        )));
    }
    Ok(())
}

fn apply_members(
    attrs: &mut GroupAttrs,
    op: &PatchOperation,
    path: &PatchPath,
) -> Result<(), ScimError> {
    let value = op.value.as_ref().filter(|v| !v.is_null());
    match (op.op, &path.filter, value) {
        (OpKind::Remove, Some(filter), _) => {
            attrs.members.retain(|m| !member_matches(filter, m));
        }
        // Entra's default dialect: `Remove` `members` with the ids in `value` (Appendix A).
        (OpKind::Remove, None, Some(v)) => {
            let ids: Vec<Uuid> = parse_members(v)?.into_iter().map(|m| m.value).collect();
            attrs.remove_members(&ids);
        }
        (OpKind::Remove, None, None) => attrs.members.clear(),
        (_, Some(_), _) => {
            return Err(ScimError::invalid_path(
                "Only remove may use a value filter on members",
            ));
        }
        (kind, None, v) => {
            let members = v.map(parse_members).transpose()?.unwrap_or_default();
            if kind == OpKind::Replace {
                attrs.members.clear();
            }
            attrs.add_members(members);
        }
    }
    Ok(())
}

fn display_name(value: Option<&Value>) -> Result<String, ScimError> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        // `{"displayName": "x"}` as the value of path `displayName` is accepted too.
        Some(Value::Object(o)) => display_name(super::user::lookup(o, "displayName")),
        _ => Err(ScimError::invalid_value(
            "displayName must be a non-empty string",
        )),
    }
}

fn external_id(value: Option<&Value>) -> Result<Option<String>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::invalid_value("externalId must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::patch::MAX_OPERATIONS;
    use serde_json::json;

    const A: &str = "00000000-0000-4000-8000-00000000000a";
    const B: &str = "00000000-0000-4000-8000-00000000000b";

    fn run(attrs: &GroupAttrs, ops: Value) -> Result<GroupAttrs, ScimError> {
        let req = PatchRequest::from_json(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops
        }))?;
        patch_group(attrs, &req, MAX_OPERATIONS)
    }

    fn ids(g: &GroupAttrs) -> Vec<String> {
        g.members.iter().map(|m| m.value.to_string()).collect()
    }

    #[test]
    fn add_and_both_remove_dialects() {
        let g = GroupAttrs {
            display_name: "g".into(),
            ..Default::default()
        };
        let added = run(
            &g,
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": A}, {"value": B}]}]),
        )
        .unwrap();
        assert_eq!(ids(&added), [A, B]);
        let legacy = run(
            &added,
            json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": A}]}]),
        )
        .unwrap();
        assert_eq!(ids(&legacy), [B]);
        let by_path = run(
            &added,
            json!([{"op": "remove", "path": format!("members[value eq \"{B}\"]")}]),
        )
        .unwrap();
        assert_eq!(ids(&by_path), [A]);
        let replaced = run(
            &added,
            json!([{"op": "replace", "path": "members", "value": [{"value": B}]}]),
        )
        .unwrap();
        assert_eq!(ids(&replaced), [B]);
        assert!(
            run(&added, json!([{"op": "remove", "path": "members"}]))
                .unwrap()
                .members
                .is_empty()
        );
    }

    #[test]
    fn renames_and_rejects_bad_paths() {
        let g = GroupAttrs {
            display_name: "g".into(),
            ..Default::default()
        };
        let renamed = run(
            &g,
            json!([{"op": "Replace", "path": "displayName", "value": "h"}]),
        )
        .unwrap();
        assert_eq!(renamed.display_name, "h");
        let pathless = run(
            &g,
            json!([{"op": "replace", "value": {"id": "x", "displayName": "k", "externalId": "e"}}]),
        )
        .unwrap();
        assert_eq!(
            (
                pathless.display_name.as_str(),
                pathless.external_id.as_deref()
            ),
            ("k", Some("e"))
        );
        assert_eq!(
            run(&g, json!([{"op": "remove", "path": "displayName"}]))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            run(&g, json!([{"op": "add", "path": "userName", "value": "x"}]))
                .unwrap_err()
                .status,
            400
        );
        assert!(
            run(
                &g,
                json!([{"op": "add", "path": "members", "value": [{"value": "x"}]}])
            )
            .is_err()
        );
    }
}
