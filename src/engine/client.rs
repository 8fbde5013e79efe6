//! The SCIM client of the simulated provisioning service: Azure AD's requests, in-cycle
//! retries (429 honouring Retry-After, transient errors with back-off), and a trace of every
//! attempt.

use super::transport::{Delivered, Transport, TransportError};
use crate::scim::message::{Request, Response};
use http::{HeaderValue, Method, header};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// Within-cycle retry settings. A 5xx, a timeout or a lost connection is not retried inside
/// the cycle by default: "the operation is retried in the next sync cycle" (rulings.md R3);
/// `max_transient_retries` turns in-cycle retries (doubling back-off) back on. 429 with
/// Retry-After is waited on inside the cycle: NOT FOUND either way, kept (R3).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Retries after 429.
    pub max_throttle_retries: u32,
    /// Retries after 5xx or a lost connection.
    pub max_transient_retries: u32,
    /// First back-off after a transient error (doubles each time).
    pub backoff_ms: u64,
    /// Longest wait honoured from Retry-After.
    pub max_wait_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_throttle_retries: 5,
            max_transient_retries: 0,
            backoff_ms: 1000,
            max_wait_ms: 60_000,
        }
    }
}

/// One attempt, as the request trace records it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Request body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Status, or the transport error.
    pub outcome: String,
    /// Simulated or real wait before this attempt (ms).
    #[serde(skip_serializing_if = "is_zero")]
    pub waited_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The result of a call after retries.
#[derive(Debug)]
pub(crate) struct Call {
    /// The final response or error.
    pub outcome: Result<Response, TransportError>,
    /// Attempts made.
    pub attempts: u32,
    /// Whether an earlier attempt's effect is unknown (lost response or 5xx): a 409 on a
    /// retried create then means "already done".
    pub uncertain: bool,
    /// Simulated time spent (latency and waits).
    pub cost: Duration,
}

/// A client bound to one target.
pub(crate) struct ScimClient<'a> {
    /// The transport.
    pub transport: &'a dyn Transport,
    /// Path prefix of the SCIM base URL, e.g. `/scim`.
    pub base_path: String,
    /// The secret token.
    pub token: String,
    /// Retry settings.
    pub retry: RetryPolicy,
    /// Simulated latency of one request.
    pub request_latency: Duration,
    /// Whether trace entries carry the request and outcome: without it (a job that keeps no
    /// trace) each attempt is counted by an empty entry, so nothing is copied for nothing.
    pub keep_trace: bool,
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let v = resp.header(header::RETRY_AFTER)?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

impl ScimClient<'_> {
    /// A request to `{base}{path}` with Azure AD's headers.
    pub(crate) fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Request {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (path, None),
        };
        let mut full = String::with_capacity(self.base_path.len() + path.len());
        full.push_str(&self.base_path);
        full.push_str(path);
        let mut req = Request {
            method,
            path: full,
            query,
            headers: http::HeaderMap::new(),
            body: bytes::Bytes::new(),
        }
        .bearer(&self.token);
        if let Some(b) = body {
            req.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(crate::scim::message::SCIM_JSON),
            );
            // Straight into bytes: `to_string` goes through `fmt::Write`, piece by piece.
            req.body = bytes::Bytes::from(serde_json::to_vec(b).unwrap_or_default());
        }
        req
    }

    /// The trace entry of one attempt (an empty one when the trace is not kept).
    fn trace_entry(
        &self,
        request: &Request,
        body: &Option<String>,
        result: &Result<Delivered, TransportError>,
        waited: Duration,
    ) -> TraceEntry {
        if !self.keep_trace {
            return TraceEntry::default();
        }
        TraceEntry {
            method: request.method.to_string(),
            path: request.path_and_query(),
            body: body.clone(),
            outcome: match result {
                Ok(d) => d.response.status.as_u16().to_string(),
                Err(e) => format!("no response: {e}"),
            },
            waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Sends with retries, appending every attempt to `trace`.
    pub(crate) async fn call(&self, request: Request, trace: &mut Vec<TraceEntry>) -> Call {
        let mut attempts = 0u32;
        let mut throttles = 0u32;
        let mut transients = 0u32;
        let mut uncertain = false;
        let mut cost = Duration::ZERO;
        let mut waited = Duration::ZERO;
        let body = (self.keep_trace && !request.body.is_empty())
            .then(|| String::from_utf8_lossy(&request.body).into_owned());
        loop {
            attempts += 1;
            let result = self.transport.send(request.clone()).await;
            cost += self.request_latency;
            if let Err(TransportError::Timeout(d)) = &result {
                cost += *d;
            }
            trace.push(self.trace_entry(&request, &body, &result, waited));
            let wait = match &result {
                Ok(d) => {
                    cost += d.simulated_delay;
                    let s = d.response.status.as_u16();
                    if s == 429 && throttles < self.retry.max_throttle_retries {
                        throttles += 1;
                        Some(retry_after(&d.response).unwrap_or(Duration::from_secs(1)))
                    } else if matches!(s, 500 | 502 | 503 | 504)
                        && transients < self.retry.max_transient_retries
                    {
                        transients += 1;
                        uncertain = true;
                        Some(retry_after(&d.response).unwrap_or(self.backoff(transients)))
                    } else {
                        None
                    }
                }
                Err(TransportError::Connect(_)) => None,
                Err(_) if transients < self.retry.max_transient_retries => {
                    transients += 1;
                    uncertain = true;
                    Some(self.backoff(transients))
                }
                Err(_) => None,
            };
            match wait {
                Some(w) => {
                    let w = w.min(Duration::from_millis(self.retry.max_wait_ms));
                    cost += w;
                    waited = w;
                    if self.transport.real_time() {
                        tokio::time::sleep(w).await;
                    }
                }
                None => {
                    let uncertain_before = uncertain && attempts > 1;
                    return Call {
                        outcome: result.map(|d| d.response),
                        attempts,
                        uncertain: uncertain_before,
                        cost,
                    };
                }
            }
        }
    }

    fn backoff(&self, n: u32) -> Duration {
        Duration::from_millis(
            self.retry
                .backoff_ms
                .saturating_mul(1u64 << (n - 1).min(16)),
        )
    }
}
