//! A SCIM server with one quirk: a loopback proxy in front of the embedded tenant that breaks
//! exactly one behaviour Entra relies on (the kind of thing real servers get wrong), so each
//! check can be shown to fail on what it checks and nothing else.
#![allow(dead_code)]

use blinksim::engine::{HttpTransport, Transport};
use blinksim::scim::{Request, Response};
use blinksim::tenant::MockTenant;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// One way a server departs from what Entra needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quirk {
    /// `filter` is ignored: every list answers every user.
    IgnoresFilter,
    /// Any token, or none, is accepted.
    OpenEndpoint,
    /// `/ServiceProviderConfig` says PATCH is unsupported.
    PatchUnsupported,
    /// `/Schemas` leaves out Blink's extension.
    NoBlinkSchema,
    /// `/ResourceTypes` lists no User type.
    NoUserType,
    /// A create answers 201 without `Location`.
    NoLocation,
    /// A create answers 204: no body, no id.
    CreateNoContent,
    /// `userName eq` compares case-sensitively.
    CaseSensitiveUserName,
    /// `externalId eq` is refused (400 invalidFilter).
    NoExternalIdFilter,
    /// A GET by id answers another user's id.
    WrongIdOnGet,
    /// A duplicate create gets 400 instead of 409.
    DuplicateIs400,
    /// A duplicate create gets 409 with a plain JSON body.
    DuplicatePlainBody,
    /// A PATCH answers 200 with the resource but changes nothing.
    IgnoresPatch,
    /// A PATCH with capitalised ops (`Replace`, the legacy dialect) gets 400.
    RefusesLegacy,
    /// An operation without `path` gets 400.
    RequiresPath,
    /// `"True"`/`"False"` strings are refused (400).
    RefusesStringBooleans,
    /// A PATCH answers 200 with an empty body.
    PatchEmptyOk,
    /// A PATCH that changes nothing gets 400.
    RefusesNoopPatch,
    /// Users always read back active.
    AlwaysActive,
    /// The manager is never shown.
    DropsManager,
    /// A removed manager stays.
    KeepsManager,
    /// A member removed from a group stays (the PATCH answers 200 and changes nothing).
    KeepsGroupMember,
    /// A DELETE answers 204 and the user stays.
    SoftDelete,
    /// `startIndex` and `count` are ignored.
    IgnoresPaging,
    /// `attributes` and `excludedAttributes` are ignored.
    IgnoresAttributes,
    /// Errors come as `{"error": ...}` in `application/json`.
    PlainErrors,
}

/// The proxy, serving on a free loopback port until dropped.
pub struct Proxy {
    /// Its tenant URL (`http://127.0.0.1:port/scim`).
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Ctx {
    quirk: Quirk,
    token: String,
    transport: HttpTransport,
}

impl Proxy {
    /// Starts a proxy with `quirk` in front of `mock`.
    pub async fn start(mock: &MockTenant, quirk: Quirk) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let transport =
            HttpTransport::new(&mock.origin(), Duration::from_secs(30)).expect("transport");
        let ctx = Arc::new(Ctx {
            quirk,
            token: mock.token().to_string(),
            transport,
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(req, ctx.clone()));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Proxy {
            url: format!("http://{addr}/scim"),
            task,
        }
    }
}

async fn handle(
    req: hyper::Request<hyper::body::Incoming>,
    ctx: Arc<Ctx>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = Request::new(parts.method.clone(), path);
    request.headers = parts.headers;
    request.headers.remove(header::HOST);
    request.headers.remove(header::CONTENT_LENGTH);
    request.body = body;
    let sent = request.clone();
    if ctx.quirk == Quirk::RefusesNoopPatch && request.method == Method::PATCH {
        let mut read = request.clone();
        read.method = Method::GET;
        read.body = Bytes::new();
        let user = ctx
            .transport
            .send(read)
            .await
            .ok()
            .and_then(|d| d.response.json());
        if user.is_some_and(|u| changes_nothing(&request, &u)) {
            return Ok(to_hyper(scim_error(400, "nothing to update")));
        }
    }
    let response = match before(ctx.quirk, &mut request, &ctx.token) {
        Some(answer) => answer,
        None => match ctx.transport.send(request).await {
            Ok(delivered) => after(ctx.quirk, &sent, delivered.response),
            Err(e) => scim_error(502, &e.to_string()),
        },
    };
    Ok(to_hyper(response))
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(response.body));
    *out.status_mut() = response.status;
    *out.headers_mut() = response.headers;
    // The body may have been rewritten: hyper sets the length.
    out.headers_mut().remove(header::CONTENT_LENGTH);
    out.headers_mut().remove(header::TRANSFER_ENCODING);
    out
}

