//! Every check can fail: each case runs checks against the embedded tenant with a fault rule
//! (or an option) that breaks exactly the behaviour it checks, and asserts the verdict and text.

use blinksim::HumanDuration;
use blinksim::check::{CheckOptions, Report, Verdict, run};
use blinksim::tenant::MockTenant;
use blinksim::tenant::{Effect, FaultRule, HeaderMatch, Operation};
use std::time::Duration;

fn status(code: u16) -> Effect {
    Effect::Status {
        status: code,
        retry_after: None,
        scim_type: None,
        detail: None,
    }
}

fn on(operation: Operation, effect: Effect) -> FaultRule {
    FaultRule {
        operation: vec![operation],
        ..FaultRule::new(effect)
    }
}

/// Runs `only` (names or tags) against a fresh tenant with `rules` installed.
async fn check_with(
    rules: Vec<FaultRule>,
    only: &[&str],
    tune: impl FnOnce(&mut CheckOptions),
) -> Report {
    let mock = MockTenant::start().await;
    mock.tenant().add_faults(rules);
    let mut options = CheckOptions::new(&mock.uri(), mock.token());
    options.only = only.iter().map(|s| s.to_string()).collect();
    tune(&mut options);
    let report = run(&options, false).await.expect("the tenant answers");
    mock.shutdown().await;
    report
}

