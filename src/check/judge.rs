//! Pure judging: an answer (status, headers, body) against the shape Entra's client expects,
//! and what Entra would do otherwise (§4.2 codes and texts, §4.3 quarantine, §7 Test Connection).

use crate::engine::failure::{self, Failure, Verb};
use crate::engine::transport::TransportError;
use crate::engine::wire::value_at;
use crate::scim::message::Response;
use crate::scim::schema::LIST_RESPONSE_SCHEMA;
use http::header;
use serde_json::Value;

/// The SCIM error schema (RFC 7644 §3.12).
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// The target name used in the log texts.
const TARGET: &str = "customappsso";
/// The user name used in the log texts.
const USER: &str = "user@contoso.com";
/// The Test Connection message for rejected credentials (§7, MicrosoftDocs/azure-docs#54231).
pub const TEST_CONNECTION_CREDENTIALS: &str = "Test Connection: \"You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.\"";

/// Why an answer is not what Entra needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What is wrong with the answer.
    pub message: String,
    /// What Entra would do with it.
    pub entra: String,
    /// Only a warning: Entra copes.
    pub warn: bool,
}

impl Finding {
    /// A failing finding.
    pub fn fail(message: impl Into<String>, entra: impl Into<String>) -> Self {
        Finding {
            message: message.into(),
            entra: entra.into(),
            warn: false,
        }
    }

    /// A warning.
    pub fn warn(message: impl Into<String>, entra: impl Into<String>) -> Self {
        Finding {
            warn: true,
            ..Finding::fail(message, entra)
        }
    }
}

/// A check's outcome: pass, or the finding.
pub type Judged = Result<(), Finding>;

/// How a logged failure continues (§4.1 escrow, §4.3 quarantine, R3).
fn consequence(f: &Failure) -> String {
    let tail = if f.quarantine {
        "The job goes into quarantine at once."
    } else {
        "The object is escrowed and retried in the next cycle (40 minutes); repeated failures lead to quarantine."
    };
    format!("Provisioning log: {} — {} {tail}", f.code, f.reason)
}

/// What Entra logs for an error response to a `verb` request.
pub fn entra_for_response(verb: Verb, resp: &Response) -> String {
    consequence(&failure::from_response(verb, USER, TARGET, resp))
}

/// What Entra logs when a `verb` request got no answer.
pub fn entra_for_transport(verb: Verb, e: &TransportError) -> String {
    consequence(&failure::from_transport(verb, USER, TARGET, e))
}

/// What Entra logs for a success it cannot read (§4.2 `...ServiceIncompatible`).
pub fn entra_incompatible(verb: Verb, status: u16) -> String {
    consequence(&failure::incompatible(verb, USER, TARGET, status))
}

/// The answer when it has one of `statuses`; else what Entra does with it.
pub fn expect_status<'a>(
    outcome: &'a Result<Response, TransportError>,
    statuses: &[u16],
    verb: Verb,
) -> Result<&'a Response, Finding> {
    match outcome {
        Err(e) => Err(Finding::fail(
            format!("no answer: {e}"),
            entra_for_transport(verb, e),
        )),
        Ok(r) if statuses.contains(&r.status.as_u16()) => Ok(r),
        Ok(r) => {
            let entra = if r.status.is_success() {
                entra_incompatible(verb, r.status.as_u16())
            } else {
                entra_for_response(verb, r)
            };
            Err(Finding::fail(
                format!(
                    "expected HTTP {}, got {}",
                    list(statuses),
                    r.status.as_u16()
                ),
                entra,
            ))
        }
    }
}

fn list(statuses: &[u16]) -> String {
    let s: Vec<String> = statuses.iter().map(u16::to_string).collect();
    s.join(" or ")
}

/// The JSON body of a success; a body Entra cannot parse is `...ServiceIncompatible`.
pub fn json_body(resp: &Response, verb: Verb) -> Result<Value, Finding> {
    resp.json().filter(Value::is_object).ok_or_else(|| {
        Finding::fail(
            format!(
                "HTTP {} with a body that is not a JSON object ({} bytes)",
                resp.status.as_u16(),
                resp.body.len()
            ),
            entra_incompatible(verb, resp.status.as_u16()),
        )
    })
}

