//! Request bodies byte-shaped as Azure AD's (aad-provisioning-service.md Appendix A and B),
//! and reading values back out of a target's JSON to compute the diff.

use super::mapping::{Desired, Evaluation};
use super::memo::{Memo, memoised};
use crate::scim::filter::{CompValue, CompareOp, Filter, PatchPath, Test, parse_path};
use crate::scim::schema::{ENTERPRISE_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA, split_urn};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::rc::Rc;

/// The PATCH dialect (Appendix A): Blink's is NOT FOUND in the reference, so it is a setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// The SCIM-compliant behaviour of the `aadOptscim062020` flag: lower-case ops, booleans,
    /// simple attributes merged into one path-less `replace`.
    #[default]
    #[serde(alias = "aadOptscim062020")]
    Current,
    /// The behaviour before it (`AzureAdScimPatch2017`): `Add`/`Replace`/`Remove`, one
    /// operation per attribute, `"True"`/`"False"` strings.
    #[serde(alias = "AzureAdScimPatch2017")]
    Legacy,
}

impl Dialect {
    pub(crate) fn op(self, op: &str) -> String {
        match self {
            Dialect::Current => op.to_string(),
            Dialect::Legacy => {
                let mut c = op.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        }
    }
}

/// A changed attribute for an update.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Target path.
    pub target: String,
    /// The target's current value, if it has one.
    pub old: Option<Value>,
    /// The new value.
    pub new: Desired,
}

fn desired_json(d: &Desired, dialect: Dialect) -> Value {
    match (d, dialect) {
        (Desired::Bool(b), Dialect::Legacy) => Value::from(if *b { "True" } else { "False" }),
        (Desired::Bool(b), Dialect::Current) => Value::Bool(*b),
        (Desired::Text(s) | Desired::Reference(s), _) => Value::from(s.as_str()),
        (Desired::Json(v), _) => v.clone(),
    }
}

/// The `eq` clauses of a value filter (`type eq "work"` → `[("type", "work")]`).
fn eq_clauses(filter: &Filter) -> Vec<(String, String)> {
    match filter {
        Filter::Test {
            path,
            records: None,
            test: Test::Compare(CompareOp::Eq, CompValue::Str(v)),
        } => vec![(path.name.clone(), v.clone())],
        Filter::And(parts) => parts.iter().flat_map(eq_clauses).collect(),
        _ => Vec::new(),
    }
}

/// Where a target path lives in a resource: the container key (extension URN or none),
/// attribute, value filter (and its `eq` clauses) and sub-attribute.
struct Located {
    urn: Option<&'static str>,
    attr: String,
    filter: Option<Filter>,
    clauses: Vec<(String, String)>,
    sub: Option<String>,
}

fn locate(target: &str) -> Option<Located> {
    let PatchPath { path, filter } = parse_path(target).ok()?;
    let urn = path
        .uri
        .as_deref()
        .and_then(|u| split_urn(&format!("{u}:x")).map(|(urn, _)| urn))
        .filter(|u| *u != USER_SCHEMA);
    Some(Located {
        urn,
        attr: path.name,
        clauses: filter.as_ref().map(eq_clauses).unwrap_or_default(),
        filter,
        sub: path.sub,
    })
}

thread_local! {
    /// Parsed target paths: a job has a dozen, read for every user it compares.
    static LOCATIONS: Memo<Option<Rc<Located>>> = RefCell::new(foldhash::HashMap::default());
}

/// `locate`, memoised per thread.
fn located(target: &str) -> Option<Rc<Located>> {
    memoised(&LOCATIONS, target, 1024, |t| locate(t).map(Rc::new))
}

/// The order Azure AD writes a user's members in: `schemas`, `externalId`, `userName`,
/// `active`, then the other core attributes alphabetically (with `meta`), then extensions
/// (Appendix B.1 "Create User", B.4 Example 2).
fn core_rank(key: &str) -> (u8, String) {
    match key {
        "schemas" => (0, String::new()),
        "externalId" => (1, String::new()),
        "userName" => (2, String::new()),
        "active" => (3, String::new()),
        k if k.starts_with("urn:") => (5, k.to_string()),
        k => (4, k.to_ascii_lowercase()),
    }
}

/// Members under construction, in insertion order; a key set again keeps its place, as
/// `Map::insert` does. A body has a dozen: a scan costs less than hashing each key twice.
#[derive(Default)]
struct Members(Vec<(String, Value)>);

impl Members {
    /// The member `key`, added as `empty()` when missing.
    fn slot(&mut self, key: &str, empty: impl FnOnce() -> Value) -> &mut Value {
        let at = match self.0.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.0.push((key.to_string(), empty()));
                self.0.len() - 1
            }
        };
        &mut self.0[at].1
    }

    fn insert(&mut self, key: &str, value: Value) {
        *self.slot(key, || Value::Null) = value;
    }
}

