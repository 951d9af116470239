//! Bench (a): pod-churn throughput of the hot path — slice diff, batching, permits and calls — with an ELB
//! that answers at once and a budget that never makes anyone wait.
//!
//! Churn model (`support::Churn`): a rolling update of every target group at once. Each slice update retires
//! one pod (the pod that was terminating leaves the slice, a ready one turns terminating) and adds a pod with
//! a new IP, so it is one deregistration and one registration; target groups have their own endpoint arrays.
//! Virtual time moves with the updates: each target group sees one every 50 ms, so batch windows (250 ms)
//! close, permits are taken and calls reach the ELB inside the timed region, about five updates per call
//! and action. Each sample ends by letting the last windows close, and then (untimed) checks that the ELB
//! holds exactly the ready endpoints of every target group. The ELB calls per 1,000 updates are printed.
//!
//! Inside the timed region besides the daemon's work: the model building each update's endpoint array (a
//! copy of the slice's last one with its edits, in one `Arc` allocation, as a decoder writes one — and the
//! read of that last array, which the diff would otherwise be the first to make) and the instant ELB
//! applying each call to its own sets.
//!
//! Left out: decoding watch events (bench (c)), the daemon's Kubernetes writes (checkpoints, owned targets,
//! status), the network and AWS's latency and throttling (`tgsync simulate` models those), and the budget's
//! waits (it is unlimited here).
//!
//! `pod_churn_diff_alone` keeps the old churn for comparison: the same 100 IPs flipping between ready and
//! terminating with virtual time standing still, so no window closes and almost every change is cancelled by
//! the next update before any call: it times the slice diff and the messaging alone.

mod support;

use std::rc::Rc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use support::{
    assert_converged, drain, paused_system, play, settle, Churn, FlipRing, InstantElb, Tally,
};
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::{Action, Target};
use tgsync_actors::target_group::{
    CallOutcome, Router, TargetGroupActor, TargetGroupCore, TgConfig,
};

