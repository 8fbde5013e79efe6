//! The mock tenant over HTTP/1.1 (hyper), kept apart from request handling.

use super::Tenant;
use super::options::TenantOptions;
use crate::scim::error::ScimError;
use crate::scim::message::{Request, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long shutdown waits for in-flight requests before closing connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Tells a running server to stop; the server finishes in-flight requests, then exits.
#[derive(Clone, Debug)]
pub struct Shutdown(watch::Sender<bool>);

impl Shutdown {
    fn new() -> (Shutdown, watch::Receiver<bool>) {
        let (tx, rx) = watch::channel(false);
        (Shutdown(tx), rx)
    }

    /// Asks the server to stop.
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

/// A mock Blink tenant served over HTTP on a local port. Stops when dropped.
pub struct MockTenant {
    tenant: Tenant,
    addr: SocketAddr,
    shutdown: Shutdown,
    task: Option<JoinHandle<()>>,
}

impl MockTenant {
    /// Starts an empty tenant with default options on `127.0.0.1` and a free port.
    pub async fn start() -> MockTenant {
        Self::start_with(
            Tenant::new(TenantOptions::default()),
            SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .await
        .unwrap_or_else(|e| panic!("could not bind 127.0.0.1:0: {e}"))
    }

    /// Serves `tenant` on `addr` (port 0 picks a free port).
    pub async fn start_with(tenant: Tenant, addr: SocketAddr) -> std::io::Result<MockTenant> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        tenant.set_base_url(&format!("http://{addr}{}", super::options::BASE_PATH));
        let (shutdown, signal) = Shutdown::new();
        let task = tokio::spawn(serve(listener, tenant.clone(), signal));
        Ok(MockTenant {
            tenant,
            addr,
            shutdown,
            task: Some(task),
        })
    }

    /// The SCIM base URL, e.g. `http://127.0.0.1:41234/scim`.
    pub fn uri(&self) -> String {
        format!("http://{}{}", self.addr, super::options::BASE_PATH)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer token clients must send.
    pub fn token(&self) -> &str {
        &self.tenant.options().token
    }

    /// The tenant behind the server (read and seed users here).
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Stops accepting, lets in-flight requests finish (bounded), and waits for the server.
    pub async fn shutdown(mut self) {
        self.shutdown.trigger();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockTenant {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

async fn serve(listener: TcpListener, tenant: Tenant, mut signal: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    // header_read_timeout needs a timer, or every connection panics.
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let tenant = tenant.clone();
                let service = service_fn(move |req| {
                    let tenant = tenant.clone();
                    async move { Ok::<_, Infallible>(handle_http(&tenant, req).await) }
                });
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = signal.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN_TIMEOUT) => {}
    }
}

/// Converts a hyper request to an owned [`Request`], with the body size limit enforced
/// while reading (413 without buffering more than the limit).
pub async fn read_request(
    req: hyper::Request<Incoming>,
    max_body: usize,
) -> Result<Request, ScimError> {
    let too_large = || ScimError::new(413, format!("The request body exceeds {max_body} bytes"));
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, max_body)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                ScimError::new(400, format!("Could not read the request body: {e}"))
            }
        })?
        .to_bytes();
    Ok(Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    })
}

/// Converts an owned [`Response`] to a hyper response.
pub fn to_hyper(resp: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(resp.body));
    *out.status_mut() = resp.status;
    *out.headers_mut() = resp.headers;
    out
}

async fn handle_http(
    tenant: &Tenant,
    req: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let resp = match read_request(req, tenant.options().max_body_bytes).await {
        Ok(request) => tenant.handle(&request),
        Err(e) => super::handler::error_response(&e),
    };
    to_hyper(resp)
}