fn scim_error(status: u16, detail: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.to_string(), "detail": detail});
    Response::scim(code, Bytes::from(body.to_string()))
}

fn is_user(req: &Request) -> bool {
    req.path.contains("/Users/")
}

/// The PatchOp operations of a request body.
fn operations(req: &Request) -> Vec<Value> {
    serde_json::from_slice::<Value>(&req.body)
        .ok()
        .and_then(|b| b.get("Operations").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn has_string_boolean(v: &Value) -> bool {
    match v {
        Value::String(s) => s == "True" || s == "False",
        Value::Object(o) => o.values().any(has_string_boolean),
        Value::Array(a) => a.iter().any(has_string_boolean),
        _ => false,
    }
}

fn drop_params(req: &mut Request, names: &[&str]) {
    if let Some(q) = req.query.take() {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| !names.contains(&p.split('=').next().unwrap_or_default()))
            .collect();
        req.query = (!kept.is_empty()).then(|| kept.join("&"));
    }
}

fn param(req: &Request, name: &str) -> Option<String> {
    let q = req.query.as_deref()?;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What the quirk does before the tenant sees the request: change it, or answer itself.
fn before(quirk: Quirk, req: &mut Request, token: &str) -> Option<Response> {
    let patch = req.method == Method::PATCH;
    match quirk {
        Quirk::IgnoresFilter => drop_params(req, &["filter"]),
        Quirk::OpenEndpoint => {
            let bearer = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
            req.headers.insert(header::AUTHORIZATION, bearer);
        }
        Quirk::CreateNoContent if req.method == Method::POST => {
            return Some(Response::empty(StatusCode::NO_CONTENT));
        }
        Quirk::NoExternalIdFilter
            if param(req, "filter").is_some_and(|f| f.starts_with("externalId")) =>
        {
            return Some(scim_error(
                400,
                "invalidFilter: externalId cannot be filtered",
            ));
        }
        Quirk::IgnoresPatch if patch => {
            req.method = Method::GET;
            req.body = Bytes::new();
        }
        Quirk::RefusesLegacy if patch => {
            let capital = operations(req).iter().any(|o| {
                o.get("op")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.starts_with(char::is_uppercase))
            });
            if capital {
                return Some(scim_error(400, "invalidSyntax: unknown op"));
            }
        }
        Quirk::RequiresPath if patch && operations(req).iter().any(|o| o.get("path").is_none()) => {
            return Some(scim_error(400, "noTarget: path is required"));
        }
        Quirk::RefusesStringBooleans
            if patch && has_string_boolean(&Value::from(operations(req))) =>
        {
            return Some(scim_error(400, "invalidValue: active must be a boolean"));
        }
        Quirk::KeepsManager if patch => {
            let removes_manager = operations(req).iter().any(|o| {
                o.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.starts_with("manager"))
            });
            if removes_manager {
                req.method = Method::GET;
                req.body = Bytes::new();
            }
        }
        Quirk::KeepsGroupMember if patch && req.path.contains("/Groups/") => {
            let removes = operations(req).iter().any(|o| {
                o.get("op")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("remove"))
            });
            if removes {
                req.method = Method::GET;
                req.body = Bytes::new();
            }
        }
        Quirk::SoftDelete if req.method == Method::DELETE => {
            return Some(Response::empty(StatusCode::NO_CONTENT));
        }
        Quirk::IgnoresPaging => drop_params(req, &["startIndex", "count"]),
        Quirk::IgnoresAttributes => drop_params(req, &["attributes", "excludedAttributes"]),
        _ => {}
    }
    None
}

