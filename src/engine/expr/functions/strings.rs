//! String functions: Append, CStr, InStr, Join, Left, Mid, Split, StripSpaces, ToLower,
//! ToUpper, Word. Positions and lengths count Unicode characters (.NET counts UTF-16 units;
//! the two differ only outside the Basic Multilingual Plane).

use super::super::limits::MAX_MULTI_ITEMS;
use super::super::value::Value;
use super::convert::{self, ensure_fits, map_text, text, text_or_empty};
use super::{Args, FnResult};

/// `Append(source, suffix)`: "appends the suffix" (ref §6.3). Choice: a Null source stays Null
/// (nothing to transform, like the other string functions); a Null suffix appends nothing.
pub(super) fn append(args: &Args) -> FnResult {
    let suffix = text_or_empty(args.get(1))?;
    map_text(args.get(0), |s| {
        ensure_fits(s.len().saturating_add(suffix.len()))?;
        Ok(format!("{s}{suffix}"))
    })
}

/// `CStr(value)`: the value as a string (ref §6.3: "numeric/reference/boolean → string").
pub(super) fn cstr(args: &Args) -> FnResult {
    map_text(args.get(0), |s| Ok(s.to_string()))
}

/// `InStr(value1, value2, start, compareType)`: 1-based position of value2 in value1, 0 when
/// absent (ref §6.3: `InStr("The quick brown fox","quick")` → 5). Follows VB `InStr`: start
/// defaults to 1 and must be ≥ 1; an empty value1 or a start past its end gives 0; an empty
/// value2 gives start. `vbTextCompare` ignores case.
pub(super) fn in_str(args: &Args) -> FnResult {
    let haystack: Vec<char> = text_or_empty(args.get(0))?.chars().collect();
    let needle: Vec<char> = text_or_empty(args.get(1))?.chars().collect();
    let start = convert::int(args.get(2))?.unwrap_or(1);
    if start < 1 {
        return Err(format!("start must be at least 1, got {start}"));
    }
    let ignore_case = compare_is_text(args.get(3))?;
    let from = usize::try_from(start.saturating_sub(1)).unwrap_or(usize::MAX);
    if from > haystack.len() || haystack.is_empty() {
        return Ok(Value::Number(0));
    }
    if needle.is_empty() {
        return Ok(Value::Number(start));
    }
    let fold = |c: &char| if ignore_case { lower_char(*c) } else { *c };
    let hay: String = haystack.iter().skip(from).map(fold).collect();
    let pat: String = needle.iter().map(fold).collect();
    let found = hay.find(&pat).map(|byte| {
        let chars_before = hay.get(..byte).map_or(0, |h| h.chars().count());
        from.saturating_add(chars_before).saturating_add(1)
    });
    Ok(Value::Number(
        found.and_then(|p| i64::try_from(p).ok()).unwrap_or(0),
    ))
}

/// compareType: omitted/`vbBinaryCompare`/0 → ordinal; `vbTextCompare`/1 → ignore case.
fn compare_is_text(value: &Value) -> Result<bool, String> {
    match value {
        Value::Null => Ok(false),
        Value::Number(0) => Ok(false),
        Value::Number(1) => Ok(true),
        other => match text(other)?.unwrap_or_default().trim() {
            "" | "0" | "vbBinaryCompare" => Ok(false),
            "1" | "vbTextCompare" => Ok(true),
            bad => Err(format!(
                "compareType must be vbBinaryCompare or vbTextCompare, got '{}'",
                convert::preview(bad)
            )),
        },
    }
}

