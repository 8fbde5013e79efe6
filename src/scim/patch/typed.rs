//! PATCH applied straight to the typed [`UserAttrs`], for the operations Azure AD sends
//! most: simple attributes (`active` with its string booleans), `name.*`, `manager`,
//! `emails[type eq "work"].value` and path-less replaces of those.
//!
//! The result must be exactly what the JSON route (render, apply, parse back) gives, so
//! anything this module is not sure of, errors included, answers `None` and the caller
//! runs the JSON route from the start: that route stays the one source of error bodies.

use super::{
    FilterNoMatch, OpKind, PatchOperation, PatchOptions, PatchRequest, Target, is_envelope_key,
    is_read_only, removes_required, representation_options, resolve, unassigning_null,
};
use crate::scim::filter::{CompValue, CompareOp, Filter, Record, Test, parse_path};
use crate::scim::fold::eq_folded;
use crate::scim::schema::{Attr, AttrType, AttributeDef, UserSchema, extension_urn};
use crate::scim::user::{MultiValue, Text, UserAttrs, boolean, manager_value, string};
use serde_json::{Map, Value};

/// The new attributes, or `None` when the JSON route must decide.
pub(super) fn apply(
    attrs: &UserAttrs,
    request: &PatchRequest,
    opts: PatchOptions,
) -> Option<UserAttrs> {
    // The JSON route drops full-schema values when the Blink schema is served.
    if request.operations.len() > opts.max_operations
        || (attrs.extra.is_some() && opts.schema != UserSchema::Full)
    {
        return None;
    }
    let mut out = attrs.clone();
    for op in &request.operations {
        apply_operation(&mut out, op, opts)?;
    }
    // What parsing the JSON working copy back would reject or drop.
    if out.user_name.trim().is_empty() || primaries(&out.emails) > 1 {
        return None;
    }
    if primaries(&out.phone_numbers) > 1 {
        return None;
    }
    out.normalize();
    Some(out)
}

fn primaries(values: &[MultiValue]) -> usize {
    values.iter().filter(|v| v.primary == Some(true)).count()
}

fn apply_operation(out: &mut UserAttrs, op: &PatchOperation, opts: PatchOptions) -> Option<()> {
    if op.extension.is_some() {
        return None;
    }
    match (&op.path, op.value.as_ref()) {
        (Some(path), value) => match resolve(path, opts).ok()? {
            Some(target) => apply_target(out, op.op, &target, value, opts),
            None => Some(()),
        },
        (None, Some(Value::Object(members))) => apply_pathless(out, op.op, members, opts),
        _ => None,
    }
}

/// Mirrors the JSON route's path-less add/replace; URN-keyed extension objects go there.
fn apply_pathless(
    out: &mut UserAttrs,
    kind: OpKind,
    members: &Map<String, Value>,
    opts: PatchOptions,
) -> Option<()> {
    let opts = representation_options(opts);
    for (key, value) in members {
        if is_envelope_key(key) {
            continue;
        }
        if extension_urn(key).is_some() {
            return None;
        }
        let path = parse_path(key).ok()?;
        let Some(target) = resolve(&path, opts).ok()? else {
            continue;
        };
        if is_read_only(&target) {
            continue;
        }
        apply_target(out, kind, &target, Some(value), opts)?;
    }
    Some(())
}

