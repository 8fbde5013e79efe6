//! PATCH tests: RFC 7644 §3.5.2 rules and every Azure AD request shape in the reference.

use super::*;
use crate::scim::schema::{BLINK_SCHEMA, ENTERPRISE_SCHEMA, PATCH_OP_SCHEMA};
use crate::scim::user::{Meta, User};
use serde_json::json;

fn ctx() -> RenderContext<'static> {
    RenderContext {
        base_url: "http://h/scim",
        names: &crate::scim::user::NoNames,
    }
}

fn base_user() -> User {
    let doc = json!({
        "userName": "ada@example.com",
        "externalId": "ext-1",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "displayName": "Ada Lovelace",
        "active": true,
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "+44 1", "type": "work"}],
        ENTERPRISE_SCHEMA: {"department": "R&D", "employeeNumber": "1"},
    });
    User {
        id: uuid::Uuid::from_u128(1),
        meta: Meta {
            created: 0,
            last_modified: 0,
            version: 1,
        },
        attrs: UserAttrs::from_json(&doc, UnknownAttributes::Reject).unwrap(),
    }
}

fn patch(body: Value) -> Result<Value, ScimError> {
    patch_with(body, PatchOptions::default())
}

fn patch_with(body: Value, opts: PatchOptions) -> Result<Value, ScimError> {
    let user = base_user();
    let req = PatchRequest::from_json(&body)?;
    let attrs = patch_user(&user, &req, &ctx(), opts)?;
    Ok(User { attrs, ..user }.to_json(&ctx()))
}

fn ops(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops})
}

#[test]
fn replace_simple_and_sub_attributes_with_azure_casing() {
    // aad-provisioning-service.md B.1 "Update User [Multi-valued properties]".
    let out = patch(ops(json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
    ])))
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "updatedEmail@microsoft.com", "type": "work", "primary": true}])
    );
    assert_eq!(out["name"]["familyName"], "updatedFamilyName");
    assert_eq!(out["name"]["givenName"], "Ada");
}

