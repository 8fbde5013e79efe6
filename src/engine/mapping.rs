//! Attribute mappings: which source attribute, constant or expression feeds which Blink
//! attribute, matching precedence, and when each applies (aad-provisioning-service.md §6.1,
//! seed tutorial step 9).

use super::directory::DirectoryUser;
use super::expr::{self, AppRoleAssignment, EvalEnv, Expr, Value};
use crate::scim::filter::parse_path;
use crate::scim::schema::{BLINK_SCHEMA, ENTERPRISE_SCHEMA};
use serde::{Deserialize, Serialize};

/// When a mapping applies (CUSTOM "Apply this mapping").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyWhen {
    /// On creation and updates.
    #[default]
    Always,
    /// Only when the user is created.
    OnCreate,
}

/// A mapping as written in scenario files and the Rust API: exactly one of `source`,
/// `constant` or `expression`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingConfig {
    /// Target attribute path, e.g. `emails[type eq "work"].value`.
    pub target: String,
    /// Direct: a source attribute name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Constant value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<String>,
    /// Expression, e.g. `Join(" ", [givenName], [surname])`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Default value if null (used on creation only, CUSTOM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Matching precedence: 1 is tried first; absent means not a matching attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<u32>,
    /// When the mapping applies.
    #[serde(default, skip_serializing_if = "is_always")]
    pub apply: ApplyWhen,
}

fn is_always(a: &ApplyWhen) -> bool {
    *a == ApplyWhen::Always
}

/// What kind of value a target attribute takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// A string.
    String,
    /// A boolean (`active`).
    Boolean,
    /// A reference to another provisioned user (`manager`), exported in a second step.
    Reference,
    /// Structured JSON (`roles` from role expressions).
    Json,
}

/// Where a mapping's value comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum MappingSource {
    /// A source attribute.
    Attribute(String),
    /// A constant.
    Constant(String),
    /// An expression.
    Expression(Expr),
}

/// A validated mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeMapping {
    /// Target attribute path as written.
    pub target: String,
    /// Its kind.
    pub kind: TargetKind,
    /// The source.
    pub source: MappingSource,
    /// Default value if null, on creation only.
    pub default_value: Option<String>,
    /// Matching precedence.
    pub matching: Option<u32>,
    /// When it applies.
    pub apply: ApplyWhen,
    /// The config it came from (kept for display and export).
    pub config: MappingConfig,
}

/// A mapping that does not validate: which target and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("mapping for '{target}': {message}")]
pub struct MappingError {
    /// The target attribute.
    pub target: String,
    /// What is wrong (for expressions, the position and what was expected).
    pub message: String,
}

/// The expression the Blink gallery mapping uses for `active` (HPW; aad-provisioning-service.md §3.2 d).
pub(crate) const ACTIVE_EXPRESSION: &str =
    r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#;

