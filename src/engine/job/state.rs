//! What a job remembers between cycles (the connector data store of links, the watermark,
//! escrows, quarantine, staged deletes, the schedule) and what it has produced (logs, cycle
//! summaries, the request trace). Changed only through the methods here.

use super::{Escrow, JobStatus, Link, Quarantine, QuarantineReason, ResetScope, TraceRecord};
use crate::engine::client::TraceEntry;
use crate::engine::failure::FailureCode;
use crate::engine::log::{CycleSummary, LogEntry};
use crate::engine::policy::{self, CYCLE_INTERVAL, QUARANTINE_DISABLE_AFTER};
use std::collections::{BTreeMap, BTreeSet};

/// How an object's link changes after its export.
#[derive(Clone, Debug)]
pub(crate) enum LinkChange {
    /// Unchanged.
    Keep,
    /// Linked (created, matched, or its `managed` flag changed).
    Set(Link),
    /// Forgotten (deleted, or deleted in the directory while unmanaged).
    Remove,
}

/// The job's state between cycles and its records.
pub(crate) struct JobState {
    links: BTreeMap<String, Link>,
    /// Every object ever linked since the last full restart: the portal's connector data
    /// store count, which deletions do not lower (WHEN).
    connector_store: BTreeSet<String>,
    watermark: Option<u64>,
    escrows: BTreeMap<String, Escrow>,
    staged: BTreeSet<String>,
    force_deletes: bool,
    quarantine: Option<Quarantine>,
    /// When the current quarantine (this reason) began.
    quarantine_current_began: Option<i64>,
    /// Escrows of this cycle that were retried and succeeded (R4 lifts quarantine on one).
    retries_succeeded: u64,
    /// Escrows dropped after 28 days (Graph `escrowsPruned`).
    escrows_pruned: u64,
    status: JobStatus,
    next_cycle_at: i64,
    cycle_number: u32,
    on_demand_count: u32,
    logs: Vec<LogEntry>,
    cycles: Vec<CycleSummary>,
    trace: Vec<TraceRecord>,
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl JobState {
    /// A job that has not run, its first cycle due at `now`.
    pub(crate) fn new(now: i64) -> Self {
        JobState {
            links: BTreeMap::new(),
            connector_store: BTreeSet::new(),
            watermark: None,
            escrows: BTreeMap::new(),
            staged: BTreeSet::new(),
            force_deletes: false,
            quarantine: None,
            quarantine_current_began: None,
            retries_succeeded: 0,
            escrows_pruned: 0,
            status: JobStatus::NotRun,
            next_cycle_at: now,
            cycle_number: 0,
            on_demand_count: 0,
            logs: Vec::new(),
            cycles: Vec::new(),
            trace: Vec::new(),
        }
    }

    pub(crate) fn links(&self) -> &BTreeMap<String, Link> {
        &self.links
    }

    /// The link of a source object, if it is still managed.
    pub(crate) fn managed_link(&self, object_id: &str) -> Option<&Link> {
        self.links.get(object_id).filter(|l| l.managed)
    }

    pub(crate) fn watermark(&self) -> Option<u64> {
        self.watermark
    }

    pub(crate) fn escrows(&self) -> &BTreeMap<String, Escrow> {
        &self.escrows
    }

    pub(crate) fn staged(&self) -> &BTreeSet<String> {
        &self.staged
    }

    pub(crate) fn quarantine(&self) -> Option<&Quarantine> {
        self.quarantine.as_ref()
    }

    /// When the current quarantine began (a new reason begins a new one in the same series).
    pub(crate) fn quarantine_current_began(&self) -> Option<i64> {
        self.quarantine_current_began
    }

    /// Escrowed objects whose retry succeeded in the cycle running or last run.
    pub(crate) fn retries_succeeded(&self) -> u64 {
        self.retries_succeeded
    }

    /// Escrows dropped after 28 days since the last restart.
    pub(crate) fn escrows_pruned(&self) -> u64 {
        self.escrows_pruned
    }

    pub(crate) fn status(&self) -> JobStatus {
        self.status
    }

    pub(crate) fn next_cycle_at(&self) -> i64 {
        self.next_cycle_at
    }

    pub(crate) fn cycle_number(&self) -> u32 {
        self.cycle_number
    }

    pub(crate) fn logs(&self) -> &[LogEntry] {
        &self.logs
    }

    pub(crate) fn cycles(&self) -> &[CycleSummary] {
        &self.cycles
    }

    pub(crate) fn trace(&self) -> &[TraceRecord] {
        &self.trace
    }

    /// Whether a cycle may run now: not paused, not disabled.
    pub(crate) fn runnable(&self) -> bool {
        matches!(
            self.status,
            JobStatus::NotRun | JobStatus::Active | JobStatus::Quarantine
        )
    }

    /// Numbers the next cycle (1-based).
    pub(crate) fn begin_cycle(&mut self) -> u32 {
        self.retries_succeeded = 0;
        self.cycle_number += 1;
        self.cycle_number
    }

    /// Numbers the next on-demand run (1-based).
    pub(crate) fn begin_on_demand(&mut self) -> u32 {
        self.on_demand_count += 1;
        self.on_demand_count
    }

    /// Takes the "allow deletes" permission: it covers one cycle.
    pub(crate) fn take_force_deletes(&mut self) -> bool {
        std::mem::take(&mut self.force_deletes)
    }

    /// Records a link change of `object_id` in the connector data store.
    pub(crate) fn change_link(&mut self, object_id: &str, change: LinkChange) {
        match change {
            LinkChange::Keep => {}
            LinkChange::Set(link) => {
                self.connector_store.insert(object_id.to_string());
                self.links.insert(object_id.to_string(), link);
            }
            LinkChange::Remove => {
                self.links.remove(object_id);
            }
        }
    }

    /// Remembers the manager now in the target for a linked object.
    pub(crate) fn set_link_manager(&mut self, object_id: &str, manager: Option<String>) {
        if let Some(link) = self.links.get_mut(object_id) {
            link.manager = manager;
        }
    }

    /// Marks an object held back (or no longer held back) by the deletion threshold.
    pub(crate) fn set_staged(&mut self, object_id: &str, staged: bool) {
        if staged {
            self.staged.insert(object_id.to_string());
        } else {
            self.staged.remove(object_id);
        }
    }

    /// Counts one more failure of `object_id` at `at` in a cycle that started at `start`;
    /// returns the failures so far and the next retry, or `None` when escrow gave up
    /// (the escrow is then closed).
    pub(crate) fn escrow_failure(
        &mut self,
        object_id: &str,
        code: FailureCode,
        at: i64,
        start: i64,
    ) -> Option<(u32, i64)> {
        let e = self.escrows.entry(object_id.to_string()).or_insert(Escrow {
            first_failure: at,
            failures: 0,
            next_retry: at,
            code,
        });
        e.failures += 1;
        e.code = code;
        let next_cycle = start.saturating_add(millis(CYCLE_INTERVAL));
        match policy::escrow_next_retry(e.first_failure, e.failures, next_cycle) {
            Some(next) => {
                e.next_retry = next;
                Some((e.failures, next))
            }
            None => {
                // "The retries will go on for 28 days after the first failure after which the
                // escrow entry is removed and the job is disabled" (QUAR; rulings.md R4).
                self.escrows.remove(object_id);
                self.escrows_pruned += 1;
                self.status = JobStatus::Disabled;
                None
            }
        }
    }

    /// Closes the escrow of `object_id`, if any, after it succeeded.
    pub(crate) fn clear_escrow(&mut self, object_id: &str) {
        if self.escrows.remove(object_id).is_some() {
            self.retries_succeeded += 1;
        }
    }

    /// Enters (or stays in) quarantine for `reason`.
    pub(crate) fn enter_quarantine(&mut self, reason: QuarantineReason, message: &str, at: i64) {
        if self.quarantine.as_ref().is_none_or(|q| q.reason != reason) {
            self.quarantine_current_began = Some(at);
        }
        match &mut self.quarantine {
            Some(q) => {
                q.reason = reason;
                q.message = message.to_string();
                q.series_count += 1;
            }
            None => {
                self.quarantine = Some(Quarantine {
                    reason,
                    message: message.into(),
                    series_began: at,
                    series_count: 0,
                    next_attempt: at,
                });
            }
        }
    }

    /// Leaves quarantine.
    pub(crate) fn clear_quarantine(&mut self) {
        self.quarantine = None;
        self.quarantine_current_began = None;
    }

    /// Leaves quarantine when it is for `reason`.
    pub(crate) fn clear_quarantine_for(&mut self, reason: QuarantineReason) {
        if self.quarantine.as_ref().is_some_and(|q| q.reason == reason) {
            self.clear_quarantine();
        }
    }

    /// Ends a cycle that started at `start` and ended at `end`: the status after it, the
    /// next cycle's start, and the summary's job fields; returns the summary kept.
    pub(crate) fn end_cycle(
        &mut self,
        mut summary: CycleSummary,
        start: i64,
        end: i64,
    ) -> &CycleSummary {
        if self.status != JobStatus::Disabled {
            self.status = if self.quarantine.is_some() {
                JobStatus::Quarantine
            } else {
                JobStatus::Active
            };
        }
        self.schedule_next(start, end);
        summary.escrowed = self.escrows.len() as u64;
        // WHEN: the count "doesn't go down if a user is soft-deleted or hard-deleted".
        summary.users_in_connector_data_store = self.connector_store.len() as u64;
        summary.job_status = self.status;
        summary.quarantine = self.quarantine.as_ref().map(|q| q.reason);
        let index = self.cycles.len();
        self.cycles.push(summary);
        &self.cycles[index]
    }

    /// Schedules the next cycle after one that started at `start` and ended at `end`, and
    /// disables the job after four weeks of quarantine.
    fn schedule_next(&mut self, start: i64, end: i64) {
        let interval = match &self.quarantine {
            Some(q) => policy::quarantine_interval(q.series_count),
            None => CYCLE_INTERVAL,
        };
        self.next_cycle_at = start.saturating_add(millis(interval)).max(end);
        if let Some(q) = &mut self.quarantine {
            q.next_attempt = self.next_cycle_at;
            if end.saturating_sub(q.series_began) > millis(QUARANTINE_DISABLE_AFTER) {
                self.status = JobStatus::Disabled;
            }
        }
    }

    /// Keeps a log entry.
    pub(crate) fn push_log(&mut self, entry: LogEntry) {
        self.logs.push(entry);
    }

    /// Keeps the requests sent for `object` in `cycle`.
    pub(crate) fn record_trace(&mut self, cycle: &str, object: &str, entries: Vec<TraceEntry>) {
        self.trace
            .extend(entries.into_iter().map(|entry| TraceRecord {
                cycle: cycle.to_string(),
                object: object.to_string(),
                entry,
            }));
    }

    /// Stops the job (PORTAL): no more cycles until started; state is kept.
    pub(crate) fn stop(&mut self) {
        if self.status != JobStatus::Disabled {
            self.status = JobStatus::Paused;
        }
    }

    /// Starts a stopped job; it "picks up where it left off".
    pub(crate) fn start(&mut self) {
        if self.status == JobStatus::Paused {
            self.status = if self.quarantine.is_some() {
                JobStatus::Quarantine
            } else {
                self.idle_status()
            };
        }
    }

    fn idle_status(&self) -> JobStatus {
        if self.cycle_number == 0 {
            JobStatus::NotRun
        } else {
            JobStatus::Active
        }
    }

    /// Restart provisioning (§1.4) with Graph's reset scopes; none is the portal's Restart
    /// (QuarantineState, Watermark, Escrows). The next cycle is due at `now`.
    pub(crate) fn restart(&mut self, scopes: &[ResetScope], now: i64) {
        let portal = [
            ResetScope::Watermark,
            ResetScope::Escrows,
            ResetScope::QuarantineState,
        ];
        let scopes = if scopes.is_empty() {
            &portal[..]
        } else {
            scopes
        };
        let has = |s: ResetScope| scopes.contains(&s) || scopes.contains(&ResetScope::Full);
        if has(ResetScope::Watermark) {
            self.watermark = None;
            self.staged.clear();
        }
        if has(ResetScope::Escrows) {
            self.escrows.clear();
            self.escrows_pruned = 0;
        }
        if has(ResetScope::QuarantineState) {
            self.clear_quarantine();
        }
        if has(ResetScope::ConnectorDataStore) {
            self.links.clear();
            self.connector_store.clear();
        }
        self.force_deletes = has(ResetScope::ForceDeletes);
        if self.status != JobStatus::Paused {
            self.status = match &self.quarantine {
                Some(_) => JobStatus::Quarantine,
                None => self.idle_status(),
            };
        }
        self.next_cycle_at = now;
    }

    /// "Allow deletes" (ACCDEL): the next cycle, due at `now`, exports the staged deletions.
    pub(crate) fn allow_deletes(&mut self, now: i64) {
        self.force_deletes = true;
        self.next_cycle_at = now;
    }

    /// Moves the watermark to the directory sequence a cycle started at.
    pub(crate) fn set_watermark(&mut self, seq: u64) {
        self.watermark = Some(seq);
    }
}
