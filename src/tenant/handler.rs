//! SCIM request handling for the mock tenant: routing by `match` on method and path, then
//! pure operations on the store. No sockets here; the server and in-process transports
//! both call [`Tenant::handle`](super::Tenant::handle).

use super::Tenant;
use super::auth::is_authorized;
use super::options::{BASE_PATH, PatchResponse};
use super::store::{Rules, Store};
use crate::scim::discovery::{self, Capabilities};
use crate::scim::error::ScimError;
use crate::scim::filter::{Compiled, compile_in, parse};
use crate::scim::group::GROUP_SCHEMA;
use crate::scim::group_discovery;
use crate::scim::message::{Request, Response};
use crate::scim::patch::{PatchOptions, PatchRequest, check_value_counts, patch_user};
use crate::scim::query::{ListQuery, Projection};
use crate::scim::schema::LIST_RESPONSE_SCHEMA;
use crate::scim::user::{Meta, NoNames, RenderContext, User, UserAttrs};
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use serde_json::Value;
use std::io::Write as _;
use uuid::Uuid;

/// The endpoints under `/scim`, after routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/Users`
    Users,
    /// `/Users/.search`
    UsersSearch,
    /// `/Users/{id}`
    User,
    /// `/Groups`
    Groups,
    /// `/Groups/{id}`
    Group,
    /// `/ServiceProviderConfig`, `/Schemas[/{urn}]`, `/ResourceTypes[/{name}]`
    Discovery,
    /// Anything else under `/scim`.
    Other,
}

/// Classifies a path: `None` outside `/scim`. Trailing slashes are tolerated (Microsoft's
/// Postman tests send `/Users/?filter=`, blink-scim-api.md Part 4 item 1).
pub(crate) fn endpoint(path: &str) -> Option<(Endpoint, Vec<&str>)> {
    let rest = path.strip_prefix(BASE_PATH)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let is = |i: usize, name: &str| {
        segments
            .get(i)
            .is_some_and(|s| s.eq_ignore_ascii_case(name))
    };
    let kind = match segments.len() {
        1 if is(0, "Users") => Endpoint::Users,
        2 if is(0, "Users") && segments[1] == ".search" => Endpoint::UsersSearch,
        // Root-level search covers every resource type, and Users is the only one.
        1 if segments[0] == ".search" => Endpoint::UsersSearch,
        2 if is(0, "Users") => Endpoint::User,
        1 if is(0, "Groups") => Endpoint::Groups,
        2 if is(0, "Groups") && segments[1] != ".search" => Endpoint::Group,
        1 | 2 if is(0, "Schemas") || is(0, "ResourceTypes") => Endpoint::Discovery,
        1 if is(0, "ServiceProviderConfig") => Endpoint::Discovery,
        _ => Endpoint::Other,
    };
    Some((kind, segments))
}

impl Tenant {
    /// Handles one request and returns the response, errors included.
    pub fn handle(&self, req: &Request) -> Response {
        self.route(req).unwrap_or_else(|e| error_response(&e))
    }

    fn route(&self, req: &Request) -> Result<Response, ScimError> {
        let Some((kind, segments)) = endpoint(&req.path) else {
            return Err(ScimError::new(
                404,
                format!(
                    "No SCIM endpoint at {}; the base URL ends in {BASE_PATH}",
                    req.path
                ),
            ));
        };
        if !is_authorized(&req.headers, &self.options().token) {
            return Err(ScimError::new(
                401,
                "Authorization failure: missing or invalid bearer token",
            ));
        }
        let m = &req.method;
        match (kind, segments.as_slice()) {
            (Endpoint::Users, _) if m == Method::GET => {
                self.list(ListQuery::from_query(req.query.as_deref())?)
            }
            (Endpoint::Users, _) if m == Method::POST => self.create(req),
            (Endpoint::Users, _) => Err(not_allowed("GET, POST")),
            (Endpoint::UsersSearch, [_]) if m == Method::POST && self.options().groups => {
                // Root-level search covers Users and Groups (RFC 7644 §3.4.3).
                self.search_all(&self.json_body(req)?)
            }
            (Endpoint::UsersSearch, _) if m == Method::POST => {
                let body = self.json_body(req)?;
                self.list(ListQuery::from_search_request(&body)?)
            }
            (Endpoint::UsersSearch, _) => Err(not_allowed("POST")),
            (Endpoint::User, [_, id]) => {
                let id = Uuid::parse_str(id).map_err(|_| ScimError::resource_not_found(id))?;
                match *m {
                    Method::GET => self.get(req, id),
                    Method::PUT => self.replace(req, id),
                    Method::PATCH => self.patch(req, id),
                    Method::DELETE => self.delete(req, id),
                    _ => Err(not_allowed("GET, PUT, PATCH, DELETE")),
                }
            }
            (Endpoint::Discovery, segs) => self.discovery(req, segs),
            (Endpoint::Groups | Endpoint::Group, segs) if self.options().groups => {
                self.route_groups(req, segs)
            }
            (_, [first, ..]) if first.eq_ignore_ascii_case("Groups") => {
                // Blink syncs groups only by arrangement (blink-scim-api.md §1.2, B-4/B-5).
                Err(ScimError::new(
                    404,
                    "Group provisioning is not enabled for this Blink tenant",
                ))
            }
            (_, [first, ..])
                if first.eq_ignore_ascii_case("Bulk") || first.eq_ignore_ascii_case("Me") =>
            {
                Err(ScimError::new(501, format!("/{first} is not supported")))
            }
            _ => Err(ScimError::new(
                404,
                format!("No SCIM endpoint at {}", req.path),
            )),
        }
    }

