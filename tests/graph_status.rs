//! `status.json` as Graph's `synchronizationJob` and `synchronizationStatus`
//! (aad-provisioning-service.md §1.1): written in every `--out` folder, asserted from
//! scenarios with Graph's names, `Disabled` in the schedule's state and not a status code.

use serde_json::Value;
use std::path::Path;

mod cli;
use cli::{blinksim, write};

/// Ada is created; the token is revoked, so each probe gets 401 and the job is quarantined;
/// four weeks later it is disabled.
const REVOKED: &str = r#"
name = "revoked"
seed = 7

[[directory.users]]
objectId = "u-ada"
userPrincipalName = "ada@contoso.example"
givenName = "Ada"
surname = "Lovelace"

[[directory.assignments]]
user = "u-ada"

[[step]]
do = "cycle"

[[step]]
do = "expect"
job = { code = "Active", schedule_state = "Active", quarantine = "none", last_execution_state = "Succeeded", count_successive_complete_failures = 0 }

[[step]]
do = "set_token"
token = "revoked-token"

[[step]]
do = "advance"
by = "40m"

[[step]]
do = "expect"
job = { code = "Quarantine", schedule_state = "Active", quarantine = "EncounteredQuarantineException", quarantine_series_count = 0, last_execution_state = "Failed", count_successive_complete_failures = 1 }

[[step]]
do = "advance"
by = "29d"

[[step]]
do = "expect"
job = { code = "Quarantine", schedule_state = "Disabled", quarantine = "EncounteredQuarantineException" }
"#;

fn status_of(dir: &Path, scenario: &str) -> Value {
    let file = write(dir, "scenario.toml", scenario);
    let out = dir.join("out");
    let run = blinksim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
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
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(folder.join(name)).unwrap()).unwrap()
    };
    let (job, summary) = (read("status.json"), read("summary.json"));
    // summary.json names the job's state the same way.
    assert_eq!(summary["job"]["code"], job["status"]["code"]);
    assert_eq!(summary["job"]["scheduleState"], job["schedule"]["state"]);
    job
}

#[test]
fn a_job_disabled_after_four_weeks_of_quarantine_keeps_the_code_and_disables_the_schedule() {
    let tmp = tempfile::tempdir().unwrap();
    let job = status_of(tmp.path(), REVOKED);
    assert_eq!(job["templateId"], "blink");
    assert!(job["id"].as_str().unwrap().starts_with("blink."));
    assert_eq!(job["schedule"]["state"], "Disabled");
    assert_eq!(job["schedule"]["expiration"], Value::Null);
    let status = &job["status"];
    assert_eq!(status["code"], "Quarantine");
    let q = &status["quarantine"];
    assert_eq!(q["reason"], "EncounteredQuarantineException");
    assert_eq!(q["error"]["code"], "EncounteredQuarantineException");
    assert!(!q["error"]["message"].as_str().unwrap().is_empty());
    for key in ["currentBegan", "nextAttempt", "seriesBegan"] {
        assert!(q[key].as_str().unwrap().ends_with('Z'), "{key}: {q}");
    }
    assert!(q["seriesCount"].as_u64().unwrap() > 0);
    assert!(q["currentBegan"].as_str() > q["seriesBegan"].as_str());
    let failures = status["countSuccessiveCompleteFailures"].as_u64().unwrap();
    assert!(failures > 1, "{failures}");
    assert_eq!(status["lastExecution"]["state"], "Failed");
    assert_eq!(status["lastSuccessfulExecution"]["state"], "Succeeded");
    assert_eq!(status["lastSuccessfulExecution"]["countExported"], 1);
    assert_eq!(
        status["lastSuccessfulExecutionWithExports"]["countImported"],
        1
    );
    assert_eq!(status["escrowsPruned"], false);
}

#[test]
fn a_healthy_job_reports_its_executions_steady_state_and_progress_in_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = REVOKED
        .split("[[step]]\ndo = \"set_token\"")
        .next()
        .unwrap()
        .to_string()
        + "[[step]]\ndo = \"advance\"\nby = \"40m\"\n";
    let job = status_of(tmp.path(), &scenario);
    assert_eq!(job["schedule"]["state"], "Active");
    assert_eq!(job["schedule"]["interval"], "PT40M");
    let status = &job["status"];
    assert_eq!(status["code"], "Active");
    assert_eq!(status["quarantine"], Value::Null);
    assert_eq!(status["countSuccessiveCompleteFailures"], 0);
    let last = &status["lastExecution"];
    assert_eq!(last["state"], "Succeeded");
    assert_eq!(last["countExported"], 0);
    // The second cycle exported nothing: the one with exports is the first.
    let with_exports = &status["lastSuccessfulExecutionWithExports"];
    assert_eq!(with_exports["countExported"], 1);
    assert_eq!(with_exports["countEntitled"], 1);
    assert_ne!(
        with_exports["activityIdentifier"],
        last["activityIdentifier"]
    );
    assert_eq!(status["steadyStateFirstAchievedTime"], last["timeEnded"]);
    assert_eq!(status["steadyStateLastAchievedTime"], last["timeEnded"]);
    let progress = &status["progress"][0];
    assert_eq!(progress["units"], "pages");
    assert_eq!(progress["completedUnits"], progress["totalUnits"]);
    for key in [
        "countEntitledForProvisioning",
        "countEscrowed",
        "countEscrowedRaw",
        "countExports",
        "countImportedDeltas",
        "countImportedReferenceDeltas",
        "timeBegan",
    ] {
        assert!(!last[key].is_null(), "{key}: {last}");
    }
}

#[test]
fn graphs_status_names_are_checked_at_load() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "old-key.toml",
            "job = { status = \"Active\" }",
            "unknown field `status`, expected one of `code`",
        ),
        (
            "disabled-code.toml",
            "job = { code = \"Disabled\" }",
            "field `step[1].job.code`: unknown variant `Disabled`",
        ),
        (
            "schedule.toml",
            "job = { schedule_state = \"Quarantine\" }",
            "field `step[1].job.schedule_state`: unknown variant `Quarantine`",
        ),
    ];
    for (name, expectation, expected) in cases {
        let content = REVOKED.replacen(
            "job = { code = \"Active\", schedule_state = \"Active\", quarantine = \"none\", last_execution_state = \"Succeeded\", count_successive_complete_failures = 0 }",
            expectation,
            1,
        );
        assert_ne!(content, REVOKED);
        let bad = write(tmp.path(), name, &content);
        let out = blinksim(&["run", bad.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}
