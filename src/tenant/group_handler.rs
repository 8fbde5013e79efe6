//! `/Groups` (RFC 7644 §3 over the Group resource of RFC 7643 §4.2), served when the
//! tenant's `groups` option is on. The same shape as the user handler: parse outside the
//! lock, check and write under it, render after.

use super::Tenant;
use super::groups::GroupRules;
use super::handler::{
    check_if_match, etag_matches, not_allowed, render_context, set_header, write_user,
};
use super::options::PatchResponse;
use super::store::Store;
use crate::scim::error::ScimError;
use crate::scim::filter::{Filter, compile_in, parse};
pub(super) use crate::scim::group::GroupProjection;
use crate::scim::group::{Group, GroupAttrs};
use crate::scim::group_filter;
use crate::scim::group_patch::patch_group;
use crate::scim::message::{Request, Response};
use crate::scim::patch::{MAX_OPERATIONS, PatchRequest};
use crate::scim::query::ListQuery;
use crate::scim::schema::LIST_RESPONSE_SCHEMA;
use bytes::Bytes;
use http::{Method, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

impl Tenant {
    /// Routes `/Groups` and `/Groups/{id}`.
    pub(super) fn route_groups(
        &self,
        req: &Request,
        segments: &[&str],
    ) -> Result<Response, ScimError> {
        let m = &req.method;
        match segments {
            [_] if m == Method::GET => self.list_groups(req),
            [_] if m == Method::POST => self.create_group(req),
            [_] => Err(not_allowed("GET, POST")),
            [_, id] => {
                let id = Uuid::parse_str(id).map_err(|_| ScimError::resource_not_found(id))?;
                match *m {
                    Method::GET => self.get_group(req, id),
                    Method::PUT => self.replace_group(req, id),
                    Method::PATCH => self.patch_group(req, id),
                    Method::DELETE => self.delete_group(req, id),
                    _ => Err(not_allowed("GET, PUT, PATCH, DELETE")),
                }
            }
            _ => Err(ScimError::new(
                404,
                format!("No SCIM endpoint at {}", req.path),
            )),
        }
    }

    pub(super) fn group_rules(&self) -> GroupRules {
        GroupRules {
            unique_display_name: self.options().unique_group_display_name,
            members_must_exist: self.options().group_members_must_exist,
        }
    }

    fn list_groups(&self, req: &Request) -> Result<Response, ScimError> {
        let query = ListQuery::from_query(req.query.as_deref())?;
        let filter = group_filter_of(&query)?;
        let projection = GroupProjection::from_query(req.query.as_deref());
        let opts = self.options();
        let count = query.page_size(opts.default_page_size, opts.max_page_size);
        let base = self.base_url();
        let store = self.store().read();
        let (total, page) = store
            .groups()
            .query(filter.as_ref(), query.start_index, count);
        let resources: Vec<Value> = page
            .iter()
            .map(|g| render(&store, g, &base, &projection))
            .collect();
        drop(store);
        Ok(list_response(total, query.start_index, resources))
    }

    /// `POST /.search` over users and groups: users first, then groups, paged as one list.
    /// A filter that names attributes of only one type selects nothing of the other.
    pub(super) fn search_all(&self, body: &Value) -> Result<Response, ScimError> {
        let query = ListQuery::from_search_request(body)?;
        let user_filter = match query.filter.as_deref() {
            Some(f) if !f.trim().is_empty() => Some(
                parse(f)
                    .map_err(|e| e.into_filter_error(f))
                    .and_then(|p| compile_in(&p, self.options().user_schema)),
            ),
            _ => None,
        };
        let group_filter = group_filter_of(&query);
        let (user_filter, users_match) = match (user_filter, &group_filter) {
            (Some(Err(e)), Err(_)) => return Err(e),
            (Some(Err(_)), Ok(_)) => (None, false),
            (Some(Ok(c)), _) => (Some(c), true),
            (None, _) => (None, true),
        };
        let group_filter = group_filter.ok();
        let opts = self.options();
        let count = query.page_size(opts.default_page_size, opts.max_page_size);
        let group_projection = GroupProjection::from_search(body);
        let base = self.base_url();
        let store = self.store().read();
        let ctx = render_context(&store, &base);
        let (user_total, users) = if users_match {
            store.query(user_filter.as_ref(), query.start_index, count)
        } else {
            (0, Vec::new())
        };
        let (group_total, groups) = match &group_filter {
            Some(f) => store.groups().query(
                f.as_ref(),
                query.start_index.saturating_sub(user_total).max(1),
                count - users.len(),
            ),
            None => (0, Vec::new()),
        };
        let mut resources = Vec::with_capacity(users.len() + groups.len());
        for user in users {
            let mut out = Vec::new();
            write_user(&mut out, user, &ctx, &query.projection)?;
            resources.push(
                serde_json::from_slice::<Value>(&out)
                    .map_err(|e| ScimError::new(500, e.to_string()))?,
            );
        }
        resources.extend(
            groups
                .iter()
                .map(|g| render(&store, g, &base, &group_projection)),
        );
        drop(store);
        Ok(list_response(
            user_total + group_total,
            query.start_index,
            resources,
        ))
    }

    fn get_group(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        let base = self.base_url();
        let store = self.store().read();
        let group = found(&store, id)?;
        if let Some(tags) = req.headers.get(header::IF_NONE_MATCH)
            && etag_matches(tags, &group.meta.etag())
        {
            let mut resp = Response::empty(StatusCode::NOT_MODIFIED);
            set_header(&mut resp, header::ETAG, &group.meta.etag());
            return Ok(resp);
        }
        let projection = GroupProjection::from_query(req.query.as_deref());
        Ok(group_response(
            StatusCode::OK,
            &store,
            group,
            &base,
            &projection,
        ))
    }

    fn create_group(&self, req: &Request) -> Result<Response, ScimError> {
        let attrs = GroupAttrs::from_json(&self.json_body(req)?)?;
        let projection = GroupProjection::from_query(req.query.as_deref());
        let now = self.now_millis();
        let base = self.base_url();
        let mut store = self.store().write();
        let id = store.create_group(attrs, now, self.group_rules())?.id;
        let store = parking_lot::RwLockWriteGuard::downgrade(store);
        let group = found(&store, id)?;
        let mut resp = group_response(StatusCode::CREATED, &store, group, &base, &projection);
        set_header(&mut resp, header::LOCATION, &group.location(&base));
        Ok(resp)
    }

    fn replace_group(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        let attrs = GroupAttrs::from_json(&self.json_body(req)?)?;
        let store = self.store().write();
        check_if_match(req, &found(&store, id)?.meta)?;
        self.write_group(req, store, id, attrs, StatusCode::OK)
    }

    /// PATCH computed on a copy outside the store lock and committed if the group's version
    /// has not moved meanwhile, as for users (issue 15 D3).
    fn patch_group(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        const ATTEMPTS: usize = 8;
        let request = PatchRequest::from_json(&self.json_body(req)?)?;
        let status = match self.options().group_patch_response {
            PatchResponse::Resource => StatusCode::OK,
            PatchResponse::NoContent => StatusCode::NO_CONTENT,
        };
        for _ in 0..ATTEMPTS {
            let copy = {
                let store = self.store().read();
                let group = found(&store, id)?;
                check_if_match(req, &group.meta)?;
                group.clone()
            };
            let attrs = patch_group(&copy.attrs, &request, MAX_OPERATIONS)?;
            let store = self.store().write();
            if found(&store, id)?.meta.version == copy.meta.version {
                return self.write_group(req, store, id, attrs, status);
            }
        }
        Err(ScimError::new(
            409,
            format!("The group changed {ATTEMPTS} times while this PATCH was computed; try again"),
        ))
    }

    /// Shared by PUT and PATCH: check and store under the lock, answer.
    fn write_group(
        &self,
        req: &Request,
        mut store: parking_lot::RwLockWriteGuard<'_, Store>,
        id: Uuid,
        attrs: GroupAttrs,
        status: StatusCode,
    ) -> Result<Response, ScimError> {
        let now = self.now_millis();
        if store
            .replace_group(&id, attrs, now, self.group_rules())?
            .is_none()
        {
            return Err(ScimError::resource_not_found(&id.to_string()));
        }
        let store = parking_lot::RwLockWriteGuard::downgrade(store);
        let group = found(&store, id)?;
        if status == StatusCode::NO_CONTENT {
            let mut resp = Response::empty(StatusCode::NO_CONTENT);
            set_header(&mut resp, header::ETAG, &group.meta.etag());
            return Ok(resp);
        }
        let projection = GroupProjection::from_query(req.query.as_deref());
        Ok(group_response(
            status,
            &store,
            group,
            &self.base_url(),
            &projection,
        ))
    }

    fn delete_group(&self, req: &Request, id: Uuid) -> Result<Response, ScimError> {
        let mut store = self.store().write();
        check_if_match(req, &found(&store, id)?.meta)?;
        store.delete_group(&id);
        Ok(Response::empty(StatusCode::NO_CONTENT))
    }
}

/// The list query's filter, parsed and checked against the Group schema.
fn group_filter_of(query: &ListQuery) -> Result<Option<Filter>, ScimError> {
    match query.filter.as_deref() {
        Some(f) if !f.trim().is_empty() => {
            let parsed = parse(f).map_err(|e| e.into_filter_error(f))?;
            group_filter::validate(&parsed)?;
            Ok(Some(parsed))
        }
        _ => Ok(None),
    }
}

fn found(store: &Store, id: Uuid) -> Result<&Group, ScimError> {
    store
        .groups()
        .get(&id)
        .ok_or_else(|| ScimError::resource_not_found(&id.to_string()))
}

/// A group as JSON, member display names from the users.
pub(super) fn render(
    store: &Store,
    group: &Group,
    base: &str,
    projection: &GroupProjection,
) -> Value {
    if !projection.wants_members() {
        return projection.apply(group.to_json(base, None));
    }
    let names = |id: &Uuid| {
        store
            .get(id)
            .and_then(|u| u.attrs.display_name.as_ref())
            .map(|n| n.to_string())
    };
    projection.apply(group.to_json(base, Some(&names)))
}

fn group_response(
    status: StatusCode,
    store: &Store,
    group: &Group,
    base: &str,
    projection: &GroupProjection,
) -> Response {
    let body = render(store, group, base, projection);
    let mut resp = Response::scim(status, Bytes::from(body.to_string()));
    set_header(&mut resp, header::ETAG, &group.meta.etag());
    resp
}

/// A ListResponse (RFC 7644 §3.4.2) of one page.
fn list_response(total: usize, start_index: usize, resources: Vec<Value>) -> Response {
    let body = json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": start_index,
        "Resources": resources,
    });
    Response::scim(StatusCode::OK, Bytes::from(body.to_string()))
}
