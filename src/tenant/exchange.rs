//! One request through the whole tenant: admin routing, the fault decision, SCIM handling
//! and the journal. The HTTP server and in-process transports both call [`Tenant::exchange`]
//! and act on its [`Outcome`]; only the server can reset a socket, so transport-level
//! outcomes are described here and carried out there.

use super::Tenant;
use super::faults::{Decision, Effect, LostAs, Operation, RequestFacts};
use super::handler::{Endpoint, endpoint, error_response};
use super::journal::JournalEntry;
use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::{CompValue, CompareOp, Filter, Test, parse};
use crate::scim::fold::fold;
use crate::scim::message::{Request, Response};
use crate::scim::user::lookup;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a hang lasts when the rule does not say.
pub(crate) const DEFAULT_HANG: Duration = Duration::from_secs(60);

/// What the client experiences.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A complete response.
    Respond(Response),
    /// The connection closes without a response.
    Drop,
    /// The connection is reset (TCP RST).
    Reset,
    /// Nothing happens for this long, then the connection closes.
    Hang(Duration),
    /// The headers and the first `keep` body bytes, then the connection closes.
    Truncate {
        /// The full response.
        response: Response,
        /// Body bytes sent.
        keep: usize,
    },
    /// The response, its body sent `chunk` bytes at a time every `interval`.
    Dribble {
        /// The response.
        response: Response,
        /// Bytes per chunk.
        chunk: usize,
        /// Pause between chunks.
        interval: Duration,
    },
}

impl Outcome {
    /// The response status the client sees, if it sees one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Outcome::Respond(r)
            | Outcome::Truncate { response: r, .. }
            | Outcome::Dribble { response: r, .. } => Some(r.status.as_u16()),
            _ => None,
        }
    }
}

/// The result of [`Tenant::exchange`].
#[derive(Clone, Debug)]
pub struct Exchange {
    /// What the client gets.
    pub outcome: Outcome,
    /// Latency injected before the outcome.
    pub delay: Duration,
    /// The journal sequence number (`None` for admin requests, which are not journaled).
    pub seq: Option<u64>,
}

/// Classifies a request by SCIM operation.
pub(crate) fn operation_of(req: &Request) -> Operation {
    let m = &req.method;
    match endpoint(&req.path).map(|(kind, _)| kind) {
        Some(Endpoint::Users) if m == Method::GET => Operation::List,
        Some(Endpoint::Users) if m == Method::POST => Operation::Create,
        Some(Endpoint::UsersSearch) if m == Method::POST => Operation::List,
        Some(Endpoint::User) if m == Method::GET => Operation::Get,
        Some(Endpoint::User) if m == Method::PUT => Operation::Replace,
        Some(Endpoint::User) if m == Method::PATCH => Operation::Patch,
        Some(Endpoint::User) if m == Method::DELETE => Operation::Delete,
        Some(Endpoint::Discovery) => Operation::Discovery,
        Some(Endpoint::Groups) if m == Method::GET => Operation::GroupList,
        Some(Endpoint::Groups) if m == Method::POST => Operation::GroupCreate,
        Some(Endpoint::Group) if m == Method::GET => Operation::GroupGet,
        Some(Endpoint::Group) if m == Method::PUT => Operation::GroupReplace,
        Some(Endpoint::Group) if m == Method::PATCH => Operation::GroupPatch,
        Some(Endpoint::Group) if m == Method::DELETE => Operation::GroupDelete,
        _ => Operation::Other,
    }
}

