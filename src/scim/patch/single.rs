//! PATCH of `manager` and of single-valued complex attributes (`name`).

use super::{
    OpKind, PatchOptions, Target, canonical_record, coerce, doc_object_mut, get, no_target,
    object_slot, remove_slot, slot,
};
use crate::scim::error::ScimError;
use crate::scim::schema::Attr;
use crate::scim::user::{lookup, manager_value};
use serde_json::{Map, Value};

pub(super) fn apply_manager(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let current = get(doc, Attr::Manager)
        .and_then(|m| lookup(m.as_object()?, "value"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let selected = match (&target.filter, &current) {
        (Some((rf, _)), Some(id)) => {
            let mut record = Map::new();
            record.insert("value".into(), Value::from(id.as_str()));
            rf.matches(&record)
        }
        (Some(_), None) => false,
        (None, _) => true,
    };
    match kind {
        OpKind::Remove => {
            // A remove with a value only removes that manager (legacy Azure AD form).
            let same = match value.map(manager_value).transpose()?.flatten() {
                Some(v) => current.as_deref() == Some(v.as_str()),
                None => true,
            };
            if selected && same {
                remove_slot(doc, Attr::Manager);
            }
        }
        OpKind::Add | OpKind::Replace => {
            let Some(v) = value else { return Ok(()) };
            let id = match target.sub {
                Some(sub) if sub.name == "value" => manager_value(v)?,
                Some(_) => return Ok(()),
                None => manager_value(v)?,
            };
            match id {
                Some(id) => {
                    let mut obj = Map::new();
                    obj.insert("value".into(), Value::from(id.as_str()));
                    *slot(doc, Attr::Manager) = Value::Object(obj);
                }
                None => {
                    remove_slot(doc, Attr::Manager);
                }
            }
        }
    }
    Ok(())
}

pub(super) fn apply_single_complex(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let def = target.attr.def();
    if let Some((rf, _)) = &target.filter {
        let matched = get(doc, target.attr)
            .and_then(Value::as_object)
            .is_some_and(|r| rf.matches(r));
        if !matched {
            return if kind == OpKind::Remove {
                Ok(())
            } else {
                Err(no_target(target))
            };
        }
    }
    match (kind, target.sub, value) {
        (OpKind::Remove, None, _) => {
            remove_slot(doc, target.attr);
        }
        (OpKind::Remove, Some(sub), _) => {
            if let Some(obj) = doc_object_mut(doc, target.attr) {
                obj.shift_remove(sub.name);
            }
        }
        (_, Some(sub), Some(v)) => {
            let obj = object_slot(doc, target.attr);
            obj.insert(sub.name.to_string(), coerce(sub, v));
        }
        (_, None, Some(Value::Object(members))) => {
            let incoming = canonical_record(def, members, opts.unknown)?;
            let obj = object_slot(doc, target.attr);
            obj.extend(incoming);
        }
        (_, None, Some(_)) => {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{}' needs an object value",
                def.name
            )));
        }
        (_, _, None) => {}
    }
    Ok(())
}
