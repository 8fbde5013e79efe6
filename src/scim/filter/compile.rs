//! Resolves a parsed filter against the Blink user schema and checks operator/type pairs.

use super::{AttrPath, CompValue, CompareOp, Filter, Test};
use crate::scim::datetime::parse_millis;
use crate::scim::error::ScimError;
use crate::scim::fold::fold;
use crate::scim::schema::{Attr, AttrType, AttributeDef, UserSchema};

/// A filter resolved against the schema, ready to evaluate.
#[derive(Clone, Debug)]
pub enum Compiled {
    /// All must match.
    And(Vec<Compiled>),
    /// Any must match.
    Or(Vec<Compiled>),
    /// Must not match.
    Not(Box<Compiled>),
    /// A test on an attribute, or on sub-attribute `sub` of records matching `records`.
    Test {
        /// The attribute.
        attr: Attr,
        /// The sub-attribute tested, for complex attributes.
        sub: Option<&'static AttributeDef>,
        /// Limits the test to records matching this filter (`emails[type eq "work"].value`).
        records: Option<RecordFilter>,
        /// The test.
        test: CompiledTest,
    },
    /// Some record of `attr` matches `filter`.
    ValuePath {
        /// The complex attribute.
        attr: Attr,
        /// The record filter.
        filter: RecordFilter,
    },
}

/// A filter over the sub-attributes of one record of a complex attribute.
#[derive(Clone, Debug)]
pub enum RecordFilter {
    /// All must match.
    And(Vec<RecordFilter>),
    /// Any must match.
    Or(Vec<RecordFilter>),
    /// Must not match.
    Not(Box<RecordFilter>),
    /// A test on one sub-attribute.
    Test {
        /// The sub-attribute.
        sub: &'static AttributeDef,
        /// The test.
        test: CompiledTest,
    },
}

/// A leaf test with its operand prepared for the attribute's type.
#[derive(Clone, Debug)]
pub struct CompiledTest {
    /// `None` for `pr`.
    pub op: Option<CompareOp>,
    /// The operand.
    pub value: Operand,
    /// Whether string comparison is case-sensitive (the attribute's `caseExact`).
    pub case_exact: bool,
}

/// A comparison operand, prepared once per filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// No operand (`pr`) or `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A string, already lower-cased when the attribute is not `caseExact`.
    Str(String),
    /// A date-time as Unix milliseconds, with its text for string operators.
    DateTime(i64, String),
}

/// Resolves a filter for the User resource type with Blink's attributes.
pub fn compile(filter: &Filter) -> Result<Compiled, ScimError> {
    compile_in(filter, UserSchema::Blink)
}

/// Resolves a filter for the User resource type with the attributes `schema` serves.
pub fn compile_in(filter: &Filter, schema: UserSchema) -> Result<Compiled, ScimError> {
    let all = |parts: &[Filter]| {
        parts
            .iter()
            .map(|p| compile_in(p, schema))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match filter {
        Filter::And(parts) => Compiled::And(all(parts)?),
        Filter::Or(parts) => Compiled::Or(all(parts)?),
        Filter::Not(inner) => Compiled::Not(Box::new(compile_in(inner, schema)?)),
        Filter::Test {
            path,
            records,
            test,
        } => {
            let attr = resolve(path, schema)?;
            let mut sub = match &path.sub {
                Some(name) => Some(sub_of(attr, name)?),
                None => None,
            };
            let records = match records {
                Some(r) => {
                    require_complex(attr)?;
                    Some(compile_record_filter(attr.def(), r)?)
                }
                None => None,
            };
            // Comparing a complex attribute compares its `value` (RFC 7644 §3.4.2.2: `emails co "x"`).
            if sub.is_none() && attr.def().is_complex() && matches!(test, Test::Compare(..)) {
                sub = Some(attr.def().sub("value").ok_or_else(|| {
                    ScimError::invalid_filter(format!(
                        "Cannot compare complex attribute '{}'; name a sub-attribute",
                        attr.name()
                    ))
                })?);
            }
            let target = sub.unwrap_or(attr.def());
            Compiled::Test {
                attr,
                sub,
                records,
                test: compile_test(target, test)?,
            }
        }
        Filter::ValuePath { path, filter } => {
            let attr = resolve(path, schema)?;
            require_complex(attr)?;
            Compiled::ValuePath {
                attr,
                filter: compile_record_filter(attr.def(), filter)?,
            }
        }
    })
}

/// Resolves a value filter whose attribute names are sub-attributes of `parent`.
pub(crate) fn compile_record_filter(
    parent: &'static AttributeDef,
    filter: &Filter,
) -> Result<RecordFilter, ScimError> {
    let nested = || {
        ScimError::invalid_filter(format!(
            "Value filters on '{}' cannot be nested",
            parent.name
        ))
    };
    Ok(match filter {
        Filter::And(parts) => RecordFilter::And(
            parts
                .iter()
                .map(|p| compile_record_filter(parent, p))
                .collect::<Result<_, _>>()?,
        ),
        Filter::Or(parts) => RecordFilter::Or(
            parts
                .iter()
                .map(|p| compile_record_filter(parent, p))
                .collect::<Result<_, _>>()?,
        ),
        Filter::Not(inner) => RecordFilter::Not(Box::new(compile_record_filter(parent, inner)?)),
        Filter::Test {
            path,
            records: None,
            test,
        } => {
            if path.sub.is_some() {
                return Err(nested());
            }
            let sub = parent.sub(&path.name).ok_or_else(|| {
                ScimError::invalid_filter(format!(
                    "'{}' has no sub-attribute '{}'",
                    parent.name, path.name
                ))
            })?;
            RecordFilter::Test {
                sub,
                test: compile_test(sub, test)?,
            }
        }
        Filter::Test { .. } | Filter::ValuePath { .. } => return Err(nested()),
    })
}

