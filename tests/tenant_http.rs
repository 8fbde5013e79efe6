//! The mock tenant over real HTTP: every endpoint, operation and error of issue 2.

mod common;

use common::{Harness, TOKEN, user_json};
use http::{Method, StatusCode};
use serde_json::{Value, json};

fn error(reply: &common::Reply, status: u16, scim_type: Option<&str>) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/scim+json"));
    let body = reply.json();
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(
        body["status"],
        Value::from(status.to_string()),
        "status is a JSON string"
    );
    assert_eq!(body["scimType"].as_str(), scim_type, "{body}");
}

#[tokio::test]
async fn create_read_replace_delete_lifecycle() {
    let h = Harness::start().await;
    let created = h.post("/Users", &user_json("ada@contoso.example")).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        created.header("content-type"),
        Some("application/scim+json")
    );
    let body = created.json();
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location"),
        Some(format!("{}/Users/{id}", h.base()).as_str())
    );
    assert_eq!(created.header("etag"), Some("W/\"1\""));
    assert_eq!(body["meta"]["version"], "W/\"1\"");
    assert_eq!(body["meta"]["created"], "2026-01-15T09:00:00.000Z");
    assert_eq!(body["meta"]["resourceType"], "User");
    assert_eq!(body["meta"]["location"], format!("{}/Users/{id}", h.base()));

    let got = h.get(&format!("/Users/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json(), body);

    // PUT replaces: omitted attributes are cleared (RFC 7644 §3.5.1).
    h.clock.advance(std::time::Duration::from_millis(60_000));
    let replaced = h
        .put(
            &format!("/Users/{id}"),
            &json!({"userName": "ada@contoso.example", "active": false}),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text());
    let r = replaced.json();
    assert_eq!(r["active"], false);
    assert!(r.get("title").is_none() && r.get("emails").is_none());
    assert_eq!(r["meta"]["version"], "W/\"2\"");
    assert_eq!(r["meta"]["lastModified"], "2026-01-15T09:01:00.000Z");
    assert_eq!(r["meta"]["created"], "2026-01-15T09:00:00.000Z");

    assert_eq!(
        h.delete(&format!("/Users/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    // After DELETE every operation on the id is 404 (RFC 7644 §3.6).
    error(&h.get(&format!("/Users/{id}")).await, 404, None);
    error(&h.delete(&format!("/Users/{id}")).await, 404, None);
    error(
        &h.put(&format!("/Users/{id}"), &user_json("ada@contoso.example"))
            .await,
        404,
        None,
    );
    let patch = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    error(&h.patch(&format!("/Users/{id}"), &patch).await, 404, None);
    assert_eq!(h.get("/Users").await.json()["totalResults"], 0);
}

#[tokio::test]
async fn active_defaults_to_false_and_readonly_input_is_ignored() {
    let h = Harness::start().await;
    let r = h.post("/Users", &json!({"userName": "x@y.z", "id": "mine", "meta": {"created": "1999-01-01T00:00:00Z"}})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let u = r.json();
    assert_eq!(
        u["active"], false,
        "Blink documents active as 'Defaults to false'"
    );
    assert_ne!(u["id"], "mine");
    assert_eq!(u["meta"]["created"], "2026-01-15T09:00:00.000Z");
}

#[tokio::test]
async fn uniqueness_conflicts_are_409() {
    let h = Harness::start().await;
    h.create(user_json("ada@contoso.example")).await;
    let dup = h.post("/Users", &user_json("ADA@CONTOSO.EXAMPLE")).await;
    error(&dup, 409, Some("uniqueness"));
    let mut same_email = user_json("bob@contoso.example");
    same_email["emails"][0]["value"] = json!("Ada@Contoso.Example");
    error(
        &h.post("/Users", &same_email).await,
        409,
        Some("uniqueness"),
    );
    // Switchable: the duplicate-email rule is Blink's, not SCIM's.
    let lax = Harness::start_with(blinksim::tenant::TenantOptions {
        unique_work_email: false,
        ..Default::default()
    })
    .await;
    lax.create(user_json("ada@contoso.example")).await;
    let mut other = user_json("bob@contoso.example");
    other["emails"][0]["value"] = json!("ada@contoso.example");
    assert_eq!(lax.post("/Users", &other).await.status, StatusCode::CREATED);
    // A PATCH or PUT that takes someone else's userName is 409 too.
    let bob = h.create(user_json("bob@contoso.example")).await;
    let steal = json!({"Operations": [{"op": "replace", "path": "userName", "value": "ada@contoso.example"}]});
    error(
        &h.patch(&format!("/Users/{bob}"), &steal).await,
        409,
        Some("uniqueness"),
    );
}

#[tokio::test]
async fn list_filter_and_paging() {
    let h = Harness::start().await;
    for i in 0..25 {
        h.create(user_json(&format!("user{i:02}@contoso.example")))
            .await;
    }
    let all = h.get("/Users").await.json();
    assert_eq!(
        (
            all["totalResults"].as_u64(),
            all["itemsPerPage"].as_u64(),
            all["startIndex"].as_u64()
        ),
        (Some(25), Some(25), Some(1))
    );
    let page = h.get("/Users?startIndex=24&count=5").await.json();
    assert_eq!(
        (
            page["totalResults"].as_u64(),
            page["Resources"].as_array().unwrap().len()
        ),
        (Some(25), 2)
    );
    // count=0 returns only totalResults; negative count means 0; startIndex < 1 means 1 (§3.4.2.4).
    let zero = h.get("/Users?count=-3&startIndex=-9").await.json();
    assert_eq!(
        (
            zero["totalResults"].as_u64(),
            zero["Resources"].as_array().unwrap().len(),
            zero["startIndex"].as_u64()
        ),
        (Some(25), 0, Some(1))
    );
    // Pages tile the result set in a stable order.
    let mut seen = Vec::new();
    for start in (1..=25).step_by(10) {
        let p = h
            .get(&format!("/Users?startIndex={start}&count=10"))
            .await
            .json();
        seen.extend(
            p["Resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].clone()),
        );
    }
    let ids: Vec<Value> = all["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(seen, ids);

    let one = h
        .get("/Users?filter=userName+eq+%22USER07%40contoso.example%22")
        .await
        .json();
    assert_eq!(one["totalResults"], 1);
    assert_eq!(one["Resources"][0]["userName"], "user07@contoso.example");
    // Trailing slash and the aadOptscim062020 flag are tolerated.
    let flagged = h
        .get("/Users/?aadOptscim062020&filter=userName%20eq%20%22user07%40contoso.example%22")
        .await
        .json();
    assert_eq!(flagged["totalResults"], 1);
    let none = h
        .get("/Users?filter=userName+eq+%22cf4d78e8-cc4f-4d5d-b8b9-183561c0104a%22")
        .await
        .json();
    assert_eq!(
        none,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "itemsPerPage": 0, "startIndex": 1, "Resources": []})
    );
    let co = h
        .get("/Users?filter=userName+co+%221%22+and+not+(userName+sw+%22user1%22)")
        .await
        .json();
    assert_eq!(co["totalResults"], 2, "user01 and user21");
    let id = ids[3].as_str().unwrap();
    assert_eq!(
        h.get(&format!("/Users?filter=id+eq+%22{id}%22"))
            .await
            .json()["totalResults"],
        1
    );
    let ext = h.get("/Users?filter=externalId+eq+user03").await.json();
    assert_eq!(
        ext["totalResults"], 1,
        "bare value, as Microsoft's sample sends it"
    );
    let email = h
        .get("/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22user04%40contoso.example%22")
        .await
        .json();
    assert_eq!(email["totalResults"], 1);
    error(
        &h.get("/Users?filter=userName+zz+%22x%22").await,
        400,
        Some("invalidFilter"),
    );
    error(
        &h.get("/Users?filter=nickName+eq+%22x%22").await,
        400,
        Some("invalidFilter"),
    );
    error(
        &h.get("/Users?filter=%28%28%28").await,
        400,
        Some("invalidFilter"),
    );
    error(&h.get("/Users?count=lots").await, 400, Some("invalidValue"));
}

#[tokio::test]
async fn search_with_post() {
    let h = Harness::start().await;
    h.create(user_json("ada@contoso.example")).await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"ada\"", "attributes": ["userName"]});
    let r = h.post("/Users/.search", &body).await.json();
    assert_eq!(r["totalResults"], 1);
    assert_eq!(
        r["Resources"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["schemas", "id", "userName"]
    );
}

#[tokio::test]
async fn attributes_and_excluded_attributes() {
    let h = Harness::start().await;
    let id = h.create(user_json("ada@contoso.example")).await;
    let r = h.get(&format!("/Users/{id}?attributes=userName,name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")).await.json();
    assert_eq!(r["name"], json!({"givenName": "Test"}));
    assert!(r.get("emails").is_none() && r.get("meta").is_none());
    assert_eq!(
        r["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"department": "QA"})
    );
    let r = h
        .get(&format!("/Users/{id}?excludedAttributes=emails,meta,id"))
        .await
        .json();
    assert!(r.get("emails").is_none() && r.get("meta").is_none());
    assert_eq!(r["id"], id.as_str(), "id is returned always");
    let list = h.get("/Users?attributes=userName").await.json();
    assert_eq!(list["Resources"][0].as_object().unwrap().len(), 3);
    // Also on write responses (RFC 7644 §3.9).
    let patch = json!({"Operations": [{"op": "replace", "path": "title", "value": "Boss"}]});
    let r = h
        .patch(&format!("/Users/{id}?attributes=title"), &patch)
        .await
        .json();
    assert_eq!(
        r.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["schemas", "id", "title"]
    );
}

#[tokio::test]
async fn etags_and_conditional_requests() {
    let h = Harness::start().await;
    let id = h.create(user_json("ada@contoso.example")).await;
    let path = format!("/Users/{id}");
    let auth = format!("Bearer {TOKEN}");
    let ct = "application/scim+json";
    let r = h
        .raw(
            Method::GET,
            &path,
            None,
            &[("authorization", &auth), ("if-none-match", "W/\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert_eq!(r.header("etag"), Some("W/\"1\""));
    let patch =
        json!({"Operations": [{"op": "replace", "path": "title", "value": "Boss"}]}).to_string();
    let stale = h
        .raw(
            Method::PATCH,
            &path,
            Some(patch.clone()),
            &[
                ("authorization", &auth),
                ("content-type", ct),
                ("if-match", "W/\"7\""),
            ],
        )
        .await;
    error(&stale, 412, None);
    let ok = h
        .raw(
            Method::PATCH,
            &path,
            Some(patch.clone()),
            &[
                ("authorization", &auth),
                ("content-type", ct),
                ("if-match", "W/\"1\""),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.header("etag"), Some("W/\"2\""));
    // The same PATCH again changes nothing: version and lastModified stay (RFC 7644 §3.5.2.1).
    h.clock.advance(std::time::Duration::from_millis(1000));
    let again = h.patch(&path, &serde_json::from_str(&patch).unwrap()).await;
    assert_eq!(again.header("etag"), Some("W/\"2\""));
    assert_eq!(
        again.json()["meta"]["lastModified"],
        "2026-01-15T09:00:00.000Z"
    );
    let any = h
        .raw(
            Method::DELETE,
            &path,
            None,
            &[("authorization", &auth), ("if-match", "*")],
        )
        .await;
    assert_eq!(any.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn authentication_errors_reveal_nothing() {
    let h = Harness::start().await;
    let id = h.create(user_json("ada@contoso.example")).await;
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic dGVzdC10b2tlbg=="),
        Some("Bearer"),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        let r = h
            .raw(Method::GET, &format!("/Users/{id}"), None, &headers)
            .await;
        error(&r, 401, None);
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"blinksim\"")
        );
        assert!(!r.text().contains("ada"), "no resource data in a 401");
    }
}

#[tokio::test]
async fn method_content_type_size_and_body_errors() {
    let h = Harness::start_with(blinksim::tenant::TenantOptions {
        max_body_bytes: 4096,
        ..Default::default()
    })
    .await;
    let auth = format!("Bearer {TOKEN}");
    let r = h.send(Method::DELETE, "/Users", None).await;
    error(&r, 405, None);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    for path in ["/ServiceProviderConfig", "/Schemas", "/ResourceTypes"] {
        let r = h.post(path, &json!({})).await;
        error(&r, 405, None);
        assert_eq!(r.header("allow"), Some("GET"));
    }
    let r = h
        .raw(
            Method::POST,
            "/Users",
            Some(user_json("a@b.c").to_string()),
            &[("authorization", &auth), ("content-type", "text/xml")],
        )
        .await;
    error(&r, 415, None);
    // Parameters on the media type are fine (Microsoft's validator sends charset).
    let r = h
        .raw(
            Method::POST,
            "/Users",
            Some(user_json("a@b.c").to_string()),
            &[
                ("authorization", &auth),
                ("content-type", "application/scim+json; charset=utf-8"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = h
        .raw(
            Method::POST,
            "/Users",
            Some(user_json("j@b.c").to_string()),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let huge = json!({"userName": "big@b.c", "title": "x".repeat(5000)}).to_string();
    error(
        &h.raw(
            Method::POST,
            "/Users",
            Some(huge),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
        )
        .await,
        413,
        None,
    );
    error(
        &h.raw(
            Method::POST,
            "/Users",
            Some("{\"userName\": ".into()),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
        )
        .await,
        400,
        Some("invalidSyntax"),
    );
    error(
        &h.raw(
            Method::POST,
            "/Users",
            Some(String::new()),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
        )
        .await,
        400,
        Some("invalidSyntax"),
    );
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    error(
        &h.raw(
            Method::POST,
            "/Users",
            Some(deep),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
        )
        .await,
        400,
        Some("invalidSyntax"),
    );
    error(
        &h.raw(
            Method::POST,
            "/Users",
            Some("\u{0}\u{1}".into()),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
        )
        .await,
        400,
        Some("invalidSyntax"),
    );
    error(
        &h.post("/Users", &json!({"userName": 42})).await,
        400,
        Some("invalidValue"),
    );
    error(
        &h.post("/Users", &json!({"displayName": "no userName"}))
            .await,
        400,
        Some("invalidValue"),
    );
    error(
        &h.post("/Users", &json!(["not", "an", "object"])).await,
        400,
        Some("invalidSyntax"),
    );
}

#[tokio::test]
async fn unknown_paths_groups_and_discovery_filters() {
    let h = Harness::start().await;
    error(&h.get("/Groups").await, 404, None);
    error(
        &h.get("/Groups?excludedAttributes=members&filter=displayName+eq+%22x%22")
            .await,
        404,
        None,
    );
    error(
        &h.post("/Groups", &json!({"displayName": "x"})).await,
        404,
        None,
    );
    error(&h.get("/Nope").await, 404, None);
    error(&h.get("/Users/not-a-uuid").await, 404, None);
    error(
        &h.get("/Users/00000000-0000-4000-8000-000000000000").await,
        404,
        None,
    );
    error(&h.post("/Bulk", &json!({})).await, 501, None);
    error(
        &h.get("/ServiceProviderConfig?filter=x+eq+1").await,
        403,
        None,
    );
    error(&h.get("/Schemas/urn:nope").await, 404, None);
    error(&h.get("/ResourceTypes/Group").await, 404, None);
    // Outside /scim there is no SCIM endpoint, and no token is needed to learn that.
    let r = h
        .raw(
            Method::GET,
            &format!("http://{}/v2/Users", h.server.address()),
            None,
            &[],
        )
        .await;
    error(&r, 404, None);
}

#[tokio::test]
async fn discovery_documents_describe_the_tenant() {
    let h = Harness::start().await;
    let spc = h.get("/ServiceProviderConfig").await.json();
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["filter"]["maxResults"], 1000);
    assert_eq!(spc["pagination"]["defaultPageSize"], 100);
    assert_eq!(spc["etag"]["supported"], true);
    let schemas = h.get("/Schemas").await.json();
    assert_eq!(schemas["totalResults"], 3);
    let blink = h
        .get("/Schemas/urn:ietf:params:scim:schemas:extension:blink:2.0:User")
        .await
        .json();
    let names: Vec<&str> = blink["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["company", "description", "location"]);
    let rt = h.get("/ResourceTypes/User").await.json();
    assert_eq!(rt["endpoint"], "/Users");
    assert_eq!(h.get("/ResourceTypes").await.json()["Resources"][0], rt);
}

#[tokio::test]
async fn patch_response_can_be_204() {
    let h = Harness::start_with(blinksim::tenant::TenantOptions {
        patch_response: blinksim::tenant::PatchResponse::NoContent,
        ..Default::default()
    })
    .await;
    let id = h.create(user_json("ada@contoso.example")).await;
    let r = h
        .patch(
            &format!("/Users/{id}"),
            &json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    assert_eq!(h.get(&format!("/Users/{id}")).await.json()["active"], false);
}

#[tokio::test]
async fn prefill_is_deterministic_per_seed() {
    let a = blinksim::tenant::Tenant::default();
    let b = blinksim::tenant::Tenant::default();
    assert_eq!(a.prefill(300, 7), 300);
    b.prefill(300, 7);
    let strip = |users: Vec<Value>| {
        users
            .into_iter()
            .map(|mut u| {
                u["meta"] = Value::Null;
                u
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(a.users()), strip(b.users()));
    let c = blinksim::tenant::Tenant::default();
    c.prefill(300, 8);
    assert_ne!(strip(a.users()), strip(c.users()));
    // Managers point at existing users.
    let users = a.users();
    let with_manager = users
        .iter()
        .filter(|u| {
            u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"]
                .is_string()
        })
        .count();
    assert_eq!(with_manager, 299);
}
