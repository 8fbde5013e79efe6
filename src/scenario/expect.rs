//! `expect` steps: assertions on the last cycle, the job, the tenant's users, the provisioning
//! logs and the requests sent. Each check reports what was expected and what was found.

use crate::engine::UnknownName;
use crate::engine::failure::FailureCode;
use crate::engine::job::{JobStatus, ProvisioningJob, QuarantineReason, TestConnection};
use crate::engine::log::{Action, CycleKind, CycleState, CycleSummary, LogEntry, Status};
use crate::engine::scope::SkipReason;
use crate::engine::wire::value_at;
use crate::tenant::faults::set::glob;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Which cycle an assertion is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleRef {
    /// A cycle number (1-based).
    Number(u32),
    /// A cycle named by a word.
    Word(CycleWord),
}

/// The words a cycle reference may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleWord {
    /// The last cycle run.
    Last,
    /// The latest entry, on-demand included.
    Latest,
    /// The last on-demand run.
    OnDemand,
    /// Every cycle.
    All,
}

impl CycleWord {
    fn as_str(self) -> &'static str {
        match self {
            CycleWord::Last => "last",
            CycleWord::Latest => "latest",
            CycleWord::OnDemand => "on_demand",
            CycleWord::All => "all",
        }
    }
}

impl<'de> Deserialize<'de> for CycleRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = CycleRef;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a cycle number or one of `last`, `latest`, `on_demand`, `all`")
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<CycleRef, E> {
                u32::try_from(n)
                    .map(CycleRef::Number)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<CycleRef, E> {
                u64::try_from(n)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))
                    .and_then(|n| self.visit_u64(n))
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<CycleRef, E> {
                CycleWord::deserialize(serde::de::value::StrDeserializer::<E>::new(s))
                    .map(CycleRef::Word)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// An expected name, or `"none"` for its absence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrNone<T> {
    /// Absent.
    None,
    /// This one.
    Some(T),
}

impl<T> From<Option<T>> for OrNone<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(OrNone::None, OrNone::Some)
    }
}

impl<T: std::fmt::Display> std::fmt::Display for OrNone<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrNone::None => f.write_str("none"),
            OrNone::Some(t) => t.fmt(f),
        }
    }
}

impl<'de, T: FromStr<Err = UnknownName>> Deserialize<'de> for OrNone<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.eq_ignore_ascii_case("none") {
            return Ok(OrNone::None);
        }
        s.parse()
            .map(OrNone::Some)
            .map_err(|e| serde::de::Error::custom(format!("{e} or `none`")))
    }
}

/// Assertions on one cycle's summary.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CycleExpect {
    /// Which cycle (the last by default).
    #[serde(default)]
    pub number: Option<u32>,
    /// Initial or Incremental.
    pub kind: Option<CycleKind>,
    /// Succeeded, EntryLevelErrors or Failed.
    pub state: Option<CycleState>,
    /// Counters.
    pub imported: Option<u64>,
    /// In scope.
    pub entitled: Option<u64>,
    /// Created.
    pub created: Option<u64>,
    /// Updated.
    pub updated: Option<u64>,
    /// Disabled.
    pub disabled: Option<u64>,
    /// Deleted.
    pub deleted: Option<u64>,
    /// Skipped.
    pub skipped: Option<u64>,
    /// Failed.
    pub failed: Option<u64>,
    /// Reference failures.
    pub reference_failures: Option<u64>,
    /// Staged deletes.
    pub staged_deletes: Option<u64>,
    /// Objects in escrow after the cycle.
    pub escrowed: Option<u64>,
    /// The portal's count of users in the connector data store after the cycle.
    pub connector_data_store: Option<u64>,
    /// Requests sent.
    pub requests: Option<u64>,
    /// Steady state.
    pub steady_state: Option<bool>,
    /// Job status after the cycle.
    pub job_status: Option<JobStatus>,
    /// Quarantine reason after the cycle ("none" for none).
    pub quarantine: Option<OrNone<QuarantineReason>>,
}

/// Assertions on the job.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobExpect {
    /// `NotRun`, `Active`, `Paused`, `Quarantine`, `Disabled`.
    pub status: Option<JobStatus>,
    /// Quarantine reason, or "none".
    pub quarantine: Option<OrNone<QuarantineReason>>,
    /// Open escrows.
    pub escrowed: Option<usize>,
    /// Staged deletes.
    pub staged_deletes: Option<usize>,
    /// Links in the connector data store.
    pub linked: Option<usize>,
    /// Cycles run so far.
    pub cycles: Option<usize>,
    /// Whether the next cycle is an initial one.
    pub next_is_initial: Option<bool>,
}

