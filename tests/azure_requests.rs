//! Every Azure AD request of aad-provisioning-service.md Appendix A and B, replayed as Azure
//! AD sends it (bodies verbatim), checked against the response the reference expects.

mod common;

use common::{Harness, TOKEN};
use http::{Method, StatusCode};
use serde_json::{Value, json};

/// Sends a verbatim body with the headers Azure AD uses.
async fn send(h: &Harness, method: Method, path: &str, body: &str) -> common::Reply {
    h.raw(
        method,
        path,
        (!body.is_empty()).then(|| body.to_string()),
        &[
            ("authorization", &format!("Bearer {TOKEN}")),
            ("content-type", "application/scim+json; charset=utf-8"),
        ],
    )
    .await
}

const B1_CREATE: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "active": true,
    "emails": [{
        "primary": true,
        "type": "work",
        "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
    }],
    "meta": {
        "resourceType": "User"
    },
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName"
    },
    "roles": []
}"#;

#[tokio::test]
async fn appendix_b1_user_operations() {
    let h = Harness::start().await;
    // Create User → 201 with id and meta (resourceType, created, lastModified).
    let r = send(&h, Method::POST, "/Users", B1_CREATE).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["meta"]["resourceType"], "User");
    assert!(created["meta"]["created"].is_string() && created["meta"]["lastModified"].is_string());
    assert_eq!(created["name"]["formatted"], "givenName familyName");
    assert!(
        created.get("roles").is_none(),
        "roles is not a Blink attribute; an empty value is ignored"
    );

    // Get User → 200; unknown → 404 with a string status.
    let r = send(&h, Method::GET, &format!("/Users/{id}"), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["userName"],
        "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
    );
    let r = send(&h, Method::GET, "/Users/5171a35d82074e068ce2", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["status"], "404");
    assert_eq!(
        r.json()["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );

    // Get User by query → ListResponse with the user; zero results → empty ListResponse.
    let q = "/Users?filter=userName eq \"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee\""
        .replace(' ', "%20")
        .replace('"', "%22");
    let r = send(&h, Method::GET, &q, "").await.json();
    assert_eq!(
        r["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(
        (r["totalResults"].as_u64(), r["startIndex"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["Resources"][0]["id"], id.as_str());
    let q = "/Users?filter=userName eq \"non-existent user\""
        .replace(' ', "%20")
        .replace('"', "%22");
    let r = send(&h, Method::GET, &q, "").await.json();
    assert_eq!(
        (r["totalResults"].as_u64(), r["Resources"].clone()),
        (Some(0), json!([]))
    );

    // Update User [Multi-valued properties] → 200 with the resource.
    let body = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
            {
            "op": "Replace",
            "path": "emails[type eq \"work\"].value",
            "value": "updatedEmail@microsoft.com"
            },
            {
            "op": "Replace",
            "path": "name.familyName",
            "value": "updatedFamilyName"
            }
    ]
}"#;
    let r = send(&h, Method::PATCH, &format!("/Users/{id}"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let u = r.json();
    assert_eq!(
        u["emails"],
        json!([{"value": "updatedEmail@microsoft.com", "type": "work", "primary": true}])
    );
    assert_eq!(u["name"]["familyName"], "updatedFamilyName");

    // Update User [Single-valued properties] → 200.
    let body = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Replace",
        "path": "userName",
        "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    }]
}"#;
    let r = send(&h, Method::PATCH, &format!("/Users/{id}"), body).await;
    assert_eq!(
        r.json()["userName"],
        "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    );

    // Disable User (Operations before schemas) → 200, active false.
    let body = r#"{
    "Operations": [
        {
            "op": "Replace",
            "path": "active",
            "value": false
        }
    ],
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ]
}"#;
    let r = send(&h, Method::PATCH, &format!("/Users/{id}"), body).await;
    assert_eq!(
        (r.status, r.json()["active"].clone()),
        (StatusCode::OK, json!(false))
    );
    // Disabled users stay retrievable and filterable (blink-scim-api.md Part 4 item 11).
    let q = "/Users?filter=userName eq \"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com\""
        .replace(' ', "+")
        .replace('"', "%22");
    assert_eq!(
        send(&h, Method::GET, &q, "").await.json()["totalResults"],
        1
    );

    // Delete User → 204.
    let r = send(&h, Method::DELETE, &format!("/Users/{id}"), "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn appendix_b2_group_operations_get_blinks_404() {
    // Blink has no group sync by default (blink-scim-api.md §1.2): every group request is a
    // SCIM 404, which Azure AD reports instead of provisioning groups.
    let h = Harness::start().await;
    let requests = [
        (
            Method::POST,
            "/Groups",
            r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName", "meta": {"resourceType": "Group"}}"#,
        ),
        (
            Method::GET,
            "/Groups/40734ae655284ad3abcc?excludedAttributes=members",
            "",
        ),
        (
            Method::GET,
            "/Groups?excludedAttributes=members&filter=displayName%20eq%20%22displayName%22",
            "",
        ),
        (
            Method::PATCH,
            "/Groups/fa2ce26709934589afc5",
            r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "displayName", "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}"#,
        ),
        (
            Method::PATCH,
            "/Groups/a99962b9f99d4c4fac67",
            r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]}]}"#,
        ),
        (
            Method::PATCH,
            "/Groups/a99962b9f99d4c4fac67",
            r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]}]}"#,
        ),
        (Method::DELETE, "/Groups/cdb1ce18f65944079d37", ""),
    ];
    for (method, path, body) in requests {
        let r = send(&h, method.clone(), path, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(r.json()["status"], "404");
    }
}

