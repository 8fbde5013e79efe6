//! The thin HTTP layer: sends requests to the target, records every exchange, remembers what
//! the checks created so it can delete it (and only it) at the end.

use super::{CheckError, CheckOptions, Exchange, millis};
use crate::engine::transport::{HttpTransport, Transport, TransportError};
use crate::scim::message::{Request, Response};
use http::{Method, header};
use serde_json::Value;
use std::time::Instant;

/// How a request authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// The configured bearer token, as Entra sends it.
    Token,
    /// No Authorization header.
    Missing,
    /// A bearer token that is not the configured one.
    Wrong,
}

/// A user a check created: its id and the values it was created with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// Server id.
    pub id: String,
    /// userName sent.
    pub user_name: String,
    /// externalId sent.
    pub external_id: String,
}

/// Sends the checks' requests.
pub struct Runner {
    transport: HttpTransport,
    base_path: String,
    token: String,
    /// Options of the run.
    pub options: CheckOptions,
    /// Prefix of every object the checks create (`bscheck-<run>-`).
    pub prefix: String,
    /// The shared user the `create` check made, used by later checks.
    pub fixture: Option<Created>,
    /// What a passing check has to say (the lifecycle's cycles), taken with its result.
    pub note: Option<String>,
    exchanges: Vec<Exchange>,
    created: Vec<String>,
    groups_advertised: bool,
    serial: u32,
    slowest: Option<(u64, String)>,
}

/// Splits a tenant URL into origin and base path (query flags dropped).
pub fn split_url(url: &str) -> Result<(String, String), CheckError> {
    let bad = || CheckError::BadUrl(url.to_string());
    let no_query = url.split(['?', '#']).next().unwrap_or_default();
    let rest = no_query.strip_prefix("http://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() {
        return Err(bad());
    }
    let path = path.trim_end_matches('/');
    let base = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    Ok((format!("http://{host}"), base))
}

impl Runner {
    /// Connects to the target: it must answer `GET /ResourceTypes` with anything at all.
    pub async fn connect(options: &CheckOptions) -> Result<Runner, CheckError> {
        let (origin, base_path) = split_url(&options.url)?;
        // A little past the limit, so a slow answer is judged by `response-time`, not lost.
        let timeout = options.answer_limit + std::time::Duration::from_secs(5);
        let transport = HttpTransport::new(&origin, timeout)
            .map_err(|_| CheckError::BadUrl(options.url.clone()))?;
        let run = uuid::Uuid::new_v4().simple().to_string();
        let mut runner = Runner {
            transport,
            base_path,
            token: options.token.clone(),
            options: options.clone(),
            prefix: format!("bscheck-{}-", &run[..8]),
            fixture: None,
            note: None,
            exchanges: Vec::new(),
            created: Vec::new(),
            groups_advertised: false,
            serial: 0,
            slowest: None,
        };
        let answer = runner
            .send(Method::GET, "/ResourceTypes", None, Auth::Token)
            .await;
        runner.exchanges.clear();
        match answer {
            Err(e) => Err(CheckError::Unreachable {
                url: options.url.clone(),
                detail: e.to_string(),
            }),
            Ok(resp) => {
                runner.groups_advertised = resp.json().is_some_and(|v| advertises_groups(&v));
                Ok(runner)
            }
        }
    }

    /// Whether `/ResourceTypes` lists a Group type.
    pub fn groups_advertised(&self) -> bool {
        self.groups_advertised
    }

    /// A fresh name under the run's prefix.
    pub fn fresh_name(&mut self, what: &str) -> String {
        self.serial += 1;
        format!("{}{what}{}", self.prefix, self.serial)
    }

