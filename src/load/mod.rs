//! Load benchmarking: `blinksim load` drives the provisioning engine's initial cycle (and
//! incremental cycles with churn) over a generated directory against the embedded tenant or
//! any SCIM endpoint, and measures throughput and latency; `load --raw` is a plain closed-loop
//! HTTP load on one endpoint. Composes the engine and the tenant, like `scenario`.

pub mod raw;
pub(crate) mod report;
pub mod target;
pub(crate) mod timed;

use crate::engine::JobConfig;
use crate::engine::directory::Directory;
use crate::engine::directory::generator::DirectorySpec;
use crate::engine::job::Progress;
use crate::sim::{Connection, SimError, Simulation};
use crate::tenant::{FaultRule, TenantOptions};
use rand::RngExt;
pub use report::{CycleFigures, LoadReport, OpFigures};
use std::sync::Arc;
use std::time::{Duration, Instant};
use timed::Meter;

/// What to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Users in the generated directory.
    pub users: usize,
    /// Seed of the directory and the churn.
    pub seed: u64,
    /// Incremental cycles after the initial one.
    pub incremental: u32,
    /// Percent of users changed before each incremental cycle.
    pub churn: f64,
    /// Requests in flight.
    pub concurrency: usize,
    /// The target (the embedded tenant over loopback HTTP by default).
    pub target: Connection,
    /// Fault rules for the embedded tenant.
    pub faults: Vec<FaultRule>,
    /// Stop after this long (the report says so).
    pub max_duration: Duration,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            users: 10_000,
            seed: 1,
            incremental: 0,
            churn: 5.0,
            concurrency: 32,
            target: Connection::Loopback,
            faults: Vec::new(),
            max_duration: Duration::from_secs(900),
        }
    }
}

/// Why a load could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Bad options.
    #[error("{0}")]
    Options(String),
    /// The directory could not be generated.
    #[error("generating the directory: {0}")]
    Directory(#[from] crate::engine::directory::DirectoryError),
    /// The simulation could not be wired (loopback server, target URL, job).
    #[error("{0}")]
    Setup(SimError),
}

impl From<SimError> for LoadError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Directory(e) => LoadError::Directory(e),
            SimError::Target(message) => LoadError::Options(message),
            SimError::Job(e) => LoadError::Options(e.to_string()),
            other => LoadError::Setup(other),
        }
    }
}

/// Runs the load; `progress` makes a per-cycle progress callback (a bar on a terminal).
pub async fn run(
    options: &LoadOptions,
    progress: Option<&dyn Fn(String) -> Progress>,
) -> Result<LoadReport, LoadError> {
    check_options(options)?;
    let t = Instant::now();
    let dir = crate::engine::directory::generator::generate(&DirectorySpec {
        users: options.users,
        seed: options.seed,
        ..DirectorySpec::default()
    })?;
    let generate_ms = millis(t.elapsed());

    let meter = Meter::default();
    let mut sim = simulation(options, dir, &meter)?;
    let label = match (&options.target, sim.server()) {
        (Connection::Http { url, .. }, _) => url.clone(),
        (_, Some(server)) => format!("embedded tenant over loopback HTTP ({})", server.uri()),
        _ => "embedded tenant, in-process".into(),
    };
    let mut report = LoadReport {
        users: options.users,
        seed: options.seed,
        concurrency: options.concurrency,
        target: label,
        generate_ms,
        cycles: Vec::new(),
        operations: Vec::new(),
        errors: Default::default(),
        stopped: None,
    };
    let deadline = Instant::now() + options.max_duration;
    let mut all = timed::Measurements::default();
    for round in 0..=options.incremental {
        let round = Round {
            number: round,
            deadline,
            progress,
        };
        let m = play_round(&mut sim, options, &round, &meter, &mut report).await;
        merge(&mut all, m);
        if report.stopped.is_some() {
            break;
        }
    }
    report.operations = all
        .latency
        .iter()
        .map(|(op, h)| OpFigures::new(op.label(), h))
        .collect();
    report.errors = all.errors;
    if let Some(server) = sim.into_parts().server {
        server.shutdown().await;
    }
    Ok(report)
}

