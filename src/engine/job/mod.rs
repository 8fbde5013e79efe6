//! The provisioning job: its configuration, its state between cycles (the connector data
//! store of links, the watermark, escrows, quarantine, staged deletes), its schedule, and the
//! public API: test connection, cycles, restart, stop/start, allow deletes, on-demand.

mod state;
mod status;

pub(crate) use state::{JobState, LinkChange};
pub use status::{
    EntryCount, Schedule, ScheduleState, StatusCode, SyncError, SyncProgress, SyncQuarantine,
    SynchronizationJob, SynchronizationStatus, TaskExecution,
};

use super::client::{ScimClient, TraceEntry};
use super::config::JobConfig;
use super::directory::Directory;
use super::failure::FailureCode;
use super::log::{CycleSummary, LogEntry, Parties, PartyIds};
use super::mapping::{
    AttributeMapping, MappingConfig, MappingError, blink_default_mappings, compile,
};
use super::names::names;
use super::scope::{FilterError, ScopingFilter};
use super::transport::Transport;
use super::wire::Dialect;
use crate::clock::{Clock, VirtualClock, from_unix_millis, unix_millis};
use rand::RngExt;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

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

/// A source group's link to its target group (the connector data store, §3.7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupLink {
    /// The target group's SCIM id.
    pub target_id: String,
    /// The display name last exported (a difference is a rename).
    pub display_name: String,
    /// Members exported: source user object id to target user id (SCIMDEV: member values are
    /// the ids recorded for users).
    pub members: BTreeMap<String, String>,
    /// Members found out of scope: with the known issue on, their coming back into scope is
    /// not noticed until a restart (KNOWN "Member of group not provisioned", rulings.md R7).
    pub out_of_scope: BTreeSet<String>,
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
    pub code: FailureCode,
}

names! {
    /// Why a job is quarantined (Graph `synchronizationQuarantine.reason`; QUAR, ACCDEL).
    pub enum QuarantineReason ("quarantine reason") {
        /// Invalid credentials or a SCIM compliance issue at test connection.
        EncounteredQuarantineException,
        /// More deletions than the accidental-deletion threshold.
        TooManyDeletes,
        /// More failures of any kind than the absolute threshold.
        EncounteredTotalEscrowThreshold,
        /// More object failures than the maximum.
        EncounteredBaseEscrowThreshold,
        /// Too large a share of object failures.
        EncounteredEscrowProportionThreshold,
    }
}

names! {
    /// What a restart clears (Graph `synchronizationJobRestartCriteria.resetScope`, §1.4).
    pub enum ResetScope ("reset scope") {
        /// Re-evaluate every user: the next cycle is an initial one.
        Watermark,
        /// Stop retrying failures.
        Escrows,
        /// Lift the quarantine.
        QuarantineState,
        /// Forget the links to target users ("DO NOT USE").
        ConnectorDataStore,
        /// Export the deletions held back by the deletion threshold.
        ForceDeletes,
        /// All of the above.
        Full,
    }
}

