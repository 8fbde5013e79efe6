//! Evaluation of compiled filters over anything that exposes attribute values.

use super::compile::{Compiled, CompiledTest, Operand, RecordFilter};
use super::{CompareOp, compile, parse};
use crate::scim::datetime::{format_millis, parse_millis};
use crate::scim::error::ScimError;
use crate::scim::fold::fold;
use crate::scim::schema::{Attr, AttrType, AttributeDef, USER_SCHEMA};
use crate::scim::user::lookup;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// One attribute value as a filter sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// A string (also references and numbers as text).
    Str(Cow<'a, str>),
    /// A boolean.
    Bool(bool),
    /// A date-time, Unix milliseconds.
    DateTime(i64),
}

/// A record of a complex attribute (one email, the name, the manager).
pub trait Record {
    /// Calls `f` on each value of `sub`; true as soon as `f` returns true.
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool;
}

/// A resource a filter can be evaluated on.
pub trait FilterTarget {
    /// Calls `f` on each value of the simple attribute `attr`; true as soon as `f` returns true.
    fn any_value(&self, attr: Attr, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool;
    /// Calls `f` on each record of the complex attribute `attr` (one for a single-valued one).
    fn any_record(&self, attr: Attr, f: &mut dyn FnMut(&dyn Record) -> bool) -> bool;
}

impl Compiled {
    /// Whether `target` matches.
    pub fn matches(&self, target: &dyn FilterTarget) -> bool {
        match self {
            Compiled::And(parts) => parts.iter().all(|p| p.matches(target)),
            Compiled::Or(parts) => parts.iter().any(|p| p.matches(target)),
            Compiled::Not(inner) => !inner.matches(target),
            Compiled::Test {
                attr,
                sub,
                records,
                test,
            } => test.holds(&mut |f| match (sub, records) {
                (None, _) if attr.def().is_complex() => {
                    target.any_record(*attr, &mut |_| f(Scalar::Bool(true)))
                }
                (None, _) => target.any_value(*attr, f),
                (Some(sub), None) => target.any_record(*attr, &mut |r| r.any_sub(sub, f)),
                (Some(sub), Some(rf)) => {
                    target.any_record(*attr, &mut |r| rf.matches(r) && r.any_sub(sub, f))
                }
            }),
            Compiled::ValuePath { attr, filter } => {
                target.any_record(*attr, &mut |r| filter.matches(r))
            }
        }
    }
}

impl RecordFilter {
    /// Whether `record` matches.
    pub fn matches(&self, record: &dyn Record) -> bool {
        match self {
            RecordFilter::And(parts) => parts.iter().all(|p| p.matches(record)),
            RecordFilter::Or(parts) => parts.iter().any(|p| p.matches(record)),
            RecordFilter::Not(inner) => !inner.matches(record),
            RecordFilter::Test { sub, test } => test.holds(&mut |f| record.any_sub(sub, f)),
        }
    }
}

type AnyValue<'a> = dyn FnMut(&mut dyn FnMut(Scalar<'_>) -> bool) -> bool + 'a;

impl CompiledTest {
    /// Applies the test given a way to iterate the selected values. Multi-valued attributes
    /// match when any value does; `ne` and `eq null` are the negations of `eq` and `pr`.
    fn holds(&self, any: &mut AnyValue<'_>) -> bool {
        let present = |any: &mut AnyValue<'_>| any(&mut |s| !is_empty(&s));
        match (self.op, &self.value) {
            (None, _) => present(any),
            (Some(CompareOp::Eq), Operand::Null) => !present(any),
            (Some(CompareOp::Ne), Operand::Null) => present(any),
            (Some(CompareOp::Ne), _) => !any(&mut |s| self.compare(CompareOp::Eq, &s)),
            (Some(op), _) => any(&mut |s| self.compare(op, &s)),
        }
    }

    fn compare(&self, op: CompareOp, scalar: &Scalar<'_>) -> bool {
        match (scalar, &self.value) {
            (Scalar::Bool(a), Operand::Bool(b)) => (a == b) == (op == CompareOp::Eq),
            (Scalar::DateTime(a), Operand::DateTime(b, text)) => match op {
                CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
                    compare_text(op, &fold(&format_millis(*a)), text, true)
                }
                _ => ordered(op, a.cmp(b)),
            },
            (Scalar::Str(s), Operand::Str(v)) => compare_text(op, s, v, self.case_exact),
            _ => false,
        }
    }
}

fn is_empty(s: &Scalar<'_>) -> bool {
    matches!(s, Scalar::Str(text) if text.is_empty())
}

