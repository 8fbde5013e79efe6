//! The lifecycle check: the engine plays a short Entra lifecycle against the target through
//! `sim::Simulation` over HTTP (§1.2 initial cycle, §1.3 incremental cycles, §3.6 manager) and
//! reports what the provisioning logs would say.

use super::judge::{Finding, Judged};
use super::runner::{Runner, exchange};
use super::{Exchange, millis};
use crate::engine::config::JobConfig;
use crate::engine::directory::generator::DirectorySpec;
use crate::engine::transport::{BoxFuture, Delivered, Transport, TransportError};
use crate::scim::message::Request;
use crate::sim::{Connection, Simulation};
use parking_lot::Mutex;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

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
            Step::HardDelete => dir.hard_delete(&keys[4], crate::clock::from_unix_millis(now)),
        };
        r.map_err(|e| e.to_string())
    }
}

const STEPS: [Step; 6] = [
    Step::Initial,
    Step::Update,
    Step::Manager,
    Step::Unassign,
    Step::Restore,
    Step::HardDelete,
];

/// The engine's job against the target, its requests recorded.
fn simulation(runner: &Runner, log: &Arc<Mutex<Recorded>>) -> Result<Simulation, Finding> {
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
    let recorder = log.clone();
    Simulation::builder()
        .generated_directory(spec(&domain))
        .job(job)
        .connection(connection)
        .wrap_transport(move |inner| {
            Arc::new(Recording {
                inner,
                log: recorder,
            })
        })
        .build()
        .map_err(|e| stopped(format!("the lifecycle could not start: {e}")))
}

fn stopped(message: String) -> Finding {
    Finding::fail(
        message,
        "The provisioning job stops before the lifecycle ends (see the exchanges).",
    )
}

/// What each cycle did, and the steps with failures.
struct Played {
    said: Vec<String>,
    failures: Vec<&'static str>,
}

async fn play(sim: &mut Simulation) -> Result<Played, Finding> {
    let keys: Vec<String> = sim
        .directory()
        .users()
        .iter()
        .map(|u| u.user.object_id.clone())
        .collect();
    let mut played = Played {
        said: Vec::new(),
        failures: Vec::new(),
    };
    for step in STEPS {
        let failed = |e: String| stopped(format!("{}: {e}", step.name()));
        step.apply(sim, &keys).map_err(failed)?;
        let summary = sim.next_cycle().await.map_err(|e| failed(e.to_string()))?;
        let c = &summary.counts;
        played.said.push(format!(
            "{}: {} created, {} updated, {} disabled, {} deleted, {} failed, {} manager references failed{}",
            step.name(), c.created, c.updated, c.disabled, c.deleted, c.failed, c.reference_failures,
            summary.quarantine.as_ref().map(|q| format!(", quarantine {q:?}")).unwrap_or_default()
        ));
        if c.failed > 0 || c.reference_failures > 0 || summary.quarantine.is_some() {
            played.failures.push(step.name());
        }
    }
    Ok(played)
}

pub(super) async fn lifecycle(runner: &mut Runner) -> Judged {
    let log = Arc::new(Mutex::new(Recorded::default()));
    let mut sim = simulation(runner, &log)?;
    let played = play(&mut sim).await;
    // Whatever happened, the engine's requests go into the report and its users to cleanup.
    hand_over(runner, std::mem::take(&mut *log.lock()));
    let Played { said, failures } = played?;
    runner.note = Some(format!("Cycles: {}", said.join("; ")));
    if failures.is_empty() {
        return Ok(());
    }
    let logged = logged_errors(sim.job().logs());
    Err(Finding::fail(
        format!(
            "failures in {}. Cycles: {}",
            failures.join(", "),
            said.join("; ")
        ),
        logged,
    ))
}

/// The provisioning logs' errors: how many entries per error code, and the first entry's text.
fn logged_errors(logs: &[crate::engine::LogEntry]) -> String {
    let mut codes = std::collections::BTreeMap::new();
    let mut first = None;
    for e in logs
        .iter()
        .filter_map(|l| l.provisioning_status_info.error_information.as_ref())
    {
        *codes.entry(e.error_code.as_str()).or_insert(0) += 1;
        first.get_or_insert_with(|| e.reason.clone());
    }
    let counts: Vec<String> = codes.iter().map(|(c, n)| format!("{n} × {c}")).collect();
    format!(
        "Provisioning logs: {}; the first: {}",
        counts.join(", "),
        first.unwrap_or_default()
    )
}

/// Records what the engine sent (shown in the report) as it goes through.
struct Recording {
    inner: Arc<dyn Transport>,
    log: Arc<Mutex<Recorded>>,
}

/// The engine's exchanges, and the ids of the users it created (read from the whole body:
/// a shown exchange is cut at 4 KiB).
#[derive(Default)]
struct Recorded {
    exchanges: Vec<Exchange>,
    created: Vec<String>,
}

impl Transport for Recording {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Delivered, TransportError>> {
        Box::pin(async move {
            let (method, path) = (request.method.clone(), request.path_and_query());
            let body = (!request.body.is_empty())
                .then(|| String::from_utf8_lossy(&request.body).into_owned());
            let started = Instant::now();
            let outcome = self.inner.send(request).await;
            let took = millis(started.elapsed());
            let answer = outcome.as_ref().map(|d| &d.response);
            let created = match answer {
                Ok(r) if method == http::Method::POST && r.status.as_u16() == 201 => r
                    .json()
                    .and_then(|v| v.get("id").and_then(Value::as_str).map(String::from)),
                _ => None,
            };
            let mut log = self.log.lock();
            log.exchanges
                .push(exchange(&method, path, body, answer, took));
            log.created.extend(created);
            outcome
        })
    }

    fn real_time(&self) -> bool {
        self.inner.real_time()
    }
}

/// Hands the engine's exchanges to the report, and the users it created to cleanup (they
/// carry the run's prefix), less those it deleted itself.
fn hand_over(runner: &mut Runner, recorded: Recorded) {
    for id in recorded.created {
        runner.created(format!("Users/{id}"));
    }
    for x in &recorded.exchanges {
        let deleted = x.method == "DELETE" && x.status.is_some_and(|s| s < 300 || s == 404);
        if let Some((_, id)) = x.path.rsplit_once("/Users/").filter(|_| deleted) {
            runner.deleted(&format!("Users/{id}"));
        }
    }
    runner.record(recorded.exchanges);
}
