//! `/Groups` over real HTTP (issue 12, the tenant half): off by default, then every
//! operation Entra sends (aad-provisioning-service.md §3.7, Appendix B.2).

mod common;

use common::{Harness, user_json};
use http::{Method, StatusCode};
use serde_json::{Value, json};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const MS_GROUP: &str = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

async fn with_groups() -> Harness {
    Harness::start_with(blinksim::tenant::TenantOptions {
        groups: true,
        ..Default::default()
    })
    .await
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

async fn members(h: &Harness, id: &str) -> Vec<String> {
    let got = h.get(&format!("/Groups/{id}")).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    got.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn groups_are_off_by_default() {
    let h = Harness::start().await;
    assert_eq!(h.get("/Groups").await.status, StatusCode::NOT_FOUND);
    let posted = h.post("/Groups", &json!({"displayName": "x"})).await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    let types = h.get("/ResourceTypes").await.json();
    assert_eq!(types["totalResults"], 1);
}

#[tokio::test]
async fn entra_group_lifecycle() {
    let h = with_groups().await;
    let ada = h.create(user_json("ada@contoso.example")).await;
    let bob = h.create(user_json("bob@contoso.example")).await;
    let created = h
        .post(
            "/Groups",
            &json!({"schemas": [GROUP, MS_GROUP], "externalId": "8aa1a0c0", "displayName": "Sales",
                    "meta": {"resourceType": "Group"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(body["members"], json!([]));
    assert_eq!(body["meta"]["resourceType"], "Group");
    assert_eq!(
        created.header("location"),
        Some(format!("{}/Groups/{id}", h.base()).as_str())
    );
    assert_eq!(created.header("etag"), Some("W/\"1\""));

    let path = format!("/Groups/{id}");
    let add = patch(json!([{"op": "Add", "path": "members",
        "value": [{"$ref": null, "value": ada}, {"$ref": null, "value": bob}]}]));
    let reply = h.patch(&path, &add).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    assert_eq!(members(&h, &id).await, [ada.clone(), bob.clone()]);

    // Legacy Remove with a value array, then the aadOptscim062020 path form.
    let legacy = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": ada}]}]));
    assert_eq!(h.patch(&path, &legacy).await.status, StatusCode::NO_CONTENT);
    assert_eq!(members(&h, &id).await, [bob.as_str()]);
    let by_path = patch(json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]));
    assert_eq!(
        h.patch(&path, &by_path).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(members(&h, &id).await.is_empty());

    let rename = patch(json!([{"op": "Replace", "path": "displayName", "value": "Sales EMEA"}]));
    assert_eq!(h.patch(&path, &rename).await.status, StatusCode::NO_CONTENT);
    let found = h
        .get("/Groups?excludedAttributes=members&filter=displayName%20eq%20%22sales%20emea%22")
        .await
        .json();
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    assert!(found["Resources"][0].get("members").is_none());
    let got = h
        .get(&format!("{path}?excludedAttributes=members"))
        .await
        .json();
    assert!(got.get("members").is_none());
    assert_eq!(got["meta"]["version"], "W/\"5\"");

    assert_eq!(h.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn members_must_be_users_and_leave_with_them() {
    let h = with_groups().await;
    let ada = h.create(user_json("ada@contoso.example")).await;
    let stranger = "2819c223-7f76-453a-919d-413861904646";
    let bad = h
        .post(
            "/Groups",
            &json!({"displayName": "g", "members": [{"value": stranger}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["scimType"], "invalidValue");
    let id = h
        .post(
            "/Groups",
            &json!({"displayName": "g", "members": [{"value": ada}]}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let filter = format!("/Groups?filter=members%5Bvalue%20eq%20%22{ada}%22%5D");
    assert_eq!(h.get(&filter).await.json()["totalResults"], 1);
    let dup = h.post("/Groups", &json!({"displayName": "G"})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    assert_eq!(
        h.delete(&format!("/Users/{ada}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(members(&h, &id).await.is_empty());
    assert_eq!(h.get(&filter).await.json()["totalResults"], 0);
}

#[tokio::test]
async fn put_paging_projection_and_discovery() {
    let h = with_groups().await;
    for name in ["a", "b", "c"] {
        let reply = h
            .post(
                "/Groups",
                &json!({"displayName": name, "externalId": format!("ext-{name}")}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let page = h
        .get("/Groups?startIndex=2&count=1&attributes=displayName")
        .await
        .json();
    assert_eq!(
        (page["totalResults"].clone(), page["itemsPerPage"].clone()),
        (json!(3), json!(1))
    );
    let only = page["Resources"][0].as_object().unwrap();
    assert!(only.contains_key("displayName") && !only.contains_key("externalId"));
    let by_ext = h
        .get("/Groups?filter=externalId%20eq%20%22ext-b%22")
        .await
        .json();
    let id = by_ext["Resources"][0]["id"].as_str().unwrap().to_string();
    let put = h
        .put(
            &format!("/Groups/{id}"),
            &json!({"schemas": [GROUP], "displayName": "b2"}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    assert!(put.json().get("externalId").is_none());
    let bad = h.get("/Groups?filter=userName%20eq%20%22x%22").await;
    assert_eq!(bad.json()["scimType"], "invalidFilter");

    let types = h.get("/ResourceTypes").await.json();
    assert_eq!(types["totalResults"], 2);
    assert_eq!(
        h.get("/ResourceTypes/Group").await.json()["endpoint"],
        "/Groups"
    );
    let schema = h.get(&format!("/Schemas/{GROUP}")).await;
    assert_eq!(schema.status, StatusCode::OK);
    assert_eq!(schema.json()["attributes"][1]["name"], "members");
    let wrong = h
        .send(Method::POST, &format!("/Groups/{id}"), Some(&json!({})))
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn group_patch_can_answer_200_with_the_group() {
    let h = Harness::start_with(blinksim::tenant::TenantOptions {
        groups: true,
        group_patch_response: blinksim::tenant::PatchResponse::Resource,
        ..Default::default()
    })
    .await;
    let id = h.post("/Groups", &json!({"displayName": "g"})).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = h
        .patch(
            &format!("/Groups/{id}"),
            &patch(json!([{"op": "replace", "value": {"displayName": "h"}}])),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["displayName"], "h");
}

#[tokio::test]
async fn faults_and_the_journal_see_group_operations() {
    use blinksim::tenant::{FaultRule, Operation};
    let h = with_groups().await;
    let id = h.post("/Groups", &json!({"displayName": "g"})).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.server
        .tenant()
        .add_fault(FaultRule::status(503).on(Operation::GroupPatch))
        .unwrap();
    let path = format!("/Groups/{id}");
    let rename = patch(json!([{"op": "replace", "path": "displayName", "value": "h"}]));
    assert_eq!(
        h.patch(&path, &rename).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(h.get(&path).await.status, StatusCode::OK);
    let ops: Vec<Operation> = h
        .server
        .tenant()
        .journal()
        .entries()
        .iter()
        .map(|e| e.operation)
        .collect();
    assert_eq!(
        ops,
        [
            Operation::GroupCreate,
            Operation::GroupPatch,
            Operation::GroupGet
        ]
    );
}

#[test]
fn groups_through_the_tenant_api() {
    use blinksim::tenant::{Tenant, TenantOptions};
    let tenant = Tenant::new(TenantOptions::default());
    let ada = tenant
        .insert_user(user_json("ada@contoso.example"))
        .unwrap();
    let ada_id = ada["id"].as_str().unwrap();
    let sales = tenant
        .insert_group(json!({"displayName": "Sales", "members": [{"value": ada_id}]}))
        .unwrap();
    let id = sales["id"].as_str().unwrap();
    assert_eq!(tenant.group(id).unwrap(), sales);
    assert_eq!(tenant.find_group_by_display_name("SALES").unwrap(), sales);
    assert_eq!(sales["members"][0]["value"], ada_id);
    // The same checks as POST /Groups: a duplicate name, an unknown member.
    let dup = tenant
        .insert_group(json!({"displayName": "sales"}))
        .unwrap_err();
    assert_eq!(dup.status, 409);
    let stranger = uuid_like(7);
    let unknown = tenant
        .insert_group(json!({"displayName": "Ops", "members": [{"value": stranger}]}))
        .unwrap_err();
    assert_eq!(unknown.status, 400);
    assert_eq!(tenant.group_count(), 1);
    assert!(tenant.group("not-a-uuid").is_none());
}

fn uuid_like(n: u8) -> String {
    format!("00000000-0000-0000-0000-0000000000{n:02x}")
}

async fn admin(h: &Harness, method: Method, path: &str, body: Option<String>) -> common::Reply {
    let url = format!("{}{path}", h.server.origin());
    let auth = format!("Bearer {}", blinksim::tenant::DEFAULT_ADMIN_TOKEN);
    h.raw(method, &url, body, &[("authorization", &auth)]).await
}

#[tokio::test]
async fn state_export_import_and_reset_carry_groups() {
    let h = with_groups().await;
    h.server.tenant().prefill(20, 4);
    h.server.tenant().prefill_groups(3, 4);
    let ada = h.create(user_json("ada@contoso.example")).await;
    let sales = h
        .post(
            "/Groups",
            &json!({"displayName": "Blinksim Testers", "members": [{"value": ada}]}),
        )
        .await
        .json();
    let exported = admin(&h, Method::GET, "/_admin/state", None).await;
    assert_eq!(exported.json()["groups"].as_array().unwrap().len(), 4);
    let empty = admin(&h, Method::POST, "/_admin/reset?to=empty", None).await;
    assert_eq!(empty.json(), json!({"users": 0, "groups": 0}));
    let put = admin(&h, Method::PUT, "/_admin/state", Some(exported.text())).await;
    assert_eq!(put.json(), json!({"users": 21, "groups": 4}));
    let again = admin(&h, Method::GET, "/_admin/state", None).await;
    assert_eq!(again.body, exported.body, "byte-identical");
    // Imported groups are live: the displayName index finds them, versions continue.
    let found = h
        .get("/Groups?filter=displayName+eq+%22blinksim+TESTERS%22")
        .await
        .json();
    assert_eq!(found["Resources"][0]["id"], sales["id"]);
    let id = sales["id"].as_str().unwrap();
    let rename = patch(json!([{"op": "replace", "path": "displayName", "value": "Sales EU"}]));
    assert_eq!(
        h.patch(&format!("/Groups/{id}"), &rename).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.get(&format!("/Groups/{id}")).await.json()["meta"]["version"],
        "W/\"2\""
    );
    // Reset to the prefill brings back the prefilled groups only.
    let reset = admin(&h, Method::POST, "/_admin/reset", None).await;
    assert_eq!(reset.json(), json!({"users": 20, "groups": 3}));
}

#[tokio::test]
async fn state_import_checks_groups_as_writes_do() {
    let h = with_groups().await;
    let ada = h.create(user_json("ada@contoso.example")).await;
    for name in ["Sales", "Ops"] {
        let g = h
            .post(
                "/Groups",
                &json!({"displayName": name, "members": [{"value": ada}]}),
            )
            .await;
        assert_eq!(g.status, StatusCode::CREATED);
    }
    let state = admin(&h, Method::GET, "/_admin/state", None).await.json();
    // The later group of the two is the one an import finds offending.
    let ops_at = 1;
    let first_name = state["groups"][0]["displayName"]
        .as_str()
        .unwrap()
        .to_uppercase();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut s = state.clone();
        f(&mut s["groups"][ops_at]);
        s
    };
    let other_id = state["groups"][0]["id"].clone();
    let cases = [
        with(&|g| g["displayName"] = json!(first_name)),
        with(&|g| g["members"] = json!([{"value": uuid_like(9)}])),
        with(&|g| g["id"] = other_id.clone()),
        with(&|g| g["meta"]["lastModified"] = json!("2000-01-01T00:00:00Z")),
        with(&|g| g["meta"]["version"] = json!("W/\"0\"")),
        with(&|g| g["displayName"] = json!("")),
    ];
    let before = state.clone();
    for bad in &cases {
        let r = admin(&h, Method::PUT, "/_admin/state", Some(bad.to_string())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        let detail = r.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains(&format!("groups[{ops_at}]")), "{detail}");
        let now = admin(&h, Method::GET, "/_admin/state", None).await.json();
        assert_eq!(now, before, "state unchanged");
    }
    let not_array = json!({"users": state["users"], "groups": {}});
    let r = admin(
        &h,
        Method::PUT,
        "/_admin/state",
        Some(not_array.to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A state from before groups (users only) imports, with no groups.
    let users_only = json!({"users": state["users"]});
    let r = admin(
        &h,
        Method::PUT,
        "/_admin/state",
        Some(users_only.to_string()),
    )
    .await;
    assert_eq!(r.json(), json!({"users": 1, "groups": 0}));
}

#[tokio::test]
async fn state_import_follows_lax_group_rules() {
    let h = Harness::start_with(blinksim::tenant::TenantOptions {
        groups: true,
        unique_group_display_name: false,
        group_members_must_exist: false,
        ..Default::default()
    })
    .await;
    for _ in 0..2 {
        let g = h
            .post(
                "/Groups",
                &json!({"displayName": "Twin", "members": [{"value": uuid_like(3)}]}),
            )
            .await;
        assert_eq!(g.status, StatusCode::CREATED, "{}", g.text());
    }
    let state = admin(&h, Method::GET, "/_admin/state", None).await;
    let r = admin(&h, Method::PUT, "/_admin/state", Some(state.text())).await;
    assert_eq!(r.json(), json!({"users": 0, "groups": 2}));
}

#[tokio::test]
async fn display_name_selects_group_requests() {
    use blinksim::tenant::FaultRule;
    let h = with_groups().await;
    h.server
        .tenant()
        .add_fault(FaultRule::status(503).for_group("Sales"))
        .unwrap();
    // POST by the body's displayName (case-folded), GET/PATCH/DELETE by the target's group,
    // list by a `displayName eq` filter; other groups and users pass.
    let posted = h.post("/Groups", &json!({"displayName": "SALES"})).await;
    assert_eq!(posted.status, StatusCode::SERVICE_UNAVAILABLE);
    let ops = h.post("/Groups", &json!({"displayName": "Ops"})).await;
    assert_eq!(ops.status, StatusCode::CREATED);
    let ops_id = ops.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        h.get("/Groups?filter=displayName+eq+%22sales%22")
            .await
            .status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        h.get("/Groups?filter=displayName+eq+%22Ops%22")
            .await
            .status,
        StatusCode::OK
    );
    // Renaming Ops to Sales is about Ops (the target) until it is done, then about Sales.
    let rename = patch(json!([{"op": "replace", "path": "displayName", "value": "Sales"}]));
    let path = format!("/Groups/{ops_id}");
    assert_eq!(h.patch(&path, &rename).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.get(&path).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        h.delete(&path).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let put = h.put(&path, &json!({"displayName": "Ops"})).await;
    assert_eq!(put.status, StatusCode::OK, "PUT is about the body's name");
    assert_eq!(h.get(&path).await.status, StatusCode::OK);
    assert_eq!(
        h.create(user_json("sales")).await.len(),
        36,
        "users are not selected"
    );
}
