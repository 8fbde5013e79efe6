//! Tenant request handling, in-process (no socket) and over loopback HTTP.

use blinksim::scim::Request;
use blinksim::tenant::{MockTenant, Tenant, TenantOptions};
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::Method;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

const USERS: usize = 10_000;

fn tenant() -> (Tenant, Vec<(String, String)>) {
    let t = Tenant::new(TenantOptions::default());
    t.prefill(USERS, 7);
    let users = t
        .users()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap_or_default().to_string(),
                u["userName"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (t, users)
}

fn filter_path(user_name: &str) -> String {
    format!(
        "/scim/Users?filter=userName+eq+%22{}%22",
        user_name.replace('@', "%40")
    )
}

fn in_process(c: &mut Criterion) {
    let (t, users) = tenant();
    let token = t.options().token.clone();
    let no_ring = Tenant::new(TenantOptions {
        journal_capacity: 0,
        ..TenantOptions::default()
    });
    no_ring.prefill(USERS, 7);
    let mut g = c.benchmark_group("tenant in-process");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("GET by userName filter", |b| {
        b.iter(|| {
            i = (i + 1) % users.len();
            let req = Request::new(Method::GET, &filter_path(&users[i].1)).bearer(&token);
            black_box(t.handle(&req))
        })
    });
    // The fault layer with no rule (operation classification, the rule check, journal stats)
    // on top of the handler above, with the journal ring off: its cost alone.
    g.bench_function("GET by userName filter + fault layer (no rules)", |b| {
        b.iter(|| {
            i = (i + 1) % users.len();
            let req = Request::new(Method::GET, &filter_path(&users[i].1)).bearer(&token);
            black_box(no_ring.exchange(req))
        })
    });
    // Everything `serve` does per request by default: fault layer plus the journal ring.
    g.bench_function("GET by userName filter + fault layer + journal", |b| {
        b.iter(|| {
            i = (i + 1) % users.len();
            let req = Request::new(Method::GET, &filter_path(&users[i].1)).bearer(&token);
            black_box(t.exchange(req))
        })
    });
    let n = AtomicU64::new(0);
    g.bench_function("POST /Users", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let body = json!({"userName": format!("bench{k}@contoso.example"), "active": true,
                "emails": [{"type": "work", "value": format!("bench{k}@contoso.example"), "primary": true}],
                "name": {"givenName": "Bench", "familyName": "User"}});
            let req = Request::new(Method::POST, "/scim/Users").bearer(&token).json(&body);
            black_box(t.handle(&req))
        })
    });
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "Replace", "path": "title", "value": "Bench"},
        {"op": "Replace", "path": "active", "value": "False"}]});
    g.bench_function("PATCH /Users/{id}", |b| {
        b.iter(|| {
            i = (i + 1) % users.len();
            let req = Request::new(Method::PATCH, &format!("/scim/Users/{}", users[i].0))
                .bearer(&token)
                .json(&patch);
            black_box(t.handle(&req))
        })
    });
    g.finish();
}

fn loopback(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (t, users) = tenant();
    let token = t.options().token.clone();
    let server = rt
        .block_on(MockTenant::start_with(
            t,
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("bind");
    let origin = format!("http://{}", server.address());
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let mut g = c.benchmark_group("tenant loopback HTTP");
    for concurrency in [1usize, 16] {
        g.throughput(Throughput::Elements(concurrency as u64));
        let mut i = 0usize;
        g.bench_with_input(
            BenchmarkId::new("GET by userName filter", concurrency),
            &concurrency,
            |b, &conc| {
                b.to_async(&rt).iter(|| {
                    let mut batch = Vec::with_capacity(conc);
                    for _ in 0..conc {
                        i = (i + 1) % users.len();
                        let req =
                            hyper::Request::get(format!("{origin}{}", filter_path(&users[i].1)))
                                .header("authorization", format!("Bearer {token}"))
                                .body(Full::new(Bytes::new()))
                                .expect("request");
                        batch.push(client.request(req));
                    }
                    // All in flight at once (client futures start when polled).
                    async move {
                        let responses =
                            futures::future::join_all(batch.into_iter().map(|f| async {
                                let resp = f.await.expect("response");
                                resp.into_body().collect().await.expect("body")
                            }))
                            .await;
                        black_box(responses)
                    }
                })
            },
        );
    }
    g.finish();
    drop(server);
}

criterion_group!(benches, in_process, loopback);
criterion_main!(benches);
