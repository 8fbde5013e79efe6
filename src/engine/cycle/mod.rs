//! One provisioning cycle (HPW "Initial cycle" and "Incremental cycles"): probe, import,
//! scope, plan (with the accidental-deletion threshold), export per object with bounded
//! concurrency, export references, then escrow, quarantine and the watermark. This file
//! orchestrates; each stage is a noun beside it.

mod entry;
mod export;
mod group;
mod lookup;
mod pipeline;
mod plan;
mod probe;
mod progress;
mod reference;
mod resource;
mod settle;

pub(crate) use entry::{Outcome, Stamp, step};
pub(crate) use plan::{Plan, plan};
pub(crate) use reference::RefTask;

use super::client::ScimClient;
use super::directory::{Directory, UserRecord};
use super::job::{
    EngineError, LinkChange, ProvisioningJob, QuarantineReason, ScheduleState, StatusCode,
    TestConnection,
};
use super::log::{Action, CycleCounts, CycleKind, CycleState, CycleSummary};
use super::scope::{self, ScopeResult};
use super::wire::Dialect;
use crate::clock::Clock;
use crate::scim::datetime::format_millis;
use futures::StreamExt;
use group::{GroupOutcome, GroupWork};
use resource::{Resource, ResourceKind};
use std::time::Duration;

/// What kind of run a pipeline belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Run {
    /// The first cycle after start or restart.
    Initial,
    /// A cycle of changes since the watermark.
    Incremental,
    /// Provision on demand (POD).
    OnDemand,
}

/// Per-run settings shared by the object pipelines.
pub(crate) struct Ctx<'a> {
    pub job: &'a ProvisioningJob,
    pub client: ScimClient<'a>,
    pub resource: Resource<'a>,
    pub run: Run,
    pub now: time::OffsetDateTime,
}

impl<'a> Ctx<'a> {
    /// The settings of a run of `job` that started at `start` (Unix ms), for users.
    pub(crate) fn new(job: &'a ProvisioningJob, run: Run, start: i64) -> Self {
        Ctx {
            job,
            client: job.client(),
            resource: Resource {
                kind: ResourceKind::User,
                mappings: job.mappings(),
            },
            run,
            now: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(start) * 1_000_000)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        }
    }

    /// The PATCH dialect: on demand always the legacy one ("this feature flag currently
    /// doesn't work with on-demand provisioning", rulings.md R1), else the job's.
    pub(crate) fn dialect(&self) -> Dialect {
        match self.run {
            Run::OnDemand => Dialect::Legacy,
            Run::Initial | Run::Incremental => self.job.dialect(),
        }
    }

    /// The target system's name in logs.
    pub(crate) fn target(&self) -> &'a str {
        &self.job.config().target_system
    }

    /// Whether objects' steps and modified properties are written: on demand always (its
    /// result shows them), in a cycle when its log entries are kept.
    pub(crate) fn keeps_detail(&self) -> bool {
        self.run == Run::OnDemand || self.job.config().retain_logs
    }

    fn object_overhead(&self) -> Duration {
        Duration::from_millis(self.job.config().object_overhead_ms)
    }
}

/// The run being applied: its label in the trace, its start and kind, and whether a stop
/// cut it short.
pub(crate) struct Cycle {
    pub label: String,
    pub start: i64,
    pub run: Run,
    pub cut: bool,
}

/// One imported user with its scope and plan.
struct Work<'d> {
    record: &'d UserRecord,
    scope: ScopeResult,
    plan: Plan,
}

/// An outcome as kept: its request count, without its trace or log detail when those are
/// not retained (dropped as it arrives, so a large cycle does not hold every body).
fn trim(mut o: Outcome, retain_trace: bool, retain_logs: bool) -> Outcome {
    o.requests = o.trace.len();
    if !retain_trace {
        o.trace = Vec::new();
    }
    if !retain_logs {
        o.entry.steps = Vec::new();
        o.entry.modified = Vec::new();
        // Only the log entry names the target: its strings need not wait for the cycle's end.
        o.entry.target = Default::default();
    }
    o
}

