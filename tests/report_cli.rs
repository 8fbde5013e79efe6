//! Issue 16: `run --html`, `report.html` in `--out` folders and `load --html`, through the binary.

use std::path::Path;

mod cli;
use cli::blinksim;

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn run_html_writes_a_page_per_scenario_and_out_folders_get_one() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one.html");
    let out = blinksim(&[
        "run",
        &scenario("blink-tutorial.toml"),
        "--html",
        one.to_str().unwrap(),
        "--out",
        tmp.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(&one).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg class=\"timeline\""));
    assert!(page.contains("id=\"log-data\""));
    let in_out = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert_eq!(page, in_out, "the same page, byte for byte");

    let many = tmp.path().join("many.html");
    let out = blinksim(&[
        "run",
        &scenario("blink-tutorial.toml"),
        &scenario("hard-delete.toml"),
        "--html",
        many.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(tmp.path().join("many-blink-tutorial.html").is_file());
    assert!(tmp.path().join("many-hard-delete.html").is_file());
}

#[test]
fn load_html_writes_the_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("load.html");
    let out = blinksim(&[
        "load",
        "--users",
        "200",
        "--incremental",
        "1",
        "--html",
        page.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.contains("Users per second, per cycle"));
    assert!(page.contains("cycle 2 (Incremental)"));
    assert_eq!(page.matches("<svg").count(), 2);
}
