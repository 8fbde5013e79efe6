//! Throttling, server errors, escrow, quarantine, the deletion threshold and lost responses.

use super::*;

#[tokio::test]
async fn throttling_honours_retry_after_then_escrows() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.fault(
        FaultRule::status(429)
            .retry_after(2)
            .on(Operation::Create)
            .first(2),
    );
    let s = w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Create, Success)]
    );
    assert_eq!(
        w.requests("1"),
        [
            "GET /scim/Users?filter=userName+eq+%22ada%40contoso.example%22",
            "POST /scim/Users",
            "POST /scim/Users",
            "POST /scim/Users"
        ]
    );
    let waits: Vec<u64> = w
        .job
        .trace()
        .iter()
        .filter(|t| t.entry.method == "POST")
        .map(|t| t.entry.waited_ms)
        .collect();
    assert_eq!(
        waits,
        [0, 2000, 2000],
        "Retry-After: 2 honoured, in simulated time"
    );
    assert!(s.simulated_duration_ms >= 4000);
    // Throttled beyond the retries: TooManyRequests, escrowed.
    w.assigned("u2", "bob@contoso.example");
    w.tenant.clear_faults();
    w.fault(FaultRule::status(429).retry_after(1).on(Operation::Create));
    w.next_cycle().await;
    assert_eq!(
        w.entry("bob@contoso.example").error_code(),
        Some(FailureCode::TooManyRequests)
    );
    assert_eq!(w.job.escrows()["u2"].failures, 1);
}

#[tokio::test]
async fn server_errors_are_escrowed_and_retried_on_schedule() {
    // In-cycle retries turned on (off by default, rulings.md R3).
    let mut config = JobConfig::default();
    config.retry.max_transient_retries = 2;
    let mut w = World::with(config, TenantOptions::default());
    w.assigned("u1", "ada@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create));
    w.cycle().await;
    let e = w.entry("ada@contoso.example");
    assert_eq!(
        (e.status(), e.error_code()),
        (Failure, Some(FailureCode::InternalServerError))
    );
    assert!(
        e.provisioning_status_info
            .error_information
            .as_ref()
            .unwrap()
            .reason
            .contains("It will be retried again after this date")
    );
    assert_eq!(
        w.requests("1")
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count(),
        3,
        "two in-cycle retries"
    );
    // Retried in the next cycle although nothing changed...
    let first = w.job.escrows()["u1"].first_failure;
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Create, Failure)]
    );
    assert_eq!(
        w.job.escrows()["u1"].next_retry,
        first + 6 * 60 * MINUTE,
        "then 6 hours after the first failure"
    );
    // ...then not before 6 hours: cycles in between do not touch it.
    w.next_cycle().await;
    assert!(w.outcomes().is_empty());
    w.tenant.clear_faults();
    w.clock.advance_to(first + 6 * 60 * MINUTE);
    w.job
        .run_until(&w.dir, first + 6 * 60 * MINUTE + 40 * MINUTE)
        .await;
    assert!(
        w.job
            .logs()
            .iter()
            .rev()
            .any(|e| e.source_identity.id == "u1"
                && e.provisioning_action == Create
                && e.status() == Success)
    );
    assert!(w.job.escrows().is_empty());
}

#[tokio::test]
async fn invalid_credentials_quarantine_then_recover() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.job.set_secret_token("revoked");
    let s = w.cycle().await;
    assert_eq!(
        (s.state.as_str(), s.job_status.as_str(), s.quarantine),
        (
            "Failed",
            "Quarantine",
            Some(QuarantineReason::EncounteredQuarantineException)
        )
    );
    assert!(
        s.error
            .unwrap()
            .contains("You appear to have entered invalid credentials")
    );
    assert_eq!(
        w.job.next_cycle_at(),
        T0 + 80 * MINUTE,
        "quarantined jobs slow down gradually: 80 minutes after the first quarantined cycle"
    );
    assert!(w.tenant.is_empty());
    let mut gaps = Vec::new();
    for _ in 0..6 {
        let before = w.job.next_cycle_at();
        w.next_cycle().await;
        gaps.push((w.job.next_cycle_at() - before) / MINUTE);
    }
    assert_eq!(gaps, [160, 320, 640, 1280, 1440, 1440], "then once a day");
    w.job.set_secret_token(&w.tenant.options().token.clone());
    let s = w.next_cycle().await;
    assert_eq!((s.job_status.as_str(), s.counts.created), ("Active", 1));
    // A 401 during export is logged, not quarantined at once.
    w.assigned("u2", "bob@contoso.example");
    w.fault(FaultRule::status(401).on(Operation::Create).first(1));
    w.next_cycle().await;
    assert_eq!(
        w.entry("bob@contoso.example").error_code(),
        Some(FailureCode::Unauthorized)
    );
}

#[tokio::test]
async fn four_weeks_in_quarantine_disable_the_job() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.job.set_secret_token("revoked");
    for _ in 0..40 {
        if w.job.status() == JobStatus::Disabled {
            break;
        }
        w.next_cycle().await;
    }
    assert_eq!(w.job.status(), JobStatus::Disabled);
    assert!(w.job.run_cycle(&w.dir).await.is_err());
    w.job.restart(&[]);
    assert_eq!(w.job.status(), JobStatus::Active);
}

