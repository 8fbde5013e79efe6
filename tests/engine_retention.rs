//! A job that keeps no logs or trace (as `blinksim load` runs it) decides and sends exactly
//! what one that keeps them does: the engine skips drafting what it would drop, nothing more.

use blinksim::engine::JobConfig;
use blinksim::engine::{CycleSummary, DirectorySpec, generate};
use blinksim::sim::{Connection, Simulation};
use blinksim::tenant::{FaultRule, Operation, TenantOptions};
use std::time::Duration;

/// What a run leaves: its cycles, links and escrows (as JSON), logs and trace records kept.
struct Played {
    cycles: Vec<CycleSummary>,
    state: String,
    logs: usize,
    trace: usize,
}

/// An initial cycle with failures and retries, then two incremental ones with changes.
async fn play(retain: bool) -> Played {
    let dir = generate(&DirectorySpec {
        users: 200,
        seed: 5,
        ..Default::default()
    })
    .unwrap();
    let upn = |i: usize| dir.users()[i].user.user_principal_name.clone();
    let faults = vec![
        FaultRule::status(500)
            .on(Operation::Create)
            .for_user(&upn(3))
            .first(1),
        FaultRule::status(429)
            .retry_after(1)
            .on(Operation::List)
            .for_user(&upn(8))
            .first(2),
    ];
    let sim = Simulation::builder()
        .tenant_options(TenantOptions {
            seed: 2,
            ..TenantOptions::default()
        })
        .directory(dir)
        .job(JobConfig {
            seed: 3,
            retain_logs: retain,
            retain_trace: retain,
            ..JobConfig::default()
        })
        .faults(faults)
        .connection(Connection::InProcess)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let parts = sim.into_parts();
    let (mut dir, mut job) = (parts.directory, parts.job);
    job.run_cycle(&dir).await.unwrap();
    for round in 0..2 {
        let next = job.next_cycle_at();
        for i in (round..200).step_by(11) {
            let id = dir.users()[i].user.object_id.clone();
            match i % 3 {
                0 => dir
                    .set_attribute(&id, "jobTitle", Some(format!("Title {round}")))
                    .unwrap(),
                1 => dir.unassign(&id, false).unwrap(),
                _ => dir.soft_delete(&id, next).unwrap(),
            }
        }
        job.run_until(&dir, next).await;
    }
    let state = serde_json::json!({"links": job.links(), "escrows": job.escrows()});
    Played {
        cycles: job.cycles().to_vec(),
        state: state.to_string(),
        logs: job.logs().len(),
        trace: job.trace().len(),
    }
}

#[tokio::test]
async fn not_keeping_logs_and_trace_changes_nothing_else() {
    let kept = play(true).await;
    let dropped = play(false).await;
    assert_eq!(kept.cycles.len(), 3);
    assert!(kept.cycles.iter().any(|c| c.counts.failed > 0));
    assert_eq!(kept.cycles, dropped.cycles);
    assert_eq!(kept.state, dropped.state);
    assert!(kept.logs > 200 && kept.trace > 400);
    assert_eq!((dropped.logs, dropped.trace), (0, 0));
}
