//! One provisioning cycle (HPW "Initial cycle" and "Incremental cycles"): probe, import,
//! scope, plan (with the accidental-deletion threshold), export per object with bounded
//! concurrency, export references, then escrow, quarantine and the watermark.

use super::client::{ScimClient, TraceEntry};
use super::directory::{Directory, EffectiveAssignment, UserRecord};
use super::failure::{self, Failure, Verb};
use super::job::{
    EngineError, Escrow, JobStatus, Link, ProvisioningJob, Quarantine, TestConnection, TraceRecord,
};
use super::log::{
    Action, CycleCounts, CycleSummary, ErrorInformation, Identity, LogEntry, ModifiedProperty,
    Status, StatusInfo, Step, StepType,
};
use super::mapping::{self, Desired, Evaluation, SourceView, TargetKind};
use super::policy::escrow_next_retry;
use super::scope::{self, ScopeResult, SkipReason};
use super::wire::{self, Change, Dialect};
use crate::clock::Clock;
use crate::scim::datetime::format_millis;
use futures::StreamExt;
use http::Method;
use rand::RngExt;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

use std::time::Duration;

/// What a cycle decided to do with one user before exporting anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Plan {
    /// Not provisioned and not in scope: log a skip.
    Skip(SkipReason),
    /// In scope and active: match or read, then create or update.
    Provision,
    /// Managed and no longer in scope (or inactive): disable; `unmanage` when it left scope.
    Deprovision { unmanage: bool },
    /// Left scope, but SkipOutOfScopeDeletions is set.
    SkipDeprovision,
    /// Hard-deleted and managed: delete.
    Delete,
    /// Held back by the deletion threshold.
    Staged,
    /// Hard-deleted but no longer managed: forget the link.
    Forget,
}

/// Per-cycle settings shared by the object pipelines.
pub(super) struct Ctx<'a> {
    pub job: &'a ProvisioningJob,
    pub client: ScimClient<'a>,
    pub dialect: Dialect,
    pub now: time::OffsetDateTime,
    pub initial: bool,
    pub on_demand: bool,
}

/// How an object's link changes.
#[derive(Clone, Debug)]
pub(super) enum LinkChange {
    Keep,
    Set(Link),
    Remove,
}

/// A manager reference to export after all objects (HPW step 6).
#[derive(Clone, Debug)]
pub(super) struct RefTask {
    pub target_id: String,
    pub desired: Option<String>,
    pub current: Option<String>,
}

/// What one object's pipeline produced.
pub(super) struct Outcome {
    pub object_id: String,
    pub upn: String,
    pub entry: EntryDraft,
    pub trace: Vec<TraceEntry>,
    /// Requests sent for the object (the trace's length, kept when the trace is not).
    pub requests: usize,
    pub link: LinkChange,
    pub failure: Option<Failure>,
    pub cost: Duration,
    pub reference: Option<RefTask>,
    pub entitled: bool,
    pub escrow_clear: bool,
}

/// A log entry under construction.
#[derive(Clone, Debug)]
pub(super) struct EntryDraft {
    pub action: Action,
    pub status: Status,
    pub steps: Vec<Step>,
    pub modified: Vec<ModifiedProperty>,
    pub target: Identity,
    pub error: Option<Failure>,
}

fn step(name: &str, kind: StepType, status: Status, description: String) -> Step {
    Step {
        name: name.into(),
        provisioning_step_type: kind,
        status,
        description,
        details: BTreeMap::new(),
    }
}

fn details<const N: usize>(mut s: Step, pairs: [(&str, String); N]) -> Step {
    for (k, v) in pairs {
        s.details.insert(k.to_string(), v);
    }
    s
}

