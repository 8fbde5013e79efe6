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
    assert_eq!(w.job.status_code(), StatusCode::Active);
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
    assert_eq!(w.job.status_code(), StatusCode::Quarantine);
    // Cycle 2 retries (the first retry is the next cycle) and fails again: still quarantined.
    w.next_cycle().await;
    assert_eq!(w.job.status_code(), StatusCode::Quarantine);
    // Cycles with no retry due (the next is 6 h after the first failure) keep it.
    let s = w.next_cycle().await;
    assert_eq!(s.counts.imported, 0, "no retry due");
    assert_eq!(w.job.status_code(), StatusCode::Quarantine);
    w.tenant.clear_faults();
    while w
        .job
        .escrows()
        .values()
        .all(|e| e.next_retry > ms(w.job.next_cycle_at()))
    {
        w.next_cycle().await;
        assert_eq!(w.job.status_code(), StatusCode::Quarantine);
    }
    w.next_cycle().await;
    assert_eq!(
        w.job.status_code(),
        StatusCode::Active,
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
    while w.job.schedule_state() != ScheduleState::Disabled && guard < 200 {
        w.next_cycle().await;
        guard += 1;
    }
    assert_eq!(w.job.schedule_state(), ScheduleState::Disabled);
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
        w.job.status_code(),
        StatusCode::Active,
        "one failure does not quarantine"
    );
    let mut guard = 0;
    while w.job.schedule_state() != ScheduleState::Disabled && guard < 2_000 {
        w.next_cycle().await;
        guard += 1;
    }
    assert_eq!(w.job.schedule_state(), ScheduleState::Disabled);
    // Disabled without a quarantine: the code says what the last cycle left (§1.1).
    assert_eq!(w.job.status_code(), StatusCode::Active);
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

/// A report assigned with its manager out of scope, after the initial cycle; `restart` the
/// known issue's switch.
async fn report_without_manager(restart: bool) -> World {
    let mut config = JobConfig::default();
    config.known_issues.manager_in_scope_needs_restart = restart;
    let mut w = World::with(config, TenantOptions::default());
    w.assigned("u-rep", "rep@contoso.example");
    w.dir
        .add_user(user("u-boss", "boss@contoso.example"))
        .unwrap();
    w.dir
        .set_attribute("u-rep", "manager", Some("u-boss".into()))
        .unwrap();
    w.cycle().await;
    assert!(manager_of(&w).is_none());
    w
}

fn manager_of(w: &World) -> Option<String> {
    let t = w.target("rep@contoso.example");
    t.get(ENT)?
        .get("manager")?
        .get("value")?
        .as_str()
        .map(String::from)
}

#[tokio::test]
async fn a_manager_coming_into_scope_is_referenced_only_after_a_restart() {
    // rulings.md R7: "If on day one the user is in scope and the manager is out of scope, we'll
    // provision the user without the manager reference. When the manager comes into scope, the
    // manager reference won't be updated until you restart provisioning".
    let mut w = report_without_manager(true).await;
    let step = w
        .entry("rep@contoso.example")
        .provisioning_steps
        .last()
        .cloned();
    assert!(step.is_some_and(|s| {
        s.description
            .contains("not updated until provisioning is restarted")
    }));
    w.dir.assign("u-boss", false, "User").unwrap();
    w.next_cycle().await;
    assert_eq!(w.job.cycles().last().unwrap().counts.created, 1);
    assert!(manager_of(&w).is_none());
    // Processed again (a new title), the report still gets no reference before a restart.
    w.dir
        .set_attribute("u-rep", "jobTitle", Some("Lead".into()))
        .unwrap();
    w.next_cycle().await;
    assert_eq!(w.target("rep@contoso.example")["title"], "Lead");
    assert!(manager_of(&w).is_none());
    let step = w
        .entry("rep@contoso.example")
        .provisioning_steps
        .last()
        .cloned();
    assert!(step.is_some_and(|s| s.description.contains("came into scope after")));
    w.job.restart(&[]);
    w.cycle().await;
    assert_eq!(manager_of(&w), Some(w.id_of("boss@contoso.example")));
}