/// `Join(separator, source1, ...)`: sources joined with the separator; "If one of the source
/// values is a multi-value attribute, then every value in that attribute is joined" (ref §6.3).
/// Null and "" sources are skipped (ref §6.3 INFERENCE from `Join(", ", "", [surname],
/// [givenName])` → "Doe, John"). Nothing to join gives "" (like .NET `String.Join`).
pub(super) fn join(args: &Args) -> FnResult {
    let separator = text_or_empty(args.get(0))?;
    let mut out = String::new();
    let mut first = true;
    for source in args.iter().skip(1) {
        let items: Vec<&Value> = match source {
            Value::Multi(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let Some(part) = text(item)?.filter(|p| !p.is_empty()) else {
                continue;
            };
            let sep = if first { "" } else { separator.as_str() };
            ensure_fits(
                out.len()
                    .saturating_add(sep.len())
                    .saturating_add(part.len()),
            )?;
            out.push_str(sep);
            out.push_str(&part);
            first = false;
        }
    }
    Ok(Value::String(out))
}

/// `Left(string, numChars)` (ref §6.3): "If numChars = 0, return empty string. If numChars < 0,
/// return input string. If string is null, return empty string." Shorter strings come whole.
pub(super) fn left(args: &Args) -> FnResult {
    let count = convert::required_int(args.get(1), "numChars")?;
    if args.get(0) == &Value::Null {
        return Ok(Value::String(String::new()));
    }
    map_text(args.get(0), |s| {
        Ok(match usize::try_from(count) {
            Ok(n) => s.chars().take(n).collect(),
            Err(_) => s.to_string(),
        })
    })
}

/// `Mid(source, start, length)`: 1-based start; a length past the end returns the rest (ref
/// §6.3). Like VB `Mid`, start < 1 or length < 0 is an error; a Null source stays Null.
pub(super) fn mid(args: &Args) -> FnResult {
    let start = convert::required_int(args.get(1), "start")?;
    let length = convert::required_int(args.get(2), "length")?;
    if start < 1 {
        return Err(format!("start must be at least 1, got {start}"));
    }
    let skip = usize::try_from(start.saturating_sub(1)).unwrap_or(usize::MAX);
    let take = usize::try_from(length).map_err(|_| format!("length must be ≥ 0, got {length}"))?;
    map_text(args.get(0), |s| {
        Ok(s.chars().skip(skip).take(take).collect())
    })
}

/// `Split(source, delimiter)`: a multi-valued value (ref §6.3). An empty delimiter leaves the
/// string whole (.NET `Split`). Choice: items are trimmed of surrounding white space, as the
/// reference's example shows (`"PermissionSetOne, PermissionSetTwo"` split on "," gives
/// `["PermissionSetOne", "PermissionSetTwo"]`, no leading space).
pub(super) fn split(args: &Args) -> FnResult {
    let Some(source) = text(args.get(0))? else {
        return Ok(Value::Null);
    };
    let delimiter = text_or_empty(args.get(1))?;
    if delimiter.is_empty() {
        return Ok(Value::Multi(vec![Value::String(source.trim().to_string())]));
    }
    let count = source.matches(delimiter.as_str()).count().saturating_add(1);
    if count > MAX_MULTI_ITEMS {
        return Err(format!("would produce more than {MAX_MULTI_ITEMS} items"));
    }
    Ok(Value::Multi(
        source
            .split(delimiter.as_str())
            .map(|part| Value::String(part.trim().to_string()))
            .collect(),
    ))
}

/// `StripSpaces(source)`: "Removes all space (" ") characters" (ref §6.3) — U+0020 only.
pub(super) fn strip_spaces(args: &Args) -> FnResult {
    map_text(args.get(0), |s| Ok(s.replace(' ', "")))
}

/// Direction of a case change.
#[derive(Clone, Copy)]
pub(super) enum Case {
    Lower,
    Upper,
}

/// `ToLower(source, culture)` / `ToUpper(source, culture)`: invariant culture by default
/// (ref §6.3). Character-by-character simple case mapping, as .NET does (so "ß" stays "ß").
/// Turkish and Azeri cultures (`tr`, `az`) map dotted and dotless i; other well-formed culture
/// names behave like the invariant culture; malformed names are an error.
pub(super) fn change_case(args: &Args, case: Case) -> FnResult {
    let culture = text_or_empty(args.get(1))?;
    let turkic = turkic_culture(&culture)?;
    map_text(args.get(0), |s| {
        Ok(s.chars()
            .map(|c| match (case, turkic, c) {
                (Case::Lower, true, 'I') => 'ı',
                (Case::Lower, true, 'İ') => 'i',
                (Case::Upper, true, 'i') => 'İ',
                (Case::Upper, true, 'ı') => 'I',
                (Case::Lower, _, c) => lower_char(c),
                (Case::Upper, _, c) => upper_char(c),
            })
            .collect())
    })
}

/// Validates an RFC 4646-style culture name ("en-US", "tr-TR"); true for Turkic languages.
fn turkic_culture(culture: &str) -> Result<bool, String> {
    let name = culture.trim();
    if name.is_empty() {
        return Ok(false);
    }
    let mut parts = name.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    let well_formed = (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(format!(
            "'{}' is not a culture name",
            convert::preview(name)
        ));
    }
    Ok(matches!(
        language.to_ascii_lowercase().as_str(),
        "tr" | "az"
    ))
}

/// Simple (one-to-one) lower-case mapping; U+0130 'İ' maps to 'i' as in Unicode's simple map.
pub(super) fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Simple (one-to-one) upper-case mapping; characters whose full mapping has several
/// characters ("ß" → "SS") are left unchanged, as in .NET.
pub(super) fn upper_char(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `Word(string, wordNumber, delimiters)` (ref §6.3): words are runs of characters separated
/// by any of the delimiter characters (runs of delimiters make no empty words). "If number < 1,
/// returns empty string." "If string is null, returns empty string." Too few words → "".
pub(super) fn word(args: &Args) -> FnResult {
    let number = convert::required_int(args.get(1), "wordNumber")?;
    let delimiters: Vec<char> = text_or_empty(args.get(2))?.chars().collect();
    if args.get(0) == &Value::Null {
        return Ok(Value::String(String::new()));
    }
    let index = usize::try_from(number.saturating_sub(1)).ok();
    map_text(args.get(0), |s| {
        Ok(index
            .filter(|_| number >= 1)
            .and_then(|i| {
                s.split(|c| delimiters.contains(&c))
                    .filter(|w| !w.is_empty())
                    .nth(i)
            })
            .unwrap_or_default()
            .to_string())
    })
}
