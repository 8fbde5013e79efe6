//! `Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
//! replacementAttributeName, template)`.

use regex::{Captures, Regex};

use super::super::eval::{CompiledRegex, Ctx};
use super::super::value::Value;
use super::convert::{ensure_fits, map_text, text, text_or_empty};
use super::{Args, FnResult};

const SOURCE: usize = 0;
const OLD_VALUE: usize = 1;
const PATTERN: usize = 2;
const GROUP: usize = 3;
const REPLACEMENT: usize = 4;
const REPLACEMENT_ATTRIBUTE: usize = 5;
const TEMPLATE: usize = 6;

/// Case-sensitive replacement whose mode depends on which arguments are written (ref §6.3
/// lists five modes). A written argument that evaluates to Null reads as "". Choices:
/// - `oldValue` + `template` wins over `oldValue` + `replacementValue` when all three are given;
/// - an empty `oldValue` replaces nothing (.NET `String.Replace` would throw);
/// - any other combination is an error;
/// - a Null source stays Null, except in the `replacementAttributeName` mode, made for it.
///
/// Patterns are Rust `regex` syntax, which accepts .NET's `(?<name>…)` groups but not
/// look-around or back-references (reported as errors); `replacementValue` uses .NET
/// substitutions (`$1`, `${name}`, `$$`, `$&`, `` $` ``, `$'`, `$+`, `$_`).
pub(super) fn replace(ctx: &mut Ctx<'_, '_>, args: &Args) -> FnResult {
    let source = args.get(SOURCE);
    if args.given(OLD_VALUE) && args.given(TEMPLATE) {
        // "Replaces all occurrences of the oldValue in the template with the source value".
        let old = text_or_empty(args.get(OLD_VALUE))?;
        let template = text_or_empty(args.get(TEMPLATE))?;
        return map_text(source, |s| literal(&template, &old, s));
    }
    if args.given(OLD_VALUE) && args.given(REPLACEMENT) {
        // "Replaces all occurrences of oldValue in the source with replacementValue".
        let old = text_or_empty(args.get(OLD_VALUE))?;
        let new = text_or_empty(args.get(REPLACEMENT))?;
        return map_text(source, |s| literal(s, &old, &new));
    }
    if !args.given(PATTERN) {
        return Err("give oldValue with replacementValue or template, or a regexPattern".into());
    }
    let compiled = ctx.regex(&text_or_empty(args.get(PATTERN))?)?;
    let re = compiled.re.clone();
    if args.given(GROUP) && args.given(REPLACEMENT_ATTRIBUTE) && !args.given(REPLACEMENT) {
        return from_attribute(ctx, &compiled, args);
    }
    if !args.given(REPLACEMENT) {
        return Err("a regexPattern needs a replacementValue or replacementAttributeName".into());
    }
    let replacement = text_or_empty(args.get(REPLACEMENT))?;
    if args.given(GROUP) {
        // "replaces all values matching regexGroupName with replacementValue".
        let group = text_or_empty(args.get(GROUP))?;
        if !re.capture_names().flatten().any(|n| n == group) {
            return Err(format!("the pattern has no group named '{group}'"));
        }
        return map_text(source, |s| {
            ctx.charge_regex(&compiled, s.len())?;
            replace_group(&re, s, &group, &replacement)
        });
    }
    let parts = parse_substitution(&replacement, &re);
    map_text(source, |s| {
        ctx.charge_regex(&compiled, s.len())?;
        replace_matches(&re, s, &parts)
    })
}

/// Every occurrence of `old` in `s` replaced by `new`, size-checked before building.
fn literal(s: &str, old: &str, new: &str) -> Result<String, String> {
    if old.is_empty() {
        return Ok(s.to_string());
    }
    let count = s.matches(old).count();
    let size = s
        .len()
        .saturating_sub(count.saturating_mul(old.len()))
        .saturating_add(count.saturating_mul(new.len()));
    ensure_fits(size)?;
    Ok(s.replace(old, new))
}

/// "If source has a value, source is returned. If source has no value, the function applies
/// the regexPattern to the replacementAttributeName and returns the value matching
/// regexGroupName" (ref §6.3); Null when there is nothing to extract.
fn from_attribute(ctx: &mut Ctx<'_, '_>, compiled: &CompiledRegex, args: &Args) -> FnResult {
    let source = args.get(SOURCE);
    if !source.is_null_or_empty() {
        return Ok(source.clone());
    }
    let group = text_or_empty(args.get(GROUP))?;
    let Some(other) = text(args.get(REPLACEMENT_ATTRIBUTE))? else {
        return Ok(Value::Null);
    };
    ctx.charge_regex(compiled, other.len())?;
    Ok(compiled
        .re
        .captures(&other)
        .and_then(|caps| caps.name(&group))
        .map_or(Value::Null, |m| Value::String(m.as_str().to_string())))
}