    /// Sends one request (`path` relative to the tenant URL) and records the exchange.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        auth: Auth,
    ) -> Result<Response, TransportError> {
        let mut request = Request::new(method.clone(), &format!("{}{path}", self.base_path));
        request = match auth {
            Auth::Token => request.bearer(&self.token),
            Auth::Missing => request,
            Auth::Wrong => request.bearer("blinksim-check-wrong-token"),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let shown_path = request.path_and_query();
        let started = Instant::now();
        let outcome = self.transport.send(request).await.map(|d| d.response);
        let took = millis(started.elapsed());
        if self.slowest.as_ref().is_none_or(|(ms, _)| took > *ms) {
            self.slowest = Some((took, format!("{method} {shown_path}")));
        }
        let sent = body.map(Value::to_string);
        let exchange = exchange(&method, shown_path, sent, outcome.as_ref(), took);
        self.exchanges.push(exchange);
        outcome
    }

    /// The slowest answer so far: milliseconds and request line.
    pub fn slowest(&self) -> Option<&(u64, String)> {
        self.slowest.as_ref()
    }

    /// Remembers an object to delete at the end (`Users/<id>` or `Groups/<id>`).
    pub fn created(&mut self, resource: String) {
        self.created.push(resource);
    }

    /// Adds exchanges another sender recorded (the lifecycle's engine).
    pub fn record(&mut self, exchanges: Vec<Exchange>) {
        self.exchanges.extend(exchanges);
    }

    /// Forgets an object a check already deleted.
    pub fn deleted(&mut self, resource: &str) {
        self.created.retain(|r| r != resource);
    }

    /// The exchanges recorded since the last call.
    pub fn take_exchanges(&mut self) -> Vec<Exchange> {
        std::mem::take(&mut self.exchanges)
    }

    /// Deletes what the checks created (newest first) unless `keep`; returns what is left.
    pub async fn cleanup(&mut self, keep: bool) -> Vec<String> {
        if keep {
            return std::mem::take(&mut self.created);
        }
        let mut left = Vec::new();
        while let Some(resource) = self.created.pop() {
            let path = format!("/{resource}");
            match self.send(Method::DELETE, &path, None, Auth::Token).await {
                Ok(r) if r.status.is_success() || r.status.as_u16() == 404 => {}
                _ => left.push(resource),
            }
        }
        self.exchanges.clear();
        left
    }

    /// Sends `count` probe GETs at up to `rate` per second, `parallel` at a time; returns the
    /// statuses (None for a transport error) and the wall time taken.
    pub async fn burst(&mut self, path: &str, count: u32, rate: u32) -> (Vec<Option<u16>>, u64) {
        let started = Instant::now();
        let full = format!("{}{path}", self.base_path);
        let (transport, token) = (&self.transport, self.token.as_str());
        let sends = (0..count).map(|i| {
            let request = Request::new(Method::GET, &full).bearer(token);
            let due = std::time::Duration::from_secs_f64(f64::from(i) / f64::from(rate.max(1)));
            async move {
                tokio::time::sleep_until(tokio::time::Instant::from_std(started + due)).await;
                transport
                    .send(request)
                    .await
                    .ok()
                    .map(|d| d.response.status.as_u16())
            }
        });
        let statuses = futures::future::join_all(sends).await;
        let took = millis(started.elapsed());
        let mut counts = std::collections::BTreeMap::new();
        for s in &statuses {
            *counts
                .entry(s.map_or("no answer".to_string(), |s| s.to_string()))
                .or_insert(0) += 1;
        }
        let tally: Vec<String> = counts.iter().map(|(s, n)| format!("{n} × {s}")).collect();
        self.exchanges.push(Exchange {
            method: "GET".into(),
            path: format!("{full} ({count} times at {rate}/s)"),
            request_body: None,
            status: statuses
                .iter()
                .flatten()
                .copied()
                .find(|s| *s != 200)
                .or(Some(200)),
            content_type: None,
            response: format!("{} in {took} ms", tally.join(", ")),
            elapsed_ms: took,
        });
        (statuses, took)
    }
}

fn advertises_groups(v: &Value) -> bool {
    let list = v.get("Resources").and_then(Value::as_array);
    list.is_some_and(|items| {
        items.iter().any(|t| {
            t.get("name").and_then(Value::as_str) == Some("Group")
                || t.get("endpoint").and_then(Value::as_str) == Some("/Groups")
        })
    })
}

const SHOWN_BYTES: usize = 4096;

/// The record of one request and its outcome (the body cut at 4 KiB).
pub(super) fn exchange(
    method: &Method,
    path: String,
    request_body: Option<String>,
    outcome: Result<&Response, &TransportError>,
    elapsed_ms: u64,
) -> Exchange {
    let (status, content_type, response) = match outcome {
        Ok(r) => {
            let text = String::from_utf8_lossy(&r.body);
            let cut = text
                .char_indices()
                .nth(SHOWN_BYTES)
                .map_or(text.len(), |(i, _)| i);
            (
                Some(r.status.as_u16()),
                r.header(header::CONTENT_TYPE).map(str::to_string),
                text[..cut].to_string(),
            )
        }
        Err(e) => (None, None, format!("no response: {e}")),
    };
    Exchange {
        method: method.to_string(),
        path,
        request_body,
        status,
        content_type,
        response,
        elapsed_ms,
    }
}
