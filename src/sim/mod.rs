//! The composition root: a mock Blink tenant (or a real SCIM target), a source directory, a
//! provisioning job and one virtual clock wired together. Scenarios, `blinksim load`, the
//! engine tests and the benches all build their world here.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use blinksim::engine::{Directory, DirectoryUser};
//! use blinksim::sim::Simulation;
//!
//! let mut dir = Directory::new();
//! dir.add_user(DirectoryUser::new("u-ada", "ada@contoso.example")).unwrap();
//! dir.assign("u-ada", false, "User").unwrap();
//! let mut sim = Simulation::builder().directory(dir).build().unwrap();
//! assert_eq!(sim.run_cycle().await.unwrap().counts.created, 1);
//! assert!(sim.tenant().unwrap().find_by_user_name("ada@contoso.example").is_some());
//! # }
//! ```

pub(crate) mod transport;

pub use transport::TenantTransport;

use crate::clock::{Clock, VirtualClock};
use crate::engine::directory::Directory;
use crate::engine::directory::generator::{DirectorySpec, generate};
use crate::engine::log::CycleSummary;
use crate::engine::transport::{HttpTransport, Transport};
use crate::engine::{EngineError, JobConfig, ProvisioningJob};
use crate::tenant::{FaultRule, MockTenant, Tenant, TenantOptions};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// 2026-01-15T09:00:00Z: where simulations (and scenarios) start unless told otherwise.
pub const DEFAULT_START: OffsetDateTime = time::macros::datetime!(2026-01-15 09:00:00 UTC);

/// `t` as Unix milliseconds, the engine's and the tenant's unit.
pub const fn unix_millis(t: OffsetDateTime) -> i64 {
    // Lossless: `OffsetDateTime` spans years -9999 to 9999, about 3.2e14 ms either way.
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Unix milliseconds as a date-time (the Unix epoch if out of range).
pub fn from_unix_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// How the job reaches its target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Connection {
    /// The embedded tenant called in-process: no socket, latency in virtual time.
    #[default]
    InProcess,
    /// The embedded tenant served over HTTP on a loopback port of this process.
    Loopback,
    /// A SCIM endpoint over HTTP. Tenant options, users and faults do not apply there.
    Http {
        /// Tenant URL, e.g. `http://127.0.0.1:8080/scim`.
        url: String,
        /// Bearer token.
        token: String,
    },
}

