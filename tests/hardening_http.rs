//! Regression tests of issue 15 (the hostile pass) over real HTTP.

mod common;

use blinksim::tenant::DEFAULT_ADMIN_TOKEN;
use common::{Harness, TOKEN, user_json};
use http::{Method, StatusCode};
use serde_json::{Value, json};

async fn admin(h: &Harness, method: Method, path: &str, body: Option<String>) -> common::Reply {
    let url = format!("{}{path}", h.server.origin());
    let auth = format!("Bearer {DEFAULT_ADMIN_TOKEN}");
    h.raw(method, &url, body, &[("authorization", &auth)]).await
}

#[tokio::test]
async fn no_token_reaches_the_journal_in_any_form() {
    let h = Harness::start().await;
    let bare = TOKEN.to_string();
    let colon = format!("Bearer:{TOKEN}");
    for auth in [bare.as_str(), colon.as_str()] {
        let path = format!("/Users?access_token={TOKEN}&count=1");
        let headers = [
            ("authorization", auth),
            ("proxy-authorization", TOKEN),
            ("x-api-key", TOKEN),
        ];
        h.raw(Method::GET, &path, None, &headers).await;
    }
    h.post("/Users", &user_json("ada@contoso.example")).await;
    let journal = admin(&h, Method::GET, "/_admin/requests", None).await;
    assert_eq!(journal.status, StatusCode::OK);
    let text = journal.text();
    assert!(!text.contains(TOKEN), "{text}");
    let entries = journal.json()["entries"].clone();
    assert_eq!(entries[0]["request_headers"]["authorization"], "[redacted]");
    assert_eq!(entries[0]["query"], "access_token=[redacted]&count=1");
    assert_eq!(
        entries[2]["request_headers"]["authorization"],
        "Bearer [redacted]"
    );
}

/// Writes `head` on a fresh connection and reads what comes back within `wait`
/// (`None`: nothing arrived and the connection stayed open).
async fn exchange_raw(
    addr: std::net::SocketAddr,
    head: &str,
    wait: std::time::Duration,
) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    match tokio::time::timeout(wait, s.read_to_end(&mut out)).await {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) => None,
    }
}

fn limited(server: blinksim::tenant::ServerLimits) -> blinksim::tenant::TenantOptions {
    blinksim::tenant::TenantOptions {
        server,
        ..Default::default()
    }
}

const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