fn tf(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

impl Outcome {
    fn new(ctx: &Ctx<'_>, record: &UserRecord, scope: &ScopeResult) -> Outcome {
        let u = &record.user;
        let upn = u.user_principal_name.clone();
        let import = if ctx.initial || ctx.on_demand {
            step(
                "EntryImport",
                StepType::Import,
                Status::Success,
                format!("Retrieved User '{upn}' from Azure Active Directory"),
            )
        } else {
            let kind = if record.is_hard_deleted() {
                "Delete"
            } else {
                "Update"
            };
            step(
                &format!("EntryImport{kind}"),
                StepType::Import,
                Status::Success,
                format!(
                    "Received User '{upn}' change of type ({kind}) from Azure Active Directory"
                ),
            )
        };
        let roles: Vec<String> = scope.roles.iter().map(|r| r.value.clone()).collect();
        let import = details(
            import,
            [
                ("objectId", u.object_id.clone()),
                ("userPrincipalName", upn.clone()),
                ("accountEnabled", tf(u.account_enabled)),
                ("IsSoftDeleted", tf(scope.is_soft_deleted())),
                ("appRoleAssignments", roles.join(",")),
            ],
        );
        let scoping = details(
            step(
                "EntrySynchronizationScoping",
                StepType::Scoping,
                if scope.in_scope() && scope.is_active {
                    Status::Success
                } else {
                    Status::Skipped
                },
                "Determine if User in scope by evaluating against each scoping filter".into(),
            ),
            [
                ("IsActive", tf(scope.is_active)),
                ("Assigned", tf(scope.assigned)),
                (
                    "IsEffectivelyEntitledForProvisioning",
                    tf(scope.assigned && scope.effectively_entitled),
                ),
                ("IsInProvisioningScopeDisplayName", tf(scope.passes_filters)),
                (
                    "ScopeEvaluationResult",
                    if scope.passes_filters {
                        "{}".into()
                    } else {
                        "{\"ScopingFilters\":\"False\"}".into()
                    },
                ),
            ],
        );
        Outcome {
            object_id: u.object_id.clone(),
            upn,
            entry: EntryDraft {
                action: Action::Other,
                status: Status::Skipped,
                steps: vec![import, scoping],
                modified: Vec::new(),
                target: Identity {
                    identity_type: "User".into(),
                    ..Default::default()
                },
                error: None,
            },
            trace: Vec::new(),
            requests: 0,
            link: LinkChange::Keep,
            failure: None,
            cost: ctx.object_overhead(),
            reference: None,
            entitled: scope.in_scope(),
            escrow_clear: false,
        }
    }

    fn fail(mut self, action: Action, step_name: &str, description: String, f: Failure) -> Outcome {
        self.entry.steps.push(step(
            step_name,
            StepType::Export,
            Status::Failure,
            description,
        ));
        self.entry.action = action;
        self.entry.status = Status::Failure;
        self.entry.error = Some(f.clone());
        self.failure = Some(f);
        self
    }

    fn skip(mut self, reason: &str, description: String) -> Outcome {
        self.entry.steps.push(details(
            step(
                "EntrySynchronizationSkip",
                StepType::Processing,
                Status::Skipped,
                description,
            ),
            [("SkipReason", reason.to_string())],
        ));
        self.entry.action = Action::Other;
        self.entry.status = Status::Skipped;
        self.escrow_clear = true;
        self
    }

    fn add_call_cost(&mut self, cost: Duration) {
        self.cost += cost;
    }

    fn matched(&mut self, ctx: &Ctx<'_>, target_id: &str, user_name: &str) {
        self.entry.target = Identity {
            id: target_id.to_string(),
            display_name: user_name.to_string(),
            identity_type: "User".into(),
        };
        self.entry.steps.push(details(
            step(
                "EntryImport",
                StepType::Matching,
                Status::Success,
                // Double space as in Microsoft's sample (§5 EntryImport, sic).
                format!("Retrieved  '{user_name}' from {}", ctx.target()),
            ),
            [
                ("id", target_id.to_string()),
                ("userName", user_name.to_string()),
            ],
        ));
    }
}

impl Ctx<'_> {
    fn target(&self) -> &str {
        &self.job.config.target_system
    }

    fn object_overhead(&self) -> Duration {
        Duration::from_millis(self.job.config.object_overhead_ms)
    }

    fn evaluate(
        &self,
        record: &UserRecord,
        scope: &ScopeResult,
        soft_deleted: bool,
        op: mapping::Operation,
    ) -> Result<Evaluation, Failure> {
        let view = SourceView {
            user: &record.user,
            is_soft_deleted: soft_deleted,
            roles: scope.roles.clone(),
        };
        mapping::evaluate(
            &self.job.mappings,
            &view,
            op,
            self.now,
            self.job.config.seed ^ hash(&record.user.object_id),
        )
        .map_err(|e| Failure {
            code: "SchemaPropertyCanOnlyAcceptValue".into(),
            reason: format!(
                "Failed to evaluate the mapping for '{}': {}",
                e.target, e.message
            ),
            status: None,
            quarantine: false,
        })
    }

    fn path_user(&self, id: &str) -> String {
        format!("/Users/{id}")
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The resources of a ListResponse, or `None` when the body is not one.
fn list_resources(resp: &crate::scim::message::Response) -> Option<Vec<Value>> {
    let v = resp.json()?;
    if !content_type_ok(resp) {
        return None;
    }
    let total = v.get("totalResults")?.as_u64()?;
    let resources = v
        .get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if total > 0 && resources.is_empty() {
        return None;
    }
    Some(resources)
}

fn content_type_ok(resp: &crate::scim::message::Response) -> bool {
    resp.header(http::header::CONTENT_TYPE).is_none_or(|ct| {
        let media = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        media == "application/scim+json" || media == "application/json"
    })
}

fn resource_id(v: &Value) -> Option<String> {
    v.get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn resource_user_name(v: &Value) -> String {
    v.get("userName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A target value as the logs show it: booleans as Azure AD writes them ("True"/"False").
fn old_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

fn modified(changes: &[Change], redacted: &[String]) -> Vec<ModifiedProperty> {
    changes
        .iter()
        .map(|c| {
            let hide = redacted.iter().any(|r| r.eq_ignore_ascii_case(&c.target));
            let show = |s: String| if hide { "[Redact]".to_string() } else { s };
            ModifiedProperty {
                display_name: c.target.clone(),
                old_value: c.old.as_ref().map(|v| show(old_text(v))),
                new_value: Some(show(c.new.display())),
            }
        })
        .collect()
}

impl ProvisioningJob {
    pub(super) fn client(&self) -> ScimClient<'_> {
        ScimClient {
            transport: &*self.transport,
            base_path: self.base_path.clone(),
            token: self.config.secret_token.clone(),
            retry: self.config.retry,
            request_latency: Duration::from_millis(self.config.request_latency_ms),
        }
    }

    /// Test Connection as Azure AD runs it (§7): a filter on the first matching attribute with
    /// a random GUID, expecting 200 and an empty ListResponse.
    pub async fn test_connection(&mut self) -> TestConnection {
        let mut trace = Vec::new();
        let result = self
            .probe(self.cycle_number as u64 + 1_000_000, &mut trace)
            .await;
        self.record_trace("test connection", "(test connection)", trace);
        result
    }

    pub(super) async fn probe(&self, stream: u64, trace: &mut Vec<TraceEntry>) -> TestConnection {
        let attr = mapping::matching_order(&self.mappings)
            .first()
            .map_or("userName".to_string(), |m| m.target.clone());
        let mut rng = crate::fakes::rng(self.config.seed, 20 + stream);
        let guid = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
        let client = self.client();
        let req = client.request(
            Method::GET,
            &format!("/Users?{}", wire::filter_query(&attr, &guid.to_string())),
            None,
        );
        let call = client.call(req, trace).await;
        let ok = TestConnection {
            ok: true,
            message: "The supplied credentials are authorized to enable provisioning".into(),
            quarantine: false,
        };
        match call.outcome {
            Ok(resp) if resp.status.is_success() => match list_resources(&resp) {
                Some(_) => ok,
                None => TestConnection {
                    ok: false,
                    message: format!(
                        "While attempting to validate our authorization to access your application, we received this unexpected response: We are not able to deserialize the resource received from your SCIM endpoint because your SCIM endpoint is not fully compatible with the Azure Active Directory SCIM client. Here is the resource we received from your SCIM endpoint: {}",
                        String::from_utf8_lossy(&resp.body).chars().take(300).collect::<String>()
                    ),
                    quarantine: true,
                },
            },
            Ok(resp) if matches!(resp.status.as_u16(), 401 | 403) => TestConnection {
                ok: false,
                message: "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.".into(),
                quarantine: true,
            },
            Ok(resp) if resp.status.as_u16() == 404 => TestConnection {
                ok: false,
                message: "SCIM Compliance issue: An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response. To address this issue, ensure that the tenant URL is correct. The tenant URL is usually in a format like: https://<>/scim. If this does not resolve the issue, contact the application developer to ensure their SCIM endpoint conforms with the protocol https://tools.ietf.org/html/rfc7644#section-3.4.2".into(),
                quarantine: true,
            },
            Ok(resp) => TestConnection {
                ok: false,
                message: format!("The SCIM endpoint answered HTTP {} to the test query; the cycle is retried later.", resp.status.as_u16()),
                quarantine: false,
            },
            Err(e) => TestConnection { ok: false, message: format!("Could not reach {}: {e}", self.config.tenant_url), quarantine: false },
        }
    }

    pub(super) fn record_trace(&mut self, cycle: &str, object: &str, entries: Vec<TraceEntry>) {
        if !self.config.retain_trace {
            return;
        }
        self.trace
            .extend(entries.into_iter().map(|entry| TraceRecord {
                cycle: cycle.to_string(),
                object: object.to_string(),
                entry,
            }));
    }

    /// A GUID that depends only on the seed, a stream and a number (cycle and change ids).
    pub(super) fn seeded_guid(&self, stream: u64, n: u64) -> String {
        let mut rng = crate::fakes::rng(
            self.config.seed ^ 0x5eed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            stream,
        );
        uuid::Builder::from_random_bytes(rng.random())
            .into_uuid()
            .to_string()
    }

    /// Which users the cycle reads: all assigned (or all, in sync-all scope) for an initial
    /// cycle; for an incremental one, those changed since the watermark, plus escrows due and
    /// staged deletes (HPW).
    fn import<'d>(
        &self,
        dir: &'d Directory,
        index: &HashMap<String, Vec<EffectiveAssignment>>,
        now: i64,
    ) -> Vec<&'d UserRecord> {
        let relevant = |r: &UserRecord| {
            let id = &r.user.object_id;
            self.links.contains_key(id)
                || (!r.is_hard_deleted()
                    && match self.config.scope {
                        scope::SyncScope::All => true,
                        scope::SyncScope::AssignedOnly => {
                            index.get(id).is_some_and(|a| !a.is_empty())
                        }
                    })
        };
        match self.watermark {
            None => dir.users().iter().filter(|r| relevant(r)).collect(),
            Some(w) => dir
                .users()
                .iter()
                .filter(|r| {
                    let id = &r.user.object_id;
                    (r.changed_seq > w && relevant(r))
                        || self.escrows.get(id).is_some_and(|e| e.next_retry <= now)
                        || self.staged.contains(id)
                })
                .collect(),
        }
    }

    /// What to do with one user (pure); shared with on-demand provisioning.
    pub(super) fn plan_public(&self, record: &UserRecord, scope: &ScopeResult) -> Plan {
        self.plan(record, scope)
    }

    /// What to do with one user (pure).
    fn plan(&self, record: &UserRecord, scope: &ScopeResult) -> Plan {
        let link = self.links.get(&record.user.object_id);
        let managed = link.is_some_and(|l| l.managed);
        if record.is_hard_deleted() {
            return match link {
                Some(l) if l.managed && self.config.actions.delete => Plan::Delete,
                Some(_) => Plan::Forget,
                None => Plan::Skip(SkipReason::NotEffectivelyEntitled),
            };
        }
        if scope.in_scope() {
            return match (scope.is_active, managed) {
                (true, _) => Plan::Provision,
                (false, true) => Plan::Deprovision { unmanage: false },
                (false, false) => Plan::Skip(SkipReason::NotActive),
            };
        }
        match (managed, self.config.skip_out_of_scope_deletions) {
            (true, true) => Plan::SkipDeprovision,
            (true, false) => Plan::Deprovision { unmanage: true },
            (false, _) => Plan::Skip(
                scope
                    .skip_reason()
                    .unwrap_or(SkipReason::NotEffectivelyEntitled),
            ),
        }
    }

    /// Runs the next cycle now: initial when there is no watermark, incremental otherwise.
    pub async fn run_cycle(&mut self, dir: &Directory) -> Result<&CycleSummary, EngineError> {
        match self.status {
            JobStatus::Paused => {
                return Err(EngineError::NotRunnable(
                    "the job is stopped; start it first".into(),
                ));
            }
            JobStatus::Disabled => {
                return Err(EngineError::NotRunnable(
                    "the job was disabled after four weeks in quarantine; restart it".into(),
                ));
            }
            _ => {}
        }
        let start = self.clock.now_millis();
        self.cycle_number += 1;
        let number = self.cycle_number;
        let label = number.to_string();
        let initial = self.watermark.is_none();
        let cycle_id = self.seeded_guid(1_000 + u64::from(number), 0);
        let mut trace = Vec::new();
        let probe = self.probe(u64::from(number), &mut trace).await;
        self.record_trace(&label, "(test connection)", trace);
        let mut summary = CycleSummary {
            number,
            cycle_id: cycle_id.clone(),
            kind: if initial { "Initial" } else { "Incremental" }.into(),
            started: format_millis(start),
            ended: format_millis(start),
            simulated_duration_ms: 0,
            state: "Succeeded".into(),
            counts: CycleCounts::default(),
            escrowed: 0,
            users_in_connector_data_store: 0,
            job_status: String::new(),
            quarantine: None,
            steady_state: false,
            error: None,
        };
        if !probe.ok {
            if probe.quarantine {
                self.enter_quarantine("EncounteredQuarantineException", &probe.message, start);
            }
            let end = start + i64::try_from(self.config.request_latency_ms).unwrap_or(0);
            summary.state = "Failed".into();
            summary.error = Some(probe.message);
            self.finish(summary, start, end);
            return self
                .cycles
                .last()
                .ok_or_else(|| EngineError::NotRunnable("no cycle".into()));
        }
        if self
            .quarantine
            .as_ref()
            .is_some_and(|q| q.reason == "EncounteredQuarantineException")
        {
            self.quarantine = None;
        }
        let index = dir.assignment_index();
        let seq_at_start = dir.seq();
        let imported: Vec<&UserRecord> = self.import(dir, &index, start);
        let mut work: Vec<(usize, &UserRecord, ScopeResult, Plan)> = imported
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let s = scope::evaluate_with(
                    index.get(&r.user.object_id).map_or(&[], Vec::as_slice),
                    r,
                    self.config.scope,
                    &self.config.scoping_filters,
                    self.config.skip_default_access,
                );
                let p = self.plan(r, &s);
                (i, *r, s, p)
            })
            .collect();
        // Prevent accidental deletions (ACCDEL): more disables and deletes than the threshold
        // in one cycle are staged, unless deletes were allowed.
        let deletions = work
            .iter()
            .filter(|w| matches!(w.3, Plan::Deprovision { .. } | Plan::Delete))
            .count();
        let over = self.config.accidental_deletions.enabled
            && deletions > self.config.accidental_deletions.threshold as usize;
        let forced = std::mem::take(&mut self.force_deletes);
        if over && !forced {
            for w in &mut work {
                if matches!(w.3, Plan::Deprovision { .. } | Plan::Delete) {
                    w.3 = Plan::Staged;
                }
            }
        }
        let outcomes = {
            let ctx = Ctx {
                job: self,
                client: self.client(),
                dialect: self.dialect,
                now: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(start) * 1_000_000)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
                initial,
                on_demand: false,
            };
            let concurrency = self.config.concurrency.max(1);
            let total = work.len();
            let progress = self.progress.clone();
            let mut done = 0usize;
            let (retain_trace, retain_logs) = (self.config.retain_trace, self.config.retain_logs);
            // Unordered, so one object waiting out a Retry-After does not hold the others
            // back; sorted below, so what follows is in object order whatever the timing.
            let ctx = &ctx;
            let mut outcomes = futures::stream::iter(
                work.iter()
                    .enumerate()
                    .map(|(i, (_, r, s, p))| async move { (i, ctx.process(r, s, *p).await) }),
            )
            .buffer_unordered(concurrency)
            .map(|(i, mut o): (usize, Outcome)| {
                o.requests = o.trace.len();
                // Dropped as it arrives, so a large cycle does not hold every body.
                if !retain_trace {
                    o.trace = Vec::new();
                }
                if !retain_logs {
                    o.entry.steps = Vec::new();
                    o.entry.modified = Vec::new();
                }
                (i, o)
            })
            .inspect(|_| {
                done += 1;
                if let Some(p) = &progress
                    && (done.is_multiple_of(64) || done == total)
                {
                    p(done, total);
                }
            })
            .collect::<Vec<(usize, Outcome)>>()
            .await;
            outcomes.sort_unstable_by_key(|(i, _)| *i);
            outcomes
                .into_iter()
                .map(|(_, o)| o)
                .collect::<Vec<Outcome>>()
        };
        self.apply_cycle(
            dir,
            outcomes,
            &mut summary,
            &label,
            &cycle_id,
            start,
            forced,
        )
        .await;
        self.watermark = Some(seq_at_start);
        let end = start.saturating_add(i64::try_from(summary.simulated_duration_ms).unwrap_or(0));
        self.finish(summary, start, end);
        self.cycles
            .last()
            .ok_or_else(|| EngineError::NotRunnable("no cycle".into()))
    }

    /// Applies outcomes in object order, exports references, and settles escrows, quarantine
    /// and counters.
    #[allow(clippy::too_many_arguments)]
    async fn apply_cycle(
        &mut self,
        dir: &Directory,
        outcomes: Vec<Outcome>,
        summary: &mut CycleSummary,
        label: &str,
        cycle_id: &str,
        start: i64,
        forced: bool,
    ) {
        let mut elapsed = Duration::ZERO;
        let mut drafts: Vec<(Outcome, i64)> = Vec::with_capacity(outcomes.len());
        let counts = &mut summary.counts;
        counts.imported = outcomes.len() as u64;
        for mut o in outcomes {
            elapsed += o.cost;
            counts.requests += o.requests as u64;
            if o.entitled {
                counts.entitled += 1;
            }
            self.apply_link(&mut o);
            if o.entry.action == Action::StagedDelete {
                self.staged.insert(o.object_id.clone());
            } else {
                self.staged.remove(&o.object_id);
            }
            let at = start.saturating_add(i64::try_from(elapsed.as_millis()).unwrap_or(0));
            self.record_trace(label, &o.upn, std::mem::take(&mut o.trace));
            drafts.push((o, at));
        }
        // References, now that this cycle's creates have their ids.
        let tasks: Vec<(usize, String, RefTask)> = drafts
            .iter()
            .enumerate()
            .filter_map(|(i, (o, _))| o.reference.clone().map(|r| (i, o.upn.clone(), r)))
            .collect();
        let results = {
            let client = self.client();
            let job: &ProvisioningJob = self;
            let concurrency = self.config.concurrency.max(1);
            futures::stream::iter(tasks.into_iter().map(|(i, upn, task)| {
                let client = &client;
                async move {
                    (
                        i,
                        upn.clone(),
                        job.export_reference(client, dir, &upn, &task).await,
                    )
                }
            }))
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>()
            .await
        };
        let mut results = results;
        results.sort_unstable_by_key(|(i, _, _)| *i);
        for (i, upn, r) in results {
            let Some((o, _)) = drafts.get_mut(i) else {
                continue;
            };
            elapsed += r.cost;
            summary.counts.requests += r.trace.len() as u64;
            self.record_trace(label, &upn, r.trace);
            if let Some(s) = r.step {
                o.entry.steps.push(s);
            }
            if let Some(m) = r.modified {
                o.entry.modified.push(m);
            }
            self.absorb_exported(&o.object_id, &mut o.entry, r.exported);
            if let Some(f) = r.failure {
                summary.counts.reference_failures += 1;
                // The user itself is fine; only its reference failed.
                if o.entry.status != Status::Failure {
                    o.entry.status = Status::Warning;
                }
                o.entry.error.get_or_insert(f.clone());
                if o.failure.is_none() {
                    o.failure = Some(f);
                }
            }
        }
        let counts = &mut summary.counts;
        for (n, (o, at)) in drafts.into_iter().enumerate() {
            match (o.entry.action, o.entry.status) {
                (_, Status::Failure) => counts.failed += 1,
                (Action::StagedDelete, _) => counts.staged_deletes += 1,
                (_, Status::Skipped) => counts.skipped += 1,
                (Action::Create, _) => counts.created += 1,
                (Action::Update, _) => counts.updated += 1,
                (Action::Disable, _) => counts.disabled += 1,
                (Action::Delete, _) => counts.deleted += 1,
                (Action::Other, _) => counts.skipped += 1,
            }
            let mut entry = o.entry;
            // Escrow: failures are retried on the documented schedule; anything else clears it.
            match &o.failure {
                Some(f) => {
                    let e = self.escrows.entry(o.object_id.clone()).or_insert(Escrow {
                        first_failure: at,
                        failures: 0,
                        next_retry: at,
                        code: String::new(),
                    });
                    e.failures += 1;
                    e.code = f.code.clone();
                    let next_cycle = start.saturating_add(
                        i64::try_from(super::policy::CYCLE_INTERVAL.as_millis()).unwrap_or(0),
                    );
                    match escrow_next_retry(e.first_failure, e.failures, next_cycle) {
                        Some(next) => {
                            e.next_retry = next;
                            if let Some(err) = &mut entry.error {
                                err.reason = format!(
                                    "{} This operation was retried {} times. It will be retried again after this date: {} UTC",
                                    err.reason,
                                    e.failures - 1,
                                    format_millis(next.max(at))
                                );
                            }
                        }
                        None => {
                            self.escrows.remove(&o.object_id);
                        }
                    }
                }
                None if o.escrow_clear || entry.status != Status::Skipped => {
                    self.escrows.remove(&o.object_id);
                }
                None => {}
            }
            let change_id = self.seeded_guid(1_000 + u64::from(self.cycle_number), n as u64 + 1);
            let entry = finish_entry(
                self,
                entry,
                &o.object_id,
                &o.upn,
                cycle_id,
                &change_id,
                at,
                o.cost,
                false,
            );
            if self.config.retain_logs {
                self.logs.push(entry);
            }
        }
        let c = &summary.counts;
        summary.simulated_duration_ms = u64::try_from(elapsed.as_millis())
            .unwrap_or(u64::MAX)
            .max(self.config.request_latency_ms);
        summary.state = if c.failed > 0 || c.reference_failures > 0 {
            "EntryLevelErrors"
        } else {
            "Succeeded"
        }
        .into();
        summary.steady_state =
            c.created + c.updated + c.disabled + c.deleted + c.failed + c.staged_deletes == 0;
        // Quarantine (QUAR, ACCDEL).
        let successes = c.created + c.updated + c.disabled + c.deleted;
        let verdict = self
            .config
            .quarantine
            .verdict(c.failed, c.reference_failures, successes);
        let end = start.saturating_add(i64::try_from(summary.simulated_duration_ms).unwrap_or(0));
        if !self.staged.is_empty() && !forced {
            let message = format!(
                "Provisioning has been quarantined. See quarantine details for more information: {} deletions or disables exceed the accidental-deletion threshold of {}.",
                self.staged.len(),
                self.config.accidental_deletions.threshold
            );
            self.enter_quarantine("TooManyDeletes", &message, end);
        } else if let Some(reason) = verdict {
            let message = format!(
                "Quarantined due to a high number of errors ({} failed, {} reference failures). Sync frequency is gradually reduced to once per day.",
                c.failed, c.reference_failures
            );
            self.enter_quarantine(reason, &message, end);
        } else {
            self.quarantine = None;
        }
    }

    fn enter_quarantine(&mut self, reason: &str, message: &str, at: i64) {
        match &mut self.quarantine {
            Some(q) if q.reason == reason => {
                q.series_count += 1;
                q.message = message.to_string();
            }
            Some(q) => {
                q.reason = reason.to_string();
                q.message = message.to_string();
                q.series_count += 1;
            }
            None => {
                self.quarantine = Some(Quarantine {
                    reason: reason.into(),
                    message: message.into(),
                    series_began: at,
                    series_count: 0,
                    next_attempt: at,
                });
            }
        }
    }

    fn finish(&mut self, mut summary: CycleSummary, start: i64, end: i64) {
        if self.status != JobStatus::Disabled {
            self.status = if self.quarantine.is_some() {
                JobStatus::Quarantine
            } else {
                JobStatus::Active
            };
        }
        self.schedule_next(start, end);
        self.clock.advance_to(end);
        summary.ended = format_millis(end);
        summary.simulated_duration_ms = u64::try_from(end.saturating_sub(start)).unwrap_or(0);
        summary.escrowed = self.escrows.len() as u64;
        // WHEN: the count "doesn't go down if a user is soft-deleted or hard-deleted".
        summary.users_in_connector_data_store = self.connector_store.len() as u64;
        summary.job_status = self.status.as_str().into();
        summary.quarantine = self.quarantine.as_ref().map(|q| q.reason.clone());
        self.cycles.push(summary);
    }
}