/// Outcomes in object order, each with the instant it ends (set when applied): laid out as
/// `(index, outcome)` pairs are, so the list is converted where it lies, not copied.
type Placed = Vec<(Outcome, i64)>;

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl ProvisioningJob {
    /// Runs the next cycle now: initial when there is no watermark, incremental otherwise.
    pub async fn run_cycle(&mut self, dir: &Directory) -> Result<&CycleSummary, EngineError> {
        // A stop that arrived before this cycle's start: no cycle starts after it.
        self.stop_if_due();
        match self.state().schedule() {
            ScheduleState::Paused => return Err(EngineError::Stopped),
            ScheduleState::Disabled => return Err(EngineError::Disabled),
            ScheduleState::Active => {}
        }
        let start = self.clock().now_millis();
        let number = self.state_mut().begin_cycle();
        let run = if self.next_is_initial() {
            Run::Initial
        } else {
            Run::Incremental
        };
        let mut trace = Vec::new();
        let probe = self.probe(u64::from(number), &mut trace).await;
        let label = number.to_string();
        self.record_trace(&label, "(test connection)", trace);
        let mut summary = CycleSummary {
            number,
            cycle_id: self.seeded_guid(1_000 + u64::from(number), 0),
            kind: if run == Run::Initial {
                CycleKind::Initial
            } else {
                CycleKind::Incremental
            },
            started: format_millis(start),
            ended: format_millis(start),
            simulated_duration_ms: 0,
            state: CycleState::Succeeded,
            counts: CycleCounts::default(),
            progress: progress::observed(0, 0, 1, start),
            escrowed: 0,
            users_in_connector_data_store: 0,
            groups_in_connector_data_store: 0,
            job_status: StatusCode::NotRun,
            schedule_state: ScheduleState::Active,
            quarantine: None,
            steady_state: false,
            error: None,
        };
        if !probe.ok {
            return Ok(self.probe_failed(summary, probe, start));
        }
        self.state_mut()
            .clear_quarantine_for(QuarantineReason::EncounteredQuarantineException);
        let seq_at_start = dir.seq();
        let forced = self.state_mut().take_force_deletes();
        let (work, groups) = self.plan_cycle(dir, start, forced, run == Run::Initial);
        let outcomes = match self.cut_at(start) {
            Some(cut) => self.export_until(&work, run, start, cut).await,
            None => self.export_objects(&work, run, start).await,
        };
        let cut = outcomes.len() < work.len();
        let page_size = self.config().progress_page_size;
        summary.progress = progress::observed(outcomes.len(), work.len(), page_size, start);
        let cycle = Cycle {
            label,
            start,
            run,
            cut,
        };
        let mut elapsed = self
            .apply_outcomes(dir, outcomes, &mut summary, &cycle)
            .await;
        if !groups.is_empty() && !cycle.cut {
            let outcomes = self.export_groups(dir, &groups, run, start).await;
            elapsed += self.apply_group_outcomes(outcomes, &mut summary, &cycle, elapsed);
        }
        settle::conclude(&mut summary, elapsed, self.config().request_latency_ms);
        let end = start.saturating_add(i64::try_from(summary.simulated_duration_ms).unwrap_or(0));
        settle::quarantine(self, &summary.counts, forced, end);
        // A cycle cut short by a stop keeps the watermark: the rest waits for the start.
        if !cut {
            self.state_mut().set_watermark(seq_at_start);
        }
        Ok(self.end_cycle(summary, start, end))
    }

    /// A cycle whose test connection failed: nothing is imported; credentials and SCIM
    /// compliance issues quarantine the job.
    fn probe_failed(
        &mut self,
        mut summary: CycleSummary,
        probe: TestConnection,
        start: i64,
    ) -> &CycleSummary {
        if probe.quarantine {
            self.state_mut().enter_quarantine(
                QuarantineReason::EncounteredQuarantineException,
                &probe.message,
                start,
            );
        }
        let end = start + i64::try_from(self.config().request_latency_ms).unwrap_or(0);
        summary.state = CycleState::Failed;
        summary.error = Some(probe.message);
        self.end_cycle(summary, start, end)
    }

    /// Ends a cycle that ran from `start` to `end`: the clock, the times, the schedule.
    fn end_cycle(&mut self, mut summary: CycleSummary, start: i64, end: i64) -> &CycleSummary {
        self.clock().advance_to_millis(end);
        summary.ended = format_millis(end);
        summary.progress.progress_observation_date_time = summary.ended.clone();
        summary.simulated_duration_ms = u64::try_from(end.saturating_sub(start)).unwrap_or(0);
        self.state_mut().end_cycle(summary, start, end)
    }

    /// Imports, scopes and plans the cycle's users, and its groups when they are provisioned;
    /// both count toward the deletion threshold (ACCDEL "Groups evaluated for deletion count").
    fn plan_cycle<'d>(
        &self,
        dir: &'d Directory,
        start: i64,
        forced: bool,
        initial: bool,
    ) -> (Vec<Work<'d>>, Vec<GroupWork>) {
        let config = self.config();
        let mut groups = match config.provision_groups {
            true => group::plan_groups(self.state(), config, dir, initial, start),
            false => Vec::new(),
        };
        let index = dir.assignment_index();
        let mut work: Vec<Work<'d>> = plan::import(self.state(), config, dir, &index, start)
            .into_iter()
            .map(|record| {
                let assignments = index.get(&record.user.object_id);
                let scope = scope::evaluate_with(
                    assignments.map_or(&[], Vec::as_slice),
                    record,
                    config.scope,
                    &config.scoping_filters,
                    config.skip_default_access,
                );
                let plan = plan::plan(self.state(), config, record, &scope);
                Work {
                    record,
                    scope,
                    plan,
                }
            })
            .collect();
        let mut plans: Vec<Plan> = work
            .iter()
            .map(|w| w.plan)
            .chain(groups.iter().map(|g| g.plan))
            .collect();
        plan::stage_deletions(&mut plans, config, forced);
        let plans = work
            .iter_mut()
            .map(|w| &mut w.plan)
            .chain(groups.iter_mut().map(|g| &mut g.plan))
            .zip(plans);
        for (slot, p) in plans {
            *slot = p;
        }
        (work, groups)
    }

    /// Runs every object's pipeline, `concurrency` at a time; the outcomes in object order.
    async fn export_objects(&self, work: &[Work<'_>], run: Run, start: i64) -> Placed {
        let ctx = &Ctx::new(self, run, start);
        let config = self.config();
        let (retain_trace, retain_logs) = (config.retain_trace, config.retain_logs);
        let mut pages = self.page_counter(work.len(), start);
        // Unordered, so one object waiting out a Retry-After does not hold the others
        // back; sorted below, so what follows is in object order whatever the timing.
        let pipelines = work
            .iter()
            .enumerate()
            .map(|(i, w)| async move { (i, ctx.process(w.record, &w.scope, w.plan).await) });
        let mut outcomes = futures::stream::iter(pipelines)
            .buffer_unordered(config.concurrency.max(1))
            .map(|(i, o): (usize, Outcome)| (i, trim(o, retain_trace, retain_logs)))
            .inspect(|(i, o)| pages.done(*i, o.cost))
            .collect::<Vec<(usize, Outcome)>>()
            .await;
        outcomes.sort_unstable_by_key(|(i, _)| *i);
        outcomes.into_iter().map(|(_, o)| (o, 0)).collect()
    }

    /// Counts the pages of a cycle of `objects` objects that started at `start`, reporting
    /// them to the progress callback.
    fn page_counter(&self, objects: usize, start: i64) -> progress::PageCounter {
        let size = self.config().progress_page_size;
        progress::PageCounter::new(objects, size, start, self.progress())
    }

    /// The instant a pending stop cuts this cycle at: only with the Stop known issue off
    /// (known-issues.md, rulings.md R7); with it on the cycle runs to completion.
    fn cut_at(&self, start: i64) -> Option<i64> {
        let at = self.state().stop_at()?;
        (!self.config().known_issues.stop_finishes_cycle && at > start).then_some(at)
    }

    /// Runs the objects' pipelines one after another in virtual time until the stop at
    /// `cut`: an object not begun by then is left for the next cycle.
    async fn export_until(&self, work: &[Work<'_>], run: Run, start: i64, cut: i64) -> Placed {
        let ctx = &Ctx::new(self, run, start);
        let config = self.config();
        let mut pages = self.page_counter(work.len(), start);
        let mut elapsed = Duration::ZERO;
        let mut outcomes = Vec::new();
        for (i, w) in work.iter().enumerate() {
            if start.saturating_add(millis(elapsed)) >= cut {
                break;
            }
            let o = ctx.process(w.record, &w.scope, w.plan).await;
            elapsed += o.cost;
            pages.done(i, o.cost);
            outcomes.push((trim(o, config.retain_trace, config.retain_logs), 0));
        }
        outcomes
    }

    /// Applies outcomes in object order, exports references, settles escrows and writes the
    /// log entries; returns the simulated time the objects took.
    async fn apply_outcomes(
        &mut self,
        dir: &Directory,
        mut placed: Placed,
        summary: &mut CycleSummary,
        cycle: &Cycle,
    ) -> Duration {
        let start = cycle.start;
        let mut elapsed = Duration::ZERO;
        summary.counts.imported = placed.len() as u64;
        for (o, at) in &mut placed {
            elapsed += o.cost;
            summary.counts.requests += o.requests as u64;
            summary.counts.entitled += u64::from(o.entitled);
            let link = std::mem::replace(&mut o.link, LinkChange::Keep);
            let state = self.state_mut();
            state.change_link(&o.object_id, link);
            state.set_staged(&o.object_id, o.entry.action == Action::StagedDelete);
            self.record_trace(&cycle.label, &o.upn, std::mem::take(&mut o.trace));
            *at = start.saturating_add(millis(elapsed));
        }
        elapsed += self
            .export_references(dir, &mut placed, &mut summary.counts, cycle)
            .await;
        self.settle_and_log(placed, summary, start, 0);
        elapsed
    }

    /// Counts, escrows and logs placed outcomes; `first` is the number of entries of the
    /// cycle logged before them (their change ids follow on).
    fn settle_and_log(
        &mut self,
        placed: Vec<(Outcome, i64)>,
        summary: &mut CycleSummary,
        start: i64,
        first: u64,
    ) {
        let cycle_id = summary.cycle_id.clone();
        let number = u64::from(summary.number);
        let retain_logs = self.config().retain_logs;
        for (n, (mut o, at)) in placed.into_iter().enumerate() {
            settle::count(&mut summary.counts, &o);
            settle::escrow(self.state_mut(), &mut o, at, start);
            if !retain_logs {
                // Its entry would be dropped by `push_log`: not drafted at all.
                continue;
            }
            let stamp = Stamp {
                cycle_id: cycle_id.clone(),
                change_id: self.seeded_guid(1_000 + number, first + n as u64 + 1),
                at,
                on_demand: false,
            };
            let entry = o.finish(self, stamp);
            self.push_log(entry);
        }
    }

    /// Applies the groups' outcomes after the users' (`before` is the time those took): links,
    /// staged deletes, reference failures, then counts, escrows and logs; returns the time
    /// the groups took.
    fn apply_group_outcomes(
        &mut self,
        outcomes: Vec<GroupOutcome>,
        summary: &mut CycleSummary,
        cycle: &Cycle,
        before: Duration,
    ) -> Duration {
        let first = summary.counts.imported;
        summary.counts.imported += outcomes.len() as u64;
        let retain_logs = self.config().retain_logs;
        let mut elapsed = Duration::ZERO;
        let mut placed = Vec::with_capacity(outcomes.len());
        for g in outcomes {
            let mut o = g.outcome;
            elapsed += o.cost;
            summary.counts.requests += o.trace.len() as u64;
            summary.counts.entitled += u64::from(o.entitled);
            summary.counts.reference_failures += g.reference_failures;
            let state = self.state_mut();
            state.change_group_link(&o.object_id, g.link);
            state.set_staged(&o.object_id, o.entry.action == Action::StagedDelete);
            self.record_trace(&cycle.label, &o.upn, std::mem::take(&mut o.trace));
            if !retain_logs {
                o.entry.steps = Vec::new();
                o.entry.modified = Vec::new();
            }
            placed.push((o, cycle.start.saturating_add(millis(before + elapsed))));
        }
        self.settle_and_log(placed, summary, cycle.start, first);
        elapsed
    }

    /// Exports the references of this cycle's objects, now that its creates have their ids;
    /// returns the simulated time they took.
    async fn export_references(
        &mut self,
        dir: &Directory,
        placed: &mut [(Outcome, i64)],
        counts: &mut CycleCounts,
        cycle: &Cycle,
    ) -> Duration {
        if cycle.cut {
            // References come after every object; a stop cut the cycle before them.
            return Duration::ZERO;
        }
        let tasks: Vec<(usize, String, RefTask)> = placed
            .iter()
            .enumerate()
            .filter_map(|(i, (o, _))| o.reference.clone().map(|r| (i, o.upn.clone(), r)))
            .collect();
        let mut results = {
            let ctx = &Ctx::new(self, cycle.run, cycle.start);
            let exports = tasks.into_iter().map(|(i, upn, task)| async move {
                let r = ctx.export_reference(dir, &upn, &task).await;
                (i, upn, r)
            });
            futures::stream::iter(exports)
                .buffer_unordered(self.config().concurrency.max(1))
                .collect::<Vec<_>>()
                .await
        };
        results.sort_unstable_by_key(|(i, _, _)| *i);
        let mut elapsed = Duration::ZERO;
        for (i, upn, mut r) in results {
            let Some((o, _)) = placed.get_mut(i) else {
                continue;
            };
            elapsed += r.cost;
            counts.requests += r.trace.len() as u64;
            self.record_trace(&cycle.label, &upn, std::mem::take(&mut r.trace));
            if let Some(f) = r.apply(self.state_mut(), o) {
                counts.reference_failures += 1;
                o.failure.get_or_insert(f);
            }
        }
        elapsed
    }
}
