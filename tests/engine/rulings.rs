//! The defaults settled by rulings.md (R2, R3, R4, R7), each against the embedded tenant.

use super::*;
use blinksim::sim::Simulation;

#[tokio::test]
async fn unassigning_600_with_defaults_disables_600_in_one_cycle() {
    // rulings.md R2: "select the Prevent accidental deletions check box": off by default.
    let mut w = World::new();
    for i in 0..600 {
        w.assigned(&format!("u{i}"), &format!("user{i}@contoso.example"));
    }
    w.cycle().await;
    for i in 0..600 {
        w.dir.unassign(&format!("u{i}"), false).unwrap();
    }
    let s = w.next_cycle().await;
    assert_eq!((s.counts.disabled, s.counts.staged_deletes), (600, 0));
    assert_eq!(w.job.status(), JobStatus::Active);
}

#[tokio::test]
async fn prevention_enabled_without_threshold_stages_above_500() {
    // rulings.md R2: enabled without a threshold means 500.
    let config: JobConfig = serde_json::from_value(json!({
        "accidental_deletions": { "enabled": true }
    }))
    .unwrap();
    let mut w = World::with(config, TenantOptions::default());
    for i in 0..600 {
        w.assigned(&format!("u{i}"), &format!("user{i}@contoso.example"));
    }
    w.cycle().await;
    for i in 0..600 {
        w.dir.unassign(&format!("u{i}"), false).unwrap();
    }
    let s = w.next_cycle().await;
    assert_eq!((s.counts.disabled, s.counts.staged_deletes), (0, 600));
    assert_eq!(
        w.job.quarantine().map(|q| q.reason),
        Some(QuarantineReason::TooManyDeletes)
    );
}

#[tokio::test]
async fn a_500_on_create_is_sent_once_per_cycle_and_retried_by_escrow() {
    // rulings.md R3: "the operation is retried in the next sync cycle".
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create).first(1));
    w.cycle().await;
    let posts = |w: &World, label: &str| {
        w.requests(label)
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count()
    };
    assert_eq!(posts(&w, "1"), 1, "no in-cycle retry");
    let e = w.entry("ada@contoso.example");
    assert_eq!(e.error_code(), Some(FailureCode::InternalServerError));
    let reason = &e
        .provisioning_status_info
        .error_information
        .as_ref()
        .unwrap()
        .reason;
    assert!(
        reason.contains("This attempt is automatically retried in 40 minutes."),
        "{reason}"
    );
    w.next_cycle().await;
    assert_eq!(posts(&w, "2"), 1, "retried when the escrow fell due");
    assert_eq!(w.entry("ada@contoso.example").status(), Success);
}

