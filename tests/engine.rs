//! The provisioning engine against the embedded mock tenant: each behaviour of issue 4,
//! asserting the requests sent and the log entries produced.

mod engine_world;

use blinksim::clock::Clock;
use blinksim::duration::HumanDuration;
use blinksim::engine::JobConfig;
use blinksim::engine::directory::Group;
use blinksim::engine::failure::FailureCode;
use blinksim::engine::log::{Action::*, Status::*};
use blinksim::engine::log::{CycleKind, StepName};
use blinksim::engine::mapping::{MappingConfig, blink_default_mappings};
use blinksim::engine::policy::QuarantineThresholds;
use blinksim::engine::scope::SkipReason;
use blinksim::engine::scope::{Clause, FilterOperator, ScopingFilter, SyncScope};
use blinksim::engine::wire::Dialect;
use blinksim::engine::{JobStatus, QuarantineReason};
use blinksim::tenant::faults::{Effect, LostAs};
use blinksim::tenant::{FaultRule, Operation, TenantOptions};
use engine_world::{MINUTE, T0, World, o, user};
use serde_json::json;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test]
async fn initial_cycle_creates_the_assigned_and_skips_default_access() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.dir.add_user(user("u2", "dan@contoso.example")).unwrap();
    w.dir.assign("u2", false, "Default Access").unwrap();
    w.dir
        .add_user(user("u3", "nobody@contoso.example"))
        .unwrap();
    let s = w.cycle().await;
    assert_eq!(
        (
            s.kind.as_str(),
            s.counts.imported,
            s.counts.created,
            s.counts.skipped
        ),
        ("Initial", 2, 1, 1)
    );
    assert_eq!(
        w.outcomes(),
        vec![
            o("ada@contoso.example", Create, Success),
            o("dan@contoso.example", Other, Skipped)
        ]
    );
    // Unassigned users are not even read with "Sync only assigned users and groups".
    assert!(w.job.logs().iter().all(|e| e.source_identity.id != "u3"));
    assert_eq!(
        w.requests("1"),
        [
            "GET /scim/Users?filter=userName+eq+%22ada%40contoso.example%22",
            "POST /scim/Users"
        ]
    );
    let dan = w.entry("dan@contoso.example");
    assert_eq!(dan.skip_reason(), Some(SkipReason::NotEffectivelyEntitled));
    assert!(dan.provisioning_steps.iter().any(|s| {
        s.description
            .contains("Skip reason = NotEffectivelyEntitled, Active = True, Assigned = False")
    }));
    // The POST is Azure AD's shape, from the Blink mappings.
    let post = &w.bodies("1", "ada@contoso.example")[0];
    assert_eq!(
        post["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT])
    );
    assert_eq!(
        post["emails"],
        json!([{"primary": true, "type": "work", "value": "ada@contoso.example"}])
    );
    assert_eq!(post["meta"], json!({"resourceType": "User"}));
    assert_eq!(post[ENT]["department"], "R&D");
    let steps: Vec<&str> = w
        .entry("ada@contoso.example")
        .provisioning_steps
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "EntryImport",
            "EntrySynchronizationScoping",
            "EntrySynchronizationAdd",
            "EntryExportAdd"
        ]
    );
    assert_eq!(w.target("ada@contoso.example")["active"], true);
    // With Default Access evaluated like any role (configurations after 04/16/2020).
    let mut w = World::with(
        JobConfig {
            skip_default_access: false,
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    w.dir.add_user(user("u2", "dan@contoso.example")).unwrap();
    w.dir.assign("u2", false, "Default Access").unwrap();
    w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("dan@contoso.example", Create, Success)]
    );
}