/// Why and since when the job is quarantined: Graph `synchronizationQuarantine` (§1.1, §4.3),
/// times in Unix ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quarantine {
    /// "the quarantine was last evaluated and imposed".
    pub current_began: i64,
    /// When the next cycle re-evaluates it.
    pub next_attempt: i64,
    /// Why.
    pub reason: QuarantineReason,
    /// "first imposed in this series (a series starts when a quarantine is first imposed, and
    /// is reset as soon as the quarantine is lifted)".
    pub series_began: i64,
    /// Times in this series the quarantine was re-evaluated and left in effect.
    pub series_count: u32,
    /// The error that put the job into quarantine.
    pub error: SyncError,
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
    /// An attribute mapping does not compile.
    #[error("invalid job configuration: {0}")]
    Mapping(#[from] MappingError),
    /// A scoping filter does not validate.
    #[error("invalid job configuration: scoping_filters[{index}]: {source}")]
    ScopingFilter {
        /// Which filter.
        index: usize,
        /// What is wrong with it.
        source: FilterError,
    },
    /// `concurrency` is 0.
    #[error("invalid job configuration: concurrency must be at least 1")]
    ZeroConcurrency,
    /// A cycle was asked of a stopped job.
    #[error("the job is stopped; start it first")]
    Stopped,
    /// A cycle was asked of a job disabled by quarantine.
    #[error("the job was disabled after four weeks in quarantine; restart it")]
    Disabled,
    /// On-demand provisioning of a user the directory does not have.
    #[error("no user '{0}' in the directory")]
    UnknownUser(String),
    /// On-demand provisioning of a group the directory does not have.
    #[error("no group '{0}' in the directory")]
    UnknownGroup(String),
    /// A group on demand with a member it does not have.
    #[error("'{member}' is not a direct member of group '{group}'")]
    NotAMember {
        /// The group.
        group: String,
        /// The member named.
        member: String,
    },
    /// A group on demand with more members than the API accepts (POD).
    #[error("{0} members: on-demand provisioning accepts a single group with up to 5 members")]
    TooManyOnDemandMembers(usize),
    /// A group on demand while the job does not provision groups.
    #[error("the job does not provision groups (provision_groups is off)")]
    GroupsNotProvisioned,
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
    config: JobConfig,
    mappings: Vec<AttributeMapping>,
    base_path: String,
    dialect: Dialect,
    transport: Arc<dyn Transport>,
    clock: VirtualClock,
    job_id: String,
    parties: Parties,
    state: JobState,
    progress: Option<Progress>,
    /// A scope change waiting for a restart (known issue, rulings.md R7).
    pending_scope: Option<super::scope::SyncScope>,
}

/// Called as a cycle's pages complete, with the progress as Graph counts it (in pages,
/// §1.1 `synchronizationProgress`), e.g. to draw a progress bar.
pub type Progress = Arc<dyn Fn(&SyncProgress) + Send + Sync>;