impl Tenant {
    /// Runs one request through admin routing, faults, SCIM handling and the journal. The
    /// request is moved into the journal entry, so journaling copies nothing.
    pub fn exchange(&self, req: Request) -> Exchange {
        if super::admin::is_admin_path(&req.path) {
            return Exchange {
                outcome: Outcome::Respond(self.admin(&req)),
                delay: Duration::ZERO,
                seq: None,
            };
        }
        let started = Instant::now();
        let arrived = self.now_millis();
        let operation = operation_of(&req);
        let decision = if self.faults_active() {
            self.decide(&req, operation, arrived)
        } else {
            Decision::default()
        };
        let outcome = match decision.terminal.clone() {
            None => Outcome::Respond(self.handle(&req)),
            Some((effect, retry_after)) => self.apply_effect(&req, effect, retry_after),
        };
        let mut latency = started.elapsed() + decision.delay;
        match &outcome {
            Outcome::Hang(d) => latency += *d,
            Outcome::Dribble {
                response,
                chunk,
                interval,
            } => {
                let chunks = u32::try_from(response.body.len().div_ceil((*chunk).max(1)))
                    .unwrap_or(u32::MAX);
                latency += interval.saturating_mul(chunks);
            }
            _ => {}
        }
        let response_body = match &outcome {
            Outcome::Respond(r)
            | Outcome::Truncate { response: r, .. }
            | Outcome::Dribble { response: r, .. } => r.body.clone(),
            _ => Bytes::new(),
        };
        let Request {
            method,
            path,
            query,
            headers,
            body,
        } = req;
        let seq = self.journal().record(JournalEntry {
            seq: 0,
            time: arrived,
            method,
            path,
            query: self.options().redaction.query(query),
            headers: self.options().redaction.headers(headers),
            request_body: body,
            status: outcome.status(),
            response_body,
            latency_us: u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            operation,
            faults: decision.applied,
            truncated: None,
        });
        Exchange {
            outcome,
            delay: decision.delay,
            seq: Some(seq),
        }
    }

    fn decide(&self, req: &Request, operation: Operation, now: i64) -> Decision {
        let mut faults = self.faults_lock();
        let user_name = if faults.needs_user_name() {
            self.user_name_of(req, operation)
        } else {
            None
        };
        let display_name = if faults.needs_display_name() {
            self.display_name_of(req, operation)
        } else {
            None
        };
        let filter = req.query.as_deref().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k.eq_ignore_ascii_case("filter"))
                .map(|(_, v)| fold(&v).into_owned())
        });
        let facts = RequestFacts {
            method: &req.method,
            path: &req.path,
            headers: &req.headers,
            operation,
            user_name,
            display_name,
            filter,
        };
        faults.decide(&facts, now)
    }

    /// The userName a request is about: from the body, a `userName eq` filter, or the target id.
    fn user_name_of(&self, req: &Request, operation: Operation) -> Option<String> {
        if matches!(operation, Operation::Create | Operation::Replace)
            && let Ok(serde_json::Value::Object(body)) =
                serde_json::from_slice::<serde_json::Value>(&req.body)
            && let Some(name) = lookup(&body, "userName").and_then(|v| v.as_str())
        {
            return Some(fold(name).into_owned());
        }
        if operation == Operation::List {
            return eq_value_in(&filter_of(req)?, "userName");
        }
        let id = target_id(req)?;
        self.store()
            .read()
            .get(&id)
            .map(|u| fold(&u.attrs.user_name).into_owned())
    }

    /// The group displayName a request is about: from the body (POST, PUT), a
    /// `displayName eq` filter, or the target id's group.
    fn display_name_of(&self, req: &Request, operation: Operation) -> Option<String> {
        match operation {
            Operation::GroupCreate | Operation::GroupReplace => {
                let body = serde_json::from_slice::<serde_json::Value>(&req.body).ok()?;
                let name = lookup(body.as_object()?, "displayName")?.as_str()?;
                Some(fold(name).into_owned())
            }
            Operation::GroupList => eq_value_in(&filter_of(req)?, "displayName"),
            Operation::GroupGet | Operation::GroupPatch | Operation::GroupDelete => {
                let id = target_id(req)?;
                let store = self.store().read();
                let group = store.groups().get(&id)?;
                Some(fold(&group.attrs.display_name).into_owned())
            }
            _ => None,
        }
    }

    fn apply_effect(&self, req: &Request, effect: Effect, retry_after: Option<u64>) -> Outcome {
        match effect {
            Effect::Status {
                status,
                scim_type,
                detail,
                ..
            } => Outcome::Respond(fault_response(
                status,
                scim_type.as_deref(),
                detail,
                retry_after,
            )),
            Effect::RateLimit { .. } => {
                Outcome::Respond(fault_response(429, None, None, retry_after))
            }
            Effect::Drop => Outcome::Drop,
            Effect::Reset => Outcome::Reset,
            Effect::Hang { duration } => Outcome::Hang(duration.map_or(DEFAULT_HANG, |d| d.0)),
            Effect::Truncate { bytes } => {
                let response = self.handle(req);
                let keep = bytes
                    .unwrap_or(response.body.len() / 2)
                    .min(response.body.len().saturating_sub(1));
                Outcome::Truncate { response, keep }
            }
            Effect::Dribble { chunk, interval } => Outcome::Dribble {
                response: self.handle(req),
                chunk: chunk.unwrap_or(16),
                interval: interval.map_or(Duration::from_millis(200), |i| i.0),
            },
            Effect::EmptyOk => {
                let _carried_out = self.handle(req);
                Outcome::Respond(Response::scim(StatusCode::OK, Bytes::new()))
            }
            Effect::MalformedJson => {
                let mut response = self.handle(req);
                let cut = response.body.len() / 2;
                response.body = if cut == 0 {
                    Bytes::from_static(b"{\"schemas\": [")
                } else {
                    response.body.slice(..cut)
                };
                Outcome::Respond(response)
            }
            Effect::WrongContentType => {
                let mut response = self.handle(req);
                response.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                Outcome::Respond(response)
            }
            Effect::DuplicateMatch => Outcome::Respond(duplicate_first_match(self.handle(req))),
            Effect::Lost { then } => {
                let _carried_out = self.handle(req);
                match then {
                    LostAs::Status(code) => {
                        Outcome::Respond(fault_response(code, None, None, None))
                    }
                    LostAs::Drop => Outcome::Drop,
                    LostAs::Reset => Outcome::Reset,
                }
            }
            // Latency never ends up here: it only adds delay.
            Effect::Latency { .. } => Outcome::Respond(self.handle(req)),
        }
    }
}