/// Assertions on one tenant user.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserExpect {
    /// The user's userName.
    pub user_name: String,
    /// Whether it exists (true by default).
    #[serde(default = "yes")]
    pub exists: bool,
    /// Attribute path → value (`active`, `title`, `emails[type eq "work"].value`, ...).
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
    /// Attribute paths that must have no value.
    #[serde(default)]
    pub absent: Vec<String>,
    /// The userName of the user's manager.
    pub manager: Option<String>,
}

fn yes() -> bool {
    true
}

/// Assertions on the tenant.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantExpect {
    /// Number of users.
    pub count: Option<usize>,
    /// Number of active users.
    pub active: Option<usize>,
    /// Per-user assertions.
    #[serde(default)]
    pub users: Vec<UserExpect>,
}

/// Assertions on a user's provisioning log entries.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogExpect {
    /// The user's UPN (or object id).
    pub user: String,
    /// Which cycle ("latest" by default: the user's latest entry, on-demand included).
    pub cycle: Option<CycleRef>,
    /// Create, Update, Delete, Disable, StagedDelete, Other.
    pub action: Option<Action>,
    /// Success, Failure, Skipped, Warning.
    pub status: Option<Status>,
    /// Error code, or "none".
    pub error_code: Option<OrNone<FailureCode>>,
    /// Skip reason, or "none".
    pub skip_reason: Option<OrNone<SkipReason>>,
    /// Properties that must be among the modified ones.
    pub modified: Option<Vec<String>>,
    /// Properties that must not be among the modified ones.
    #[serde(default)]
    pub not_modified: Vec<String>,
    /// Text one of the steps' descriptions must contain.
    pub step_contains: Option<String>,
    /// Text the error reason must contain.
    pub reason_contains: Option<String>,
    /// Number of entries for the user in that cycle (0: none).
    pub count: Option<usize>,
}

/// Assertions on the requests sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestExpect {
    /// Which cycle ("last" by default).
    pub cycle: Option<CycleRef>,
    /// Method.
    pub method: Option<String>,
    /// Path and query pattern, `*` matching anything (`/scim/Users/*`).
    pub path: Option<String>,
    /// The source object the request was for (UPN).
    pub user: Option<String>,
    /// Text the body must contain.
    pub body_contains: Option<String>,
    /// How long the engine waited before the attempt (Retry-After, back-off), e.g. "2s".
    pub waited: Option<crate::duration::HumanDuration>,
    /// The outcome: a status ("201") or text of a transport error.
    pub outcome: Option<String>,
    /// Exact number of matching requests.
    pub count: Option<usize>,
    /// Minimum number.
    pub min: Option<usize>,
}

/// Assertions on the last Test Connection.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestConnectionExpect {
    /// Whether it succeeded.
    pub ok: Option<bool>,
    /// Text the message must contain.
    pub message_contains: Option<String>,
}

/// An `expect` step.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// About a cycle.
    pub cycle: Option<CycleExpect>,
    /// About the job.
    pub job: Option<JobExpect>,
    /// About the tenant.
    pub tenant: Option<TenantExpect>,
    /// About log entries.
    #[serde(default)]
    pub logs: Vec<LogExpect>,
    /// About requests.
    #[serde(default)]
    pub requests: Vec<RequestExpect>,
    /// About the last Test Connection.
    pub test_connection: Option<TestConnectionExpect>,
}

/// One assertion's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, e.g. `cycle 2 created`.
    pub what: String,
    /// Whether it held.
    pub ok: bool,
    /// Expected value.
    pub expected: String,
    /// Actual value.
    pub actual: String,
}

/// What an expect step sees.
pub struct View<'a> {
    /// The job.
    pub job: &'a ProvisioningJob,
    /// The tenant's users, when the step asks about them.
    pub users: Option<&'a [Value]>,
    /// The last Test Connection result.
    pub test_connection: Option<&'a TestConnection>,
}

struct Checks(Vec<Check>);

impl Checks {
    fn eq<T: std::fmt::Display + PartialEq>(
        &mut self,
        what: String,
        expected: Option<T>,
        actual: T,
    ) {
        if let Some(e) = expected {
            self.0.push(Check {
                ok: e == actual,
                what,
                expected: e.to_string(),
                actual: actual.to_string(),
            });
        }
    }