impl ProvisioningJob {
    /// A job on `transport`, with time from `clock`. Validates mappings and scoping filters.
    pub fn new(
        config: JobConfig,
        transport: Arc<dyn Transport>,
        clock: VirtualClock,
    ) -> Result<Self, EngineError> {
        let mappings = compile_mappings(config.mappings.as_deref())?;
        validate_filters(&config)?;
        if config.concurrency == 0 {
            return Err(EngineError::ZeroConcurrency);
        }
        let (base_path, dialect) = config.base_path_and_dialect();
        let mut rng = crate::fakes::rng(config.seed, 10);
        let tenant: u128 = rng.random();
        let job_guid = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
        let job_id = format!("blink.{tenant:032x}.{job_guid}");
        // Drawn after the job id, so seeded job ids stay as they were.
        let mut guid = || uuid::Builder::from_random_bytes(rng.random()).into_uuid();
        let ids = PartyIds {
            tenant: uuid::Uuid::from_u128(tenant),
            application: guid(),
            service_principal: guid(),
            source_system: guid(),
            target_system: guid(),
        };
        let parties = Parties::new(ids, &config.target_system);
        let state = JobState::new(clock.now_millis());
        Ok(ProvisioningJob {
            config,
            mappings,
            base_path,
            dialect,
            transport,
            clock,
            job_id,
            parties,
            state,
            progress: None,
            pending_scope: None,
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

    /// The tenant, service principal and systems its log entries name (§5.2).
    pub fn parties(&self) -> &Parties {
        &self.parties
    }

    /// Whether cycles run: the schedule is active, not paused or disabled.
    pub fn runnable(&self) -> bool {
        self.state.runnable()
    }

    /// The quarantine, if any.
    pub fn quarantine(&self) -> Option<&Quarantine> {
        self.state.quarantine()
    }

    /// Escrows dropped after 28 days since the last restart (Graph `escrowsPruned`).
    pub fn escrows_pruned(&self) -> u64 {
        self.state.escrows_pruned()
    }

    /// When the next scheduled cycle starts.
    pub fn next_cycle_at(&self) -> OffsetDateTime {
        from_unix_millis(self.state.next_cycle_at())
    }

    /// When the next scheduled cycle starts, Unix milliseconds.
    pub(crate) fn next_cycle_millis(&self) -> i64 {
        self.state.next_cycle_at()
    }

    /// Provisioning log entries so far.
    pub fn logs(&self) -> &[LogEntry] {
        self.state.logs()
    }

    /// Cycle summaries so far.
    pub fn cycles(&self) -> &[CycleSummary] {
        self.state.cycles()
    }

    /// Every request sent so far, in a deterministic order: cycle by cycle, object by object.
    pub fn trace(&self) -> &[TraceRecord] {
        self.state.trace()
    }

    /// Links of the connector data store, by source object id.
    pub fn links(&self) -> &BTreeMap<String, Link> {
        self.state.links()
    }

    /// Group links of the connector data store, by source group object id.
    pub fn group_links(&self) -> &BTreeMap<String, GroupLink> {
        self.state.group_links()
    }

    /// Open escrows, by source object id.
    pub fn escrows(&self) -> &BTreeMap<String, Escrow> {
        self.state.escrows()
    }

    /// Objects held back by the deletion threshold.
    pub fn staged_deletes(&self) -> &BTreeSet<String> {
        self.state.staged()
    }

    /// The virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// Whether the next cycle is an initial one.
    pub fn next_is_initial(&self) -> bool {
        self.state.watermark().is_none()
    }

    /// Stops the job: no more cycles until [`start`](Self::start); state is kept (PORTAL).
    pub fn stop(&mut self) {
        self.state.stop();
    }

    /// Stop (or provisioning Off) arriving at `at`, e.g. while a long cycle runs:
    /// "the current provisioning cycle continues running until completion" and no cycle
    /// starts after it (known-issues.md, rulings.md R7); with `stop_finishes_cycle` off the
    /// cycle ends at `at`. Not later than now, it stops the job at once.
    pub fn stop_at(&mut self, at: OffsetDateTime) {
        self.stop_at_millis(unix_millis(at));
    }

    /// [`Self::stop_at`] in Unix milliseconds.
    pub(crate) fn stop_at_millis(&mut self, at: i64) {
        if at <= self.clock.now_millis() {
            self.stop();
        } else {
            self.state.request_stop(at);
        }
    }

    /// The instant a requested stop arrives, if one is pending.
    pub fn pending_stop(&self) -> Option<OffsetDateTime> {
        self.state.stop_at().map(from_unix_millis)
    }

    /// Stops the job if its requested stop has arrived by the clock's now; returns whether
    /// it did.
    pub fn stop_if_due(&mut self) -> bool {
        self.state.stop_if_due(self.clock.now_millis())
    }

    /// Starts a stopped job; it "picks up where it left off". Cancels a pending stop.
    pub fn start(&mut self) {
        self.state.start();
    }

    /// Restart provisioning (§1.4) with Graph's reset scopes; empty is the portal's Restart
    /// (watermark, escrows and quarantine cleared, links kept). The next cycle is due now.
    pub fn restart(&mut self, scopes: &[ResetScope]) {
        if let Some(scope) = self.pending_scope.take() {
            self.config.scope = scope;
        }
        self.state.restart(scopes, self.clock.now_millis());
    }

    /// "Allow deletes" (ACCDEL): the staged deletions are exported by the next cycle, which is
    /// due now; "the status returns to healthy with the next cycle".
    pub fn allow_deletes(&mut self) {
        self.state.allow_deletes(self.clock.now_millis());
    }

    /// Replaces the attribute mappings; like the portal, this restarts provisioning with a new
    /// initial cycle (HPW, QUAR).
    pub fn set_mappings(
        &mut self,
        mappings: Option<Vec<MappingConfig>>,
    ) -> Result<(), EngineError> {
        self.mappings = compile_mappings(mappings.as_deref())?;
        self.config.mappings = mappings;
        self.restart(&[]);
        Ok(())
    }

    /// Replaces the scoping filters; restarts with a new initial cycle (SCOPE).
    pub fn set_scoping_filters(&mut self, filters: Vec<ScopingFilter>) -> Result<(), EngineError> {
        let previous = std::mem::replace(&mut self.config.scoping_filters, filters);
        if let Err(e) = validate_filters(&self.config) {
            self.config.scoping_filters = previous;
            return Err(e);
        }
        self.restart(&[]);
        Ok(())
    }

    /// Changes the scope, with a restart; except that Sync All -> Sync Assigned waits for
    /// the next restart while that known issue is on (known-issues.md, rulings.md R7).
    pub fn set_scope(&mut self, scope: super::scope::SyncScope) {
        use super::scope::SyncScope;
        if self.config.known_issues.scope_change_needs_restart
            && self.config.scope == SyncScope::All
            && scope == SyncScope::AssignedOnly
        {
            self.pending_scope = Some(scope);
            return;
        }
        self.pending_scope = None;
        self.config.scope = scope;
        self.restart(&[]);
    }

    /// Replaces the secret token (e.g. after a revoked one was renewed).
    pub fn set_secret_token(&mut self, token: &str) {
        self.config.secret_token = token.to_string();
    }

    /// Runs every cycle scheduled up to `until`, moving the clock to each start; returns how
    /// many ran. Stops early when the job is paused or disabled.
    pub async fn run_until(&mut self, dir: &Directory, until: OffsetDateTime) -> usize {
        let until = unix_millis(until);
        let mut ran = 0;
        while self.state.runnable() && self.state.next_cycle_at() <= until {
            self.clock.advance_to_millis(self.state.next_cycle_at());
            if self.run_cycle(dir).await.is_err() {
                break;
            }
            ran += 1;
        }
        self.clock.advance_to_millis(until);
        self.stop_if_due();
        ran
    }

    /// The compiled mappings.
    pub(crate) fn mappings(&self) -> &[AttributeMapping] {
        &self.mappings
    }

    /// The state between cycles, to read.
    pub(crate) fn state(&self) -> &JobState {
        &self.state
    }

    /// The state between cycles, to change.
    pub(crate) fn state_mut(&mut self) -> &mut JobState {
        &mut self.state
    }

    /// The progress callback, if any.
    pub(crate) fn progress(&self) -> Option<Progress> {
        self.progress.clone()
    }

    /// The PATCH dialect the job's configuration selects.
    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A SCIM client for the job's target.
    pub(crate) fn client(&self) -> ScimClient<'_> {
        ScimClient {
            transport: &*self.transport,
            base_path: self.base_path.clone(),
            token: self.config.secret_token.clone(),
            retry: self.config.retry,
            request_latency: Duration::from_millis(self.config.request_latency_ms),
            keep_trace: self.config.retain_trace,
        }
    }

    /// Keeps `entries` in the trace, when the trace is retained.
    pub(crate) fn record_trace(&mut self, cycle: &str, object: &str, entries: Vec<TraceEntry>) {
        if self.config.retain_trace {
            self.state.record_trace(cycle, object, entries);
        }
    }

    /// Keeps a log entry, when logs are retained.
    pub(crate) fn push_log(&mut self, entry: LogEntry) {
        if self.config.retain_logs {
            self.state.push_log(entry);
        }
    }

    /// A GUID that depends only on the seed, a stream and a number (cycle and change ids).
    pub(crate) fn seeded_guid(&self, stream: u64, n: u64) -> String {
        let mut rng = crate::fakes::rng(
            self.config.seed ^ 0x5eed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            stream,
        );
        uuid::Builder::from_random_bytes(rng.random())
            .into_uuid()
            .to_string()
    }
}

fn compile_mappings(
    mappings: Option<&[MappingConfig]>,
) -> Result<Vec<AttributeMapping>, EngineError> {
    Ok(compile(mappings.unwrap_or(&blink_default_mappings()))?)
}

fn validate_filters(config: &JobConfig) -> Result<(), EngineError> {
    let refuse = config.known_issues.refuse_unsupported_scoping_attributes;
    for (index, f) in config.scoping_filters.iter().enumerate() {
        f.validate_with(refuse)
            .map_err(|source| EngineError::ScopingFilter { index, source })?;
    }
    Ok(())
}
