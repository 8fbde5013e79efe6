//! rulings.md R1 over HTTP: the PATCH dialect Entra sends to a tenant URL, shown against a plain
//! recording server (a minimal HTTP/1.1 SCIM stand-in written here, not the mock tenant).

use blinksim::VirtualClock;
use blinksim::engine::HttpTransport;
use blinksim::engine::{Directory, DirectoryUser};
use blinksim::engine::{JobConfig, ProvisioningJob};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server received it.
#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    path: String,
    body: String,
}

#[derive(Default)]
struct Store {
    requests: Vec<Recorded>,
    users: BTreeMap<String, Value>,
}

/// Answers like a SCIM server enough for a cycle: filters find nothing, POST stores the body
/// under a new id, GET by id returns it, PATCH answers it back unchanged.
fn answer(store: &mut Store, req: &Recorded) -> (u16, String) {
    let id = req.path.rsplit('/').next().unwrap_or_default().to_string();
    match req.method.as_str() {
        "GET" if req.path.contains("filter=") => (
            200,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                   "totalResults": 0, "Resources": []})
            .to_string(),
        ),
        "POST" => {
            let mut user: Value = serde_json::from_str(&req.body).unwrap_or(json!({}));
            let id = format!("u{}", store.users.len() + 1);
            user["id"] = json!(id);
            store.users.insert(id, user.clone());
            (201, user.to_string())
        }
        "GET" | "PATCH" => match store.users.get(&id) {
            Some(u) => (200, u.to_string()),
            None => (404, String::new()),
        },
        _ => (204, String::new()),
    }
}

fn serve_connection(stream: TcpStream, store: Arc<Mutex<Store>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let req = Recorded {
            method,
            path,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let (status, text) = {
            let mut s = store.lock().unwrap();
            s.requests.push(req.clone());
            answer(&mut s, &req)
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
            text.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(text.as_bytes()).is_err()
        {
            return;
        }
    }
}

/// Starts the recording server on port 0; returns its origin and its store.
fn recording_server() -> (String, Arc<Mutex<Store>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let store = Arc::new(Mutex::new(Store::default()));
    let shared = store.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let s = shared.clone();
            std::thread::spawn(move || serve_connection(stream, s));
        }
    });
    (origin, store)
}

fn directory() -> Directory {
    let mut dir = Directory::new();
    for (id, upn) in [("1", "ada@contoso.com"), ("2", "bob@contoso.com")] {
        let user = DirectoryUser {
            given_name: Some("Old".into()),
            surname: Some("Name".into()),
            job_title: Some("Engineer".into()),
            ..DirectoryUser::new(id, upn)
        };
        dir.add_user(user).unwrap();
        dir.assign(id, false, "User").unwrap();
    }
    dir
}

fn job(origin: &str, query: &str) -> ProvisioningJob {
    let config = JobConfig {
        tenant_url: format!("{origin}/scim{query}"),
        ..Default::default()
    };
    let transport = HttpTransport::new(origin, Duration::from_secs(10)).unwrap();
    ProvisioningJob::new(config, Arc::new(transport), VirtualClock::new(0)).unwrap()
}

/// Two cycles: create both users, then change ada's name and title and unassign bob; returns
/// the PATCH bodies of the second cycle.
async fn patches_of_an_update_cycle(query: &str) -> Vec<Value> {
    let (origin, store) = recording_server();
    let mut dir = directory();
    let mut job = job(&origin, query);
    job.run_cycle(&dir).await.unwrap();
    let sent = store.lock().unwrap().requests.len();
    dir.set_attribute("1", "givenName", Some("New".into()))
        .unwrap();
    dir.set_attribute("1", "jobTitle", Some("Lead".into()))
        .unwrap();
    dir.unassign("2", false).unwrap();
    job.run_cycle(&dir).await.unwrap();
    let requests = store.lock().unwrap().requests.clone();
    requests[sent..]
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

fn operations(patches: &[Value]) -> Vec<Value> {
    patches
        .iter()
        .flat_map(|p| p["Operations"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_plain_tenant_url_gets_the_legacy_dialect() {
    // rulings.md R1: no flag → capitalised ops, "False" strings, one operation per attribute.
    let ops = operations(&patches_of_an_update_cycle("").await);
    assert!(ops.len() >= 3, "{ops:?}");
    for op in &ops {
        let name = op["op"].as_str().unwrap();
        assert!(["Replace", "Add", "Remove"].contains(&name), "{op}");
        assert!(op["path"].is_string(), "one path per operation: {op}");
    }
    assert!(
        ops.contains(&json!({"op": "Replace", "path": "active", "value": "False"})),
        "{ops:?}"
    );
}

#[tokio::test]
async fn the_aadoptscim062020_flag_gets_the_compliant_dialect() {
    // rulings.md R1: `?aadOptscim062020` → lower-case ops and a boolean `active`.
    let ops = operations(&patches_of_an_update_cycle("?aadOptscim062020").await);
    assert!(!ops.is_empty());
    for op in &ops {
        let name = op["op"].as_str().unwrap();
        assert!(["replace", "add", "remove"].contains(&name), "{op}");
    }
    let disable = ops
        .iter()
        .find(|op| op.get("path") == Some(&json!("active")) || op["value"].get("active").is_some())
        .expect("a disable");
    let active = disable
        .get("path")
        .map_or(&disable["value"]["active"], |_| &disable["value"]);
    assert_eq!(active, &json!(false));
}

#[tokio::test]
async fn on_demand_is_legacy_even_with_the_flag() {
    // rulings.md R1: "this feature flag currently doesn't work with on-demand provisioning".
    let (origin, store) = recording_server();
    let mut dir = directory();
    let mut job = job(&origin, "?aadOptscim062020");
    job.run_cycle(&dir).await.unwrap();
    dir.set_attribute("1", "jobTitle", Some("Lead".into()))
        .unwrap();
    let sent = store.lock().unwrap().requests.len();
    job.provision_on_demand(&dir, "1").await.unwrap();
    let requests = store.lock().unwrap().requests.clone();
    let bodies: Vec<Value> = requests[sent..]
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let ops = operations(&bodies);
    assert_eq!(
        ops,
        vec![json!({"op": "Replace", "path": "title", "value": "Lead"})]
    );
}