/// Why a simulation could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The generated directory could not be built.
    #[error("generating the directory: {0}")]
    Directory(#[from] crate::engine::directory::DirectoryError),
    /// A user for the embedded tenant was rejected (its index among the users given).
    #[error("tenant user {index}: {detail}")]
    TenantUser {
        /// Index among the users given to [`SimulationBuilder::tenant_users`].
        index: usize,
        /// The tenant's SCIM error detail.
        detail: String,
    },
    /// A fault rule is invalid.
    #[error("fault rule: {0}")]
    Fault(#[from] crate::tenant::faults::RuleError),
    /// The HTTP target cannot be reached with this URL.
    #[error("{0}")]
    Target(String),
    /// The loopback server could not start.
    #[error("starting the loopback tenant: {0}")]
    Server(#[from] std::io::Error),
    /// The job's configuration is invalid.
    #[error(transparent)]
    Job(#[from] EngineError),
}

/// Where the source directory comes from.
enum DirectorySource {
    Given(Box<Directory>),
    Generated(DirectorySpec),
}

/// Builds a [`Simulation`]; see [`Simulation::builder`].
pub struct SimulationBuilder {
    options: TenantOptions,
    directory: DirectorySource,
    job: JobConfig,
    seed: Option<u64>,
    start: OffsetDateTime,
    connection: Connection,
    timeout: Option<Duration>,
    prefill: usize,
    users: Vec<serde_json::Value>,
    faults: Vec<FaultRule>,
    wrap: Option<TransportWrapper>,
}

/// Wraps the job's transport (to measure it, for example).
type TransportWrapper = Box<dyn FnOnce(Arc<dyn Transport>) -> Arc<dyn Transport>>;

impl SimulationBuilder {
    /// The embedded tenant's options (its seed is replaced by [`Self::seed`] if given).
    pub fn tenant_options(mut self, options: TenantOptions) -> Self {
        self.options = options;
        self
    }

    /// The source directory.
    pub fn directory(mut self, directory: Directory) -> Self {
        self.directory = DirectorySource::Given(Box::new(directory));
        self
    }

    /// A source directory generated from `spec` when built.
    pub fn generated_directory(mut self, spec: DirectorySpec) -> Self {
        self.directory = DirectorySource::Generated(spec);
        self
    }

    /// The job's configuration. An empty secret token becomes the embedded tenant's.
    pub fn job(mut self, config: JobConfig) -> Self {
        self.job = config;
        self
    }

    /// One seed for the tenant (ids, prefill, faults) and the job (ids, `Guid()`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The virtual start time ([`DEFAULT_START`] by default).
    pub fn start(mut self, at: OffsetDateTime) -> Self {
        self.start = at;
        self
    }

    /// How the job reaches its target (the embedded tenant in-process by default).
    pub fn connection(mut self, connection: Connection) -> Self {
        self.connection = connection;
        self
    }

    /// The request timeout (the job's `request_timeout_ms` by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Prefills the embedded tenant with this many generated users (with the seed).
    pub fn prefill(mut self, users: usize) -> Self {
        self.prefill = users;
        self
    }

    /// Users the embedded tenant holds before the first cycle (SCIM representations).
    pub fn tenant_users(mut self, users: Vec<serde_json::Value>) -> Self {
        self.users = users;
        self
    }

    /// Fault rules installed in the embedded tenant.
    pub fn faults(mut self, rules: Vec<FaultRule>) -> Self {
        self.faults = rules;
        self
    }

    /// Wraps the transport the job sends through.
    pub fn wrap_transport(
        mut self,
        wrap: impl FnOnce(Arc<dyn Transport>) -> Arc<dyn Transport> + 'static,
    ) -> Self {
        self.wrap = Some(Box::new(wrap));
        self
    }

    /// Wires everything together. A [`Connection::Loopback`] binds its port here, so it must
    /// be called within a tokio runtime; nothing is sent until the job runs.
    pub fn build(self) -> Result<Simulation, SimError> {
        let clock = VirtualClock::new(unix_millis(self.start));
        let directory = match self.directory {
            DirectorySource::Given(dir) => *dir,
            DirectorySource::Generated(spec) => generate(&spec)?,
        };
        let mut config = self.job;
        let mut options = self.options;
        if let Some(seed) = self.seed {
            config.seed = seed;
            options.seed = seed;
        }
        let timeout = self
            .timeout
            .unwrap_or(Duration::from_millis(config.request_timeout_ms));
        let mut server = None;
        let (tenant, transport): (Option<Tenant>, Arc<dyn Transport>) = match self.connection {
            Connection::Http { url, token } => {
                config.tenant_url = url;
                config.secret_token = token;
                (None, http(&config, timeout)?)
            }
            embedded => {
                let tenant = Tenant::with_clock(options, Arc::new(clock.clone()));
                tenant.prefill(self.prefill, tenant.options().seed);
                for (index, user) in self.users.into_iter().enumerate() {
                    tenant.insert_user(user).map_err(|e| SimError::TenantUser {
                        index,
                        detail: e.detail,
                    })?;
                }
                for rule in &self.faults {
                    rule.validate()?;
                }
                tenant.add_faults(self.faults);
                if config.secret_token.is_empty() {
                    config.secret_token = tenant.options().token.clone();
                }
                let transport: Arc<dyn Transport> = if embedded == Connection::Loopback {
                    let started = MockTenant::serve(tenant.clone(), loopback())?;
                    config.tenant_url = loopback_url(&started, &config.tenant_url);
                    let transport = http(&config, timeout)?;
                    server = Some(started);
                    transport
                } else {
                    Arc::new(TenantTransport::new(tenant.clone(), timeout))
                };
                (Some(tenant), transport)
            }
        };
        let transport = match self.wrap {
            Some(wrap) => wrap(transport),
            None => transport,
        };
        let job = ProvisioningJob::new(config, Arc::clone(&transport), clock.clone())?;
        Ok(Simulation {
            clock,
            tenant,
            server,
            directory,
            job,
            transport,
        })
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The server's tenant URL, keeping the flags (`?aadOptscim062020`) of the configured one.
fn loopback_url(server: &MockTenant, configured: &str) -> String {
    match configured.split_once('?') {
        Some((_, flags)) => format!("{}?{flags}", server.uri()),
        None => server.uri(),
    }
}

fn http(config: &JobConfig, timeout: Duration) -> Result<Arc<dyn Transport>, SimError> {
    let transport = HttpTransport::new(&config.origin(), timeout)
        .map_err(|e| SimError::Target(e.to_string()))?;
    Ok(Arc::new(transport))
}

/// A tenant, a directory, a job and one virtual clock shared by the tenant and the job.
pub struct Simulation {
    clock: VirtualClock,
    tenant: Option<Tenant>,
    server: Option<MockTenant>,
    directory: Directory,
    job: ProvisioningJob,
    transport: Arc<dyn Transport>,
}

/// A simulation taken apart, for callers that drive the pieces themselves.
pub struct SimulationParts {
    /// The clock the tenant and the job share.
    pub clock: VirtualClock,
    /// The embedded tenant (none for an HTTP target).
    pub tenant: Option<Tenant>,
    /// The loopback server, which stops when dropped.
    pub server: Option<MockTenant>,
    /// The source directory.
    pub directory: Directory,
    /// The provisioning job.
    pub job: ProvisioningJob,
    /// The transport the job sends through.
    pub transport: Arc<dyn Transport>,
}

impl Simulation {
    /// A builder: the embedded tenant in-process with default options, an empty directory,
    /// the default job, starting at [`DEFAULT_START`].
    pub fn builder() -> SimulationBuilder {
        SimulationBuilder {
            options: TenantOptions::default(),
            directory: DirectorySource::Given(Box::default()),
            job: JobConfig::default(),
            seed: None,
            start: DEFAULT_START,
            connection: Connection::InProcess,
            timeout: None,
            prefill: 0,
            users: Vec::new(),
            faults: Vec::new(),
            wrap: None,
        }
    }

    /// The embedded tenant (none for an HTTP target).
    pub fn tenant(&self) -> Option<&Tenant> {
        self.tenant.as_ref()
    }

    /// The loopback server, for [`Connection::Loopback`].
    pub fn server(&self) -> Option<&MockTenant> {
        self.server.as_ref()
    }

    /// The source directory.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The source directory, to change between cycles.
    pub fn directory_mut(&mut self) -> &mut Directory {
        &mut self.directory
    }

    /// The provisioning job.
    pub fn job(&self) -> &ProvisioningJob {
        &self.job
    }

    /// The provisioning job, to reconfigure or drive directly.
    pub fn job_mut(&mut self) -> &mut ProvisioningJob {
        &mut self.job
    }

    /// The transport the job sends through.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// The shared virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// The virtual now.
    pub fn now(&self) -> OffsetDateTime {
        from_unix_millis(self.clock.now_millis())
    }

    /// Moves virtual time forward.
    pub fn advance(&self, by: Duration) {
        self.clock
            .advance(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// When the job's next cycle is due.
    pub fn next_cycle_at(&self) -> OffsetDateTime {
        from_unix_millis(self.job.next_cycle_at())
    }

    /// Runs a cycle now over the directory.
    pub async fn run_cycle(&mut self) -> Result<&CycleSummary, EngineError> {
        self.job.run_cycle(&self.directory).await
    }

    /// Advances the clock to the next scheduled cycle, then runs it.
    pub async fn next_cycle(&mut self) -> Result<&CycleSummary, EngineError> {
        self.clock.advance_to(self.job.next_cycle_at());
        self.run_cycle().await
    }

    /// Runs every cycle due until `until`; returns how many ran.
    pub async fn run_until(&mut self, until: OffsetDateTime) -> usize {
        self.job
            .run_until(&self.directory, unix_millis(until))
            .await
    }

    /// The pieces, for callers that drive them themselves.
    pub fn into_parts(self) -> SimulationParts {
        SimulationParts {
            clock: self.clock,
            tenant: self.tenant,
            server: self.server,
            directory: self.directory,
            job: self.job,
            transport: self.transport,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_the_documented_instant() {
        assert_eq!(unix_millis(DEFAULT_START), 1_768_467_600_000);
        assert_eq!(from_unix_millis(1_768_467_600_000), DEFAULT_START);
    }

    #[test]
    fn tenant_and_job_share_one_clock() {
        let sim = Simulation::builder().build().unwrap();
        sim.advance(Duration::from_secs(90));
        let tenant = sim.tenant().unwrap();
        assert_eq!(tenant.now(), unix_millis(DEFAULT_START) + 90_000);
        assert_eq!(sim.job().clock().now_millis(), tenant.now());
        assert_eq!(sim.now(), DEFAULT_START + Duration::from_secs(90));
    }

    #[test]
    fn seed_reaches_tenant_and_job_and_token_is_the_tenant_s() {
        let sim = Simulation::builder().seed(7).build().unwrap();
        let tenant = sim.tenant().unwrap();
        assert_eq!(tenant.options().seed, 7);
        assert_eq!(sim.job().config().seed, 7);
        assert_eq!(sim.job().config().secret_token, tenant.options().token);
    }

    #[test]
    fn an_http_target_has_no_embedded_tenant_and_rejects_https() {
        let http = |url: &str| {
            Simulation::builder()
                .connection(Connection::Http {
                    url: url.into(),
                    token: "t".into(),
                })
                .build()
        };
        let sim = http("http://127.0.0.1:9/scim").unwrap();
        assert!(sim.tenant().is_none());
        assert_eq!(sim.job().config().secret_token, "t");
        assert!(matches!(
            http("https://example.com/scim"),
            Err(SimError::Target(_))
        ));
    }

    #[test]
    fn loopback_outside_a_runtime_is_an_error() {
        let built = Simulation::builder()
            .connection(Connection::Loopback)
            .build();
        assert!(matches!(built, Err(SimError::Server(_))));
    }

    #[tokio::test]
    async fn loopback_serves_the_embedded_tenant_and_keeps_url_flags() {
        let mut dir = Directory::new();
        dir.add_user(crate::engine::directory::DirectoryUser::new(
            "u-1",
            "ada@contoso.example",
        ))
        .unwrap();
        dir.assign("u-1", false, "User").unwrap();
        let mut sim = Simulation::builder()
            .directory(dir)
            .job(JobConfig {
                tenant_url: "https://api.joinblink.com/scim?aadOptscim062020".into(),
                ..JobConfig::default()
            })
            .connection(Connection::Loopback)
            .build()
            .unwrap();
        let uri = sim.server().unwrap().uri();
        assert_eq!(
            sim.job().config().tenant_url,
            format!("{uri}?aadOptscim062020")
        );
        assert_eq!(sim.run_cycle().await.unwrap().counts.created, 1);
        assert_eq!(sim.tenant().unwrap().len(), 1);
    }
}