fn ordered(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

/// Compares `value` with an operand that is already case-folded unless `case_exact`.
/// ASCII values are folded without allocating; others go through [`fold`].
fn compare_text(op: CompareOp, value: &str, operand: &str, case_exact: bool) -> bool {
    if case_exact || (value.is_ascii() && operand.is_ascii()) {
        let fold = !case_exact;
        let eq = |a: &[u8], b: &[u8]| {
            if fold {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let (v, o) = (value.as_bytes(), operand.as_bytes());
        return match op {
            CompareOp::Eq => eq(v, o),
            CompareOp::Ne => !eq(v, o),
            CompareOp::Sw => v.len() >= o.len() && eq(&v[..o.len()], o),
            CompareOp::Ew => v.len() >= o.len() && eq(&v[v.len() - o.len()..], o),
            CompareOp::Co => contains_ascii(v, o, fold),
            _ if fold => ordered(op, cmp_ascii_folded(v, o)),
            _ => ordered(op, v.cmp(o)),
        };
    }
    let folded = fold(value);
    match op {
        CompareOp::Eq => folded == operand,
        CompareOp::Ne => folded != operand,
        CompareOp::Sw => folded.starts_with(operand),
        CompareOp::Ew => folded.ends_with(operand),
        CompareOp::Co => folded.contains(operand),
        _ => ordered(op, (*folded).cmp(operand)),
    }
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case when `fold`: candidates are
/// the positions of its first byte (either case), found by `memchr`.
fn contains_ascii(haystack: &[u8], needle: &[u8], fold: bool) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
        return false;
    };
    let tail_matches = |at: usize| {
        haystack.get(at + 1..at + needle.len()).is_some_and(|tail| {
            if fold {
                tail.eq_ignore_ascii_case(rest)
            } else {
                tail == rest
            }
        })
    };
    let starts = &haystack[..=last_start];
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    if fold && lower != upper {
        memchr::memchr2_iter(lower, upper, starts).any(tail_matches)
    } else {
        memchr::memchr_iter(first, starts).any(tail_matches)
    }
}

fn cmp_ascii_folded(a: &[u8], b: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// A JSON object as a filter target: any SCIM User representation, with case-insensitive
/// keys and extension attributes nested under their URN.
struct JsonResource<'a>(&'a Map<String, Value>);

impl JsonResource<'_> {
    fn get(&self, attr: Attr) -> Option<&Value> {
        match attr.extension() {
            Some(urn) => lookup(self.0, urn)
                .and_then(Value::as_object)
                .and_then(|ext| lookup(ext, attr.name())),
            None => lookup(self.0, attr.name()),
        }
    }
}

fn json_scalar<'a>(def: &AttributeDef, value: &'a Value) -> Option<Scalar<'a>> {
    match value {
        Value::String(s) if def.ty == AttrType::DateTime => parse_millis(s).map(Scalar::DateTime),
        Value::String(s) => Some(Scalar::Str(Cow::Borrowed(s))),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Number(n) => Some(Scalar::Str(Cow::Owned(n.to_string()))),
        _ => None,
    }
}

impl FilterTarget for JsonResource<'_> {
    fn any_value(&self, attr: Attr, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        let def = attr.def();
        if attr == Attr::Schemas {
            // `schemas` may be absent from a representation; the core URN is implied.
            let Some(Value::Array(items)) = self.get(attr) else {
                return f(Scalar::Str(Cow::Borrowed(USER_SCHEMA)));
            };
            return items.iter().filter_map(|v| json_scalar(def, v)).any(f);
        }
        match self.get(attr) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| json_scalar(def, v)).any(f),
            Some(v) => json_scalar(def, v).is_some_and(f),
            None => false,
        }
    }

    fn any_record(&self, attr: Attr, f: &mut dyn FnMut(&dyn Record) -> bool) -> bool {
        match self.get(attr) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).any(|r| f(r)),
            Some(Value::Object(r)) => f(r),
            // A bare manager id string is still a manager record.
            Some(v @ Value::String(_)) if attr == Attr::Manager => f(&BareValue(v)),
            _ => false,
        }
    }
}

struct BareValue<'a>(&'a Value);

impl Record for BareValue<'_> {
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        sub.name == "value" && json_scalar(sub, self.0).is_some_and(f)
    }
}

impl Record for Map<String, Value> {
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        match lookup(self, sub.name) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| json_scalar(sub, v)).any(f),
            Some(v) => json_scalar(sub, v).is_some_and(f),
            None => false,
        }
    }
}

