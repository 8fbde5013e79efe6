//! HTTP outcomes mapped to the error codes and reasons Azure AD logs
//! (aad-provisioning-service.md §4.2, §5.5).

use super::names::names;
use super::transport::TransportError;
use crate::scim::error::ScimError;
use crate::scim::message::Response;
use serde::Serialize;

names! {
    /// An error code of the provisioning logs (§4.2, §5.5; ANALYZE).
    pub enum FailureCode ("error code") {
        /// 409: a user with the same name exists.
        EntryConflict,
        /// 429 after the retries allowed within the cycle.
        TooManyRequests,
        /// 401.
        Unauthorized,
        /// 403.
        InsufficientRights,
        /// 405.
        MethodNotAllowed,
        /// 404 for a user that was linked.
        InvalidAnchor,
        /// 400, or 404 on a query.
        SystemForCrossDomainIdentityManagementBadRequest,
        /// 422.
        UnprocessableEntity,
        /// 501.
        NotImplemented,
        /// Another 5xx.
        InternalServerError,
        /// The service failed before sending (e.g. a filter value it cannot query, R7).
        InternalError,
        /// Another status, or a transport error.
        WebExceptionProtocolError,
        /// No response in time.
        Timeout,
        /// A success whose body cannot be read.
        SystemForCrossDomainIdentityManagementServiceIncompatible,
        /// Distinct users answered a match.
        DuplicateTargetEntries,
        /// The same user answered a match twice.
        SystemForCrossDomainIdentityManagementMultipleEntriesInResponse,
        /// No matching attribute has a value: the user is skipped.
        ImportSkipped,
        /// A mapping could not be evaluated.
        SchemaPropertyCanOnlyAcceptValue,
    }
}

/// A failed operation as the provisioning logs show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Failure {
    /// Error code, e.g. `EntryConflict`.
    pub code: FailureCode,
    /// Human-readable reason.
    pub reason: String,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// Whether the job should quarantine at once (credentials, SCIM compliance).
    pub quarantine: bool,
}

impl Failure {
    /// A failure with `code` and `reason`.
    pub(crate) fn new(code: FailureCode, reason: String, status: Option<u16>) -> Self {
        Failure {
            code,
            reason,
            status,
            quarantine: false,
        }
    }
}

/// What the failed request was doing, for the wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    /// Querying for a match.
    Match,
    /// Reading the linked user.
    Read,
    /// Creating.
    Create,
    /// Updating.
    Update,
    /// Disabling.
    Disable,
    /// Deleting.
    Delete,
    /// Exporting the manager reference.
    Reference,
}

impl Verb {
    fn phrase(self) -> &'static str {
        match self {
            Verb::Match => "match an entry in the source and target systems for",
            Verb::Read => "retrieve",
            Verb::Create => "create",
            Verb::Update | Verb::Reference => "update",
            Verb::Disable => "disable",
            Verb::Delete => "delete",
        }
    }
}

/// ANALYZE's wording for `InternalServerError`, `Timeout` and `WebExceptionProtocolError`
/// (reference §4.2; rulings.md R3): the object is retried by the next cycle.
pub(crate) const RETRIED_IN_40_MINUTES: &str =
    "This attempt is automatically retried in 40 minutes.";

/// The reason text Graph shows for a 409 (G:`provisioningobjectsummary-list`, "exisits" sic).
fn conflict_reason(target: &str) -> String {
    format!(
        "Message: {target} returned an error response with the HTTP status code 409.  This response indicates that a user or a group already exisits with the same name. This can be avoided by identifying and removing the conflicting user from {target} via the {target} administrative user interface, or removing the current user from the scope of provisioning either by removing their assignment to the {target} application in Azure Active Directory or adding a scoping filter to exclude the user."
    )
}

/// The error detail a server sent, when it sent a SCIM error.
fn server_detail(resp: &Response) -> String {
    resp.json()
        .and_then(|v| ScimError::from_json(&v))
        .map(|e| format!(" Target detail: {e}."))
        .unwrap_or_default()
}

