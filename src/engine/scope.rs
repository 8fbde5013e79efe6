//! Who is in scope: assignment (directly or through a directly assigned group), effective
//! entitlement (Default Access), and attribute-based scoping filters
//! (aad-provisioning-service.md §2).

#[cfg(test)]
use super::directory::Directory;
use super::directory::{EffectiveAssignment, UserRecord};
use super::memo::{Memo, memoised};
use super::names::names;
use serde::{Deserialize, Serialize};

/// Which users the job considers (PORTAL "Scope").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncScope {
    /// "Sync only assigned users and groups".
    #[default]
    AssignedOnly,
    /// "Sync all users and groups".
    All,
}

/// Scoping filter operators, as the portal lists them (SCOPE a-n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterOperator {
    /// `&`: the attribute's value occurs in the input string.
    #[serde(rename = "&")]
    In,
    /// `!&`: the attribute's value does not occur in the input string.
    #[serde(rename = "!&")]
    NotIn,
    /// `ENDS_WITH` (case-sensitive).
    #[serde(rename = "ENDS_WITH")]
    EndsWith,
    /// `EQUALS` (case-sensitive).
    #[serde(rename = "EQUALS")]
    Equals,
    /// `Greater_Than`: integers only.
    #[serde(rename = "Greater_Than")]
    GreaterThan,
    /// `Greater_Than_OR_EQUALS`: integers only.
    #[serde(rename = "Greater_Than_OR_EQUALS")]
    GreaterThanOrEquals,
    /// `Includes`: contains (case-sensitive).
    #[serde(rename = "Includes")]
    Includes,
    /// `IS FALSE`.
    #[serde(rename = "IS FALSE")]
    IsFalse,
    /// `IS NOT NULL`.
    #[serde(rename = "IS NOT NULL")]
    IsNotNull,
    /// `IS NULL`.
    #[serde(rename = "IS NULL")]
    IsNull,
    /// `IS TRUE`.
    #[serde(rename = "IS TRUE")]
    IsTrue,
    /// `NOT EQUALS` (case-sensitive).
    #[serde(rename = "NOT EQUALS")]
    NotEquals,
    /// `NOT REGEX MATCH`: false when the value is null.
    #[serde(rename = "NOT REGEX MATCH")]
    NotRegexMatch,
    /// `REGEX MATCH` (case-sensitive).
    #[serde(rename = "REGEX MATCH")]
    RegexMatch,
}

/// One clause: `attribute operator value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Source attribute name.
    pub attribute: String,
    /// Operator.
    pub operator: FilterOperator,
    /// Input value (not used by the unary operators).
    #[serde(default)]
    pub value: String,
}

/// A scoping filter: its clauses must all hold (AND); filters combine with OR.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopingFilter {
    /// Title shown in on-demand provisioning.
    #[serde(default)]
    pub title: String,
    /// Clauses.
    pub clauses: Vec<Clause>,
}

/// Attributes the service cannot filter on: "appRoleAssignments, userType, manager, and
/// date-type attributes" (known-issues.md, rulings.md R7), and group membership.
const UNSUPPORTED: &[&str] = &[
    "appRoleAssignments",
    "userType",
    "manager",
    "IsMemberOf",
    "members",
    "employeeHireDate",
    "employeeLeaveDateTime",
    "createdDateTime",
    "lastPasswordChangeDateTime",
    "onPremisesLastSyncDateTime",
    "refreshTokensValidFromDateTime",
    "signInSessionsValidFromDateTime",
];

/// Why a scoping filter does not validate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A filter without clauses.
    #[error("scoping filter '{title}' has no clauses")]
    NoClauses {
        /// The filter's title.
        title: String,
    },
    /// A clause without an attribute.
    #[error("clauses[{clause}].attribute is empty")]
    EmptyAttribute {
        /// The clause's index.
        clause: usize,
    },
    /// An attribute the service cannot filter on (KNOWN).
    #[error("clauses[{clause}].attribute: '{attribute}' is not supported in scoping filters")]
    UnsupportedAttribute {
        /// The clause's index.
        clause: usize,
        /// The attribute.
        attribute: String,
    },
    /// A regex operator whose value does not compile.
    #[error("clauses[{clause}].value is not a valid regex: {message}")]
    BadRegex {
        /// The clause's index.
        clause: usize,
        /// The regex compiler's message.
        message: String,
    },
    /// A comparison whose value is not an integer.
    #[error("clauses[{clause}].value must be an integer")]
    NotAnInteger {
        /// The clause's index.
        clause: usize,
    },
}

