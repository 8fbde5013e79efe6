//! The typed path against the JSON route: wherever the typed path answers, both agree.

use super::super::patch_user_json;
use super::*;
use crate::scim::schema::{ENTERPRISE_SCHEMA, PATCH_OP_SCHEMA};
use crate::scim::user::{Meta, NoNames, RenderContext, UnknownAttributes, User};
use proptest::prelude::*;
use serde_json::json;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user(doc: &Value, schema: UserSchema) -> Option<User> {
    let policy = crate::scim::user::ReadPolicy {
        unknown: UnknownAttributes::Ignore,
        schema,
    };
    Some(User {
        id: uuid::Uuid::from_u128(7),
        meta: Meta {
            created: 0,
            last_modified: 0,
            version: 1,
        },
        attrs: UserAttrs::from_json(doc, policy).ok()?,
    })
}

/// The typed answer and the JSON route's, for one request.
fn both(
    user: &User,
    body: &Value,
    opts: PatchOptions,
) -> Option<(
    Option<UserAttrs>,
    Result<UserAttrs, crate::scim::error::ScimError>,
)> {
    let request = PatchRequest::from_json(body).ok()?;
    let ctx = RenderContext {
        base_url: "",
        names: &NoNames,
    };
    let typed = apply(&user.attrs, &request, opts);
    Some((typed, patch_user_json(user, &request, &ctx, opts)))
}

fn ops(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops})
}

fn base() -> Value {
    json!({
        "userName": "ada@example.com",
        "externalId": "ext-1",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "displayName": "Ada Lovelace",
        "active": true,
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true},
                   {"value": "ada@home.example", "type": "home"}],
        "phoneNumbers": [{"value": "+44 1", "type": "work"}],
        ENTERPRISE: {"department": "R&D", "employeeNumber": "1", "manager": {"value": "m1"}},
    })
}

/// What Azure AD sends most takes the typed path, and agrees with the JSON route.
#[test]
fn azure_requests_take_the_typed_path() {
    let user = user(&base(), UserSchema::Blink).expect("user");
    for body in [
        ops(json!([{"op": "Replace", "path": "title", "value": "Bench"},
                   {"op": "Replace", "path": "active", "value": "False"}])),
        ops(
            json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@x.example"},
                   {"op": "Replace", "path": "name.familyName", "value": "Byron"}]),
        ),
        ops(
            json!([{"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 7"}]),
        ),
        ops(
            json!([{"op": "Remove", "path": "emails[type eq \"work\"].value", "value": "ADA@example.com"}]),
        ),
        ops(
            json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"},
                   {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "m2"},
                   {"op": "Add", "path": "employeeNumber", "value": "9"}]),
        ),
        ops(json!([{"op": "Remove", "path": "manager", "value": [{"value": "m1"}]}])),
        ops(
            json!([{"op": "replace", "value": {"displayName": "D", "name.givenName": "G", "active": "True", "id": "x"}}]),
        ),
    ] {
        let (typed, json) = both(&user, &body, PatchOptions::default()).expect("parses");
        let typed = typed.unwrap_or_else(|| panic!("typed path declined {body}"));
        assert_eq!(Ok(typed), json, "{body}");
    }
}

/// Requests the typed path must leave to the JSON route (errors, rarer forms).
#[test]
fn errors_and_rare_forms_go_to_the_json_route() {
    let user = user(&base(), UserSchema::Blink).expect("user");
    for body in [
        ops(json!([{"op": "remove", "path": "userName"}])),
        ops(json!([{"op": "replace", "path": "id", "value": "x"}])),
        ops(json!([{"op": "replace", "path": "title", "value": 5}])),
        ops(json!([{"op": "replace", "path": "userName", "value": " "}])),
        ops(json!([{"op": "add", "path": "nickName", "value": "Babs"}])),
        ops(json!([{"op": "replace", "path": ENTERPRISE_SCHEMA, "value": {"department": "Ops"}}])),
        ops(json!([{"op": "add", "path": "emails", "value": [{"value": "x@y.z"}]}])),
        ops(
            json!([{"op": "add", "path": "emails[type eq \"work\"].value", "value": [{"value": "x"}]}]),
        ),
    ] {
        let (typed, _) = both(&user, &body, PatchOptions::default()).expect("parses");
        assert_eq!(typed, None, "{body}");
    }
}

fn text() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("work")),
        Just(json!("Work")),
        Just(json!("home")),
        Just(json!("ada@example.com")),
        Just(json!("ADA@EXAMPLE.COM")),
        Just(json!("m1")),
        Just(json!("00000000-0000-4000-8000-000000000001")),
        Just(json!("True")),
        Just(json!("false")),
        Just(json!("")),
        Just(json!(" ")),
        Just(json!("Ωmega ß")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text(),
        1 => Just(Value::Null),
        1 => Just(json!(true)),
        1 => Just(json!(5)),
        1 => text().prop_map(|t| json!([{"value": t}])),
        1 => text().prop_map(|t| json!([t])),
        1 => text().prop_map(|t| json!({"value": t})),
        1 => text().prop_map(|t| json!({"value": t, "type": "work", "primary": true})),
        1 => Just(json!([])),
    ]
}

