//! Snapshots of the discovery documents and representative tenant responses, reviewed
//! by hand before acceptance. Stored in the top-level `snapshots/`.

mod common;

use common::{Harness, user_json};
use serde_json::json;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn pretty(h: &Harness, reply: &common::Reply) -> String {
    let body = if reply.body.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&reply.json()).unwrap()
    };
    let mut headers: Vec<String> = [
        "content-type",
        "etag",
        "location",
        "allow",
        "www-authenticate",
    ]
    .iter()
    .filter_map(|k| reply.header(k).map(|v| format!("{k}: {v}")))
    .collect();
    headers.insert(0, format!("HTTP {}", reply.status));
    h.stable(&format!("{}\n\n{body}\n", headers.join("\n")))
}

#[tokio::test]
async fn discovery_documents() {
    let h = Harness::start().await;
    for (name, path) in [
        ("tenant__service_provider_config", "/ServiceProviderConfig"),
        ("tenant__schemas", "/Schemas"),
        ("tenant__resource_types", "/ResourceTypes"),
    ] {
        let r = h.get(path).await;
        settings().bind(|| insta::assert_snapshot!(name, pretty(&h, &r)));
    }
}

#[tokio::test]
async fn representative_responses() {
    let h = Harness::start().await;
    let created = h.post("/Users", &user_json("ada@contoso.example")).await;
    let id = created.json()["id"].as_str().unwrap().to_string();
    settings().bind(|| insta::assert_snapshot!("tenant__create_201", pretty(&h, &created)));

    let list = h
        .get("/Users?filter=userName+eq+%22ADA%40contoso.example%22")
        .await;
    settings().bind(|| insta::assert_snapshot!("tenant__filter_by_user_name", pretty(&h, &list)));

    h.clock.advance(std::time::Duration::from_millis(90_000));
    let patched = h
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 7700 900123"},
                {"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:blink:2.0:User:location": "Leeds"}}
            ]}),
        )
        .await;
    settings().bind(|| insta::assert_snapshot!("tenant__patch_200", pretty(&h, &patched)));

    let conflict = h.post("/Users", &user_json("Ada@Contoso.Example")).await;
    settings().bind(|| insta::assert_snapshot!("tenant__conflict_409", pretty(&h, &conflict)));
    let bad_filter = h.get("/Users?filter=userName+eq").await;
    settings()
        .bind(|| insta::assert_snapshot!("tenant__invalid_filter_400", pretty(&h, &bad_filter)));
    let missing = h.get("/Users/00000000-0000-4000-8000-000000000000").await;
    settings().bind(|| insta::assert_snapshot!("tenant__not_found_404", pretty(&h, &missing)));
    let not_allowed = h.send(http::Method::PATCH, "/Users", None).await;
    settings().bind(|| {
        insta::assert_snapshot!("tenant__method_not_allowed_405", pretty(&h, &not_allowed))
    });
}
