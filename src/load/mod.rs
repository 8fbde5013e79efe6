//! Load benchmarking: `blinksim load` drives the provisioning engine's initial cycle (and
//! incremental cycles with churn) over a generated directory against the embedded tenant or
//! any SCIM endpoint, and measures throughput and latency; `load --raw` is a plain closed-loop
//! HTTP load on one endpoint. Composes the engine and the tenant, like `scenario`.

pub mod raw;
pub mod report;
pub mod timed;

use crate::clock::VirtualClock;
use crate::engine::directory::Directory;
use crate::engine::directory::generator::{DirectorySpec, generate};
use crate::engine::job::Progress;
use crate::engine::transport::{HttpTransport, Transport};
use crate::engine::{JobConfig, ProvisioningJob};
use crate::scenario::TenantTransport;
use crate::tenant::{FaultRule, MockTenant, Tenant, TenantOptions};
use rand::RngExt;
use report::{CycleFigures, LoadReport, OpFigures};
use std::sync::Arc;
use std::time::{Duration, Instant};
use timed::TimedTransport;

/// 2026-01-15T09:00:00Z, the virtual start.
const START: i64 = 1_768_467_600_000;

/// Where the requests go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LoadTarget {
    /// The embedded tenant, served over HTTP on a loopback port of this process.
    #[default]
    Loopback,
    /// The embedded tenant called in-process: no HTTP, the engine and tenant alone.
    InProcess,
    /// A SCIM endpoint (tenant URL and bearer token).
    Remote {
        /// Tenant URL, e.g. `http://127.0.0.1:8080/scim`.
        url: String,
        /// Bearer token.
        token: String,
    },
}

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
    /// The target.
    pub target: LoadTarget,
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
            target: LoadTarget::Loopback,
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
    Directory(String),
    /// The loopback server could not start.
    #[error("starting the loopback tenant: {0}")]
    Server(std::io::Error),
}

impl From<crate::engine::transport::OriginError> for LoadError {
    fn from(e: crate::engine::transport::OriginError) -> Self {
        LoadError::Options(e.to_string())
    }
}

/// Runs the load; `progress` makes a per-cycle progress callback (a bar on a terminal).
pub async fn run(
    options: &LoadOptions,
    progress: Option<&dyn Fn(String) -> Progress>,
) -> Result<LoadReport, LoadError> {
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
    let t = Instant::now();
    let mut dir = generate(&DirectorySpec {
        users: options.users,
        seed: options.seed,
        ..DirectorySpec::default()
    })
    .map_err(|e| LoadError::Directory(e.to_string()))?;
    let generate_ms = millis(t.elapsed());

    let clock = VirtualClock::new(START);
    let timeout = Duration::from_secs(60);
    let mut server = None;
    let (inner, url, token, label): (Arc<dyn Transport>, String, String, String) = match &options
        .target
    {
        LoadTarget::Remote { url, token } => {
            let config = JobConfig {
                tenant_url: url.clone(),
                ..JobConfig::default()
            };
            let transport =
                HttpTransport::new(&config.origin(), timeout).map_err(LoadError::from)?;
            (Arc::new(transport), url.clone(), token.clone(), url.clone())
        }
        embedded => {
            let tenant = Tenant::with_clock(
                TenantOptions {
                    seed: options.seed,
                    journal_capacity: 0,
                    ..TenantOptions::default()
                },
                Arc::new(clock.clone()),
            );
            tenant.add_faults(options.faults.clone());
            let token = tenant.options().token.clone();
            if *embedded == LoadTarget::InProcess {
                let url = crate::engine::BLINK_TENANT_URL.to_string();
                let transport = Arc::new(TenantTransport::new(tenant, timeout));
                (transport, url, token, "embedded tenant, in-process".into())
            } else {
                let started = MockTenant::start_with(tenant, ([127, 0, 0, 1], 0).into())
                    .await
                    .map_err(LoadError::Server)?;
                let url = started.uri();
                let origin = started.origin();
                server = Some(started);
                let transport = HttpTransport::new(&origin, timeout).map_err(LoadError::from)?;
                let label = format!("embedded tenant over loopback HTTP ({url})");
                (Arc::new(transport), url, token, label)
            }
        }
    };
    let timed = Arc::new(TimedTransport::new(inner));
    let config = JobConfig {
        tenant_url: url,
        secret_token: token,
        concurrency: options.concurrency,
        seed: options.seed,
        // Entries are built but not kept: a load measures the engine, not its memory.
        retain_logs: false,
        retain_trace: false,
        ..JobConfig::default()
    };
    let mut job = ProvisioningJob::new(config, timed.clone(), clock.clone())
        .map_err(|e| LoadError::Options(e.to_string()))?;

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
        let changed = if round == 0 {
            0
        } else {
            churn(&mut dir, options, round)
        };
        clock.advance_to(job.next_cycle_at());
        if let Some(make) = progress {
            let what = if round == 0 {
                "initial cycle".to_string()
            } else {
                format!("incremental cycle {round}")
            };
            job.set_progress(Some(make(what)));
        }
        let started = Instant::now();
        let remaining = deadline.saturating_duration_since(started);
        let result = tokio::time::timeout(remaining, job.run_cycle(&dir))
            .await
            .map(|r| r.cloned());
        let real = started.elapsed();
        job.set_progress(None);
        let m = timed.take();
        match result {
            Ok(Ok(summary)) => {
                report
                    .cycles
                    .push(CycleFigures::new(&summary, changed, real, m.requests()));
            }
            Ok(Err(e)) => {
                report.stopped = Some(format!("the cycle could not run: {e}"));
            }
            Err(_) => {
                report.stopped = Some(format!(
                    "stopped at the time limit ({}s)",
                    options.max_duration.as_secs()
                ));
            }
        }
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
    if let Some(server) = server {
        server.shutdown().await;
    }
    Ok(report)
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