impl ScopingFilter {
    /// Checks operators' values (regexes compile, integers parse) and attributes.
    pub fn validate(&self) -> Result<(), FilterError> {
        self.validate_with(true)
    }

    /// [`validate`](Self::validate), refusing the unsupported attributes only when
    /// `refuse_unsupported` (the known issue switched on).
    pub fn validate_with(&self, refuse_unsupported: bool) -> Result<(), FilterError> {
        if self.clauses.is_empty() {
            return Err(FilterError::NoClauses {
                title: self.title.clone(),
            });
        }
        for (clause, c) in self.clauses.iter().enumerate() {
            if c.attribute.trim().is_empty() {
                return Err(FilterError::EmptyAttribute { clause });
            }
            if refuse_unsupported
                && UNSUPPORTED
                    .iter()
                    .any(|u| u.eq_ignore_ascii_case(&c.attribute))
            {
                return Err(FilterError::UnsupportedAttribute {
                    clause,
                    attribute: c.attribute.clone(),
                });
            }
            match c.operator {
                FilterOperator::RegexMatch | FilterOperator::NotRegexMatch => {
                    regex::RegexBuilder::new(&c.value)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| FilterError::BadRegex {
                            clause,
                            message: e.to_string(),
                        })?;
                }
                FilterOperator::GreaterThan | FilterOperator::GreaterThanOrEquals => {
                    c.value
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| FilterError::NotAnInteger { clause })?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether `value` (the attribute's value, if any) passes every clause.
    pub fn passes<'v>(&self, get: impl Fn(&str) -> Option<&'v str>) -> bool {
        self.clauses.iter().all(|c| c.holds(get(&c.attribute)))
    }
}

impl Clause {
    /// Evaluates the clause; a null or empty value makes every clause false except `IS NULL`
    /// (SCOPE: "Scoping filters will return false if the value is null / empty").
    pub fn holds(&self, value: Option<&str>) -> bool {
        let value = value.filter(|v| !v.is_empty());
        let Some(v) = value else {
            return self.operator == FilterOperator::IsNull;
        };
        let int = |s: &str| s.trim().parse::<i64>().ok();
        match self.operator {
            FilterOperator::In => self.value.contains(v),
            FilterOperator::NotIn => !self.value.contains(v),
            FilterOperator::EndsWith => v.ends_with(&self.value),
            FilterOperator::Equals => v == self.value,
            FilterOperator::NotEquals => v != self.value,
            FilterOperator::Includes => v.contains(&self.value),
            FilterOperator::GreaterThan => {
                matches!((int(v), int(&self.value)), (Some(a), Some(b)) if a > b)
            }
            FilterOperator::GreaterThanOrEquals => {
                matches!((int(v), int(&self.value)), (Some(a), Some(b)) if a >= b)
            }
            FilterOperator::IsTrue => v.eq_ignore_ascii_case("true"),
            FilterOperator::IsFalse => v.eq_ignore_ascii_case("false"),
            FilterOperator::IsNotNull => true,
            FilterOperator::IsNull => false,
            FilterOperator::RegexMatch | FilterOperator::NotRegexMatch => {
                let matched = scoping_regex(&self.value).is_some_and(|re| re.is_match(v));
                matched == (self.operator == FilterOperator::RegexMatch)
            }
        }
    }
}

thread_local! {
    /// Compiled scoping regexes: a clause is checked for every user of every cycle, and a
    /// job has a handful of patterns.
    static REGEXES: Memo<Option<regex::Regex>> =
        std::cell::RefCell::new(foldhash::HashMap::default());
}

/// `pattern` compiled (memoised per thread); `None` when it does not compile.
fn scoping_regex(pattern: &str) -> Option<regex::Regex> {
    memoised(&REGEXES, pattern, 256, |p| {
        regex::RegexBuilder::new(p).size_limit(1 << 20).build().ok()
    })
}

names! {
    /// Why a user was skipped: the `SkipReason` detail of a skip step.
    pub enum SkipReason ("skip reason") {
        /// Not assigned, or assigned only with Default Access (NOUSERS).
        NotEffectivelyEntitled,
        /// A scoping filter excludes the user.
        OutOfScope,
        /// Disabled or soft-deleted and never provisioned ("must be active ... before they're provisioned").
        NotActive,
        /// Left scope, but SkipOutOfScopeDeletions is set.
        SkipOutOfScopeDeletions,
        /// Not (or no longer) managed by the provisioning service.
        NotManaged,
        /// No matching attribute has a value.
        ImportSkipped,
        /// No match and the Create action is off.
        CreateNotAllowed,
        /// Source and target already agree.
        RedundantExport,
        /// A difference, but the Update action is off.
        UpdateNotAllowed,
        /// Left scope, but no mapping feeds `active`.
        NoActiveMapping,
    }
}

/// The scoping step's result for one user (the details on-demand provisioning shows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeResult {
    /// `accountEnabled` and not deleted.
    pub is_active: bool,
    /// Assigned (directly or via a directly assigned group), or scope is "all".
    pub assigned: bool,
    /// Assigned with a role other than Default Access (when Default Access is excluded).
    pub effectively_entitled: bool,
    /// Passes the scoping filters (or there are none).
    pub passes_filters: bool,
    /// The roles the user holds.
    pub roles: Vec<super::expr::AppRoleAssignment>,
}

impl ScopeResult {
    /// In scope: assigned, entitled and passing the filters (activity is handled separately:
    /// an inactive user in scope is disabled, not unmanaged).
    pub fn in_scope(&self) -> bool {
        self.assigned && self.effectively_entitled && self.passes_filters
    }

