//! Trying an expression on one user, as `blinksim expr` does: against a JSON user, or a
//! generated one assigned the "User" role.

use super::directory::generator::{DirectorySpec, generate};
use super::expr::{self, EvalEnv, ExprError, JsonSource, SourceError, Value};
use serde_json::json;

/// An expression's value for one source user.
#[derive(Debug)]
pub struct Trial {
    /// The source user the expression read (attribute name -> value).
    pub source: serde_json::Value,
    /// The value.
    pub value: Value,
}

impl Trial {
    /// What Azure AD would send: the text for a single-valued target, JSON for multi-valued
    /// values and roles, and a note for no value.
    pub fn display(&self) -> String {
        match &self.value {
            Value::Null => "(null: no value, the attribute is not sent)".into(),
            Value::Ignore => "(ignored: IgnoreFlowIfNullOrEmpty drops the attribute)".into(),
            Value::Multi(_) | Value::Roles(_) => self
                .value
                .to_scim_json()
                .map(|j| j.to_string())
                .unwrap_or_default(),
            other => other.to_target_string().unwrap_or_default(),
        }
    }

    /// The result as JSON: `{"type": ..., "value": ...}` (value null for no value).
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "type": self.value.type_name(),
            "value": self.value.to_scim_json(),
            "text": self.value.to_target_string(),
        })
    }
}

/// Why a trial failed.
#[derive(Debug, thiserror::Error)]
pub enum TrialError {
    /// The source user is not usable.
    #[error("bad source user: {0}")]
    Source(#[from] SourceError),
    /// The expression did not parse or evaluate.
    #[error("{error}")]
    Expr {
        /// The error.
        error: ExprError,
        /// For parse errors, the source line with a caret under the position.
        caret: Option<String>,
    },
}

/// A generated user (from `seed`) as expressions see it: Graph attribute names, the "User"
/// role, `IsSoftDeleted` "False".
pub(crate) fn sample_user(seed: u64) -> serde_json::Value {
    let spec = DirectorySpec {
        users: 1,
        seed,
        default_access_percent: 0,
        group_assigned_percent: 0,
        unassigned_percent: 0,
        disabled_percent: 0,
        department_groups: false,
        reports_per_manager: 0,
        ..DirectorySpec::default()
    };
    let mut user = generate(&spec)
        .ok()
        .and_then(|d| {
            d.users()
                .first()
                .map(|r| serde_json::to_value(&r.user).ok())
        })
        .flatten()
        .unwrap_or_else(|| json!({}));
    if let Some(map) = user.as_object_mut() {
        map.insert("IsSoftDeleted".into(), json!("False"));
        map.insert(
            "appRoleAssignments".into(),
            json!([{ "id": super::directory::model::USER_ROLE_ID, "value": "User", "displayName": "User" }]),
        );
    }
    user
}

/// Evaluates `expression` for `source` (a generated user when `None`) at `now` (Unix ms).
pub fn try_expression(
    expression: &str,
    source: Option<serde_json::Value>,
    seed: u64,
    now: i64,
) -> Result<Trial, TrialError> {
    let source = source.unwrap_or_else(|| sample_user(seed));
    let reader = JsonSource::new(source.clone())?;
    let now = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let env = EvalEnv {
        source: &reader,
        now,
        seed,
    };
    match expr::evaluate_str(expression, &env) {
        Ok(value) => Ok(Trial { source, value }),
        Err(error) => {
            let caret = match &error {
                ExprError::Parse(p) => Some(p.render(expression)),
                ExprError::Eval(_) => None,
            };
            Err(TrialError::Expr { error, caret })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_against_a_generated_user() {
        let t = try_expression("Join(\"@\", \"a\", \"b\")", None, 1, 0).unwrap();
        assert_eq!(t.display(), "a@b");
        let t =
            try_expression("SingleAppRoleAssignment([appRoleAssignments])", None, 1, 0).unwrap();
        assert!(t.display().contains("\"User\""), "{}", t.display());
        let t = try_expression("ToLower([userPrincipalName])", None, 1, 0).unwrap();
        assert!(t.display().contains('@'));
    }

    #[test]
    fn parse_errors_have_a_caret() {
        let e = try_expression("Join(\"@\", [a]", None, 1, 0).unwrap_err();
        let TrialError::Expr { error, caret } = e else {
            panic!("expected an expression error");
        };
        assert!(error.to_string().contains("column"), "{error}");
        assert!(caret.unwrap().contains('^'));
    }

    #[test]
    fn a_json_user_is_read() {
        let t = try_expression("[department]", Some(json!({"department": "R&D"})), 1, 0).unwrap();
        assert_eq!(t.display(), "R&D");
        let t = try_expression("[missing]", Some(json!({})), 1, 0).unwrap();
        assert!(matches!(t.value, Value::Null));
        assert!(try_expression("[x]", Some(json!([1])), 1, 0).is_err());
    }
}
