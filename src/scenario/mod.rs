//! Scenarios: the mock tenant and the provisioning engine composed, driven by files.

pub mod transport;

pub use transport::TenantTransport;
