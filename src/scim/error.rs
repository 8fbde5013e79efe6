//! SCIM error responses (RFC 7644 §3.12).

use serde_json::{Value, json};
use std::fmt;

/// URN of the SCIM error message schema.
pub(crate) const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The `scimType` detail error keywords of RFC 7644 §3.12, Table 9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScimType {
    /// The filter syntax is invalid or the attribute/operator pair is unsupported.
    InvalidFilter,
    /// The filter yields more results than the server will process.
    TooMany,
    /// A value is already in use (always with status 409).
    Uniqueness,
    /// The change is incompatible with the attribute's mutability.
    Mutability,
    /// The request body does not follow the request schema.
    InvalidSyntax,
    /// The PATCH `path` is invalid or malformed.
    InvalidPath,
    /// The PATCH `path` matched nothing to operate on.
    NoTarget,
    /// A required value is missing or a value has the wrong type.
    InvalidValue,
    /// The SCIM protocol version is not supported.
    InvalidVers,
    /// The request carries sensitive information in the URI.
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }

    /// Parses a wire keyword, case-insensitively.
    pub fn parse(s: &str) -> Option<ScimType> {
        const ALL: [ScimType; 10] = [
            ScimType::InvalidFilter,
            ScimType::TooMany,
            ScimType::Uniqueness,
            ScimType::Mutability,
            ScimType::InvalidSyntax,
            ScimType::InvalidPath,
            ScimType::NoTarget,
            ScimType::InvalidValue,
            ScimType::InvalidVers,
            ScimType::Sensitive,
        ];
        ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// A SCIM error: an HTTP status, an optional `scimType` and a human-readable detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScimError {
    /// HTTP status code (sent as a JSON string, per RFC 7644 §3.12).
    pub status: u16,
    /// Detail keyword for 400 and 409 errors.
    pub scim_type: Option<ScimType>,
    /// Human-readable message; never contains resource data for 401.
    pub detail: String,
}

impl ScimError {
    /// An error with any status and no `scimType`.
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type: None,
            detail: detail.into(),
        }
    }

    /// A 400 Bad Request with a `scimType`.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        ScimError {
            status: 400,
            scim_type: Some(scim_type),
            detail: detail.into(),
        }
    }

    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    /// 400 `invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    /// 400 `noTarget`.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    /// 409 Conflict with `scimType: uniqueness` (RFC 7644 §3.3).
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        ScimError {
            status: 409,
            scim_type: Some(ScimType::Uniqueness),
            detail: detail.into(),
        }
    }

    /// 404 Not Found for a resource id, worded like Microsoft's sample (blink-scim-api.md §2.3).
    pub fn resource_not_found(id: &str) -> Self {
        Self::new(404, format!("Resource {id} not found"))
    }

    /// The error as a SCIM Error JSON document.
    pub fn to_json(&self) -> Value {
        let mut doc = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
        });
        if let Some(t) = self.scim_type {
            doc["scimType"] = Value::from(t.as_str());
        }
        if !self.detail.is_empty() {
            doc["detail"] = Value::from(self.detail.as_str());
        }
        doc
    }

    /// Reads a SCIM Error document, tolerating a numeric `status` and missing members.
    pub fn from_json(doc: &Value) -> Option<ScimError> {
        let obj = doc.as_object()?;
        let status = match obj.get("status")? {
            Value::String(s) => s.trim().parse().ok()?,
            Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
            _ => return None,
        };
        let scim_type = obj
            .get("scimType")
            .and_then(Value::as_str)
            .and_then(ScimType::parse);
        let detail = obj
            .get("detail")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Some(ScimError {
            status,
            scim_type,
            detail,
        })
    }
}

impl fmt::Display for ScimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(t) = self.scim_type {
            write!(f, " {}", t.as_str())?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScimError {}

/// Longest part of an offending value an error repeats.
pub(crate) const EXCERPT_CHARS: usize = 64;

/// `value` as an error message repeats it: whole when short, else its start and its size, so
/// a 10 MB userName does not come back in a 10 MB answer.
pub(crate) fn excerpt(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(EXCERPT_CHARS) {
        None => std::borrow::Cow::Borrowed(value),
        Some((end, _)) => {
            std::borrow::Cow::Owned(format!("{}… ({} bytes)", &value[..end], value.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_a_string_and_scim_type_optional() {
        let e = ScimError::resource_not_found("abc");
        assert_eq!(
            e.to_json(),
            json!({"schemas": [ERROR_SCHEMA], "status": "404", "detail": "Resource abc not found"})
        );
        let e = ScimError::uniqueness("userName taken");
        assert_eq!(e.to_json()["status"], "409");
        assert_eq!(e.to_json()["scimType"], "uniqueness");
    }

    #[test]
    fn round_trips_and_tolerates_numeric_status() {
        let e = ScimError::invalid_filter("bad");
        assert_eq!(ScimError::from_json(&e.to_json()), Some(e));
        let doc = json!({"status": 400, "scimType": "InvalidPath"});
        let parsed = ScimError::from_json(&doc).unwrap();
        assert_eq!(parsed.status, 400);
        assert_eq!(parsed.scim_type, Some(ScimType::InvalidPath));
    }
}