/// One operation on a resolved target, with `apply_at`'s checks.
fn apply_target(
    out: &mut UserAttrs,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Option<()> {
    let def = target.attr.def();
    if is_read_only(target) {
        return None;
    }
    let (kind, value) = unassigning_null(kind, value);
    if removes_required(kind, target) {
        return None;
    }
    match target.attr {
        Attr::Manager => manager(out, kind, target, value),
        Attr::Name => name(out, kind, target, value),
        Attr::Emails => multi(&mut out.emails, kind, target, value, opts),
        Attr::PhoneNumbers => multi(&mut out.phone_numbers, kind, target, value, opts),
        Attr::Active => {
            out.active = match value {
                Some(v) if kind != OpKind::Remove => boolean(def.name, v).ok()?,
                _ => None,
            };
            Some(())
        }
        attr if !def.is_complex() && !def.multi_valued && def.ty == AttrType::String => {
            let text = match value {
                Some(v) if kind != OpKind::Remove => string(def.name, v).ok()?,
                _ => None,
            };
            out.set_text(attr, text);
            Some(())
        }
        _ => None,
    }
}

/// `name.<sub>`; the whole `name` and value filters on it go to the JSON route.
fn name(out: &mut UserAttrs, kind: OpKind, target: &Target, value: Option<&Value>) -> Option<()> {
    let sub = target.sub?;
    if target.filter.is_some() {
        return None;
    }
    match (kind, value) {
        (OpKind::Remove, _) => {
            if let Some(name) = out.name.as_deref_mut() {
                *name.slot_mut(sub.name)? = None;
            }
        }
        (_, Some(v)) => {
            let text = string(sub.name, v).ok()?;
            *out.name.get_or_insert_default().slot_mut(sub.name)? = text;
        }
        (_, None) => {}
    }
    Some(())
}

/// `manager` and `manager.value`, without a value filter.
fn manager(
    out: &mut UserAttrs,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
) -> Option<()> {
    if target.filter.is_some() {
        return None;
    }
    match (kind, value) {
        (OpKind::Remove, _) => {
            // A remove with a value only removes that manager (legacy Azure AD form).
            let same = match value.map(manager_value).transpose().ok()?.flatten() {
                Some(v) => out.manager().is_some_and(|m| m.with_str(|s| s == v)),
                None => true,
            };
            if same {
                out.set_text(Attr::Manager, None);
            }
        }
        (_, Some(v)) => match target.sub {
            Some(sub) if sub.name != "value" => {}
            _ => out.set_text(Attr::Manager, manager_value(v).ok()?),
        },
        (_, None) => {}
    }
    Some(())
}

/// `emails[<filter>].<sub>` and `remove emails[<filter>]`; other forms go to the JSON route.
fn multi(
    values: &mut Vec<MultiValue>,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Option<()> {
    let (rf, filter) = target.filter.as_ref()?;
    let selected: Vec<usize> = (0..values.len())
        .filter(|&i| rf.matches(&values[i] as &dyn Record))
        .collect();
    let mut touched = Vec::new();
    match (kind, target.sub, value) {
        (OpKind::Remove, None, _) => {
            let mut i = 0;
            values.retain(|_| {
                i += 1;
                !selected.contains(&(i - 1))
            });
        }
        (OpKind::Remove, Some(sub), v) => {
            for i in selected {
                let slot = text_slot(&mut values[i], sub)?;
                let same = match (slot.as_deref(), v) {
                    (_, None) => true,
                    (Some(current), Some(v)) => same_text(sub, current, v),
                    (None, Some(_)) => false,
                };
                if same {
                    *slot = None;
                }
            }
        }
        // Only plain strings: later filters in the JSON route see a value as sent.
        (_, Some(sub), Some(Value::String(s))) => {
            if selected.is_empty() {
                let mut record = seed(target.attr.def(), filter, opts)?;
                *text_slot(&mut record, sub)? = Some(Text::from(s.as_str()));
                values.push(record);
                touched.push(values.len() - 1);
            } else {
                for i in selected {
                    *text_slot(&mut values[i], sub)? = Some(Text::from(s.as_str()));
                    touched.push(i);
                }
            }
        }
        _ => return None,
    }
    // Setting primary on one value clears it on the others (RFC 7644 §3.5.2).
    let winner = touched
        .iter()
        .rev()
        .copied()
        .find(|&i| values[i].primary == Some(true));
    if let Some(winner) = winner {
        for (i, v) in values.iter_mut().enumerate() {
            if i != winner && v.primary == Some(true) {
                v.primary = Some(false);
            }
        }
    }
    values.retain(|v| !v.is_empty());
    (values.len() <= opts.max_values).then_some(())
}

/// A string sub-attribute of a value; `None` for `primary`.
fn text_slot<'a>(v: &'a mut MultiValue, sub: &AttributeDef) -> Option<&'a mut Option<Text>> {
    match sub.name {
        "value" => Some(&mut v.value),
        "display" => Some(&mut v.display),
        "type" => Some(&mut v.kind),
        _ => None,
    }
}

/// Whether a stored string is the value a remove names (`equal_scalar` on the JSON route).
fn same_text(sub: &AttributeDef, current: &str, v: &Value) -> bool {
    match v {
        Value::String(s) if sub.case_exact => current == s,
        Value::String(s) => eq_folded(current, s),
        _ => false,
    }
}

/// The new value a filter of one `eq` clause on a string names (`type eq "work"`), as the
/// JSON route's `seed_record` builds it; other filters go there.
fn seed(def: &'static AttributeDef, filter: &Filter, opts: PatchOptions) -> Option<MultiValue> {
    if opts.filter_no_match == FilterNoMatch::NoTarget {
        return None;
    }
    let Filter::Test {
        path,
        records: None,
        test: Test::Compare(CompareOp::Eq, CompValue::Str(s)),
    } = filter
    else {
        return None;
    };
    if path.sub.is_some() {
        return None;
    }
    let mut record = MultiValue::default();
    *text_slot(&mut record, def.sub(&path.name)?)? = Some(Text::from(s.as_str()));
    Some(record)
}

#[cfg(test)]
mod tests;
