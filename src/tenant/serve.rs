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
}

/// Starts the tenant, prints its base URL and token to `out`, and serves until a stop signal.
pub async fn serve(config: ServeConfig, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    let tenant = Tenant::new(TenantOptions {
        seed: config.seed,
        ..config.options
    });
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