    fn rules(&self) -> Rules {
        Rules {
            unique_work_email: self.options().unique_work_email,
        }
    }

    fn patch_options(&self) -> PatchOptions {
        PatchOptions {
            unknown: self.options().unknown_attributes,
            filter_no_match: self.options().filter_no_match,
            schema: self.options().user_schema,
            ..PatchOptions::default()
        }
    }

    /// Reads a JSON body: 415 for a non-JSON content type, 413 over the limit, 400 otherwise.
    pub(super) fn json_body(&self, req: &Request) -> Result<Value, ScimError> {
        if let Some(ct) = req.headers.get(header::CONTENT_TYPE) {
            let media = ct
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .trim();
            if !media.eq_ignore_ascii_case("application/scim+json")
                && !media.eq_ignore_ascii_case("application/json")
            {
                return Err(ScimError::new(
                    415,
                    format!(
                        "Content-Type '{media}' is not supported; use application/scim+json or application/json"
                    ),
                ));
            }
        }
        let limit = self.options().max_body_bytes;
        if req.body.len() > limit {
            return Err(ScimError::new(
                413,
                format!("The request body exceeds {limit} bytes"),
            ));
        }
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ScimError::invalid_syntax("The request body is empty"));
        }
        serde_json::from_slice(&req.body).map_err(|e| {
            ScimError::invalid_syntax(format!("The request body is not valid JSON: {e}"))
        })
    }

    fn list(&self, query: ListQuery) -> Result<Response, ScimError> {
        let compiled: Option<Compiled> = match query.filter.as_deref() {
            Some(f) if !f.trim().is_empty() => {
                let parsed = parse(f).map_err(|e| e.into_filter_error(f))?;
                Some(compile_in(&parsed, self.options().user_schema)?)
            }
            _ => None,
        };
        let opts = self.options();
        let count = query.page_size(opts.default_page_size, opts.max_page_size);
        let base = self.base_url();
        let store = self.store().read();
        let (total, page) = store.query(compiled.as_ref(), query.start_index, count);
        let ctx = render_context(&store, &base);
        // A generated user renders to about 1.2 KB: one allocation, no regrowth.
        let mut body = Vec::with_capacity(128 + page.len() * 1536);
        body.extend_from_slice(b"{\"schemas\":[\"");
        body.extend_from_slice(LIST_RESPONSE_SCHEMA.as_bytes());
        // Writing into a Vec cannot fail.
        let _ = write!(
            body,
            "\"],\"totalResults\":{total},\"itemsPerPage\":{},\"startIndex\":{},\"Resources\":[",
            page.len(),
            query.start_index
        );
        for (i, user) in page.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            write_user(&mut body, user, &ctx, &query.projection)?;
        }
        body.extend_from_slice(b"]}");
        Ok(Response::scim(StatusCode::OK, Bytes::from(body)))
    }

    fn get(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        let base = self.base_url();
        let store = self.store().read();
        let user = store
            .get(&id)
            .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))?;
        if let Some(tags) = req.headers.get(header::IF_NONE_MATCH)
            && etag_matches(tags, &user.meta.etag())
        {
            let mut resp = Response::empty(StatusCode::NOT_MODIFIED);
            set_header(&mut resp, header::ETAG, &user.meta.etag());
            return Ok(resp);
        }
        resource_response(
            StatusCode::OK,
            user,
            &render_context(&store, &base),
            &projection(req)?,
        )
    }

    fn create(&self, req: &Request) -> Result<Response, ScimError> {
        let attrs = self.representation(req)?;
        let projection = projection(req)?;
        let now = self.now_millis();
        let base = self.base_url();
        let mut store = self.store().write();
        let id = store.create(attrs, now, self.rules())?.id;
        let store = parking_lot::RwLockWriteGuard::downgrade(store);
        let user = store
            .get(&id)
            .ok_or_else(|| ScimError::new(500, "user vanished"))?;
        let mut resp = resource_response(
            StatusCode::CREATED,
            user,
            &render_context(&store, &base),
            &projection,
        )?;
        set_header(&mut resp, header::LOCATION, &user.location(&base));
        Ok(resp)
    }

    /// A POST or PUT body as attributes, its multi-valued attributes within PATCH's bound.
    fn representation(&self, req: &Request) -> Result<UserAttrs, ScimError> {
        let body = self.json_body(req)?;
        check_value_counts(&body, PatchOptions::default().max_values)?;
        Ok(UserAttrs::from_json(&body, self.read_policy())?.with_blink_defaults())
    }

    fn replace(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        let attrs = self.representation(req)?;
        let store = self.store().write();
        let user = store
            .get(&id)
            .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))?;
        check_if_match(req, &user.meta)?;
        self.write_user(req, store, id, attrs, StatusCode::OK)
    }

    /// PATCH: the new attributes are computed on a copy of the user without holding the
    /// store's lock, then committed under it if the user's version has not moved meanwhile
    /// (else computed again, a few times), so no request waits for another's PATCH (issue 15 D3).
    fn patch(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        const ATTEMPTS: usize = 8;
        let request = PatchRequest::from_json(&self.json_body(req)?)?;
        let options = self.patch_options();
        let status = match self.options().patch_response {
            PatchResponse::Resource => StatusCode::OK,
            PatchResponse::NoContent => StatusCode::NO_CONTENT,
        };
        for _ in 0..ATTEMPTS {
            let copy = {
                let store = self.store().read();
                let user = store
                    .get(&id)
                    .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))?;
                check_if_match(req, &user.meta)?;
                user.clone()
            };
            // Manager display names are read-only, so the copy is rendered without them.
            let ctx = RenderContext {
                base_url: "",
                names: &NoNames,
            };
            let attrs = patch_user(&copy, &request, &ctx, options)?;
            let store = self.store().write();
            let current = store
                .get(&id)
                .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))?;
            if current.meta.version == copy.meta.version {
                return self.write_user(req, store, id, attrs, status);
            }
        }
        Err(ScimError::new(
            409,
            format!("The user changed {ATTEMPTS} times while this PATCH was computed; try again"),
        ))
    }

    /// Shared by PUT and PATCH: check and store the new attributes under the lock, answer.
    fn write_user(
        &self,
        req: &Request,
        mut store: parking_lot::RwLockWriteGuard<'_, super::store::Store>,
        id: Uuid,
        attrs: UserAttrs,
        status: StatusCode,
    ) -> Result<Response, ScimError> {
        let projection = projection(req)?;
        let now = self.now_millis();
        let base = self.base_url();
        let outcome = store.replace(&id, attrs, now, self.rules())?;
        if outcome.is_none() {
            return Err(ScimError::resource_not_found(&id.to_string()));
        }
        let store = parking_lot::RwLockWriteGuard::downgrade(store);
        let user = store
            .get(&id)
            .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))?;
        if status == StatusCode::NO_CONTENT {
            let mut resp = Response::empty(StatusCode::NO_CONTENT);
            set_header(&mut resp, header::ETAG, &user.meta.etag());
            return Ok(resp);
        }
        resource_response(status, user, &render_context(&store, &base), &projection)
    }

    fn delete(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        let mut store = self.store().write();
        let user = store
            .get(&id)
            .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))?;
        check_if_match(req, &user.meta)?;
        store.delete(&id, self.now_millis());
        Ok(Response::empty(StatusCode::NO_CONTENT))
    }

    fn discovery(&self, req: &Request, segments: &[&str]) -> Result<Response, ScimError> {
        if req.method != Method::GET {
            return Err(not_allowed("GET"));
        }
        // RFC 7644 §4: a filter on discovery endpoints SHOULD get 403.
        if ListQuery::from_query(req.query.as_deref()).is_ok_and(|q| q.filter.is_some()) {
            return Err(ScimError::new(
                403,
                "Filtering is not supported on discovery endpoints (RFC 7644 §4)",
            ));
        }
        let base = self.base_url();
        let opts = self.options();
        let caps = Capabilities {
            default_page_size: opts.default_page_size,
            max_page_size: opts.max_page_size,
            etag: true,
        };
        let groups = opts.groups;
        let doc = match segments {
            [spc] if spc.eq_ignore_ascii_case("ServiceProviderConfig") => {
                discovery::service_provider_config(caps, &base)
            }
            [s] if s.eq_ignore_ascii_case("Schemas") => {
                let mut doc = discovery::schemas(opts.user_schema, &base);
                if groups {
                    with_resource(&mut doc, group_discovery::group_schema(&base));
                }
                doc
            }
            [s, urn] if s.eq_ignore_ascii_case("Schemas") => match discovery::find_schema(urn) {
                Some(def) => discovery::schema(def, opts.user_schema, &base),
                None if groups && urn.eq_ignore_ascii_case(GROUP_SCHEMA) => {
                    group_discovery::group_schema(&base)
                }
                None => return Err(ScimError::new(404, format!("Schema {urn} not found"))),
            },
            [r] if r.eq_ignore_ascii_case("ResourceTypes") => {
                let mut doc = discovery::resource_types(&base);
                if groups {
                    with_resource(&mut doc, group_discovery::group_resource_type(&base));
                }
                doc
            }
            [r, name]
                if r.eq_ignore_ascii_case("ResourceTypes") && name.eq_ignore_ascii_case("User") =>
            {
                discovery::user_resource_type(&base)
            }
            [r, name]
                if groups
                    && r.eq_ignore_ascii_case("ResourceTypes")
                    && name.eq_ignore_ascii_case("Group") =>
            {
                group_discovery::group_resource_type(&base)
            }
            _ => {
                return Err(ScimError::new(
                    404,
                    format!("No discovery document at {}", req.path),
                ));
            }
        };
        Ok(Response::scim(StatusCode::OK, Bytes::from(doc.to_string())))
    }
}