/// A ListResponse's `totalResults` and `Resources` (§7, Appendix B.1 "Get User by query").
pub fn list_response(resp: &Response, verb: Verb) -> Result<(u64, Vec<Value>), Finding> {
    let body = json_body(resp, verb)?;
    let listed = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(LIST_RESPONSE_SCHEMA)));
    let total = body.get("totalResults").and_then(Value::as_u64);
    match (listed, total) {
        (true, Some(total)) => {
            let resources = body
                .get("Resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            Ok((total, resources))
        }
        _ => Err(Finding::fail(
            "the answer is not a SCIM ListResponse with totalResults",
            entra_incompatible(verb, resp.status.as_u16()),
        )),
    }
}

/// Test Connection: 200 and an empty ListResponse for a random GUID (§7, R6).
pub fn probe(outcome: &Result<Response, TransportError>) -> Judged {
    let with_message = |mut f: Finding| {
        f.entra = format!("{TEST_CONNECTION_CREDENTIALS} {}", f.entra);
        f
    };
    let resp = expect_status(outcome, &[200], Verb::Match).map_err(with_message)?;
    let (total, resources) = list_response(resp, Verb::Match).map_err(with_message)?;
    if total != 0 || !resources.is_empty() {
        return Err(with_message(Finding::fail(
            format!(
                "a random GUID matched {total} users ({} returned); Entra expects an empty ListResponse",
                resources.len()
            ),
            "Test Connection fails: the query for a user that cannot exist did not come back empty (R6).",
        )));
    }
    Ok(())
}

/// A request without valid credentials must get 401 (§4.2, §7).
pub fn unauthorized(outcome: &Result<Response, TransportError>) -> Judged {
    match outcome {
        Ok(r) if r.status.as_u16() == 401 => Ok(()),
        Ok(r) if r.status.is_success() => Err(Finding::fail(
            format!(
                "HTTP {} without valid credentials: the endpoint is open",
                r.status.as_u16()
            ),
            "Test Connection succeeds with any secret token, so a wrong token in Entra goes unnoticed; anyone can read and change users.",
        )),
        Ok(r) => Err(Finding::warn(
            format!("expected HTTP 401, got {}", r.status.as_u16()),
            entra_for_response(Verb::Match, r),
        )),
        Err(e) => Err(Finding::fail(
            format!("no answer: {e}"),
            entra_for_transport(Verb::Match, e),
        )),
    }
}

/// A ListResponse holding exactly the user `id` (a match, §3.1–3.2).
pub fn single_match(resp: &Response, id: &str, query: &str) -> Judged {
    let (total, resources) = list_response(resp, Verb::Match)?;
    let ids: Vec<&str> = resources
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str))
        .collect();
    match (total, ids.as_slice()) {
        (1, [found]) if *found == id => Ok(()),
        (0, []) => Err(Finding::fail(
            format!("{query} found nothing, though user {id} matches it"),
            "Entra finds no match and creates the user again: the POST meets 409, logged as EntryConflict, and the user is never linked (§3.2, §5.5).",
        )),
        (_, found) if found.len() > 1 => Err(Finding::fail(
            format!("{query} returned {} users", found.len()),
            consequence(&failure::duplicates(USER, TARGET, true, 200)),
        )),
        _ => Err(Finding::fail(
            format!("{query} answered totalResults {total} with ids {ids:?}, expected only {id}"),
            entra_incompatible(Verb::Match, 200),
        )),
    }
}

/// The Content-Type of a SCIM answer (RFC 7644 §3.1; Entra reads application/scim+json and
/// application/json).
pub fn content_type(resp: &Response) -> Judged {
    let ct = resp.header(header::CONTENT_TYPE).unwrap_or_default();
    let media = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/scim+json" => Ok(()),
        "application/json" => Err(Finding::warn(
            "Content-Type application/json instead of application/scim+json",
            "Entra reads it; RFC 7644 §3.1 asks for application/scim+json.",
        )),
        _ => Err(Finding::fail(
            format!("Content-Type '{ct}' is not a JSON media type"),
            entra_incompatible(Verb::Read, resp.status.as_u16()),
        )),
    }
}

