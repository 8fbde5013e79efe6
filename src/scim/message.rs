//! HTTP messages as owned values: what the tenant handles and what the engine sends.
//! The same types travel over a socket or in-process, so behaviour is identical.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// Media type of SCIM bodies (RFC 7644 §3.1).
pub(crate) const SCIM_JSON: &str = "application/scim+json";

/// An HTTP request.
#[derive(Clone, Debug)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Path, e.g. `/scim/Users/123`.
    pub path: String,
    /// Raw (still percent-encoded) query string without `?`.
    pub query: Option<String>,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: Method, path_and_query: &str) -> Self {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path_and_query.to_string(), None),
        };
        Request {
            method,
            path,
            query,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(mut self, token: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
            self.headers.insert(header::AUTHORIZATION, v);
        }
        self
    }

    /// Sets a JSON body with `Content-Type: application/scim+json`.
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        self.body = Bytes::from(body.to_string());
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }

    /// The path and query as sent.
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// An HTTP response.
#[derive(Clone, Debug)]
pub struct Response {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Response {
    /// A response with a SCIM JSON body.
    pub fn scim(status: StatusCode, body: Bytes) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        Response {
            status,
            headers,
            body,
        }
    }

    /// A response without a body (204, 304).
    pub fn empty(status: StatusCode) -> Self {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A header as a string.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
