//! [`MockTenant`]: the mock tenant served over HTTP on a local port, in the spirit of
//! wiremock-rs's `MockServer`: built with a builder, stopped when dropped, and with request
//! expectations checked when it drops (a test fails naming what did not match).

use super::Tenant;
use super::faults::Operation;
use super::journal::JournalEntry;
use super::options::{BASE_PATH, TenantOptions};
use super::server::{Shutdown, serve};
use crate::clock::{SharedClock, SystemClock};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Journal lines quoted per unmet expectation, so a failure stays readable.
const QUOTED_LINES: usize = 20;

/// A mock Blink tenant served over HTTP on a local port. Stops when dropped; then panics
/// (failing the test) if a request expectation is not met, unless already panicking.
pub struct MockTenant {
    tenant: Tenant,
    addr: SocketAddr,
    shutdown: Shutdown,
    task: Option<JoinHandle<()>>,
    expectations: Mutex<Vec<Expectation>>,
}

/// "Exactly `times` requests of `operation`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expectation {
    operation: Operation,
    times: u64,
}

/// Request expectations that did not hold: each with the journal lines of its operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_unmet(.0))]
pub struct UnmetExpectations(pub Vec<Unmet>);

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmet {
    /// The operation expected.
    pub operation: Operation,
    /// How many requests of it were expected.
    pub expected: u64,
    /// How many arrived.
    pub received: u64,
    /// The journal lines of that operation (`#seq METHOD path -> status`), at most 20.
    pub lines: Vec<String>,
}

fn render_unmet(unmet: &[Unmet]) -> String {
    let mut out = String::from("MockTenant: request expectations not met");
    for u in unmet {
        let _ = write!(
            out,
            "\n- {}: expected {} request(s), received {}",
            u.operation.as_str(),
            u.expected,
            u.received
        );
        for line in &u.lines {
            let _ = write!(out, "\n    {line}");
        }
    }
    out
}

fn journal_line(e: &JournalEntry) -> String {
    let query = e
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let status = e
        .status
        .map_or_else(|| "closed".to_string(), |s| s.to_string());
    format!("#{} {} {}{query} -> {status}", e.seq, e.method, e.path)
}

/// Builds a [`MockTenant`]; see [`MockTenant::builder`].
pub struct MockTenantBuilder {
    options: TenantOptions,
    users: usize,
    seed: Option<u64>,
    addr: SocketAddr,
    clock: SharedClock,
    expectations: Vec<Expectation>,
}

impl MockTenantBuilder {
    /// The tenant's options.
    pub fn options(mut self, options: TenantOptions) -> Self {
        self.options = options;
        self
    }

    /// Prefills this many realistic users.
    pub fn users(mut self, users: usize) -> Self {
        self.users = users;
        self
    }

    /// The seed of the prefill and of ids (the options' seed otherwise).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The address to listen on (`127.0.0.1` and a free port by default).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The tenant's clock (the system clock by default).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Expects exactly `times` requests of `operation` by the time the tenant drops.
    pub fn expect(mut self, operation: Operation, times: u64) -> Self {
        self.expectations.push(Expectation { operation, times });
        self
    }

    /// Starts the server; panics if the address cannot be bound (a test helper, like
    /// [`MockTenant::start`]); [`Self::try_start`] returns the error instead.
    pub async fn start(self) -> MockTenant {
        let addr = self.addr;
        self.try_start()
            .await
            .unwrap_or_else(|e| panic!("could not bind {addr}: {e}"))
    }

    /// Starts the server.
    pub async fn try_start(self) -> std::io::Result<MockTenant> {
        let mut options = self.options;
        if let Some(seed) = self.seed {
            options.seed = seed;
        }
        let seed = options.seed;
        let tenant = Tenant::with_clock(options, self.clock);
        tenant.prefill(self.users, seed);
        let server = MockTenant::start_with(tenant, self.addr).await?;
        *server.expectations.lock() = self.expectations;
        Ok(server)
    }
}

impl MockTenant {
    /// A builder: default options, no users, `127.0.0.1` and a free port, no expectations.
    pub fn builder() -> MockTenantBuilder {
        MockTenantBuilder {
            options: TenantOptions::default(),
            users: 0,
            seed: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: Arc::new(SystemClock),
            expectations: Vec::new(),
        }
    }

    /// Starts an empty tenant with default options on `127.0.0.1` and a free port.
    pub async fn start() -> MockTenant {
        MockTenant::builder().start().await
    }

    /// Serves `tenant` on `addr` (port 0 picks a free port).
    pub async fn start_with(tenant: Tenant, addr: SocketAddr) -> std::io::Result<MockTenant> {
        MockTenant::serve(tenant, addr)
    }

