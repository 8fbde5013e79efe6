//! Same seed, same inputs: byte-identical provisioning logs and request trace, whatever the
//! concurrency, in-process and over loopback HTTP (issue 4, acceptance 3).

use blinksim::clock::VirtualClock;
use blinksim::engine::directory::generator::{DirectorySpec, generate};
use blinksim::engine::log::write_json_lines;
use blinksim::engine::transport::{HttpTransport, Transport};
use blinksim::engine::{JobConfig, ProvisioningJob};
use blinksim::scenario::TenantTransport;
use blinksim::tenant::{FaultRule, MockTenant, Operation, Tenant, TenantOptions};
use std::sync::Arc;
use std::time::Duration;

const T0: i64 = 1_768_467_600_000;

/// Plays an initial and three incremental cycles; returns (logs as JSON lines, trace as JSON lines).
async fn play(concurrency: usize, over_http: bool) -> (String, String) {
    let clock = VirtualClock::new(T0);
    let tenant = Tenant::with_clock(
        TenantOptions {
            seed: 9,
            ..TenantOptions::default()
        },
        Arc::new(clock.clone()),
    );
    // Faults that select one user each, so they do not depend on arrival order.
    let mut dir = generate(&DirectorySpec {
        users: 300,
        seed: 21,
        ..Default::default()
    })
    .unwrap();
    let upn = |i: usize| dir.users()[i].user.user_principal_name.clone();
    tenant
        .add_fault(
            FaultRule::status(500)
                .on(Operation::Create)
                .for_user(&upn(5))
                .first(1),
        )
        .unwrap();
    tenant
        .add_fault(
            FaultRule::status(429)
                .retry_after(1)
                .on(Operation::List)
                .for_user(&upn(7))
                .first(2),
        )
        .unwrap();
    let server;
    let transport: Arc<dyn Transport> = if over_http {
        server = Some(
            MockTenant::start_with(tenant.clone(), "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap(),
        );
        Arc::new(
            HttpTransport::new(&server.as_ref().unwrap().origin(), Duration::from_secs(30))
                .unwrap(),
        )
    } else {
        server = None;
        Arc::new(TenantTransport::new(
            tenant.clone(),
            Duration::from_secs(30),
        ))
    };
    let config = JobConfig {
        tenant_url: "https://api.joinblink.com/scim".into(),
        secret_token: tenant.options().token.clone(),
        concurrency,
        seed: 4,
        ..JobConfig::default()
    };
    let mut job = ProvisioningJob::new(config, transport, clock.clone()).unwrap();
    job.run_cycle(&dir).await.unwrap();
    for round in 0..3 {
        for i in (round..300).step_by(17) {
            let id = dir.users()[i].user.object_id.clone();
            match i % 3 {
                0 => dir
                    .set_attribute(&id, "jobTitle", Some(format!("Title {round}")))
                    .unwrap(),
                1 => dir.unassign(&id, false).unwrap(),
                _ => dir
                    .set_attribute(&id, "department", Some("Moved".into()))
                    .unwrap(),
            }
        }
        let next = job.next_cycle_at();
        job.run_until(&dir, next).await;
    }
    drop(server);
    let mut logs = Vec::new();
    write_json_lines(job.logs(), &mut logs).unwrap();
    let trace: String = job
        .trace()
        .iter()
        .map(|t| serde_json::to_string(t).unwrap() + "\n")
        .collect();
    (String::from_utf8(logs).unwrap(), trace)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_does_not_change_outputs() {
    let (logs1, trace1) = play(1, false).await;
    let (logs16, trace16) = play(16, false).await;
    assert!(logs1.lines().count() > 300 && trace1.lines().count() > 600);
    assert_eq!(logs1, logs16, "in-process logs");
    assert_eq!(trace1, trace16, "in-process trace");
    let (http1, http_trace1) = play(1, true).await;
    let (http16, http_trace16) = play(16, true).await;
    assert_eq!(http1, http16, "loopback HTTP logs");
    assert_eq!(http_trace1, http_trace16, "loopback HTTP trace");
    // And the transport does not change what the engine did either.
    assert_eq!(logs1, http1);
    assert_eq!(trace1, http_trace1);
}
