//! Matching existing Blink users and exporting manager references.

use super::*;

#[tokio::test]
async fn manager_references_after_both_users_exist_and_deferral() {
    let mut w = boss_and_report();
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
        // The legacy dialect of a plain tenant URL (rulings.md R1).
        json!([{"op": "Add", "path": format!("{ENT}:manager"), "value": boss}])
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
}

#[tokio::test]
async fn a_manager_outside_scope_is_deferred_until_the_report_is_processed_again() {
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
    w.job.restart(&[]);
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