#[tokio::test]
async fn failure_thresholds_quarantine() {
    let thresholds = QuarantineThresholds {
        min_failures: 3,
        ..QuarantineThresholds::default()
    };
    let mut w = World::with(
        JobConfig {
            quarantine: thresholds,
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    for i in 0..5 {
        w.assigned(&format!("u{i}"), &format!("user{i}@contoso.example"));
    }
    w.fault(FaultRule::status(400).on(Operation::Create));
    let s = w.cycle().await;
    assert_eq!(
        (s.counts.failed, s.quarantine),
        (
            5,
            Some(QuarantineReason::EncounteredEscrowProportionThreshold)
        )
    );
    assert_eq!(
        w.entry("user0@contoso.example").error_code(),
        Some(FailureCode::SystemForCrossDomainIdentityManagementBadRequest)
    );
}

#[tokio::test]
async fn accidental_deletions_are_staged_until_allowed() {
    let config = JobConfig {
        accidental_deletions: blinksim::engine::AccidentalDeletions {
            enabled: true,
            threshold: 2,
        },
        ..JobConfig::default()
    };
    let mut w = World::with(config, TenantOptions::default());
    for i in 0..4 {
        w.assigned(&format!("u{i}"), &format!("user{i}@contoso.example"));
    }
    w.cycle().await;
    for i in 0..3 {
        w.dir.unassign(&format!("u{i}"), false).unwrap();
    }
    let s = w.next_cycle().await;
    assert_eq!(
        (s.counts.staged_deletes, s.quarantine),
        (3, Some(QuarantineReason::TooManyDeletes))
    );
    assert!(
        w.outcomes()
            .iter()
            .all(|(_, a, st)| *a == StagedDelete && *st == Skipped)
    );
    assert!(w.requests("2").is_empty(), "nothing exported");
    assert_eq!(w.target("user0@contoso.example")["active"], true);
    // Still staged a day later.
    let s = w.next_cycle().await;
    assert_eq!(s.counts.staged_deletes, 3);
    w.job.allow_deletes();
    let s = w.cycle().await;
    assert_eq!((s.counts.disabled, s.job_status.as_str()), (3, "Active"));
    assert_eq!(w.target("user0@contoso.example")["active"], false);
    assert!(w.job.staged_deletes().is_empty());
}

#[tokio::test]
async fn a_lost_create_response_then_409_is_resolved_by_matching() {
    // With in-cycle retries turned on (rulings.md R3 keeps them as a setting).
    let mut config = JobConfig::default();
    config.retry.max_transient_retries = 2;
    let mut w = World::with(config, TenantOptions::default());
    w.assigned("u1", "ada@contoso.example");
    w.fault(
        FaultRule::new(Effect::Lost { then: LostAs::Drop })
            .on(Operation::Create)
            .first(1),
    );
    w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Create, Success)]
    );
    let outcomes: Vec<String> = w
        .job
        .trace()
        .iter()
        .filter(|t| t.cycle == "1" && t.object != "(test connection)")
        .map(|t| format!("{} {}", t.entry.method, t.entry.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            "GET 200",
            "POST no response: the connection was closed before a complete response",
            "POST 409",
            "GET 200"
        ]
    );
    assert_eq!(
        w.job.links()["u1"].target_id,
        w.id_of("ada@contoso.example")
    );
    assert_eq!(w.tenant.len(), 1);
    // A genuine conflict (no lost attempt) is EntryConflict.
    w.tenant.insert_user(json!({"userName": "other@contoso.example", "emails": [{"type": "work", "value": "bob@contoso.example"}]})).unwrap();
    w.assigned("u2", "bob@contoso.example");
    w.next_cycle().await;
    let e = w.entry("bob@contoso.example");
    assert_eq!(e.error_code(), Some(FailureCode::EntryConflict));
    assert!(
        e.provisioning_status_info
            .error_information
            .as_ref()
            .unwrap()
            .reason
            .contains("already exisits with the same name")
    );
}

#[tokio::test]
async fn a_target_answering_204_to_patch() {
    let options = TenantOptions {
        patch_response: blinksim::tenant::PatchResponse::NoContent,
        ..TenantOptions::default()
    };
    let mut w = World::with(JobConfig::default(), options);
    w.assigned("u1", "ada@contoso.example");
    w.cycle().await;
    w.dir
        .set_attribute("u1", "jobTitle", Some("Lead".into()))
        .unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Update, Success)]
    );
    assert_eq!(w.target("ada@contoso.example")["title"], "Lead");
}

#[tokio::test]
async fn latency_faults_are_simulated_time() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.fault(
        FaultRule::new(Effect::Latency {
            fixed: Some(HumanDuration::from_millis(5000)),
            min: None,
            max: None,
            median: None,
            sigma: None,
        })
        .on(Operation::Create),
    );
    let started = std::time::Instant::now();
    let s = w.cycle().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "not waited for in-process"
    );
    assert!(s.simulated_duration_ms >= 5000);
    assert!(w.entry("ada@contoso.example").duration_in_milliseconds >= 5000);
}
