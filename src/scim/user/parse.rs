//! Reading attribute values from JSON, with SCIM errors naming the attribute.

use super::*;

/// A string attribute value; `null` unassigns. Microsoft's legacy library wrapped scalars
/// as `[{"value": x}]` (blink-scim-api.md §3.4.9 vi), so a one-element wrapper is unwrapped.
pub(crate) fn string(name: &str, value: &Value) -> Result<Option<Text>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(Text::from(s.as_str()))),
        Value::Array(items) if items.len() == 1 => match &items[0] {
            Value::Object(obj) if obj.len() <= 2 => match lookup(obj, "value") {
                Some(inner) if !inner.is_array() => string(name, inner),
                _ => Err(wrong_type(name, "a string")),
            },
            inner @ Value::String(_) => string(name, inner),
            _ => Err(wrong_type(name, "a string")),
        },
        _ => Err(wrong_type(name, "a string")),
    }
}

/// A boolean attribute value; Azure AD sends `"True"`/`"False"` strings without the
/// aadOptscim062020 flag (aad-provisioning-service.md Appendix A.3.1).
pub(crate) fn boolean(name: &str, value: &Value) -> Result<Option<bool>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        Value::Array(items) if items.len() == 1 => match &items[0] {
            Value::Object(obj) => lookup(obj, "value")
                .map_or(Err(wrong_type(name, "a boolean")), |v| boolean(name, v)),
            other => boolean(name, other),
        },
        _ => Err(wrong_type(name, "a boolean")),
    }
}

/// The manager reference: a bare id string, an object with `value`, or a one-element
/// array of such objects (blink-scim-api.md §3.4.3-3.4.4).
pub(crate) fn manager_value(value: &Value) -> Result<Option<Text>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(Text::from(s.as_str()))),
        Value::Object(obj) => match lookup(obj, "value") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(Text::from(s.as_str()))),
            Some(_) => Err(wrong_type("manager.value", "a string")),
        },
        Value::Array(items) if items.is_empty() => Ok(None),
        Value::Array(items) if items.len() == 1 => manager_value(&items[0]),
        _ => Err(ScimError::invalid_value(
            "Attribute 'manager' must be an id string, an object with 'value', or a one-element array",
        )),
    }
}

pub(super) fn multi_values(attr: Attr, value: &Value) -> Result<Vec<MultiValue>, ScimError> {
    let items: &[Value] = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        // A single object is accepted as a one-element array.
        Value::Object(_) => std::slice::from_ref(value),
        _ => return Err(wrong_type(attr.name(), "an array")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(multi_value(attr, item)?);
    }
    out.retain(|v| !v.is_empty());
    if out.iter().filter(|v| v.primary == Some(true)).count() > 1 {
        return Err(ScimError::invalid_value(format!(
            "At most one value of '{}' may have primary set to true",
            attr.name()
        )));
    }
    Ok(out)
}

/// One record of a multi-valued attribute; a bare string is read as its `value`.
pub(crate) fn multi_value(attr: Attr, item: &Value) -> Result<MultiValue, ScimError> {
    let obj = match item {
        Value::String(s) => {
            return Ok(MultiValue {
                value: Some(Text::from(s.as_str())),
                ..Default::default()
            });
        }
        Value::Object(obj) => obj,
        _ => return Err(wrong_type(attr.name(), "an array of objects")),
    };
    let mut mv = MultiValue::default();
    for (k, v) in obj {
        let Some(def) = attr.def().sub(k) else {
            continue;
        };
        let label = format!("{}.{}", attr.name(), def.name);
        match def.name {
            "value" => mv.value = string(&label, v)?,
            "display" => mv.display = string(&label, v)?,
            "type" => mv.kind = string(&label, v)?,
            "primary" => mv.primary = boolean(&label, v)?,
            _ => {}
        }
    }
    Ok(mv)
}

fn wrong_type(name: &str, expected: &str) -> ScimError {
    ScimError::invalid_value(format!("Attribute '{name}' must be {expected}"))
}

/// Case-insensitive member lookup (RFC 7643 §2.1).
pub(crate) fn lookup<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A full-schema multi-valued complex attribute (`addresses`, `ims`, ...) as canonical JSON:
/// an array of records whose sub-attributes carry their canonical names and checked types;
/// unknown sub-attributes and empty records are dropped, `primary` is true at most once.
pub(super) fn records(attr: Attr, value: &Value) -> Result<Option<Value>, ScimError> {
    let items: &[Value] = match value {
        Value::Null => return Ok(None),
        Value::Array(items) => items,
        Value::Object(_) => std::slice::from_ref(value),
        _ => return Err(wrong_type(attr.name(), "an array")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let record = match item {
            Value::Object(obj) => record(attr, obj)?,
            // A bare string is read as the record's `value`, as for emails.
            Value::String(_) if attr.def().sub("value").is_some() => {
                Map::from_iter([("value".to_string(), item.clone())])
            }
            _ => return Err(wrong_type(attr.name(), "an array of objects")),
        };
        if !record.is_empty() {
            out.push(Value::Object(record));
        }
    }
    let primaries = out
        .iter()
        .filter(|r| r["primary"] == Value::Bool(true))
        .count();
    if primaries > 1 {
        return Err(ScimError::invalid_value(format!(
            "At most one value of '{}' may have primary set to true",
            attr.name()
        )));
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

fn record(attr: Attr, obj: &Map<String, Value>) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (k, v) in obj {
        let Some(def) = attr.def().sub(k) else {
            continue;
        };
        let label = format!("{}.{}", attr.name(), def.name);
        let value = match def.ty {
            crate::scim::schema::AttrType::Boolean => boolean(&label, v)?.map(Value::Bool),
            _ => string(&label, v)?.map(|t| Value::String(t.into())),
        };
        if let Some(value) = value {
            out.insert(def.name.to_string(), value);
        }
    }
    Ok(out)
}