#[tokio::test]
async fn group_assignment_reaches_direct_members_only_and_scope_all_reads_everyone() {
    let mut w = World::new();
    for (id, upn) in [
        ("u1", "ann@contoso.example"),
        ("u2", "ben@contoso.example"),
        ("u3", "cal@contoso.example"),
    ] {
        w.dir.add_user(user(id, upn)).unwrap();
    }
    w.dir
        .add_group(Group {
            object_id: "g-inner".into(),
            display_name: "Inner".into(),
            members: vec!["u2".into()],
        })
        .unwrap();
    w.dir
        .add_group(Group {
            object_id: "g-blink".into(),
            display_name: "Blink Users".into(),
            members: vec!["u1".into(), "g-inner".into()],
        })
        .unwrap();
    w.dir.assign("Blink Users", true, "User").unwrap();
    w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ann@contoso.example", Create, Success)],
        "u2 is only in a nested group"
    );
    // Leaving the group is an unassignment: disable.
    w.dir.remove_member("Blink Users", "u1").unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ann@contoso.example", Disable, Success)]
    );
    // Sync all: every user is read and provisioned.
    let mut w = World::with(
        JobConfig {
            scope: SyncScope::All,
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    w.dir.add_user(user("u1", "ann@contoso.example")).unwrap();
    w.dir.add_user(user("u2", "ben@contoso.example")).unwrap();
    let s = w.cycle().await;
    assert_eq!(s.counts.created, 2);
}

#[tokio::test]
async fn scoping_filters_skip_then_disable_on_leaving() {
    let filter = ScopingFilter {
        title: "R&D only".into(),
        clauses: vec![Clause {
            attribute: "department".into(),
            operator: FilterOperator::Equals,
            value: "R&D".into(),
        }],
    };
    let mut w = World::with(
        JobConfig {
            scoping_filters: vec![filter],
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "sam@contoso.example");
    w.dir
        .set_attribute("u2", "department", Some("Sales".into()))
        .unwrap();
    w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![
            o("ada@contoso.example", Create, Success),
            o("sam@contoso.example", Other, Skipped)
        ]
    );
    assert_eq!(
        w.entry("sam@contoso.example").skip_reason(),
        Some(SkipReason::OutOfScope)
    );
    w.dir
        .set_attribute("u1", "department", Some("Sales".into()))
        .unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Disable, Success)]
    );
    assert_eq!(w.target("ada@contoso.example")["active"], false);
    let id = w.id_of("ada@contoso.example");
    assert_eq!(
        w.requests("2"),
        [
            format!("GET /scim/Users/{id}"),
            format!("PATCH /scim/Users/{id}")
        ]
    );
    assert_eq!(
        w.bodies("2", "ada@contoso.example")[0]["Operations"],
        json!([{"op": "replace", "path": "active", "value": false}])
    );
    // A null value makes the clause false.
    w.dir.set_attribute("u2", "department", None).unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.entry("sam@contoso.example").skip_reason(),
        Some(SkipReason::OutOfScope)
    );
}

#[tokio::test]
async fn incremental_cycles_update_changed_attributes_only() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "bob@contoso.example");
    w.cycle().await;
    w.dir
        .set_attribute("u1", "jobTitle", Some("Lead Engineer".into()))
        .unwrap();
    w.dir
        .set_attribute("u1", "mobile", Some("+44 7700 900123".into()))
        .unwrap();
    let s = w.next_cycle().await;
    assert_eq!(
        (s.kind.as_str(), s.counts.imported),
        ("Incremental", 1),
        "only what changed since the watermark"
    );
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Update, Success)]
    );
    let patch = &w.bodies("2", "ada@contoso.example")[0];
    assert_eq!(
        patch["Operations"],
        json!([
            {"op": "replace", "path": "title", "value": "Lead Engineer"},
            {"op": "add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 7700 900123"}
        ]),
        "one operation each, in mapping order: a changed value and one the target lacks (A.3.1, A.3.2)"
    );
    let props: Vec<(String, Option<String>, Option<String>)> = w
        .entry("ada@contoso.example")
        .modified_properties
        .iter()
        .map(|m| {
            (
                m.display_name.clone(),
                m.old_value.clone(),
                m.new_value.clone(),
            )
        })
        .collect();
    assert!(props.contains(&(
        "title".into(),
        Some("Engineer".into()),
        Some("Lead Engineer".into())
    )));
    // A change that does not reach Blink's attributes: skipped as redundant.
    w.dir
        .set_attribute("u1", "extensionAttribute3", Some("x".into()))
        .unwrap();
    w.next_cycle().await;
    assert_eq!(w.outcomes(), vec![o("ada@contoso.example", Other, Skipped)]);
    assert_eq!(
        w.entry("ada@contoso.example").skip_reason(),
        Some(SkipReason::RedundantExport)
    );
    assert_eq!(
        w.requests("3"),
        [format!(
            "GET /scim/Users/{}",
            w.id_of("ada@contoso.example")
        )]
    );
    // Nothing changed at all: steady state, no requests but the probe.
    let s = w.next_cycle().await;
    assert!(s.steady_state);
    assert!(w.requests("4").is_empty());
}

