//! The simulated Azure AD (Microsoft Entra ID) provisioning service: a source directory, a
//! provisioning job with Azure AD's cycles, and the requests it sends to any SCIM endpoint
//! through a [`transport::Transport`] (aad-provisioning-service.md §1-8).
//!
//! ```
//! use blinksim::clock::VirtualClock;
//! use blinksim::engine::directory::{Directory, DirectoryUser};
//! use blinksim::engine::transport::HttpTransport;
//! use blinksim::engine::{JobConfig, ProvisioningJob};
//! use std::{sync::Arc, time::Duration};
//!
//! let mut dir = Directory::new();
//! dir.add_user(DirectoryUser::new("u-ada", "ada@contoso.example")).unwrap();
//! dir.assign("u-ada", false, "User").unwrap();
//! let config = JobConfig { tenant_url: "http://127.0.0.1:8080/scim".into(), secret_token: "token".into(), ..JobConfig::default() };
//! let transport = Arc::new(HttpTransport::new(&config.origin(), Duration::from_secs(5)).unwrap());
//! let job = ProvisioningJob::new(config, transport, VirtualClock::new(0)).unwrap();
//! assert!(job.next_is_initial());
//! // job.run_cycle(&dir).await? runs the initial cycle; job.logs() has the provisioning logs.
//! ```

pub mod client;
pub mod config;
mod cycle;
pub mod directory;
pub mod expr;
pub mod failure;
pub mod job;
pub mod known_issues;
pub mod log;
pub mod mapping;
mod names;
mod ondemand;
pub mod policy;
pub mod scope;
pub mod transport;
pub mod trial;
pub mod wire;

pub use config::{AccidentalDeletions, JobConfig, TargetActions};
pub use job::{
    EngineError, JobStatus, Link, ProvisioningJob, QuarantineReason, ResetScope, TestConnection,
    TraceRecord,
};
pub use names::UnknownName;
pub use ondemand::{OnDemandResult, OnDemandStep};

/// Blink's tenant URL (seed tutorial step 5).
pub const BLINK_TENANT_URL: &str = "https://api.joinblink.com/scim";
