//! The provisioning job: its configuration, its state between cycles (the connector data
//! store of links, the watermark, escrows, quarantine, staged deletes), its schedule, and the
//! public API: test connection, cycles, restart, stop/start, allow deletes, on-demand.

use super::client::TraceEntry;
use super::config::JobConfig;
use super::directory::Directory;
use super::log::{CycleSummary, LogEntry};
use super::mapping::{AttributeMapping, MappingConfig, blink_default_mappings, compile};
use super::policy::{CYCLE_INTERVAL, QUARANTINE_DISABLE_AFTER};
use super::scope::ScopingFilter;
use super::transport::Transport;
use super::wire::Dialect;
use crate::clock::{Clock, VirtualClock};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A source user's link to its target user (the connector data store, HPW).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The target's SCIM id, cached after create or match.
    pub target_id: String,
    /// The target's userName when linked.
    pub user_name: String,
    /// Whether the service manages the user: false once it left scope and was disabled, so a
    /// later delete in the directory sends nothing (HPW known limitations).
    pub managed: bool,
    /// The manager id last exported, if any.
    pub manager: Option<String>,
}

/// An object whose last export failed and is retried on the escrow schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Escrow {
    /// When it first failed.
    pub first_failure: i64,
    /// Failures so far.
    pub failures: u32,
    /// When it is next retried.
    pub next_retry: i64,
    /// The last error code.
    pub code: String,
}

/// Graph `synchronizationStatus.code` (§1.1), plus `Disabled` after four weeks of quarantine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum JobStatus {
    /// Configured, first cycle not run yet.
    NotRun,
    /// Running periodically.
    Active,
    /// Stopped by an administrator; state kept.
    Paused,
    /// Quarantined: cycles slow down gradually to once a day.
    Quarantine,
    /// Quarantined for more than four weeks: no more cycles.
    Disabled,
}

impl JobStatus {
    /// The status code as Graph spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::NotRun => "NotRun",
            JobStatus::Active => "Active",
            JobStatus::Paused => "Paused",
            JobStatus::Quarantine => "Quarantine",
            JobStatus::Disabled => "Disabled",
        }
    }
}

/// Why and since when the job is quarantined (Graph `synchronizationQuarantine`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quarantine {
    /// `EncounteredQuarantineException`, `TooManyDeletes`, `EncounteredEscrowProportionThreshold`, ...
    pub reason: String,
    /// The error that caused it.
    pub message: String,
    /// When this quarantine series began.
    pub series_began: i64,
    /// Times the quarantine was re-evaluated and kept.
    pub series_count: u32,
    /// When the next cycle is attempted.
    pub next_attempt: i64,
}

/// One request of the trace, with the cycle and object it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    /// "1", "2", ... or "on-demand 1".
    pub cycle: String,
    /// The source object (its UPN), or "(test connection)".
    pub object: String,
    /// The attempt.
    #[serde(flatten)]
    pub entry: TraceEntry,
}

/// Errors of the job API.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The configuration does not validate.
    #[error("invalid job configuration: {0}")]
    Config(String),
    /// The job cannot run now.
    #[error("{0}")]
    NotRunnable(String),
    /// A directory object is missing.
    #[error("{0}")]
    Directory(String),
}

/// The result of Test Connection (§7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestConnection {
    /// Whether the endpoint answered 200 with an empty ListResponse.
    pub ok: bool,
    /// The message the portal shows.
    pub message: String,
    /// Whether the failure quarantines the job (credentials, SCIM compliance).
    pub quarantine: bool,
}

/// A simulated Azure AD provisioning job for one target.
pub struct ProvisioningJob {
    pub(super) config: JobConfig,
    pub(super) mappings: Vec<AttributeMapping>,
    pub(super) base_path: String,
    pub(super) dialect: Dialect,
    pub(super) transport: Arc<dyn Transport>,
    pub(super) clock: VirtualClock,
    pub(super) job_id: String,
    pub(super) links: BTreeMap<String, Link>,
    /// Every object ever linked since the last full restart: the portal's connector data
    /// store count, which deletions do not lower (WHEN).
    pub(super) connector_store: BTreeSet<String>,
    pub(super) watermark: Option<u64>,
    pub(super) escrows: BTreeMap<String, Escrow>,
    pub(super) staged: BTreeSet<String>,
    pub(super) force_deletes: bool,
    pub(super) quarantine: Option<Quarantine>,
    pub(super) status: JobStatus,
    pub(super) next_cycle_at: i64,
    pub(super) cycle_number: u32,
    pub(super) on_demand_count: u32,
    pub(super) logs: Vec<LogEntry>,
    pub(super) cycles: Vec<CycleSummary>,
    pub(super) trace: Vec<TraceRecord>,
    pub(super) progress: Option<Progress>,
}