struct Case {
    check: &'static str,
    rules: fn() -> Vec<FaultRule>,
    verdict: Verdict,
    text: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            check: "probe",
            rules: || {
                vec![FaultRule {
                    first: Some(1),
                    ..on(Operation::List, status(404))
                }]
            },
            verdict: Verdict::Fail,
            text: "expected HTTP 200, got 404",
        },
        Case {
            check: "probe",
            rules: || vec![on(Operation::List, Effect::EmptyOk)],
            verdict: Verdict::Fail,
            text: "not a JSON object",
        },
        Case {
            check: "auth-wrong-token",
            rules: || {
                vec![FaultRule {
                    header: Some(HeaderMatch {
                        name: "authorization".into(),
                        value: Some("Bearer blinksim-check-wrong-token".into()),
                    }),
                    ..FaultRule::new(status(403))
                }]
            },
            verdict: Verdict::Warn,
            text: "expected HTTP 401, got 403",
        },
        Case {
            check: "auth-missing-token",
            rules: || {
                vec![FaultRule {
                    first: Some(1),
                    ..on(Operation::List, status(500))
                }]
            },
            verdict: Verdict::Warn,
            text: "expected HTTP 401, got 500",
        },
        Case {
            check: "discovery-service-provider-config",
            rules: || {
                vec![FaultRule {
                    path: Some("*/ServiceProviderConfig".into()),
                    ..FaultRule::new(status(500))
                }]
            },
            verdict: Verdict::Fail,
            text: "expected HTTP 200, got 500",
        },
        Case {
            check: "discovery-schemas",
            rules: || {
                vec![FaultRule {
                    path: Some("*/Schemas".into()),
                    ..FaultRule::new(Effect::MalformedJson)
                }]
            },
            verdict: Verdict::Fail,
            text: "not a JSON object",
        },
        Case {
            check: "discovery-resource-types",
            rules: || {
                vec![FaultRule {
                    path: Some("*/ResourceTypes".into()),
                    after: Some(1),
                    ..FaultRule::new(status(404))
                }]
            },
            verdict: Verdict::Fail,
            text: "expected HTTP 200, got 404",
        },
        Case {
            check: "create-user",
            rules: || vec![on(Operation::Create, Effect::EmptyOk)],
            verdict: Verdict::Fail,
            text: "expected HTTP 201, got 200",
        },
        Case {
            check: "content-type",
            rules: || vec![on(Operation::Get, Effect::WrongContentType)],
            verdict: Verdict::Fail,
            text: "is not a JSON media type",
        },
        Case {
            check: "filter-username-case-insensitive",
            rules: || {
                vec![FaultRule {
                    filter: Some("userName eq".into()),
                    ..on(Operation::List, Effect::DuplicateMatch)
                }]
            },
            verdict: Verdict::Fail,
            text: "returned 2 users",
        },
        Case {
            check: "filter-externalid",
            rules: || {
                vec![FaultRule {
                    filter: Some("externalId eq".into()),
                    ..on(Operation::List, status(400))
                }]
            },
            verdict: Verdict::Fail,
            text: "expected HTTP 200, got 400",
        },
        Case {
            check: "get-user-by-id",
            rules: || vec![on(Operation::Get, Effect::MalformedJson)],
            verdict: Verdict::Fail,
            text: "not a JSON object",
        },
        Case {
            check: "duplicate-create-409",
            rules: || {
                vec![FaultRule {
                    after: Some(1),
                    ..on(Operation::Create, status(500))
                }]
            },
            verdict: Verdict::Fail,
            text: "expected HTTP 409, got 500",
        },
        Case {
            check: "update-single-valued-current",
            rules: || vec![on(Operation::Patch, status(400))],
            verdict: Verdict::Fail,
            text: "expected HTTP 200 or 204, got 400",
        },
        Case {
            check: "update-single-valued-legacy",
            rules: || vec![on(Operation::Patch, status(400))],
            verdict: Verdict::Fail,
            text: "expected HTTP 200 or 204, got 400",
        },
        Case {
            check: "update-work-email-current",
            rules: || vec![on(Operation::Patch, Effect::EmptyOk)],
            verdict: Verdict::Fail,
            text: "not a JSON object",
        },
        Case {
            check: "update-work-email-legacy",
            rules: || vec![on(Operation::Patch, status(422))],
            verdict: Verdict::Fail,
            text: "got 422",
        },
        Case {
            check: "update-pathless-replace-current",
            rules: || vec![on(Operation::Patch, status(400))],
            verdict: Verdict::Fail,
            text: "got 400",
        },
        Case {
            check: "patch-answer",
            rules: || vec![on(Operation::Patch, Effect::EmptyOk)],
            verdict: Verdict::Fail,
            text: "HTTP 200 with a body that is not a JSON object",
        },
        Case {
            check: "disable-enable-current",
            rules: || vec![on(Operation::Patch, status(500))],
            verdict: Verdict::Fail,
            text: "got 500",
        },
        Case {
            check: "disable-enable-legacy",
            rules: || vec![on(Operation::Patch, status(400))],
            verdict: Verdict::Fail,
            text: "got 400",
        },
        Case {
            check: "manager-set-remove-current",
            rules: || vec![on(Operation::Patch, status(400))],
            verdict: Verdict::Fail,
            text: "got 400",
        },
        Case {
            check: "manager-set-remove-legacy",
            rules: || {
                vec![FaultRule {
                    after: Some(1),
                    ..on(Operation::Patch, status(400))
                }]
            },
            verdict: Verdict::Fail,
            text: "got 400",
        },
        Case {
            check: "noop-patch",
            rules: || vec![on(Operation::Patch, status(500))],
            verdict: Verdict::Fail,
            text: "got 500",
        },
        Case {
            check: "delete-then-404",
            rules: || vec![on(Operation::Delete, status(405))],
            verdict: Verdict::Fail,
            text: "expected HTTP 204 or 200, got 405",
        },
        Case {
            check: "pagination",
            rules: || vec![on(Operation::List, Effect::MalformedJson)],
            verdict: Verdict::Fail,
            text: "not a JSON object",
        },
        Case {
            check: "attributes-excluded-attributes",
            rules: || vec![on(Operation::Get, status(400))],
            verdict: Verdict::Fail,
            text: "got 400",
        },
        Case {
            check: "error-body",
            rules: || vec![on(Operation::Get, Effect::EmptyOk)],
            verdict: Verdict::Fail,
            text: "expected HTTP 404, got 200",
        },
        Case {
            check: "response-time",
            rules: || {
                vec![FaultRule::new(Effect::RateLimit {
                    per_second: 5.0,
                    burst: 1,
                    retry_after: None,
                })]
            },
            verdict: Verdict::Fail,
            text: "not answered 200",
        },
        Case {
            check: "lifecycle",
            rules: || vec![on(Operation::Create, status(500))],
            verdict: Verdict::Fail,
            text: "failures in initial cycle",
        },
    ]
}

