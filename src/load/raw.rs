//! `blinksim load --raw`: a closed-loop HTTP/1.1 load on one endpoint — C keep-alive
//! connections, each sending its next request when the last one answered, for D seconds or N
//! requests — to compare SCIM servers (and blinksim with wrk).

use super::report::OpFigures;
use crate::histogram::Histogram;
use crate::tenant::{MockTenant, Tenant, TenantOptions};
use bytes::Bytes;
use http::{Method, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// A request that gets no answer within this long counts as a timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What to send, where, how hard and how long.
#[derive(Clone, Debug)]
pub struct RawOptions {
    /// Tenant URL (`http://host:port/scim`); `None` serves an embedded tenant on loopback.
    pub url: Option<String>,
    /// Bearer token (the embedded tenant's by default).
    pub token: Option<String>,
    /// Users prefilled in the embedded tenant.
    pub users: usize,
    /// Seed of the prefill.
    pub seed: u64,
    /// Method.
    pub method: Method,
    /// Path under the tenant URL, e.g. `/Users?filter=userName eq "a@b.c"`; by default a GET
    /// by filter on `user_name`.
    pub path: Option<String>,
    /// The userName the default filter looks for (the embedded tenant's first user by default).
    pub user_name: Option<String>,
    /// Request body (JSON), for POST / PATCH / PUT.
    pub body: Option<String>,
    /// Connections, each with one request in flight.
    pub connections: usize,
    /// How long.
    pub duration: Duration,
    /// At most this many requests.
    pub max_requests: u64,
}

impl Default for RawOptions {
    fn default() -> Self {
        RawOptions {
            url: None,
            token: None,
            users: 10_000,
            seed: 1,
            method: Method::GET,
            path: None,
            user_name: None,
            body: None,
            connections: 32,
            duration: Duration::from_secs(10),
            max_requests: u64::MAX,
        }
    }
}

/// What a raw load measured.
#[derive(Clone, Debug, Serialize)]
pub struct RawReport {
    /// The URL loaded.
    pub url: String,
    /// Method.
    pub method: String,
    /// Connections.
    pub connections: usize,
    /// Real duration, milliseconds.
    pub duration_ms: u64,
    /// Requests answered.
    pub requests: u64,
    /// Requests answered per second.
    pub requests_per_sec: f64,
    /// Latency.
    pub latency: OpFigures,
    /// Responses by status.
    pub statuses: BTreeMap<u16, u64>,
    /// Transport errors by kind (`connect`, `closed`, `timeout`, ...).
    pub errors: BTreeMap<String, u64>,
}

/// Why a raw load could not run.
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    /// No connections asked for.
    #[error("--concurrency must be at least 1")]
    NoConnections,
    /// The embedded tenant could not be served.
    #[error("starting the loopback tenant: {0}")]
    Server(std::io::Error),
    /// The URL is not plain HTTP.
    #[error("'{0}': only http:// targets are supported")]
    NotHttp(String),
    /// A connection's task died.
    #[error("{0}")]
    Worker(#[from] tokio::task::JoinError),
}

impl RawReport {
    /// Failed when nothing was answered.
    pub fn exit_status(&self) -> crate::exit::ExitStatus {
        if self.requests == 0 {
            crate::exit::ExitStatus::Failed
        } else {
            crate::exit::ExitStatus::Success
        }
    }

    /// The report as text, laid out like wrk's.
    pub fn render(&self) -> String {
        use super::report::thousands;
        let mut out = format!(
            "blinksim load --raw: {} {} with {} connections for {:.1} s\n",
            self.method,
            self.url,
            self.connections,
            self.duration_ms as f64 / 1000.0
        );
        out.push_str(&format!(
            "  {} requests = {} req/s\n  latency ms: p50 {:.3} | p90 {:.3} | p99 {:.3} | max {:.3}\n",
            thousands(self.requests as f64),
            thousands(self.requests_per_sec),
            self.latency.p50_ms,
            self.latency.p90_ms,
            self.latency.p99_ms,
            self.latency.max_ms
        ));
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {}", thousands(*n as f64)))
            .collect();
        out.push_str(&format!("  statuses: {}\n", statuses.join(" | ")));
        if !self.errors.is_empty() {
            let errors: Vec<String> = self
                .errors
                .iter()
                .map(|(e, n)| format!("{e}: {}", thousands(*n as f64)))
                .collect();
            out.push_str(&format!("  errors: {}\n", errors.join(" | ")));
        }
        out
    }
}

/// One connection's tallies.
#[derive(Default)]
struct Tally {
    latency: Histogram,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
}

/// Runs the load.
pub async fn run(options: &RawOptions) -> Result<RawReport, RawError> {
    if options.connections == 0 {
        return Err(RawError::NoConnections);
    }
    let (base, token, default_user, server) = match &options.url {
        Some(url) => (
            url.trim_end_matches('/').to_string(),
            options.token.clone().unwrap_or_default(),
            "loadtest@blinksim.example".to_string(),
            None,
        ),
        None => embedded(options).await?,
    };
    let (authority, path) = request_target(options, &base, default_user)?;
    let authority = authority.as_str();
    let url = format!("http://{authority}{path}");

    let started = Instant::now();
    let deadline = started + options.duration;
    let issued = Arc::new(AtomicU64::new(0));
    let body = Bytes::from(options.body.clone().unwrap_or_default());
    let workers: Vec<_> = (0..options.connections)
        .map(|_| {
            let job = Worker {
                authority: authority.to_string(),
                path: path.clone(),
                method: options.method.clone(),
                token: token.clone(),
                body: body.clone(),
                deadline,
                issued: issued.clone(),
                max: options.max_requests,
            };
            tokio::spawn(job.run())
        })
        .collect();
    let mut total = Tally::default();
    for w in workers {
        let t = w.await?;
        total.latency.merge(&t.latency);
        for (s, n) in t.statuses {
            *total.statuses.entry(s).or_default() += n;
        }
        for (e, n) in t.errors {
            *total.errors.entry(e).or_default() += n;
        }
    }
    let elapsed = started.elapsed();
    if let Some(server) = server {
        server.shutdown().await;
    }
    let requests: u64 = total.statuses.values().sum();
    Ok(RawReport {
        url,
        method: options.method.to_string(),
        connections: options.connections,
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        requests,
        requests_per_sec: requests as f64 / elapsed.as_secs_f64().max(1e-9),
        latency: OpFigures::new("raw", &total.latency),
        statuses: total.statuses,
        errors: total.errors,
    })
}

/// The embedded tenant, prefilled and served on a loopback port: its URL, token, a userName
/// to look up, and the server.
async fn embedded(
    options: &RawOptions,
) -> Result<(String, String, String, Option<MockTenant>), RawError> {
    let tenant = Tenant::new(TenantOptions {
        seed: options.seed,
        journal_capacity: 0,
        ..TenantOptions::default()
    });
    tenant.prefill(options.users, options.seed);
    let first = tenant
        .users()
        .first()
        .and_then(|u| u.get("userName")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "loadtest@blinksim.example".into());
    let token = tenant.options().token.clone();
    let started = MockTenant::start_with(tenant, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(RawError::Server)?;
    let base = started.uri();
    Ok((
        base,
        options.token.clone().unwrap_or(token),
        first,
        Some(started),
    ))
}

/// The authority and request path the load sends: `--path`, or a GET by filter on one userName.
fn request_target(
    options: &RawOptions,
    base: &str,
    default_user: String,
) -> Result<(String, String), RawError> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| RawError::NotHttp(base.to_string()))?;
    let (authority, base_path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let path = match &options.path {
        Some(p) => format!("{base_path}{}", encode(p)),
        None => {
            let user = options.user_name.clone().unwrap_or(default_user);
            format!(
                "{base_path}/Users?filter={}",
                encode(&format!("userName eq \"{user}\""))
            )
        }
    };
    Ok((authority.to_string(), path))
}

/// Percent-encodes what may not appear in a request target (spaces, quotes, ...).
fn encode(path: &str) -> String {
    const UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    percent_encoding::utf8_percent_encode(path, UNSAFE).to_string()
}

struct Worker {
    authority: String,
    path: String,
    method: Method,
    token: String,
    body: Bytes,
    deadline: Instant,
    issued: Arc<AtomicU64>,
    max: u64,
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

impl Worker {
    async fn connect(&self) -> Result<Sender, String> {
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }

    async fn run(self) -> Tally {
        let mut tally = Tally::default();
        let mut sender: Option<Sender> = None;
        let auth = format!("Bearer {}", self.token);
        while Instant::now() < self.deadline
            && self.issued.fetch_add(1, Ordering::Relaxed) < self.max
        {
            let mut s = match sender.take() {
                Some(s) => s,
                None => match self.connect().await {
                    Ok(s) => s,
                    Err(_) => {
                        *tally.errors.entry("connect".into()).or_default() += 1;
                        // Do not spin on a refused connection.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
            };
            let mut builder = hyper::Request::builder()
                .method(self.method.clone())
                .uri(&self.path)
                .header(header::HOST, &self.authority)
                .header(header::AUTHORIZATION, &auth);
            if !self.body.is_empty() {
                builder = builder.header(header::CONTENT_TYPE, "application/scim+json");
            }
            let Ok(request) = builder.body(Full::new(self.body.clone())) else {
                *tally.errors.entry("bad request".into()).or_default() += 1;
                break;
            };
            let started = Instant::now();
            let answered = tokio::time::timeout(REQUEST_TIMEOUT, async {
                let response = s.send_request(request).await?;
                let status = response.status().as_u16();
                response.into_body().collect().await?;
                Ok::<u16, hyper::Error>(status)
            })
            .await;
            match answered {
                Ok(Ok(status)) => {
                    tally.latency.record(started.elapsed());
                    *tally.statuses.entry(status).or_default() += 1;
                    sender = Some(s);
                }
                Ok(Err(_)) => *tally.errors.entry("closed".into()).or_default() += 1,
                Err(_) => *tally.errors.entry("timeout".into()).or_default() += 1,
            }
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_targets_are_encoded() {
        assert_eq!(
            encode("/Users?filter=userName eq \"a@b.c\""),
            "/Users?filter=userName%20eq%20%22a@b.c%22"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bounded_raw_load_against_the_embedded_tenant() {
        let report = run(&RawOptions {
            users: 50,
            connections: 4,
            duration: Duration::from_secs(5),
            max_requests: 200,
            ..RawOptions::default()
        })
        .await
        .unwrap();
        assert_eq!(report.requests, 200, "{report:?}");
        assert_eq!(report.statuses.get(&200), Some(&200));
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(
            report
                .url
                .contains("/scim/Users?filter=userName%20eq%20%22")
        );
    }
}