/// Completes a draft into a log entry with ids and times.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish_entry(
    job: &ProvisioningJob,
    draft: EntryDraft,
    object_id: &str,
    upn: &str,
    cycle_id: &str,
    change_id: &str,
    at: i64,
    cost: Duration,
    on_demand: bool,
) -> LogEntry {
    LogEntry {
        id: change_id.to_string(),
        activity_date_time: format_millis(at),
        job_id: job.job_id.clone(),
        cycle_id: cycle_id.to_string(),
        change_id: change_id.to_string(),
        provisioning_action: draft.action,
        duration_in_milliseconds: u64::try_from(cost.as_millis()).unwrap_or(u64::MAX),
        initiated_by: if on_demand {
            "Provision on demand".into()
        } else {
            "Azure AD Provisioning Service".into()
        },
        source_identity: Identity {
            id: object_id.to_string(),
            display_name: upn.to_string(),
            identity_type: "User".into(),
        },
        target_identity: draft.target,
        source_system: "Azure Active Directory".into(),
        target_system: job.config.target_system.clone(),
        modified_properties: draft.modified,
        provisioning_steps: draft.steps,
        provisioning_status_info: StatusInfo {
            status: draft.status,
            error_information: draft.error.map(|f| ErrorInformation {
                error_code: f.code,
                reason: f.reason,
                error_category: "nonServiceFailure".into(),
            }),
        },
    }
}