    fn push(&mut self, what: String, ok: bool, expected: String, actual: String) {
        self.0.push(Check {
            what,
            ok,
            expected,
            actual,
        });
    }
}

impl Expect {
    /// Evaluates every assertion.
    pub fn evaluate(&self, view: &View<'_>) -> Vec<Check> {
        let mut checks = Checks(Vec::new());
        if let Some(c) = &self.cycle {
            cycle_checks(&mut checks, c, view.job);
        }
        if let Some(j) = &self.job {
            job_checks(&mut checks, j, view.job);
        }
        if let Some(t) = &self.tenant {
            tenant_checks(&mut checks, t, view.users.unwrap_or(&[]));
        }
        for l in &self.logs {
            log_checks(&mut checks, l, view.job);
        }
        for r in &self.requests {
            request_checks(&mut checks, r, view.job);
        }
        if let Some(t) = &self.test_connection {
            match view.test_connection {
                Some(tc) => {
                    checks.eq("test connection ok".into(), t.ok, tc.ok);
                    if let Some(m) = &t.message_contains {
                        checks.push(
                            "test connection message".into(),
                            tc.message.contains(m.as_str()),
                            format!("contains {m:?}"),
                            tc.message.clone(),
                        );
                    }
                }
                None => checks.push(
                    "test connection".into(),
                    false,
                    "a test connection step before".into(),
                    "none run".into(),
                ),
            }
        }
        checks.0
    }

    /// Whether the step needs the tenant's users.
    pub fn needs_users(&self) -> bool {
        self.tenant.is_some()
    }
}

fn cycle_checks(checks: &mut Checks, c: &CycleExpect, job: &ProvisioningJob) {
    let summary: Option<&CycleSummary> = match c.number {
        Some(n) => job.cycles().iter().find(|s| s.number == n),
        None => job.cycles().last(),
    };
    let Some(s) = summary else {
        checks.push(
            "cycle".into(),
            false,
            c.number.map_or("a cycle".into(), |n| format!("cycle {n}")),
            "no such cycle".into(),
        );
        return;
    };
    let at = |field: &str| format!("cycle {} {field}", s.number);
    checks.eq(at("kind"), c.kind, s.kind);
    checks.eq(at("state"), c.state, s.state);
    let n = &s.counts;
    for (field, expected, actual) in [
        ("imported", c.imported, n.imported),
        ("entitled", c.entitled, n.entitled),
        ("created", c.created, n.created),
        ("updated", c.updated, n.updated),
        ("disabled", c.disabled, n.disabled),
        ("deleted", c.deleted, n.deleted),
        ("skipped", c.skipped, n.skipped),
        ("failed", c.failed, n.failed),
        (
            "reference_failures",
            c.reference_failures,
            n.reference_failures,
        ),
        ("staged_deletes", c.staged_deletes, n.staged_deletes),
        ("requests", c.requests, n.requests),
    ] {
        checks.eq(at(field), expected, actual);
    }
    checks.eq(at("escrowed"), c.escrowed, s.escrowed);
    checks.eq(
        at("connector_data_store"),
        c.connector_data_store,
        s.users_in_connector_data_store,
    );
    checks.eq(at("steady_state"), c.steady_state, s.steady_state);
    checks.eq(at("job_status"), c.job_status, s.job_status);
    checks.eq(at("quarantine"), c.quarantine, s.quarantine.into());
}

fn job_checks(checks: &mut Checks, j: &JobExpect, job: &ProvisioningJob) {
    checks.eq("job status".into(), j.status, job.status());
    checks.eq(
        "job quarantine".into(),
        j.quarantine,
        job.quarantine().map(|q| q.reason).into(),
    );
    checks.eq("job escrowed".into(), j.escrowed, job.escrows().len());
    checks.eq(
        "job staged_deletes".into(),
        j.staged_deletes,
        job.staged_deletes().len(),
    );
    checks.eq("job linked".into(), j.linked, job.links().len());
    checks.eq("job cycles".into(), j.cycles, job.cycles().len());
    checks.eq(
        "job next_is_initial".into(),
        j.next_is_initial,
        job.next_is_initial(),
    );
}

fn find<'a>(users: &'a [Value], user_name: &str) -> Option<&'a Value> {
    users.iter().find(|u| {
        u.get("userName")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(user_name))
    })
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_string(), Value::to_string)
}

