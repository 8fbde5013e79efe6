//! The `blinksim run`, `gen directory` and `expr` commands: exit statuses, messages, `--out`
//! determinism, `--json`, and scenarios against a served tenant over HTTP.

use std::path::Path;
use std::process::Command;

mod cli;
use cli::{blinksim, write};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const SMALL: &str = r#"
name = "small"
seed = 3

[[directory.users]]
objectId = "u-1"
userPrincipalName = "ada@contoso.example"
mailNickname = "ada"
givenName = "Ada"
surname = "Lovelace"

[[directory.users]]
objectId = "u-2"
userPrincipalName = "alan@contoso.example"
givenName = "Alan"
surname = "Turing"

[[directory.assignments]]
user = "u-1"

[[directory.assignments]]
user = "u-2"
role = "Default Access"

[[step]]
do = "cycle"

[[step]]
do = "expect"
cycle = { created = 1, skipped = 1 }
tenant = { count = 1 }
"#;

#[test]
fn a_passing_scenario_exits_0_and_reports_its_cycle() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "small.toml", SMALL);
    let out = blinksim(&["run", file.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Cycle 1 (Initial)"), "{stdout}");
    assert!(stdout.contains("PASS small: 3 check(s) held"), "{stdout}");
}

#[test]
fn a_failed_expectation_exits_1_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    // Expecting the Default Access user to be created is expecting a broken rule.
    let broken = SMALL.replace("created = 1, skipped = 1", "created = 2, skipped = 0");
    let file = write(tmp.path(), "broken.toml", &broken);
    let out = blinksim(&["run", file.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL small: 2 of 3 check(s) failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("broken.toml:28: cycle 1 created: expected 2, found 1"),
        "{stdout}"
    );
}

#[test]
fn malformed_scenarios_exit_2_naming_file_line_and_field_and_run_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "a-good.toml", SMALL);
    let cases = [
        (
            "unknown-step.toml",
            SMALL.replace("do = \"cycle\"", "do = \"cylce\""),
            ":26: field `step[0].do`: unknown variant `cylce`",
        ),
        (
            "bad-type.toml",
            SMALL.replace("do = \"cycle\"", "do = \"cycles\"\ncount = \"two\""),
            ":27: field `step[0].count`: invalid type: string \"two\"",
        ),
        (
            "missing-field.toml",
            SMALL.replace("do = \"cycle\"", "do = \"disable\""),
            ":25: field `step[0].user`: missing field `user`",
        ),
        (
            "unknown-user.toml",
            SMALL.replace("do = \"cycle\"", "do = \"disable\"\nuser = \"nobody\""),
            ":25: field `step[0].user`: no user with object id or userPrincipalName 'nobody'",
        ),
        (
            "bad-job.toml",
            SMALL.replace("seed = 3", "seed = 3\n[job]\nconcurency = 4"),
            ":5: field `job.concurency`: unknown field `concurency`",
        ),
    ];
    for (name, content, expected) in cases {
        let bad = write(tmp.path(), name, &content);
        let out_dir = tmp.path().join(format!("out-{name}"));
        let out = blinksim(&[
            "run",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{}{expected}", bad.display())),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("nothing was run"), "{stderr}");
        assert!(out.stdout.is_empty(), "{name}: ran something");
        assert!(!out_dir.exists(), "{name}: wrote output");
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn two_runs_write_byte_identical_out_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/blink-tutorial.toml");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let out = blinksim(&[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    }
    let (fa, fb) = (files(&a), files(&b));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "cycles.json",
            "logs-modified-properties.csv",
            "logs-steps.csv",
            "logs.csv",
            "logs.jsonl",
            "report.html",
            "status.json",
            "summary.json",
            "tenant.json",
            "trace.jsonl"
        ]
    );
    assert!(fa.iter().all(|(_, bytes)| !bytes.is_empty()));
    assert_eq!(fa, fb);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["job"]["linked"], 3);
}

