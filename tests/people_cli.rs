//! Issue 16: `serve --config`, `--print-config`, `--state` and `run --junit`, through the binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

mod cli;
use cli::write;

fn blinksim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_blinksim"));
    c.env_remove("BLINKSIM_TOKEN")
        .env_remove("BLINKSIM_ADMIN_TOKEN")
        .env_remove("BLINKSIM_CONFIG")
        .env_remove("BLINKSIM_STATE");
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn print_config(args: &[&str]) -> Output {
    blinksim()
        .args(["serve", "--print-config"])
        .args(args)
        .output()
        .unwrap()
}

struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Served {
    let default_addr: &[&str] = if args.contains(&"--addr") {
        &[]
    } else {
        &["--addr", "127.0.0.1:0"]
    };
    let mut child = blinksim()
        .arg("serve")
        .args(default_addr)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(b) = line.strip_prefix("SCIM base URL  ") {
            base = b.to_string();
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches("/scim")
        .to_string();
    assert!(!addr.is_empty(), "serve printed no base URL");
    Served { child, addr }
}

/// A minimal HTTP/1.1 request: (status code, body).
fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = text(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (code, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

const TOKEN: &str = "blinksim-secret-token";
const ADMIN: &str = "blinksim-admin-token";

fn user(name: &str, email: &str) -> String {
    format!(
        r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{name}","active":true,"emails":[{{"type":"work","value":"{email}","primary":true}}]}}"#
    )
}

/// Every `TenantOptions` field set in a config file shows up in the effective settings.
#[test]
fn every_option_is_read_from_the_config_file() {
    let cases = [
        ("token = \"t-1\"", "token = \"t-1\""),
        ("admin_token = \"a-1\"", "admin_token = \"a-1\""),
        ("max_body_bytes = 2048", "max_body_bytes = 2048"),
        ("default_page_size = 7", "default_page_size = 7"),
        ("max_page_size = 9", "max_page_size = 9"),
        ("unique_work_email = false", "unique_work_email = false"),
        (
            "unknown_attributes = \"reject\"",
            "unknown_attributes = \"reject\"",
        ),
        (
            "filter_no_match = \"no_target\"",
            "filter_no_match = \"no_target\"",
        ),
        (
            "patch_response = \"no_content\"",
            "patch_response = \"no_content\"",
        ),
        ("seed = 42", "seed = 42"),
        ("journal_capacity = 11", "journal_capacity = 11"),
        ("journal_bytes = 12345", "journal_bytes = 12345"),
        ("journal_body_bytes = 99", "journal_body_bytes = 99"),
        (
            "[server]\nheader_read_timeout_ms = 1001",
            "header_read_timeout_ms = 1001",
        ),
        (
            "[server]\nbody_read_timeout_ms = 1002",
            "body_read_timeout_ms = 1002",
        ),
        ("[server]\nidle_timeout_ms = 1003", "idle_timeout_ms = 1003"),
        ("[server]\nmax_connections = 17", "max_connections = 17"),
        (
            "[redaction]\nheaders = [\"x-secret\"]",
            "headers = [\"x-secret\"]",
        ),
        (
            "[redaction]\nquery_params = [\"sig\"]",
            "query_params = [\"sig\"]",
        ),
        ("[serve]\nusers = 3", "users = 3"),
        ("groups = true", "groups = true"),
        (
            "group_patch_response = \"resource\"",
            "group_patch_response = \"resource\"",
        ),
        (
            "group_members_must_exist = false",
            "group_members_must_exist = false",
        ),
        (
            "unique_group_display_name = false",
            "unique_group_display_name = false",
        ),
        (
            "groups = true\n[serve]\ngroup_prefill = 4",
            "group_prefill = 4",
        ),
        ("profile = \"generic\"", "profile = \"generic\""),
        ("user_schema = \"full\"", "user_schema = \"full\""),
        (
            "[[fault]]\nname = \"f\"\neffect = { kind = \"status\", status = 503 }",
            "name = \"f\"",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (i, (snippet, expected)) in cases.iter().enumerate() {
        let file = write(tmp.path(), &format!("c{i}.toml"), snippet);
        let out = print_config(&["--config", file.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{snippet}: {}",
            text(&out.stderr)
        );
        let has = |text: &str| text.lines().any(|l| l == *expected);
        assert!(has(&stdout), "{snippet}:\n{stdout}");
        // And the default printed without the file differs, so the file is what set it.
        let default = text(&print_config(&[]).stdout);
        assert!(!has(&default), "{snippet} is the default");
    }
}

#[test]
fn flags_and_environment_override_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "c.toml",
        "max_page_size = 9\npatch_response = \"no_content\"\n",
    );
    let f = file.to_str().unwrap();
    let out = print_config(&[
        "--config",
        f,
        "--max-page-size",
        "5",
        "--patch-response",
        "resource",
    ]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("max_page_size = 5"), "{stdout}");
    assert!(stdout.contains("patch_response = \"resource\""), "{stdout}");
    let out = blinksim()
        .args(["serve", "--print-config", "--config", f])
        .env("BLINKSIM_TOKEN", "from-env")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("from-env"), "{stdout}");
    assert!(
        stdout.contains("# token: from $BLINKSIM_TOKEN, not shown"),
        "{stdout}"
    );
}

#[test]
fn a_bad_config_file_exits_2_with_file_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "bad.toml",
        "seed = 1\n[server]\nmax_connections = \"many\"\n",
    );
    let out = print_config(&["--config", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.toml:3: server.max_connections: "),
        "{stderr}"
    );
}

/// The behaviour choices act through the file: page size, unique work email, PATCH answer.
#[test]
fn config_choices_change_behaviour() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "c.toml",
        "token = \"cfg\"\ndefault_page_size = 2\nunique_work_email = false\npatch_response = \"no_content\"\n[serve]\nusers = 5\n",
    );
    let s = serve(&["--config", file.to_str().unwrap()]);
    let (code, _) = http(&s.addr, "GET", "/scim/Users", TOKEN, "");
    assert_eq!(code, 401, "the file's token replaces the default");
    let (code, body) = http(&s.addr, "GET", "/scim/Users", "cfg", "");
    assert_eq!(code, 200);
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["totalResults"], 5);
    assert_eq!(list["Resources"].as_array().unwrap().len(), 2, "{list}");
    let (a, _) = http(
        &s.addr,
        "POST",
        "/scim/Users",
        "cfg",
        &user("a@x.example", "same@x.example"),
    );
    let (b, created) = http(
        &s.addr,
        "POST",
        "/scim/Users",
        "cfg",
        &user("b@x.example", "same@x.example"),
    );
    assert_eq!((a, b), (201, 201), "duplicate work email allowed");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#;
    let (code, _) = http(&s.addr, "PATCH", &format!("/scim/Users/{id}"), "cfg", patch);
    assert_eq!(code, 204);
}

