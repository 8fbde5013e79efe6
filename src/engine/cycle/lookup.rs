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
    let mut v = resp.json()?;
    if !content_type_ok(resp) {
        return None;
    }
    let total = v.get("totalResults")?.as_u64()?;
    // Taken out of the list, not copied.
    let resources = match v.get_mut("Resources").map(Value::take) {
        Some(Value::Array(resources)) => resources,
        _ => Vec::new(),
    };
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

/// What the engine keeps of a created resource: its non-empty `id` and its `userName`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Named {
    pub id: Option<String>,
    pub user_name: String,
}

impl Named {
    /// The names of a parsed resource.
    pub(crate) fn of(v: &Value) -> Named {
        Named {
            id: resource_id(v),
            user_name: resource_user_name(v),
        }
    }

    /// The names in a JSON body, read without building the document: `None` when the body is
    /// not JSON, as `Response::json` would; a member that is not an object names nothing.
    pub(crate) fn parse(body: &[u8]) -> Option<Named> {
        serde_json::from_slice::<NamedBody>(body).ok().map(|b| b.0)
    }
}

/// A JSON document read for [`Named`]: an object's `id` and `userName` (the last of each, as
/// `serde_json::Value` keeps it); any other JSON value names nothing.
struct NamedBody(Named);

impl<'de> serde::Deserialize<'de> for NamedBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Walk(true))
            .map(|named| NamedBody(named.unwrap_or_default()))
    }
}

/// A member name, compared without being copied.
enum Key {
    Id,
    UserName,
    Other,
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl serde::de::Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, k: &str) -> Result<Key, E> {
        Ok(match k {
            "id" => Key::Id,
            "userName" => Key::UserName,
            _ => Key::Other,
        })
    }
}

/// Any JSON value, checked as strictly as `serde_json::Value` parses it (numbers in range,
/// escapes valid) but not kept.
struct Any;

impl<'de> serde::Deserialize<'de> for Any {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Walk(false)).map(|_| Any)
    }
}

/// Walks a JSON value; at the top (`true`) an object's names are kept.
struct Walk(bool);

impl<'de> serde::de::Visitor<'de> for Walk {
    type Value = Option<Named>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut user_name) = (None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Id if self.0 => id = text(map.next_value()?),
                Key::UserName if self.0 => user_name = text(map.next_value()?),
                _ => {
                    map.next_value::<Any>()?;
                }
            }
        }
        Ok(Some(Named {
            id: id.filter(|s: &String| !s.is_empty()),
            user_name: user_name.unwrap_or_default(),
        }))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Any>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A member's value kept as text when it is a string.
fn text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What reading the whole document gives: the behaviour `Named::parse` must keep.
    fn through_value(body: &str) -> Option<Named> {
        serde_json::from_str::<Value>(body)
            .ok()
            .map(|v| Named::of(&v))
    }

    #[test]
    fn names_read_without_the_document_match_the_document() {
        let bodies = [
            r#"{"id":"a1","userName":"ada@x","meta":{"id":"no","userName":"no"}}"#,
            r#"{"userName":"ada@x","schemas":["s"],"emails":[{"value":"v","primary":true}]}"#,
            r#"{"id":"","userName":"u"}"#,
            r#"{"id":7,"userName":false}"#,
            r#"{"id":"a","id":"b","userName":"u","userName":"v"}"#,
            r#"{"id":"a","id":null}"#,
            r#"{"\u0069d":"esc\"aped","user\u004eame":"n\u00e9"}"#,
            r#"{"meta":{"id":"nested"}}"#,
            r#"{"x":1e999,"id":"a"}"#,
            r#"{"x":"\ud800","id":"a"}"#,
            r#"{"id":"a"} trailing"#,
            r#"{"id":"a""#,
            r#"[{"id":"a"}]"#,
            r#""id""#,
            "null",
            "12.5",
            "-3",
            "",
        ];
        for body in bodies {
            assert_eq!(
                Named::parse(body.as_bytes()),
                through_value(body),
                "body {body}"
            );
        }
        assert_eq!(
            Named::parse(br#"{"id":"b","userName":"v"}"#),
            Some(Named {
                id: Some("b".into()),
                user_name: "v".into()
            })
        );
    }
}
