//! The mock tenant over HTTP/1.1 (hyper), kept apart from request handling.

use super::Tenant;
use super::conn::{Activity, ServedStream, refuse};
use super::exchange::Outcome;
use crate::scim::error::ScimError;
use crate::scim::message::{Request, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::sync::watch;

/// How long shutdown waits for in-flight requests before closing connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Tells a running server to stop; the server finishes in-flight requests, then exits.
#[derive(Clone, Debug)]
pub(crate) struct Shutdown(watch::Sender<bool>);

impl Shutdown {
    pub(super) fn new() -> (Shutdown, watch::Receiver<bool>) {
        let (tx, rx) = watch::channel(false);
        (Shutdown(tx), rx)
    }

    /// Asks the server to stop.
    pub(crate) fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

pub(super) async fn serve(
    listener: TcpListener,
    tenant: Tenant,
    mut signal: watch::Receiver<bool>,
) {
    let limits = tenant.options().server;
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    // header_read_timeout needs a timer, or every connection panics.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms))
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let idle = Duration::from_millis(limits.idle_timeout_ms);
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
                let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                    tokio::spawn(refuse(stream));
                    continue;
                };
                let reset = Arc::new(AtomicBool::new(false));
                let activity = Activity::new();
                let stream = ServedStream {
                    inner: stream,
                    reset: Arc::clone(&reset),
                    activity: activity.clone(),
                };
                let tenant = tenant.clone();
                let watch = activity.clone();
                let service = service_fn(move |req| {
                    let tenant = tenant.clone();
                    let reset = Arc::clone(&reset);
                    let busy = activity.busy();
                    async move {
                        let answer = handle_http(&tenant, req, &reset).await;
                        drop(busy);
                        answer
                    }
                });
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    tokio::select! {
                        _ = conn => {}
                        _ = watch.idle_for(idle) => {}
                    }
                    drop(permit);
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
/// while reading (413 without buffering more than the limit) and the whole body due within
/// `body_timeout` (408). An HTTP/1.1 request without exactly one `Host` is 400 (RFC 9112 §3.2).
pub(crate) async fn read_request(
    req: hyper::Request<Incoming>,
    max_body: usize,
    body_timeout: Duration,
) -> Result<Request, ScimError> {
    let hosts = req.headers().get_all(http::header::HOST).iter().count();
    if req.version() == http::Version::HTTP_11 && hosts != 1 {
        return Err(ScimError::invalid_syntax(
            "An HTTP/1.1 request needs exactly one Host header (RFC 9112 §3.2)",
        ));
    }
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
    let collected = tokio::time::timeout(body_timeout, Limited::new(body, max_body).collect())
        .await
        .map_err(|_| {
            ScimError::new(
                408,
                format!("The request body took longer than {body_timeout:?} to arrive"),
            )
        })?;
    let body = collected
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

/// The connection was closed on purpose (a drop, reset or hang fault): hyper closes it
/// without writing a response.
#[derive(Debug)]
pub(crate) struct ConnectionClosed;

impl std::fmt::Display for ConnectionClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by fault injection")
    }
}

impl std::error::Error for ConnectionClosed {}

/// Converts an owned [`Response`] to a hyper response with a plain body.
pub(crate) fn to_hyper(resp: Response) -> hyper::Response<FaultBody> {
    with_body(resp, FaultBody::Full(None))
}

fn with_body(resp: Response, body: FaultBody) -> hyper::Response<FaultBody> {
    let body = match body {
        FaultBody::Full(_) => FaultBody::Full(Some(resp.body)),
        other => other,
    };
    let mut out = hyper::Response::new(body);
    *out.status_mut() = resp.status;
    *out.headers_mut() = resp.headers;
    out
}

async fn handle_http(
    tenant: &Tenant,
    req: hyper::Request<Incoming>,
    reset: &AtomicBool,
) -> Result<hyper::Response<FaultBody>, ConnectionClosed> {
    let options = tenant.options();
    let body_timeout = Duration::from_millis(options.server.body_read_timeout_ms);
    let request = match read_request(req, options.max_body_bytes, body_timeout).await {
        Ok(request) => request,
        Err(e) => {
            let mut resp = super::handler::error_response(&e);
            if e.status == 408 {
                resp.headers.insert(
                    http::header::CONNECTION,
                    http::HeaderValue::from_static("close"),
                );
            }
            return Ok(to_hyper(resp));
        }
    };
    let exchange = tenant.exchange(request);
    if !exchange.delay.is_zero() {
        tokio::time::sleep(exchange.delay).await;
    }
    match exchange.outcome {
        Outcome::Respond(resp) => Ok(to_hyper(resp)),
        Outcome::Drop => Err(ConnectionClosed),
        Outcome::Reset => {
            reset.store(true, Ordering::Release);
            Err(ConnectionClosed)
        }
        Outcome::Hang(d) => {
            tokio::time::sleep(d).await;
            Err(ConnectionClosed)
        }
        Outcome::Truncate { response, keep } => {
            let part = response.body.slice(..keep.min(response.body.len()));
            let full = response.body.len() as u64;
            Ok(with_body(
                response,
                FaultBody::Truncated {
                    part: Some(part),
                    full,
                    failed: false,
                    pause: None,
                },
            ))
        }
        Outcome::Dribble {
            response,
            chunk,
            interval,
        } => {
            let data = response.body.clone();
            Ok(with_body(
                response,
                FaultBody::Dribble {
                    data,
                    chunk: chunk.max(1),
                    interval,
                    sleep: None,
                },
            ))
        }
    }
}

/// Response bodies, including the faulty ones.
pub(crate) enum FaultBody {
    /// The whole body at once.
    Full(Option<Bytes>),
    /// Part of the body, then an error that makes hyper abort the connection; the size hint
    /// still announces the full length, so the client sees a short body.
    Truncated {
        /// The bytes sent.
        part: Option<Bytes>,
        /// The announced length.
        full: u64,
        /// Whether the error was returned.
        failed: bool,
        /// A short pause after the partial body, so hyper flushes it before the abort.
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    },
    /// The body in small chunks with pauses.
    Dribble {
        /// What is left to send.
        data: Bytes,
        /// Bytes per chunk.
        chunk: usize,
        /// Pause between chunks.
        interval: Duration,
        /// The pending pause.
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl Body for FaultBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match &mut *self {
            FaultBody::Full(data) => Poll::Ready(
                data.take()
                    .filter(|d| !d.is_empty())
                    .map(|d| Ok(Frame::data(d))),
            ),
            FaultBody::Truncated {
                part,
                failed,
                pause,
                ..
            } => {
                if let Some(p) = part.take().filter(|p| !p.is_empty()) {
                    *pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                    return Poll::Ready(Some(Ok(Frame::data(p))));
                }
                if *failed {
                    return Poll::Ready(None);
                }
                if let Some(p) = pause {
                    if p.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *pause = None;
                }
                *failed = true;
                Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "truncated by fault injection",
                ))))
            }
            FaultBody::Dribble {
                data,
                chunk,
                interval,
                sleep,
            } => {
                if data.is_empty() {
                    return Poll::Ready(None);
                }
                if let Some(s) = sleep {
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *sleep = None;
                }
                let n = (*chunk).min(data.len());
                let piece = data.split_to(n);
                if !data.is_empty() {
                    *sleep = Some(Box::pin(tokio::time::sleep(*interval)));
                }
                Poll::Ready(Some(Ok(Frame::data(piece))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            FaultBody::Full(data) => data.as_ref().is_none_or(Bytes::is_empty),
            FaultBody::Truncated { .. } => false,
            FaultBody::Dribble { data, .. } => data.is_empty(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            FaultBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            FaultBody::Truncated { full, .. } => SizeHint::with_exact(*full),
            FaultBody::Dribble { data, .. } => SizeHint::with_exact(data.len() as u64),
        }
    }
}
