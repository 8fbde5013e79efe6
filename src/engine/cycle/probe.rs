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

fn verdict(ok: bool, message: String, quarantine: bool) -> TestConnection {
    TestConnection {
        ok,
        message,
        quarantine,
    }
}

/// What a test query's response says about the endpoint.
fn judge(resp: &Response) -> TestConnection {
    match resp.status.as_u16() {
        _ if resp.status.is_success() => match list_resources(resp) {
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
            Ok(resp) => judge(&resp),
            Err(e) => verdict(
                false,
                format!("Could not reach {}: {e}", self.config().tenant_url),
                false,
            ),
        }
    }
}