#[tokio::test]
async fn unassigned_users_are_disabled_then_no_longer_managed() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.cycle().await;
    w.dir.unassign("u1", false).unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Disable, Success)]
    );
    assert!(!w.job.links()["u1"].managed);
    // Later deletions send nothing: the service no longer manages the user (HPW).
    w.dir.hard_delete("u1", w.clock.now_millis()).unwrap();
    w.next_cycle().await;
    assert_eq!(w.outcomes(), vec![o("ada@contoso.example", Other, Skipped)]);
    assert!(w.requests("3").is_empty());
    assert!(w.tenant.find_by_user_name("ada@contoso.example").is_some());
}

#[tokio::test]
async fn skip_out_of_scope_deletions_sends_nothing() {
    let mut w = World::with(
        JobConfig {
            skip_out_of_scope_deletions: true,
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    w.assigned("u1", "ada@contoso.example");
    w.cycle().await;
    w.dir.unassign("u1", false).unwrap();
    w.next_cycle().await;
    assert_eq!(w.outcomes(), vec![o("ada@contoso.example", Other, Skipped)]);
    assert_eq!(
        w.entry("ada@contoso.example").skip_reason(),
        Some(SkipReason::SkipOutOfScopeDeletions)
    );
    assert!(w.requests("2").is_empty());
    assert_eq!(w.target("ada@contoso.example")["active"], true);
}

#[tokio::test]
async fn soft_delete_disables_restore_enables_hard_delete_deletes() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.cycle().await;
    w.dir.soft_delete("u1", w.clock.now_millis()).unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Disable, Success)]
    );
    assert!(
        w.job.links()["u1"].managed,
        "soft-deleted users stay managed"
    );
    w.dir.restore("u1").unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Update, Success)]
    );
    assert_eq!(w.target("ada@contoso.example")["active"], true);
    // accountEnabled false disables too.
    w.dir
        .set_attribute("u1", "accountEnabled", Some("false".into()))
        .unwrap();
    w.next_cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Disable, Success)]
    );
    // Hard delete (here 30 days after a soft delete): DELETE.
    w.dir
        .set_attribute("u1", "accountEnabled", Some("true".into()))
        .unwrap();
    w.dir.soft_delete("u1", w.clock.now_millis()).unwrap();
    let purge_at = w.clock.now_millis() + 30 * 24 * 60 * MINUTE;
    w.clock.advance_to(purge_at);
    assert_eq!(w.dir.purge_expired(purge_at), vec!["u1".to_string()]);
    let id = w.id_of("ada@contoso.example");
    w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![o("ada@contoso.example", Delete, Success)]
    );
    assert_eq!(w.requests("5"), [format!("DELETE /scim/Users/{id}")]);
    assert!(w.tenant.find_by_user_name("ada@contoso.example").is_none());
    assert!(!w.job.links().contains_key("u1"));
}

