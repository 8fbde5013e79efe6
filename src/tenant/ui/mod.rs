//! The live page at `/_admin/ui`: plain HTML, CSS and JavaScript compiled into the binary
//! (nothing fetched from elsewhere). The admin token opens it, as `?token=` on the first
//! load, which sets a same-site cookie the page's own calls then carry.

use super::Tenant;
use super::auth::{constant_time_eq, is_authorized};
use crate::scim::error::ScimError;
use crate::scim::message::{Request, Response};
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("style.css");

/// The cookie that carries the admin token after the first load.
const COOKIE: &str = "blinksim_admin";

/// Whether the request carries the admin token: the bearer header, the cookie, or (for
/// the page itself) `?token=`.
pub(super) fn admin_authorized(req: &Request, token: &str) -> bool {
    is_authorized(&req.headers, token)
        || cookie_token(req).is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
        || (is_page(req)
            && query_token(req).is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes())))
}

fn is_page(req: &Request) -> bool {
    req.method == Method::GET && req.path.trim_end_matches('/') == "/_admin/ui"
}

fn query_token(req: &Request) -> Option<String> {
    form_urlencoded::parse(req.query.as_deref()?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

fn cookie_token(req: &Request) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| {
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned()
        })
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = Response::empty(StatusCode::OK);
    r.body = Bytes::from_static(body.as_bytes());
    r.headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Only this origin's own files and calls.
    r.headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:"),
    );
    r
}

impl Tenant {
    /// `/_admin/ui[/…]` (already authorized).
    pub(super) fn admin_ui(&self, req: &Request, rest: &[&str]) -> Result<Response, ScimError> {
        match rest {
            [] => {
                let mut page = asset("text/html; charset=utf-8", PAGE);
                if let Some(token) = query_token(req) {
                    let cookie = format!(
                        "{COOKIE}={}; Path=/_admin; HttpOnly; SameSite=Strict",
                        percent_encoding::utf8_percent_encode(
                            &token,
                            percent_encoding::NON_ALPHANUMERIC
                        )
                    );
                    if let Ok(v) = HeaderValue::from_str(&cookie) {
                        page.headers.insert(header::SET_COOKIE, v);
                    }
                }
                Ok(page)
            }
            ["app.js"] => Ok(asset("text/javascript; charset=utf-8", SCRIPT)),
            ["style.css"] => Ok(asset("text/css; charset=utf-8", STYLE)),
            _ => Err(ScimError::new(
                404,
                "The page's files: /_admin/ui, app.js, style.css",
            )),
        }
    }

    /// `GET /_admin/users?filter=…`: the SCIM list answer, outside the journal and faults.
    pub(super) fn admin_users(&self, req: &Request) -> Response {
        let mut list = Request::new(Method::GET, "/scim/Users");
        list.query = req.query.clone();
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {}", self.options().token)) {
            list.headers.insert(header::AUTHORIZATION, v);
        }
        self.handle(&list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::TenantOptions;

    fn admin(path_and_query: &str, cookie: Option<&str>) -> Response {
        let t = Tenant::new(TenantOptions::default());
        let mut req = Request::new(Method::GET, path_and_query);
        if let Some(c) = cookie {
            req.headers
                .insert(header::COOKIE, HeaderValue::from_str(c).unwrap());
        }
        t.admin(&req)
    }

    #[test]
    fn the_page_needs_the_admin_token() {
        assert_eq!(admin("/_admin/ui", None).status, 401);
        assert_eq!(admin("/_admin/ui?token=wrong", None).status, 401);
        let ok = admin("/_admin/ui?token=blinksim-admin-token", None);
        assert_eq!(ok.status, 200);
        let cookie = ok
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        let pair = cookie.split(';').next().unwrap();
        assert_eq!(admin("/_admin/ui/app.js", Some(pair)).status, 200, "{pair}");
        assert!(String::from_utf8_lossy(&ok.body).contains("<title>blinksim"));
    }

    #[test]
    fn the_cookie_opens_the_api_but_the_query_token_only_the_page() {
        let c = "blinksim_admin=blinksim-admin-token";
        assert_eq!(admin("/_admin/stats", Some(c)).status, 200);
        assert_eq!(admin("/_admin/ui/app.js", Some(c)).status, 200);
        assert_eq!(
            admin("/_admin/stats?token=blinksim-admin-token", None).status,
            401
        );
        assert_eq!(
            admin("/_admin/stats", Some("blinksim_admin=nope")).status,
            401
        );
    }

    #[test]
    fn users_are_searched_by_scim_filter_without_the_journal() {
        let t = Tenant::new(TenantOptions::default());
        t.prefill(5, 1);
        let name = t.users()[0]["userName"].as_str().unwrap().to_string();
        let mut req = Request::new(
            Method::GET,
            &format!("/_admin/users?filter=userName%20eq%20%22{name}%22"),
        );
        req.headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer blinksim-admin-token"),
        );
        let r = t.admin(&req);
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["totalResults"], 1, "{body}");
        assert_eq!(t.journal().len(), 0);
    }
}