/// Called as a cycle's objects complete, with (done, total), e.g. to draw a progress bar.
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

impl ProvisioningJob {
    /// A job on `transport`, with time from `clock`. Validates mappings and scoping filters.
    pub fn new(
        config: JobConfig,
        transport: Arc<dyn Transport>,
        clock: VirtualClock,
    ) -> Result<Self, EngineError> {
        let mappings = compile(
            config
                .mappings
                .as_deref()
                .unwrap_or(&blink_default_mappings()),
        )
        .map_err(|e| EngineError::Config(e.to_string()))?;
        validate_filters(&config.scoping_filters)?;
        if config.concurrency == 0 {
            return Err(EngineError::Config("concurrency must be at least 1".into()));
        }
        let (base_path, dialect) = config.base_path_and_dialect();
        let mut rng = crate::fakes::rng(config.seed, 10);
        let tenant: u128 = rand::RngExt::random(&mut rng);
        let job_guid = uuid::Builder::from_random_bytes(rand::RngExt::random(&mut rng)).into_uuid();
        let job_id = format!("blink.{tenant:032x}.{job_guid}");
        let now = clock.now_millis();
        Ok(ProvisioningJob {
            config,
            mappings,
            base_path,
            dialect,
            transport,
            clock,
            job_id,
            links: BTreeMap::new(),
            connector_store: BTreeSet::new(),
            watermark: None,
            escrows: BTreeMap::new(),
            staged: BTreeSet::new(),
            force_deletes: false,
            quarantine: None,
            status: JobStatus::NotRun,
            next_cycle_at: now,
            cycle_number: 0,
            on_demand_count: 0,
            logs: Vec::new(),
            cycles: Vec::new(),
            trace: Vec::new(),
            progress: None,
        })
    }

    /// Reports progress within cycles to `progress` (or stops reporting with `None`).
    pub fn set_progress(&mut self, progress: Option<Progress>) {
        self.progress = progress;
    }

    /// The configuration.
    pub fn config(&self) -> &JobConfig {
        &self.config
    }

    /// The job id, `blink.<tenant>.<guid>` (§1.1).
    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    /// The status.
    pub fn status(&self) -> JobStatus {
        self.status
    }

    /// The quarantine, if any.
    pub fn quarantine(&self) -> Option<&Quarantine> {
        self.quarantine.as_ref()
    }

    /// When the next scheduled cycle starts (Unix ms).
    pub fn next_cycle_at(&self) -> i64 {
        self.next_cycle_at
    }

    /// Provisioning log entries so far.
    pub fn logs(&self) -> &[LogEntry] {
        &self.logs
    }

    /// Cycle summaries so far.
    pub fn cycles(&self) -> &[CycleSummary] {
        &self.cycles
    }

    /// Every request sent so far, in a deterministic order: cycle by cycle, object by object.
    pub fn trace(&self) -> &[TraceRecord] {
        &self.trace
    }

    /// Links of the connector data store, by source object id.
    pub fn links(&self) -> &BTreeMap<String, Link> {
        &self.links
    }

    /// Open escrows, by source object id.
    pub fn escrows(&self) -> &BTreeMap<String, Escrow> {
        &self.escrows
    }

    /// Objects held back by the deletion threshold.
    pub fn staged_deletes(&self) -> &BTreeSet<String> {
        &self.staged
    }

    /// The virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// Whether the next cycle is an initial one.
    pub fn next_is_initial(&self) -> bool {
        self.watermark.is_none()
    }

    /// Stops the job: no more cycles until [`start`](Self::start); state is kept (PORTAL).
    pub fn stop(&mut self) {
        if self.status != JobStatus::Disabled {
            self.status = JobStatus::Paused;
        }
    }

