//! Who is provisioned: assignment, Default Access, scoping filters, leaving scope, incremental cycles and the directory lifecycle.

use super::*;

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
}

#[tokio::test]
async fn default_access_is_a_role_like_any_when_not_skipped() {
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
        json!([{"op": "Replace", "path": "active", "value": "False"}])
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
            {"op": "Replace", "path": "title", "value": "Lead Engineer"},
            {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 7700 900123"}
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
