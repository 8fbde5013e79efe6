//! Same seed, same inputs: byte-identical provisioning logs and request trace, whatever the
//! concurrency, in-process and over loopback HTTP (issue 4, acceptance 3).

use blinksim::engine::JobConfig;
use blinksim::engine::write_json_lines;
use blinksim::engine::{DirectorySpec, generate};
use blinksim::sim::{Connection, Simulation};
use blinksim::tenant::{FaultRule, Operation, TenantOptions};
use std::time::Duration;

/// Plays an initial and three incremental cycles; returns (logs as JSON lines, trace as JSON lines).
async fn play(concurrency: usize, over_http: bool) -> (String, String) {
    let dir = generate(&DirectorySpec {
        users: 300,
        seed: 21,
        ..Default::default()
    })
    .unwrap();
    // Faults that select one user each, so they do not depend on arrival order.
    let upn = |i: usize| dir.users()[i].user.user_principal_name.clone();
    let faults = vec![
        FaultRule::status(500)
            .on(Operation::Create)
            .for_user(&upn(5))
            .first(1),
        FaultRule::status(429)
            .retry_after(1)
            .on(Operation::List)
            .for_user(&upn(7))
            .first(2),
    ];
    let connection = if over_http {
        Connection::Loopback
    } else {
        Connection::InProcess
    };
    let sim = Simulation::builder()
        .tenant_options(TenantOptions {
            seed: 9,
            ..TenantOptions::default()
        })
        .directory(dir)
        .job(JobConfig {
            concurrency,
            seed: 4,
            ..JobConfig::default()
        })
        .faults(faults)
        .connection(connection)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let parts = sim.into_parts();
    let (server, mut dir, mut job) = (parts.server, parts.directory, parts.job);
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
