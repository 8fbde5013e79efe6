//! blinksim: test Blink user provisioning offline.
//!
//! - [`scim`]: the SCIM 2.0 protocol, pure and I/O-free.
//! - [`tenant`]: the mock Blink tenant (in-process or over HTTP).
//! - [`engine`]: the simulated Azure AD provisioning service.
//! - [`scenario`]: the two composed and driven by scenario files.
//! - [`sim`]: a tenant, a directory, a job and one clock wired together.
//! - [`load`]: throughput measurement of the engine and of SCIM servers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod clock;
pub mod duration;
pub mod engine;
pub mod exit;
pub mod fakes;
pub mod histogram;
pub mod load;
#[cfg(feature = "cli")]
pub mod progress;
pub mod scenario;
pub mod scim;
pub mod sim;
pub mod tenant;

/// The README's Rust examples, compiled and run as doctests so they keep working as written.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
