//! The report forms: JUnit parses as XML with one testcase per check; the HTML page lists
//! every check (and, when chromium is installed, renders it with each check in the DOM).

use blinksim::check::{CATALOG, CheckOptions, Report, Verdict, run};
use blinksim::tenant::MockTenant;
use blinksim::tenant::{Effect, FaultRule, Operation};

async fn report_with_a_failure() -> Report {
    let mock = MockTenant::start().await;
    mock.tenant().add_faults(vec![FaultRule {
        operation: vec![Operation::Get],
        ..FaultRule::new(Effect::WrongContentType)
    }]);
    let mut options = CheckOptions::new(&mock.uri(), mock.token());
    options.groups = true;
    let report = run(&options, false).await.expect("answers");
    mock.shutdown().await;
    report
}

#[tokio::test]
async fn junit_is_xml_with_one_testcase_per_check() {
    let report = report_with_a_failure().await;
    let xml = report.junit();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit parses as XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a testsuite");
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        cases.len(),
        CATALOG.len(),
        "every check, groups included (asked)"
    );
    assert_eq!(
        suite.attribute("tests"),
        Some(CATALOG.len().to_string().as_str())
    );
    let failures = report.count(Verdict::Fail);
    assert!(failures > 0);
    assert_eq!(
        suite.attribute("failures"),
        Some(failures.to_string().as_str())
    );
    let failed = cases
        .iter()
        .find(|c| c.attribute("name") == Some("content-type"))
        .expect("content-type testcase");
    let failure = failed
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert!(
        failure
            .attribute("message")
            .unwrap_or_default()
            .contains("text/html")
    );
    assert!(failure.text().unwrap_or_default().contains("RFC 7644 §3.1"));
}

#[tokio::test]
async fn html_lists_every_check_with_its_exchanges_and_no_external_resource() {
    let report = report_with_a_failure().await;
    let page = report.html();
    for def in CATALOG {
        assert!(
            page.contains(&format!("data-check=\"{}\"", def.name)),
            "{} listed",
            def.name
        );
    }
    assert!(page.contains("<details><summary>GET /scim/Users/"));
    for external in ["<link", "<script", "<img", "src=", "url("] {
        assert!(
            !page.contains(external),
            "self-contained, yet has {external}"
        );
    }
}

/// The page opens in headless Chromium with every check in the rendered DOM (`.ci/run` also
/// drives it through playwright-core: `.ci/check-report.mjs`).
#[tokio::test]
async fn html_opens_in_headless_chromium_with_every_check_listed() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!(
            "SKIPPED: no chromium on PATH (apt-get install chromium); the page was not opened"
        );
        return;
    };
    let report = report_with_a_failure().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.html");
    std::fs::write(&file, report.html()).expect("write");
    let profile = dir.path().join("profile");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && dom.contains("<table>"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for def in CATALOG {
        assert!(
            dom.contains(&format!("data-check=\"{}\"", def.name)),
            "{} in the DOM",
            def.name
        );
    }
    assert!(dom.contains("<td class=\"fail\">fail</td><td>content-type</td>"));
}

#[tokio::test]
async fn console_has_a_table_details_and_a_summary_line() {
    let report = report_with_a_failure().await;
    let text = report.console();
    assert!(
        text.lines()
            .next()
            .unwrap_or_default()
            .starts_with("RESULT CHECK")
    );
    assert!(text.contains("FAIL   content-type"));
    assert!(text.contains(
        "entra: Provisioning log: SystemForCrossDomainIdentityManagementServiceIncompatible"
    ));
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("{} checks:", CATALOG.len())),
        "{last}"
    );
    assert!(last.contains("failed"));
    let json: serde_json::Value = serde_json::from_str(&report.json()).expect("JSON");
    assert_eq!(
        json["results"].as_array().map(Vec::len),
        Some(CATALOG.len())
    );
}
