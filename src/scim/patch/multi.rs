//! PATCH of multi-valued complex attributes (`emails`, `phoneNumbers`, ...), in time linear
//! in the attribute's values and the operation's (issue 15 D3): membership tests go through
//! hashed keys instead of pairwise comparisons.

use super::{
    FilterNoMatch, OpKind, PatchOptions, Target, canonical_record, coerce, no_target, remove_slot,
    slot, take_records,
};
use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::{CompValue, CompareOp, Filter, Test};
use crate::scim::fold::fold;
use crate::scim::schema::AttributeDef;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

type Record = Map<String, Value>;

/// The limit error, naming the limit.
pub(super) fn too_many(what: &str, n: usize, limit: usize, name: &str) -> ScimError {
    ScimError::bad_request(
        ScimType::TooMany,
        format!("{what} {n} exceeds the limit of {limit} ({name})"),
    )
}

/// A POSTed or PUT representation within the same bound: no attribute (core or in an
/// extension object) lists more than `max` values.
pub(crate) fn check_value_counts(body: &Value, max: usize) -> Result<(), ScimError> {
    let Value::Object(members) = body else {
        return Ok(());
    };
    for (name, value) in members {
        match value {
            Value::Array(items) if items.len() > max => {
                let what = format!("The number of values of '{name}',");
                return Err(too_many(&what, items.len(), max, "max_values"));
            }
            Value::Object(_) => check_value_counts(value, max)?,
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn apply_multi(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let attr = target.attr;
    let def = attr.def();
    let mut records = take_records(doc, attr)?;
    let selected: Vec<usize> = match &target.filter {
        Some((rf, _)) => (0..records.len())
            .filter(|&i| rf.matches(&records[i]))
            .collect(),
        None => (0..records.len()).collect(),
    };
    let mut touched = Vec::new();
    match (kind, target.sub, value) {
        (OpKind::Remove, None, v) => remove_records(&mut records, target, selected, v, opts)?,
        (OpKind::Remove, Some(sub), v) => {
            for i in selected {
                let same = match (records[i].get(sub.name), v) {
                    (_, None) => true,
                    (Some(c), Some(v)) => equal_scalar(sub, c, v),
                    (None, Some(_)) => false,
                };
                if same {
                    records[i].shift_remove(sub.name);
                }
            }
        }
        (_, Some(sub), Some(v)) => {
            let v = coerce(sub, v);
            if selected.is_empty() {
                let mut record = seed_record(def, target, opts)?;
                record.insert(sub.name.to_string(), v);
                records.push(record);
                touched.push(records.len() - 1);
            } else {
                for i in selected {
                    records[i].insert(sub.name.to_string(), v.clone());
                    touched.push(i);
                }
            }
        }
        (_, None, Some(v)) if target.filter.is_some() => {
            let Value::Object(members) = v else {
                return Err(ScimError::invalid_value(format!(
                    "A value filter on '{}' needs an object value",
                    def.name
                )));
            };
            let incoming = canonical_record(def, members, opts.unknown)?;
            if selected.is_empty() {
                let mut record = seed_record(def, target, opts)?;
                record.extend(incoming);
                records.push(record);
                touched.push(records.len() - 1);
            } else {
                for i in selected {
                    records[i].extend(incoming.clone());
                    touched.push(i);
                }
            }
        }
        (_, None, Some(v)) => {
            let incoming = listed_values(def, v, opts)?;
            if kind == OpKind::Replace {
                records.clear();
            }
            add_records(&mut records, incoming, &mut touched);
        }
        (_, _, None) => {}
    }
    finish(doc, target, records, &touched, opts)
}

/// Builds a new record from a value filter's `eq` clauses (`type eq "work"` → `{"type": "work"}`).
fn seed_record(
    def: &'static AttributeDef,
    target: &Target,
    opts: PatchOptions,
) -> Result<Map<String, Value>, ScimError> {
    let Some((_, filter)) = &target.filter else {
        return Ok(Map::new());
    };
    if opts.filter_no_match == FilterNoMatch::NoTarget {
        return Err(no_target(target));
    }
    let mut record = Map::new();
    let mut clauses = vec![filter];
    while let Some(f) = clauses.pop() {
        match f {
            Filter::And(parts) => clauses.extend(parts),
            Filter::Test {
                path,
                records: None,
                test: Test::Compare(CompareOp::Eq, value),
            } if path.sub.is_none() => {
                let Some(sub) = def.sub(&path.name) else {
                    return Err(no_target(target));
                };
                let v = match value {
                    CompValue::Str(s) => Value::from(s.as_str()),
                    CompValue::Bool(b) => Value::Bool(*b),
                    CompValue::Number(n) => Value::from(n.as_str()),
                    CompValue::Null => return Err(no_target(target)),
                };
                record.insert(sub.name.to_string(), coerce(sub, &v));
            }
            _ => return Err(no_target(target)),
        }
    }
    Ok(record)
}

/// Removes the selected records; with a value and no filter (legacy Azure AD form), only
/// those whose value is listed.
fn remove_records(
    records: &mut Vec<Record>,
    target: &Target,
    selected: Vec<usize>,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let def = target.attr.def();
    let doomed = match value {
        Some(v) if target.filter.is_none() => {
            let wanted = listed_values(def, v, opts)?;
            let keys: HashSet<String> = wanted.iter().map(|w| value_key(def, w)).collect();
            selected
                .into_iter()
                .filter(|&i| keys.contains(&value_key(def, &records[i])))
                .collect()
        }
        _ => selected,
    };
    let mut gone = vec![false; records.len()];
    for i in doomed {
        gone[i] = true;
    }
    let mut i = 0;
    records.retain(|_| {
        i += 1;
        !gone[i - 1]
    });
    Ok(())
}

/// Adds each record not already present (exact equality, as before, but hashed).
fn add_records(records: &mut Vec<Record>, incoming: Vec<Record>, touched: &mut Vec<usize>) {
    let mut at: HashMap<String, usize> = HashMap::with_capacity(records.len() + incoming.len());
    for (i, r) in records.iter().enumerate() {
        at.entry(record_key(r)).or_insert(i);
    }
    for record in incoming {
        let key = record_key(&record);
        match at.get(&key) {
            Some(&i) => touched.push(i),
            None => {
                records.push(record);
                at.insert(key, records.len() - 1);
                touched.push(records.len() - 1);
            }
        }
    }
}

/// Primary uniqueness, the values bound, and the attribute written back.
fn finish(
    doc: &mut Map<String, Value>,
    target: &Target,
    mut records: Vec<Record>,
    touched: &[usize],
    opts: PatchOptions,
) -> Result<(), ScimError> {
    // Setting primary on one value clears it on the others (RFC 7644 §3.5.2).
    if let Some(&winner) = touched
        .iter()
        .rev()
        .find(|&&i| records[i].get("primary") == Some(&Value::Bool(true)))
    {
        for (i, r) in records.iter_mut().enumerate() {
            if i != winner && r.get("primary") == Some(&Value::Bool(true)) {
                r.insert("primary".into(), Value::Bool(false));
            }
        }
    }
    records.retain(|r| !r.is_empty());
    let name = target.attr.name();
    if records.len() > opts.max_values {
        let what = format!("The number of values of '{name}',");
        return Err(too_many(
            &what,
            records.len(),
            opts.max_values,
            "max_values",
        ));
    }
    if records.is_empty() {
        remove_slot(doc, target.attr);
    } else {
        *slot(doc, target.attr) = Value::Array(records.into_iter().map(Value::Object).collect());
    }
    Ok(())
}

/// The values of an add/replace/remove on a whole multi-valued attribute: an array or a
/// single record; each becomes a canonical record. At most `max_values` of them.
pub(super) fn listed_values(
    def: &'static AttributeDef,
    v: &Value,
    opts: PatchOptions,
) -> Result<Vec<Record>, ScimError> {
    let items: &[Value] = match v {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    if items.len() > opts.max_values {
        let what = format!("The number of values given for '{}',", def.name);
        return Err(too_many(&what, items.len(), opts.max_values, "max_values"));
    }
    items
        .iter()
        .map(|item| match item {
            Value::Object(members) => canonical_record(def, members, opts.unknown),
            Value::String(_) => {
                let mut r = Map::new();
                r.insert("value".into(), item.clone());
                Ok(r)
            }
            _ => Err(ScimError::invalid_value(format!(
                "Values of '{}' must be objects",
                def.name
            ))),
        })
        .collect()
}

/// A record's identity for exact equality: its members in name order.
fn record_key(record: &Record) -> String {
    let sorted: BTreeMap<&str, &Value> = record.iter().map(|(k, v)| (k.as_str(), v)).collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

/// A record's identity for "the same value": its `value` (case-folded unless caseExact), or
/// the whole record when it has none.
fn value_key(def: &AttributeDef, record: &Record) -> String {
    match (record.get("value"), def.sub("value")) {
        (Some(Value::String(s)), Some(sub)) if !sub.case_exact => format!("s:{}", fold(s)),
        (Some(v), Some(_)) => format!("v:{v}"),
        _ => format!("r:{}", record_key(record)),
    }
}

fn equal_scalar(def: &AttributeDef, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) if !def.case_exact => {
            crate::scim::fold::eq_folded(a, b)
        }
        _ => a == b,
    }
}