#[test]
fn json_output_is_machine_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = SMALL.replace("tenant = { count = 1 }", "tenant = { count = 5 }");
    let file = write(tmp.path(), "small.toml", &broken);
    let out = blinksim(&["run", "--json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["failures"][0]["what"], "tenant users");
    assert_eq!(v["failures"][0]["expected"], "5");
    assert_eq!(v["failures"][0]["actual"], "1");
    assert_eq!(v["cycles"][0]["counts"]["created"], 1);
}

#[test]
fn a_generated_directory_can_be_included() {
    let tmp = tempfile::tempdir().unwrap();
    let gen_file = tmp.path().join("people.json");
    let out = blinksim(&[
        "gen",
        "directory",
        "--users",
        "50",
        "--seed",
        "4",
        "--default-access",
        "0",
        "--unassigned",
        "0",
        "--disabled",
        "0",
        "--out",
        gen_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let again = blinksim(&["gen", "directory", "--users", "50", "--seed", "4"]);
    let generated: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&gen_file).unwrap()).unwrap();
    assert_eq!(generated["users"].as_array().unwrap().len(), 50);
    let default_mix: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let upns = |v: &serde_json::Value| -> Vec<String> {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userPrincipalName"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        upns(&generated) == upns(&default_mix),
        "same seed, same people"
    );

    let scenario = write(
        tmp.path(),
        "included.toml",
        "name = \"included\"\n[directory]\ninclude = \"people.json\"\n[[step]]\ndo = \"cycle\"\n[[step]]\ndo = \"expect\"\ncycle = { created = 50, failed = 0 }\n",
    );
    let out = blinksim(&["run", scenario.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn expr_prints_the_value_or_the_error_with_its_position() {
    let out = blinksim(&[
        "expr",
        "Join(\" \", [givenName], ToUpper([surname]))",
        "--user",
        r#"{"givenName": "Ada", "surname": "Lovelace"}"#,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Ada LOVELACE\n");

    let out = blinksim(&["expr", "Join(\" \", [givenName]"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 1, column"), "{stderr}");
    assert!(stderr.contains('^'), "{stderr}");

    let out = blinksim(&["expr", "ToLower([userPrincipalName])", "--show-user"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("\"userPrincipalName\""));
}

/// A served tenant on a free port; killed on drop.
struct Served(std::process::Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve() -> Served {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinksim"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token", "remote-token"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn blinksim serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.strip_prefix("SCIM base URL  ").unwrap().to_string();
    std::thread::spawn(move || for _ in lines {});
    Served(child, base)
}

#[test]
fn a_scenario_runs_against_a_served_tenant_over_http() {
    let served = serve();
    let tmp = tempfile::tempdir().unwrap();
    let with_existing = SMALL.replace(
        "[[step]]\ndo = \"cycle\"",
        "[[tenant.users]]\nuserName = \"grace@contoso.example\"\n\n[[step]]\ndo = \"cycle\"",
    );
    let with_existing = with_existing.replace("tenant = { count = 1 }", "tenant = { count = 2 }");
    let file = write(tmp.path(), "remote.toml", &with_existing);
    let out = blinksim(&[
        "run",
        file.to_str().unwrap(),
        "--target",
        &served.1,
        "--token",
        "remote-token",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("created grace@contoso.example on the target"),
        "{stdout}"
    );

    // A wrong token: the cycle fails on 401 and the expectation says so.
    let out = blinksim(&[
        "run",
        file.to_str().unwrap(),
        "--target",
        &served.1,
        "--token",
        "wrong",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn a_typo_in_an_expected_name_exits_2_naming_file_line_and_the_allowed_values() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "kind.toml",
            "cycle = { kind = \"Inital\" }",
            ":30: field `step[1].cycle.kind`: unknown variant `Inital`, expected `Initial` or `Incremental`",
        ),
        (
            "quarantine.toml",
            "job = { quarantine = \"TooManyDeletez\" }",
            ":30: field `step[1].job.quarantine`: unknown quarantine reason `TooManyDeletez`, expected one of `EncounteredQuarantineException`, `TooManyDeletes`",
        ),
        (
            "cycle-word.toml",
            "logs = [{ user = \"u-1\", cycle = \"lats\" }]",
            ":30: field `step[1].logs[0].cycle`: unknown variant `lats`, expected one of `last`, `latest`, `on_demand`, `all`",
        ),
        (
            "skip-reason.toml",
            "logs = [{ user = \"u-1\", skip_reason = \"Redundant\" }]",
            ":30: field `step[1].logs[0].skip_reason`: unknown skip reason `Redundant`, expected one of `NotEffectivelyEntitled`",
        ),
    ];
    for (name, expectation, expected) in cases {
        let content = SMALL.replace("cycle = { created = 1, skipped = 1 }", expectation);
        let bad = write(tmp.path(), name, &content);
        let out = blinksim(&["run", bad.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{}{expected}", bad.display())),
            "{name}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}: ran something");
    }
}