/// Within each match, the text of the named group is replaced by `replacement` (literally).
fn replace_group(re: &Regex, s: &str, group: &str, replacement: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.name(group) else {
            continue;
        };
        if m.start() < last {
            continue;
        }
        push_checked(&mut out, s.get(last..m.start()).unwrap_or_default())?;
        push_checked(&mut out, replacement)?;
        last = m.end();
    }
    push_checked(&mut out, s.get(last..).unwrap_or_default())?;
    Ok(out)
}

fn push_checked(out: &mut String, part: &str) -> Result<(), String> {
    ensure_fits(out.len().saturating_add(part.len()))?;
    out.push_str(part);
    Ok(())
}

/// One piece of a .NET substitution string.
#[derive(Debug, PartialEq)]
enum Part {
    Literal(String),
    Group(usize),
    Named(String),
    WholeMatch,
    BeforeMatch,
    AfterMatch,
    LastGroup,
    WholeInput,
}

/// Parses .NET substitutions; a `$` that starts none, or names a group the pattern lacks, is
/// literal text (as in .NET).
fn parse_substitution(replacement: &str, re: &Regex) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = replacement;
    while let Some(dollar) = rest.find('$') {
        literal.push_str(rest.get(..dollar).unwrap_or_default());
        let after = rest.get(dollar.saturating_add(1)..).unwrap_or_default();
        let (part, used) = substitution_at(after, re);
        match part {
            Some(p) => {
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(p);
            }
            None => literal.push('$'),
        }
        rest = after.get(used..).unwrap_or_default();
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    parts
}

/// The substitution after a `$` and how many bytes it used; `(None, 0)` for a literal `$`,
/// `(None, 1)` for `$$`.
fn substitution_at(after: &str, re: &Regex) -> (Option<Part>, usize) {
    let first = after.chars().next();
    match first {
        Some('$') => (None, 1),
        Some('&') => (Some(Part::WholeMatch), 1),
        Some('`') => (Some(Part::BeforeMatch), 1),
        Some('\'') => (Some(Part::AfterMatch), 1),
        Some('+') => (Some(Part::LastGroup), 1),
        Some('_') => (Some(Part::WholeInput), 1),
        Some('{') => {
            let Some(close) = after.find('}') else {
                return (None, 0);
            };
            let name = after.get(1..close).unwrap_or_default();
            let used = close.saturating_add(1);
            if let Ok(n) = name.parse::<usize>() {
                if n < re.captures_len() {
                    return (Some(Part::Group(n)), used);
                }
            } else if re.capture_names().flatten().any(|g| g == name) {
                return (Some(Part::Named(name.to_string())), used);
            }
            (None, 0)
        }
        Some(d) if d.is_ascii_digit() => {
            // Longest run of digits naming an existing group (.NET rule).
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            for len in (1..=digits.len()).rev() {
                if let Some(n) = digits.get(..len).and_then(|d| d.parse::<usize>().ok())
                    && n < re.captures_len()
                {
                    return (Some(Part::Group(n)), len);
                }
            }
            (None, 0)
        }
        _ => (None, 0),
    }
}

/// Every match replaced by the expanded substitution.
fn replace_matches(re: &Regex, s: &str, parts: &[Part]) -> Result<String, String> {
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.get(0) else {
            continue;
        };
        push_checked(&mut out, s.get(last..m.start()).unwrap_or_default())?;
        for part in parts {
            push_checked(&mut out, expand(part, &caps, s))?;
        }
        last = m.end();
    }
    push_checked(&mut out, s.get(last..).unwrap_or_default())?;
    Ok(out)
}

fn expand<'h>(part: &'h Part, caps: &Captures<'h>, input: &'h str) -> &'h str {
    let whole = caps.get(0);
    match part {
        Part::Literal(text) => text,
        Part::Group(n) => caps.get(*n).map_or("", |m| m.as_str()),
        Part::Named(name) => caps.name(name).map_or("", |m| m.as_str()),
        Part::WholeMatch => whole.map_or("", |m| m.as_str()),
        Part::BeforeMatch => whole
            .and_then(|m| input.get(..m.start()))
            .unwrap_or_default(),
        Part::AfterMatch => whole.and_then(|m| input.get(m.end()..)).unwrap_or_default(),
        // .NET: the highest-numbered group, empty when it did not participate.
        Part::LastGroup => caps
            .len()
            .checked_sub(1)
            .filter(|last| *last > 0)
            .and_then(|last| caps.get(last))
            .map_or("", |m| m.as_str()),
        Part::WholeInput => input,
    }
}