/// What exporting one reference produced.
pub(super) struct RefResult {
    pub step: Option<Step>,
    pub modified: Option<ModifiedProperty>,
    /// The manager id now in the target, when the PATCH succeeded (`Some(None)`: removed).
    pub exported: Option<Option<String>>,
    pub failure: Option<Failure>,
    pub trace: Vec<TraceEntry>,
    pub cost: Duration,
}

impl ProvisioningJob {
    /// Records an outcome's link change in the connector data store.
    pub(super) fn apply_link(&mut self, o: &mut Outcome) {
        match std::mem::replace(&mut o.link, LinkChange::Keep) {
            LinkChange::Keep => {}
            LinkChange::Set(link) => {
                self.connector_store.insert(o.object_id.clone());
                self.links.insert(o.object_id.clone(), link);
            }
            LinkChange::Remove => {
                self.links.remove(&o.object_id);
            }
        }
    }

    /// Applies a successful reference export: the link remembers the manager now in the
    /// target, and a user whose only change was its manager counts as updated, not skipped.
    pub(super) fn absorb_exported(
        &mut self,
        object_id: &str,
        entry: &mut EntryDraft,
        exported: Option<Option<String>>,
    ) {
        let Some(manager) = exported else {
            return;
        };
        if let Some(link) = self.links.get_mut(object_id) {
            link.manager = manager;
        }
        if entry.action == Action::Other && entry.status == Status::Skipped {
            entry.steps.retain(|s| s.name != "EntrySynchronizationSkip");
            entry.action = Action::Update;
            entry.status = Status::Success;
        }
    }