fn tenant_checks(checks: &mut Checks, t: &TenantExpect, users: &[Value]) {
    checks.eq("tenant users".into(), t.count, users.len());
    let active = users
        .iter()
        .filter(|u| u.get("active") == Some(&Value::Bool(true)))
        .count();
    checks.eq("tenant active users".into(), t.active, active);
    for u in &t.users {
        let found = find(users, &u.user_name);
        checks.push(
            format!("tenant user {} exists", u.user_name),
            found.is_some() == u.exists,
            u.exists.to_string(),
            found.is_some().to_string(),
        );
        let Some(found) = found else { continue };
        for (path, expected) in &u.attributes {
            let actual = value_at(found, path);
            let ok = match (&actual, expected) {
                (Some(Value::String(a)), Value::String(e)) => a == e,
                (Some(a), e) => a == e,
                (None, _) => false,
            };
            checks.push(
                format!("tenant user {} {path}", u.user_name),
                ok,
                expected.to_string(),
                show(actual.as_ref()),
            );
        }
        for path in &u.absent {
            let actual = value_at(found, path);
            checks.push(
                format!("tenant user {} {path}", u.user_name),
                actual.is_none(),
                "(absent)".into(),
                show(actual.as_ref()),
            );
        }
        if let Some(m) = &u.manager {
            let id = value_at(
                found,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            );
            let manager_name = id
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|id| {
                    users
                        .iter()
                        .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
                })
                .and_then(|x| x.get("userName").and_then(Value::as_str))
                .unwrap_or("(none)");
            checks.push(
                format!("tenant user {} manager", u.user_name),
                manager_name.eq_ignore_ascii_case(m),
                m.clone(),
                manager_name.to_string(),
            );
        }
    }
}

/// The entries a cycle reference selects, for one user.
fn entries_for<'a>(
    job: &'a ProvisioningJob,
    user: &str,
    cycle: Option<&CycleRef>,
) -> Vec<&'a LogEntry> {
    let mine = |e: &&LogEntry| {
        e.source_identity.display_name.eq_ignore_ascii_case(user) || e.source_identity.id == user
    };
    let cycle_id = |n: u32| {
        job.cycles()
            .iter()
            .find(|s| s.number == n)
            .map(|s| s.cycle_id.clone())
    };
    match cycle {
        None => job.logs().iter().rev().find(mine).into_iter().collect(),
        Some(CycleRef::Word(CycleWord::Latest)) => {
            job.logs().iter().rev().find(mine).into_iter().collect()
        }
        Some(CycleRef::Word(CycleWord::All)) => job.logs().iter().filter(mine).collect(),
        Some(CycleRef::Word(CycleWord::OnDemand)) => job
            .logs()
            .iter()
            .rev()
            .filter(mine)
            .find(|e| e.initiated_by == "Provision on demand")
            .into_iter()
            .collect(),
        Some(CycleRef::Word(CycleWord::Last)) => {
            let id = job.cycles().last().map(|s| s.cycle_id.clone());
            job.logs()
                .iter()
                .filter(|e| Some(&e.cycle_id) == id.as_ref())
                .filter(mine)
                .collect()
        }
        Some(CycleRef::Number(n)) => {
            let id = cycle_id(*n);
            job.logs()
                .iter()
                .filter(|e| Some(&e.cycle_id) == id.as_ref())
                .filter(mine)
                .collect()
        }
    }
}

fn cycle_label(c: Option<&CycleRef>, default: &str) -> String {
    match c {
        None => default.to_string(),
        Some(CycleRef::Number(n)) => format!("cycle {n}"),
        Some(CycleRef::Word(w)) => w.as_str().to_string(),
    }
}

