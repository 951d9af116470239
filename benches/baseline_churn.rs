//! Bench (b): the baseline's cost per update — the AWS Load Balancer Controller's way (work queue, whole
//! desired set recomputed per reconcile, diff against described targets) on the same churn as bench (a), with
//! the same instant ELB and its client-side limiters opened wide, so only its CPU work is measured.
//!
//! Churn model (`support::Churn`, as in bench (a)): a rolling update of every target group at once, each
//! slice update retiring one pod and adding one with a new IP, each target group updated every 50 ms of
//! virtual time. Each sample ends when the work queue is empty, then (untimed) checks that the ELB holds
//! exactly the ready endpoints. The ELB calls per 1,000 updates are printed.
//!
//! Left out, as in bench (a): decoding, Kubernetes writes, the network and AWS's latency and throttling.

mod support;

use std::rc::Rc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use support::{assert_converged, paused_system, play, Churn, InstantElb, Tally};
use tgsync_loadtest::{Baseline, BaselineConfig, Binding, Strategy, Topology};

struct Built {
    system: actix_rt::SystemRunner,
    churn: Churn,
    baseline: Baseline,
    elb: InstantElb,
    tally: Tally,
}

/// Runs the baseline's workers until its queue is empty.
async fn settle(baseline: &Baseline) {
    while baseline.busy() > 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn build(tgs: usize, size: usize) -> Built {
    let system = paused_system();
    let churn = Churn::new(tgs, size);
    let topology = Topology {
        bindings: churn
            .tgs
            .iter()
            .map(|tg| Binding {
                service: tg.service.clone(),
                port_name: None,
                tg: tg.key.clone(),
            })
            .collect(),
        readiness_gates: false,
    };
    let elb = InstantElb::default();
    let baseline = system.block_on(async {
        let wide_open = (1e12, u32::MAX);
        let config = BaselineConfig {
            register_limit: wide_open,
            describe_limit: wide_open,
            ..BaselineConfig::default()
        };
        let mut baseline = Baseline::new(&topology, Rc::new(elb.clone()), config);
        for snap in churn.initial() {
            baseline.on_slice(snap);
        }
        settle(&baseline).await;
        baseline
    });
    assert_converged(&churn, &elb);
    Built {
        system,
        churn,
        baseline,
        elb,
        tally: Tally::default(),
    }
}

fn baseline_churn(c: &mut Criterion) {
    let mut group = c.benchmark_group("baseline_churn");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for tgs in [1_000usize, 10_000] {
        for size in [10usize, 100, 1_000] {
            group.throughput(Throughput::Elements(1));
            // Built on first use, once: criterion calls the closure once per sample.
            let mut built: Option<Built> = None;
            group.bench_function(
                BenchmarkId::new(format!("slice_updates/tgs={tgs}"), size),
                |b| {
                    let Built {
                        system,
                        churn,
                        baseline,
                        elb,
                        tally,
                    } = built.get_or_insert_with(|| build(tgs, size));
                    b.iter_custom(|iters| {
                        let calls = elb.calls.get();
                        let elapsed = system.block_on(async {
                            let start = Instant::now();
                            play(churn, iters, |snap| baseline.on_slice(snap)).await;
                            settle(baseline).await;
                            start.elapsed()
                        });
                        tally.updates += iters;
                        tally.calls += elb.calls.get() - calls;
                        assert_converged(churn, elb);
                        elapsed
                    })
                },
            );
            if let Some(b) = &built {
                b.tally
                    .print(&format!("baseline_churn/slice_updates/tgs={tgs}/{size}"));
            }
        }
    }
    group.finish();
}

criterion_group!(benches, baseline_churn);
criterion_main!(benches);
