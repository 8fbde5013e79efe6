//! Every fault effect of issue 3, observed on the wire by a real HTTP client (raw TCP where
//! the socket itself is what is observed: EOF, reset, silence, a short body).

mod common;

use blinksim::HumanDuration;
use blinksim::tenant::{Effect, FaultRule, LostAs, Operation};
use common::{Harness, TOKEN, user_json};
use http::{Method, StatusCode};
use serde_json::json;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// What a raw client saw.
#[derive(Debug, PartialEq)]
enum Wire {
    /// Bytes, then an orderly close.
    Closed(Vec<u8>),
    /// Bytes, then a reset.
    Reset(Vec<u8>),
    /// Nothing for the whole read timeout.
    Silent,
}

fn raw_get(h: &Harness, path_and_query: &str, timeout: Duration) -> Wire {
    let mut s = TcpStream::connect(h.server.address()).unwrap();
    s.set_read_timeout(Some(timeout)).unwrap();
    let req = format!(
        "GET /scim{path_and_query} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Wire::Closed(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return Wire::Reset(got),
            Err(e)
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
                    && got.is_empty() =>
            {
                return Wire::Silent;
            }
            Err(e) => panic!("unexpected read error {e:?} after {} bytes", got.len()),
        }
    }
}

fn add(h: &Harness, rule: FaultRule) {
    h.server.tenant().add_fault(rule).unwrap();
}

fn ms(n: u64) -> Option<HumanDuration> {
    Some(HumanDuration::from_millis(n))
}

#[tokio::test]
async fn latency_fixed_uniform_and_lognormal() {
    let h = Harness::start().await;
    add(
        &h,
        FaultRule::new(Effect::Latency {
            fixed: ms(150),
            min: None,
            max: None,
            median: None,
            sigma: None,
        })
        .on(Operation::List),
    );
    let t = Instant::now();
    let r = h.get("/Users").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
    h.server.tenant().clear_faults();
    add(
        &h,
        FaultRule::new(Effect::Latency {
            fixed: None,
            min: ms(5),
            max: ms(25),
            median: None,
            sigma: None,
        })
        .on(Operation::Get),
    );
    add(
        &h,
        FaultRule::new(Effect::Latency {
            fixed: None,
            min: None,
            max: None,
            median: ms(10),
            sigma: Some(0.3),
        })
        .on(Operation::Discovery),
    );
    for _ in 0..20 {
        h.get("/Users/00000000-0000-4000-8000-000000000000").await;
        h.get("/Schemas").await;
    }
    for entry in h.server.tenant().journal().entries().iter().skip(1) {
        let delay = entry.faults[0].delay_ms.unwrap();
        match entry.operation {
            Operation::Get => assert!((5..=25).contains(&delay), "{delay}"),
            _ => assert!((2..=60).contains(&delay), "{delay}"),
        }
        assert!(entry.latency_us >= delay * 1000);
    }
}

#[tokio::test]
async fn error_statuses_with_retry_after() {
    let h = Harness::start().await;
    for (status, retry) in [
        (429u16, Some(2u64)),
        (503, Some(30)),
        (500, None),
        (502, None),
        (504, None),
        (401, None),
        (409, None),
    ] {
        h.server.tenant().clear_faults();
        let mut rule = FaultRule::status(status).on(Operation::Create);
        if let Some(s) = retry {
            rule = rule.retry_after(s);
        }
        add(&h, rule);
        let r = h
            .post("/Users", &user_json(&format!("s{status}@contoso.example")))
            .await;
        assert_eq!(r.status.as_u16(), status);
        assert_eq!(
            r.header("retry-after"),
            retry.map(|s| s.to_string()).as_deref()
        );
        let body = r.json();
        assert_eq!(body["status"], status.to_string());
        if status == 401 {
            assert_eq!(
                r.header("www-authenticate"),
                Some("Bearer realm=\"blinksim\"")
            );
        }
        if status == 409 {
            assert_eq!(body["scimType"], "uniqueness");
        }
        assert!(
            h.server
                .tenant()
                .find_by_user_name(&format!("s{status}@contoso.example"))
                .is_none(),
            "not carried out"
        );
    }
}

