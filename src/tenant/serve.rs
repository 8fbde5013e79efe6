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

/// Starts the tenant, prints its base URL and token to `out`, and serves until a stop signal.
pub async fn serve(config: ServeConfig, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    let tenant = Tenant::new(TenantOptions {
        seed: config.seed,
        ..config.options
    });
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
    tenant.add_faults(config.faults);
    let started = Instant::now();
    let added = tenant.prefill(config.users, config.seed);
    let groups_added = if tenant.options().groups {
        Some(tenant.prefill_groups(config.group_prefill, config.seed))
    } else {
        None
    };
    // The handlers are installed before the banner, so a SIGTERM sent as soon as the URL is
    // printed stops the server cleanly instead of killing the process.
    let stop = stop_signal();
    let server = MockTenant::start_with(tenant, config.addr).await?;
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
        "Users          {added} (seed {}, prefilled in {:.1} s)",
        config.seed,
        started.elapsed().as_secs_f64()
    )?;
    if let Some(groups) = groups_added {
        writeln!(out, "Groups         {groups} (/Groups served)")?;
    }
    let admin_token = &server.tenant().options().admin_token;
    let admin_token = shown(admin_token, config.show_admin_token, "BLINKSIM_ADMIN_TOKEN");
    writeln!(out, "Admin API      {origin}/_admin (token {admin_token})")?;
    if fault_count > 0 {
        writeln!(out, "Fault rules    {fault_count}")?;
    }
    if let Some(path) = &config.journal {
        writeln!(out, "Journal        {} (appending)", path.display())?;
    }
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    stop.await;
    writeln!(out, "Stopping: finishing in-flight requests.")?;
    out.flush()?;
    server.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM; the SIGTERM handler is installed at the call.
pub(crate) fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
