//! Scenario work is bounded (issue 15, D5): validation rejects cycles, clock advances and
//! generated directories past their limits with exit 2 naming the file, line, field and limit;
//! `run --max-duration` stops a run that takes too long with exit 1.

use std::time::{Duration, Instant};

mod cli;
use cli::{blinksim, write};

const HEAD: &str = r#"name = "bounded"

[[directory.users]]
objectId = "u-1"
userPrincipalName = "ada@contoso.example"
givenName = "Ada"
surname = "Lovelace"

[[directory.assignments]]
user = "u-1"
"#;

/// Runs a scenario that must be rejected before anything runs; returns stderr.
fn rejected(name: &str, body: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), name, &format!("{HEAD}{body}"));
    let started = Instant::now();
    let out = blinksim(&["run", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "validation must not do the work"
    );
    assert!(stderr.contains(name), "names the file: {stderr}");
    assert!(stderr.contains("nothing was run"), "{stderr}");
    stderr
}

#[test]
fn a_huge_cycles_count_is_rejected_naming_the_limit() {
    let e = rejected(
        "cycles.toml",
        "\n[[step]]\ndo = \"cycle\"\n\n[[step]]\ndo = \"cycles\"\ncount = 4294967295\n",
    );
    assert!(e.contains(":15: field `step[1].count`"), "{e}");
    assert!(e.contains("4294967295 cycles"), "{e}");
    assert!(e.contains("limit of 10000 cycles per step"), "{e}");
}

#[test]
fn a_huge_advance_is_rejected_by_the_cycles_it_implies() {
    let e = rejected(
        "advance.toml",
        "\n[[step]]\ndo = \"advance\"\nby = \"1000000d\"\n",
    );
    assert!(e.contains(":12: field `step[0].by`"), "{e}");
    assert!(
        e.contains("runs up to 36000001 cycles (one every 40m)"),
        "{e}"
    );
    assert!(e.contains("limit of 10000 cycles per step"), "{e}");
}

#[test]
fn many_steps_within_the_step_limit_are_bounded_in_total() {
    let step = "\n[[step]]\ndo = \"cycles\"\ncount = 9000\n";
    let e = rejected("total.toml", &step.repeat(3));
    assert!(e.contains("field `step[2].count`"), "{e}");
    assert!(e.contains("reaches 27000 cycles"), "{e}");
    assert!(e.contains("limit of 20000 cycles per scenario"), "{e}");
}

#[test]
fn a_huge_generated_directory_is_rejected_before_it_is_built() {
    let e = rejected(
        "generate.toml",
        "\n[directory.generate]\nusers = 1000000\nseed = 1\n",
    );
    assert!(e.contains("field `directory.generate.users`"), "{e}");
    assert!(e.contains("limit of 100000 generated users"), "{e}");
}

#[test]
fn a_huge_generated_directory_in_an_included_file_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "big.json",
        r#"{"generate": {"users": 1000000, "seed": 1}}"#,
    );
    let file = write(
        tmp.path(),
        "include.toml",
        "name = \"inc\"\n[directory]\ninclude = \"big.json\"\n",
    );
    let out = blinksim(&["run", file.to_str().unwrap()]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("field `directory.include.generate.users`"),
        "{e}"
    );
    assert!(e.contains("limit of 100000 generated users"), "{e}");
}

#[test]
fn a_huge_prefill_is_rejected() {
    let e = rejected("prefill.toml", "\n[tenant]\nprefill = 1000000\n");
    assert!(e.contains("field `tenant.prefill`"), "{e}");
    assert!(e.contains("limit of 100000 generated users"), "{e}");
}

#[test]
fn a_run_past_max_duration_stops_with_exit_1_saying_so() {
    let tmp = tempfile::tempdir().unwrap();
    // Within every limit, yet far longer than 200 ms in a debug build.
    let body = "\n[directory.generate]\nusers = 20000\nseed = 1\n\n[[step]]\ndo = \"cycles\"\ncount = 50\n";
    let file = write(tmp.path(), "slow.toml", &format!("{HEAD}{body}"));
    let started = Instant::now();
    let out = blinksim(&["run", file.to_str().unwrap(), "--max-duration", "200ms"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stopped after --max-duration 200ms"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30), "it stopped");
}