    /// Starts a stopped job; it "picks up where it left off".
    pub fn start(&mut self) {
        if self.status == JobStatus::Paused {
            self.status = if self.quarantine.is_some() {
                JobStatus::Quarantine
            } else if self.cycle_number == 0 {
                JobStatus::NotRun
            } else {
                JobStatus::Active
            };
        }
    }

    /// Restart provisioning (§1.4): clears the watermark, escrows, quarantine and staged
    /// deletes; keeps the links (unless `full`, Graph's `resetScope=Full`). The next cycle is
    /// an initial one, due now.
    pub fn restart(&mut self, full: bool) {
        self.watermark = None;
        self.escrows.clear();
        self.quarantine = None;
        self.staged.clear();
        self.force_deletes = false;
        if full {
            self.links.clear();
            self.connector_store.clear();
        }
        if self.status != JobStatus::Paused {
            self.status = if self.cycle_number == 0 {
                JobStatus::NotRun
            } else {
                JobStatus::Active
            };
        }
        self.next_cycle_at = self.clock.now_millis();
    }

    /// "Allow deletes" (ACCDEL): the staged deletions are exported by the next cycle, which is
    /// due now; "the status returns to healthy with the next cycle".
    pub fn allow_deletes(&mut self) {
        self.force_deletes = true;
        self.next_cycle_at = self.clock.now_millis();
    }

    /// Replaces the attribute mappings; like the portal, this restarts provisioning with a new
    /// initial cycle (HPW, QUAR).
    pub fn set_mappings(
        &mut self,
        mappings: Option<Vec<MappingConfig>>,
    ) -> Result<(), EngineError> {
        self.mappings = compile(mappings.as_deref().unwrap_or(&blink_default_mappings()))
            .map_err(|e| EngineError::Config(e.to_string()))?;
        self.config.mappings = mappings;
        self.restart(false);
        Ok(())
    }

    /// Replaces the scoping filters; restarts with a new initial cycle (SCOPE).
    pub fn set_scoping_filters(&mut self, filters: Vec<ScopingFilter>) -> Result<(), EngineError> {
        validate_filters(&filters)?;
        self.config.scoping_filters = filters;
        self.restart(false);
        Ok(())
    }

    /// Changes the scope; the KNOWN issues ask for a restart after it, so it restarts.
    pub fn set_scope(&mut self, scope: super::scope::SyncScope) {
        self.config.scope = scope;
        self.restart(false);
    }

    /// Replaces the secret token (e.g. after a revoked one was renewed).
    pub fn set_secret_token(&mut self, token: &str) {
        self.config.secret_token = token.to_string();
    }

    /// Runs every cycle scheduled up to `until` (Unix ms), moving the clock to each start;
    /// returns how many ran. Stops early when the job is paused or disabled.
    pub async fn run_until(&mut self, dir: &Directory, until: i64) -> usize {
        let mut ran = 0;
        while matches!(
            self.status,
            JobStatus::NotRun | JobStatus::Active | JobStatus::Quarantine
        ) && self.next_cycle_at <= until
        {
            self.clock.advance_to(self.next_cycle_at);
            if self.run_cycle(dir).await.is_err() {
                break;
            }
            ran += 1;
        }
        self.clock.advance_to(until);
        ran
    }

    /// Schedules the next cycle after one that started at `start` and ended at `end`, and
    /// disables the job after four weeks of quarantine.
    pub(super) fn schedule_next(&mut self, start: i64, end: i64) {
        let interval = match &self.quarantine {
            Some(q) => super::policy::quarantine_interval(q.series_count),
            None => CYCLE_INTERVAL,
        };
        let interval = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
        self.next_cycle_at = start.saturating_add(interval).max(end);
        if let Some(q) = &mut self.quarantine {
            q.next_attempt = self.next_cycle_at;
            let limit = i64::try_from(QUARANTINE_DISABLE_AFTER.as_millis()).unwrap_or(i64::MAX);
            if end.saturating_sub(q.series_began) > limit {
                self.status = JobStatus::Disabled;
            }
        }
    }
}

fn validate_filters(filters: &[ScopingFilter]) -> Result<(), EngineError> {
    for (i, f) in filters.iter().enumerate() {
        f.validate()
            .map_err(|e| EngineError::Config(format!("scoping_filters[{i}]: {e}")))?;
    }
    Ok(())
}