const PATHS: &[&str] = &[
    "title",
    "displayName",
    "DisplayName",
    "active",
    "userName",
    "externalId",
    "locale",
    "name.givenName",
    "name.middleName",
    "name.honorificSuffix",
    "name",
    "nickName",
    "id",
    "meta.created",
    "emails[type eq \"work\"].value",
    "emails[type eq \"Work\"].display",
    "emails[type eq \"home\"].value",
    "emails[Type eq \"other\"].type",
    "emails[type eq \"work\"]",
    "emails[type eq \"work\"].primary",
    "emails[value eq \"ada@example.com\"].value",
    "emails[type eq \"work\" and primary eq true].value",
    "emails",
    "emails.value",
    "phoneNumbers[type eq \"mobile\"].value",
    "phoneNumbers[type eq \"work\"]",
    "manager",
    "manager.value",
    "manager.displayName",
    "manager.$ref",
    "manager[value eq \"m1\"]",
    "department",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:blink:2.0:User:company",
    "company",
    "location",
    "profileUrl",
    "userType",
    "costCenter",
    "addresses[type eq \"work\"].locality",
];

fn operation() -> impl Strategy<Value = Value> {
    let kind = prop::sample::select(vec!["add", "Add", "replace", "Replace", "remove", "Remove"]);
    let path = prop::option::weighted(0.85, prop::sample::select(PATHS.to_vec()));
    let members = prop::collection::vec((prop::sample::select(PATHS.to_vec()), value()), 0..4);
    (kind, path, prop::option::weighted(0.8, value()), members).prop_map(
        |(kind, path, value, members)| {
            let mut op = json!({"op": kind});
            match path {
                Some(p) => op["path"] = json!(p),
                None => {
                    let obj: Map<String, Value> = members
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    op["value"] = Value::Object(obj);
                    return op;
                }
            }
            if let Some(v) = value {
                op["value"] = v;
            }
            op
        },
    )
}

fn stored_user() -> impl Strategy<Value = Value> {
    let email = (
        text(),
        prop::option::of(text()),
        prop::option::of(any::<bool>()),
    );
    (
        prop::collection::vec(email, 0..4),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(any::<bool>()),
        prop::option::of(text()),
    )
        .prop_map(|(emails, title, manager, active, given)| {
            let mut doc = json!({"userName": "u@example.com"});
            let mut primary = false;
            let emails: Vec<Value> = emails
                .into_iter()
                .map(|(v, t, p)| {
                    // At most one primary, as stored users have.
                    let p = p.map(|p| {
                        let first = p && !primary;
                        primary |= p;
                        first
                    });
                    json!({"value": v, "type": t, "primary": p})
                })
                .collect();
            doc["emails"] = Value::Array(emails);
            doc["title"] = title.unwrap_or(Value::Null);
            doc["active"] = active.map_or(Value::Null, Value::Bool);
            doc["name"] = json!({"givenName": given});
            doc[ENTERPRISE] = json!({"manager": manager, "department": "R&D"});
            doc
        })
}

fn options() -> impl Strategy<Value = PatchOptions> {
    let unknown = prop::sample::select(vec![
        UnknownAttributes::Ignore,
        UnknownAttributes::RejectPaths,
        UnknownAttributes::Reject,
    ]);
    let no_match = prop::sample::select(vec![FilterNoMatch::Create, FilterNoMatch::NoTarget]);
    let schema = prop::sample::select(vec![UserSchema::Blink, UserSchema::Full]);
    (unknown, no_match, schema, 1usize..4).prop_map(|(unknown, filter_no_match, schema, max)| {
        PatchOptions {
            unknown,
            filter_no_match,
            schema,
            max_values: max,
            ..PatchOptions::default()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Where the typed path answers, the JSON route gives the same attributes.
    #[test]
    fn typed_agrees_with_the_json_route(
        doc in stored_user(),
        operations in prop::collection::vec(operation(), 1..5),
        opts in options(),
    ) {
        let Some(user) = user(&doc, opts.schema) else { return Ok(()) };
        let Some((typed, json)) = both(&user, &ops(Value::Array(operations)), opts) else {
            return Ok(());
        };
        if let Some(typed) = typed {
            prop_assert_eq!(Ok(typed), json);
        }
    }

    /// A stored user parses back from its rendering unchanged, which the typed path assumes.
    #[test]
    fn a_user_round_trips_through_json(doc in stored_user()) {
        let Some(user) = user(&doc, UserSchema::Blink) else { return Ok(()) };
        let ctx = RenderContext { base_url: "", names: &NoNames };
        let back = UserAttrs::from_json(&user.to_json(&ctx), UnknownAttributes::Reject);
        prop_assert_eq!(back, Ok(user.attrs));
    }
}

/// Every single operation from the generators' lists, on a typical user: both agree, and
/// the typed path answers a good share of them (so the comparison above means something).
#[test]
fn every_single_operation_agrees() {
    let user = user(&base(), UserSchema::Blink).expect("user");
    let values = [
        json!("work"),
        json!("ADA@EXAMPLE.COM"),
        json!("m1"),
        json!("True"),
        json!(""),
        Value::Null,
        json!(true),
        json!(5),
        json!([{"value": "x"}]),
        json!(["y"]),
        json!({"value": "m1"}),
        json!([]),
    ];
    let (mut answered, mut total) = (0, 0);
    for kind in ["Add", "replace", "Remove"] {
        for path in PATHS {
            for value in values.iter().map(Some).chain([None]) {
                let mut op = json!({"op": kind, "path": path});
                if let Some(v) = value {
                    op["value"] = v.clone();
                }
                let body = ops(json!([op]));
                let Some((typed, json)) = both(&user, &body, PatchOptions::default()) else {
                    continue;
                };
                total += 1;
                if let Some(typed) = typed {
                    answered += 1;
                    assert_eq!(Ok(typed), json, "{body}");
                }
            }
        }
    }
    assert!(
        answered * 3 > total,
        "typed path answered {answered} of {total}"
    );
}