/// The request's parsed `filter` parameter.
fn filter_of(req: &Request) -> Option<Filter> {
    let filter = form_urlencoded::parse(req.query.as_deref().unwrap_or_default().as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("filter"))
        .map(|(_, v)| v.into_owned())?;
    parse(&filter).ok()
}

/// The id in `/Users/{id}` or `/Groups/{id}`.
fn target_id(req: &Request) -> Option<Uuid> {
    endpoint(&req.path).and_then(|(_, segs)| segs.get(1).and_then(|s| Uuid::parse_str(s).ok()))
}

/// The first `attr eq "x"` value in a filter, case-folded.
fn eq_value_in(filter: &Filter, attr: &str) -> Option<String> {
    match filter {
        Filter::Test {
            path,
            records: None,
            test: Test::Compare(CompareOp::Eq, CompValue::Str(v)),
        } if path.name.eq_ignore_ascii_case(attr) && path.sub.is_none() => {
            Some(fold(v).into_owned())
        }
        Filter::And(parts) | Filter::Or(parts) => parts.iter().find_map(|p| eq_value_in(p, attr)),
        _ => None,
    }
}

/// A SCIM error response for an injected status.
fn fault_response(
    status: u16,
    scim_type: Option<&str>,
    detail: Option<String>,
    retry_after: Option<u64>,
) -> Response {
    let default_detail = match status {
        401 => "Authorization failure: the token has been revoked",
        409 => "A user with the same userName already exists",
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Injected fault",
    };
    let scim_type = scim_type
        .and_then(ScimType::parse)
        .or((status == 409).then_some(ScimType::Uniqueness));
    let error = ScimError {
        status,
        scim_type,
        detail: detail.unwrap_or_else(|| default_detail.to_string()),
    };
    let mut response = error_response(&error);
    if let Some(seconds) = retry_after
        && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers.insert(header::RETRY_AFTER, v);
    }
    response
}

/// A ListResponse with its first resource twice (what Azure AD reports as
/// `SystemForCrossDomainIdentityManagementMultipleEntriesInResponse`).
fn duplicate_first_match(mut response: Response) -> Response {
    let Ok(serde_json::Value::Object(mut list)) =
        serde_json::from_slice::<serde_json::Value>(&response.body)
    else {
        return response;
    };
    let Some(serde_json::Value::Array(resources)) = list.get_mut("Resources") else {
        return response;
    };
    let Some(first) = resources.first().cloned() else {
        return response;
    };
    resources.insert(1, first);
    for key in ["totalResults", "itemsPerPage"] {
        if let Some(v) = list.get(key).and_then(serde_json::Value::as_u64) {
            list.insert(key.to_string(), serde_json::Value::from(v + 1));
        }
    }
    response.body = Bytes::from(serde_json::Value::Object(list).to_string());
    response
}