/// Appends a resource to a discovery ListResponse.
fn with_resource(list: &mut Value, resource: Value) {
    if let Some(items) = list["Resources"].as_array_mut() {
        items.push(resource);
        let n = items.len();
        list["totalResults"] = n.into();
        list["itemsPerPage"] = n.into();
    }
}

/// Rendering context over a store: manager display names come from the referenced user.
pub(crate) fn render_context<'a>(store: &'a Store, base: &'a str) -> RenderContext<'a> {
    RenderContext {
        base_url: base,
        names: store,
    }
}

pub(super) fn projection(req: &Request) -> Result<Projection, ScimError> {
    Ok(ListQuery::from_query(req.query.as_deref())?.projection)
}

pub(super) fn write_user(
    out: &mut Vec<u8>,
    user: &User,
    ctx: &RenderContext<'_>,
    projection: &Projection,
) -> Result<(), ScimError> {
    let result = match projection {
        Projection::Default => user.write_json(out, ctx),
        p => serde_json::to_writer(&mut *out, &p.apply(user.to_json(ctx))),
    };
    result.map_err(|e| ScimError::new(500, format!("Could not render user: {e}")))
}

fn resource_response(
    status: StatusCode,
    user: &User,
    ctx: &RenderContext<'_>,
    projection: &Projection,
) -> Result<Response, ScimError> {
    let mut body = Vec::with_capacity(1024);
    write_user(&mut body, user, ctx, projection)?;
    let mut resp = Response::scim(status, Bytes::from(body));
    set_header(&mut resp, header::ETAG, &user.meta.etag());
    Ok(resp)
}