#[tokio::test]
async fn in_cycle_retries_stay_available_as_a_setting() {
    // rulings.md R3: "Retrying inside a cycle stays available as a job setting".
    let mut config = JobConfig::default();
    config.retry.max_transient_retries = 2;
    let mut w = World::with(config, TenantOptions::default());
    w.assigned("u1", "ada@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create).first(1));
    w.cycle().await;
    assert_eq!(w.entry("ada@contoso.example").status(), Success);
}

/// A job whose thresholds quarantine on 2 failures out of 3.
fn small_thresholds() -> JobConfig {
    JobConfig {
        quarantine: QuarantineThresholds {
            min_failures: 2,
            failure_ratio: 0.4,
            max_failures: 100,
            absolute_failures: 100,
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn a_threshold_quarantine_persists_until_a_retry_succeeds() {
    // rulings.md R4: "A cycle in which no retry was due does not lift it; a successful retry
    // ... does."
    let mut w = World::with(small_thresholds(), TenantOptions::default());
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "bob@contoso.example")
        .assigned("u3", "cal@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create));
    w.cycle().await;
    assert_eq!(w.job.status(), JobStatus::Quarantine);
    // Cycle 2 retries (the first retry is the next cycle) and fails again: still quarantined.
    w.next_cycle().await;
    assert_eq!(w.job.status(), JobStatus::Quarantine);
    // Cycles with no retry due (the next is 6 h after the first failure) keep it.
    let s = w.next_cycle().await;
    assert_eq!(s.counts.imported, 0, "no retry due");
    assert_eq!(w.job.status(), JobStatus::Quarantine);
    w.tenant.clear_faults();
    while w
        .job
        .escrows()
        .values()
        .all(|e| e.next_retry > w.job.next_cycle_at())
    {
        w.next_cycle().await;
        assert_eq!(w.job.status(), JobStatus::Quarantine);
    }
    w.next_cycle().await;
    assert_eq!(
        w.job.status(),
        JobStatus::Active,
        "lifted by a successful retry"
    );
}

#[tokio::test]
async fn four_weeks_of_quarantine_disable_the_job() {
    // rulings.md R4: "Four weeks in one quarantine series disables the job".
    let mut w = World::with(small_thresholds(), TenantOptions::default());
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "bob@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create));
    w.cycle().await;
    let began = w.job.quarantine().unwrap().series_began;
    let mut guard = 0;
    while w.job.status() != JobStatus::Disabled && guard < 200 {
        w.next_cycle().await;
        guard += 1;
    }
    assert_eq!(w.job.status(), JobStatus::Disabled);
    let last = w.clock.now_millis();
    assert!(
        last - began >= 28 * 24 * 60 * MINUTE,
        "not before four weeks"
    );
}

#[tokio::test]
async fn an_escrow_older_than_28_days_is_dropped_and_disables_the_job() {
    // rulings.md R4: "an escrow older than 28 days is dropped and disables the job".
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create));
    w.cycle().await;
    assert_eq!(
        w.job.status(),
        JobStatus::Active,
        "one failure does not quarantine"
    );
    let mut guard = 0;
    while w.job.status() != JobStatus::Disabled && guard < 2_000 {
        w.next_cycle().await;
        guard += 1;
    }
    assert_eq!(w.job.status(), JobStatus::Disabled);
    assert!(w.job.escrows().is_empty());
    assert_eq!(w.job.escrows_pruned(), 1);
}

#[tokio::test]
async fn restart_scopes_clear_only_what_they_name() {
    // Graph resetScope (§1.4): Escrows alone keeps the watermark.
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.fault(FaultRule::status(500).on(Operation::Create));
    w.cycle().await;
    assert_eq!(w.job.escrows().len(), 1);
    w.job.restart(&[blinksim::engine::ResetScope::Escrows]);
    assert!(w.job.escrows().is_empty());
    assert!(!w.job.next_is_initial());
    w.job.restart(&[]);
    assert!(w.job.next_is_initial());
}

#[tokio::test]
async fn unsupported_scoping_attributes_are_refused_unless_switched_off() {
    // rulings.md R7: date-type attributes "aren't supported as scoping filters".
    let filter = ScopingFilter {
        title: "hired".into(),
        clauses: vec![Clause {
            attribute: "employeeHireDate".into(),
            operator: FilterOperator::IsNotNull,
            value: String::new(),
        }],
    };
    let config = JobConfig {
        scoping_filters: vec![filter],
        ..Default::default()
    };
    let refused = Simulation::builder().job(config.clone()).build();
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("employeeHireDate"), "{message}");
    let mut off = config;
    off.known_issues.refuse_unsupported_scoping_attributes = false;
    assert!(Simulation::builder().job(off).build().is_ok());
}

#[tokio::test]
async fn a_lost_create_response_is_entry_conflict_then_linked_by_the_next_match() {
    // rulings.md R3: "A 409 on create is EntryConflict; if the user really exists, the next
    // attempt's matching GET finds it and links it".
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.fault(
        FaultRule::new(Effect::Lost { then: LostAs::Drop })
            .on(Operation::Create)
            .first(1),
    );
    w.cycle().await;
    assert_eq!(
        w.entry("ada@contoso.example").error_code(),
        Some(FailureCode::WebExceptionProtocolError)
    );
    w.next_cycle().await;
    let posts = w
        .requests("2")
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(
        posts, 0,
        "the matching GET found the user; nothing is created twice"
    );
    assert!(
        w.job.links().contains_key("u1"),
        "linked by the matching GET"
    );
    assert!(w.job.escrows().is_empty());
}

#[tokio::test]
async fn sync_all_to_sync_assigned_waits_for_a_restart() {
    // rulings.md R7: "After you change scope from Sync All to Sync Assigned, make sure to also
    // perform a restart to ensure that the change takes effect."
    for (known_issue, disabled_before_restart) in [(true, 0), (false, 1)] {
        let mut config = JobConfig {
            scope: SyncScope::All,
            ..Default::default()
        };
        config.known_issues.scope_change_needs_restart = known_issue;
        let mut w = World::with(config, TenantOptions::default());
        w.assigned("u1", "ada@contoso.example");
        w.dir.add_user(user("u2", "bob@contoso.example")).unwrap();
        assert_eq!(w.cycle().await.counts.created, 2, "Sync All");
        w.job.set_scope(SyncScope::AssignedOnly);
        let s = w.next_cycle().await;
        assert_eq!(s.counts.disabled, disabled_before_restart, "{known_issue}");
        w.job.restart(&[]);
        let s = w.next_cycle().await;
        assert_eq!(
            s.counts.disabled,
            1 - disabled_before_restart,
            "{known_issue}"
        );
    }
}
