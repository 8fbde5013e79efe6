//! The ceiling for `GET /Users?filter=...`: a bare hyper 1 server that answers every request
//! with one fixed body and fixed headers (captured from the mock's own answer), with the same connection settings as `blinksim
//! serve` (HTTP/1.1, keep-alive, no Nagle). Whatever the mock adds on top of this is its own
//! cost, so `mock req/s ÷ ceiling req/s` says how close the mock is to the bare server.
//!
//! ```text
//! cargo run --release --example ceiling -- --body body.json --headers headers.txt --addr 127.0.0.1:18082
//! ```
//!
//! `examples/ceiling.sh` captures a real filter answer from `blinksim serve`, serves the same
//! bytes here and loads both with the same tool in one run.

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, body::Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

struct Args {
    addr: SocketAddr,
    body: Bytes,
    headers: Vec<(String, String)>,
}

/// Headers hyper writes itself, or that describe one connection, are not replayed.
const NOT_REPLAYED: [&str; 4] = ["content-length", "date", "connection", "transfer-encoding"];

/// Reads `curl -D` output: a status line, then `Name: value` lines.
fn read_headers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .filter(|(name, _)| !name.is_empty() && !NOT_REPLAYED.contains(&name.as_str()))
        .collect()
}

fn parse_args() -> Result<Args, String> {
    let mut addr: SocketAddr = ([127, 0, 0, 1], 18082).into();
    let mut body = None;
    let mut headers = vec![(
        "content-type".to_owned(),
        "application/scim+json; charset=utf-8".to_owned(),
    )];
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?,
            "--body" => {
                let bytes = std::fs::read(&value).map_err(|e| format!("--body {value}: {e}"))?;
                body = Some(Bytes::from(bytes));
            }
            "--headers" => {
                let text = std::fs::read_to_string(&value)
                    .map_err(|e| format!("--headers {value}: {e}"))?;
                headers = read_headers(&text);
            }
            other => return Err(format!("unknown flag {other} (--addr, --body, --headers)")),
        }
    }
    let body = body.ok_or("--body FILE is required (the bytes to answer with)")?;
    Ok(Args {
        addr,
        body,
        headers,
    })
}

fn answer(body: &Bytes, headers: &hyper::HeaderMap) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.clone()));
    resp.headers_mut().clone_from(headers);
    resp
}

fn header_map(pairs: &[(String, String)]) -> Result<hyper::HeaderMap, String> {
    let mut map = hyper::HeaderMap::new();
    for (name, value) in pairs {
        let name = hyper::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("header {name}: {e}"))?;
        let value = value.parse().map_err(|e| format!("header {name}: {e}"))?;
        map.append(name, value);
    }
    Ok(map)
}

#[tokio::main]
async fn main() {
    let (args, headers) = match parse_args().and_then(|a| header_map(&a.headers).map(|h| (a, h))) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("ceiling: {e}");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind(args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ceiling: cannot bind {}: {e}", args.addr);
            std::process::exit(2);
        }
    };
    let local = listener.local_addr().map_or(args.addr, |a| a);
    println!(
        "ceiling listening on http://{local} ({} body bytes)",
        args.body.len()
    );
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .keep_alive(true);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let body = args.body.clone();
        let headers = headers.clone();
        let service = service_fn(move |_req: Request<Incoming>| {
            let resp = answer(&body, &headers);
            async move { Ok::<_, Infallible>(resp) }
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}
