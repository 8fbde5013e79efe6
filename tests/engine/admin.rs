//! Restart, stop and start, test connection, mapping changes, the PATCH dialects and provisioning on demand.

use super::*;

#[tokio::test]
async fn restart_clears_state_but_keeps_links() {
    let mut w = World::new();
    w.assigned("u1", "ada@contoso.example")
        .assigned("u2", "bob@contoso.example");
    w.fault(FaultRule::status(500).for_user("bob@contoso.example"));
    w.cycle().await;
    assert_eq!(w.job.escrows().len(), 1);
    w.tenant.clear_faults();
    w.job.restart(&[]);
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
        (
            entry.provisioning_action,
            entry.initiated_by.display_name.as_str()
        ),
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
async fn on_demand_manager_references_use_the_legacy_dialect() {
    let mut w = boss_and_report();
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
