//! How the engine reaches a SCIM server: over HTTP, or in-process (the `scenario` module
//! plugs the mock tenant in without a socket). Both carry the same owned messages.

use crate::scim::message::{Request, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future (no allocation-free alternative for `dyn` traits).
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the server sent back, plus latency injected in simulated time (in-process only).
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The response.
    pub response: Response,
    /// Delay the server added, accounted in simulated time rather than waited for.
    pub simulated_delay: Duration,
}

/// A request that got no (complete) response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Could not connect.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection closed before a complete response.
    #[error("the connection was closed before a complete response")]
    Closed,
    /// The connection was reset.
    #[error("the connection was reset")]
    Reset,
    /// No response in time.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// A short code for counts: `connect`, `closed`, `reset`, `timeout`, `other`.
    pub fn code(&self) -> &'static str {
        match self {
            TransportError::Connect(_) => "connect",
            TransportError::Closed => "closed",
            TransportError::Reset => "reset",
            TransportError::Timeout(_) => "timeout",
            TransportError::Other(_) => "other",
        }
    }
}

/// A way to send SCIM requests.
pub trait Transport: Send + Sync {
    /// Sends one request.
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Delivered, TransportError>>;
    /// Whether waits (Retry-After, back-off) must really elapse: true for real servers,
    /// false for the in-process tenant, whose time is virtual.
    fn real_time(&self) -> bool;
}

/// HTTP/1.1 to a SCIM server, with a connection pool and a per-request timeout.
pub struct HttpTransport {
    client: Client<HttpConnector, Full<Bytes>>,
    origin: String,
    timeout: Duration,
}

/// An origin [`HttpTransport`] cannot reach: anything but plain `http://`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{origin}': only http:// targets are supported (blinksim runs offline, without TLS)")]
pub struct OriginError {
    /// The origin given.
    pub origin: String,
}

impl HttpTransport {
    /// A transport to `origin` (`http://host:port`); only plain HTTP: blinksim works offline.
    pub fn new(origin: &str, timeout: Duration) -> Result<Self, OriginError> {
        let origin = origin.trim_end_matches('/');
        if !origin.starts_with("http://") {
            return Err(OriginError {
                origin: origin.to_string(),
            });
        }
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(usize::MAX)
            .build(connector);
        Ok(HttpTransport {
            client,
            origin: origin.to_string(),
            timeout,
        })
    }

    async fn roundtrip(&self, request: Request) -> Result<Delivered, TransportError> {
        let uri = format!("{}{}", self.origin, request.path_and_query());
        let mut builder = hyper::Request::builder().method(request.method).uri(uri);
        if let Some(h) = builder.headers_mut() {
            *h = request.headers;
        }
        let req = builder
            .body(Full::new(request.body))
            .map_err(|e| TransportError::Other(e.to_string()))?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| classify_client_error(&e))?;
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| classify_hyper_error(&e))?
            .to_bytes();
        Ok(Delivered {
            response: Response {
                status: parts.status,
                headers: parts.headers,
                body,
            },
            simulated_delay: Duration::ZERO,
        })
    }
}

fn classify_hyper_error(e: &hyper::Error) -> TransportError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            )
        {
            return TransportError::Reset;
        }
        source = err.source();
    }
    if e.is_incomplete_message() || e.is_body_write_aborted() || e.is_closed() || e.is_canceled() {
        return TransportError::Closed;
    }
    TransportError::Other(e.to_string())
}

fn classify_client_error(e: &hyper_util::client::legacy::Error) -> TransportError {
    if e.is_connect() {
        return TransportError::Connect(format!("{e:?}"));
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            return classify_hyper_error(h);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionReset
        {
            return TransportError::Reset;
        }
        source = err.source();
    }
    TransportError::Closed
}

impl Transport for HttpTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Delivered, TransportError>> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, self.roundtrip(request)).await {
                Ok(result) => result,
                Err(_) => Err(TransportError::Timeout(self.timeout)),
            }
        })
    }

    fn real_time(&self) -> bool {
        true
    }
}
