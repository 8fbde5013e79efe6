//! `logs.jsonl` read by types written from Graph's v1.0 `provisioningObjectSummary` page
//! (aad-provisioning-service.md §5.2; rulings.md R5), every struct `deny_unknown_fields`, and
//! a failed create held against Example 2 of `provisioningobjectsummary-list` (§5.5).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

// ---- Graph v1.0 types, from the resource pages (not from blinksim's own types) ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct ProvisioningObjectSummary {
    activity_date_time: String,
    change_id: String,
    cycle_id: String,
    duration_in_milliseconds: i32,
    id: String,
    initiated_by: Initiator,
    job_id: String,
    modified_properties: Vec<ModifiedProperty>,
    provisioning_action: ProvisioningAction,
    provisioning_status_info: ProvisioningStatusInfo,
    provisioning_steps: Vec<ProvisioningStep>,
    service_principal: ProvisioningServicePrincipal,
    source_identity: ProvisionedIdentity,
    source_system: ProvisioningSystem,
    target_identity: ProvisionedIdentity,
    target_system: ProvisioningSystem,
    tenant_id: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum ProvisioningAction {
    Other,
    Create,
    Delete,
    Disable,
    Update,
    StagedDelete,
    UnknownFutureValue,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum ProvisioningResult {
    Success,
    Failure,
    Skipped,
    Warning,
    UnknownFutureValue,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum ProvisioningStepType {
    Import,
    Scoping,
    Matching,
    Processing,
    ReferenceResolution,
    Export,
    UnknownFutureValue,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum InitiatorType {
    User,
    Application,
    System,
    UnknownFutureValue,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum ProvisioningStatusErrorCategory {
    Failure,
    NonServiceFailure,
    Success,
    UnknownFutureValue,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Initiator {
    display_name: String,
    id: String,
    initiator_type: InitiatorType,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct ModifiedProperty {
    display_name: String,
    new_value: Option<String>,
    old_value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProvisioningStatusInfo {
    error_information: Option<ProvisioningErrorInfo>,
    status: ProvisioningResult,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProvisioningErrorInfo {
    additional_details: Option<String>,
    error_category: ProvisioningStatusErrorCategory,
    error_code: String,
    reason: String,
    recommended_action: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProvisioningStep {
    description: String,
    details: BTreeMap<String, String>,
    name: String,
    provisioning_step_type: ProvisioningStepType,
    status: ProvisioningResult,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProvisioningServicePrincipal {
    display_name: String,
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProvisionedIdentity {
    details: BTreeMap<String, String>,
    display_name: String,
    id: String,
    identity_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct ProvisioningSystem {
    details: BTreeMap<String, String>,
    display_name: String,
    id: String,
}

// ---- the scenario ----

/// Ada is created; Bob's create is answered 409; Cy is assigned after the first cycle.
const SCENARIO: &str = r#"
name = "graph-logs"
seed = 11

[[directory.users]]
objectId = "u-ada"
userPrincipalName = "ada@contoso.example"
givenName = "Ada"
surname = "Lovelace"

[[directory.users]]
objectId = "u-bob"
userPrincipalName = "bob@contoso.example"
givenName = "Bob"
surname = "Bell"

[[directory.users]]
objectId = "u-cy"
userPrincipalName = "cy@contoso.example"
givenName = "Cy"
surname = "Young"

[[directory.users]]
objectId = "u-dee"
userPrincipalName = "dee@contoso.example"
givenName = "Dee"
surname = "Dale"

[[directory.assignments]]
user = "u-ada"

[[directory.assignments]]
user = "u-bob"

[[directory.assignments]]
user = "u-dee"

[tenant]
users = [{ userName = "dee@contoso.example", active = true }]

[[fault]]
name = "bob exists"
operation = "create"
user_name = "bob@contoso.example"
effect = { kind = "status", status = 409 }

[[step]]
do = "cycle"

[[step]]
do = "assign"
user = "u-cy"

[[step]]
do = "update_user"
user = "u-ada"
set = { jobTitle = "Countess" }

[[step]]
do = "cycle"

[[step]]
do = "expect"
logs = [
  { user = "bob@contoso.example", cycle = 1, action = "Create", status = "Failure", error_code = "EntryConflict" },
  { user = "cy@contoso.example", cycle = 2, action = "Create", status = "Success" },
  { user = "ada@contoso.example", cycle = 2, action = "Update", status = "Success", modified = ["title"] },
]
"#;

fn played(dir: &Path) -> Vec<(serde_json::Value, ProvisioningObjectSummary)> {
    let file = dir.join("graph-logs.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_blinksim"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .expect("run blinksim");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let folder = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap_or(out);
    let text = std::fs::read_to_string(folder.join("logs.jsonl")).unwrap();
    text.lines()
        .map(|line| {
            let entry: ProvisioningObjectSummary = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a Graph provisioningObjectSummary: {e}\n{line}"));
            (serde_json::from_str(line).unwrap(), entry)
        })
        .collect()
}

fn of<'a>(
    entries: &'a [(serde_json::Value, ProvisioningObjectSummary)],
    upn: &str,
) -> Vec<&'a (serde_json::Value, ProvisioningObjectSummary)> {
    entries
        .iter()
        .filter(|(_, e)| e.source_identity.display_name == upn)
        .collect()
}

#[test]
fn every_line_parses_as_graphs_provisioning_object_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = played(tmp.path());
    assert!(entries.len() >= 4, "{} entries", entries.len());
    let (_, first) = &entries[0];
    for (_, e) in &entries {
        assert_eq!(e.tenant_id, first.tenant_id);
        assert_eq!(e.job_id, first.job_id);
        // §1.1: `<templateId>.<tenantId without dashes>.<guid>`.
        assert!(
            e.job_id
                .starts_with(&format!("blink.{}.", e.tenant_id.replace('-', ""))),
            "{} / {}",
            e.job_id,
            e.tenant_id
        );
        assert_eq!(e.initiated_by.display_name, "Azure AD Provisioning Service");
        assert_eq!(e.initiated_by.initiator_type, InitiatorType::System);
        assert_eq!(e.initiated_by.id, "");
        assert_eq!(e.source_system.display_name, "Azure Active Directory");
        assert_eq!(e.target_system.display_name, "Blink");
        assert_eq!(
            e.target_system.details.get("ServicePrincipalId"),
            Some(&e.service_principal.id)
        );
        assert_eq!(e.service_principal.display_name, "Blink");
        assert_eq!(e.source_identity.identity_type, "User");
        assert!(e.source_identity.details.is_empty());
        assert_eq!(
            e.provisioning_steps
                .first()
                .map(|s| &s.provisioning_step_type),
            Some(&ProvisioningStepType::Import)
        );
    }
}

#[test]
fn a_409_on_create_reads_as_graphs_example_2() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = played(tmp.path());
    let bob = of(&entries, "bob@contoso.example");
    let (raw, e) = bob.first().expect("a log entry for Bob");
    assert_eq!(e.provisioning_action, ProvisioningAction::Create);
    assert_eq!(
        e.provisioning_status_info.status,
        ProvisioningResult::Failure
    );
    let err = e
        .provisioning_status_info
        .error_information
        .as_ref()
        .expect("errorInformation");
    assert_eq!(err.error_code, "EntryConflict");
    assert!(err.reason.contains("409"), "{}", err.reason);
    assert_eq!(
        err.error_category,
        ProvisioningStatusErrorCategory::NonServiceFailure
    );
    assert_eq!(err.additional_details, None);
    assert_eq!(err.recommended_action, None);
    // Example 2 writes the two as explicit nulls.
    let info = &raw["provisioningStatusInfo"]["errorInformation"];
    assert!(info["additionalDetails"].is_null() && info["recommendedAction"].is_null());
    assert_eq!(info.as_object().map(|o| o.len()), Some(5));

    // Example 2's steps in order: import, the decision typed matching, the failed export
    // with ReportableIdentifier; blinksim adds its scoping step after import (§5.4).
    let steps: Vec<(&str, &ProvisioningStepType, &ProvisioningResult)> = e
        .provisioning_steps
        .iter()
        .map(|s| (s.name.as_str(), &s.provisioning_step_type, &s.status))
        .collect();
    assert_eq!(
        steps,
        [
            (
                "EntryImport",
                &ProvisioningStepType::Import,
                &ProvisioningResult::Success
            ),
            (
                "EntrySynchronizationScoping",
                &ProvisioningStepType::Scoping,
                &ProvisioningResult::Success
            ),
            (
                "EntrySynchronizationAdd",
                &ProvisioningStepType::Matching,
                &ProvisioningResult::Success
            ),
            (
                "EntryExportAdd",
                &ProvisioningStepType::Export,
                &ProvisioningResult::Failure
            ),
        ]
    );
    let decision = &e.provisioning_steps[2];
    assert_eq!(
        decision.description,
        "User 'bob@contoso.example' will be created in Blink (User is active and assigned in Azure Active Directory, but no matching User was found in Blink)"
    );
    let export = &e.provisioning_steps[3];
    assert_eq!(
        export.description,
        "Failed to create User 'bob@contoso.example' in Blink"
    );
    assert_eq!(
        export
            .details
            .get("ReportableIdentifier")
            .map(String::as_str),
        Some("bob@contoso.example")
    );
    assert_eq!(e.target_identity.id, "");
    assert_eq!(e.target_identity.identity_type, "User");
}

#[test]
fn a_user_assigned_between_cycles_is_imported_as_an_add() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = played(tmp.path());
    let cy = of(&entries, "cy@contoso.example");
    let (_, e) = cy.last().expect("a log entry for Cy");
    let import = &e.provisioning_steps[0];
    assert_eq!(import.name, "EntryImportAdd");
    assert_eq!(
        import.description,
        "Received User 'cy@contoso.example' change of type (Add) from Azure Active Directory"
    );
    assert_eq!(e.provisioning_action, ProvisioningAction::Create);
    assert_eq!(
        e.provisioning_status_info.status,
        ProvisioningResult::Success
    );
    assert!(e.provisioning_status_info.error_information.is_none());
}

#[test]
fn a_match_comes_before_scoping_as_in_the_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = played(tmp.path());
    // Dee, already in Blink, is matched in cycle 1; Ada, linked in cycle 1 and changed
    // since, is read back in cycle 2.
    let with_match: Vec<_> = entries
        .iter()
        .filter(|(_, e)| {
            e.provisioning_steps.iter().any(|s| {
                s.name == "EntryImport"
                    && s.provisioning_step_type == ProvisioningStepType::Matching
            })
        })
        .collect();
    let names: Vec<&str> = with_match
        .iter()
        .map(|(_, e)| e.source_identity.display_name.as_str())
        .collect();
    assert_eq!(names, ["dee@contoso.example", "ada@contoso.example"]);
    for (_, e) in with_match {
        let types: Vec<&ProvisioningStepType> = e
            .provisioning_steps
            .iter()
            .map(|s| &s.provisioning_step_type)
            .collect();
        assert_eq!(types[0], &ProvisioningStepType::Import);
        assert_eq!(types[1], &ProvisioningStepType::Matching, "{types:?}");
        if let Some(scoping) = types
            .iter()
            .position(|t| *t == &ProvisioningStepType::Scoping)
        {
            assert!(scoping > 1, "{types:?}");
        }
    }
}
