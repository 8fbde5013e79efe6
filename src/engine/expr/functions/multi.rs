//! Multi-valued attributes: Count, Item, RemoveDuplicates.

use std::collections::HashSet;

use super::super::value::Value;
use super::convert::{self, text};
use super::{Args, FnResult};

/// `Count(attribute)`: "number of elements of multi-valued attribute" (ref §6.3). A single
/// value counts 1, Null counts 0.
pub(super) fn count(args: &Args) -> FnResult {
    let n = match args.get(0) {
        Value::Null => 0,
        Value::Multi(items) => items.len(),
        Value::Roles(roles) => roles.len(),
        _ => 1,
    };
    Ok(Value::Number(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `Item(attribute, index)`: 1-based ("`Item([proxyAddresses], 1)` returns the first item ...
/// Index 0 shouldn't be used", ref §6.3). An index outside 1..=count gives Null; a single value
/// is a list of one.
pub(super) fn item(args: &Args) -> FnResult {
    let index = convert::required_int(args.get(1), "index")?;
    let items: Vec<Value> = match args.get(0) {
        Value::Null => Vec::new(),
        Value::Multi(items) => items.clone(),
        Value::Roles(roles) => roles
            .iter()
            .map(|r| Value::String(r.assignment.value.clone()))
            .collect(),
        other => vec![other.clone()],
    };
    let position = usize::try_from(index.saturating_sub(1))
        .ok()
        .filter(|_| index >= 1);
    Ok(position
        .and_then(|p| items.get(p).cloned())
        .unwrap_or(Value::Null))
}

/// `RemoveDuplicates(attribute)`: "de-dup multi-valued" (ref §6.3), keeping the first of each
/// value (exact, case-sensitive comparison) and the original order.
pub(super) fn remove_duplicates(args: &Args) -> FnResult {
    match args.get(0) {
        Value::Multi(items) => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for item in items {
                if seen.insert(text(item)?) {
                    out.push(item.clone());
                }
            }
            Ok(Value::Multi(out))
        }
        other => Ok(other.clone()),
    }
}
