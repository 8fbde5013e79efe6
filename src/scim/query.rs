//! List query parameters (RFC 7644 §3.4.2): filter, paging, attribute selection.

use super::error::ScimError;
use super::filter::parse_path;
use super::schema::{Attr, AttributeDef, Returned};
use serde_json::{Map, Value};

/// Parameters of a list or search request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ListQuery {
    /// The `filter` expression.
    pub filter: Option<String>,
    /// 1-based index of the first result; values below 1 mean 1 (§3.4.2.4).
    pub start_index: usize,
    /// Requested page size; negative means 0 (§3.4.2.4).
    pub count: Option<usize>,
    /// `attributes` / `excludedAttributes`.
    pub projection: Projection,
}

impl ListQuery {
    /// Reads the parameters of a query string (form-encoded: `+` is a space).
    pub(crate) fn from_query(query: Option<&str>) -> Result<ListQuery, ScimError> {
        let mut q = ListQuery {
            start_index: 1,
            ..Default::default()
        };
        let mut attributes = None;
        let mut excluded = None;
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.to_ascii_lowercase().as_str() {
                "filter" => q.filter = Some(value.into_owned()),
                "startindex" => q.start_index = start_index(&value)?,
                "count" => q.count = Some(count(&value)?),
                "attributes" => attributes = Some(value.into_owned()),
                "excludedattributes" => excluded = Some(value.into_owned()),
                // sortBy/sortOrder: sort.supported is false, so they are ignored (§3.4.2.3).
                // aadOptscim062020 and other flags are tolerated (blink-scim-api.md §3.4.8).
                _ => {}
            }
        }
        q.projection = Projection::new(attributes.as_deref(), excluded.as_deref())?;
        Ok(q)
    }

    /// Reads a SearchRequest body (POST `/.search`, §3.4.3).
    pub(crate) fn from_search_request(body: &Value) -> Result<ListQuery, ScimError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("A SearchRequest must be an object"))?;
        let get = |k: &str| super::user::lookup(obj, k);
        let text = |k: &str| -> Result<Option<String>, ScimError> {
            match get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Array(items)) => Ok(Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                Some(_) => Err(ScimError::invalid_value(format!(
                    "'{k}' has the wrong type"
                ))),
            }
        };
        let number = |k: &str| -> Result<Option<i64>, ScimError> {
            match get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| ScimError::invalid_value(format!("'{k}' must be an integer"))),
            }
        };
        Ok(ListQuery {
            filter: text("filter")?,
            start_index: number("startIndex")?
                .map_or(1, |n| usize::try_from(n.max(1)).unwrap_or(1)),
            count: number("count")?.map(|n| usize::try_from(n.max(0)).unwrap_or(0)),
            projection: Projection::new(
                text("attributes")?.as_deref(),
                text("excludedAttributes")?.as_deref(),
            )?,
        })
    }

    /// The page size to serve, given the tenant's default and maximum.
    pub(crate) fn page_size(&self, default: usize, max: usize) -> usize {
        self.count.unwrap_or(default).min(max)
    }
}

fn start_index(s: &str) -> Result<usize, ScimError> {
    let n: i64 = s.trim().parse().map_err(|_| {
        ScimError::invalid_value(format!("startIndex must be an integer, got '{s}'"))
    })?;
    Ok(usize::try_from(n.max(1)).unwrap_or(usize::MAX))
}

fn count(s: &str) -> Result<usize, ScimError> {
    let n: i64 = s
        .trim()
        .parse()
        .map_err(|_| ScimError::invalid_value(format!("count must be an integer, got '{s}'")))?;
    Ok(usize::try_from(n.max(0)).unwrap_or(usize::MAX))
}

/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), resolved against the schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Projection {
    /// The default set.
    #[default]
    Default,
    /// Only these (plus `returned: always`).
    Only(Vec<Selected>),
    /// The default set minus these (`returned: always` stays).
    Except(Vec<Selected>),
}

/// One selected attribute or sub-attribute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Selected {
    /// The attribute.
    pub attr: Attr,
    /// A sub-attribute, when one was named.
    pub sub: Option<&'static AttributeDef>,
}

impl Projection {
    /// Parses comma-separated lists; unknown names are ignored (they select nothing).
    pub(crate) fn new(
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ScimError> {
        match (attributes, excluded) {
            (Some(a), _) if !a.trim().is_empty() => Ok(Projection::Only(selection(a)?)),
            (_, Some(e)) if !e.trim().is_empty() => Ok(Projection::Except(selection(e)?)),
            _ => Ok(Projection::Default),
        }
    }

    /// Applies the projection to a rendered resource.
    pub(crate) fn apply(&self, resource: Value) -> Value {
        let Value::Object(mut obj) = resource else {
            return resource;
        };
        match self {
            Projection::Default => Value::Object(obj),
            Projection::Only(selected) => {
                let mut out = Map::new();
                for (key, value) in obj {
                    if let Some(kept) = keep(&key, value, selected) {
                        out.insert(key, kept);
                    }
                }
                Value::Object(out)
            }
            Projection::Except(excluded) => {
                for s in excluded {
                    if s.attr.def().returned == Returned::Always {
                        continue;
                    }
                    let container = match s.attr.extension() {
                        None => Some(&mut obj),
                        Some(urn) => obj.get_mut(urn).and_then(Value::as_object_mut),
                    };
                    let Some(container) = container else { continue };
                    match s.sub {
                        None => {
                            container.shift_remove(s.attr.name());
                        }
                        Some(sub) => match container.get_mut(s.attr.name()) {
                            Some(Value::Object(o)) => {
                                o.shift_remove(sub.name);
                            }
                            Some(Value::Array(items)) => {
                                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                                    item.shift_remove(sub.name);
                                }
                            }
                            _ => {}
                        },
                    }
                }
                // An extension left empty disappears, with its URN in `schemas`.
                let empty: Vec<String> = obj
                    .iter()
                    .filter(|(k, v)| {
                        k.starts_with("urn:") && v.as_object().is_some_and(Map::is_empty)
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in &empty {
                    obj.shift_remove(k);
                }
                if let Some(Value::Array(schemas)) = obj.get_mut("schemas") {
                    schemas.retain(|s| s.as_str().is_none_or(|s| !empty.iter().any(|e| e == s)));
                }
                Value::Object(obj)
            }
        }
    }
}

fn selection(list: &str) -> Result<Vec<Selected>, ScimError> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let path = parse_path(item)
            .map_err(|e| ScimError::invalid_value(format!("Invalid attribute '{item}': {e}")))?;
        if path.filter.is_some() {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{item}' cannot carry a filter here"
            )));
        }
        let Some(attr) = Attr::resolve(path.path.uri.as_deref(), &path.path.name) else {
            continue;
        };
        let sub = path.path.sub.as_deref().and_then(|s| attr.def().sub(s));
        out.push(Selected { attr, sub });
    }
    Ok(out)
}

