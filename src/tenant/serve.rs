//! `blinksim serve`: run a mock tenant until Ctrl-C or SIGTERM.

use super::faults::ParseError;
use super::{MockTenant, Tenant, TenantOptions};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `serve` runs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Tenant settings (token included).
    pub options: TenantOptions,
    /// Users to prefill.
    pub users: usize,
    /// Seed of the prefill.
    pub seed: u64,
    /// Groups to prefill (with `options.groups`), members drawn from the prefilled users.
    pub group_prefill: usize,
    /// Fault rules to install at start (from `--faults FILE`).
    pub faults: Vec<super::FaultRule>,
    /// Append the journal to this file as JSON lines (`--journal FILE`); an existing file
    /// is never overwritten.
    pub journal: Option<std::path::PathBuf>,
    /// Keep the users in this file (`--state FILE`): loaded at start, saved on stop.
    pub state: Option<PathBuf>,
    /// Also save the state this often (`--save-every`).
    pub save_every: Option<std::time::Duration>,
    /// Print the tokens at start; off for tokens set through the environment.
    pub show_token: bool,
    /// Print the admin token at start.
    pub show_admin_token: bool,
}

/// The address clients on this machine use: an unspecified address (every interface) is
/// reached through loopback.
fn usable_address(bound: SocketAddr) -> SocketAddr {
    match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, bound.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, bound.port()).into(),
        _ => bound,
    }
}

fn shown(token: &str, show: bool, variable: &str) -> String {
    if show {
        token.to_string()
    } else {
        format!("(from ${variable}, not shown)")
    }
}

/// Why a faults file could not be loaded; shown as `FILE: reason`.
#[derive(Debug, thiserror::Error)]
pub enum LoadFaultsError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file's rules are invalid.
    #[error("{}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Which rule and field, and why.
        source: ParseError,
    },
}

/// Reads a faults file; the error names the file and the field.
pub fn load_faults(path: &Path) -> Result<Vec<super::FaultRule>, LoadFaultsError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadFaultsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    super::faults::parse_toml(&text).map_err(|source| LoadFaultsError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Why `serve` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding, the journal file or the output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The state file could not be loaded (it is left as it was) or saved.
    #[error(transparent)]
    State(#[from] super::persist::StateError),
}

/// Starts the tenant, prints its base URL and token to `out`, and serves until a stop signal.
pub async fn serve(config: ServeConfig, out: &mut (dyn Write + Send)) -> Result<(), ServeError> {
    // Installed before anything is printed, so a SIGTERM right after the URL stops cleanly.
    let stop = StopSignal::install()?;
    let tenant = Tenant::new(TenantOptions {
        seed: config.seed,
        ..config.options.clone()
    });
    let started = Instant::now();
    let added = tenant.prefill(config.users, config.seed);
    let groups_added = tenant
        .options()
        .groups
        .then(|| tenant.prefill_groups(config.group_prefill, config.seed));
    let loaded = match &config.state {
        Some(path) => tenant.use_state_file(path)?,
        None => None,
    };
    if let Some(path) = &config.journal {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        tenant
            .journal()
            .stream_to(Box::new(std::io::BufWriter::new(file)));
    }
    let fault_count = config.faults.len();
    tenant.add_faults(config.faults.clone());
    let server = MockTenant::start_with(tenant, config.addr).await?;
    let banner = Banner {
        config: &config,
        added,
        groups_added,
        loaded,
        prefill_secs: started.elapsed().as_secs_f64(),
        fault_count,
    };
    banner.print(&server, out)?;
    let saver = config
        .save_every
        .map(|every| tokio::spawn(save_periodically(server.tenant().clone(), every)));
    stop.wait().await;
    writeln!(out, "Stopping: finishing in-flight requests.")?;
    out.flush()?;
    if let Some(task) = saver {
        task.abort();
    }
    let tenant = server.tenant().clone();
    server.shutdown().await;
    if tenant.has_state_file() {
        let saved = tokio::task::spawn_blocking(move || tenant.save_state())
            .await
            .map_err(std::io::Error::other)??;
        let path = config.state.as_deref().unwrap_or(Path::new(""));
        writeln!(out, "Saved          {saved} users to {}", path.display())?;
    }
    Ok(())
}

async fn save_periodically(tenant: Tenant, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let t = tenant.clone();
        match tokio::task::spawn_blocking(move || t.save_state()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("periodic save failed: {e}"),
            Err(e) => tracing::error!("periodic save failed: {e}"),
        }
    }
}

/// What `serve` prints at start.
struct Banner<'a> {
    config: &'a ServeConfig,
    added: usize,
    groups_added: Option<usize>,
    loaded: Option<usize>,
    prefill_secs: f64,
    fault_count: usize,
}

impl Banner<'_> {
    fn print(&self, server: &MockTenant, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
        let config = self.config;
        let usable = usable_address(server.address());
        if usable != server.address() {
            writeln!(
                out,
                "Warning        listening on every interface ({}): other machines can reach it",
                server.address()
            )?;
        }
        let origin = format!("http://{usable}");
        let base = format!("{origin}{}", super::options::BASE_PATH);
        server.tenant().set_base_url(&base);
        writeln!(out, "SCIM base URL  {base}")?;
        let token = shown(server.token(), config.show_token, "BLINKSIM_TOKEN");
        writeln!(out, "Bearer token   {token}")?;
        writeln!(
            out,
            "Users          {} (seed {}, prefilled in {:.1} s)",
            self.added, config.seed, self.prefill_secs
        )?;
        if let Some(groups) = self.groups_added {
            writeln!(out, "Groups         {groups} (/Groups served)")?;
        }
        let admin_token = &server.tenant().options().admin_token;
        let admin_token = shown(admin_token, config.show_admin_token, "BLINKSIM_ADMIN_TOKEN");
        writeln!(out, "Admin API      {origin}/_admin (token {admin_token})")?;
        writeln!(out, "Live page      {origin}/_admin/ui?token=…")?;
        if self.fault_count > 0 {
            writeln!(out, "Fault rules    {}", self.fault_count)?;
        }
        if let Some(path) = &config.journal {
            writeln!(out, "Journal        {} (appending)", path.display())?;
        }
        if let Some(path) = &config.state {
            let how = match self.loaded {
                Some(n) => format!("loaded {n} users"),
                None => "new file".to_string(),
            };
            writeln!(out, "State file     {} ({how})", path.display())?;
        }
        writeln!(out, "Press Ctrl-C to stop.")?;
        out.flush()
    }
}

/// Ctrl-C and, on Unix, SIGTERM, listened for from the moment it is installed.
pub struct StopSignal {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 2],
}

impl StopSignal {
    /// Installs the handlers now; signals that arrive before [`StopSignal::wait`] count.
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignal {
                signals: [
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignal {})
    }

    /// Resolves on the first stop signal.
    pub async fn wait(self) {
        #[cfg(unix)]
        {
            let [mut int, mut term] = self.signals;
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