#[tokio::test]
async fn manager_references_after_both_users_exist_and_deferral() {
    let mut w = World::new();
    w.assigned("u-boss", "boss@contoso.example")
        .assigned("u-rep", "rep@contoso.example");
    w.dir
        .set_attribute("u-rep", "manager", Some("u-boss".into()))
        .unwrap();
    // The report comes first in directory order; the reference still resolves (second pass).
    w.dir
        .set_attribute("u-boss", "manager", Some("u-rep-missing".into()))
        .unwrap();
    w.cycle().await;
    let boss = w.id_of("boss@contoso.example");
    let rep = w.id_of("rep@contoso.example");
    let requests = w.requests("1");
    assert_eq!(
        requests.last().unwrap(),
        &format!("PATCH /scim/Users/{rep}"),
        "the reference is exported after all creates"
    );
    assert_eq!(
        w.bodies("1", "rep@contoso.example").last().unwrap()["Operations"],
        json!([{"op": "add", "path": format!("{ENT}:manager"), "value": boss}])
    );
    assert_eq!(
        w.target("rep@contoso.example")[ENT]["manager"]["value"],
        boss.as_str()
    );
    let step = w
        .entry("rep@contoso.example")
        .provisioning_steps
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (step.name.as_str(), step.status),
        ("EntryExportUpdate", Success)
    );
    // A manager outside scope: the user is provisioned without it, deferred.
    let mut w = World::new();
    w.assigned("u-rep", "rep@contoso.example");
    w.dir
        .add_user(user("u-boss", "boss@contoso.example"))
        .unwrap();
    w.dir
        .set_attribute("u-rep", "manager", Some("u-boss".into()))
        .unwrap();
    w.cycle().await;
    let last = w
        .entry("rep@contoso.example")
        .provisioning_steps
        .last()
        .unwrap()
        .clone();
    assert_eq!(last.status, Skipped);
    assert!(
        last.description.contains("is not provisioned"),
        "{}",
        last.description
    );
    assert!(
        w.target("rep@contoso.example")
            .get(ENT)
            .and_then(|e| e.get("manager"))
            .is_none()
    );
    // The manager comes into scope: the reference waits until the report is processed again
    // (KNOWN "Manager isn't provisioned": until restart).
    w.dir.assign("u-boss", false, "User").unwrap();
    w.next_cycle().await;
    assert!(
        w.target("rep@contoso.example")
            .get(ENT)
            .and_then(|e| e.get("manager"))
            .is_none()
    );
    w.job.restart(false);
    w.cycle().await;
    assert_eq!(
        w.target("rep@contoso.example")[ENT]["manager"]["value"],
        w.id_of("boss@contoso.example").as_str()
    );
}

#[tokio::test]
async fn existing_blink_users_are_matched_and_updated() {
    let mut w = World::new();
    w.tenant.insert_user(json!({"userName": "ada@contoso.example", "active": true, "title": "Engineer", "name": {"givenName": "ada", "familyName": "Test"},
        "emails": [{"type": "work", "value": "ada@contoso.example", "primary": true}], "externalId": "ada",
        ENT: {"department": "R&D"}})).unwrap();
    w.tenant
        .insert_user(json!({"userName": "bob@contoso.example", "title": "Old title"}))
        .unwrap();
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "bob@contoso.example");
    w.cycle().await;
    assert_eq!(
        w.outcomes(),
        vec![
            o("ada@contoso.example", Other, Skipped),
            o("bob@contoso.example", Update, Success)
        ]
    );
    assert_eq!(
        w.entry("ada@contoso.example").skip_reason(),
        Some(SkipReason::RedundantExport)
    );
    assert!(w.requests("1").iter().all(|r| !r.starts_with("POST")));
    assert_eq!(w.target("bob@contoso.example")["title"], "Engineer");
    assert_eq!(
        w.job.links()["u2"].target_id,
        w.id_of("bob@contoso.example")
    );
    let matching = w
        .entry("bob@contoso.example")
        .provisioning_steps
        .iter()
        .find(|s| s.name == StepName::EntryImport && s.description.starts_with("Retrieved  "))
        .cloned();
    assert_eq!(
        matching.unwrap().description,
        "Retrieved  'bob@contoso.example' from Blink"
    );
}

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
    let mut w = World::new();
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
    w.job.restart(false);
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
    let mut config = JobConfig::default();
    config.accidental_deletions.threshold = 2;
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
    let mut w = World::new();
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
async fn restart_clears_state_but_keeps_links() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "bob@contoso.example");
    w.fault(FaultRule::status(500).for_user("bob@contoso.example"));
    w.cycle().await;
    assert_eq!(w.job.escrows().len(), 1);
    w.tenant.clear_faults();
    w.job.restart(false);
    assert!(w.job.next_is_initial() && w.job.escrows().is_empty());
    let s = w.cycle().await;
    assert_eq!(s.kind, CycleKind::Initial);
    assert_eq!(
        w.outcomes(),
        vec![
            o("ada@contoso.example", Other, Skipped),
            o("bob@contoso.example", Create, Success)
        ]
    );
    let id = w.id_of("ada@contoso.example");
    assert_eq!(
        w.requests("2")[0],
        format!("GET /scim/Users/{id}"),
        "links kept: read by id, no match query"
    );
}