fn check_options(options: &LoadOptions) -> Result<(), LoadError> {
    if options.concurrency == 0 {
        return Err(LoadError::Options(
            "--concurrency must be at least 1".into(),
        ));
    }
    if !(0.0..=100.0).contains(&options.churn) {
        return Err(LoadError::Options(
            "--churn is a percentage, 0 to 100".into(),
        ));
    }
    Ok(())
}

/// The load's world: logs and journal not kept, every request measured by `meter`.
fn simulation(
    options: &LoadOptions,
    dir: Directory,
    meter: &Meter,
) -> Result<Simulation, LoadError> {
    let wrapping = meter.clone();
    Ok(Simulation::builder()
        .tenant_options(TenantOptions {
            journal_capacity: 0,
            ..TenantOptions::default()
        })
        .directory(dir)
        .job(JobConfig {
            concurrency: options.concurrency,
            // Entries are built but not kept: a load measures the engine, not its memory.
            retain_logs: false,
            retain_trace: false,
            ..JobConfig::default()
        })
        .seed(options.seed)
        .timeout(Duration::from_secs(60))
        .connection(options.target.clone())
        .faults(options.faults.clone())
        .wrap_transport(move |inner| Arc::new(wrapping.wrap(inner)))
        .build()?)
}

/// Which cycle of the load is played, and until when.
struct Round<'a> {
    /// 0 for the initial cycle.
    number: u32,
    deadline: Instant,
    progress: Option<&'a dyn Fn(String) -> Progress>,
}

/// Plays one cycle of the load and records it in `report`; returns what the meter measured.
async fn play_round(
    sim: &mut Simulation,
    options: &LoadOptions,
    round: &Round<'_>,
    meter: &Meter,
    report: &mut LoadReport,
) -> timed::Measurements {
    let (round, deadline, progress) = (round.number, round.deadline, round.progress);
    let changed = if round == 0 {
        0
    } else {
        churn(sim.directory_mut(), options, round)
    };
    if let Some(make) = progress {
        let what = if round == 0 {
            "initial cycle".to_string()
        } else {
            format!("incremental cycle {round}")
        };
        sim.job_mut().set_progress(Some(make(what)));
    }
    let started = Instant::now();
    let remaining = deadline.saturating_duration_since(started);
    let result = tokio::time::timeout(remaining, sim.next_cycle())
        .await
        .map(|r| r.cloned());
    let real = started.elapsed();
    sim.job_mut().set_progress(None);
    let m = meter.take();
    match result {
        Ok(Ok(summary)) => {
            report
                .cycles
                .push(CycleFigures::new(&summary, changed, real, m.requests()));
        }
        Ok(Err(e)) => report.stopped = Some(format!("the cycle could not run: {e}")),
        Err(_) => {
            report.stopped = Some(format!(
                "stopped at the time limit ({}s)",
                options.max_duration.as_secs()
            ))
        }
    }
    m
}

fn merge(into: &mut timed::Measurements, from: timed::Measurements) {
    for (op, h) in from.latency {
        into.latency.entry(op).or_default().merge(&h);
    }
    for (code, n) in from.errors {
        *into.errors.entry(code).or_default() += n;
    }
}

/// Changes the job title of `churn` percent of the users (seeded); returns how many.
fn churn(dir: &mut Directory, options: &LoadOptions, round: u32) -> usize {
    let mut rng = crate::fakes::rng(options.seed, 100 + u64::from(round));
    let ids: Vec<String> = dir
        .users()
        .iter()
        .filter(|r| !r.is_soft_deleted() && !r.is_hard_deleted())
        .map(|r| r.user.object_id.clone())
        .collect();
    let mut changed = 0;
    for id in ids {
        if rng.random::<f64>() * 100.0 < options.churn {
            let title = format!("Title r{round}");
            if dir.set_attribute(&id, "jobTitle", Some(title)).is_ok() {
                changed += 1;
            }
        }
    }
    changed
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