#[tokio::test]
async fn rate_limit_token_bucket() {
    let h = Harness::start().await;
    add(
        &h,
        FaultRule::new(Effect::RateLimit {
            per_second: 1.0,
            burst: 2,
            retry_after: None,
        })
        .on(Operation::List),
    );
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(h.get("/Users").await.status.as_u16());
        }
        v
    };
    assert_eq!(
        statuses,
        [200, 200, 429],
        "the virtual clock does not move: no refill"
    );
    let r = h.get("/Users").await;
    assert_eq!(r.header("retry-after"), Some("1"));
    h.clock.advance(1000);
    assert_eq!(
        h.get("/Users").await.status,
        StatusCode::OK,
        "a second later one token is back"
    );
}

// Blocking raw sockets: the server needs its own worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_and_reset_connections() {
    let h = Harness::start().await;
    add(&h, FaultRule::new(Effect::Drop).first(1));
    assert_eq!(
        raw_get(&h, "/Users", Duration::from_secs(5)),
        Wire::Closed(Vec::new())
    );
    add(&h, FaultRule::new(Effect::Reset).first(1));
    assert_eq!(
        raw_get(&h, "/Users", Duration::from_secs(5)),
        Wire::Reset(Vec::new())
    );
    // And a normal request afterwards.
    assert!(
        matches!(raw_get(&h, "/Users", Duration::from_secs(5)), Wire::Closed(b) if b.starts_with(b"HTTP/1.1 200"))
    );
}

// Blocking raw sockets: the server needs its own worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hang_until_the_client_gives_up() {
    let h = Harness::start().await;
    add(
        &h,
        FaultRule::new(Effect::Hang { duration: ms(400) }).first(1),
    );
    assert_eq!(
        raw_get(&h, "/Users", Duration::from_millis(150)),
        Wire::Silent
    );
    // Bounded: after the hang the server closes without a response.
    let t = Instant::now();
    add(
        &h,
        FaultRule::new(Effect::Hang { duration: ms(300) }).first(1),
    );
    assert_eq!(
        raw_get(&h, "/Users", Duration::from_secs(5)),
        Wire::Closed(Vec::new())
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
}

// Blocking raw sockets: the server needs its own worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_and_dribbled_bodies() {
    let h = Harness::start().await;
    h.create(user_json("ada@contoso.example")).await;
    add(
        &h,
        FaultRule::new(Effect::Truncate { bytes: Some(40) }).first(1),
    );
    let Wire::Closed(bytes) = raw_get(&h, "/Users", Duration::from_secs(5)) else {
        panic!("expected a close")
    };
    let text = String::from_utf8_lossy(&bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap_or_else(|| panic!("no content-length in {head}"))
        .parse()
        .unwrap();
    assert_eq!(body.len(), 40);
    assert!(declared > 40, "announces {declared}, sends 40");

    add(
        &h,
        FaultRule::new(Effect::Dribble {
            chunk: Some(64),
            interval: ms(25),
        })
        .first(1),
    );
    let t = Instant::now();
    let Wire::Closed(bytes) = raw_get(&h, "/Users", Duration::from_secs(10)) else {
        panic!("expected a close")
    };
    let text = String::from_utf8_lossy(&bytes);
    let body = text.split_once("\r\n\r\n").unwrap().1;
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["totalResults"], 1, "the whole body arrives");
    let chunks = body.len().div_ceil(64) as u32;
    assert!(
        t.elapsed() >= Duration::from_millis(25) * (chunks - 1),
        "{:?} for {chunks} chunks",
        t.elapsed()
    );
}