/// The POST body for a new user. References (`manager`) are exported afterwards, in their own
/// PATCH (HPW initial cycle step 6).
pub fn create_body(eval: &Evaluation) -> Value {
    let mut core = Members::default();
    let mut extensions: Vec<(&'static str, Members)> = Vec::new();
    for (target, desired) in &eval.values {
        if matches!(desired, Desired::Reference(_)) {
            continue;
        }
        let Some(loc) = located(target) else { continue };
        let container = match loc.urn {
            None => &mut core,
            Some(urn) => {
                if !extensions.iter().any(|(u, _)| *u == urn) {
                    extensions.push((urn, Members::default()));
                }
                match extensions.iter_mut().find(|(u, _)| *u == urn) {
                    Some((_, m)) => m,
                    None => continue,
                }
            }
        };
        let value = desired_json(desired, Dialect::Current);
        match (&loc.filter, &loc.sub) {
            (None, None) => container.insert(&loc.attr, value),
            (None, Some(sub)) => {
                let obj = container.slot(&loc.attr, || Value::Object(Map::new()));
                if let Value::Object(o) = obj {
                    o.insert(sub.clone(), value);
                    sort_name_parts(o);
                }
            }
            (Some(_), sub) => {
                let mut record = Map::new();
                if loc.attr.eq_ignore_ascii_case("emails") {
                    record.insert("primary".into(), Value::Bool(true));
                }
                for (k, v) in &loc.clauses {
                    record.insert(k.clone(), Value::from(v.as_str()));
                }
                record.insert(sub.clone().unwrap_or_else(|| "value".into()), value);
                let arr = container.slot(&loc.attr, || Value::Array(Vec::new()));
                if let Value::Array(a) = arr {
                    a.push(Value::Object(record));
                }
            }
        }
    }
    core.insert("schemas", json!([USER_SCHEMA, ENTERPRISE_SCHEMA]));
    core.insert("meta", json!({"resourceType": "User"}));
    // Each key ranked once (not per comparison); the members moved into the body.
    let mut members = core.0;
    members.sort_by_cached_key(|(k, _)| core_rank(k));
    let mut body = Map::with_capacity(members.len() + extensions.len());
    body.extend(members);
    extensions.sort_by_key(|(u, _)| if *u == ENTERPRISE_SCHEMA { 0 } else { 1 });
    for (urn, ext) in extensions {
        body.insert(urn.to_string(), Value::Object(ext.0.into_iter().collect()));
    }
    Value::Object(body)
}

/// `name` sub-attributes in the order of Microsoft's sample: formatted, familyName, givenName.
fn sort_name_parts(o: &mut Map<String, Value>) {
    let rank = |k: &str| {
        crate::scim::schema::NAME_PARTS
            .iter()
            .position(|x| *x == k)
            .unwrap_or(9)
    };
    let mut entries: Vec<(String, Value)> = std::mem::take(o).into_iter().collect();
    entries.sort_by_key(|(k, _)| rank(k));
    o.extend(entries);
}

/// The PATCH body updating `changes` in `dialect` (Appendix A.3.2, A.3.3, A.3.1).
pub fn update_body(changes: &[Change], dialect: Dialect) -> Value {
    // With the flag, two or more simple attributes that change are merged into one path-less
    // replace (A.3.3); a single one keeps its path (A.3.1).
    let mergeable =
        |c: &Change| dialect == Dialect::Current && c.old.is_some() && !c.target.contains('[');
    let merge = changes.iter().filter(|c| mergeable(c)).count() >= 2;
    let mut ops = Vec::new();
    let mut merged = Map::new();
    for c in changes {
        let value = desired_json(&c.new, dialect);
        if merge && mergeable(c) {
            merged.insert(c.target.clone(), value);
        } else {
            let op = if c.old.is_some() { "replace" } else { "add" };
            ops.push(json!({"op": dialect.op(op), "path": c.target, "value": value}));
        }
    }
    if !merged.is_empty() {
        ops.push(json!({"op": "replace", "value": Value::Object(merged)}));
    }
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops})
}

/// The PATCH body setting the manager reference (current wire format: a plain id string under
/// the enterprise path, Captain-P-Goldfish/SCIM-SDK#686; legacy: capitalised `Add`).
pub(crate) fn manager_body(manager_id: &str, dialect: Dialect) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{
        "op": dialect.op("add"),
        "path": format!("{ENTERPRISE_SCHEMA}:manager"),
        "value": manager_id,
    }]})
}