    /// `IsSoftDeleted` (CUSTOM): out of scope, unassigned, disabled or soft-deleted.
    pub fn is_soft_deleted(&self) -> bool {
        !self.in_scope() || !self.is_active
    }

    /// Why the user would be skipped if not provisioned.
    pub fn skip_reason(&self) -> Option<SkipReason> {
        if !self.assigned || !self.effectively_entitled {
            Some(SkipReason::NotEffectivelyEntitled)
        } else if !self.passes_filters {
            Some(SkipReason::OutOfScope)
        } else if !self.is_active {
            Some(SkipReason::NotActive)
        } else {
            None
        }
    }

    /// The observed log detail: `Skip reason = NotEffectivelyEntitled, Active = True, Assigned = False, Passed scope filter: True;`.
    pub fn detail(&self) -> String {
        let tf = |b: bool| if b { "True" } else { "False" };
        format!(
            "Skip reason = {}, Active = {}, Assigned = {}, Passed scope filter: {};",
            self.skip_reason().map_or("None", SkipReason::as_str),
            tf(self.is_active),
            tf(self.assigned && self.effectively_entitled),
            tf(self.passes_filters)
        )
    }
}

/// Evaluates scope for one user (its assignments read from `dir`).
#[cfg(test)]
pub(crate) fn evaluate(
    dir: &Directory,
    record: &UserRecord,
    scope: SyncScope,
    filters: &[ScopingFilter],
    skip_default_access: bool,
) -> ScopeResult {
    let assignments = dir.assignments_of(&record.user.object_id);
    evaluate_with(&assignments, record, scope, filters, skip_default_access)
}

/// Evaluates scope for one user given its effective assignments.
pub fn evaluate_with(
    assignments: &[EffectiveAssignment],
    record: &UserRecord,
    scope: SyncScope,
    filters: &[ScopingFilter],
    skip_default_access: bool,
) -> ScopeResult {
    let user = &record.user;
    let assignments: &[EffectiveAssignment] = if record.is_hard_deleted() {
        &[]
    } else {
        assignments
    };
    let assigned = match scope {
        SyncScope::All => !record.is_hard_deleted(),
        SyncScope::AssignedOnly => !assignments.is_empty(),
    };
    let effectively_entitled = match scope {
        SyncScope::All => true,
        // Blink's tutorial: "Users with the Default Access role are excluded from provisioning."
        SyncScope::AssignedOnly if skip_default_access => {
            assignments.iter().any(|a| !a.role.default_access)
        }
        SyncScope::AssignedOnly => true,
    };
    let passes_filters = filters.is_empty()
        || filters
            .iter()
            .any(|f| f.passes(|name| user.attribute_str(name)));
    let mut roles: Vec<super::expr::AppRoleAssignment> = assignments
        .iter()
        .map(|a| super::expr::AppRoleAssignment {
            id: a.role.id.clone(),
            value: a.role.value.clone(),
            display_name: a.role.display_name.clone(),
        })
        .collect();
    roles.dedup();
    ScopeResult {
        is_active: user.account_enabled && record.lifecycle == super::directory::Lifecycle::Present,
        assigned,
        effectively_entitled,
        passes_filters,
        roles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::directory::DirectoryUser;

    fn clause(op: FilterOperator, value: &str) -> Clause {
        Clause {
            attribute: "department".into(),
            operator: op,
            value: value.into(),
        }
    }

    #[test]
    fn every_operator() {
        use FilterOperator::*;
        let cases = [
            (In, "Sales,Marketing", Some("Sales"), true),
            (NotIn, "Sales,Marketing", Some("Sales"), false),
            (EndsWith, "ing", Some("Engineering"), true),
            (Equals, "sales", Some("Sales"), false),
            (Equals, "Sales", Some("Sales"), true),
            (NotEquals, "Sales", Some("Ops"), true),
            (Includes, "gin", Some("Engineering"), true),
            (GreaterThan, "10", Some("11"), true),
            (GreaterThan, "10", Some("abc"), false),
            (GreaterThanOrEquals, "10", Some("10"), true),
            (IsTrue, "", Some("True"), true),
            (IsFalse, "", Some("True"), false),
            (IsNotNull, "", Some("x"), true),
            (IsNull, "", None, true),
            (IsNull, "", Some(""), true),
            (RegexMatch, r".*\@domain.com", Some("a@domain.com"), true),
            (NotRegexMatch, r".*\@domain.com", Some("a@other.com"), true),
            (NotRegexMatch, r".*\@domain.com", None, false),
            (Equals, "Sales", None, false),
            (NotEquals, "Sales", None, false),
        ];
        for (op, value, input, expected) in cases {
            assert_eq!(
                clause(op, value).holds(input),
                expected,
                "{op:?} {value:?} on {input:?}"
            );
        }
    }

    #[test]
    fn and_within_or_across() {
        let f1 = ScopingFilter {
            title: "a".into(),
            clauses: vec![
                clause(FilterOperator::Equals, "Sales"),
                Clause {
                    attribute: "jobTitle".into(),
                    operator: FilterOperator::IsNotNull,
                    value: String::new(),
                },
            ],
        };
        let f2 = ScopingFilter {
            title: "b".into(),
            clauses: vec![clause(FilterOperator::Equals, "Ops")],
        };
        let mut dir = Directory::new();
        let mut u = DirectoryUser::new("u1", "a@x");
        u.department = Some("Sales".into());
        dir.add_user(u).unwrap();
        dir.assign("u1", false, "User").unwrap();
        let rec = dir.user("u1").unwrap();
        let r = evaluate(
            &dir,
            rec,
            SyncScope::AssignedOnly,
            &[f1.clone(), f2.clone()],
            true,
        );
        assert!(!r.passes_filters, "jobTitle is null so f1 fails; f2 fails");
        dir.set_attribute("u1", "jobTitle", Some("Rep".into()))
            .unwrap();
        let rec = dir.user("u1").unwrap();
        assert!(evaluate(&dir, rec, SyncScope::AssignedOnly, &[f1, f2], true).in_scope());
        assert!(
            ScopingFilter {
                title: "x".into(),
                clauses: vec![Clause {
                    attribute: "manager".into(),
                    operator: FilterOperator::IsNull,
                    value: String::new()
                }]
            }
            .validate()
            .is_err()
        );
        assert!(
            ScopingFilter {
                title: "x".into(),
                clauses: vec![clause(FilterOperator::RegexMatch, "(")]
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn default_access_is_not_effectively_entitled() {
        let mut dir = Directory::new();
        dir.add_user(DirectoryUser::new("u1", "a@x")).unwrap();
        dir.assign("u1", false, "Default Access").unwrap();
        let r = evaluate(
            &dir,
            dir.user("u1").unwrap(),
            SyncScope::AssignedOnly,
            &[],
            true,
        );
        assert_eq!(r.skip_reason(), Some(SkipReason::NotEffectivelyEntitled));
        assert_eq!(
            r.detail(),
            "Skip reason = NotEffectivelyEntitled, Active = True, Assigned = False, Passed scope filter: True;"
        );
        assert!(
            evaluate(
                &dir,
                dir.user("u1").unwrap(),
                SyncScope::AssignedOnly,
                &[],
                false
            )
            .in_scope(),
            "configurations after 04/16/2020"
        );
        assert!(evaluate(&dir, dir.user("u1").unwrap(), SyncScope::All, &[], true).in_scope());
    }
}
