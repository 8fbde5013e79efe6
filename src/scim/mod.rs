//! The SCIM 2.0 protocol as Blink speaks it: pure, I/O-free, and shared by the mock tenant
//! and the provisioning engine.

pub mod datetime;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod fold;
pub mod group;
pub mod group_discovery;
pub mod group_filter;
pub mod group_patch;
pub mod message;
pub mod patch;
pub mod query;
pub mod schema;
pub mod user;
mod user_filter;

pub use error::{ScimError, ScimType};