fn export(addr: &str) -> String {
    let (code, body) = http(addr, "GET", "/_admin/state", ADMIN, "");
    assert_eq!(code, 200);
    body
}

fn terminate(mut s: Served) {
    let pid = s.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = s.child.wait().unwrap();
    assert!(status.success(), "serve stopped with {status}");
}

#[test]
fn state_survives_a_restart_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state.json");
    let st = state.to_str().unwrap();
    // The same port both times: users' meta.location carries it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let addr = format!("127.0.0.1:{port}");
    let s = serve(&["--state", st, "--addr", &addr]);
    for i in 0..1000 {
        let (code, _) = http(
            &s.addr,
            "POST",
            "/scim/Users",
            TOKEN,
            &user(&format!("u{i}@x.example"), &format!("u{i}@x.example")),
        );
        assert_eq!(code, 201);
    }
    let before = export(&s.addr);
    terminate(s);
    let s = serve(&["--state", st, "--addr", &addr]);
    assert!(
        export(&s.addr) == before,
        "the export changed across a restart"
    );
    let (code, body) = http(&s.addr, "POST", "/_admin/save", ADMIN, "");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"saved\":1000"), "{body}");
}

#[test]
fn a_corrupt_state_file_exits_2_and_is_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    for content in [
        "{\"users\": [",
        "{\"users\": [{\"userName\": \"x\"}]}",
        "[]",
    ] {
        let state = write(tmp.path(), "state.json", content);
        let out = blinksim()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--state",
                state.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{content}: {stderr}");
        assert!(stderr.contains("state.json"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&state).unwrap(), content);
    }
}