/// What of top-level member `key` survives an `attributes` selection.
fn keep(key: &str, value: Value, selected: &[Selected]) -> Option<Value> {
    if key == "schemas" || key == "id" {
        return Some(value);
    }
    if let Some(urn) = super::schema::extension_urn(key) {
        let Value::Object(ext) = value else {
            return None;
        };
        let picked: Map<String, Value> = ext
            .into_iter()
            .filter_map(|(k, v)| {
                let wanted: Vec<Selected> = selected
                    .iter()
                    .copied()
                    .filter(|s| s.attr.extension() == Some(urn) && s.attr.name() == k)
                    .collect();
                pick(v, &wanted).map(|v| (k, v))
            })
            .collect();
        return (!picked.is_empty()).then_some(Value::Object(picked));
    }
    let wanted: Vec<Selected> = selected
        .iter()
        .copied()
        .filter(|s| s.attr.extension().is_none() && s.attr.name() == key)
        .collect();
    pick(value, &wanted)
}

fn pick(value: Value, wanted: &[Selected]) -> Option<Value> {
    if wanted.is_empty() {
        return None;
    }
    if wanted.iter().any(|s| s.sub.is_none()) {
        return Some(value);
    }
    let subs: Vec<&str> = wanted
        .iter()
        .filter_map(|s| s.sub.map(|d| d.name))
        .collect();
    let filter_obj = |o: Map<String, Value>| -> Map<String, Value> {
        o.into_iter()
            .filter(|(k, _)| subs.contains(&k.as_str()))
            .collect()
    };
    match value {
        Value::Object(o) => Some(Value::Object(filter_obj(o))),
        Value::Array(items) => Some(Value::Array(
            items
                .into_iter()
                .map(|i| match i {
                    Value::Object(o) => Value::Object(filter_obj(o)),
                    other => other,
                })
                .collect(),
        )),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_paging_per_rfc() {
        let q = ListQuery::from_query(Some(
            "filter=userName+eq+%22a%40b.c%22&startIndex=0&count=-5&aadOptscim062020",
        ))
        .unwrap();
        assert_eq!(q.filter.as_deref(), Some(r#"userName eq "a@b.c""#));
        assert_eq!(q.start_index, 1);
        assert_eq!(q.count, Some(0));
        let q = ListQuery::from_query(Some(
            "filter=userName%20eq%20%22Fred.Smith%40mydomain.com%22",
        ))
        .unwrap();
        assert_eq!(
            q.filter.as_deref(),
            Some(r#"userName eq "Fred.Smith@mydomain.com""#)
        );
        assert!(ListQuery::from_query(Some("count=ten")).is_err());
        assert_eq!(q.page_size(100, 1000), 100);
        let q = ListQuery::from_query(Some("count=5000")).unwrap();
        assert_eq!(q.page_size(100, 1000), 1000);
    }

    #[test]
    fn projects_attributes() {
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "1", "userName": "u", "name": {"givenName": "G", "familyName": "F"},
            "emails": [{"value": "e", "type": "work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D", "employeeNumber": "7"},
            "meta": {"resourceType": "User"}
        });
        let only = Projection::new(Some("userName,name.givenName,emails.value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"), None).unwrap();
        assert_eq!(
            only.apply(user.clone()),
            json!({"schemas": user["schemas"], "id": "1", "userName": "u", "name": {"givenName": "G"},
                   "emails": [{"value": "e"}],
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D"}})
        );
        let except =
            Projection::new(None, Some("id,meta,emails.type,department,employeeNumber")).unwrap();
        let out = except.apply(user);
        assert_eq!(out["id"], "1");
        assert!(out.get("meta").is_none());
        assert_eq!(out["emails"], json!([{"value": "e"}]));
        assert!(
            out.get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                .is_none()
        );
        assert_eq!(
            out["schemas"],
            json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
        );
    }

    #[test]
    fn reads_search_requests() {
        let q = ListQuery::from_search_request(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "attributes": ["userName"], "filter": "title pr", "startIndex": 3, "count": 2
        }))
        .unwrap();
        assert_eq!(
            (q.start_index, q.count, q.filter.as_deref()),
            (3, Some(2), Some("title pr"))
        );
        assert!(ListQuery::from_search_request(&json!({"count": "x"})).is_err());
    }
}