fn log_checks(checks: &mut Checks, l: &LogExpect, job: &ProvisioningJob) {
    let entries = entries_for(job, &l.user, l.cycle.as_ref());
    let label = format!(
        "log {} ({})",
        l.user,
        cycle_label(l.cycle.as_ref(), "latest")
    );
    checks.eq(format!("{label} entries"), l.count, entries.len());
    let wants_entry = l.action.is_some()
        || l.status.is_some()
        || l.error_code.is_some()
        || l.skip_reason.is_some()
        || l.modified.is_some()
        || !l.not_modified.is_empty()
        || l.step_contains.is_some()
        || l.reason_contains.is_some();
    if !wants_entry {
        return;
    }
    let Some(e) = entries.last() else {
        checks.push(label, false, "an entry".into(), "none".into());
        return;
    };
    checks.eq(format!("{label} action"), l.action, e.provisioning_action);
    checks.eq(format!("{label} status"), l.status, e.status());
    checks.eq(
        format!("{label} error_code"),
        l.error_code,
        e.error_code().into(),
    );
    checks.eq(
        format!("{label} skip_reason"),
        l.skip_reason,
        e.skip_reason().into(),
    );
    if let Some(props) = &l.modified {
        let actual: Vec<&str> = e
            .modified_properties
            .iter()
            .map(|m| m.display_name.as_str())
            .collect();
        let ok = props
            .iter()
            .all(|p| actual.iter().any(|a| a.eq_ignore_ascii_case(p)));
        checks.push(
            format!("{label} modified"),
            ok,
            props.join(", "),
            actual.join(", "),
        );
    }
    if !l.not_modified.is_empty() {
        let actual: Vec<&str> = e
            .modified_properties
            .iter()
            .map(|m| m.display_name.as_str())
            .collect();
        let ok = !l
            .not_modified
            .iter()
            .any(|p| actual.iter().any(|a| a.eq_ignore_ascii_case(p)));
        checks.push(
            format!("{label} not modified"),
            ok,
            format!("none of {}", l.not_modified.join(", ")),
            actual.join(", "),
        );
    }
    if let Some(text) = &l.step_contains {
        let ok = e
            .provisioning_steps
            .iter()
            .any(|s| s.description.contains(text.as_str()));
        let last = e
            .provisioning_steps
            .last()
            .map(|s| s.description.clone())
            .unwrap_or_default();
        checks.push(
            format!("{label} steps"),
            ok,
            format!("a step containing {text:?}"),
            last,
        );
    }
    if let Some(text) = &l.reason_contains {
        let reason = e
            .provisioning_status_info
            .error_information
            .as_ref()
            .map_or("", |x| x.reason.as_str());
        checks.push(
            format!("{label} reason"),
            reason.contains(text.as_str()),
            format!("contains {text:?}"),
            reason.to_string(),
        );
    }
}

fn request_checks(checks: &mut Checks, r: &RequestExpect, job: &ProvisioningJob) {
    let label = match r.cycle.as_ref() {
        None => job
            .cycles()
            .last()
            .map_or("".to_string(), |s| s.number.to_string()),
        Some(CycleRef::Number(n)) => n.to_string(),
        Some(CycleRef::Word(CycleWord::OnDemand)) => job
            .trace()
            .iter()
            .rev()
            .find(|t| t.cycle.starts_with("on-demand"))
            .map(|t| t.cycle.clone())
            .unwrap_or_default(),
        Some(CycleRef::Word(CycleWord::All)) => "*".into(),
        Some(CycleRef::Word(CycleWord::Last | CycleWord::Latest)) => job
            .cycles()
            .last()
            .map_or("".to_string(), |s| s.number.to_string()),
    };
    let n = job
        .trace()
        .iter()
        .filter(|t| label == "*" || t.cycle == label)
        .filter(|t| {
            t.object != "(test connection)"
                || r.path.as_deref().is_some_and(|p| p.contains("filter"))
        })
        .filter(|t| {
            r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&t.entry.method))
        })
        .filter(|t| r.path.as_deref().is_none_or(|p| glob(p, &t.entry.path)))
        .filter(|t| {
            r.user
                .as_deref()
                .is_none_or(|u| u.eq_ignore_ascii_case(&t.object))
        })
        .filter(|t| {
            r.body_contains
                .as_deref()
                .is_none_or(|b| t.entry.body.as_deref().is_some_and(|body| body.contains(b)))
        })
        .filter(|t| {
            r.outcome
                .as_deref()
                .is_none_or(|o| t.entry.outcome.starts_with(o) || t.entry.outcome.contains(o))
        })
        .filter(|t| r.waited.is_none_or(|w| w.as_millis() == t.entry.waited_ms))
        .count();
    let what = format!(
        "requests{}{}{}{}{}{} in cycle {}",
        r.method
            .as_deref()
            .map(|m| format!(" {m}"))
            .unwrap_or_default(),
        r.path
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default(),
        r.user
            .as_deref()
            .map(|u| format!(" for {u}"))
            .unwrap_or_default(),
        r.body_contains
            .as_deref()
            .map(|b| format!(" with body containing {b:?}"))
            .unwrap_or_default(),
        r.waited
            .map(|w| format!(" after waiting {w}"))
            .unwrap_or_default(),
        r.outcome
            .as_deref()
            .map(|o| format!(" -> {o}"))
            .unwrap_or_default(),
        if label == "*" { "any" } else { &label }
    );
    checks.eq(what.clone(), r.count, n);
    if let Some(min) = r.min {
        checks.push(what, n >= min, format!("at least {min}"), n.to_string());
    }
}
