//! Reads of the target: a linked object by id, and matching queries by each matching
//! attribute in precedence order (CUSTOM), with the response checks Azure AD applies.

use super::Ctx;
use super::entry::Outcome;
use crate::engine::failure::{self, Failure, FailureCode, Verb};
use crate::engine::job::Link;
use crate::engine::log::{Action, StepName};
use crate::engine::mapping::{Desired, Evaluation};
use crate::scim::message::Response;
use http::Method;
use serde_json::Value;

/// The resources of a ListResponse, or `None` when the body is not one.
pub(crate) fn list_resources(resp: &Response) -> Option<Vec<Value>> {
    let v = resp.json()?;
    if !content_type_ok(resp) {
        return None;
    }
    let total = v.get("totalResults")?.as_u64()?;
    let resources = v
        .get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if total > 0 && resources.is_empty() {
        return None;
    }
    Some(resources)
}

/// Whether the response's media type is one Azure AD reads (absent counts as fine).
pub(crate) fn content_type_ok(resp: &Response) -> bool {
    resp.header(http::header::CONTENT_TYPE).is_none_or(|ct| {
        let media = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        media == "application/scim+json" || media == "application/json"
    })
}

/// A resource's non-empty `id`.
pub(crate) fn resource_id(v: &Value) -> Option<String> {
    v.get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A resource's `userName`, empty when absent.
pub(crate) fn resource_user_name(v: &Value) -> String {
    v.get("userName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Ctx<'_> {
    /// GETs the target object `id`.
    pub(crate) async fn read(&self, o: &mut Outcome, id: &str) -> Result<Value, Failure> {
        let path = self.resource.path(id);
        let call = self
            .client
            .call(self.client.request(Method::GET, &path, None), &mut o.trace)
            .await;
        o.add_call_cost(call.cost);
        let resp = failure::check(call.outcome, Verb::Read, &o.upn, self.target())?;
        resp.json()
            .filter(|v| v.is_object() && content_type_ok(&resp))
            .ok_or_else(|| {
                failure::incompatible(Verb::Read, &o.upn, self.target(), resp.status.as_u16())
            })
    }

    /// With read-before-update on, reads the linked object and records it as matched; a
    /// failed read ends the pipeline as a failed `action`.
    pub(crate) async fn read_linked(
        &self,
        mut o: Outcome,
        link: &Link,
        action: Action,
    ) -> Result<(Outcome, Option<Value>), Outcome> {
        if !self.job.config().read_before_update {
            return Ok((o, None));
        }
        match self.read(&mut o, &link.target_id).await {
            Ok(v) => {
                o.matched(self, &link.target_id, &resource_user_name(&v));
                Ok((o, Some(v)))
            }
            Err(f) => {
                let description = format!(
                    "Failed to retrieve {} '{}' from {}",
                    self.resource.kind,
                    o.upn,
                    self.target()
                );
                Err(o.fail(action, StepName::EntryImport, description, f))
            }
        }
    }

    /// GET by each matching attribute in precedence order until one matches (CUSTOM).
    pub(crate) async fn find(
        &self,
        o: &mut Outcome,
        eval: &Evaluation,
    ) -> Result<Option<Value>, Failure> {
        let target = self.target();
        let mut any_value = false;
        for m in self.resource.matching() {
            let Some(Desired::Text(value)) = eval.get(&m.target) else {
                continue;
            };
            any_value = true;
            if let Some(c) = self.job.config().known_issues.unfilterable(value) {
                return Err(failure::unfilterable(&o.upn, &m.target, c));
            }
            let path = self.resource.query(&m.target, value);
            let call = self
                .client
                .call(self.client.request(Method::GET, &path, None), &mut o.trace)
                .await;
            o.add_call_cost(call.cost);
            let resp = failure::check(call.outcome, Verb::Match, &o.upn, target)?;
            let status = resp.status.as_u16();
            let Some(resources) = list_resources(&resp) else {
                return Err(failure::incompatible(Verb::Match, &o.upn, target, status));
            };
            match resources.len() {
                0 => continue,
                1 => return Ok(resources.into_iter().next()),
                _ => {
                    let mut ids: Vec<Option<String>> = resources.iter().map(resource_id).collect();
                    ids.dedup();
                    return Err(failure::duplicates(&o.upn, target, ids.len() > 1, status));
                }
            }
        }
        if !any_value {
            return Err(Failure::new(
                FailureCode::ImportSkipped,
                format!(
                    "{} '{}' has no value for any matching attribute, so it cannot be matched or provisioned",
                    self.resource.kind, o.upn
                ),
                None,
            ));
        }
        Ok(None)
    }
}