#[tokio::test]
async fn bad_payloads_after_carrying_out_the_request() {
    let h = Harness::start().await;
    add(&h, FaultRule::new(Effect::EmptyOk).first(1));
    let r = h.post("/Users", &user_json("empty@contoso.example")).await;
    assert_eq!((r.status, r.body.len()), (StatusCode::OK, 0));
    assert!(
        h.server
            .tenant()
            .find_by_user_name("empty@contoso.example")
            .is_some()
    );

    add(&h, FaultRule::new(Effect::MalformedJson).first(1));
    let r = h
        .post("/Users", &user_json("malformed@contoso.example"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    add(&h, FaultRule::new(Effect::WrongContentType).first(1));
    let r = h.get("/Users").await;
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));

    add(&h, FaultRule::new(Effect::DuplicateMatch).first(1));
    let r = h
        .get("/Users?filter=userName+eq+%22empty%40contoso.example%22")
        .await
        .json();
    assert_eq!(r["totalResults"], 2);
    assert_eq!(r["Resources"][0], r["Resources"][1]);
}

// Blocking raw sockets: the server needs its own worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applied_but_lost_then_conflict_on_retry() {
    let h = Harness::start().await;
    add(
        &h,
        FaultRule::new(Effect::Lost {
            then: LostAs::Status(500),
        })
        .on(Operation::Create)
        .first(1),
    );
    let r = h.post("/Users", &user_json("lost@contoso.example")).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        h.server
            .tenant()
            .find_by_user_name("lost@contoso.example")
            .is_some(),
        "carried out anyway"
    );
    let retry = h.post("/Users", &user_json("lost@contoso.example")).await;
    assert_eq!(
        retry.status,
        StatusCode::CONFLICT,
        "the classic retried create"
    );
    // The dropped-connection variant.
    add(
        &h,
        FaultRule::new(Effect::Lost { then: LostAs::Drop })
            .for_user("dropped@contoso.example")
            .first(1),
    );
    let mut s = TcpStream::connect(h.server.address()).unwrap();
    let body = user_json("dropped@contoso.example").to_string();
    write!(s, "POST /scim/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    assert!(got.is_empty());
    assert!(
        h.server
            .tenant()
            .find_by_user_name("dropped@contoso.example")
            .is_some()
    );
}

#[tokio::test]
async fn selectors_by_user_name_filter_header_and_path() {
    let h = Harness::start().await;
    let ada = h.create(user_json("ada@contoso.example")).await;
    let bob = h.create(user_json("bob@contoso.example")).await;
    add(
        &h,
        FaultRule::status(500)
            .for_user("ADA@contoso.example")
            .on(Operation::Patch),
    );
    let patch = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    assert_eq!(
        h.patch(&format!("/Users/{ada}"), &patch).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        h.patch(&format!("/Users/{bob}"), &patch).await.status,
        StatusCode::OK
    );
    h.server.tenant().clear_faults();
    let mut by_filter = FaultRule::status(503);
    by_filter.filter = Some("userName eq".into());
    add(&h, by_filter);
    assert_eq!(
        h.get("/Users?filter=userName+eq+%22x%22").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(h.get("/Users?filter=title+pr").await.status, StatusCode::OK);
    h.server.tenant().clear_faults();
    let mut by_header = FaultRule::status(502);
    by_header.header = Some(blinksim::tenant::HeaderMatch {
        name: "x-chaos".into(),
        value: Some("on".into()),
    });
    by_header.path = Some("/scim/Users*".into());
    add(&h, by_header);
    let auth = format!("Bearer {TOKEN}");
    assert_eq!(
        h.raw(
            Method::GET,
            "/Users",
            None,
            &[("authorization", &auth), ("x-chaos", "on")]
        )
        .await
        .status,
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(
        h.raw(
            Method::GET,
            "/Users",
            None,
            &[("authorization", &auth), ("x-chaos", "off")]
        )
        .await
        .status,
        StatusCode::OK
    );
}
