//! The admin API under `/_admin`, guarded by its own token and never reachable through
//! `/scim`: faults, the request journal, reset, state export/import, stats and health.

use super::Tenant;
use super::faults::{Operation, parse_json, parse_toml};
use super::handler::error_response;
use super::journal::JournalQuery;
use crate::scim::error::ScimError;
use crate::scim::message::{Request, Response};
use bytes::Bytes;
use http::{Method, StatusCode, header};
use serde_json::{Map, Value, json};

/// The path prefix of the admin API.
pub(crate) const ADMIN_PATH: &str = "/_admin";

/// Whether `path` belongs to the admin API.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PATH || path.starts_with("/_admin/")
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut r = Response::scim(status, Bytes::from(value.to_string()));
    r.headers.insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn query_params(req: &Request) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query.as_deref().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// One answer of `/_admin/requests`.
#[derive(serde::Serialize)]
struct JournalPage<'a> {
    count: usize,
    entries: Vec<&'a super::journal::JournalEntry>,
}

impl Tenant {
    /// Handles an admin request.
    pub fn admin(&self, req: &Request) -> Response {
        self.admin_route(req).unwrap_or_else(|e| error_response(&e))
    }

    fn admin_route(&self, req: &Request) -> Result<Response, ScimError> {
        if !super::ui::admin_authorized(req, &self.options().admin_token) {
            return Err(ScimError::new(
                401,
                "Admin authorization failure: missing or invalid admin token",
            ));
        }
        let rest = req.path.trim_start_matches(ADMIN_PATH).trim_matches('/');
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let m = &req.method;
        match segments.as_slice() {
            ["ui", rest @ ..] if m == Method::GET => self.admin_ui(req, rest),
            ["users"] if m == Method::GET => Ok(self.admin_users(req)),
            ["save"] if m == Method::POST => self.admin_save(),
            ["health"] if m == Method::GET => Ok(json_response(StatusCode::OK, &self.health())),
            ["faults"] if m == Method::GET => {
                Ok(json_response(StatusCode::OK, &self.faults_json()))
            }
            ["faults"] if m == Method::POST => self.admin_add_faults(req),
            ["faults"] if m == Method::DELETE => {
                self.clear_faults();
                Ok(Response::empty(StatusCode::NO_CONTENT))
            }
            ["faults", name] if m == Method::DELETE => self.admin_remove_fault(name),
            ["requests"] if m == Method::GET => self.admin_requests(req),
            ["requests"] if m == Method::DELETE => {
                self.journal().clear();
                Ok(Response::empty(StatusCode::NO_CONTENT))
            }
            ["reset"] if m == Method::POST => Ok(self.admin_reset(req)),
            ["state"] if m == Method::GET => {
                Ok(json_response(StatusCode::OK, &self.export_state()))
            }
            ["state"] if m == Method::PUT => self.admin_import(req),
            ["stats"] if m == Method::GET => Ok(json_response(StatusCode::OK, &self.stats_json())),
            [
                "health" | "faults" | "requests" | "reset" | "state" | "stats" | "ui" | "users"
                | "save",
                ..,
            ] => Err(ScimError::new(
                405,
                format!("Method {m} not allowed on {}", req.path),
            )),
            _ => Err(ScimError::new(
                404,
                "Admin endpoints: /_admin/health, /faults, /requests, /reset, /save, /state, /stats, /ui, /users"
                    .to_string(),
            )),
        }
    }

    fn admin_save(&self) -> Result<Response, ScimError> {
        let saved = self.save_state().map_err(|e| match e {
            super::persist::StateError::NotConfigured => ScimError::new(409, e.to_string()),
            e => ScimError::new(500, e.to_string()),
        })?;
        Ok(json_response(StatusCode::OK, &json!({"saved": saved})))
    }

    fn admin_remove_fault(&self, name: &str) -> Result<Response, ScimError> {
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
        if self.remove_fault(&name) {
            Ok(Response::empty(StatusCode::NO_CONTENT))
        } else {
            Err(ScimError::new(404, format!("No fault rule named '{name}'")))
        }
    }

    fn admin_reset(&self, req: &Request) -> Response {
        let to = query_params(req)
            .into_iter()
            .find(|(k, _)| k == "to")
            .map(|(_, v)| v);
        let restored = self.reset(to.as_deref() != Some("empty"));
        let groups = self.group_count();
        json_response(
            StatusCode::OK,
            &json!({"users": restored, "groups": groups}),
        )
    }

    fn admin_import(&self, req: &Request) -> Result<Response, ScimError> {
        let body: Value = serde_json::from_slice(&req.body)
            .map_err(|e| ScimError::invalid_syntax(format!("The state is not valid JSON: {e}")))?;
        let users = self.import_state(&body)?;
        let groups = self.group_count();
        Ok(json_response(
            StatusCode::OK,
            &json!({"users": users, "groups": groups}),
        ))
    }