/// The Blink gallery mappings. The target side is the tutorial's table; the source side is
/// NOT FOUND in the reference (screenshot only), so the generic SCIM defaults of §6.1 stand in,
/// `companyName` feeds `company` and `physicalDeliveryOfficeName` feeds `location`;
/// `description` ("About me") has no directory counterpart and is left unmapped.
pub fn blink_default_mappings() -> Vec<MappingConfig> {
    let m = |target: &str, source: &str| MappingConfig {
        target: target.into(),
        source: Some(source.into()),
        ..Default::default()
    };
    vec![
        MappingConfig {
            matching: Some(1),
            ..m("userName", "userPrincipalName")
        },
        MappingConfig {
            target: "active".into(),
            expression: Some(ACTIVE_EXPRESSION.into()),
            ..Default::default()
        },
        m("title", "jobTitle"),
        m(r#"emails[type eq "work"].value"#, "mail"),
        m("name.givenName", "givenName"),
        m("name.familyName", "surname"),
        m(r#"phoneNumbers[type eq "work"].value"#, "telephoneNumber"),
        m(r#"phoneNumbers[type eq "mobile"].value"#, "mobile"),
        m("externalId", "mailNickname"),
        m(&format!("{ENTERPRISE_SCHEMA}:department"), "department"),
        m(&format!("{ENTERPRISE_SCHEMA}:employeeNumber"), "employeeId"),
        m(&format!("{ENTERPRISE_SCHEMA}:manager"), "manager"),
        m(&format!("{BLINK_SCHEMA}:company"), "companyName"),
        m(
            &format!("{BLINK_SCHEMA}:location"),
            "physicalDeliveryOfficeName",
        ),
    ]
}

impl AttributeMapping {
    /// Validates a config: the target path parses, exactly one source, expressions parse.
    pub fn from_config(config: &MappingConfig) -> Result<AttributeMapping, MappingError> {
        let err = |message: String| MappingError {
            target: config.target.clone(),
            message,
        };
        let path =
            parse_path(&config.target).map_err(|e| err(format!("invalid target path: {e}")))?;
        let name = path.path.name.to_ascii_lowercase();
        let kind = match name.as_str() {
            "active" => TargetKind::Boolean,
            "manager" => TargetKind::Reference,
            "roles" if path.filter.is_none() => TargetKind::Json,
            _ => TargetKind::String,
        };
        let source = match (&config.source, &config.constant, &config.expression) {
            (Some(a), None, None) if !a.trim().is_empty() => {
                MappingSource::Attribute(a.trim().to_string())
            }
            (None, Some(c), None) => MappingSource::Constant(c.clone()),
            (None, None, Some(e)) => {
                let expr = expr::parse(e)
                    .map_err(|pe| err(format!("invalid expression: {pe}\n{}", pe.render(e))))?;
                MappingSource::Expression(expr)
            }
            _ => {
                return Err(err(
                    "give exactly one of `source`, `constant` or `expression`".into(),
                ));
            }
        };
        if kind == TargetKind::Reference && !matches!(source, MappingSource::Attribute(_)) {
            // FUNC: Switch "shouldn't be used for referential attributes such as manager".
            return Err(err(
                "a reference attribute must map a source attribute (e.g. `manager`)".into(),
            ));
        }
        if config.matching == Some(0) {
            return Err(err("matching precedence starts at 1".into()));
        }
        Ok(AttributeMapping {
            target: config.target.clone(),
            kind,
            source,
            default_value: config.default.clone(),
            matching: config.matching,
            apply: config.apply,
            config: config.clone(),
        })
    }
}

/// Validates a whole mapping set: at least one matching attribute, no target twice.
pub fn compile(configs: &[MappingConfig]) -> Result<Vec<AttributeMapping>, MappingError> {
    let mappings: Vec<AttributeMapping> = configs
        .iter()
        .map(AttributeMapping::from_config)
        .collect::<Result<_, _>>()?;
    for (i, m) in mappings.iter().enumerate() {
        if mappings[..i]
            .iter()
            .any(|o| o.target.eq_ignore_ascii_case(&m.target))
        {
            return Err(MappingError {
                target: m.target.clone(),
                message: "mapped twice".into(),
            });
        }
    }
    if !mappings.iter().any(|m| m.matching.is_some()) {
        return Err(MappingError {
            target: "(all)".into(),
            message: "no matching attribute: mark one mapping with `matching = 1` (CUSTOM: all users must have a value for at least one)".into(),
        });
    }
    Ok(mappings)
}

/// A desired target value.
#[derive(Clone, Debug, PartialEq)]
pub enum Desired {
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A reference: the source object id of the referenced user.
    Reference(String),
    /// Structured JSON.
    Json(serde_json::Value),
}

impl Desired {
    /// The value as it appears in provisioning logs.
    pub fn display(&self) -> String {
        match self {
            Desired::Text(s) | Desired::Reference(s) => s.clone(),
            Desired::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Desired::Json(v) => v.to_string(),
        }
    }
}

/// What a user's mappings produce for one operation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// Target path and value, in mapping order; null values are never sent (CUSTOM).
    pub values: Vec<(String, Desired)>,
    /// Targets whose values the logs show as "[Redact]".
    pub redacted: Vec<String>,
}

impl Evaluation {
    /// The value for a target path.
    pub fn get(&self, target: &str) -> Option<&Desired> {
        self.values
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(target))
            .map(|(_, v)| v)
    }
}

/// Whether mappings run for a creation or an update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Creating the user.
    Create,
    /// Updating an existing user.
    Update,
}