pub(super) fn set_header(resp: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers.insert(name, v);
    }
}

/// `If-Match` on writes: 412 unless one listed tag (or `*`) matches (RFC 7644 §3.14).
pub(super) fn check_if_match(req: &Request, meta: &Meta) -> Result<(), ScimError> {
    match req.headers.get(header::IF_MATCH) {
        Some(tags) if !etag_matches(tags, &meta.etag()) => Err(ScimError::new(
            412,
            format!("The resource changed: its version is {}", meta.etag()),
        )),
        _ => Ok(()),
    }
}

/// Weak comparison of an ETag list against the current tag.
pub(super) fn etag_matches(tags: &HeaderValue, current: &str) -> bool {
    let opaque = |t: &str| {
        t.trim()
            .trim_start_matches("W/")
            .trim_start_matches("w/")
            .to_string()
    };
    let current = opaque(current);
    tags.to_str()
        .unwrap_or_default()
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == current)
}

pub(super) fn not_allowed(allow: &str) -> ScimError {
    ScimError::new(405, format!("Method not allowed here; allowed: {allow}"))
}

/// The response for an error: a SCIM Error body, plus `WWW-Authenticate` on 401 and `Allow` on 405.
pub(crate) fn error_response(e: &ScimError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = Response::scim(status, Bytes::from(e.to_json().to_string()));
    if e.status == 401 {
        set_header(
            &mut resp,
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"blinksim\"",
        );
    }
    if e.status == 405
        && let Some(allow) = e.detail.rsplit("allowed: ").next()
    {
        set_header(&mut resp, header::ALLOW, allow);
    }
    resp
}