fn rewrite(mut resp: Response, edit: impl FnOnce(&mut Value)) -> Response {
    if let Some(mut body) = resp.json() {
        edit(&mut body);
        resp.body = Bytes::from(body.to_string());
    }
    resp
}

fn retain_resources(body: &mut Value, keep: impl Fn(&Value) -> bool) {
    if let Some(list) = body.get_mut("Resources").and_then(Value::as_array_mut) {
        list.retain(keep);
        let n = list.len();
        body["totalResults"] = Value::from(n);
    }
}

/// What the quirk does to the tenant's answer.
fn after(quirk: Quirk, req: &Request, resp: Response) -> Response {
    let path = req.path.as_str();
    let status = resp.status.as_u16();
    let get_user = req.method == Method::GET && is_user(req);
    match quirk {
        Quirk::PatchUnsupported if path.ends_with("/ServiceProviderConfig") => {
            rewrite(resp, |b| b["patch"]["supported"] = Value::Bool(false))
        }
        Quirk::NoBlinkSchema if path.ends_with("/Schemas") => rewrite(resp, |b| {
            retain_resources(b, |s| {
                !s["id"].as_str().is_some_and(|id| id.contains(":blink:"))
            })
        }),
        Quirk::NoUserType if path.ends_with("/ResourceTypes") => {
            rewrite(resp, |b| retain_resources(b, |t| t["endpoint"] != "/Users"))
        }
        Quirk::NoLocation => {
            let mut resp = resp;
            resp.headers.remove(header::LOCATION);
            resp
        }
        Quirk::CaseSensitiveUserName => match param(req, "filter") {
            Some(f) if f.starts_with("userName eq ") => {
                let wanted = f["userName eq ".len()..].trim_matches('"').to_string();
                rewrite(resp, |b| {
                    retain_resources(b, |u| u["userName"] == wanted.as_str())
                })
            }
            _ => resp,
        },
        Quirk::WrongIdOnGet if get_user => rewrite(resp, |b| b["id"] = Value::from("someone-else")),
        Quirk::DuplicateIs400 if status == 409 => scim_error(400, "uniqueness"),
        Quirk::DuplicatePlainBody if status == 409 => plain_error(resp),
        Quirk::PatchEmptyOk if req.method == Method::PATCH && status == 200 => {
            let mut resp = resp;
            resp.body = Bytes::new();
            resp
        }
        Quirk::AlwaysActive if get_user => rewrite(resp, |b| b["active"] = Value::Bool(true)),
        Quirk::DropsManager if get_user => rewrite(resp, |b| {
            let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
            if let Some(e) = b.get_mut(ext).and_then(Value::as_object_mut) {
                e.remove("manager");
            }
        }),
        Quirk::PlainErrors if status >= 400 => plain_error(resp),
        _ => resp,
    }
}

fn plain_error(resp: Response) -> Response {
    let mut out = Response::scim(resp.status, Bytes::from(r#"{"error":"request failed"}"#));
    out.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    out
}

/// Whether every operation of a PATCH sets a value `user` already holds (a no-op).
fn changes_nothing(req: &Request, user: &Value) -> bool {
    let ops = operations(req);
    !ops.is_empty()
        && ops.iter().all(|o| {
            let path = o.get("path").and_then(Value::as_str).unwrap_or_default();
            !path.is_empty() && user.get(path).is_some() && user.get(path) == o.get("value")
        })
}