    /// Exports one manager reference (HPW step 6; SCIMDEV Example 5): after both users exist;
    /// deferred while the manager is not provisioned (KNOWN "Manager isn't provisioned").
    pub(super) async fn export_reference(
        &self,
        client: &ScimClient<'_>,
        dir: &Directory,
        upn: &str,
        task: &RefTask,
    ) -> RefResult {
        let mut r = RefResult {
            step: None,
            modified: None,
            exported: None,
            failure: None,
            trace: Vec::new(),
            cost: Duration::ZERO,
        };
        let target = self.config.target_system.clone();
        let manager_target = task.desired.as_ref().and_then(|m| {
            self.links
                .get(m)
                .filter(|l| l.managed)
                .map(|l| l.target_id.clone())
        });
        let manager_upn = task
            .desired
            .as_ref()
            .and_then(|m| dir.user(m))
            .map(|r| r.user.user_principal_name.clone());
        let path = format!("/Users/{}", task.target_id);
        let body = match (&task.desired, manager_target) {
            (Some(_), Some(id)) if task.current.as_deref() == Some(id.as_str()) => return r,
            (Some(_), Some(id)) => (wire::manager_body(&id, self.dialect), Some(id)),
            (Some(m), None) => {
                r.step = Some(step(
                    "EntryExportUpdate",
                    StepType::ReferenceResolution,
                    Status::Skipped,
                    format!(
                        "The manager '{}' of User '{upn}' is not provisioned in {target} yet: the reference is exported when User '{upn}' is next processed",
                        manager_upn.unwrap_or_else(|| m.clone())
                    ),
                ));
                return r;
            }
            (None, _) => match &task.current {
                Some(old) => (wire::remove_manager_body(old, self.dialect), None),
                None => return r,
            },
        };
        let (body, new_id) = body;
        let call = client
            .call(
                client.request(Method::PATCH, &path, Some(&body)),
                &mut r.trace,
            )
            .await;
        r.cost = call.cost;
        match call.outcome {
            Ok(resp) if resp.status.is_success() => {
                let desc = match (&new_id, &manager_upn) {
                    (Some(_), Some(m)) => {
                        format!("Manager of User '{upn}' set to '{m}' in {target}")
                    }
                    _ => format!("Manager of User '{upn}' removed in {target}"),
                };
                r.step = Some(step(
                    "EntryExportUpdate",
                    StepType::ReferenceResolution,
                    Status::Success,
                    desc,
                ));
                r.modified = Some(ModifiedProperty {
                    display_name: format!("{}:manager", crate::scim::schema::ENTERPRISE_SCHEMA),
                    old_value: task.current.clone(),
                    new_value: new_id.clone(),
                });
                r.exported = Some(new_id);
            }
            Ok(resp) => {
                let f = failure::from_response(Verb::Reference, upn, &target, &resp);
                r.step = Some(step(
                    "EntryExportUpdate",
                    StepType::ReferenceResolution,
                    Status::Failure,
                    format!("Failed to update the manager of User '{upn}' in {target}"),
                ));
                r.failure = Some(f);
            }
            Err(e) => {
                let f = failure::from_transport(Verb::Reference, upn, &target, &e);
                r.step = Some(step(
                    "EntryExportUpdate",
                    StepType::ReferenceResolution,
                    Status::Failure,
                    format!("Failed to update the manager of User '{upn}' in {target}"),
                ));
                r.failure = Some(f);
            }
        }
        r
    }
}

