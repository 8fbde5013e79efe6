//! `--profile generic` (issue 12, "Profiles"): the full RFC 7643 §4.1 User and the whole
//! enterprise extension (§4.3) are stored, returned, filterable and PATCHable; Blink's profile
//! keeps treating them as unknown attributes.

mod common;

use blinksim::tenant::{Profile, TenantOptions};
use common::Harness;
use http::StatusCode;
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn full_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "title": "Tour Guide",
        "userType": "Employee",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
        "addresses": [
            {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
             "region": "CA", "postalCode": "91608", "country": "USA", "primary": "True"},
            {"type": "home", "locality": "Malibu", "Unknown": "dropped"}
        ],
        "entitlements": [{"value": "license-a"}],
        "roles": [{"value": "guide", "primary": true}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
        "groups": [{"value": "ignored: readOnly"}],
        ENTERPRISE: {
            "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
            "division": "Theme Park", "department": "Tour Operations",
        }
    })
}

async fn generic() -> Harness {
    Harness::start_with(Profile::Generic.options()).await
}

#[tokio::test]
async fn the_full_user_is_stored_and_returned() {
    let h = generic().await;
    let created = h.post("/Users", &full_user()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let got = h.get(&format!("/Users/{id}")).await.json();
    for key in [
        "nickName",
        "profileUrl",
        "userType",
        "preferredLanguage",
        "timezone",
    ] {
        assert_eq!(got[key], full_user()[key], "{key}");
    }
    assert_eq!(got["addresses"][0]["locality"], "Hollywood");
    assert_eq!(
        got["addresses"][0]["primary"], true,
        "\"True\" read as a boolean"
    );
    assert_eq!(
        got["addresses"][1],
        json!({"type": "home", "locality": "Malibu"})
    );
    assert_eq!(got["ims"], full_user()["ims"]);
    assert_eq!(got["photos"], full_user()["photos"]);
    assert_eq!(got["roles"], full_user()["roles"]);
    assert_eq!(got["x509Certificates"], full_user()["x509Certificates"]);
    assert!(
        got.get("groups").is_none(),
        "groups is readOnly and the user is in none"
    );
    let ent = &got[ENTERPRISE];
    let keys: Vec<&str> = ent
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department"
        ]
    );
    // A second primary is an error, as for emails.
    let mut two = full_user();
    two["userName"] = json!("two@example.com");
    two["roles"] = json!([{"value": "a", "primary": true}, {"value": "b", "primary": true}]);
    assert_eq!(h.post("/Users", &two).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn full_attributes_filter_and_patch() {
    let h = generic().await;
    let id = h.create(full_user()).await;
    let found = |f: &'static str| {
        let h = &h;
        async move {
            let r = h.get(&format!("/Users?filter={f}")).await;
            assert_eq!(r.status, StatusCode::OK, "{f}: {}", r.text());
            r.json()["totalResults"].as_u64().unwrap()
        }
    };
    assert_eq!(found("nickName+eq+%22BABS%22").await, 1);
    assert_eq!(
        found("addresses%5Btype+eq+%22work%22+and+locality+eq+%22hollywood%22%5D").await,
        1
    );
    assert_eq!(found("addresses.locality+eq+%22Nowhere%22").await, 0);
    assert_eq!(found("roles+eq+%22guide%22").await, 1);
    assert_eq!(
        found(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter+eq+%224130%22"
        )
        .await,
        1
    );
    assert_eq!(
        h.get("/Users?filter=x509Certificates.value+eq+%22x%22")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "replace", "path": "addresses[type eq \"work\"].locality", "value": "Burbank"},
        {"op": "add", "path": "nickName", "value": "B"},
        {"op": "replace", "path": format!("{ENTERPRISE}:division"), "value": "Studios"},
        {"op": "remove", "path": "ims"},
        {"op": "add", "path": "entitlements", "value": [{"value": "license-b"}]},
    ]});
    let r = h.patch(&format!("/Users/{id}"), &patch).await;
    assert!(r.status.is_success(), "{}", r.text());
    let got = h.get(&format!("/Users/{id}")).await.json();
    assert_eq!(got["addresses"][0]["locality"], "Burbank");
    assert_eq!(got["nickName"], "B");
    assert_eq!(got[ENTERPRISE]["division"], "Studios");
    assert!(got.get("ims").is_none());
    assert_eq!(
        got["entitlements"],
        json!([{"value": "license-a"}, {"value": "license-b"}])
    );
    let read_only =
        json!({"Operations": [{"op": "add", "path": "groups", "value": [{"value": "x"}]}]});
    assert_eq!(
        h.patch(&format!("/Users/{id}"), &read_only).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn users_show_their_groups_read_only() {
    let h = generic().await;
    let id = h.create(full_user()).await;
    let group = h
        .post(
            "/Groups",
            &json!({"displayName": "Guides", "members": [{"value": id}]}),
        )
        .await
        .json();
    let got = h.get(&format!("/Users/{id}")).await.json();
    assert_eq!(got["groups"][0]["value"], group["id"]);
    assert_eq!(got["groups"][0]["display"], "Guides");
    assert_eq!(got["groups"][0]["type"], "direct");
    // A PUT cannot write them.
    let mut put = full_user();
    put["groups"] = json!([]);
    assert_eq!(
        h.put(&format!("/Users/{id}"), &put).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get(&format!("/Users/{id}")).await.json()["groups"][0]["display"],
        "Guides"
    );
}

#[tokio::test]
async fn schemas_describe_the_full_user_only_in_the_generic_profile() {
    let names = |doc: &Value, urn: &str| -> Vec<String> {
        let schema = doc["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == urn)
            .unwrap();
        schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let full = generic().await.get("/Schemas").await.json();
    let core = names(&full, "urn:ietf:params:scim:schemas:core:2.0:User");
    for want in [
        "nickName",
        "addresses",
        "groups",
        "x509Certificates",
        "timezone",
    ] {
        assert!(core.iter().any(|n| n == want), "{want} in {core:?}");
    }
    let ent = names(&full, ENTERPRISE);
    assert_eq!(ent.len(), 6, "{ent:?}");
    let blink = Harness::start().await.get("/Schemas").await.json();
    assert!(
        !names(&blink, "urn:ietf:params:scim:schemas:core:2.0:User")
            .contains(&"nickName".to_string())
    );
}

#[tokio::test]
async fn blink_keeps_them_unknown() {
    let h = Harness::start_with(TenantOptions::default()).await;
    let id = h.create(full_user()).await;
    let got = h.get(&format!("/Users/{id}")).await.json();
    assert!(got.get("nickName").is_none() && got.get("addresses").is_none());
    assert!(got[ENTERPRISE].get("costCenter").is_none());
    let patch = json!({"Operations": [{"op": "add", "path": "nickName", "value": "B"}]});
    let r = h.patch(&format!("/Users/{id}"), &patch).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let filter = h.get("/Users?filter=nickName+eq+%22B%22").await;
    assert_eq!(filter.status, StatusCode::BAD_REQUEST);
}
