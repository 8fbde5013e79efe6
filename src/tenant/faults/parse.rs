//! Reading fault rules from TOML and JSON, with typed errors.

use super::rule::{FaultFile, FaultRule, RuleError};
use super::validate::validate_all;

/// Why fault rules could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not TOML, or not rules in TOML.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// Not JSON rules.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// Read, but a rule is invalid.
    #[error(transparent)]
    Rule(#[from] RuleError),
}

/// Parses and validates rules from TOML (`[[fault]]` tables).
pub fn parse_toml(text: &str) -> Result<Vec<FaultRule>, ParseError> {
    let file: FaultFile = toml::from_str(text)?;
    validate_all(&file.fault)?;
    Ok(file.fault)
}

/// Parses and validates rules from JSON: one rule, an array of rules, or `{"fault": [...]}`.
pub fn parse_json(value: &serde_json::Value) -> Result<Vec<FaultRule>, ParseError> {
    let rules = match value {
        serde_json::Value::Array(_) => serde_json::from_value::<Vec<FaultRule>>(value.clone()),
        serde_json::Value::Object(o) if o.contains_key("fault") && !o.contains_key("effect") => {
            serde_json::from_value::<FaultFile>(value.clone()).map(|f| f.fault)
        }
        _ => serde_json::from_value::<FaultRule>(value.clone()).map(|r| vec![r]),
    }?;
    validate_all(&rules)?;
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::faults::{Effect, LostAs, Operation};

    #[test]
    fn parses_the_readme_example() {
        let rules = parse_toml(
            r#"
            [[fault]]
            name = "throttle the first three lists"
            operation = "list"
            first = 3
            effect = { kind = "status", status = 429, retry_after = 2 }

            [[fault]]
            method = ["PATCH", "put"]
            path = "/scim/Users/*"
            probability = 0.1
            effect = { kind = "latency", min = "10ms", max = "50ms" }

            [[fault]]
            user_name = "ada@contoso.example"
            operation = ["create"]
            times = 1
            effect = { kind = "lost", then = "drop" }
            "#,
        )
        .unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].operation, vec![Operation::List]);
        assert_eq!(
            rules[1].method,
            vec!["PATCH".to_string(), "put".to_string()]
        );
        assert_eq!(rules[2].effect, Effect::Lost { then: LostAs::Drop });
        let json = serde_json::to_value(&rules[0]).unwrap();
        assert_eq!(parse_json(&json).unwrap()[0], rules[0]);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "[[fault]]\nprobability = 1.5\neffect = { kind = \"drop\" }",
                "fault[0].probability",
            ),
            ("[[fault]]\neffect = { kind = \"explode\" }", "explode"),
            (
                "[[fault]]\nfirst = 0\neffect = { kind = \"drop\" }",
                "fault[0].first",
            ),
            (
                "[[fault]]\neffect = { kind = \"status\", status = 99 }",
                "fault[0].effect.status",
            ),
            (
                "[[fault]]\neffect = { kind = \"latency\", min = \"5s\" }",
                "fault[0].effect.fixed",
            ),
            (
                "[[fault]]\neffect = { kind = \"latency\", fixed = \"20m\" }",
                "fault[0].effect.fixed",
            ),
            (
                "[[fault]]\neffect = { kind = \"rate_limit\", per_second = 0 }",
                "fault[0].effect.per_second",
            ),
            (
                "[[fault]]\nmethod = \"GE T\"\neffect = { kind = \"drop\" }",
                "fault[0].method",
            ),
            (
                "[[fault]]\nnmae = \"typo\"\neffect = { kind = \"drop\" }",
                "nmae",
            ),
            (
                "[[fault]]\neffect = { kind = \"status\", status = 400, scim_type = \"bogus\" }",
                "scim_type",
            ),
            (
                "[[fault]]\neffect = { kind = \"lost\", then = \"explode\" }",
                "then",
            ),
            ("[[fault]\n", "TOML"),
        ];
        for (text, needle) in cases {
            let err = parse_toml(text).unwrap_err().to_string();
            assert!(
                err.contains(needle) || (needle == "TOML" && !err.is_empty()),
                "{text:?} -> {err}"
            );
        }
    }
}