/// Parses, compiles and evaluates `filter` against a JSON User representation.
pub fn matches_json(filter: &str, resource: &Value) -> Result<bool, ScimError> {
    let compiled = compile(&parse(filter).map_err(|e| e.into_filter_error(filter))?)?;
    Ok(resource
        .as_object()
        .is_some_and(|obj| compiled.matches(&JsonResource(obj))))
}

/// Evaluates a compiled filter against a JSON User representation.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn matches_json_compiled(compiled: &Compiled, resource: &Value) -> bool {
    resource
        .as_object()
        .is_some_and(|obj| compiled.matches(&JsonResource(obj)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    proptest::proptest! {
        #[test]
        fn contains_ascii_agrees_with_a_window_scan(
            haystack in "[a-cA-C@.]{0,12}",
            needle in "[a-cA-C@.]{0,4}",
            fold: bool,
        ) {
            let (h, n) = (haystack.as_bytes(), needle.as_bytes());
            let naive = n.is_empty()
                || h.windows(n.len()).any(|w| if fold { w.eq_ignore_ascii_case(n) } else { w == n });
            proptest::prop_assert_eq!(contains_ascii(h, n, fold), naive);
        }
    }

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "externalId": "Ext-1",
            "userName": "Bjensen@Example.com",
            "name": {"familyName": "O'Malley", "givenName": "Barbara"},
            "title": "Tour Guide",
            "active": true,
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations", "manager": {"value": "m-1"}},
            "meta": {"created": "2011-05-13T04:42:34Z", "lastModified": "2011-05-13T04:42:34Z"}
        })
    }

    fn check(filter: &str) -> bool {
        matches_json(filter, &user()).unwrap_or_else(|e| panic!("{filter}: {e}"))
    }

    #[test]
    fn evaluates_every_operator() {
        let truths = [
            r#"userName eq "bjensen@example.com""#,
            r#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#,
            r#"externalId eq "Ext-1""#,
            r#"userName ne "someone""#,
            r#"name.familyName co "o'mal""#,
            r#"userName sw "bj""#,
            r#"userName ew ".COM""#,
            r#"title gt "A""#,
            r#"title ge "Tour Guide""#,
            r#"title lt "Z""#,
            r#"title le "tour guide""#,
            "title pr",
            "active eq true",
            "active ne false",
            r#"meta.lastModified gt "2011-05-13T04:42:33Z""#,
            r#"meta.created le "2011-05-13T06:42:34+02:00""#,
            r#"emails co "jensen.org""#,
            r#"emails.value ew "@jensen.org""#,
            r#"emails[type eq "work" and value co "@example.com"]"#,
            r#"emails[type eq "work"].value eq "BJENSEN@example.com""#,
            r#"department eq "tour operations""#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m-1""#,
            r#"manager.value eq "m-1""#,
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            r#"title pr and (userName sw "x" or userName sw "b")"#,
            r#"not (title eq "Boss")"#,
            "locale eq null",
            "displayName ne null or title pr",
        ];
        for f in truths {
            assert!(check(f), "expected true: {f}");
        }
        let falsehoods = [
            r#"externalId eq "ext-1""#,
            r#"userName eq "bjensen""#,
            r#"emails[type eq "home" and value co "@example.com"]"#,
            r#"emails[type eq "home"].value eq "bjensen@example.com""#,
            "locale pr",
            r#"title ne "Tour Guide""#,
            r#"not (title pr)"#,
            "active eq false",
            "title eq null",
            r#"name.givenName gt "c""#,
        ];
        for f in falsehoods {
            assert!(!check(f), "expected false: {f}");
        }
    }

    #[test]
    fn folds_unicode_case() {
        let doc = json!({"userName": "ÉLODIE@exemple.fr"});
        assert!(matches_json(r#"userName eq "élodie@exemple.fr""#, &doc).unwrap());
        assert!(matches_json(r#"userName sw "élo""#, &doc).unwrap());
        assert!(!matches_json(r#"userName eq "elodie@exemple.fr""#, &doc).unwrap());
    }

    #[test]
    fn folds_whole_strings_the_one_way() {
        let doc = json!({"userName": "ΝΙΚΟΣ@x.gr", "title": "Straße", "displayName": "\u{212A}im"});
        assert!(matches_json(r#"userName eq "ΝΙΚΟΣ@x.gr""#, &doc).unwrap());
        assert!(matches_json(r#"userName eq "νικοσ@x.gr""#, &doc).unwrap());
        assert!(matches_json(r#"userName eq "νικος@X.GR""#, &doc).unwrap());
        assert!(matches_json(r#"title eq "STRASSE""#, &doc).unwrap());
        assert!(matches_json(r#"displayName eq "kim""#, &doc).unwrap());
    }
}