#[test]
fn disable_in_both_dialects_and_the_current_sample() {
    // Appendix A.3.1 without and with aadOptscim062020, and B.1's Operations-first body.
    for body in [
        ops(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        ops(json!([{"op": "replace", "path": "active", "value": false}])),
        json!({"Operations": [{"op": "Replace", "path": "active", "value": false}], "schemas": [PATCH_OP_SCHEMA]}),
    ] {
        assert_eq!(patch(body).unwrap()["active"], false);
    }
    assert_eq!(
        patch(ops(
            json!([{"op": "replace", "path": "active", "value": "TRUE"}])
        ))
        .unwrap()["active"],
        true
    );
}

#[test]
fn pathless_replace_with_dotted_and_urn_keys() {
    // Appendix A.3.3 with the flag, plus the Blink extension keys (blink-scim-api.md §3.4.7).
    let out = patch(ops(json!([
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
        {"op": "replace", "value": {
            "displayName": "Bjfe",
            "name.givenName": "Kkom",
            "name.familyName": "Unua",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",
            "urn:ietf:params:scim:schemas:extension:blink:2.0:User:company": "Blink Ltd",
            "id": "ignored", "meta": {"version": "ignored"}
        }}
    ])))
    .unwrap();
    assert_eq!(out["displayName"], "Bjfe");
    assert_eq!(out["name"]["givenName"], "Kkom");
    assert_eq!(out["name"]["familyName"], "Unua");
    assert_eq!(out[ENTERPRISE_SCHEMA]["employeeNumber"], "Aklq");
    assert_eq!(out[ENTERPRISE_SCHEMA]["department"], "R&D");
    assert_eq!(out[BLINK_SCHEMA]["company"], "Blink Ltd");
    assert_eq!(out["emails"][0]["value"], "TestMhvaes@test.microsoft.com");
}

#[test]
fn legacy_multi_replace_one_op_per_attribute() {
    // Appendix A.3.3 without the flag.
    let out = patch(ops(json!([
        {"op": "Replace", "path": "displayName", "value": "Pvlo"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"},
        {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
        {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
        {"op": "Replace", "path": "externalId", "value": "Eqpj"},
        {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "Eqpj"}
    ])))
    .unwrap();
    assert_eq!(out["externalId"], "Eqpj");
    assert_eq!(out[ENTERPRISE_SCHEMA]["employeeNumber"], "Eqpj");
    assert_eq!(out["displayName"], "Pvlo");
}

#[test]
fn add_on_a_missing_typed_value_creates_it() {
    // blink-scim-api.md §3.4.9 (iv) and SCIM-SDK#416: add emails[type eq "work"].value creates the entry.
    let out = patch(ops(json!([
        {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 7"},
        {"op": "add", "path": "emails[type eq \"home\"].value", "value": "angelita@mante.us"},
        {"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}
    ])))
    .unwrap();
    assert_eq!(
        out["phoneNumbers"][1],
        json!({"value": "+44 7", "type": "mobile"})
    );
    // Setting home primary flips work to false (RFC 7644 §3.5.2).
    assert_eq!(out["emails"][0]["primary"], false);
    assert_eq!(
        out["emails"][1],
        json!({"value": "angelita@mante.us", "type": "home", "primary": true})
    );
    let err = patch_with(
        ops(json!([{"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 7"}])),
        PatchOptions { filter_no_match: FilterNoMatch::NoTarget, ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(err.scim_type, Some(crate::scim::error::ScimType::NoTarget));
}

#[test]
fn manager_in_every_azure_form() {
    let expect = |out: &Value, id: &str| {
        assert_eq!(out[ENTERPRISE_SCHEMA]["manager"]["value"], id, "{out}");
        assert_eq!(
            out[ENTERPRISE_SCHEMA]["manager"]["$ref"],
            format!("http://h/scim/Users/{id}")
        );
    };
    // §3.4.4 (a), (b), (c) and a sub-attribute path.
    let out = patch(ops(json!([{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "45619541"}]))).unwrap();
    expect(&out, "45619541");
    let out = patch(ops(json!([{"op": "add", "path": "manager", "value": [{"$ref": "http://x/Users/m2", "value": "m2"}]}]))).unwrap();
    expect(&out, "m2");
    let out = patch(ops(json!([{"op": "replace", "path": "manager", "value": {"value": "m3", "displayName": "ignored"}}]))).unwrap();
    expect(&out, "m3");
    let out = patch(ops(json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "value": "m4"}]))).unwrap();
    expect(&out, "m4");
    // §3.4.4 (d): remove by value filter, only when it matches.
    let set_then = |remove: Value| {
        patch(ops(
            json!([{"op": "add", "path": "manager", "value": "m5"}, remove]),
        ))
        .unwrap()
    };
    let out = set_then(json!({"op": "remove", "path": "manager[value eq \"other\"]"}));
    expect(&out, "m5");
    let out = set_then(json!({"op": "remove", "path": "manager[value eq \"m5\"]"}));
    assert!(out[ENTERPRISE_SCHEMA].get("manager").is_none());
    let out = set_then(json!({"op": "Remove", "path": "manager"}));
    assert!(out[ENTERPRISE_SCHEMA].get("manager").is_none());
}

#[test]
fn remove_forms() {
    // Remove with a value on a value path (blink-scim-api.md §3.4.9 v): only when it matches.
    let out = patch(ops(json!([{"op": "Remove", "path": "emails[type eq \"work\"].value", "value": "other@example.org"}]))).unwrap();
    assert_eq!(out["emails"][0]["value"], "ada@example.com");
    let out = patch(ops(json!([{"op": "Remove", "path": "emails[type eq \"work\"].value", "value": "ADA@example.com"}]))).unwrap();
    assert!(
        out.get("emails").is_none(),
        "a record without its value is dropped"
    );
    // Legacy remove of a multi-valued attribute with a value list (§3.4.8 shape).
    let out = patch(ops(
        json!([{"op": "Remove", "path": "phoneNumbers", "value": [{"value": "+44 1"}]}]),
    ))
    .unwrap();
    assert!(out.get("phoneNumbers").is_none());
    let out = patch(ops(
        json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]),
    ))
    .unwrap();
    assert!(out.get("emails").is_none());
    let out = patch(ops(
        json!([{"op": "remove", "path": "name.givenName"}, {"op": "remove", "path": "title"}]),
    ))
    .unwrap();
    assert!(out["name"].get("givenName").is_none());
    let out = patch(ops(json!([{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}]))).unwrap();
    assert!(out[ENTERPRISE_SCHEMA].get("department").is_none());
}

#[test]
fn add_to_multi_valued_appends_and_skips_duplicates() {
    let out = patch(ops(json!([
        {"op": "add", "path": "emails", "value": [{"value": "ada@example.com", "type": "work", "primary": true}, {"Value": "x@y.z", "Type": "other"}]}
    ])))
    .unwrap();
    assert_eq!(out["emails"].as_array().unwrap().len(), 2);
    let out = patch(ops(json!([{"op": "replace", "path": "emails", "value": [{"value": "only@y.z", "type": "work"}]}]))).unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "only@y.z", "type": "work"}])
    );
}

/// Every rejection is a 400 with the scimType RFC 7644 §3.12 names for it.
fn assert_rejected(cases: &[(&str, crate::scim::error::ScimType)]) {
    for (body, scim_type) in cases {
        let body: Value = serde_json::from_str(body).unwrap();
        let err = patch(body.clone()).unwrap_err();
        assert_eq!(
            (err.status, err.scim_type),
            (400, Some(*scim_type)),
            "{body}: {err}"
        );
    }
}

