//! Every check can fail: each case runs checks against the embedded tenant broken by a fault
//! rule, a tenant option, or a proxy with one quirk, each breaking exactly the behaviour the
//! check checks, and asserts the verdict and text.

mod check_quirks;

use blinksim::HumanDuration;
use blinksim::check::{CATALOG, CheckOptions, Profile, Report, Verdict, run};
use blinksim::tenant::{Effect, FaultRule, HeaderMatch, MockTenant, Operation, TenantOptions};
use check_quirks::{Proxy, Quirk};
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

/// What breaks the behaviour a check checks.
enum Break {
    /// Fault rules on the embedded tenant.
    Rules(fn() -> Vec<FaultRule>),
    /// A tenant option (`[tenant]` keys).
    Tenant(&'static str),
    /// A proxy with this quirk in front of the embedded tenant.
    Quirk(Quirk),
}

struct Case {
    check: &'static str,
    breaks: Break,
    verdict: Verdict,
    text: &'static str,
}

const fn case(check: &'static str, breaks: Break, verdict: Verdict, text: &'static str) -> Case {
    Case {
        check,
        breaks,
        verdict,
        text,
    }
}

use Break::{Quirk as Q, Rules, Tenant};
use Verdict::{Fail, Warn};

/// Every check, each with what breaks exactly its behaviour (some with more than one way).
const CASES: &[Case] = &[
    case(
        "probe",
        Q(Quirk::IgnoresFilter),
        Fail,
        "a random GUID matched 3 users",
    ),
    case(
        "probe",
        Rules(|| vec![first(on(Operation::List, status(404)))]),
        Fail,
        "expected HTTP 200, got 404",
    ),
    case(
        "probe",
        Rules(|| vec![on(Operation::List, Effect::EmptyOk)]),
        Fail,
        "not a JSON object",
    ),
    case(
        "auth-missing-token",
        Q(Quirk::OpenEndpoint),
        Fail,
        "the endpoint is open",
    ),
    case(
        "auth-missing-token",
        Rules(|| vec![first(on(Operation::List, status(500)))]),
        Warn,
        "expected HTTP 401, got 500",
    ),
    case(
        "auth-wrong-token",
        Q(Quirk::OpenEndpoint),
        Fail,
        "the endpoint is open",
    ),
    case(
        "auth-wrong-token",
        Rules(|| {
            vec![FaultRule {
                header: Some(wrong_token()),
                ..FaultRule::new(status(403))
            }]
        }),
        Warn,
        "expected HTTP 401, got 403",
    ),
    case(
        "discovery-service-provider-config",
        Q(Quirk::PatchUnsupported),
        Fail,
        "patch.supported Some(false)",
    ),
    case(
        "discovery-schemas",
        Q(Quirk::NoBlinkSchema),
        Fail,
        "/Schemas does not declare: urn:ietf:params:scim:schemas:extension:blink:2.0:User:",
    ),
    case(
        "discovery-resource-types",
        Q(Quirk::NoUserType),
        Fail,
        "lists no User type with endpoint /Users",
    ),
    case(
        "create-user",
        Q(Quirk::CreateNoContent),
        Fail,
        "expected HTTP 201, got 204",
    ),
    case(
        "create-user",
        Q(Quirk::NoLocation),
        Warn,
        "201 without a Location header",
    ),
    case(
        "content-type",
        Rules(|| vec![on(Operation::Get, Effect::WrongContentType)]),
        Fail,
        "'text/html; charset=utf-8' is not a JSON media type",
    ),
    case(
        "filter-username-case-insensitive",
        Q(Quirk::CaseSensitiveUserName),
        Fail,
        "userName eq (upper-cased) found nothing",
    ),
    case(
        "filter-username-case-insensitive",
        Rules(|| {
            vec![FaultRule {
                filter: Some("userName eq".into()),
                ..on(Operation::List, Effect::DuplicateMatch)
            }]
        }),
        Fail,
        "returned 2 users",
    ),
    case(
        "filter-externalid",
        Q(Quirk::NoExternalIdFilter),
        Fail,
        "expected HTTP 200, got 400",
    ),
    case(
        "get-user-by-id",
        Q(Quirk::WrongIdOnGet),
        Fail,
        "answered id Some(String(\"someone-else\"))",
    ),
    case(
        "duplicate-create-409",
        Q(Quirk::DuplicateIs400),
        Fail,
        "expected HTTP 409, got 400",
    ),
    case(
        "duplicate-create-409",
        Q(Quirk::DuplicatePlainBody),
        Fail,
        "HTTP 409 without a SCIM error body",
    ),
    case(
        "update-single-valued-current",
        Q(Quirk::IgnoresPatch),
        Fail,
        "after the PATCH, title reads Some(String(\"Tester\")), expected \"Title Current\"",
    ),
    case(
        "update-single-valued-legacy",
        Q(Quirk::RefusesLegacy),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "update-work-email-current",
        Tenant(r#"{"filter_no_match": "no_target"}"#),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "update-work-email-legacy",
        Tenant(r#"{"filter_no_match": "no_target"}"#),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "update-pathless-replace-current",
        Q(Quirk::RequiresPath),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "patch-answer",
        Q(Quirk::PatchEmptyOk),
        Fail,
        "HTTP 200 with a body that is not a JSON object",
    ),
    case(
        "disable-enable-current",
        Q(Quirk::AlwaysActive),
        Fail,
        "after the PATCH active reads Some(Bool(true)), expected the boolean false",
    ),
    case(
        "disable-enable-legacy",
        Q(Quirk::RefusesStringBooleans),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "manager-set-remove-current",
        Q(Quirk::DropsManager),
        Fail,
        "manager reads None, expected",
    ),
    case(
        "manager-set-remove-legacy",
        Q(Quirk::KeepsManager),
        Fail,
        "manager reads Some(String(",
    ),
    case(
        "noop-patch",
        Q(Quirk::RefusesNoopPatch),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "delete-then-404",
        Q(Quirk::SoftDelete),
        Fail,
        "after DELETE, GET: expected HTTP 404, got 200",
    ),
    case(
        "delete-then-404",
        Rules(|| vec![on(Operation::Delete, status(405))]),
        Fail,
        "expected HTTP 204 or 200, got 405",
    ),
    case(
        "pagination",
        Q(Quirk::IgnoresPaging),
        Fail,
        "startIndex=2&count=2 answered totalResults 6, 6 resources, startIndex Some(1)",
    ),
    case(
        "attributes-excluded-attributes",
        Q(Quirk::IgnoresAttributes),
        Fail,
        "attributes=userName kept other attributes or lost id/userName: true",
    ),
    case(
        "error-body",
        Q(Quirk::PlainErrors),
        Fail,
        "HTTP 404 without a SCIM error body",
    ),
    case(
        "response-time",
        Rules(|| {
            vec![FaultRule::new(Effect::RateLimit {
                per_second: 5.0,
                burst: 1,
                retry_after: None,
            })]
        }),
        Fail,
        "not answered 200",
    ),
    case(
        "groups-current",
        Q(Quirk::KeepsGroupMember),
        Fail,
        "after the PATCH the group's members are [",
    ),
    case(
        "groups-current",
        Q(Quirk::IgnoresAttributes),
        Fail,
        "answered 1 groups (members shown: true)",
    ),
    case(
        "groups-legacy",
        Q(Quirk::RefusesLegacy),
        Fail,
        "expected HTTP 200 or 204, got 400",
    ),
    case(
        "lifecycle",
        Rules(|| vec![on(Operation::Create, status(500))]),
        Fail,
        "failures in initial cycle",
    ),
];

fn first(rule: FaultRule) -> FaultRule {
    FaultRule {
        first: Some(1),
        ..rule
    }
}

fn wrong_token() -> HeaderMatch {
    HeaderMatch {
        name: "authorization".into(),
        value: Some("Bearer blinksim-check-wrong-token".into()),
    }
}

/// Runs `only` against a tenant (groups on) broken as `breaks` says (three prefilled users).
async fn broken(breaks: &Break, only: &[&str]) -> Report {
    let mut options: TenantOptions = match breaks {
        Tenant(json) => serde_json::from_str(json).expect("tenant options"),
        _ => TenantOptions::default(),
    };
    options.groups = true;
    let mock = MockTenant::builder()
        .options(options)
        .users(3)
        .start()
        .await;
    if let Rules(rules) = breaks {
        mock.tenant().add_faults(rules());
    }
    let proxy = match breaks {
        Q(quirk) => Some(Proxy::start(&mock, *quirk).await),
        _ => None,
    };
    let url = proxy.as_ref().map_or(mock.uri(), |p| p.url.clone());
    let mut options = CheckOptions::new(&url, mock.token());
    options.only = only.iter().map(|s| s.to_string()).collect();
    let report = run(&options, false).await.expect("the tenant answers");
    drop(proxy);
    mock.shutdown().await;
    report
}

#[tokio::test]
async fn every_check_fails_when_its_behaviour_breaks() {
    let mut wrong = Vec::new();
    for case in CASES {
        // Checks after create-user need its user; create-user itself is then judged too.
        let report = broken(&case.breaks, &["create-user", case.check]).await;
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

#[test]
fn every_check_has_a_case_that_breaks_it() {
    let missing: Vec<&str> = CATALOG
        .iter()
        .map(|d| d.name)
        .filter(|n| !CASES.iter().any(|c| c.check == *n))
        .collect();
    assert!(missing.is_empty(), "no breaking case for {missing:?}");
}

/// Every check passes against the embedded tenant in `tenant` (a `[tenant]` table as JSON)
/// with the check's `profile`, touches none of the prefilled users and groups, and leaves
/// nothing behind. Returns how many checks ran.
async fn all_pass(tenant: &str, profile: Profile) -> usize {
    let options: TenantOptions = serde_json::from_str(tenant).expect("tenant options");
    let groups = options.groups;
    let mock = MockTenant::builder()
        .options(options)
        .users(5)
        .start()
        .await;
    if groups {
        mock.tenant().prefill_groups(2, 7);
    }
    let (users, groups) = (mock.tenant().users(), mock.tenant().groups());
    let mut options = CheckOptions::new(&mock.uri(), mock.token());
    options.profile = profile;
    let report = run(&options, false).await.expect("the tenant answers");
    let failed: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.verdict != Verdict::Pass)
        .collect();
    assert!(failed.is_empty(), "{tenant}: {failed:#?}");
    assert!(report.left_behind.is_empty());
    assert_eq!(mock.tenant().users(), users, "{tenant}: users as they were");
    assert_eq!(
        mock.tenant().groups(),
        groups,
        "{tenant}: groups as they were"
    );
    mock.shutdown().await;
    report.results.len()
}

#[tokio::test]
async fn every_check_passes_against_the_embedded_tenant_and_cleans_up() {
    assert_eq!(all_pass("{}", Profile::Blink).await, 29, "no groups");
    assert_eq!(
        all_pass(r#"{"groups": true}"#, Profile::Blink).await,
        31,
        "groups advertised"
    );
    let generic = r#"{"groups": true, "unique_work_email": false, "patch_response": "no_content"}"#;
    assert_eq!(all_pass(generic, Profile::Generic).await, 31, "generic");
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

#[tokio::test]
async fn only_a_tag_runs_create_user_when_its_checks_need_the_user() {
    let report = check_with(Vec::new(), &["manager"], |_| {}).await;
    let names: Vec<&str> = report.results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "create-user",
            "manager-set-remove-current",
            "manager-set-remove-legacy"
        ]
    );
    assert_eq!(report.count(Verdict::Pass), 3, "{report:#?}");
    let alone = check_with(Vec::new(), &["discovery"], |_| {}).await;
    assert!(
        alone.result("create-user").is_none(),
        "no user check, no user"
    );
}
