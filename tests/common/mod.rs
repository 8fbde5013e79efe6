//! Helpers shared by the integration tests: a real HTTP client and a tenant started on
//! a free loopback port with a virtual clock, so responses are reproducible.
#![allow(dead_code)]

use blinksim::VirtualClock;
use blinksim::tenant::{MockTenant, Tenant, TenantOptions};
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::sync::Arc;

/// 2026-01-15T09:00:00Z, the virtual "now" of test tenants.
pub const T0: i64 = 1_768_467_600_000;
pub const TOKEN: &str = "test-token";

/// A reply as the test sees it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A tenant over HTTP plus a client pointed at it.
pub struct Harness {
    pub server: MockTenant,
    pub clock: VirtualClock,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Harness {
    pub async fn start() -> Harness {
        Self::start_with(TenantOptions::default()).await
    }

    pub async fn start_with(options: TenantOptions) -> Harness {
        let clock = VirtualClock::new(T0);
        let tenant = Tenant::with_clock(
            TenantOptions {
                token: TOKEN.into(),
                seed: 42,
                ..options
            },
            Arc::new(clock.clone()),
        );
        let server = MockTenant::start_with(tenant, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = Client::builder(TokioExecutor::new()).build_http();
        Harness {
            server,
            clock,
            client,
        }
    }

    pub fn base(&self) -> String {
        self.server.uri()
    }

    /// Sends `method path` (relative to the SCIM base URL) with the right token.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.raw(
            method,
            path,
            body.map(|b| b.to_string()),
            &[
                ("authorization", &format!("Bearer {TOKEN}")),
                ("content-type", "application/scim+json"),
            ],
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Sends a request with exactly these headers and body.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base())
        };
        let mut req = hyper::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .unwrap();
        let resp = self.client.request(req).await.expect("request failed");
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// Creates a user and returns its id.
    pub async fn create(&self, user: Value) -> String {
        let r = self.post("/Users", &user).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_str().unwrap().to_string()
    }

    /// The body with the random port replaced, for snapshots.
    pub fn stable(&self, text: &str) -> String {
        text.replace(
            &format!("http://{}", self.server.address()),
            "http://127.0.0.1:PORT",
        )
    }
}

/// A user as Azure AD's Blink mapping would send it.
pub fn user_json(user_name: &str) -> Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": user_name.split('@').next().unwrap(),
        "userName": user_name,
        "active": true,
        "displayName": "Test User",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"familyName": "User", "givenName": "Test"},
        "title": "Tester",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "QA", "employeeNumber": "1"}
    })
}