impl Ctx<'_> {
    /// One object's pipeline.
    pub(super) async fn process(
        &self,
        record: &UserRecord,
        scope: &ScopeResult,
        plan: Plan,
    ) -> Outcome {
        let o = Outcome::new(self, record, scope);
        let target = self.target().to_string();
        let upn = record.user.user_principal_name.clone();
        match plan {
            Plan::Skip(reason) => {
                let description = format!("User '{upn}' will be skipped. {}", scope.detail());
                o.skip(reason.as_str(), description)
            }
            Plan::SkipDeprovision => o.skip(
                "SkipOutOfScopeDeletions",
                format!("User '{upn}' is out of scope but is not disabled in {target} because SkipOutOfScopeDeletions is set"),
            ),
            Plan::Forget => {
                let mut o = o.skip("NotManaged", format!("User '{upn}' was deleted in Azure Active Directory but is no longer managed by the provisioning service: nothing is sent to {target}"));
                o.link = LinkChange::Remove;
                o
            }
            Plan::Staged => {
                let mut o = o;
                o.entry.steps.push(step(
                    "EntrySynchronizationSkip",
                    StepType::Processing,
                    Status::Skipped,
                    format!(
                        "User '{upn}' was not disabled or deleted in {target}: the deletions and disables of this cycle exceed the accidental-deletion threshold of {}; allow deletes to export them",
                        self.job.config.accidental_deletions.threshold
                    ),
                ));
                o.entry.action = Action::StagedDelete;
                o.entry.status = Status::Skipped;
                if let Some(l) = self.job.links.get(&record.user.object_id) {
                    o.entry.target = Identity { id: l.target_id.clone(), display_name: l.user_name.clone(), identity_type: "User".into() };
                }
                o
            }
            Plan::Delete => self.delete(o, record).await,
            Plan::Deprovision { unmanage } => self.deprovision(o, record, scope, unmanage).await,
            Plan::Provision => self.provision(o, record, scope).await,
        }
    }

    async fn read(
        &self,
        o: &mut Outcome,
        id: &str,
        verb: Verb,
        upn: &str,
    ) -> Result<Value, Failure> {
        let call = self
            .client
            .call(
                self.client.request(Method::GET, &self.path_user(id), None),
                &mut o.trace,
            )
            .await;
        o.add_call_cost(call.cost);
        let target = self.target();
        match call.outcome {
            Ok(resp) if resp.status.is_success() => match resp
                .json()
                .filter(|v| v.is_object() && content_type_ok(&resp))
            {
                Some(v) => Ok(v),
                None => Err(failure::incompatible(
                    verb,
                    upn,
                    target,
                    resp.status.as_u16(),
                )),
            },
            Ok(resp) => Err(failure::from_response(Verb::Read, upn, target, &resp)),
            Err(e) => Err(failure::from_transport(Verb::Read, upn, target, &e)),
        }
    }

    /// GET by each matching attribute in precedence order until one matches (CUSTOM).
    async fn find(
        &self,
        o: &mut Outcome,
        eval: &Evaluation,
        upn: &str,
    ) -> Result<Option<Value>, Failure> {
        let target = self.target().to_string();
        let mut any_value = false;
        for m in mapping::matching_order(&self.job.mappings) {
            let Some(Desired::Text(value)) = eval.get(&m.target).cloned() else {
                continue;
            };
            any_value = true;
            let path = format!("/Users?{}", wire::filter_query(&m.target, &value));
            let call = self
                .client
                .call(self.client.request(Method::GET, &path, None), &mut o.trace)
                .await;
            o.add_call_cost(call.cost);
            let resp = match call.outcome {
                Ok(resp) if resp.status.is_success() => resp,
                Ok(resp) => return Err(failure::from_response(Verb::Match, upn, &target, &resp)),
                Err(e) => return Err(failure::from_transport(Verb::Match, upn, &target, &e)),
            };
            let Some(resources) = list_resources(&resp) else {
                return Err(failure::incompatible(
                    Verb::Match,
                    upn,
                    &target,
                    resp.status.as_u16(),
                ));
            };
            match resources.len() {
                0 => continue,
                1 => return Ok(resources.into_iter().next()),
                _ => {
                    let mut ids: Vec<Option<String>> = resources.iter().map(resource_id).collect();
                    ids.dedup();
                    return Err(failure::duplicates(
                        upn,
                        &target,
                        ids.len() > 1,
                        resp.status.as_u16(),
                    ));
                }
            }
        }
        if !any_value {
            return Err(Failure {
                code: "ImportSkipped".into(),
                reason: format!(
                    "User '{upn}' has no value for any matching attribute, so it cannot be matched or provisioned"
                ),
                status: None,
                quarantine: false,
            });
        }
        Ok(None)
    }

    async fn provision(&self, mut o: Outcome, record: &UserRecord, scope: &ScopeResult) -> Outcome {
        let upn = record.user.user_principal_name.clone();
        let target = self.target().to_string();
        let link = self
            .job
            .links
            .get(&record.user.object_id)
            .filter(|l| l.managed)
            .cloned();
        let (id, current) = match link {
            Some(l) if self.job.config.read_before_update => {
                match self.read(&mut o, &l.target_id, Verb::Read, &upn).await {
                    Ok(v) => {
                        o.matched(self, &l.target_id, &resource_user_name(&v));
                        (l.target_id, Some(v))
                    }
                    Err(f) => {
                        return o.fail(
                            Action::Update,
                            "EntryImport",
                            format!("Failed to retrieve User '{upn}' from {target}"),
                            f,
                        );
                    }
                }
            }
            Some(l) => {
                o.entry.target = Identity {
                    id: l.target_id.clone(),
                    display_name: l.user_name.clone(),
                    identity_type: "User".into(),
                };
                (l.target_id, None)
            }
            None => {
                let eval = match self.evaluate(record, scope, false, mapping::Operation::Create) {
                    Ok(e) => e,
                    Err(f) => {
                        return o.fail(
                            Action::Create,
                            "EntrySynchronizationAdd",
                            format!("Failed to evaluate the mappings of User '{upn}'"),
                            f,
                        );
                    }
                };
                match self.find(&mut o, &eval, &upn).await {
                    Ok(Some(found)) => {
                        let Some(id) = resource_id(&found) else {
                            return o.fail(
                                Action::Update,
                                "EntryImport",
                                format!("Failed to match User '{upn}'"),
                                failure::incompatible(Verb::Match, &upn, &target, 200),
                            );
                        };
                        o.matched(self, &id, &resource_user_name(&found));
                        o.link = LinkChange::Set(Link {
                            target_id: id.clone(),
                            user_name: resource_user_name(&found),
                            managed: true,
                            manager: None,
                        });
                        (id, Some(found))
                    }
                    Ok(None) => return self.create(o, record, eval).await,
                    Err(f) if f.code == "ImportSkipped" => {
                        let mut o = o.skip("ImportSkipped", f.reason.clone());
                        o.entry.error = Some(f);
                        return o;
                    }
                    Err(f) => {
                        return o.fail(
                            Action::Create,
                            "EntryImport",
                            format!("Failed to match User '{upn}' in {target}"),
                            f,
                        );
                    }
                }
            }
        };
        self.update(o, record, scope, id, current).await
    }

    async fn create(&self, mut o: Outcome, record: &UserRecord, eval: Evaluation) -> Outcome {
        let upn = record.user.user_principal_name.clone();
        let target = self.target().to_string();
        if !self.job.config.actions.create {
            return o.skip(
                "CreateNotAllowed",
                format!(
                    "User '{upn}' has no match in {target} and the Create action is not enabled"
                ),
            );
        }
        o.entry.steps.push(step(
            "EntrySynchronizationAdd",
            StepType::Processing,
            Status::Success,
            format!("User '{upn}' will be created in {target} (User is active and assigned in Azure Active Directory, but no matching User was found in {target})"),
        ));
        let body = wire::create_body(&eval);
        let call = self
            .client
            .call(
                self.client.request(Method::POST, "/Users", Some(&body)),
                &mut o.trace,
            )
            .await;
        o.add_call_cost(call.cost);
        let exported: Vec<Change> = eval
            .values
            .iter()
            .filter(|(_, d)| !matches!(d, Desired::Reference(_)))
            .map(|(t, d)| Change {
                target: t.clone(),
                old: None,
                new: d.clone(),
            })
            .collect();
        let created = match call.outcome {
            Ok(resp) if resp.status.is_success() => match resp
                .json()
                .filter(|_| content_type_ok(&resp))
            {
                Some(json) if resource_id(&json).is_some() => json,
                _ => {
                    let f =
                        failure::incompatible(Verb::Create, &upn, &target, resp.status.as_u16());
                    return o.fail(
                        Action::Create,
                        "EntryExportAdd",
                        format!("Failed to create User '{upn}' in {target}"),
                        f,
                    );
                }
            },
            // A retried create that meets 409: the lost attempt was applied, so match again.
            Ok(resp) if resp.status.as_u16() == 409 && call.uncertain => {
                let conflict = failure::from_response(Verb::Create, &upn, &target, &resp);
                match self.find(&mut o, &eval, &upn).await {
                    Ok(Some(found)) if resource_id(&found).is_some() => found,
                    _ => {
                        return o.fail(
                            Action::Create,
                            "EntryExportAdd",
                            format!("Failed to create User '{upn}' in {target}"),
                            conflict,
                        );
                    }
                }
            }
            Ok(resp) => {
                let f = failure::from_response(Verb::Create, &upn, &target, &resp);
                return o.fail(
                    Action::Create,
                    "EntryExportAdd",
                    format!("Failed to create User '{upn}' in {target}"),
                    f,
                );
            }
            Err(e) => {
                let f = failure::from_transport(Verb::Create, &upn, &target, &e);
                return o.fail(
                    Action::Create,
                    "EntryExportAdd",
                    format!("Failed to create User '{upn}' in {target}"),
                    f,
                );
            }
        };
        let resource = created;
        let id = resource_id(&resource).unwrap_or_default();
        let user_name = resource_user_name(&resource);
        let mut description = format!("User '{upn}' was created in {target}");
        if call.attempts > 1 {
            description.push_str(&format!(" (after {} attempts)", call.attempts));
        }
        o.entry.steps.push(details(
            step(
                "EntryExportAdd",
                StepType::Export,
                Status::Success,
                description,
            ),
            [("ReportableIdentifier", upn.clone())],
        ));
        o.entry.action = Action::Create;
        o.entry.status = Status::Success;
        o.entry.modified = modified(&exported, &eval.redacted);
        o.entry.target = Identity {
            id: id.clone(),
            display_name: user_name.clone(),
            identity_type: "User".into(),
        };
        o.escrow_clear = true;
        o.reference = self.reference_task(&eval, &id, None);
        o.link = LinkChange::Set(Link {
            target_id: id,
            user_name,
            managed: true,
            manager: None,
        });
        o
    }

    fn reference_task(
        &self,
        eval: &Evaluation,
        target_id: &str,
        current: Option<String>,
    ) -> Option<RefTask> {
        let mapped = self
            .job
            .mappings
            .iter()
            .find(|m| m.kind == TargetKind::Reference)?;
        let desired = match eval.get(&mapped.target) {
            Some(Desired::Reference(id)) => Some(id.clone()),
            _ => None,
        };
        (desired.is_some() || current.is_some()).then(|| RefTask {
            target_id: target_id.to_string(),
            desired,
            current,
        })
    }

    async fn update(
        &self,
        mut o: Outcome,
        record: &UserRecord,
        scope: &ScopeResult,
        id: String,
        current: Option<Value>,
    ) -> Outcome {
        let upn = record.user.user_principal_name.clone();
        let target = self.target().to_string();
        let eval = match self.evaluate(record, scope, false, mapping::Operation::Update) {
            Ok(e) => e,
            Err(f) => {
                return o.fail(
                    Action::Update,
                    "EntrySynchronizationUpdate",
                    format!("Failed to evaluate the mappings of User '{upn}'"),
                    f,
                );
            }
        };
        let changes: Vec<Change> = eval
            .values
            .iter()
            .filter(|(_, d)| !matches!(d, Desired::Reference(_)))
            .filter_map(|(t, d)| {
                let old = current.as_ref().and_then(|c| wire::value_at(c, t));
                (current.is_none() || !wire::same(old.as_ref(), d)).then(|| Change {
                    target: t.clone(),
                    old,
                    new: d.clone(),
                })
            })
            .collect();
        let manager_target = self
            .job
            .mappings
            .iter()
            .find(|m| m.kind == TargetKind::Reference)
            .map(|m| m.target.clone());
        let current_manager = match (&current, &manager_target) {
            (Some(c), Some(t)) => wire::value_at(c, t).and_then(|v| v.as_str().map(str::to_string)),
            (None, _) => self
                .job
                .links
                .get(&record.user.object_id)
                .and_then(|l| l.manager.clone()),
            _ => None,
        };
        // With the Update action off, references are not exported either.
        if self.job.config.actions.update {
            o.reference = self.reference_task(&eval, &id, current_manager);
        }
        if changes.is_empty() {
            // The reference task set above still runs: a manager change alone is exported.
            return o.skip(
                "RedundantExport",
                format!("The state of the user in both the source and target systems already match. No change to the User '{upn}' currently needs to be made."),
            );
        }
        if !self.job.config.actions.update {
            return o.skip(
                "UpdateNotAllowed",
                format!("User '{upn}' differs in {target} but the Update action is not enabled"),
            );
        }
        o.entry.steps.push(step(
            "EntrySynchronizationUpdate",
            StepType::Processing,
            Status::Success,
            format!("User '{upn}' will be updated in {target} (User is active and assigned in Azure Active Directory, and a matching User was found in {target})"),
        ));
        self.export_patch(o, &id, &changes, &eval.redacted, Action::Update, &upn)
            .await
    }

    async fn deprovision(
        &self,
        mut o: Outcome,
        record: &UserRecord,
        scope: &ScopeResult,
        unmanage: bool,
    ) -> Outcome {
        let upn = record.user.user_principal_name.clone();
        let target = self.target().to_string();
        let Some(link) = self.job.links.get(&record.user.object_id).cloned() else {
            return o.skip(
                "NotManaged",
                format!("User '{upn}' is not provisioned in {target}"),
            );
        };
        o.entry.target = Identity {
            id: link.target_id.clone(),
            display_name: link.user_name.clone(),
            identity_type: "User".into(),
        };
        let why = if record.is_soft_deleted() {
            "User is soft-deleted in Azure Active Directory"
        } else if !record.user.account_enabled {
            "User is disabled (accountEnabled is false) in Azure Active Directory"
        } else if !scope.assigned || !scope.effectively_entitled {
            "User is no longer assigned to the application"
        } else {
            "User no longer passes the scoping filters"
        };
        let eval = match self.evaluate(record, scope, true, mapping::Operation::Update) {
            Ok(e) => e,
            Err(f) => {
                return o.fail(
                    Action::Disable,
                    "EntrySynchronizationUpdate",
                    format!("Failed to evaluate the mappings of User '{upn}'"),
                    f,
                );
            }
        };
        let Some((active_target, desired)) = eval
            .values
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case("active"))
            .cloned()
        else {
            return o.skip("NoActiveMapping", format!("User '{upn}' left scope but no mapping feeds 'active' (IsSoftDeleted), so nothing is sent to {target}"));
        };
        let unmanaged = Link {
            managed: !unmanage,
            ..link.clone()
        };
        let current = if self.job.config.read_before_update {
            match self.read(&mut o, &link.target_id, Verb::Read, &upn).await {
                Ok(v) => {
                    o.matched(self, &link.target_id, &resource_user_name(&v));
                    Some(v)
                }
                Err(f) => {
                    return o.fail(
                        Action::Disable,
                        "EntryImport",
                        format!("Failed to retrieve User '{upn}' from {target}"),
                        f,
                    );
                }
            }
        } else {
            None
        };
        let old = current
            .as_ref()
            .and_then(|c| wire::value_at(c, &active_target));
        if current.is_some() && wire::same(old.as_ref(), &desired) {
            let mut o = o.skip(
                "RedundantExport",
                format!("The state of the user in both the source and target systems already match. No change to the User '{upn}' currently needs to be made."),
            );
            o.link = LinkChange::Set(unmanaged);
            return o;
        }
        o.entry.steps.push(step(
            "EntrySynchronizationUpdate",
            StepType::Processing,
            Status::Success,
            format!("User '{upn}' will be disabled in {target} ({why})"),
        ));
        let change = Change {
            target: active_target,
            old,
            new: desired,
        };
        let mut o = self
            .export_patch(
                o,
                &link.target_id,
                std::slice::from_ref(&change),
                &eval.redacted,
                Action::Disable,
                &upn,
            )
            .await;
        if o.entry.status == Status::Success {
            o.link = LinkChange::Set(unmanaged);
        }
        o
    }

    /// Sends one PATCH of `changes` to the target user `id` and records it as `action`
    /// (Update or Disable): the export step, the modified properties, or the failure.
    async fn export_patch(
        &self,
        mut o: Outcome,
        id: &str,
        changes: &[Change],
        redacted: &[String],
        action: Action,
        upn: &str,
    ) -> Outcome {
        let target = self.target().to_string();
        let (verb, doing, done) = match action {
            Action::Disable => (Verb::Disable, "disable", "disabled"),
            _ => (Verb::Update, "update", "updated"),
        };
        let body = wire::update_body(changes, self.dialect);
        let call = self
            .client
            .call(
                self.client
                    .request(Method::PATCH, &self.path_user(id), Some(&body)),
                &mut o.trace,
            )
            .await;
        o.add_call_cost(call.cost);
        let failure = match call.outcome {
            Ok(resp) if resp.status.is_success() => {
                o.entry.steps.push(step(
                    "EntryExportUpdate",
                    StepType::Export,
                    Status::Success,
                    format!("User '{upn}' was {done} in {target}"),
                ));
                o.entry.action = action;
                o.entry.status = Status::Success;
                o.entry.modified = modified(changes, redacted);
                o.escrow_clear = true;
                return o;
            }
            Ok(resp) => failure::from_response(verb, upn, &target, &resp),
            Err(e) => failure::from_transport(verb, upn, &target, &e),
        };
        o.fail(
            action,
            "EntryExportUpdate",
            format!("Failed to {doing} User '{upn}' in {target}"),
            failure,
        )
    }

    async fn delete(&self, mut o: Outcome, record: &UserRecord) -> Outcome {
        let upn = record.user.user_principal_name.clone();
        let target = self.target().to_string();
        let Some(link) = self.job.links.get(&record.user.object_id).cloned() else {
            return o.skip(
                "NotManaged",
                format!("User '{upn}' is not provisioned in {target}"),
            );
        };
        o.entry.target = Identity {
            id: link.target_id.clone(),
            display_name: link.user_name.clone(),
            identity_type: "User".into(),
        };
        o.entry.steps.push(step(
            "EntrySynchronizationDelete",
            StepType::Processing,
            Status::Success,
            format!("User '{upn}' will be deleted in {target} (User was permanently deleted in Azure Active Directory)"),
        ));
        let call = self
            .client
            .call(
                self.client
                    .request(Method::DELETE, &self.path_user(&link.target_id), None),
                &mut o.trace,
            )
            .await;
        o.add_call_cost(call.cost);
        match call.outcome {
            // 404: already gone, which is what a delete wants.
            Ok(resp) if resp.status.is_success() || resp.status.as_u16() == 404 => {
                o.entry.steps.push(step(
                    "EntryExportDelete",
                    StepType::Export,
                    Status::Success,
                    format!("User '{upn}' was deleted in {target}"),
                ));
                o.entry.action = Action::Delete;
                o.entry.status = Status::Success;
                o.link = LinkChange::Remove;
                o.escrow_clear = true;
                o
            }
            Ok(resp) => o.fail(
                Action::Delete,
                "EntryExportDelete",
                format!("Failed to delete User '{upn}' in {target}"),
                failure::from_response(Verb::Delete, &upn, &target, &resp),
            ),
            Err(e) => o.fail(
                Action::Delete,
                "EntryExportDelete",
                format!("Failed to delete User '{upn}' in {target}"),
                failure::from_transport(Verb::Delete, &upn, &target, &e),
            ),
        }
    }
}
