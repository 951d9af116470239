//! Bench (b): the baseline's cost per update — the AWS Load Balancer Controller's way (work queue, whole
//! desired set recomputed per reconcile, diff against described targets) on the same churn as bench (a), with
//! the same instant ELB and its client-side limiters opened wide, so only its CPU work is measured.
//!
//! Churn model: slices of up to 100 endpoints; each update changes 2 of them (one pod becomes ready, one
//! terminates), as in a rolling update. Endpoint changes per second are twice the updates per second shown.

mod support;

use std::rc::Rc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use support::{paused_system, Churn, InstantElb};
use tgsync_actors::domain::TargetGroupKey;
use tgsync_loadtest::{Baseline, BaselineConfig, Binding, Strategy, Topology};

struct Built {
    system: actix_rt::SystemRunner,
    churn: Churn,
    baseline: Baseline,
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
            .enumerate()
            .map(|(i, tg)| Binding {
                service: tg.service.clone(),
                port_name: None,
                tg: TargetGroupKey::new(format!("tg-{i}")),
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
    let ready = tgs * (size - size.div_ceil(100));
    assert_eq!(
        elb.targets.get() as usize,
        ready,
        "the baseline registered every ready endpoint"
    );
    Built {
        system,
        churn,
        baseline,
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
                    } = built.get_or_insert_with(|| build(tgs, size));
                    b.iter_custom(|iters| {
                        system.block_on(async {
                            let start = Instant::now();
                            for i in 0..iters {
                                baseline.on_slice(churn.next_update());
                                if i % 1024 == 1023 {
                                    tokio::time::sleep(Duration::from_nanos(1)).await;
                                }
                            }
                            settle(baseline).await;
                            start.elapsed()
                        })
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, baseline_churn);
criterion_main!(benches);