/// The PATCH body removing a manager reference (thomaspoignant/scim-patch#453).
pub(crate) fn remove_manager_body(old_id: &str, dialect: Dialect) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{
        "op": dialect.op("remove"),
        "path": format!("manager[value eq \"{old_id}\"]"),
    }]})
}

/// `filter=<attr>+eq+%22<value>%22`, encoded as Azure AD sends it (SCIMReferenceCode#63).
pub(crate) fn filter_query(target: &str, value: &str) -> String {
    let filter = format!("{target} eq \"{value}\"");
    format!(
        "filter={}",
        form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    )
}

/// Reads a target path's value out of a resource; case-insensitive keys; the manager's `value`.
pub fn value_at(resource: &Value, target: &str) -> Option<Value> {
    value_ref_at(resource, target).cloned()
}

/// [`value_at`], borrowed: the diff copies only the values that changed.
pub fn value_ref_at<'r>(resource: &'r Value, target: &str) -> Option<&'r Value> {
    let loc = located(target)?;
    value_in(resource, &loc)
}

/// A member by key, exact first, then ignoring ASCII case (SCIM attribute names are not
/// case-sensitive). One scan: a resource has a dozen members, cheaper to compare than to hash.
fn member<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    let mut caseless = None;
    for (key, value) in o {
        if key.len() != k.len() {
            continue;
        }
        if key == k {
            return Some(value);
        }
        if caseless.is_none() && key.eq_ignore_ascii_case(k) {
            caseless = Some(value);
        }
    }
    caseless
}

fn value_in<'a>(resource: &'a Value, loc: &Located) -> Option<&'a Value> {
    let obj = resource.as_object()?;
    let container = match loc.urn {
        None => obj,
        Some(urn) => member(obj, urn)?.as_object()?,
    };
    let attr = member(container, &loc.attr)?;
    if loc.attr.eq_ignore_ascii_case("manager") {
        return match attr {
            Value::Object(m) => member(m, "value").filter(|v| !v.is_null()),
            Value::String(_) => Some(attr),
            _ => None,
        };
    }
    match (&loc.filter, &loc.sub) {
        (None, None) => Some(attr).filter(|v| !v.is_null()),
        (None, Some(sub)) => member(attr.as_object()?, sub).filter(|v| !v.is_null()),
        (Some(_), sub) => {
            let record = attr
                .as_array()?
                .iter()
                .filter_map(Value::as_object)
                .find(|r| {
                    loc.clauses.iter().all(|(k, v)| {
                        member(r, k)
                            .and_then(Value::as_str)
                            .is_some_and(|s| s.eq_ignore_ascii_case(v))
                    })
                })?;
            member(record, sub.as_deref().unwrap_or("value")).filter(|v| !v.is_null())
        }
    }
}