#[tokio::test]
async fn http11_without_host_is_400() {
    let h = Harness::start().await;
    let auth = format!("Authorization: Bearer {TOKEN}\r\nConnection: close\r\n");
    let without = format!("GET /scim/Users HTTP/1.1\r\n{auth}\r\n");
    let reply = exchange_raw(h.server.address(), &without, WAIT)
        .await
        .unwrap();
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    let with = format!("GET /scim/Users HTTP/1.1\r\nHost: x\r\n{auth}\r\n");
    let reply = exchange_raw(h.server.address(), &with, WAIT).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[tokio::test]
async fn slow_bodies_idle_connections_and_the_cap() {
    let h = Harness::start_with(limited(blinksim::tenant::ServerLimits {
        body_read_timeout_ms: 300,
        idle_timeout_ms: 300,
        max_connections: 3,
        ..Default::default()
    }))
    .await;
    let addr = h.server.address();
    // A body that never completes gets 408.
    let slow = format!(
        "POST /scim/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{{"
    );
    let reply = exchange_raw(addr, &slow, WAIT).await;
    assert!(
        reply
            .as_deref()
            .is_some_and(|r| r.starts_with("HTTP/1.1 408")),
        "{reply:?}"
    );
    // A connection that says nothing is closed after the idle timeout.
    assert_eq!(exchange_raw(addr, "", WAIT).await.as_deref(), Some(""));
    // Over the cap: 503 at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let get =
        format!("GET /scim/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n");
    let reply = exchange_raw(addr, &get, WAIT).await;
    assert!(
        reply
            .as_deref()
            .is_some_and(|r| r.starts_with("HTTP/1.1 503")),
        "{reply:?}"
    );
    drop(held);
}

#[tokio::test]
async fn state_import_checks_what_writes_check() {
    let h = Harness::start().await;
    let ada = h
        .create(json!({"userName": "ada@x", "emails": [{"type": "work", "value": "ada@x", "primary": true}]}))
        .await;
    let bob = h.create(json!({"userName": "bob@x"})).await;
    let state = admin(&h, Method::GET, "/_admin/state", None).await.json();
    let before = state.clone();
    let put = |v: &Value| admin(&h, Method::PUT, "/_admin/state", Some(v.to_string()));
    let with = |i: usize, f: &dyn Fn(&mut Value)| {
        let mut s = state.clone();
        f(&mut s["users"][i]);
        s
    };
    let ada_at = usize::from(state["users"][0]["id"] != ada.as_str());
    let bob_at = 1 - ada_at;
    let cases = [
        with(bob_at, &|u| {
            u["emails"] = json!([{"type": "work", "value": "ADA@x"}])
        }),
        with(bob_at, &|u| u["userName"] = json!("ADA@X")),
        with(bob_at, &|u| {
            u["meta"]["lastModified"] = json!("2000-01-01T00:00:00Z")
        }),
        with(bob_at, &|u| {
            u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] =
                json!({"manager": {"value": "7e5e7a3b-2a52-4c1f-9d54-7f3c7b6b1d11"}})
        }),
        with(bob_at, &|u| u["id"] = json!(ada)),
    ];
    for bad in &cases {
        let r = put(bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        let detail = r.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains(&format!("users[{bob_at}]")), "{detail}");
        let now = admin(&h, Method::GET, "/_admin/state", None).await.json();
        assert_eq!(now, before, "state unchanged");
    }
    let manager = with(bob_at, &|u| {
        u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] =
            json!({"manager": {"value": ada.clone()}})
    });
    assert_eq!(put(&manager).await.status, StatusCode::OK);
    let patch = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    assert_eq!(
        h.patch(&format!("/Users/{bob}"), &patch).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn patch_work_is_bounded_and_names_the_limit() {
    let h = Harness::start().await;
    let id = h.create(user_json("ada@contoso.example")).await;
    let path = format!("/Users/{id}");
    let op = |i: usize| json!({"op": "add", "path": format!("emails[type eq \"home\" and value eq \"f{i}@x\"].primary"), "value": true});
    let many_ops = json!({"Operations": (0..1001).map(op).collect::<Vec<_>>()});
    let r = h.patch(&path, &many_ops).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.json()["scimType"], "tooMany");
    assert!(r.text().contains("max_operations"), "{}", r.text());
    let emails: Vec<Value> = (0..101)
        .map(|i| json!({"value": format!("e{i}@x")}))
        .collect();
    let many_values = json!({"Operations": [{"op": "add", "path": "emails", "value": emails}]});
    let r = h.patch(&path, &many_values).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("max_values"), "{}", r.text());
    // One by one, the attribute stops at the same bound.
    let ops: Vec<Value> = (0..101).map(op).collect();
    let r = h.patch(&path, &json!({"Operations": ops})).await;
    assert!(r.text().contains("max_values"), "{}", r.text());
    // Within the bounds, adds of existing values are idempotent.
    let emails: Vec<Value> = (0..90)
        .map(|i| json!({"value": format!("e{i}@x")}))
        .collect();
    let ok = json!({"Operations": [{"op": "add", "path": "emails", "value": emails}]});
    let first = h.patch(&path, &ok).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let again = h.patch(&path, &ok).await;
    assert_eq!(again.json()["emails"], first.json()["emails"]);
    let user = h.get(&path).await.json();
    assert_eq!(user["meta"]["version"], "W/\"2\"");
    // A POST or PUT cannot go past the bound either.
    let emails: Vec<Value> = (0..101)
        .map(|i| json!({"value": format!("p{i}@x")}))
        .collect();
    let big = json!({"userName": "big@x", "emails": emails});
    let r = h.post("/Users", &big).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("max_values"), "{}", r.text());
    assert_eq!(h.put(&path, &big).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn lookup_and_create_agree_on_case() {
    let h = Harness::start().await;
    let nikos = json!({"userName": "ΝΙΚΟΣ@x.gr"});
    assert_eq!(h.post("/Users", &nikos).await.status, StatusCode::CREATED);
    let found = h
        .get("/Users?filter=userName%20eq%20%22%CE%9D%CE%99%CE%9A%CE%9F%CE%A3%40x.gr%22")
        .await;
    assert_eq!(found.json()["totalResults"], 1, "{}", found.text());
    assert_eq!(h.post("/Users", &nikos).await.status, StatusCode::CONFLICT);
    let email = |name: &str, value: &str| json!({"userName": name, "emails": [{"type": "work", "value": value, "primary": true}]});
    assert_eq!(
        h.post("/Users", &email("a", "ας@x")).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        h.post("/Users", &email("b", "ΑΣ@x")).await.status,
        StatusCode::CONFLICT
    );
    let by_email = h
        .get("/Users?filter=emails.value%20eq%20%22%CE%91%CE%A3%40x%22")
        .await;
    assert_eq!(by_email.json()["totalResults"], 1, "{}", by_email.text());
}
