//! The provisioning engine: the per-user decision path (scope, mappings, the diff against
//! the target's user) and whole initial cycles of 1,000 and 10,000 users against the embedded
//! tenant, in-process and over loopback HTTP. Figures are elements (users) per second.

use blinksim::engine::Directory;
use blinksim::engine::JobConfig;
use blinksim::engine::internals::{self as mapping};
use blinksim::engine::internals::{
    self as wire, Change, Desired, SourceView, compile, evaluate_with,
};
use blinksim::engine::{Dialect, SyncScope, blink_default_mappings};
use blinksim::engine::{DirectorySpec, generate};
use blinksim::sim::{Connection, DEFAULT_START, Simulation};
use blinksim::tenant::TenantOptions;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn directory(users: usize) -> Directory {
    generate(&DirectorySpec {
        users,
        seed: 3,
        ..DirectorySpec::default()
    })
    .expect("a generated directory")
}

/// Scope, mapping evaluation and the diff for every user of a 1,000-user directory, against
/// a target representation that differs in one attribute (the common update).
fn decision_path(c: &mut Criterion) {
    let dir = directory(1_000);
    let index = dir.assignment_index();
    let mappings = compile(&blink_default_mappings()).expect("default mappings compile");
    let now = DEFAULT_START;
    // Each user's current Blink representation: what the create body would hold, with a
    // stale title so the diff finds one change.
    let targets: Vec<serde_json::Value> = dir
        .users()
        .iter()
        .map(|r| {
            let scope = evaluate_with(
                index.get(&r.user.object_id).map_or(&[], Vec::as_slice),
                r,
                SyncScope::AssignedOnly,
                &[],
                true,
            );
            let view = SourceView {
                user: &r.user,
                is_soft_deleted: false,
                roles: scope.roles.clone(),
                strip_b2b_upn: true,
            };
            let eval = mapping::evaluate(&mappings, &view, mapping::Operation::Create, now, 1)
                .expect("evaluates");
            let mut body = wire::create_body(&eval);
            body["title"] = serde_json::json!("Former title");
            body
        })
        .collect();
    let mut g = c.benchmark_group("engine decision path");
    g.throughput(Throughput::Elements(dir.users().len() as u64));
    g.bench_function("scope + mappings + diff (1,000 users)", |b| {
        b.iter(|| {
            let mut patches = 0usize;
            for (r, target) in dir.users().iter().zip(&targets) {
                let scope = evaluate_with(
                    index.get(&r.user.object_id).map_or(&[], Vec::as_slice),
                    r,
                    SyncScope::AssignedOnly,
                    &[],
                    true,
                );
                if !scope.in_scope() {
                    continue;
                }
                let view = SourceView {
                    user: &r.user,
                    is_soft_deleted: false,
                    roles: scope.roles,
                    strip_b2b_upn: true,
                };
                let Ok(eval) =
                    mapping::evaluate(&mappings, &view, mapping::Operation::Update, now, 1)
                else {
                    continue;
                };
                let changes: Vec<Change> = eval
                    .values
                    .iter()
                    .filter(|(_, d)| !matches!(d, Desired::Reference(_)))
                    .filter_map(|(t, d)| {
                        // As the cycle's update (cycle/export.rs): copy only what changed.
                        let old = wire::value_ref_at(target, t);
                        (!wire::same(old, d)).then(|| Change {
                            target: t.clone(),
                            old: old.cloned(),
                            new: d.clone(),
                        })
                    })
                    .collect();
                if !changes.is_empty() {
                    black_box(wire::update_body(&changes, Dialect::Current));
                    patches += 1;
                }
            }
            black_box(patches)
        })
    });
    g.finish();
}

/// A fresh tenant without the journal ring and a job that keeps neither logs nor trace, 32
/// requests in flight. The benches run it over a shared directory, not cloned per iteration.
fn simulation(connection: Connection) -> Simulation {
    Simulation::builder()
        .tenant_options(TenantOptions {
            journal_capacity: 0,
            ..TenantOptions::default()
        })
        .job(JobConfig {
            concurrency: 32,
            retain_logs: false,
            retain_trace: false,
            ..JobConfig::default()
        })
        .timeout(Duration::from_secs(60))
        .connection(connection)
        .build()
        .expect("a simulation")
}

/// A whole initial cycle: a fresh tenant and job each iteration, the directory reused.
fn initial_cycle(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut g = c.benchmark_group("engine initial cycle");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    for users in [1_000usize, 10_000] {
        let dir = directory(users);
        g.throughput(Throughput::Elements(users as u64));
        g.bench_with_input(BenchmarkId::new("in-process", users), &dir, |b, dir| {
            b.to_async(&runtime).iter(|| async {
                let mut sim = simulation(Connection::InProcess);
                let cycle = sim.job_mut().run_cycle(dir).await;
                black_box(cycle.map(|s| s.counts.created).ok())
            })
        });
        g.bench_with_input(BenchmarkId::new("loopback HTTP", users), &dir, |b, dir| {
            b.to_async(&runtime).iter(|| async {
                let mut sim = simulation(Connection::Loopback);
                let cycle = sim.job_mut().run_cycle(dir).await;
                let created = cycle.map(|s| s.counts.created).ok();
                if let Some(server) = sim.into_parts().server {
                    server.shutdown().await;
                }
                black_box(created)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, decision_path, initial_cycle);
criterion_main!(benches);
