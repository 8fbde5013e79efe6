//! The admin API over HTTP, fault determinism, and the state round trip.

mod common;

use blinksim::VirtualClock;
use blinksim::scim::Request;
use blinksim::tenant::{DEFAULT_ADMIN_TOKEN, Tenant, TenantOptions};
use common::{Harness, user_json};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

const ADMIN: &str = DEFAULT_ADMIN_TOKEN;

async fn admin(
    h: &Harness,
    method: Method,
    path: &str,
    body: Option<&str>,
    content_type: &str,
) -> common::Reply {
    let url = format!("{}{path}", h.server.origin());
    h.raw(
        method,
        &url,
        body.map(str::to_string),
        &[
            ("authorization", &format!("Bearer {ADMIN}")),
            ("content-type", content_type),
        ],
    )
    .await
}

#[tokio::test]
async fn admin_requires_its_own_token_and_is_not_under_scim() {
    let h = Harness::start().await;
    let url = format!("{}/_admin/health", h.server.origin());
    assert_eq!(
        h.raw(Method::GET, &url, None, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let scim_token = format!("Bearer {}", common::TOKEN);
    assert_eq!(
        h.raw(Method::GET, &url, None, &[("authorization", &scim_token)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = admin(&h, Method::GET, "/_admin/health", None, "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    // Not reachable through /scim, whatever the token.
    assert_eq!(h.get("/_admin/health").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin(&h, Method::GET, "/_admin/nope", None, "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin(&h, Method::PATCH, "/_admin/faults", None, "")
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn faults_through_the_admin_api() {
    let h = Harness::start().await;
    let toml = r#"
        [[fault]]
        name = "throttle"
        operation = "list"
        first = 2
        effect = { kind = "status", status = 429, retry_after = 2 }
    "#;
    let r = admin(
        &h,
        Method::POST,
        "/_admin/faults",
        Some(toml),
        "application/toml",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let json_rule = r#"{"name": "slow gets", "operation": ["get"], "effect": {"kind": "latency", "fixed": "1ms"}}"#;
    assert_eq!(
        admin(
            &h,
            Method::POST,
            "/_admin/faults",
            Some(json_rule),
            "application/json"
        )
        .await
        .json()["faults"],
        2
    );
    // Bad rules name the field and leave the rules as they were.
    for (bad, needle) in [
        (
            r#"{"probability": 2, "effect": {"kind": "drop"}}"#,
            "probability",
        ),
        (r#"{"effect": {"kind": "explode"}}"#, "explode"),
        (
            r#"[{"effect": {"kind": "drop"}}, {"effect": {"kind": "status", "status": 1000}}]"#,
            "fault[1].effect.status",
        ),
    ] {
        let r = admin(
            &h,
            Method::POST,
            "/_admin/faults",
            Some(bad),
            "application/json",
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.json()["detail"].as_str().unwrap().contains(needle),
            "{}",
            r.text()
        );
    }
    let r = admin(
        &h,
        Method::POST,
        "/_admin/faults",
        Some("[[fault]\n"),
        "application/toml",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let listed = admin(&h, Method::GET, "/_admin/faults", None, "")
        .await
        .json();
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);

    assert_eq!(h.get("/Users").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h.get("/Users").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h.get("/Users").await.status, StatusCode::OK);
    let listed = admin(&h, Method::GET, "/_admin/faults", None, "")
        .await
        .json();
    assert_eq!(
        (
            listed["faults"][0]["matched"].as_u64(),
            listed["faults"][0]["fired"].as_u64()
        ),
        (Some(3), Some(2))
    );

    assert_eq!(
        admin(&h, Method::DELETE, "/_admin/faults/slow%20gets", None, "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin(&h, Method::DELETE, "/_admin/faults/nope", None, "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin(&h, Method::DELETE, "/_admin/faults", None, "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        admin(&h, Method::GET, "/_admin/faults", None, "")
            .await
            .json()["faults"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn journal_filters_stats_and_reset() {
    let h = Harness::start().await;
    h.server
        .tenant()
        .add_fault(
            blinksim::tenant::FaultRule::status(503)
                .on(blinksim::tenant::Operation::Get)
                .first(1),
        )
        .unwrap();
    let id = h.create(user_json("ada@contoso.example")).await;
    h.get(&format!("/Users/{id}")).await;
    h.get(&format!("/Users/{id}")).await;
    h.get("/Users?filter=userName+eq+%22x%22").await;
    let all = admin(&h, Method::GET, "/_admin/requests", None, "")
        .await
        .json();
    assert_eq!(all["count"], 4);
    let entry = &all["entries"][0];
    assert_eq!(
        (
            entry["seq"].as_u64(),
            entry["method"].as_str(),
            entry["status"].as_u64()
        ),
        (Some(1), Some("POST"), Some(201))
    );
    assert_eq!(
        entry["request_headers"]["authorization"],
        "Bearer [redacted]"
    );
    assert_eq!(entry["request_body"]["userName"], "ada@contoso.example");
    assert_eq!(entry["response_body"]["id"], id.as_str());
    let faulted = admin(&h, Method::GET, "/_admin/requests?fault=true", None, "")
        .await
        .json();
    assert_eq!(faulted["count"], 1);
    assert_eq!(faulted["entries"][0]["faults"][0]["effect"], "status");
    assert_eq!(
        admin(
            &h,
            Method::GET,
            "/_admin/requests?operation=get&status=200",
            None,
            ""
        )
        .await
        .json()["count"],
        1
    );
    assert_eq!(
        admin(&h, Method::GET, "/_admin/requests?since=3", None, "")
            .await
            .json()["count"],
        1
    );
    assert_eq!(
        admin(&h, Method::GET, "/_admin/requests?method=post", None, "")
            .await
            .json()["count"],
        1
    );
    assert_eq!(
        admin(&h, Method::GET, "/_admin/requests?bogus=1", None, "")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let stats = admin(&h, Method::GET, "/_admin/stats", None, "")
        .await
        .json();
    assert_eq!(stats["requests"], 4);
    assert_eq!(
        stats["operations"]["get"]["statuses"],
        json!({"200": 1, "503": 1})
    );
    assert!(stats["operations"]["create"]["latency_ms"]["p99"].is_number());
    assert_eq!(
        admin(&h, Method::DELETE, "/_admin/requests", None, "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin(&h, Method::GET, "/_admin/requests", None, "")
            .await
            .json()["count"],
        0
    );
    let r = admin(&h, Method::POST, "/_admin/reset", None, "")
        .await
        .json();
    assert_eq!(r["users"], 0);
    assert_eq!(h.get("/Users").await.json()["totalResults"], 0);
}

#[tokio::test]
async fn reset_goes_back_to_the_prefill() {
    let h = Harness::start().await;
    h.server.tenant().prefill(25, 4);
    h.create(user_json("extra@contoso.example")).await;
    let r = admin(&h, Method::POST, "/_admin/reset", None, "")
        .await
        .json();
    assert_eq!(r["users"], 25);
    assert!(
        h.server
            .tenant()
            .find_by_user_name("extra@contoso.example")
            .is_none()
    );
    assert_eq!(
        admin(&h, Method::POST, "/_admin/reset?to=empty", None, "")
            .await
            .json()["users"],
        0
    );
}

#[tokio::test]
async fn state_export_reset_import_is_byte_identical() {
    let h = Harness::start().await;
    h.server.tenant().prefill(40, 9);
    let id = h.create(user_json("ada@contoso.example")).await;
    h.clock.advance(5_000);
    h.patch(
        &format!("/Users/{id}"),
        &json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
    )
    .await;
    let exported = admin(&h, Method::GET, "/_admin/state", None, "").await;
    assert_eq!(exported.status, StatusCode::OK);
    admin(&h, Method::POST, "/_admin/reset?to=empty", None, "").await;
    assert_eq!(h.server.tenant().len(), 0);
    let imported = admin(
        &h,
        Method::PUT,
        "/_admin/state",
        Some(&exported.text()),
        "application/json",
    )
    .await;
    assert_eq!(imported.json()["users"], 41);
    let again = admin(&h, Method::GET, "/_admin/state", None, "").await;
    assert_eq!(again.body, exported.body, "byte-identical");
    // The imported users are live: indexes work and versions continue.
    let found = h
        .get("/Users?filter=userName+eq+%22ada%40contoso.example%22")
        .await
        .json();
    assert_eq!(found["Resources"][0]["meta"]["version"], "W/\"2\"");
    // A bad state changes nothing.
    let bad = json!({"users": [{"userName": "no-id"}]}).to_string();
    assert_eq!(
        admin(
            &h,
            Method::PUT,
            "/_admin/state",
            Some(&bad),
            "application/json"
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(h.server.tenant().len(), 41);
}

/// Plays the same request sequence against a fresh in-process tenant with probabilistic
/// faults, returning (status, faults) per request.
fn play(seed: u64) -> Vec<(Option<u16>, Value)> {
    let clock = VirtualClock::new(common::T0);
    let tenant = Tenant::with_clock(
        TenantOptions {
            seed,
            ..Default::default()
        },
        Arc::new(clock.clone()),
    );
    let rules = blinksim::tenant::parse_toml(
        r#"
        [[fault]]
        operation = "create"
        probability = 0.2
        effect = { kind = "status", status = 503, retry_after = 1 }
        [[fault]]
        operation = "list"
        probability = 0.3
        effect = { kind = "latency", median = "20ms", sigma = 0.5 }
        [[fault]]
        every = 7
        effect = { kind = "lost", then = 500 }
        [[fault]]
        operation = "list"
        effect = { kind = "rate_limit", per_second = 5, burst = 3 }
        "#,
    )
    .unwrap();
    tenant.add_faults(rules);
    let token = tenant.options().token.clone();
    for i in 0..200 {
        clock.advance(50);
        let name = format!("user{}@contoso.example", i % 60);
        let req = if i % 2 == 0 {
            Request::new(Method::POST, "/scim/Users")
                .bearer(&token)
                .json(&json!({"userName": name}))
        } else {
            Request::new(
                Method::GET,
                &format!(
                    "/scim/Users?filter=userName+eq+%22{}%22",
                    name.replace('@', "%40")
                ),
            )
            .bearer(&token)
        };
        tenant.exchange(req);
    }
    tenant
        .journal()
        .entries()
        .iter()
        .map(|e| (e.status, serde_json::to_value(&e.faults).unwrap()))
        .collect()
}

#[test]
fn same_seed_same_faults() {
    let a = play(11);
    assert_eq!(
        a,
        play(11),
        "same seed and requests: same statuses and faults"
    );
    assert_ne!(a, play(12), "another seed: other faults");
    let faulted = a
        .iter()
        .filter(|(_, f)| f.as_array().is_some_and(|f| !f.is_empty()))
        .count();
    assert!(faulted > 30, "{faulted}");
}
