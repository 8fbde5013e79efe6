//! Test Connection as Azure AD runs it (§7), before every cycle and on demand: a filter on
//! the first matching attribute with a random GUID, expecting 200 and an empty ListResponse.

use super::lookup::list_resources;
use super::resource::{Resource, ResourceKind};
use crate::engine::client::TraceEntry;
use crate::engine::job::{ProvisioningJob, TestConnection};
use crate::scim::message::Response;
use http::Method;
use rand::RngExt;

const AUTHORIZED: &str = "The supplied credentials are authorized to enable provisioning";

const INVALID_CREDENTIALS: &str = "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.";

const NOT_FOUND: &str = "SCIM Compliance issue: An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response. To address this issue, ensure that the tenant URL is correct. The tenant URL is usually in a format like: https://<>/scim. If this does not resolve the issue, contact the application developer to ensure their SCIM endpoint conforms with the protocol https://tools.ietf.org/html/rfc7644#section-3.4.2";

const NOT_DESERIALIZABLE: &str = "While attempting to validate our authorization to access your application, we received this unexpected response: We are not able to deserialize the resource received from your SCIM endpoint because your SCIM endpoint is not fully compatible with the Azure Active Directory SCIM client. Here is the resource we received from your SCIM endpoint: ";

const NOT_EMPTY: &str = "SCIM Compliance issue: the test query filters on a random GUID; the expected correct response is HTTP 200 OK with an empty SCIM ListResponse message, but ";

fn verdict(ok: bool, message: String, quarantine: bool) -> TestConnection {
    TestConnection {
        ok,
        message,
        quarantine,
    }
}

/// What a test query's response says about the endpoint; `want_empty` fails a non-empty
/// answer to the random GUID ("HTTP 200 OK with an empty SCIM ListResponse", rulings.md R6).
fn judge(resp: &Response, want_empty: bool) -> TestConnection {
    match resp.status.as_u16() {
        _ if resp.status.is_success() => match list_resources(resp) {
            Some(found) if want_empty && !found.is_empty() => verdict(
                false,
                format!(
                    "{NOT_EMPTY}{} resource(s) matched a random GUID.",
                    found.len()
                ),
                true,
            ),
            Some(_) => verdict(true, AUTHORIZED.into(), false),
            None => {
                let body: String = String::from_utf8_lossy(&resp.body)
                    .chars()
                    .take(300)
                    .collect();
                verdict(false, format!("{NOT_DESERIALIZABLE}{body}"), true)
            }
        },
        401 | 403 => verdict(false, INVALID_CREDENTIALS.into(), true),
        404 => verdict(false, NOT_FOUND.into(), true),
        status => verdict(
            false,
            format!(
                "The SCIM endpoint answered HTTP {status} to the test query; the cycle is retried later."
            ),
            false,
        ),
    }
}

impl ProvisioningJob {
    /// Test Connection as Azure AD runs it (§7): a filter on the first matching attribute with
    /// a random GUID, expecting 200 and an empty ListResponse.
    pub async fn test_connection(&mut self) -> TestConnection {
        let mut trace = Vec::new();
        let stream = u64::from(self.state().cycle_number()) + 1_000_000;
        let result = self.probe(stream, &mut trace).await;
        self.record_trace("test connection", "(test connection)", trace);
        result
    }

    /// Runs the test query with GUIDs from `stream`, recording its attempts in `trace`.
    pub(crate) async fn probe(&self, stream: u64, trace: &mut Vec<TraceEntry>) -> TestConnection {
        let users = Resource {
            kind: ResourceKind::User,
            mappings: self.mappings(),
        };
        let attr = users
            .matching()
            .first()
            .map_or("userName".to_string(), |m| m.target.clone());
        let mut rng = crate::fakes::rng(self.config().seed, 20 + stream);
        let guid = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
        let client = self.client();
        let req = client.request(Method::GET, &users.query(&attr, &guid.to_string()), None);
        match client.call(req, trace).await.outcome {
            Ok(resp) => judge(&resp, self.config().test_connection_requires_empty_list),
            Err(e) => verdict(
                false,
                format!("Could not reach {}: {e}", self.config().tenant_url),
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn list(total: u64, resources: &str) -> Response {
        let body = format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":{total},"Resources":[{resources}]}}"#
        );
        Response::scim(StatusCode::OK, bytes::Bytes::from(body))
    }

    #[test]
    fn a_non_empty_answer_to_the_random_guid_fails() {
        // rulings.md R6: "HTTP 200 OK with an empty SCIM ListResponse message".
        assert!(judge(&list(0, ""), true).ok);
        let found = list(1, r#"{"id":"1","userName":"a@b.c"}"#);
        let t = judge(&found, true);
        assert!(!t.ok && t.quarantine, "{t:?}");
        assert!(judge(&found, false).ok, "the setting turns the check off");
    }
}