#[test]
fn killing_during_saves_never_leaves_a_broken_file() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state.json");
    let st = state.to_str().unwrap();
    for i in 0..20u64 {
        let mut s = serve(&[
            "--state",
            st,
            "--save-every",
            "5ms",
            "--users",
            "300",
            "--seed",
            &i.to_string(),
        ]);
        // From before the first save to well into the saves, which take milliseconds each.
        std::thread::sleep(Duration::from_millis(5 + i * 15));
        s.child.kill().unwrap();
        s.child.wait().unwrap();
        if let Ok(bytes) = std::fs::read(&state) {
            let v: serde_json::Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("iteration {i}: broken state file: {e}"));
            assert!(v["users"].is_array());
        }
    }
    assert!(state.exists(), "some save finished");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(leftovers.len() <= 21, "{leftovers:?}");
}

const SCENARIO: &str = r#"
name = "junit <demo>"
seed = 3

[[directory.users]]
objectId = "u-1"
userPrincipalName = "ada@contoso.example"
mailNickname = "ada"
givenName = "Ada"
surname = "Lovelace"

[[directory.assignments]]
user = "u-1"

[[step]]
do = "cycle"

[[step]]
do = "expect"
cycle = { created = 1, skipped = 5 }
tenant = { count = 1 }
"#;

#[test]
fn run_junit_writes_parsable_junit_xml() {
    use quick_xml::events::Event;
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "demo.toml", SCENARIO);
    let junit = tmp.path().join("junit.xml");
    let out = blinksim()
        .args([
            "run",
            file.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => cases += 1,
                b"failure" => {
                    let message = e
                        .try_get_attribute("message")
                        .unwrap()
                        .unwrap()
                        .unescape_value()
                        .unwrap()
                        .into_owned();
                    failures.push(message);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, 3, "{xml}");
    assert_eq!(failures.len(), 1, "{xml}");
    assert!(
        failures[0].ends_with("demo.toml:18: expected 5, found 0"),
        "{}",
        failures[0]
    );
}

/// The stop handlers are installed before the URL is printed, so a SIGTERM sent the moment
/// it appears stops `serve` cleanly (exit 0) instead of killing it.
#[test]
fn sigterm_right_after_the_url_stops_cleanly() {
    for _ in 0..5 {
        let mut child = blinksim()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(first.starts_with("SCIM base URL"), "{first}");
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        std::thread::spawn(move || for _ in lines {});
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{status}");
    }
}

/// The groups half's options through the file: /Groups on, a prefill, the PATCH answer, a profile.
#[test]
fn groups_and_profile_through_the_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "g.toml",
        "groups = true\ngroup_patch_response = \"resource\"\n[serve]\nusers = 5\ngroup_prefill = 3\n",
    );
    let s = serve(&["--config", file.to_str().unwrap()]);
    let (code, body) = http(&s.addr, "GET", "/scim/Groups", TOKEN, "");
    assert_eq!(code, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["totalResults"], 3, "{list}");
    let id = list["Resources"][0]["id"].as_str().unwrap().to_string();
    let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Renamed"}]}"#;
    let (code, body) = http(
        &s.addr,
        "PATCH",
        &format!("/scim/Groups/{id}"),
        TOKEN,
        patch,
    );
    assert_eq!(
        code, 200,
        "group_patch_response = resource answers with the group: {body}"
    );
    terminate(s);

    let generic = write(tmp.path(), "p.toml", "profile = \"generic\"\n");
    let s = serve(&["--config", generic.to_str().unwrap()]);
    let (a, _) = http(
        &s.addr,
        "POST",
        "/scim/Users",
        TOKEN,
        &user("a@x.example", "same@x.example"),
    );
    let (b, _) = http(
        &s.addr,
        "POST",
        "/scim/Users",
        TOKEN,
        &user("b@x.example", "same@x.example"),
    );
    assert_eq!(
        (a, b),
        (201, 201),
        "the generic profile allows a shared work email"
    );
    let (code, _) = http(&s.addr, "GET", "/scim/Groups", TOKEN, "");
    assert_eq!(code, 200, "the generic profile serves /Groups");
    terminate(s);

    let bad = write(tmp.path(), "b.toml", "[serve]\ngroup_prefill = 2\n");
    let out = print_config(&["--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("group_prefill"),
        "{}",
        text(&out.stderr)
    );
}