/// A user as expressions see it: its attributes plus the computed `IsSoftDeleted` and
/// `appRoleAssignments`.
pub struct SourceView<'a> {
    /// The user.
    pub user: &'a DirectoryUser,
    /// Out of scope, unassigned, disabled or soft-deleted (CUSTOM's four cases).
    pub is_soft_deleted: bool,
    /// The user's roles in the application.
    pub roles: Vec<AppRoleAssignment>,
    /// B2B: `userPrincipalName` without `#EXT#` and the home domain (rulings.md R7).
    pub strip_b2b_upn: bool,
}

impl expr::Source for SourceView<'_> {
    fn attribute(&self, name: &str) -> Value {
        if name.eq_ignore_ascii_case("IsSoftDeleted") {
            return Value::String(
                if self.is_soft_deleted {
                    "True"
                } else {
                    "False"
                }
                .into(),
            );
        }
        if name.eq_ignore_ascii_case("businessPhones") {
            return Value::Multi(
                self.user
                    .business_phones
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            );
        }
        if name.eq_ignore_ascii_case("appRoleAssignments") {
            return Value::Multi(
                self.roles
                    .iter()
                    .map(|r| Value::String(r.value.clone()))
                    .collect(),
            );
        }
        if self.strip_b2b_upn
            && name.eq_ignore_ascii_case("userPrincipalName")
            && let Some(upn) = super::known_issues::strip_b2b_upn(&self.user.user_principal_name)
        {
            return Value::String(upn);
        }
        self.user
            .attribute_str(name)
            .map_or(Value::Null, |v| Value::String(v.to_string()))
    }

    fn app_role_assignments(&self) -> Vec<AppRoleAssignment> {
        self.roles.clone()
    }
}

/// Evaluates every mapping that applies to `op`.
pub fn evaluate(
    mappings: &[AttributeMapping],
    view: &SourceView<'_>,
    op: Operation,
    now: time::OffsetDateTime,
    seed: u64,
) -> Result<Evaluation, MappingError> {
    let env = EvalEnv {
        source: view,
        now,
        seed,
    };
    let mut out = Evaluation::default();
    for m in mappings {
        if m.apply == ApplyWhen::OnCreate && op == Operation::Update {
            continue;
        }
        let value = match &m.source {
            MappingSource::Attribute(name) => expr::Source::attribute(view, name),
            MappingSource::Constant(c) => Value::String(c.clone()),
            MappingSource::Expression(e) => {
                if e.is_redacted() {
                    out.redacted.push(m.target.clone());
                }
                expr::evaluate(e, &env).map_err(|e| MappingError {
                    target: m.target.clone(),
                    message: e.to_string(),
                })?
            }
        };
        if matches!(value, Value::Ignore) {
            continue;
        }
        let value = if value.is_null_or_empty() {
            match (&m.default_value, op) {
                (Some(d), Operation::Create) => Value::String(d.clone()),
                _ => continue,
            }
        } else {
            value
        };
        let desired = match m.kind {
            TargetKind::Reference => match value.into_target_string() {
                Some(id) => Desired::Reference(id),
                None => continue,
            },
            TargetKind::Boolean => match &value {
                Value::Boolean(b) => Desired::Bool(*b),
                other => match other
                    .to_target_string()
                    .map(|s| s.to_ascii_lowercase())
                    .as_deref()
                {
                    Some("true") => Desired::Bool(true),
                    Some("false") => Desired::Bool(false),
                    Some(s) => Desired::Text(s.to_string()),
                    None => continue,
                },
            },
            TargetKind::Json => match value.to_scim_json() {
                Some(v) => Desired::Json(v),
                None => continue,
            },
            TargetKind::String => match value.into_target_string() {
                Some(s) => Desired::Text(s),
                None => continue,
            },
        };
        out.values.push((m.target.clone(), desired));
    }
    Ok(out)
}