/// Maps an HTTP response that is not a success.
pub(crate) fn from_response(verb: Verb, user: &str, target: &str, resp: &Response) -> Failure {
    let status = resp.status.as_u16();
    let detail = server_detail(resp);
    let failed = format!("Failed to {} User '{user}' in {target}", verb.phrase());
    match status {
        409 => Failure::new(
            FailureCode::EntryConflict,
            conflict_reason(target),
            Some(status),
        ),
        429 => Failure::new(
            FailureCode::TooManyRequests,
            format!(
                "{failed}; {target} returned HTTP 429 Too Many Requests after the retries allowed within the cycle. This attempt is automatically retried.{detail}"
            ),
            Some(status),
        ),
        401 => Failure::new(
            FailureCode::Unauthorized,
            format!(
                "{failed}; the provisioning service authenticated with {target} but wasn't authorized to perform the operation (HTTP 401).{detail}"
            ),
            Some(status),
        ),
        403 => Failure::new(
            FailureCode::InsufficientRights,
            format!("{failed}; {target} answered HTTP 403 Forbidden.{detail}"),
            Some(status),
        ),
        405 => Failure::new(
            FailureCode::MethodNotAllowed,
            format!("{failed}; {target} answered HTTP 405 Method Not Allowed.{detail}"),
            Some(status),
        ),
        404 if matches!(
            verb,
            Verb::Read | Verb::Update | Verb::Disable | Verb::Delete | Verb::Reference
        ) =>
        {
            Failure::new(
                FailureCode::InvalidAnchor,
                format!(
                    "{failed}; a user that was previously created or matched by the provisioning service no longer exists in {target} (HTTP 404)."
                ),
                Some(status),
            )
        }
        400 | 404 => bad_request(&failed, resp, &detail),
        422 => Failure::new(
            FailureCode::UnprocessableEntity,
            format!("{failed}; {target} answered HTTP 422.{detail}"),
            Some(status),
        ),
        501 => Failure::new(
            FailureCode::NotImplemented,
            format!("{failed}; {target} answered HTTP 501 Not Implemented.{detail}"),
            Some(status),
        ),
        s if s >= 500 => Failure::new(
            FailureCode::InternalServerError,
            format!(
                "{failed}; {target} returned an error response with the HTTP status code {s} ({}). {RETRIED_IN_40_MINUTES}{detail}",
                resp.status.canonical_reason().unwrap_or("error")
            ),
            Some(status),
        ),
        s => Failure::new(
            FailureCode::WebExceptionProtocolError,
            format!("{failed}; {target} answered HTTP {s}. {RETRIED_IN_40_MINUTES}{detail}"),
            Some(status),
        ),
    }
}

/// 400, or 404 on a query: Azure AD's "not fully compatible" failure.
fn bad_request(failed: &str, resp: &Response, detail: &str) -> Failure {
    Failure::new(
        FailureCode::SystemForCrossDomainIdentityManagementBadRequest,
        format!(
            "{failed}; Error: The SCIM endpoint is not fully compatible with the Azure Active Directory SCIM client. Please refer to the Azure Active Directory SCIM provisioning documentation and adapt the SCIM endpoint to be able to process provisioning requests from Azure Active Directory. StatusCode: {}{detail}",
            resp.status
                .canonical_reason()
                .unwrap_or("BadRequest")
                .replace(' ', "")
        ),
        Some(resp.status.as_u16()),
    )
}

/// Maps a request that got no response.
pub(crate) fn from_transport(verb: Verb, user: &str, target: &str, e: &TransportError) -> Failure {
    let failed = format!("Failed to {} User '{user}' in {target}", verb.phrase());
    match e {
        TransportError::Timeout(d) => Failure::new(
            FailureCode::Timeout,
            format!(
                "{failed}; no response within {} seconds. {RETRIED_IN_40_MINUTES}",
                d.as_secs()
            ),
            None,
        ),
        other => Failure::new(
            FailureCode::WebExceptionProtocolError,
            format!("{failed}; {other}. {RETRIED_IN_40_MINUTES}"),
            None,
        ),
    }
}

/// A matching value the service cannot put in a filter query (known-issues.md, rulings.md R7).
pub(crate) fn unfilterable(user: &str, attribute: &str, c: char) -> Failure {
    Failure::new(
        FailureCode::InternalError,
        format!(
            "Failed to match User '{user}': Microsoft Entra ID currently can't perform filter queries on values containing special characters; the value of '{attribute}' contains '{c}'."
        ),
        None,
    )
}

/// A success status whose body Azure AD cannot read (ANALYZE; Budibase#15369).
pub(crate) fn incompatible(verb: Verb, user: &str, target: &str, status: u16) -> Failure {
    Failure::new(
        FailureCode::SystemForCrossDomainIdentityManagementServiceIncompatible,
        format!(
            "Failed to {} User '{user}' in {target}; Error: We are not able to deserialize the resource received from your SCIM endpoint because your SCIM endpoint is not fully compatible with the Azure Active Directory SCIM client.",
            verb.phrase()
        ),
        Some(status),
    )
}

/// Two or more resources answered a match (ANALYZE: `DuplicateTargetEntries` for distinct
/// users, `...MultipleEntriesInResponse` for the same one twice).
pub(crate) fn duplicates(user: &str, target: &str, distinct: bool, status: u16) -> Failure {
    if distinct {
        Failure::new(
            FailureCode::DuplicateTargetEntries,
            format!(
                "Failed to match User '{user}': more than one user in {target} was found with the configured matching attributes."
            ),
            Some(status),
        )
    } else {
        Failure::new(
            FailureCode::SystemForCrossDomainIdentityManagementMultipleEntriesInResponse,
            format!(
                "Failed to match User '{user}': a GET request to retrieve a user received multiple users in the response. The system expects to receive only one."
            ),
            Some(status),
        )
    }
}

/// A call's response when it succeeded, or the failure it logs as (the one mapping of
/// "success, an error response, or no response" every export shares).
pub(crate) fn check(
    outcome: Result<Response, TransportError>,
    verb: Verb,
    user: &str,
    target: &str,
) -> Result<Response, Failure> {
    match outcome {
        Ok(resp) if resp.status.is_success() => Ok(resp),
        Ok(resp) => Err(from_response(verb, user, target, &resp)),
        Err(e) => Err(from_transport(verb, user, target, &e)),
    }
}
