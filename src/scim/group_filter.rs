//! Filters over groups (RFC 7644 §3.4.2.2): `id`, `externalId`, `displayName` and
//! `members` (`members.value`, `members[value eq "..."]`). The parse tree is shared with
//! users; attributes are resolved here, against the Group schema (RFC 7643 §4.2).

use super::error::ScimError;
use super::filter::{AttrPath, CompValue, CompareOp, Filter, Test};
use super::fold::fold;
use super::group::{Group, Member};

/// A Group attribute a filter may test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GroupAttr {
    Id,
    ExternalId,
    DisplayName,
    Members(MemberSub),
}

/// A sub-attribute of `members`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MemberSub {
    Value,
    Display,
    Type,
}

/// An index lookup that yields every group a filter can match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum GroupLookup<'a> {
    /// `id eq`.
    Id(&'a str),
    /// `displayName eq` (case-insensitive, RFC 7643 §4.2 caseExact false).
    DisplayName(&'a str),
    /// `externalId eq`.
    ExternalId(&'a str),
    /// `members.value eq` / `members[value eq]`.
    Member(&'a str),
}

fn resolve(path: &AttrPath, sub_allowed: bool) -> Result<GroupAttr, ScimError> {
    let name = path.name.as_str();
    let bad = || ScimError::invalid_filter(format!("'{path}' is not a filterable Group attribute"));
    let simple = |a: GroupAttr| {
        if path.sub.is_some() {
            Err(bad())
        } else {
            Ok(a)
        }
    };
    if name.eq_ignore_ascii_case("id") {
        simple(GroupAttr::Id)
    } else if name.eq_ignore_ascii_case("externalId") {
        simple(GroupAttr::ExternalId)
    } else if name.eq_ignore_ascii_case("displayName") {
        simple(GroupAttr::DisplayName)
    } else if name.eq_ignore_ascii_case("members") && (sub_allowed || path.sub.is_some()) {
        Ok(GroupAttr::Members(
            member_sub(path.sub.as_deref().unwrap_or("value")).ok_or_else(bad)?,
        ))
    } else {
        Err(bad())
    }
}

fn member_sub(name: &str) -> Option<MemberSub> {
    [
        ("value", MemberSub::Value),
        ("display", MemberSub::Display),
        ("type", MemberSub::Type),
    ]
    .into_iter()
    .find(|(n, _)| n.eq_ignore_ascii_case(name))
    .map(|(_, s)| s)
}

/// Checks every attribute the filter names, so a typo answers 400 `invalidFilter`.
pub(crate) fn validate(filter: &Filter) -> Result<(), ScimError> {
    match filter {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().try_for_each(validate),
        Filter::Not(inner) => validate(inner),
        Filter::Test { path, records, .. } => {
            let attr = resolve(path, true)?;
            match (records, attr) {
                (None, _) => Ok(()),
                (Some(r), GroupAttr::Members(_)) => validate_member(r),
                (Some(_), _) => Err(ScimError::invalid_filter(format!(
                    "'{}' has no sub-attributes to filter on",
                    path.name
                ))),
            }
        }
        Filter::ValuePath { path, filter } => match resolve(path, true)? {
            GroupAttr::Members(_) => validate_member(filter),
            _ => Err(ScimError::invalid_filter(format!(
                "'{}' has no sub-attributes to filter on",
                path.name
            ))),
        },
    }
}

fn validate_member(filter: &Filter) -> Result<(), ScimError> {
    match filter {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().try_for_each(validate_member),
        Filter::Not(inner) => validate_member(inner),
        Filter::Test {
            path,
            records: None,
            ..
        } if path.sub.is_none() && member_sub(&path.name).is_some() => Ok(()),
        other => Err(ScimError::invalid_filter(format!(
            "'{other}' is not a filter on a member's value, display or type"
        ))),
    }
}

/// Whether `group` matches a validated filter.
pub(crate) fn matches(filter: &Filter, group: &Group) -> bool {
    match filter {
        Filter::And(parts) => parts.iter().all(|p| matches(p, group)),
        Filter::Or(parts) => parts.iter().any(|p| matches(p, group)),
        Filter::Not(inner) => !matches(inner, group),
        Filter::Test {
            path,
            records,
            test,
        } => match resolve(path, true) {
            Ok(GroupAttr::Members(sub)) => group.attrs.members.iter().any(|m| {
                records.as_deref().is_none_or(|r| member_matches(r, m))
                    && holds(
                        test,
                        member_value(m, sub).as_deref(),
                        sub != MemberSub::Display,
                    )
            }),
            Ok(GroupAttr::Id) => holds(test, Some(&group.id.to_string()), false),
            Ok(GroupAttr::ExternalId) => holds(test, group.attrs.external_id.as_deref(), true),
            Ok(GroupAttr::DisplayName) => holds(test, Some(&group.attrs.display_name), false),
            Err(_) => false,
        },
        Filter::ValuePath { filter, .. } => group
            .attrs
            .members
            .iter()
            .any(|m| member_matches(filter, m)),
    }
}

/// Whether a member record matches a filter over `value`, `display`, `type`.
pub(crate) fn member_matches(filter: &Filter, member: &Member) -> bool {
    match filter {
        Filter::And(parts) => parts.iter().all(|p| member_matches(p, member)),
        Filter::Or(parts) => parts.iter().any(|p| member_matches(p, member)),
        Filter::Not(inner) => !member_matches(inner, member),
        Filter::Test { path, test, .. } => match member_sub(&path.name) {
            Some(sub) => holds(test, member_value(member, sub).as_deref(), false),
            None => false,
        },
        Filter::ValuePath { .. } => false,
    }
}

fn member_value(m: &Member, sub: MemberSub) -> Option<String> {
    match sub {
        MemberSub::Value => Some(m.value.to_string()),
        MemberSub::Display => m.display.clone(),
        MemberSub::Type => Some("User".to_string()),
    }
}

/// A string test; ids compare case-insensitively since a UUID's case carries nothing.
fn holds(test: &Test, actual: Option<&str>, case_exact: bool) -> bool {
    let (op, expected) = match test {
        Test::Present => return actual.is_some_and(|a| !a.is_empty()),
        Test::Compare(op, v) => (*op, v),
    };
    let expected = match expected {
        CompValue::Str(s) | CompValue::Number(s) => s.as_str(),
        CompValue::Bool(_) => return false,
        CompValue::Null => return (op == CompareOp::Eq) == actual.is_none(),
    };
    let Some(actual) = actual else {
        return op == CompareOp::Ne;
    };
    let (a, e) = if case_exact {
        (actual.into(), expected.into())
    } else {
        (fold(actual), fold(expected))
    };
    match op {
        CompareOp::Eq => a == e,
        CompareOp::Ne => a != e,
        CompareOp::Co => a.contains(&*e),
        CompareOp::Sw => a.starts_with(&*e),
        CompareOp::Ew => a.ends_with(&*e),
        CompareOp::Gt => a > e,
        CompareOp::Ge => a >= e,
        CompareOp::Lt => a < e,
        CompareOp::Le => a <= e,
    }
}

/// An index lookup covering every match of `filter`, when there is one.
pub(crate) fn lookup(filter: &Filter) -> Option<GroupLookup<'_>> {
    match filter {
        Filter::Test {
            path,
            records: None,
            test: Test::Compare(CompareOp::Eq, CompValue::Str(v)),
        } => match resolve(path, false).ok()? {
            GroupAttr::Id => Some(GroupLookup::Id(v)),
            GroupAttr::DisplayName => Some(GroupLookup::DisplayName(v)),
            GroupAttr::ExternalId => Some(GroupLookup::ExternalId(v)),
            GroupAttr::Members(MemberSub::Value) => Some(GroupLookup::Member(v)),
            GroupAttr::Members(_) => None,
        },
        Filter::ValuePath { path, filter } if path.name.eq_ignore_ascii_case("members") => {
            match &**filter {
                Filter::Test {
                    path,
                    test: Test::Compare(CompareOp::Eq, CompValue::Str(v)),
                    ..
                } if path.name.eq_ignore_ascii_case("value") => Some(GroupLookup::Member(v)),
                _ => None,
            }
        }
        Filter::And(parts) => parts.iter().find_map(lookup),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse;
    use crate::scim::group::GroupAttrs;
    use crate::scim::user::Meta;
    use uuid::Uuid;

    fn group() -> Group {
        Group {
            id: Uuid::from_u128(7),
            meta: Meta {
                created: 0,
                last_modified: 0,
                version: 1,
            },
            attrs: GroupAttrs {
                display_name: "Sales EMEA".into(),
                external_id: Some("Ext-1".into()),
                members: vec![Member {
                    value: Uuid::from_u128(1),
                    display: None,
                }],
            },
        }
    }

    fn check(f: &str) -> bool {
        let f = parse(f).unwrap();
        validate(&f).unwrap();
        matches(&f, &group())
    }

    #[test]
    fn evaluates_group_filters() {
        let member = Uuid::from_u128(1);
        assert!(check(r#"displayName eq "sales emea""#));
        assert!(!check(r#"externalId eq "ext-1""#));
        assert!(check(r#"externalId eq "Ext-1""#));
        assert!(check(&format!(r#"members[value eq "{member}"]"#)));
        assert!(check(&format!(r#"members.value eq "{member}""#)));
        assert!(!check(&format!(
            r#"members[value eq "{}"]"#,
            Uuid::from_u128(2)
        )));
        assert!(check(
            r#"displayName sw "Sales" and not (externalId pr and displayName co "x")"#
        ));
    }

    #[test]
    fn rejects_unknown_attributes_and_finds_index_lookups() {
        let err = validate(&parse(r#"userName eq "a""#).unwrap()).unwrap_err();
        assert_eq!(err.status, 400);
        let f = parse(r#"displayName eq "A" and externalId pr"#).unwrap();
        assert_eq!(lookup(&f), Some(GroupLookup::DisplayName("A")));
        let f = parse(r#"members[value eq "m"]"#).unwrap();
        assert_eq!(lookup(&f), Some(GroupLookup::Member("m")));
        assert_eq!(lookup(&parse(r#"displayName co "A""#).unwrap()), None);
    }
}