#[tokio::test]
async fn provision_on_demand_in_five_steps_with_the_legacy_dialect() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    let r = w
        .job
        .provision_on_demand(&w.dir, "ada@contoso.example")
        .await
        .unwrap();
    assert_eq!(
        r.steps
            .iter()
            .map(|s| (s.number, s.status))
            .collect::<Vec<_>>(),
        [(2, Success), (3, Success), (4, Success), (5, Success)]
    );
    assert!(
        r.steps[2]
            .description
            .contains("No matching User was found"),
        "{:?}",
        r.steps
    );
    let entry = r.entry.unwrap();
    assert_eq!(
        (entry.provisioning_action, entry.initiated_by.as_str()),
        (Create, "Provision on demand")
    );
    assert!(w.tenant.find_by_user_name("ada@contoso.example").is_some());
    // Updates on demand use the pre-aadOptscim062020 PATCH ("doesn't work with on-demand").
    w.dir
        .set_attribute("u1", "jobTitle", Some("Lead".into()))
        .unwrap();
    w.job.provision_on_demand(&w.dir, "u1").await.unwrap();
    assert_eq!(
        w.bodies("on-demand 2", "ada@contoso.example")[0]["Operations"],
        json!([{"op": "Replace", "path": "title", "value": "Lead"}])
    );
    // Disabled in the directory: not supported on demand.
    w.dir
        .set_attribute("u1", "accountEnabled", Some("false".into()))
        .unwrap();
    let r = w.job.provision_on_demand(&w.dir, "u1").await.unwrap();
    assert_eq!(r.entry.unwrap().status(), Skipped);
    assert_eq!(w.target("ada@contoso.example")["active"], true);
    // A failing test connection shows step 1 only.
    w.job.set_secret_token("bad");
    let r = w.job.provision_on_demand(&w.dir, "u1").await.unwrap();
    assert_eq!(
        (r.steps.len(), r.steps[0].number, r.steps[0].status),
        (1, 1, Failure)
    );
}

#[tokio::test]
async fn mapping_changes_start_a_new_initial_cycle() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.cycle().await;
    let mut mappings = blink_default_mappings();
    mappings.push(MappingConfig {
        target: "urn:ietf:params:scim:schemas:extension:blink:2.0:User:description".into(),
        expression: Some(r#"Join(" ", "Works in", [department])"#.into()),
        ..Default::default()
    });
    w.job.set_mappings(Some(mappings)).unwrap();
    let s = w.cycle().await;
    assert_eq!(s.kind, CycleKind::Initial);
    assert_eq!(
        w.target("ada@contoso.example")["urn:ietf:params:scim:schemas:extension:blink:2.0:User"]["description"],
        "Works in R&D"
    );
    // A broken expression is refused before anything runs.
    let bad = vec![MappingConfig {
        target: "userName".into(),
        expression: Some("Join(".into()),
        matching: Some(1),
        ..Default::default()
    }];
    assert!(w.job.set_mappings(Some(bad)).is_err());
}