/// The matching mappings in precedence order.
pub(crate) fn matching_order(mappings: &[AttributeMapping]) -> Vec<&AttributeMapping> {
    let mut m: Vec<&AttributeMapping> = mappings.iter().filter(|m| m.matching.is_some()).collect();
    m.sort_by_key(|m| m.matching);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(user: &DirectoryUser, soft: bool) -> SourceView<'_> {
        SourceView {
            user,
            is_soft_deleted: soft,
            roles: vec![],
            strip_b2b_upn: true,
        }
    }

    fn ada() -> DirectoryUser {
        DirectoryUser {
            mail: Some("ada@contoso.example".into()),
            given_name: Some("Ada".into()),
            surname: Some("Lovelace".into()),
            job_title: None,
            manager: Some("m-1".into()),
            business_phones: vec!["+1 425 555 0100".into()],
            ..DirectoryUser::new("u1", "ada@contoso.example")
        }
    }

    #[test]
    fn blink_defaults_evaluate_like_azure_ad() {
        let mappings = compile(&blink_default_mappings()).unwrap();
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let user = ada();
        let e = evaluate(&mappings, &view(&user, false), Operation::Create, now, 1).unwrap();
        assert_eq!(
            e.get("userName"),
            Some(&Desired::Text("ada@contoso.example".into()))
        );
        assert_eq!(e.get("active"), Some(&Desired::Bool(true)));
        assert_eq!(e.get("title"), None, "nulls are never sent");
        assert_eq!(
            e.get(r#"phoneNumbers[type eq "work"].value"#),
            Some(&Desired::Text("+1 425 555 0100".into()))
        );
        assert_eq!(
            e.get(&format!("{ENTERPRISE_SCHEMA}:manager")),
            Some(&Desired::Reference("m-1".into()))
        );
        let gone = evaluate(&mappings, &view(&user, true), Operation::Update, now, 1).unwrap();
        assert_eq!(gone.get("active"), Some(&Desired::Bool(false)));
    }

    #[test]
    fn defaults_apply_on_create_only_and_on_create_mappings_skip_updates() {
        let configs = vec![
            MappingConfig {
                matching: Some(1),
                ..MappingConfig {
                    target: "userName".into(),
                    source: Some("userPrincipalName".into()),
                    ..Default::default()
                }
            },
            MappingConfig {
                target: "title".into(),
                source: Some("jobTitle".into()),
                default: Some("Staff".into()),
                ..Default::default()
            },
            MappingConfig {
                target: "externalId".into(),
                constant: Some("fixed".into()),
                apply: ApplyWhen::OnCreate,
                ..Default::default()
            },
        ];
        let mappings = compile(&configs).unwrap();
        let user = ada();
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let created = evaluate(&mappings, &view(&user, false), Operation::Create, now, 1).unwrap();
        assert_eq!(created.get("title"), Some(&Desired::Text("Staff".into())));
        assert_eq!(
            created.get("externalId"),
            Some(&Desired::Text("fixed".into()))
        );
        let updated = evaluate(&mappings, &view(&user, false), Operation::Update, now, 1).unwrap();
        assert_eq!(
            (updated.get("title"), updated.get("externalId")),
            (None, None)
        );
    }

    #[test]
    fn bad_mappings_are_rejected_with_the_target() {
        let bad = [
            MappingConfig {
                target: "title[".into(),
                source: Some("jobTitle".into()),
                ..Default::default()
            },
            MappingConfig {
                target: "title".into(),
                ..Default::default()
            },
            MappingConfig {
                target: "title".into(),
                expression: Some("Join(".into()),
                ..Default::default()
            },
            MappingConfig {
                target: format!("{ENTERPRISE_SCHEMA}:manager"),
                constant: Some("x".into()),
                ..Default::default()
            },
        ];
        for b in bad {
            let err = AttributeMapping::from_config(&b).unwrap_err();
            assert_eq!(err.target, b.target);
        }
        let err = compile(&[MappingConfig {
            target: "title".into(),
            source: Some("jobTitle".into()),
            ..Default::default()
        }])
        .unwrap_err();
        assert!(err.message.contains("matching"));
        let err = AttributeMapping::from_config(&MappingConfig {
            target: "title".into(),
            expression: Some("ToLower([a], ".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.message.contains("column"), "{}", err.message);
    }
}
