//! The `blinksim serve` binary: flags, faults file, journal file, prefill, clean stop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Served {
    child: Child,
    base: String,
    addr: String,
    /// What it printed at start, up to "Press Ctrl-C to stop.".
    banner: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Served {
    serve_with(&["--addr", "127.0.0.1:0"], args, &[])
}

fn serve_with(addr: &[&str], args: &[&str], env: &[(&str, &str)]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinksim"))
        .arg("serve")
        .args(addr)
        .args(args)
        .env_remove("BLINKSIM_TOKEN")
        .env_remove("BLINKSIM_ADMIN_TOKEN")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn blinksim");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = String::new();
    for line in lines.by_ref() {
        let line = line.expect("utf-8");
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let base = banner
        .lines()
        .find_map(|l| l.strip_prefix("SCIM base URL  "))
        .expect("base URL line")
        .to_string();
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches("/scim")
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        base,
        addr,
        banner,
    }
}

/// A minimal HTTP/1.1 GET: (status line, headers, body).
fn get(addr: &str, path: &str, token: &str) -> (String, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (
        status.to_string(),
        headers.to_ascii_lowercase(),
        body.to_string(),
    )
}

#[test]
fn faults_file_429_first_three_then_normal_and_journal_shows_all() {
    let dir = std::env::temp_dir().join(format!("blinksim-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let faults = dir.join("faults.toml");
    std::fs::write(
        &faults,
        "[[fault]]\nname = \"throttle\"\noperation = \"list\"\nfirst = 3\neffect = { kind = \"status\", status = 429, retry_after = 2 }\n",
    )
    .unwrap();
    let journal = dir.join("journal.jsonl");
    let s = serve(&[
        "--token",
        "T",
        "--faults",
        faults.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ]);
    assert!(
        s.base.starts_with("http://127.0.0.1:") && !s.base.contains(":0/"),
        "{}",
        s.base
    );
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, headers, _) = get(&s.addr, "/scim/Users", "T");
        let retry = headers.lines().any(|l| l == "retry-after: 2");
        statuses.push((status, retry));
    }
    let expected_429 = ("HTTP/1.1 429 Too Many Requests".to_string(), true);
    let expected_200 = ("HTTP/1.1 200 OK".to_string(), false);
    assert_eq!(
        statuses,
        vec![
            expected_429.clone(),
            expected_429.clone(),
            expected_429,
            expected_200.clone(),
            expected_200
        ]
    );
    // The journal, through the admin API and in the JSON-lines file.
    let (_, _, body) = get(&s.addr, "/_admin/requests", "blinksim-admin-token");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let seen: Vec<(u64, Option<String>)> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["status"].as_u64().unwrap(),
                e["faults"][0]["rule"].as_str().map(str::to_string),
            )
        })
        .collect();
    let throttle = Some("throttle".to_string());
    assert_eq!(
        seen,
        vec![
            (429, throttle.clone()),
            (429, throttle.clone()),
            (429, throttle),
            (200, None),
            (200, None)
        ]
    );
    let mut file_lines = Vec::new();
    for _ in 0..50 {
        file_lines = std::fs::read_to_string(&journal)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        if file_lines.len() == 5 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(file_lines.len(), 5);
    let first: serde_json::Value = serde_json::from_str(&file_lines[0]).unwrap();
    assert_eq!(
        (
            first["status"].as_u64(),
            first["request_headers"]["authorization"].as_str()
        ),
        (Some(429), Some("Bearer [redacted]"))
    );
}

#[test]
fn same_seed_same_prefill_and_clean_stop() {
    let users = |seed: &str| {
        let s = serve(&["--token", "T", "--users", "1000", "--seed", seed]);
        let (_, _, body) = get(
            &s.addr,
            "/scim/Users?count=1000&attributes=userName,emails",
            "T",
        );
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["totalResults"], 1000);
        doc["Resources"].clone()
    };
    assert_eq!(users("7"), users("7"));
    assert_ne!(users("7"), users("8"));
    // SIGTERM stops it with exit status 0.
    let mut s = serve(&["--token", "T"]);
    let pid = s.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn bad_faults_file_is_rejected_with_the_field() {
    let path =
        std::env::temp_dir().join(format!("blinksim-bad-faults-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[[fault]]\nprobability = 3\neffect = { kind = \"drop\" }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_blinksim"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--faults",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fault[0].probability") && err.contains(path.to_str().unwrap()),
        "{err}"
    );
}

#[test]
fn every_interface_warns_and_prints_a_usable_url() {
    let s = serve_with(&["--addr", "0.0.0.0:0"], &[], &[]);
    assert!(
        s.banner.contains("Warning") && s.banner.contains("every interface"),
        "{}",
        s.banner
    );
    assert!(s.base.starts_with("http://127.0.0.1:"), "{}", s.base);
    let (status, _, body) = get(&s.addr, "/scim/Users", "blinksim-secret-token");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(!body.contains("0.0.0.0"), "{body}");
}

#[test]
fn tokens_from_the_environment_are_not_echoed() {
    let env = [
        ("BLINKSIM_TOKEN", "env-s3cret"),
        ("BLINKSIM_ADMIN_TOKEN", "env-adm1n"),
    ];
    let s = serve_with(&["--addr", "127.0.0.1:0"], &[], &env);
    assert!(
        !s.banner.contains("env-s3cret") && !s.banner.contains("env-adm1n"),
        "{}",
        s.banner
    );
    assert!(s.banner.contains("$BLINKSIM_TOKEN"), "{}", s.banner);
    assert_eq!(
        get(&s.addr, "/scim/Users", "env-s3cret").0,
        "HTTP/1.1 200 OK"
    );
    let t = serve(&["--token", "flag-token"]);
    assert!(t.banner.contains("flag-token"), "{}", t.banner);
}

#[test]
fn journal_file_is_appended_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    std::fs::write(&journal, "{\"earlier\":true}\n").unwrap();
    let s = serve(&["--journal", journal.to_str().unwrap()]);
    get(&s.addr, "/scim/Users", "blinksim-secret-token");
    let mut text = String::new();
    for _ in 0..50 {
        text = std::fs::read_to_string(&journal).unwrap();
        if text.lines().count() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(text.starts_with("{\"earlier\":true}\n"), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn journal_write_errors_are_reported() {
    let s = serve(&["--journal", "/dev/full"]);
    get(&s.addr, "/scim/Users", "blinksim-secret-token");
    let mut health = serde_json::Value::Null;
    for _ in 0..50 {
        let (_, _, body) = get(&s.addr, "/_admin/health", "blinksim-admin-token");
        health = serde_json::from_str(&body).unwrap();
        if !health["journal_file_error"].is_null() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let error = health["journal_file_error"].as_str().unwrap_or_default();
    assert!(error.contains("No space left"), "{health}");
}