    /// Serves `tenant` on `addr` from a synchronous caller within a tokio runtime (an error
    /// outside one).
    pub fn serve(tenant: Tenant, addr: SocketAddr) -> std::io::Result<MockTenant> {
        let runtime = tokio::runtime::Handle::try_current().map_err(std::io::Error::other)?;
        let _entered = runtime.enter();
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        let addr = listener.local_addr()?;
        tenant.set_base_url(&format!("http://{addr}{BASE_PATH}"));
        let (shutdown, signal) = Shutdown::new();
        let task = runtime.spawn(serve(listener, tenant.clone(), signal));
        Ok(MockTenant {
            tenant,
            addr,
            shutdown,
            task: Some(task),
            expectations: Mutex::new(Vec::new()),
        })
    }

    /// Expects exactly `times` requests of `operation` by the time the tenant drops.
    pub fn expect(&self, operation: Operation, times: u64) -> &Self {
        self.expectations
            .lock()
            .push(Expectation { operation, times });
        self
    }

    /// Checks the expectations against the requests received so far (the journal's
    /// counts, which hold every request even when the ring keeps none).
    pub fn verify(&self) -> Result<(), UnmetExpectations> {
        let expectations = self.expectations.lock().clone();
        if expectations.is_empty() {
            return Ok(());
        }
        let journal = self.tenant.journal();
        let received: BTreeMap<Operation, u64> = journal
            .stats()
            .into_iter()
            .map(|(op, s)| (op, s.by_status.values().sum()))
            .collect();
        let entries = journal.entries();
        let unmet: Vec<Unmet> = expectations
            .iter()
            .filter_map(|x| {
                let got = received.get(&x.operation).copied().unwrap_or(0);
                (got != x.times).then(|| Unmet {
                    operation: x.operation,
                    expected: x.times,
                    received: got,
                    lines: entries
                        .iter()
                        .filter(|e| e.operation == x.operation)
                        .take(QUOTED_LINES)
                        .map(|e| journal_line(e))
                        .collect(),
                })
            })
            .collect();
        if unmet.is_empty() {
            Ok(())
        } else {
            Err(UnmetExpectations(unmet))
        }
    }

    /// The SCIM base URL, e.g. `http://127.0.0.1:41234/scim`.
    pub fn uri(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// The server's origin, e.g. `http://127.0.0.1:41234` (the admin API is under `/_admin`).
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer token clients must send.
    pub fn token(&self) -> &str {
        &self.tenant.options().token
    }

    /// The tenant behind the server (read and seed users here).
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// Stops accepting, lets in-flight requests finish (bounded), and waits for the server;
    /// then checks the expectations (as dropping does).
    pub async fn shutdown(mut self) {
        self.shutdown.trigger();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockTenant {
    fn drop(&mut self) {
        self.shutdown.trigger();
        if std::thread::panicking() {
            return;
        }
        if let Err(unmet) = self.verify() {
            panic!("{unmet}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn post_user(server: &MockTenant, user_name: &str) -> u16 {
        use crate::engine::transport::{HttpTransport, Transport};
        use crate::scim::message::Request;
        let transport =
            HttpTransport::new(&server.origin(), std::time::Duration::from_secs(5)).unwrap();
        let request = Request::new(http::Method::POST, "/scim/Users")
            .bearer(server.token())
            .json(&serde_json::json!({"userName": user_name, "active": true}));
        let delivered = transport.send(request).await.unwrap();
        delivered.response.status.as_u16()
    }

    #[test]
    fn serving_outside_a_runtime_is_an_error_not_a_panic() {
        let served = MockTenant::serve(Tenant::default(), SocketAddr::from(([127, 0, 0, 1], 0)));
        assert!(served.is_err());
    }

    #[tokio::test]
    async fn builder_prefills_and_met_expectations_pass() {
        let server = MockTenant::builder()
            .users(5)
            .seed(3)
            .expect(Operation::Create, 2)
            .expect(Operation::Delete, 0)
            .start()
            .await;
        assert_eq!(server.tenant().len(), 5);
        assert_eq!(server.tenant().options().seed, 3);
        assert_eq!(post_user(&server, "ada@contoso.example").await, 201);
        assert_eq!(post_user(&server, "bob@contoso.example").await, 201);
        assert_eq!(server.verify(), Ok(()));
    }

    #[tokio::test]
    async fn unmet_expectations_name_the_operation_and_the_journal_lines() {
        let server = MockTenant::start().await;
        server.expect(Operation::Create, 3);
        assert_eq!(post_user(&server, "ada@contoso.example").await, 201);
        let unmet = server.verify().unwrap_err();
        let text = unmet.to_string();
        assert!(
            text.contains("- create: expected 3 request(s), received 1"),
            "{text}"
        );
        assert!(text.contains("#1 POST /scim/Users -> 201"), "{text}");
        // Met now? No: the count is exact. Clear to let the drop pass.
        server.expectations.lock().clear();
    }

    #[tokio::test]
    #[should_panic(expected = "create: expected 3 request(s), received 1")]
    async fn dropping_with_unmet_expectations_fails_the_test() {
        let server = MockTenant::builder()
            .expect(Operation::Create, 3)
            .start()
            .await;
        assert_eq!(post_user(&server, "ada@contoso.example").await, 201);
        drop(server);
    }
}