#[tokio::test]
async fn the_legacy_patch_dialect() {
    let mut w = World::with(
        JobConfig {
            patch_dialect: Dialect::Legacy,
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    w.assigned("u1", "ada@contoso.example");
    w.cycle().await;
    w.dir
        .set_attribute("u1", "jobTitle", Some("Lead".into()))
        .unwrap();
    w.dir
        .set_attribute("u1", "department", Some("Ops".into()))
        .unwrap();
    w.next_cycle().await;
    w.dir.unassign("u1", false).unwrap();
    w.next_cycle().await;
    let bodies: Vec<serde_json::Value> = w
        .job
        .trace()
        .iter()
        .filter(|t| t.entry.method == "PATCH")
        .filter_map(|t| serde_json::from_str(t.entry.body.as_deref()?).ok())
        .collect();
    assert_eq!(
        bodies[0]["Operations"],
        json!([
            {"op": "Replace", "path": "title", "value": "Lead"},
            {"op": "Replace", "path": format!("{ENT}:department"), "value": "Ops"}
        ])
    );
    assert_eq!(
        bodies[1]["Operations"],
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
        "Appendix A.3.1 without the flag"
    );
    assert_eq!(w.target("ada@contoso.example")["active"], false);
    // The same through the tenant URL flag.
    let config = JobConfig {
        tenant_url: "https://api.joinblink.com/scim?AzureAdScimPatch2017".into(),
        ..JobConfig::default()
    };
    assert_eq!(config.base_path_and_dialect().1, Dialect::Legacy);
}

#[tokio::test]
async fn stop_and_start() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example");
    w.job.stop();
    assert!(w.job.run_cycle(&w.dir).await.is_err());
    assert_eq!(w.job.run_until(&w.dir, T0 + 120 * MINUTE).await, 0);
    w.job.start();
    assert_eq!(
        w.job.run_until(&w.dir, T0 + 120 * MINUTE).await,
        1,
        "picks up where it left off: the overdue cycle runs once"
    );
    assert_eq!(
        w.job.run_until(&w.dir, T0 + 240 * MINUTE).await,
        3,
        "then every 40 minutes"
    );
}

#[tokio::test]
async fn test_connection_messages() {
    let mut w = World::new();
    assert!(w.job.test_connection().await.ok);
    let probe = &w.job.trace()[0].entry;
    assert!(
        probe.path.starts_with("/scim/Users?filter=userName+eq+%22") && probe.path.ends_with("%22")
    );
    w.fault(FaultRule::status(404).first(1));
    let t = w.job.test_connection().await;
    assert!(!t.ok && t.quarantine && t.message.contains("An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response"));
    w.fault(FaultRule::new(Effect::MalformedJson).first(1));
    let t = w.job.test_connection().await;
    assert!(
        t.message
            .contains("We are not able to deserialize the resource")
    );
    w.fault(FaultRule::status(503).first(3));
    let t = w.job.test_connection().await;
    assert!(!t.ok && !t.quarantine);
}

#[tokio::test]
async fn duplicate_matches_and_missing_matching_values() {
    let mut w = World::new();
    w.tenant
        .insert_user(json!({"userName": "ada@contoso.example"}))
        .unwrap();
    w.assigned("u1", "ada@contoso.example");
    w.fault(
        FaultRule::new(Effect::DuplicateMatch)
            .on(Operation::List)
            .for_user("ada@contoso.example"),
    );
    w.cycle().await;
    assert_eq!(
        w.entry("ada@contoso.example").error_code(),
        Some(FailureCode::SystemForCrossDomainIdentityManagementMultipleEntriesInResponse)
    );
    // Two matching attributes in precedence order; a user with a value for neither is ImportSkipped.
    let mut mappings = blink_default_mappings();
    mappings[0].source = Some("extensionAttribute9".into());
    mappings.retain(|m| m.target != "externalId");
    mappings.push(MappingConfig {
        target: "externalId".into(),
        source: Some("mailNickname".into()),
        matching: Some(2),
        ..Default::default()
    });
    let mut w = World::with(
        JobConfig {
            mappings: Some(mappings),
            ..JobConfig::default()
        },
        TenantOptions::default(),
    );
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "nomatch@contoso.example");
    w.dir.set_attribute("u2", "mailNickname", None).unwrap();
    w.tenant
        .insert_user(json!({"userName": "someone-else", "externalId": "ada"}))
        .unwrap();
    w.cycle().await;
    assert_eq!(
        w.entry("nomatch@contoso.example").error_code(),
        Some(FailureCode::ImportSkipped)
    );
    let first = &w.requests("1")[0];
    assert_eq!(
        first, "GET /scim/Users?filter=externalId+eq+%22ada%22",
        "no value for the first: the second is tried"
    );
    assert_eq!(
        w.outcomes()[0],
        o("ada@contoso.example", Update, Success),
        "matched by externalId, then brought in line"
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

#[tokio::test]
async fn on_demand_manager_references_use_the_legacy_dialect() {
    let mut w = World::new();
    w.assigned("u-boss", "boss@contoso.example")
        .assigned("u-rep", "rep@contoso.example");
    w.dir
        .set_attribute("u-rep", "manager", Some("u-boss".into()))
        .unwrap();
    w.job.provision_on_demand(&w.dir, "u-boss").await.unwrap();
    let r = w.job.provision_on_demand(&w.dir, "u-rep").await.unwrap();
    assert_eq!(r.entry.unwrap().status(), Success);
    let boss = w.id_of("boss@contoso.example");
    // Every on-demand request is legacy, the manager's PATCH included (rulings.md R1).
    assert_eq!(
        w.bodies("on-demand 2", "rep@contoso.example")
            .last()
            .unwrap()["Operations"],
        json!([{"op": "Add", "path": format!("{ENT}:manager"), "value": boss}])
    );
    assert_eq!(
        w.target("rep@contoso.example")[ENT]["manager"]["value"],
        boss.as_str()
    );
}
