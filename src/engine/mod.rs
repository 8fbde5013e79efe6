//! The simulated Azure AD (Microsoft Entra ID) provisioning service: a source directory, a
//! provisioning job with Azure AD's cycles, and the requests it sends to any SCIM endpoint
//! through a [`transport::Transport`] (aad-provisioning-service.md §1-8).
//!
//! ```
//! use blinksim::VirtualClock;
//! use blinksim::engine::{Directory, DirectoryUser};
//! use blinksim::engine::HttpTransport;
//! use blinksim::engine::{JobConfig, ProvisioningJob};
//! use std::{sync::Arc, time::Duration};
//!
//! let mut dir = Directory::new();
//! dir.add_user(DirectoryUser::new("u-ada", "ada@contoso.example")).unwrap();
//! dir.assign("u-ada", false, "User").unwrap();
//! let config = JobConfig { tenant_url: "http://127.0.0.1:8080/scim".into(), secret_token: "token".into(), ..JobConfig::default() };
//! let transport = Arc::new(HttpTransport::new(&config.origin(), Duration::from_secs(5)).unwrap());
//! let job = ProvisioningJob::new(config, transport, VirtualClock::new(blinksim::DEFAULT_START)).unwrap();
//! assert!(job.next_is_initial());
//! // job.run_cycle(&dir).await? runs the initial cycle; job.logs() has the provisioning logs.
//! ```

pub(crate) mod client;
pub(crate) mod config;
mod cycle;
pub(crate) mod directory;
pub(crate) mod expr;
pub(crate) mod failure;
pub(crate) mod job;
pub(crate) mod known_issues;
pub(crate) mod log;
pub(crate) mod mapping;
mod memo;
mod names;
mod ondemand;
pub(crate) mod policy;
pub(crate) mod scope;
pub(crate) mod transport;
pub(crate) mod trial;
pub(crate) mod wire;

pub use config::{AccidentalDeletions, JobConfig, TargetActions};
pub use directory::generator::{DirectorySpec, generate};
pub use directory::model::{DirectoryUser, Group};
pub use directory::{Directory, DirectoryError};
pub use failure::FailureCode;
pub use job::{
    EngineError, GroupLink, Link, Progress, ProvisioningJob, QuarantineReason, ResetScope,
    TestConnection, TraceRecord,
};
pub use job::{
    EntryCount, Schedule, ScheduleState, StatusCode, SyncError, SyncProgress, SyncQuarantine,
    SynchronizationJob, SynchronizationStatus, TaskExecution,
};
pub use log::{
    Action, CycleKind, CycleState, CycleSummary, LogEntry, Status, StepName, write_json_lines,
};
pub use log::{
    ErrorCategory, ErrorInformation, Identity, Initiator, InitiatorType, ProvisioningSystem,
    ServicePrincipal,
};
pub use mapping::{MappingConfig, blink_default_mappings};
pub use policy::QuarantineThresholds;
pub use scope::{Clause, FilterOperator, ScopingFilter, SkipReason, SyncScope};
pub use transport::{HttpTransport, Transport};
pub use trial::{TrialError, try_expression};
pub use wire::Dialect;

/// The per-user decision path (scope, mappings, the diff), for the engine bench only: not a
/// stable API.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals {
    pub use super::mapping::{Desired, Operation, SourceView, compile, evaluate};
    pub use super::scope::evaluate_with;
    pub use super::wire::{Change, create_body, same, update_body, value_at, value_ref_at};
}
pub use names::UnknownName;
pub use ondemand::{OnDemandResult, OnDemandStep};

/// Blink's tenant URL (seed tutorial step 5).
pub const BLINK_TENANT_URL: &str = "https://api.joinblink.com/scim";
