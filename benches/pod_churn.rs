//! Bench (a): pod-churn throughput of the hot path — slice diff, batching and actor messaging, with an ELB
//! that answers at once and a budget that never makes anyone wait.
//!
//! Churn model: slices of up to 100 endpoints; each update changes 2 of them (one pod becomes ready, one
//! terminates), as in a rolling update. Endpoint changes per second are twice the updates per second shown.
//! Updates go to the target groups in turn; every 1,024 updates the bench lets the actors drain their
//! mailboxes, and at the end of each sample it lets the batch windows close so every change reaches a call.

mod support;

use std::rc::Rc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use support::{drain, paused_system, settle, Churn, InstantElb};
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::TargetGroupKey;
use tgsync_actors::target_group::{Router, TargetGroupActor, TargetGroupCore, TgConfig};

fn pipeline(tgs: usize, size: usize) -> (Router<InstantElb>, InstantElb) {
    let elb = InstantElb::default();
    let mut router = Router::default();
    let budget = ApiBudget::new(BudgetConfig::unlimited()).start();
    let shared = Rc::new(elb.clone());
    let churn = Churn::new(tgs, size);
    for (i, tg) in churn.tgs.iter().enumerate() {
        let actor = TargetGroupActor::new(
            TargetGroupKey::new(format!("tg-{i}")),
            TgConfig::default(),
            shared.clone(),
            budget.clone(),
        )
        .start();
        router.bind(tg.service.clone(), actor);
    }
    (router, elb)
}

struct Built {
    system: actix_rt::SystemRunner,
    churn: Churn,
    router: Router<InstantElb>,
    elb: InstantElb,
}

/// A running pipeline with every slice of the churn model listed and registered.
fn build(tgs: usize, size: usize) -> Built {
    let system = paused_system();
    let churn = Churn::new(tgs, size);
    let (router, elb) = system.block_on(async {
        let (router, elb) = pipeline(tgs, size);
        for snap in churn.initial() {
            router.route(snap);
        }
        settle(&elb).await;
        (router, elb)
    });
    // 99 of every 100 endpoints are ready in the churn model's steady state.
    let ready = tgs * (size - size.div_ceil(100));
    assert_eq!(
        elb.targets.get() as usize,
        ready,
        "the pipeline registered every ready endpoint"
    );
    Built {
        system,
        churn,
        router,
        elb,
    }
}

fn pod_churn(c: &mut Criterion) {
    let mut group = c.benchmark_group("pod_churn");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for tgs in [1_000usize, 10_000] {
        for size in [10usize, 100, 1_000] {
            group.throughput(Throughput::Elements(1));
            // Set-up runs on first use, so a filtered-out configuration costs nothing; criterion calls the
            // closure once per sample, and the pipeline is built once.
            let mut built: Option<Built> = None;
            group.bench_function(
                BenchmarkId::new(format!("slice_updates/tgs={tgs}"), size),
                |b| {
                    let Built {
                        system,
                        churn,
                        router,
                        elb,
                    } = built.get_or_insert_with(|| build(tgs, size));
                    b.iter_custom(|iters| {
                        system.block_on(async {
                            let start = Instant::now();
                            for i in 0..iters {
                                router.route(churn.next_update());
                                if i % 1024 == 1023 {
                                    drain().await;
                                }
                            }
                            settle(elb).await;
                            start.elapsed()
                        })
                    })
                },
            );
        }
    }
    group.finish();
}

/// The core alone, no actors: the part of each update spent diffing and batching.
fn core_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("pod_churn_core");
    for size in [10usize, 100, 1_000] {
        let mut churn = Churn::new(1, size);
        let mut core = TargetGroupCore::new(TgConfig::default());
        let now = tokio::time::Instant::now();
        for snap in churn.initial() {
            core.apply_slice(now, snap);
        }
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("slice_updates", size), |b| {
            b.iter(|| {
                let snap = churn.next_update();
                core.apply_slice(now, snap)
            })
        });
    }
    group.finish();
}

/// Cores of many target groups in turn, no actors: the cache cost of touching a cold target group.
fn cores_in_turn(c: &mut Criterion) {
    let mut group = c.benchmark_group("pod_churn_cores");
    let tgs = 1_000;
    let size = 100;
    let mut churn = Churn::new(tgs, size);
    let now = tokio::time::Instant::now();
    let mut cores: Vec<TargetGroupCore> = (0..tgs)
        .map(|_| TargetGroupCore::new(TgConfig::default()))
        .collect();
    for (i, snap) in churn.initial().into_iter().enumerate() {
        cores[i].apply_slice(now, snap);
    }
    let mut i = 0;
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("slice_updates/tgs=1000", size), |b| {
        b.iter(|| {
            let snap = churn.next_update();
            let r = cores[i].apply_slice(now, snap);
            i = (i + 1) % tgs;
            r
        })
    });
    group.finish();
}

criterion_group!(benches, core_only, cores_in_turn, pod_churn);
criterion_main!(benches);
