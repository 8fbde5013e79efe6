//! blinksim: test Blink user provisioning offline.
//!
//! - [`scim`]: the SCIM 2.0 protocol, pure and I/O-free.
//! - [`tenant`]: the mock Blink tenant (in-process or over HTTP).
//! - [`engine`]: the simulated Azure AD provisioning service.
//! - [`scenario`]: the two composed and driven by scenario files.
//! - [`sim`]: a tenant, a directory, a job and one clock wired together.
//! - [`check`]: what Entra will make of a SCIM endpoint, checked offline.
//! - [`load`]: throughput measurement of the engine and of SCIM servers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub(crate) mod clock;
pub(crate) mod duration;
pub mod engine;
pub(crate) mod exit;
pub(crate) mod fakes;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod histogram;
pub(crate) mod html;
pub mod load;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod progress;
pub mod scenario;
pub mod scim;
pub mod sim;
pub mod tenant;

pub use clock::{Clock, SharedClock, SystemClock, VirtualClock};
pub use duration::{DurationError, HumanDuration, format_duration, parse_duration};
pub use engine::{Directory, DirectoryUser, JobConfig, ProvisioningJob};
pub use exit::ExitStatus;
pub use sim::{Connection, DEFAULT_START, Simulation, SimulationBuilder, TenantTransport};
pub use tenant::{FaultRule, MockTenant, MockTenantBuilder, Operation, Tenant, TenantOptions};

/// The README's Rust examples, compiled and run as doctests so they keep working as written.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
