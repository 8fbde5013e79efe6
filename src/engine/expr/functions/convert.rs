//! Argument coercions shared by the functions (VB-style conversions).

use time::OffsetDateTime;

use super::super::datetime;
use super::super::limits::{EVAL_BUDGET_BYTES, MAX_STRING_BYTES};
use super::super::value::{Value, bool_text};

/// The Null every omitted or missing argument reads as.
pub(super) static NULL: Value = Value::Null;

/// A scalar out of a value: a multi-valued value with one item stands for that item, an empty
/// one for Null; more items are an error where one value is expected.
pub(super) fn single(value: &Value) -> Result<&Value, String> {
    match value {
        Value::Multi(items) => match items.as_slice() {
            [] => Ok(&NULL),
            [one] => Ok(one),
            _ => Err(format!(
                "expected a single value, got a multi-valued one with {} items",
                items.len()
            )),
        },
        other => Ok(other),
    }
}

/// Text of a scalar as .NET would print it (booleans "True"/"False", dates
/// "M/d/yyyy h:mm:ss tt"); None for Null.
pub(super) fn text(value: &Value) -> Result<Option<String>, String> {
    Ok(match single(value)? {
        Value::Null | Value::Ignore => None,
        Value::String(s) => Some(s.clone()),
        Value::Boolean(b) => Some(bool_text(*b).to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::DateTime(dt) => Some(datetime::general_string(*dt)),
        Value::Roles(roles) => match roles.as_slice() {
            [] => None,
            [one] => Some(one.assignment.value.clone()),
            _ => return Err("expected a single role, got several".into()),
        },
        Value::Multi(_) => return Err("nested multi-valued values are not supported".into()),
    })
}

/// Text, with Null read as "".
pub(super) fn text_or_empty(value: &Value) -> Result<String, String> {
    Ok(text(value)?.unwrap_or_default())
}

/// Integer value: numbers, decimal or `&H` strings, and VB booleans (True = -1, False = 0).
/// None for Null and "".
pub(super) fn int(value: &Value) -> Result<Option<i64>, String> {
    match single(value)? {
        Value::Number(n) => Ok(Some(*n)),
        Value::Boolean(b) => Ok(Some(if *b { -1 } else { 0 })),
        Value::Null | Value::Ignore => Ok(None),
        other => {
            let s = text(other)?.unwrap_or_default();
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            parse_int(t)
                .map(Some)
                .ok_or_else(|| format!("'{}' is not an integer", preview(&s)))
        }
    }
}

/// Integer that must be present; `what` names the parameter in the error.
pub(super) fn required_int(value: &Value, what: &str) -> Result<i64, String> {
    int(value)?.ok_or_else(|| format!("{what} is required"))
}

fn parse_int(t: &str) -> Option<i64> {
    match t.strip_prefix("&H").or_else(|| t.strip_prefix("&h")) {
        Some(hex) if !hex.is_empty() && hex.len() <= 16 => {
            u64::from_str_radix(hex, 16).ok().map(|v| v as i64)
        }
        Some(_) => None,
        None => t.parse::<i64>().ok(),
    }
}

/// Lenient truth of a condition (IIF): True, "True" (any case) and non-zero numbers are true;
/// anything else, including Null, is false.
pub(super) fn truthy(value: &Value) -> bool {
    match single(value) {
        Ok(Value::Boolean(b)) => *b,
        Ok(Value::Number(n)) => *n != 0,
        Ok(Value::String(s)) => {
            let t = s.trim();
            t.eq_ignore_ascii_case("true") || t.parse::<i64>().is_ok_and(|n| n != 0)
        }
        _ => false,
    }
}

/// VB `CBool`: booleans, numbers (non-zero is True) and "True"/"False" strings; Null and ""
/// are False; other text is an error (VB raises InvalidCastException).
pub(super) fn cbool(value: &Value) -> Result<bool, String> {
    match single(value)? {
        Value::Boolean(b) => Ok(*b),
        Value::Number(n) => Ok(*n != 0),
        Value::Null | Value::Ignore => Ok(false),
        other => {
            let s = text(other)?.unwrap_or_default();
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("false") {
                Ok(false)
            } else if t.eq_ignore_ascii_case("true") {
                Ok(true)
            } else {
                parse_int(t)
                    .map(|n| n != 0)
                    .ok_or_else(|| format!("'{}' is not a boolean", preview(&s)))
            }
        }
    }
}

/// A date argument: date values as they are, strings parsed like `CDate`; None for Null/"".
pub(super) fn date(value: &Value) -> Result<Option<OffsetDateTime>, String> {
    match single(value)? {
        Value::DateTime(dt) => Ok(Some(*dt)),
        Value::Null | Value::Ignore => Ok(None),
        Value::Number(_) | Value::Boolean(_) => {
            Err(format!("expected a date, got a {}", value.type_name()))
        }
        other => {
            let s = text(other)?.unwrap_or_default();
            if s.trim().is_empty() {
                return Ok(None);
            }
            datetime::parse_loose(&s)
                .map(Some)
                .ok_or_else(|| format!("'{}' is not a recognised date/time", preview(&s)))
        }
    }
}

/// Applies a string function to a value: Null stays Null, a multi-valued value is mapped item
/// by item (Null items stay Null), other scalars are converted to text first.
pub(super) fn map_text(
    value: &Value,
    mut f: impl FnMut(&str) -> Result<String, String>,
) -> Result<Value, String> {
    match value {
        Value::Multi(items) => {
            // Items are checked as they are made, so a long list cannot balloon first.
            let mut total = 0usize;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Some(s) = text(item)? else {
                    out.push(Value::Null);
                    continue;
                };
                let mapped = f(&s)?;
                total = total.saturating_add(mapped.len());
                if mapped.len() > MAX_STRING_BYTES || total > EVAL_BUDGET_BYTES {
                    return Err("result is too long".into());
                }
                out.push(Value::String(mapped));
            }
            Ok(Value::Multi(out))
        }
        other => match text(other)? {
            Some(s) => f(&s).map(Value::String),
            None => Ok(Value::Null),
        },
    }
}

/// The start of a possibly long input, for error messages.
pub(super) fn preview(s: &str) -> String {
    const SHOWN: usize = 40;
    if s.chars().count() <= SHOWN {
        s.to_string()
    } else {
        let head: String = s.chars().take(SHOWN).collect();
        format!("{head}…")
    }
}

/// Fails when a string about to be built would exceed the string size limit.
pub(super) fn ensure_fits(bytes: usize) -> Result<(), String> {
    if bytes > MAX_STRING_BYTES {
        Err(format!("result would exceed {MAX_STRING_BYTES} bytes"))
    } else {
        Ok(())
    }
}
