//! SCIM filters (RFC 7644 §3.4.2.2): syntax tree, parser, and evaluation.
//!
//! Parsing is schema-free ([`parse`]); [`compile`] resolves attribute names against the
//! Blink user schema once, so evaluation over thousands of users does no name lookups.

pub(crate) mod compile;
pub(crate) mod eval;
mod lexer;
pub(crate) mod parser;

pub(crate) use compile::{
    Compiled, Operand, RecordFilter, compile, compile_in, compile_record_filter,
};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use eval::matches_json_compiled;
pub(crate) use eval::{FilterTarget, Record, Scalar};
pub(crate) use parser::{parse, parse_path};

use std::fmt;

/// Deepest nesting of parentheses, `not` and value filters a filter may have.
pub(crate) const MAX_DEPTH: usize = 32;

/// An attribute path: `[urn:...:]name[.sub]` (RFC 7644 §3.4.2.2 `attrPath`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrPath {
    /// Schema URN prefix, when the name was qualified.
    pub uri: Option<String>,
    /// Attribute name as written.
    pub name: String,
    /// Sub-attribute name as written.
    pub sub: Option<String>,
}

impl AttrPath {
    /// An unqualified path without sub-attribute.
    pub fn simple(name: &str) -> Self {
        AttrPath {
            uri: None,
            name: name.to_string(),
            sub: None,
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(uri) = &self.uri {
            write!(f, "{uri}:")?;
        }
        write!(f, "{}", self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Comparison operators (RFC 7644 §3.4.2.2, Table 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains.
    Co,
    /// Starts with.
    Sw,
    /// Ends with.
    Ew,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl CompareOp {
    /// Parses an operator keyword, case-insensitively.
    pub fn parse(word: &str) -> Option<CompareOp> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }

    /// The operator keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// Whether the operator orders values (`gt`, `ge`, `lt`, `le`).
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        )
    }
}

/// A comparison value (`compValue`: JSON false / null / true / number / string).
#[derive(Clone, Debug, PartialEq)]
pub enum CompValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(String),
    /// A string; also a bare word, which Microsoft's samples send (`externalId eq jyoung`).
    Str(String),
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => write!(f, "null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::Str(s) => write!(f, "{}", serde_json::Value::from(s.as_str())),
        }
    }
}

/// What a leaf tests on the values it selects.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// `pr`: has a non-empty value.
    Present,
    /// `op value`.
    Compare(CompareOp, CompValue),
}

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// `a and b and ...` (n-ary, so long chains never make deep trees).
    And(Vec<Filter>),
    /// `a or b or ...`.
    Or(Vec<Filter>),
    /// `not (a)`.
    Not(Box<Filter>),
    /// An attribute expression. `records` holds the value filter of the form
    /// `emails[type eq "work"].value eq "x"`, which Microsoft documents for matching on
    /// work email (blink-scim-api.md §3.5); `path.sub` then names the tested sub-attribute.
    Test {
        /// The attribute (and sub-attribute) tested.
        path: AttrPath,
        /// Records of a complex attribute the test is limited to.
        records: Option<Box<Filter>>,
        /// The test.
        test: Test,
    },
    /// A value path: `emails[type eq "work" and value co "@x"]`.
    ValuePath {
        /// The complex attribute.
        path: AttrPath,
        /// The filter its records must match, over sub-attributes.
        filter: Box<Filter>,
    },
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::And(parts) => write_joined(f, parts, " and "),
            Filter::Or(parts) => write_joined(f, parts, " or "),
            Filter::Not(a) => write!(f, "not ({a})"),
            Filter::Test {
                path,
                records,
                test,
            } => {
                match records {
                    Some(r) => {
                        let parent = AttrPath {
                            sub: None,
                            ..path.clone()
                        };
                        write!(f, "{parent}[{r}]")?;
                        if let Some(sub) = &path.sub {
                            write!(f, ".{sub}")?;
                        }
                    }
                    None => write!(f, "{path}")?,
                }
                match test {
                    Test::Present => write!(f, " pr"),
                    Test::Compare(op, v) => write!(f, " {} {v}", op.as_str()),
                }
            }
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, parts: &[Filter], sep: &str) -> fmt::Result {
    write!(f, "(")?;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            write!(f, "{sep}")?;
        }
        write!(f, "{part}")?;
    }
    write!(f, ")")
}

/// A PATCH path (RFC 7644 §3.5.2, Figure 7): `attrPath / valuePath [subAttr]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchPath {
    /// The attribute, with `sub` set for `name.givenName` or `emails[...].value`.
    pub path: AttrPath,
    /// The value filter selecting records of a multi-valued attribute.
    pub filter: Option<Filter>,
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.filter {
            None => write!(f, "{}", self.path),
            Some(filter) => {
                let parent = AttrPath {
                    sub: None,
                    ..self.path.clone()
                };
                write!(f, "{parent}[{filter}]")?;
                if let Some(sub) = &self.path.sub {
                    write!(f, ".{sub}")?;
                }
                Ok(())
            }
        }
    }
}