    fn health(&self) -> Value {
        json!({
            "status": "ok",
            "users": self.len(),
            "faults": self.faults_lock().rules().len(),
            "journal_entries": self.journal().len(),
            "journal_file_error": self.journal().file_error(),
        })
    }

    /// The installed fault rules with how often each matched and fired.
    pub fn faults_json(&self) -> Value {
        let faults = self.faults_lock();
        let rules: Vec<Value> = faults
            .rules()
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(&r.rule).unwrap_or(Value::Null);
                if let Value::Object(o) = &mut v {
                    o.insert("matched".into(), r.matched.into());
                    o.insert("fired".into(), r.fired.into());
                }
                v
            })
            .collect();
        json!({ "faults": rules })
    }

    fn admin_add_faults(&self, req: &Request) -> Result<Response, ScimError> {
        let text = std::str::from_utf8(&req.body)
            .map_err(|_| ScimError::invalid_syntax("The rules are not UTF-8"))?;
        let media = req
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let rules = if media.contains("toml") || media.starts_with("text/plain") {
            parse_toml(text).map_err(|e| e.to_string())
        } else {
            match serde_json::from_str::<Value>(text) {
                Ok(v) => parse_json(&v).map_err(|e| e.to_string()),
                // Without a JSON content type, TOML is tried too.
                Err(e) if media.is_empty() => {
                    parse_toml(text).map_err(|t| format!("neither JSON ({e}) nor TOML ({t})"))
                }
                Err(e) => Err(format!("not valid JSON: {e}")),
            }
        }
        .map_err(|e| {
            ScimError::invalid_value(format!("Fault rules rejected, previous rules kept: {e}"))
        })?;
        let added = rules.len();
        self.add_faults(rules);
        let total = self.faults_lock().rules().len();
        Ok(json_response(
            StatusCode::CREATED,
            &json!({"added": added, "faults": total}),
        ))
    }

    fn admin_requests(&self, req: &Request) -> Result<Response, ScimError> {
        let mut q = JournalQuery::default();
        for (k, v) in query_params(req) {
            let bad = || ScimError::invalid_value(format!("Bad value '{v}' for '{k}'"));
            match k.as_str() {
                "method" => {
                    q.method = Some(
                        Method::from_bytes(v.to_ascii_uppercase().as_bytes()).map_err(|_| bad())?,
                    )
                }
                "path" => q.path = Some(v.clone()),
                "status" => q.status = Some(v.parse().map_err(|_| bad())?),
                "operation" => {
                    q.operation = Some(
                        serde_json::from_value::<Operation>(Value::from(v.as_str()))
                            .map_err(|_| bad())?,
                    )
                }
                "fault" | "faulted" => q.faulted = Some(v.parse().map_err(|_| bad())?),
                "since" => q.since = Some(v.parse().map_err(|_| bad())?),
                "limit" => q.limit = Some(v.parse().map_err(|_| bad())?),
                _ => {
                    return Err(ScimError::invalid_value(format!(
                        "Unknown parameter '{k}' (method, path, status, operation, fault, since, limit)"
                    )));
                }
            }
        }
        let entries = self.journal().query(&q);
        let page = JournalPage {
            count: entries.len(),
            entries: entries.iter().map(|e| &**e).collect(),
        };
        // Serialised straight from the entries, without a JSON tree in between.
        let body = serde_json::to_vec(&page).map_err(|e| ScimError::new(500, e.to_string()))?;
        let mut r = json_response(StatusCode::OK, &Value::Null);
        r.body = Bytes::from(body);
        Ok(r)
    }

    fn stats_json(&self) -> Value {
        let stats = self.journal().stats();
        let mut total = 0u64;
        let mut ops = Map::new();
        for (op, s) in &stats {
            let count = s.latency.count();
            total += count;
            let statuses: Map<String, Value> = s
                .by_status
                .iter()
                .map(|(status, n)| {
                    (
                        status.map_or_else(|| "no_response".to_string(), |c| c.to_string()),
                        Value::from(*n),
                    )
                })
                .collect();
            let ms = |us: u64| us as f64 / 1000.0;
            ops.insert(
                op.as_str().to_string(),
                json!({
                    "count": count,
                    "statuses": statuses,
                    "latency_ms": {
                        "p50": ms(s.latency.quantile_micros(0.50)),
                        "p90": ms(s.latency.quantile_micros(0.90)),
                        "p99": ms(s.latency.quantile_micros(0.99)),
                        "max": ms(s.latency.max_micros()),
                        "mean": s.latency.mean_micros() / 1000.0,
                    }
                }),
            );
        }
        json!({"requests": total, "operations": ops})
    }
}
