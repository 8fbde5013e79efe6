//! A transport wrapper that measures every request's real latency and outcome, by operation.

use crate::engine::transport::{BoxFuture, Delivered, Transport, TransportError};
use crate::histogram::Histogram;
use crate::scim::message::Request;
use http::Method;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// What a request does, for per-operation figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Op {
    /// `GET /Users?filter=...` (matching, test connection).
    GetFilter,
    /// `GET /Users/{id}` (read before update).
    GetById,
    /// `GET` of anything else (lists, discovery).
    GetOther,
    /// `POST /Users`.
    Post,
    /// `PATCH /Users/{id}`.
    Patch,
    /// `PUT /Users/{id}`.
    Put,
    /// `DELETE /Users/{id}`.
    Delete,
    /// Anything else.
    Other,
}

impl Op {
    /// Classifies a request by method and path.
    pub(crate) fn of(method: &Method, path_and_query: &str) -> Op {
        let path = path_and_query.split('?').next().unwrap_or_default();
        let by_id = path
            .rsplit_once("/Users/")
            .is_some_and(|(_, id)| !id.is_empty());
        match *method {
            Method::GET if path_and_query.contains("filter=") => Op::GetFilter,
            Method::GET if by_id => Op::GetById,
            Method::GET => Op::GetOther,
            Method::POST => Op::Post,
            Method::PATCH => Op::Patch,
            Method::PUT => Op::Put,
            Method::DELETE => Op::Delete,
            _ => Op::Other,
        }
    }

    /// A short label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Op::GetFilter => "GET by filter",
            Op::GetById => "GET by id",
            Op::GetOther => "GET other",
            Op::Post => "POST",
            Op::Patch => "PATCH",
            Op::Put => "PUT",
            Op::Delete => "DELETE",
            Op::Other => "other",
        }
    }
}

/// Latencies by operation and error counts by code.
#[derive(Clone, Debug, Default)]
pub(crate) struct Measurements {
    /// Real latency of each request, by operation.
    pub latency: BTreeMap<Op, Histogram>,
    /// `HTTP 429`, `HTTP 500`, `timeout`, ... with counts.
    pub errors: BTreeMap<String, u64>,
}

impl Measurements {
    /// Records one request.
    pub(crate) fn record(
        &mut self,
        op: Op,
        started: Instant,
        result: &Result<Delivered, TransportError>,
    ) {
        self.latency
            .entry(op)
            .or_default()
            .record(started.elapsed());
        let error = match result {
            Ok(d) if d.response.status.as_u16() >= 400 => {
                Some(format!("HTTP {}", d.response.status.as_u16()))
            }
            Ok(_) => None,
            Err(e) => Some(e.code().to_string()),
        };
        if let Some(code) = error {
            *self.errors.entry(code).or_default() += 1;
        }
    }

    /// Requests recorded.
    pub(crate) fn requests(&self) -> u64 {
        self.latency.values().map(Histogram::count).sum()
    }
}

/// A handle on the measurements of the transports it wraps; clones share them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meter(Arc<Mutex<Measurements>>);

impl Meter {
    /// Measures `inner` into this meter.
    pub(crate) fn wrap(&self, inner: Arc<dyn Transport>) -> TimedTransport {
        TimedTransport {
            inner,
            measurements: self.clone(),
        }
    }

    /// Takes the measurements so far, leaving none.
    pub(crate) fn take(&self) -> Measurements {
        std::mem::take(&mut *self.0.lock())
    }
}

/// Wraps a transport, measuring what goes through it (see [`Meter::wrap`]).
pub(crate) struct TimedTransport {
    inner: Arc<dyn Transport>,
    measurements: Meter,
}

impl Transport for TimedTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Delivered, TransportError>> {
        let op = Op::of(&request.method, &request.path_and_query());
        let started = Instant::now();
        let future = self.inner.send(request);
        Box::pin(async move {
            let result = future.await;
            self.measurements.0.lock().record(op, started, &result);
            result
        })
    }

    fn real_time(&self) -> bool {
        self.inner.real_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified() {
        assert_eq!(
            Op::of(&Method::GET, "/scim/Users?filter=userName+eq+%22a%22"),
            Op::GetFilter
        );
        assert_eq!(Op::of(&Method::GET, "/scim/Users/abc"), Op::GetById);
        assert_eq!(Op::of(&Method::GET, "/scim/Users"), Op::GetOther);
        assert_eq!(Op::of(&Method::PATCH, "/scim/Users/abc"), Op::Patch);
        assert_eq!(Op::of(&Method::DELETE, "/scim/Users/abc"), Op::Delete);
    }
}
