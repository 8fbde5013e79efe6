//! `blinksim serve`: run a mock tenant until Ctrl-C or SIGTERM.

use super::{MockTenant, Tenant, TenantOptions};
use std::io::Write;
use std::net::SocketAddr;
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
    /// Fault rules to install at start (from `--faults FILE`).
    pub faults: Vec<super::FaultRule>,
    /// Stream the journal to this file as JSON lines (`--journal FILE`).
    pub journal: Option<std::path::PathBuf>,
}

/// Reads a faults file; the error names the file and the field.
pub fn load_faults(path: &std::path::Path) -> Result<Vec<super::FaultRule>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    super::faults::parse_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Starts the tenant, prints its base URL and token to `out`, and serves until a stop signal.
pub async fn serve(config: ServeConfig, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    let tenant = Tenant::new(TenantOptions {
        seed: config.seed,
        ..config.options
    });
    if let Some(path) = &config.journal {
        let file = std::fs::File::create(path)?;
        tenant
            .journal()
            .stream_to(Box::new(std::io::BufWriter::new(file)));
    }
    let fault_count = config.faults.len();
    tenant.add_faults(config.faults);
    let started = Instant::now();
    let added = tenant.prefill(config.users, config.seed);
    let server = MockTenant::start_with(tenant, config.addr).await?;
    writeln!(out, "SCIM base URL  {}", server.uri())?;
    writeln!(out, "Bearer token   {}", server.token())?;
    writeln!(
        out,
        "Users          {added} (seed {}, prefilled in {:.1} s)",
        config.seed,
        started.elapsed().as_secs_f64()
    )?;
    writeln!(
        out,
        "Admin API      {}/_admin (token {})",
        server.origin(),
        server.tenant().options().admin_token
    )?;
    if fault_count > 0 {
        writeln!(out, "Fault rules    {fault_count}")?;
    }
    if let Some(path) = &config.journal {
        writeln!(out, "Journal        {}", path.display())?;
    }
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    stop_signal().await;
    writeln!(out, "Stopping: finishing in-flight requests.")?;
    out.flush()?;
    server.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