/// A router, actors and budget over the churn model's target groups, and the ELB they call.
fn pipeline(churn: &Churn) -> (Router<InstantElb>, InstantElb) {
    let elb = InstantElb::default();
    let mut router = Router::default();
    let budget = ApiBudget::new(BudgetConfig::unlimited()).start();
    let shared = Rc::new(elb.clone());
    for tg in &churn.tgs {
        let actor = TargetGroupActor::new(
            tg.key.clone(),
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
    tally: Tally,
}

/// A running pipeline with every slice of the churn model listed and registered.
fn build(tgs: usize, size: usize) -> Built {
    let system = paused_system();
    let churn = Churn::new(tgs, size);
    let (router, elb) = system.block_on(async {
        let (router, elb) = pipeline(&churn);
        for snap in churn.initial() {
            router.route(snap);
        }
        settle(&elb).await;
        (router, elb)
    });
    assert_eq!(elb.targets.get() as usize, churn.ready_count());
    assert_converged(&churn, &elb);
    Built {
        system,
        churn,
        router,
        elb,
        tally: Tally::default(),
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
            let id = BenchmarkId::new(format!("slice_updates/tgs={tgs}"), size);
            group.bench_function(id, |b| {
                let Built {
                    system,
                    churn,
                    router,
                    elb,
                    tally,
                } = built.get_or_insert_with(|| build(tgs, size));
                b.iter_custom(|iters| {
                    let calls = elb.calls.get();
                    let elapsed = system.block_on(async {
                        let start = Instant::now();
                        play(churn, iters, |snap| {
                            router.route(snap);
                        })
                        .await;
                        settle(elb).await;
                        start.elapsed()
                    });
                    tally.updates += iters;
                    tally.calls += elb.calls.get() - calls;
                    assert_converged(churn, elb);
                    elapsed
                })
            });
            if let Some(b) = &built {
                b.tally
                    .print(&format!("pod_churn/slice_updates/tgs={tgs}/{size}"));
            }
        }
    }
    group.finish();
}

/// The old churn through the same pipeline, time standing still: the slice diff and messaging alone.
fn diff_alone(c: &mut Criterion) {
    let mut group = c.benchmark_group("pod_churn_diff_alone");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    let (tgs, size) = (1_000, 100);
    let mut built = None;
    group.throughput(Throughput::Elements(1));
    group.bench_function(
        BenchmarkId::new(format!("slice_updates/tgs={tgs}"), size),
        |b| {
            let (system, ring, router, elb) = built.get_or_insert_with(|| {
                let system = paused_system();
                let ring = FlipRing::new(tgs, size);
                let (router, elb) = system.block_on(async {
                    let (router, elb) = pipeline(&ring.churn);
                    for snap in ring.churn.initial() {
                        router.route(snap);
                    }
                    settle(&elb).await;
                    (router, elb)
                });
                (system, ring, router, elb)
            });
            b.iter_custom(|iters| {
                system.block_on(async {
                    let start = Instant::now();
                    for i in 0..iters {
                        router.route(ring.next_update());
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
    group.finish();
}

/// Makes the calls a core asks for at `now` as if ELB applied them at once: no actor, no budget. Returns
/// how many it made.
fn call_due(core: &mut TargetGroupCore, now: tokio::time::Instant) -> u64 {
    let mut calls = 0;
    for action in [Action::Deregister, Action::Register] {
        while core.next_flush(action).is_some_and(|at| at <= now) {
            if core.take_batch(action).is_empty() {
                break;
            }
            core.complete(now, action, CallOutcome::Applied);
            calls += 1;
        }
    }
    calls
}

/// Cores of `tgs` target groups fed the churn model in virtual time, calls applied at once.
struct Cores {
    churn: Churn,
    cores: Vec<TargetGroupCore>,
    now: tokio::time::Instant,
    tally: Tally,
}

impl Cores {
    fn new(tgs: usize, size: usize) -> Self {
        let churn = Churn::new(tgs, size);
        let mut cores: Vec<TargetGroupCore> = (0..tgs)
            .map(|_| TargetGroupCore::new(TgConfig::default()))
            .collect();
        let per_tg = size.div_ceil(support::ENDPOINTS_PER_SLICE);
        let now = tokio::time::Instant::now();
        for (g, snap) in churn.initial().into_iter().enumerate() {
            cores[g / per_tg].apply_slice(now, snap);
        }
        let mut cores = Cores {
            churn,
            cores,
            now,
            tally: Tally::default(),
        };
        cores.finish();
        cores
    }

    /// One update to the next target group in turn, and the calls due at its time.
    fn update(&mut self) {
        let tg = self.churn.next_tg();
        let snap = self.churn.next_update();
        self.now += self.churn.step();
        let core = &mut self.cores[tg];
        core.apply_slice(self.now, snap);
        self.tally.calls += call_due(core, self.now);
        self.tally.updates += 1;
    }

    /// Lets every window close, then panics unless each core has registered exactly its ready endpoints.
    fn finish(&mut self) {
        self.now += TgConfig::default().max_window;
        for (i, core) in self.cores.iter_mut().enumerate() {
            call_due(core, self.now);
            let mut registered: Vec<Target> = core.registered().copied().collect();
            let mut ready: Vec<Target> = self.churn.ready(i).collect();
            registered.sort_unstable();
            ready.sort_unstable();
            assert!(
                registered == ready,
                "core {i} registered its ready endpoints"
            );
        }
    }
}

/// The core alone, no actors: diff, ledger and batching of one target group, calls applied at once.
fn core_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("pod_churn_core");
    for size in [10usize, 100, 1_000] {
        let mut cores = Cores::new(1, size);
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("slice_updates", size), |b| {
            b.iter(|| cores.update())
        });
        cores.finish();
        cores
            .tally
            .print(&format!("pod_churn_core/slice_updates/{size}"));
    }
    group.finish();
}

/// Cores of many target groups in turn, no actors: the cache cost of touching a cold target group.
fn cores_in_turn(c: &mut Criterion) {
    let mut group = c.benchmark_group("pod_churn_cores");
    let (tgs, size) = (1_000, 100);
    let mut cores = Cores::new(tgs, size);
    group.throughput(Throughput::Elements(1));
    group.bench_function(
        BenchmarkId::new(format!("slice_updates/tgs={tgs}"), size),
        |b| b.iter(|| cores.update()),
    );
    cores.finish();
    cores
        .tally
        .print(&format!("pod_churn_cores/slice_updates/tgs={tgs}/{size}"));
    group.finish();
}

criterion_group!(benches, core_only, cores_in_turn, pod_churn, diff_alone);
criterion_main!(benches);