#[tokio::test]
async fn switched_off_a_manager_coming_into_scope_is_referenced_in_the_same_cycle() {
    // rulings.md R7, the known issue switched off.
    let mut w = report_without_manager(false).await;
    w.dir.assign("u-boss", false, "User").unwrap();
    w.next_cycle().await;
    assert_eq!(manager_of(&w), Some(w.id_of("boss@contoso.example")));
    let s = w.job.cycles().last().unwrap();
    assert_eq!((s.counts.created, s.counts.updated), (1, 1));
}

/// Loads and prepares a scenario written to a temporary file.
fn prepared(
    body: &str,
) -> Result<(blinksim::scenario::Scenario, blinksim::scenario::World), String> {
    use blinksim::scenario::{Target, load_path, prepare};
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = tmp.path().join("refusal.toml");
    let head = "name = \"refusal\"\n[[directory.users]]\nobjectId = \"u-1\"\nuserPrincipalName = \"ada@contoso.example\"\n";
    std::fs::write(&path, format!("{head}{body}")).map_err(|e| e.to_string())?;
    let scenario = load_path(&path).map_err(|e| e.to_string())?;
    let world = prepare(&scenario, &Target::Embedded).map_err(|e| e.to_string())?;
    Ok((scenario, world))
}

#[tokio::test]
async fn a_scenario_scoping_on_an_unsupported_attribute_is_refused_naming_the_clause() {
    // rulings.md R7: "a scenario using one is refused before it runs, naming the clause".
    let job = "[job]\nscoping_filters = [{ title = \"t\", clauses = [{ attribute = \"department\", operator = \"IS NOT NULL\" }, { attribute = \"userType\", operator = \"EQUALS\", value = \"Member\" }] }]\n";
    let e = prepared(job).err().unwrap_or_default();
    assert!(
        e.contains("scoping_filters[0]: clauses[1].attribute: 'userType'"),
        "{e}"
    );
    // A step asking for one is refused at load too, unless it expects the refusal.
    let step = "[[step]]\ndo = \"set_scoping_filters\"\nfilters = [{ title = \"t\", clauses = [{ attribute = \"manager\", operator = \"IS NOT NULL\" }] }]\n";
    let e = prepared(step).err().unwrap_or_default();
    assert!(e.contains("filters[0]") && e.contains("'manager'"), "{e}");
    let expected = format!("{step}expect_refused = \"'manager' is not supported\"\n");
    let (scenario, world) = prepared(&expected).unwrap();
    assert!(blinksim::scenario::play(&scenario, world, None).await.ok());
    // An expected refusal that does not happen fails the scenario.
    let accepted = expected.replace("\"manager\"", "\"department\"");
    let (scenario, world) = prepared(&accepted).unwrap();
    assert!(!blinksim::scenario::play(&scenario, world, None).await.ok());
}

/// Six assigned users, each taking ten virtual minutes, so a cycle runs for an hour; a stop
/// arrives 25 minutes into the first one. `finishes` is the known issue's switch.
async fn stop_during_a_long_cycle(finishes: bool) -> (World, blinksim::engine::CycleSummary) {
    let mut config = JobConfig {
        object_overhead_ms: 10 * MINUTE as u64,
        ..JobConfig::default()
    };
    config.known_issues.stop_finishes_cycle = finishes;
    let mut w = World::with(config, TenantOptions::default());
    for i in 0..6 {
        w.assigned(&format!("u{i}"), &format!("user{i}@contoso.example"));
    }
    let start = w.clock.now_millis();
    w.job.stop_at(at(start + 25 * MINUTE));
    let s = w.cycle().await;
    (w, s)
}