#[test]
fn malformed_requests_are_scim_errors() {
    use crate::scim::error::ScimType::*;
    assert_rejected(&[
        (r#"{"Operations": [{"op": "remove"}]}"#, NoTarget),
        (
            r#"{"Operations": [{"op": "jump", "path": "title"}]}"#,
            InvalidSyntax,
        ),
        (r#"{"Operations": []}"#, InvalidSyntax),
        (
            r#"{"schemas": ["urn:nope"], "Operations": [{"op": "add", "path": "title", "value": "x"}]}"#,
            InvalidSyntax,
        ),
        ("[1]", InvalidSyntax),
        (
            r#"{"Operations": [{"op": "add", "path": "title"}]}"#,
            InvalidValue,
        ),
        (
            r#"{"Operations": [{"op": "replace", "value": "not an object"}]}"#,
            InvalidValue,
        ),
    ]);
}

#[test]
fn bad_paths_and_values_are_scim_errors() {
    use crate::scim::error::ScimType::*;
    assert_rejected(&[
        (
            r#"{"Operations": [{"op": "add", "path": "title[", "value": 1}]}"#,
            InvalidPath,
        ),
        (
            r#"{"Operations": [{"op": "add", "path": "nickName", "value": "Babs"}]}"#,
            InvalidPath,
        ),
        (
            r#"{"Operations": [{"op": "add", "path": "name.nick", "value": "Babs"}]}"#,
            InvalidPath,
        ),
        (
            r#"{"Operations": [{"op": "replace", "path": "title", "value": 5}]}"#,
            InvalidValue,
        ),
        (
            r#"{"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]}"#,
            InvalidValue,
        ),
        (
            r#"{"Operations": [{"op": "replace", "path": "emails[bogus eq \"x\"].value", "value": "v"}]}"#,
            InvalidFilter,
        ),
    ]);
}

#[test]
fn read_only_attributes_are_mutability_errors() {
    use crate::scim::error::ScimType::*;
    assert_rejected(&[
        (
            r#"{"Operations": [{"op": "replace", "path": "id", "value": "x"}]}"#,
            Mutability,
        ),
        (
            r#"{"Operations": [{"op": "replace", "path": "meta.created", "value": "x"}]}"#,
            Mutability,
        ),
        (
            r#"{"Operations": [{"op": "remove", "path": "userName"}]}"#,
            Mutability,
        ),
    ]);
}

#[test]
fn unknown_attribute_policy() {
    // Appendix A.3.2 adds nickName, which Blink's schema lacks.
    let body = ops(json!([{"op": "Add", "path": "nickName", "value": "Babs"}]));
    assert!(patch(body.clone()).is_err());
    let lenient = PatchOptions {
        unknown: UnknownAttributes::Ignore,
        ..Default::default()
    };
    let out = patch_with(body, lenient).unwrap();
    assert!(out.get("nickName").is_none());
    // Path-less unknown keys are ignored unless the policy is strict.
    let body = ops(json!([{"op": "replace", "value": {"nickName": "Babs", "title": "T"}}]));
    assert_eq!(patch(body.clone()).unwrap()["title"], "T");
    let strict = PatchOptions {
        unknown: UnknownAttributes::Reject,
        ..Default::default()
    };
    assert!(patch_with(body, strict).is_err());
}

#[test]
fn atomic_on_failure() {
    let user = base_user();
    let req = PatchRequest::from_json(&ops(json!([
        {"op": "replace", "path": "title", "value": "changed"},
        {"op": "remove", "path": "userName"}
    ])))
    .unwrap();
    assert!(patch_user(&user, &req, &ctx(), PatchOptions::default()).is_err());
    assert_eq!(user, base_user());
}

#[test]
fn whole_extension_as_path() {
    // scim2-tester sends the extension URN itself as the path.
    let out = patch(ops(json!([{"op": "replace", "path": ENTERPRISE_SCHEMA, "value": {"department": "Ops", "manager": {"value": "m9"}}}]))).unwrap();
    assert_eq!(out[ENTERPRISE_SCHEMA]["department"], "Ops");
    assert_eq!(
        out[ENTERPRISE_SCHEMA]["employeeNumber"], "1",
        "other sub-attributes stay"
    );
    assert_eq!(out[ENTERPRISE_SCHEMA]["manager"]["value"], "m9");
    let out = patch(ops(
        json!([{"op": "add", "path": BLINK_SCHEMA, "value": {"company": "Blink"}}]),
    ))
    .unwrap();
    assert_eq!(out[BLINK_SCHEMA]["company"], "Blink");
    let out = patch(ops(json!([{"op": "remove", "path": ENTERPRISE_SCHEMA}]))).unwrap();
    assert!(out.get(ENTERPRISE_SCHEMA).is_none());
    assert!(
        !out["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == ENTERPRISE_SCHEMA)
    );
    assert!(
        patch(ops(
            json!([{"op": "add", "path": BLINK_SCHEMA, "value": "x"}])
        ))
        .is_err()
    );
    // Removing active unassigns it.
    let out = patch(ops(json!([{"op": "remove", "path": "active"}]))).unwrap();
    assert!(out.get("active").is_none());
}