/// Whether a target's current value already equals the desired one (string compare as sent:
/// MS-1 "Values sent should be stored in the same format they were sent").
pub fn same(current: Option<&Value>, desired: &Desired) -> bool {
    match (current, desired) {
        (None, _) => false,
        (Some(Value::Bool(a)), Desired::Bool(b)) => a == b,
        (Some(Value::String(s)), Desired::Bool(b)) => {
            s.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (Some(Value::String(a)), Desired::Text(b) | Desired::Reference(b)) => a == b,
        (Some(v), Desired::Json(d)) => v == d,
        (Some(Value::Number(n)), Desired::Text(b)) => n.to_string() == *b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_match_exactly_first_then_ignoring_case() {
        let o = json!({"Title": "caseless", "title": "exact", "emails": []});
        let o = o.as_object().expect("an object");
        assert_eq!(member(o, "title"), Some(&json!("exact")));
        assert_eq!(member(o, "TITLE"), Some(&json!("caseless")));
        assert_eq!(member(o, "EMAILS"), Some(&json!([])));
        assert_eq!(member(o, "titles"), None);
        let resource = json!({"name": {"givenName": "Ada"}});
        assert_eq!(
            value_ref_at(&resource, "name.GIVENNAME"),
            Some(&json!("Ada"))
        );
        assert_eq!(value_at(&resource, "name.familyName"), None);
    }

    fn eval(values: Vec<(&str, Desired)>) -> Evaluation {
        Evaluation {
            values: values
                .into_iter()
                .map(|(t, d)| (t.to_string(), d))
                .collect(),
            redacted: vec![],
        }
    }

    #[test]
    fn create_body_has_azure_ads_shape() {
        let e = eval(vec![
            ("userName", Desired::Text("Test_User".into())),
            ("active", Desired::Bool(true)),
            (
                r#"emails[type eq "work"].value"#,
                Desired::Text("t@testuser.com".into()),
            ),
            ("name.givenName", Desired::Text("givenName".into())),
            ("name.familyName", Desired::Text("familyName".into())),
            ("externalId", Desired::Text("0a21f0f2".into())),
            (
                r#"phoneNumbers[type eq "mobile"].value"#,
                Desired::Text("+1".into()),
            ),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                Desired::Text("QA".into()),
            ),
            (
                "urn:ietf:params:scim:schemas:extension:blink:2.0:User:location",
                Desired::Text("Leeds".into()),
            ),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                Desired::Reference("m".into()),
            ),
        ]);
        let body = create_body(&e).to_string();
        assert_eq!(
            body,
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2","userName":"Test_User","active":true,"emails":[{"primary":true,"type":"work","value":"t@testuser.com"}],"meta":{"resourceType":"User"},"name":{"familyName":"familyName","givenName":"givenName"},"phoneNumbers":[{"type":"mobile","value":"+1"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"QA"},"urn:ietf:params:scim:schemas:extension:blink:2.0:User":{"location":"Leeds"}}"#
        );
    }

    #[test]
    fn a_target_set_twice_keeps_its_first_place_and_last_value() {
        let e = eval(vec![
            ("title", Desired::Text("A".into())),
            ("Title", Desired::Text("B".into())),
            ("title", Desired::Text("C".into())),
            ("name.givenName", Desired::Text("G".into())),
            ("name.familyName", Desired::Text("F".into())),
        ]);
        assert_eq!(
            create_body(&e).to_string(),
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"meta":{"resourceType":"User"},"name":{"familyName":"F","givenName":"G"},"title":"C","Title":"B"}"#
        );
    }

    #[test]
    fn update_bodies_in_both_dialects_match_appendix_a() {
        let changes = vec![
            Change {
                target: r#"emails[type eq "work"].value"#.into(),
                old: Some(json!("a")),
                new: Desired::Text("TestMhvaes@test.microsoft.com".into()),
            },
            Change {
                target: "displayName".into(),
                old: Some(json!("x")),
                new: Desired::Text("Bjfe".into()),
            },
            Change {
                target: "name.givenName".into(),
                old: Some(json!("x")),
                new: Desired::Text("Kkom".into()),
            },
            Change {
                target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
                    .into(),
                old: Some(json!("x")),
                new: Desired::Text("Aklq".into()),
            },
        ];
        assert_eq!(
            update_body(&changes, Dialect::Current),
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
                {"op": "replace", "value": {"displayName": "Bjfe", "name.givenName": "Kkom", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"}}
            ]})
        );
        let legacy = update_body(&changes, Dialect::Legacy);
        assert_eq!(legacy["Operations"].as_array().unwrap().len(), 4);
        assert_eq!(
            legacy["Operations"][1],
            json!({"op": "Replace", "path": "displayName", "value": "Bjfe"})
        );
        // A.3.1: disable.
        let disable = vec![Change {
            target: "active".into(),
            old: Some(json!(true)),
            new: Desired::Bool(false),
        }];
        assert_eq!(
            update_body(&disable, Dialect::Legacy)["Operations"],
            json!([{"op": "Replace", "path": "active", "value": "False"}])
        );
        assert_eq!(
            update_body(&disable, Dialect::Current)["Operations"],
            json!([{"op": "replace", "path": "active", "value": false}])
        );
        // A.3.2: adding a value the target does not have.
        let add = vec![Change {
            target: "title".into(),
            old: None,
            new: Desired::Text("Babs".into()),
        }];
        assert_eq!(
            update_body(&add, Dialect::Current)["Operations"],
            json!([{"op": "add", "path": "title", "value": "Babs"}])
        );
        assert_eq!(
            update_body(&add, Dialect::Legacy)["Operations"],
            json!([{"op": "Add", "path": "title", "value": "Babs"}])
        );
    }

    #[test]
    fn reads_values_back() {
        let user = json!({"userName": "u", "active": true, "name": {"givenName": "G"},
            "emails": [{"value": "h@x", "type": "home"}, {"value": "w@x", "type": "Work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "m1"}, "department": "D"}});
        assert_eq!(
            value_at(&user, r#"emails[type eq "work"].value"#),
            Some(json!("w@x"))
        );
        assert_eq!(value_at(&user, "name.givenName"), Some(json!("G")));
        assert_eq!(
            value_at(
                &user,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
            ),
            Some(json!("m1"))
        );
        assert_eq!(
            value_at(
                &user,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
            ),
            Some(json!("D"))
        );
        assert_eq!(value_at(&user, "title"), None);
        assert!(same(Some(&json!(true)), &Desired::Bool(true)));
        assert!(same(Some(&json!("False")), &Desired::Bool(false)));
        assert!(!same(Some(&json!("ada")), &Desired::Text("Ada".into())));
        assert_eq!(
            filter_query("userName", "ada@contoso.example"),
            "filter=userName+eq+%22ada%40contoso.example%22"
        );
    }
}