#[tokio::test]
async fn appendix_b3_schema_discovery() {
    let h = Harness::start().await;
    let r = send(&h, Method::GET, "/Schemas", "").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(
        doc["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    let user = &doc["Resources"][0];
    assert_eq!(user["id"], "urn:ietf:params:scim:schemas:core:2.0:User");
    let user_name = user["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(
        (
            user_name["required"].clone(),
            user_name["caseExact"].clone(),
            user_name["uniqueness"].clone()
        ),
        (json!(true), json!(false), json!("server"))
    );
}

#[tokio::test]
async fn appendix_b4_provisioning_examples() {
    let h = Harness::start().await;
    // Example 2: provision a user, with nulls, flat enterprise names and a misspelt URN.
    let body = r#"{
   "schemas":
   [
     "urn:ietf:params:scim:schemas:core:2.0:User",
     "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
   "externalId":"jyoung",
   "userName":"jyoung@testuser.com",
   "active":true,
   "addresses":null,
   "displayName":"Joy Young",
   "emails": [
     {
       "type":"work",
       "value":"jyoung@Contoso.com",
       "primary":true}],
   "meta": {
     "resourceType":"User"},
    "name":{
     "familyName":"Young",
     "givenName":"Joy"},
   "phoneNumbers":null,
   "preferredLanguage":null,
   "title":null,
   "department":null,
   "manager":null}"#;
    let r = send(&h, Method::POST, "/Users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let manager = h.create(common::user_json("boss@testuser.com")).await;

    // Example 1: query by externalId, value unquoted.
    let r = send(
        &h,
        Method::GET,
        "/Users?filter=externalId%20eq%20jyoung",
        "",
    )
    .await
    .json();
    assert_eq!(r["totalResults"], 1);
    // Example 3: current state of the user.
    assert_eq!(
        send(&h, Method::GET, &format!("/Users/{id}"), "")
            .await
            .status,
        StatusCode::OK
    );
    // Example 4: is the manager already set? (id eq X and manager eq Y, attributes=id)
    let check = format!(
        "/Users?filter=id%20eq%20%22{id}%22%20and%20manager%20eq%20%22{manager}%22&attributes=id"
    );
    assert_eq!(
        send(&h, Method::GET, &check, "").await.json()["totalResults"],
        0
    );
    // Example 5: set the manager with the array-of-$ref form.
    let body = format!(
        r#"{{
    "schemas":
    [
      "urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations":
    [
      {{
        "op":"Add",
        "path":"manager",
        "value":
          [
            {{
              "$ref":"http://.../scim/Users/{manager}",
              "value":"{manager}"}}]}}]}}"#
    );
    let r = send(&h, Method::PATCH, &format!("/Users/{id}"), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let m = &r.json()["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"];
    assert_eq!(m["value"], manager.as_str());
    assert_eq!(m["displayName"], "Test User");
    let r = send(&h, Method::GET, &check, "").await.json();
    assert_eq!(r["totalResults"], 1);
    assert_eq!(
        r["Resources"][0],
        json!({"schemas": r["Resources"][0]["schemas"], "id": id})
    );
    // Example 6: deprovision.
    assert_eq!(
        send(&h, Method::DELETE, &format!("/Users/{id}"), "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn appendix_a_both_patch_dialects() {
    let h = Harness::start().await;
    let id = h.create(common::user_json("pat@contoso.example")).await;
    let path = format!("/Users/{id}");
    // A.3.1 disable without and with the flag.
    let without = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}"#;
    let r = send(&h, Method::PATCH, &path, without).await;
    assert_eq!(
        (r.status, r.json()["active"].clone()),
        (StatusCode::OK, json!(false))
    );
    let enable = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "active", "value": "True"}]}"#;
    assert_eq!(
        send(&h, Method::PATCH, &path, enable).await.json()["active"],
        true
    );
    let with = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]}"#;
    assert_eq!(
        send(&h, Method::PATCH, &path, with).await.json()["active"],
        false
    );

    // A.3.3 replace multiple attributes, both dialects.
    let without = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "Pvlo"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"},
        {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
        {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
        {"op": "Replace", "path": "externalId", "value": "Eqpj"},
        {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "Eqpj"}]}"#;
    let u = send(&h, Method::PATCH, &path, without).await.json();
    assert_eq!(
        (
            u["displayName"].clone(),
            u["name"]["givenName"].clone(),
            u["externalId"].clone()
        ),
        (json!("Pvlo"), json!("Gtfd"), json!("Eqpj"))
    );
    assert_eq!(
        u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"],
        "Eqpj"
    );
    let with = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
        {"op": "replace", "value": {"displayName": "Bjfe", "name.givenName": "Kkom", "name.familyName": "Unua",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"}}]}"#;
    let u = send(&h, Method::PATCH, &path, with).await.json();
    assert_eq!(
        (u["displayName"].clone(), u["name"]["familyName"].clone()),
        (json!("Bjfe"), json!("Unua"))
    );
    assert_eq!(u["emails"][0]["value"], "TestMhvaes@test.microsoft.com");
    assert_eq!(
        u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"],
        "Aklq"
    );

    // A.3.2 add a single-valued string, both dialects. nickName is not in Blink's schema:
    // the default tenant rejects the unknown path; a lenient tenant accepts and drops it.
    let without = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Add", "path": "nickName", "value": "Babs"}]}"#;
    let with = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "nickName", "value": "Babs"}]}"#;
    for body in [without, with] {
        let r = send(&h, Method::PATCH, &path, body).await;
        assert_eq!(
            (r.status, r.json()["scimType"].clone()),
            (StatusCode::BAD_REQUEST, json!("invalidPath"))
        );
    }
    let lenient = Harness::start_with(blinksim::tenant::TenantOptions {
        unknown_attributes: blinksim::scim::UnknownAttributes::Ignore,
        ..Default::default()
    })
    .await;
    let lid = lenient
        .create(common::user_json("pat@contoso.example"))
        .await;
    for body in [without, with] {
        assert_eq!(
            send(&lenient, Method::PATCH, &format!("/Users/{lid}"), body)
                .await
                .status,
            StatusCode::OK
        );
    }
    // The same attribute as a Blink one, in both dialects.
    let blink = r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:blink:2.0:User:location", "value": "Leeds"}]}"#;
    let u = send(&h, Method::PATCH, &path, blink).await.json();
    assert_eq!(
        u["urn:ietf:params:scim:schemas:extension:blink:2.0:User"]["location"],
        "Leeds"
    );

    // A.3.4 remove a group member, both dialects: no group sync, so 404.
    for body in [
        r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}]}"#,
        r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}]}"#,
    ] {
        assert_eq!(
            send(&h, Method::PATCH, "/Groups/a99962b9f99d4c4fac67", body)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn real_world_azure_patch_bodies() {
    // blink-scim-api.md §3.4.9: shapes reported from production Entra tenants.
    let h = Harness::start().await;
    let id = h.create(json!({"userName": "adele@contoso.example"})).await;
    let path = format!("/Users/{id}");
    // (iii) single replace of a work email the user does not have yet: created.
    let r = send(&h, Method::PATCH, &path, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"hoge@example.com"}]}"#).await;
    assert_eq!(
        r.json()["emails"],
        json!([{"value": "hoge@example.com", "type": "work"}])
    );
    // (iv) Add on a work email.
    let r = send(&h, Method::PATCH, &path, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555 0100"}]}"#).await;
    assert_eq!(
        r.json()["phoneNumbers"],
        json!([{"value": "+1 555 0100", "type": "mobile"}])
    );
    // (v) Remove on a value path with a value.
    let r = send(&h, Method::PATCH, &path, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"emails[type eq \"work\"].value","value":"hoge@example.com"}]}"#).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json().get("emails").is_none());
    // (vi) a scalar wrapped the way Microsoft's old library expected.
    let r = send(&h, Method::PATCH, &path, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":[{"$ref":null,"value":"User X"}]}]}"#).await;
    assert_eq!(r.json()["displayName"], "User X");
    // §3.4.4 (a) legacy manager as a bare string under the URN path, then (d) removal by filter.
    let r = send(&h, Method::PATCH, &path, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"45619541-95de-4d5e-9872-571b5d2c5577"}]}"#).await;
    assert_eq!(
        r.json()["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"],
        "45619541-95de-4d5e-9872-571b5d2c5577"
    );
    let r = send(&h, Method::PATCH, &path, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"manager[value eq \"45619541-95de-4d5e-9872-571b5d2c5577\"]"}]}"#).await;
    assert!(
        r.json()
            .get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
            .is_none()
    );
    // The validator's sample: lowercase ops, value paths on three email types, primary flip.
    let body = r#"{"Operations": [
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "oren.collins@white.com"},
        {"op": "add", "path": "emails[type eq \"home\"].value", "value": "angelita@mante.us"},
        {"op": "add", "path": "emails[type eq \"other\"].value", "value": "yasmine_bins@braun.us"},
        {"op": "replace", "path": "emails[type eq \"work\"].display", "value": "0TXBC2MOGUI0"},
        {"op": "replace", "path": "emails[type eq \"home\"].display", "value": "14UDKFEIO3YS"},
        {"op": "replace", "path": "emails[type eq \"other\"].display", "value": "YFQRBLBNUS0R"},
        {"op": "add", "path": "emails[type eq \"work\"].primary", "value": true},
        {"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]}"#;
    let emails = send(&h, Method::PATCH, &path, body).await.json()["emails"].clone();
    assert_eq!(
        emails,
        json!([
            {"value": "oren.collins@white.com", "display": "0TXBC2MOGUI0", "type": "work", "primary": false},
            {"value": "angelita@mante.us", "display": "14UDKFEIO3YS", "type": "home", "primary": true},
            {"value": "yasmine_bins@braun.us", "display": "YFQRBLBNUS0R", "type": "other"}
        ])
    );
    let _ = Value::Null;
}