/// An error answer in the SCIM error schema, `status` a string (RFC 7644 §3.12).
pub fn error_body(resp: &Response) -> Judged {
    let body = resp.json();
    let schema_ok = body
        .as_ref()
        .and_then(|b| b.get("schemas"))
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(ERROR_SCHEMA)));
    let status = body.as_ref().and_then(|b| b.get("status")).cloned();
    let expected = resp.status.as_u16().to_string();
    if !schema_ok {
        return Err(Finding::fail(
            format!("HTTP {} without a SCIM error body", resp.status.as_u16()),
            "The provisioning log shows no reason from the server: the admin only sees the status code.",
        ));
    }
    match status {
        Some(Value::String(s)) if s == expected => Ok(()),
        other => Err(Finding::warn(
            format!("error body status {other:?}, expected the string \"{expected}\""),
            "Entra still logs the status code; RFC 7644 §3.12 makes status a string.",
        )),
    }
}

/// `target` of `resource` is `expected` (compared as Entra's diff does: strings case-sensitively,
/// "True"/"False" strings as booleans).
pub fn has_value(resource: &Value, target: &str, expected: &Value) -> Judged {
    let found = value_at(resource, target);
    let same = match (&found, expected) {
        (Some(Value::String(s)), Value::Bool(b)) | (Some(Value::Bool(b)), Value::String(s)) => {
            s.eq_ignore_ascii_case(&b.to_string())
        }
        (Some(f), e) => f == e,
        (None, Value::Null) => true,
        (None, _) => false,
    };
    if same {
        return Ok(());
    }
    Err(Finding::fail(
        format!("after the PATCH, {target} reads {found:?}, expected {expected}"),
        "The change is lost: Entra reads the user back in the next cycle, sees the difference and sends the same PATCH every cycle, logged as an update each time.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::StatusCode;

    fn answer(status: u16, body: &Value) -> Result<Response, TransportError> {
        let status = StatusCode::from_u16(status).expect("status");
        Ok(Response::scim(status, Bytes::from(body.to_string())))
    }

    fn list(resources: Vec<Value>) -> Value {
        serde_json::json!({"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": resources.len(), "Resources": resources})
    }

    #[test]
    fn a_non_empty_probe_answer_fails_test_connection() {
        let found = probe(&answer(200, &list(vec![serde_json::json!({"id": "1"})]))).unwrap_err();
        assert!(found.message.contains("a random GUID matched 1 users"));
        assert!(found.entra.starts_with("Test Connection:"));
        assert!(probe(&answer(200, &list(Vec::new()))).is_ok());
    }

    #[test]
    fn an_open_endpoint_fails_the_401_checks() {
        let found = unauthorized(&answer(200, &list(Vec::new()))).unwrap_err();
        assert!(!found.warn);
        assert!(found.message.contains("the endpoint is open"));
    }

    #[test]
    fn a_filter_that_ignores_case_finds_nothing_and_entra_creates_again() {
        let resp = answer(200, &list(Vec::new())).expect("answer");
        let found = single_match(&resp, "42", "userName eq").unwrap_err();
        assert!(found.message.contains("found nothing"));
        assert!(found.entra.contains("EntryConflict"));
    }

    #[test]
    fn an_error_without_the_scim_schema_fails() {
        let resp = answer(404, &serde_json::json!({"error": "not found"})).expect("answer");
        assert!(
            error_body(&resp)
                .unwrap_err()
                .message
                .contains("without a SCIM error body")
        );
        let scim = serde_json::json!({"schemas": [ERROR_SCHEMA], "status": 404});
        let resp = answer(404, &scim).expect("answer");
        assert!(
            error_body(&resp).unwrap_err().warn,
            "a numeric status is a warning"
        );
    }

    #[test]
    fn legacy_string_booleans_read_back_as_booleans() {
        let user = serde_json::json!({"active": false});
        assert!(has_value(&user, "active", &Value::from("False")).is_ok());
        assert!(has_value(&user, "active", &Value::Bool(true)).is_err());
    }
}