#[tokio::test]
async fn every_check_fails_when_its_behaviour_breaks() {
    let mut wrong = Vec::new();
    for case in cases() {
        // Checks after create-user need its user; create-user itself is then judged too.
        let only = ["create-user", case.check];
        let report = check_with((case.rules)(), &only, |_| {}).await;
        let Some(result) = report.result(case.check) else {
            wrong.push(format!("{} did not run", case.check));
            continue;
        };
        let as_expected = result.verdict == case.verdict
            && result.message.contains(case.text)
            && !result.entra.is_empty()
            && !result.exchanges.is_empty();
        if !as_expected {
            wrong.push(format!(
                "{}: {:?} {:?} / {:?}",
                case.check, result.verdict, result.message, result.entra
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn every_check_passes_against_the_embedded_tenant_and_cleans_up() {
    let mock = MockTenant::start().await;
    let options = CheckOptions::new(&mock.uri(), mock.token());
    let report = run(&options, false).await.expect("the tenant answers");
    let failed: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.verdict != Verdict::Pass)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(report.results.len(), 29);
    assert!(report.left_behind.is_empty());
    assert_eq!(
        mock.tenant().len(),
        0,
        "every object the checks created is deleted"
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn a_slow_answer_fails_response_time() {
    let latency = Effect::Latency {
        fixed: Some(HumanDuration(Duration::from_millis(300))),
        min: None,
        max: None,
        median: None,
        sigma: None,
    };
    let rules = vec![FaultRule {
        path: Some("*/ResourceTypes".into()),
        ..FaultRule::new(latency)
    }];
    let report = check_with(rules, &["response-time"], |o| {
        o.answer_limit = Duration::from_millis(100)
    })
    .await;
    let result = report.result("response-time").expect("ran");
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(
        result.message.contains("GET /scim/ResourceTypes took"),
        "{}",
        result.message
    );
    assert!(result.entra.contains("Timeout"), "{}", result.entra);
}

#[tokio::test]
async fn groups_run_when_asked_and_fail_on_a_server_without_them() {
    let report = check_with(Vec::new(), &["groups"], |o| o.groups = true).await;
    for name in ["groups-current", "groups-legacy"] {
        let result = report.result(name).expect("ran");
        assert_eq!(result.verdict, Verdict::Fail);
        assert!(
            result.message.contains("expected HTTP 201, got 404"),
            "{}",
            result.message
        );
    }
    let without = check_with(Vec::new(), &["groups"], |_| {}).await;
    assert!(
        without.results.is_empty(),
        "not advertised, not asked: not run"
    );
}

#[tokio::test]
async fn keep_leaves_the_objects_and_says_so() {
    let mock = MockTenant::start().await;
    let mut options = CheckOptions::new(&mock.uri(), mock.token());
    options.only = vec!["create-user".into()];
    options.keep = true;
    let report = run(&options, false).await.expect("answers");
    assert_eq!(report.left_behind.len(), 1);
    let users = mock.tenant().users();
    let name = users[0]["userName"].as_str().unwrap_or_default();
    assert!(name.starts_with("bscheck-"), "{name}");
    mock.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_target_or_a_remote_url_is_an_error() {
    let options = CheckOptions::new("http://127.0.0.1:9/scim", "t");
    assert!(matches!(
        run(&options, false).await,
        Err(blinksim::check::CheckError::Unreachable { .. })
    ));
    let options = CheckOptions::new("http://example.com/scim", "t");
    assert!(matches!(
        run(&options, false).await,
        Err(blinksim::check::CheckError::Remote(_))
    ));
    let options = CheckOptions::new("https://127.0.0.1/scim", "t");
    assert!(matches!(
        run(&options, false).await,
        Err(blinksim::check::CheckError::BadUrl(_))
    ));
}
