//! `expect` steps: assertions on the last cycle, the job, the tenant's users, the provisioning
//! logs and the requests sent. Each check reports what was expected and what was found.

mod logs;
mod names;
mod requests;
mod state;

pub(crate) use names::{CycleRef, CycleWord, OrNone};

use crate::engine::failure::FailureCode;
use crate::engine::job::{
    JobStatus, ProvisioningJob, QuarantineReason, ScheduleState, StatusCode, TestConnection,
};
use crate::engine::log::{Action, CycleKind, CycleState, Status};
use crate::engine::scope::SkipReason;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

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

/// Assertions on the job. Graph's fields (§1.1) go by Graph's names in snake case:
/// `code` and the others of `synchronizationStatus`, `schedule_state` for
/// `synchronizationSchedule.state`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobExpect {
    /// `status.code`: `NotConfigured`, `NotRun`, `Active`, `Paused`, `Quarantine`.
    pub code: Option<StatusCode>,
    /// `schedule.state`: `Active`, `Disabled`, `Paused`.
    pub schedule_state: Option<ScheduleState>,
    /// `status.quarantine.reason`, or "none".
    pub quarantine: Option<OrNone<QuarantineReason>>,
    /// `status.quarantine.seriesCount`.
    pub quarantine_series_count: Option<u32>,
    /// `status.countSuccessiveCompleteFailures`.
    pub count_successive_complete_failures: Option<u64>,
    /// `status.lastExecution.state`.
    pub last_execution_state: Option<CycleState>,
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
            state::cycle_checks(&mut checks, c, view.job);
        }
        if let Some(j) = &self.job {
            state::job_checks(&mut checks, j, view.job);
        }
        if let Some(t) = &self.tenant {
            state::tenant_checks(&mut checks, t, view.users.unwrap_or(&[]));
        }
        for l in &self.logs {
            logs::log_checks(&mut checks, l, view.job);
        }
        for r in &self.requests {
            requests::request_checks(&mut checks, r, view.job);
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
