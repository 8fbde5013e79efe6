//! Reading a PatchOp body (RFC 7644 §3.5.2) into a [`PatchRequest`]: every Azure AD
//! spelling of `op` is accepted (blink-scim-api.md §3.1).

use super::{OpKind, PatchOperation, PatchRequest};
use crate::scim::error::ScimError;
use crate::scim::filter::parse_path;
use crate::scim::schema::{PATCH_OP_SCHEMA, extension_urn};
use crate::scim::user::lookup;
use serde_json::Value;

impl PatchRequest {
    /// Parses a PatchOp body. `schemas` may be omitted; when present it must name PatchOp.
    pub fn from_json(body: &Value) -> Result<PatchRequest, ScimError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("The PATCH body must be a JSON object"))?;
        if let Some(schemas) = lookup(obj, "schemas") {
            let ok = schemas.as_array().is_some_and(|a| {
                a.iter().any(|s| {
                    s.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
                })
            });
            if !ok {
                return Err(ScimError::invalid_syntax(format!(
                    "'schemas' must contain \"{PATCH_OP_SCHEMA}\""
                )));
            }
        }
        let ops = match lookup(obj, "Operations") {
            Some(Value::Array(ops)) if !ops.is_empty() => ops,
            Some(Value::Array(_)) => {
                return Err(ScimError::invalid_syntax("'Operations' must not be empty"));
            }
            _ => {
                return Err(ScimError::invalid_syntax(
                    "The PATCH body must have an 'Operations' array",
                ));
            }
        };
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, op)| parse_operation(i, op))
            .collect::<Result<_, _>>()?;
        Ok(PatchRequest { operations })
    }
}

fn parse_operation(index: usize, op: &Value) -> Result<PatchOperation, ScimError> {
    let obj = op
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax(format!("Operation {index} must be an object")))?;
    let kind = match lookup(obj, "op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("add") => OpKind::Add,
        Some("remove") => OpKind::Remove,
        Some("replace") => OpKind::Replace,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "Operation {index}: 'op' must be \"add\", \"remove\" or \"replace\""
            )));
        }
    };
    let path_text = match lookup(obj, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "Operation {index}: 'path' must be a string"
            )));
        }
    };
    let extension = path_text.as_deref().and_then(extension_urn);
    let path = match &path_text {
        Some(text) if extension.is_none() => {
            Some(parse_path(text).map_err(|e| e.into_path_error(text))?)
        }
        _ => None,
    };
    let value = lookup(obj, "value").cloned();
    match (kind, &path, &value) {
        (OpKind::Remove, None, _) if extension.is_none() => {
            return Err(ScimError::no_target(format!(
                "Operation {index}: remove requires a 'path'"
            )));
        }
        (OpKind::Add | OpKind::Replace, _, None) => {
            return Err(ScimError::invalid_value(format!(
                "Operation {index}: {} requires a 'value'",
                kind.as_str()
            )));
        }
        _ => {}
    }
    Ok(PatchOperation {
        op: kind,
        path,
        path_text,
        extension,
        value,
    })
}
