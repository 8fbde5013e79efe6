//! The lifecycle check: the engine plays a short Entra lifecycle against the target through
//! `sim::Simulation` over HTTP (§1.2 initial cycle, §1.3 incremental cycles, §3.6 manager) and
//! reports what the provisioning logs would say.

use super::judge::{Finding, Judged};
use super::runner::{Auth, Runner};
use super::users::eq_query;
use crate::engine::config::JobConfig;
use crate::engine::directory::generator::DirectorySpec;
use crate::sim::{Connection, Simulation};
use http::Method;
use serde_json::Value;

/// People in the generated directory.
const PEOPLE: usize = 20;

fn spec(domain: &str) -> DirectorySpec {
    DirectorySpec {
        users: PEOPLE,
        seed: 13,
        domain: domain.to_string(),
        default_access_percent: 0,
        group_assigned_percent: 0,
        unassigned_percent: 0,
        disabled_percent: 0,
        department_groups: false,
        reports_per_manager: 5,
    }
}

/// One step of the lifecycle: what changes in the directory before the next cycle.
enum Step {
    Initial,
    Update,
    Manager,
    Unassign,
    Restore,
    HardDelete,
}

impl Step {
    fn name(&self) -> &'static str {
        match self {
            Step::Initial => "initial cycle",
            Step::Update => "an update",
            Step::Manager => "a manager",
            Step::Unassign => "an unassignment",
            Step::Restore => "a restore",
            Step::HardDelete => "a hard delete",
        }
    }

    fn apply(&self, sim: &mut Simulation, keys: &[String]) -> Result<(), String> {
        let now = crate::sim::unix_millis(sim.now());
        let dir = sim.directory_mut();
        let r = match self {
            Step::Initial => Ok(()),
            Step::Update => {
                dir.set_attribute(&keys[0], "jobTitle", Some("Lifecycle update".into()))
            }
            Step::Manager => dir.set_attribute(&keys[1], "manager", Some(keys[2].clone())),
            Step::Unassign => dir.unassign(&keys[3], false),
            Step::Restore => dir.assign(
                &keys[3],
                false,
                crate::engine::directory::model::USER_ROLE_ID,
            ),
            Step::HardDelete => dir.hard_delete(&keys[4], now),
        };
        r.map_err(|e| e.to_string())
    }
}

pub(super) async fn lifecycle(runner: &mut Runner) -> Judged {
    let domain = format!("{}lifecycle.example.com", runner.prefix);
    let job = JobConfig {
        tenant_url: runner.options.url.clone(),
        secret_token: runner.options.token.clone(),
        mappings: Some(super::profile_mappings(runner.options.profile)),
        ..JobConfig::default()
    };
    let connection = Connection::Http {
        url: runner.options.url.clone(),
        token: runner.options.token.clone(),
    };
    let built = Simulation::builder()
        .generated_directory(spec(&domain))
        .job(job)
        .connection(connection)
        .build();
    let mut sim =
        built.map_err(|e| Finding::fail(format!("the lifecycle could not start: {e}"), "-"))?;
    let keys: Vec<String> = sim
        .directory()
        .users()
        .iter()
        .map(|u| u.user.object_id.clone())
        .collect();
    let names: Vec<String> = sim
        .directory()
        .users()
        .iter()
        .map(|u| u.user.user_principal_name.clone())
        .collect();
    let mut said = Vec::new();
    let mut failures = Vec::new();
    for step in [
        Step::Initial,
        Step::Update,
        Step::Manager,
        Step::Unassign,
        Step::Restore,
        Step::HardDelete,
    ] {
        step.apply(&mut sim, &keys)
            .map_err(|e| Finding::fail(format!("{}: {e}", step.name()), "-"))?;
        let summary = sim
            .next_cycle()
            .await
            .map_err(|e| Finding::fail(format!("{}: {e}", step.name()), "-"))?;
        let c = &summary.counts;
        said.push(format!(
            "{}: {} created, {} updated, {} disabled, {} deleted, {} failed, {} manager references failed{}",
            step.name(), c.created, c.updated, c.disabled, c.deleted, c.failed, c.reference_failures,
            summary.quarantine.as_ref().map(|q| format!(", quarantine {q:?}")).unwrap_or_default()
        ));
        if c.failed > 0 || c.reference_failures > 0 || summary.quarantine.is_some() {
            failures.push(step.name());
        }
    }
    let logged: Vec<String> = sim
        .job()
        .logs()
        .iter()
        .filter_map(|l| {
            let e = l.provisioning_status_info.error_information.as_ref()?;
            Some(format!("{}: {}", e.error_code, e.reason))
        })
        .take(5)
        .collect();
    register_created(runner, &names).await;
    runner.note = Some(format!("Cycles: {}", said.join("; ")));
    if failures.is_empty() {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "failures in {}. Cycles: {}",
            failures.join(", "),
            said.join("; ")
        ),
        format!("Provisioning logs: {}", logged.join(" | ")),
    ))
}

/// Finds the users the engine created so cleanup deletes them (they carry the run's prefix).
async fn register_created(runner: &mut Runner, names: &[String]) {
    for name in names {
        let outcome = runner
            .send(Method::GET, &eq_query("userName", name), None, Auth::Token)
            .await;
        let ids: Vec<String> = outcome
            .ok()
            .and_then(|r| r.json())
            .and_then(|v| v.get("Resources").and_then(Value::as_array).cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|u| u.get("id").and_then(Value::as_str).map(String::from))
            .collect();
        for id in ids {
            runner.created(format!("Users/{id}"));
        }
    }
}