#[tokio::test]
async fn a_stop_during_a_cycle_lets_the_cycle_finish() {
    // rulings.md R7: "When you set provisioning to enabled = off or select Stop, the current
    // provisioning cycle continues running until completion."
    let (mut w, s) = stop_during_a_long_cycle(true).await;
    assert_eq!(s.counts.created, 6);
    assert!(s.simulated_duration_ms > 60 * MINUTE as u64);
    assert_eq!(
        (s.job_status, s.schedule_state),
        (StatusCode::Paused, ScheduleState::Paused)
    );
    assert_eq!(w.job.pending_stop(), None);
    // "The service stops executing any future cycles until you turn provisioning on again."
    let until = w.clock.now_millis() + 5 * 60 * MINUTE;
    assert_eq!(w.job.run_until(&w.dir, at(until)).await, 0);
    w.job.start();
    assert_eq!(w.job.status_code(), StatusCode::Active);
    let next = w.cycle().await;
    assert_eq!(
        (next.kind, next.counts.created),
        (CycleKind::Incremental, 0)
    );
}

#[tokio::test]
async fn switched_off_a_stop_ends_the_cycle_where_it_arrives() {
    // rulings.md R7, the known issue switched off: objects begun by the stop (0, 10 and 20
    // minutes in) finish; the rest wait, with the watermark, for the job to start again.
    let (mut w, s) = stop_during_a_long_cycle(false).await;
    assert_eq!(s.counts.created, 3);
    // Graph counts progress in pages (§1.1, §1.7): one page of six, not complete.
    assert_eq!((s.progress.completed_units, s.progress.total_units), (0, 1));
    let status = w.job.synchronization_job().status;
    assert_eq!(status.progress, std::slice::from_ref(&s.progress));
    assert_eq!(w.tenant.users().len(), 3);
    assert_eq!(w.job.status_code(), StatusCode::Paused);
    assert!(w.job.next_is_initial());
    w.job.start();
    let next = w.cycle().await;
    assert_eq!((next.kind, next.counts.created), (CycleKind::Initial, 3));
    assert_eq!(w.tenant.users().len(), 6);
}

#[tokio::test]
async fn a_stop_arriving_between_cycles_prevents_the_next() {
    // rulings.md R7: no cycle starts after the stop.
    let (mut w, _) = stop_during_a_long_cycle(true).await;
    w.job.start();
    w.cycle().await;
    let next = ms(w.job.next_cycle_at());
    w.job.stop_at(at(next - 30 * MINUTE));
    assert_eq!(
        w.job.schedule_state(),
        ScheduleState::Active,
        "not arrived yet"
    );
    assert_eq!(w.job.run_until(&w.dir, at(next + MINUTE)).await, 0);
    assert_eq!(w.job.schedule_state(), ScheduleState::Paused);
}

#[tokio::test]
async fn progress_counts_pages_of_the_cycle_and_reports_each_page() {
    // §1.7 WHEN: "The percentage reflects the count of pages provisioned. Each page could
    // contain multiple users or groups"; Graph synchronizationProgress (§1.1).
    let config = JobConfig {
        progress_page_size: 2,
        ..JobConfig::default()
    };
    let mut w = World::with(config, TenantOptions::default());
    for i in 0..5 {
        w.assigned(&format!("u{i}"), &format!("user{i}@contoso.example"));
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    w.job.set_progress(Some(std::sync::Arc::new(move |p| {
        if let Ok(mut s) = sink.lock() {
            s.push((p.completed_units, p.total_units, p.units.clone()));
        }
    })));
    let s = w.cycle().await;
    let p = &s.progress;
    assert_eq!(
        (p.completed_units, p.total_units, p.units.as_str()),
        (3, 3, "pages")
    );
    assert_eq!(p.progress_observation_date_time, s.ended);
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 3, "one call per page: {seen:?}");
    assert!(
        seen.iter()
            .all(|(_, total, units)| *total == 3 && units == "pages")
    );
    assert_eq!(seen.last().map(|s| s.0), Some(3));
}