fn resolve(path: &AttrPath, schema: UserSchema) -> Result<Attr, ScimError> {
    Attr::resolve_in(schema, path.uri.as_deref(), &path.name).ok_or_else(|| {
        let name = match &path.uri {
            Some(uri) => format!("{uri}:{}", path.name),
            None => path.name.clone(),
        };
        ScimError::invalid_filter(format!("Unknown attribute '{name}'"))
    })
}

fn sub_of(attr: Attr, name: &str) -> Result<&'static AttributeDef, ScimError> {
    attr.def().sub(name).ok_or_else(|| {
        ScimError::invalid_filter(format!("'{}' has no sub-attribute '{name}'", attr.name()))
    })
}

fn require_complex(attr: Attr) -> Result<(), ScimError> {
    if attr.def().is_complex() {
        Ok(())
    } else {
        Err(ScimError::invalid_filter(format!(
            "'{}' is not a complex attribute",
            attr.name()
        )))
    }
}

fn compile_test(def: &'static AttributeDef, test: &Test) -> Result<CompiledTest, ScimError> {
    let case_exact = def.case_exact;
    let (op, value) = match test {
        Test::Present => {
            return Ok(CompiledTest {
                op: None,
                value: Operand::Null,
                case_exact,
            });
        }
        Test::Compare(op, value) => (*op, value),
    };
    let mismatch = |expected: &str| {
        ScimError::invalid_filter(format!(
            "'{}' is {expected}; cannot apply '{} {value}'",
            def.name,
            op.as_str()
        ))
    };
    if *value == CompValue::Null {
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Err(ScimError::invalid_filter(format!(
                "Operator '{}' cannot compare with null",
                op.as_str()
            )));
        }
        return Ok(CompiledTest {
            op: Some(op),
            value: Operand::Null,
            case_exact,
        });
    }
    let operand = match def.ty {
        AttrType::Complex => return Err(mismatch("complex")),
        // RFC 7644 §3.4.2.2: binary attributes take no comparison filter (only `pr`).
        AttrType::Binary => return Err(mismatch("binary")),
        AttrType::Boolean => {
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return Err(mismatch("a boolean"));
            }
            match value {
                CompValue::Bool(b) => Operand::Bool(*b),
                CompValue::Str(s) if s.eq_ignore_ascii_case("true") => Operand::Bool(true),
                CompValue::Str(s) if s.eq_ignore_ascii_case("false") => Operand::Bool(false),
                _ => return Err(mismatch("a boolean")),
            }
        }
        AttrType::DateTime => match value {
            CompValue::Str(s) => {
                let ms = parse_millis(s).ok_or_else(|| mismatch("a dateTime"))?;
                Operand::DateTime(ms, fold(s).into_owned())
            }
            _ => return Err(mismatch("a dateTime")),
        },
        AttrType::String | AttrType::Reference => {
            // Numbers and booleans compare with their literal text (`employeeNumber eq 42`).
            let text = match value {
                CompValue::Str(s) => s.clone(),
                CompValue::Number(n) => n.clone(),
                CompValue::Bool(b) => b.to_string(),
                CompValue::Null => String::new(),
            };
            Operand::Str(if case_exact {
                text
            } else {
                fold(&text).into_owned()
            })
        }
    };
    Ok(CompiledTest {
        op: Some(op),
        value: operand,
        case_exact,
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn compile_str(s: &str) -> Result<Compiled, ScimError> {
        compile(&parse(s).unwrap())
    }

    #[test]
    fn rejects_unknown_attributes_and_bad_operator_types() {
        for bad in [
            r#"nickName eq "x""#,
            r#"name eq "x""#,
            r#"active gt true"#,
            r#"active eq "maybe""#,
            r#"meta.created gt "not a date""#,
            r#"emails[nope eq "x"]"#,
            r#"userName[type eq "x"]"#,
            r#"title lt null"#,
            r#"emails[type eq "work"].bogus eq "x""#,
            r#"urn:ietf:params:scim:schemas:core:2.0:User:department eq "x""#,
        ] {
            let err = compile_str(bad).unwrap_err();
            assert_eq!(
                err.scim_type,
                Some(crate::scim::error::ScimType::InvalidFilter),
                "{bad}"
            );
        }
    }

    #[test]
    fn prepares_operands_by_case_exactness() {
        let Compiled::Test { test, .. } = compile_str(r#"userName eq "ADA""#).unwrap() else {
            panic!()
        };
        assert_eq!(test.value, Operand::Str("ada".into()));
        let Compiled::Test { test, .. } = compile_str(r#"externalId eq "ADA""#).unwrap() else {
            panic!()
        };
        assert_eq!(test.value, Operand::Str("ADA".into()));
        let Compiled::Test { sub, .. } = compile_str(r#"emails co "x""#).unwrap() else {
            panic!()
        };
        assert_eq!(sub.map(|s| s.name), Some("value"));
    }
}
