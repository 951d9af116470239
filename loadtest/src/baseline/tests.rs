use std::rc::Rc;
use std::time::Duration;

use tgsync_actors::domain::EndpointSliceSnapshot;
use tgsync_actors::elb::ElbError;
use tokio::task::LocalSet;

use super::*;
use crate::model::{CallKind, ElbModel, ModelConfig};
use crate::runner::{run, Runner};
use crate::scenario::{Scenario, ScenarioKind, ScenarioParams};

fn small(kind: ScenarioKind) -> Scenario {
    Scenario::build(
        kind,
        ScenarioParams {
            tgs: 4,
            pods: 12,
            seed: 5,
            ..ScenarioParams::default()
        },
    )
}

fn baseline(topology: &Topology, model: ElbModel) -> Baseline {
    Baseline::new(topology, Rc::new(model), BaselineConfig::default())
}

#[tokio::test(start_paused = true)]
async fn converges_on_a_small_rolling_update() {
    LocalSet::new()
        .run_until(async {
            let sc = small(ScenarioKind::RollingUpdate);
            let r = run(&sc, baseline, sc.model_config()).await;
            assert_eq!(r.strategy, "baseline");
            assert!(r.converged, "{r:?}");
            assert_eq!(
                r.throttled, 0,
                "its client-side limiter matches AWS's bucket"
            );
            assert_eq!(r.target_changes, 4 * 12 * 2);
            // A reconcile per slice event, each a small register or deregister.
            assert!(r.calls["RegisterTargets"] >= 4, "{r:?}");
            assert!(r.calls["DeregisterTargets"] >= 4, "{r:?}");
            // Registered targets are not healthy yet, so later reconciles describe again.
            assert!(r.calls["DescribeTargetHealth"] > 0, "{r:?}");
            assert!(r.latency_ms.samples > 0 && r.deregister_latency_ms.samples > 0);
            // The last events are terminated pods leaving their slices: no change to the desired sets.
            let done = r.completion_seconds.unwrap();
            assert!(done >= r.lower_bound_seconds, "{r:?}");
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn survives_a_storm_of_injected_throttles() {
    LocalSet::new()
        .run_until(async {
            let sc = small(ScenarioKind::MassRestart);
            let cfg = ModelConfig {
                throttle_fraction: 0.3,
                ..sc.model_config()
            };
            let r = run(&sc, baseline, cfg).await;
            assert!(r.converged, "{r:?}");
            assert!(r.throttled > 0);
        })
        .await;
}

/// Describes made in the minute after one new ready pod, with or without readiness gates.
async fn describes_after_one_new_pod(gates: bool) -> usize {
    let sc = small(ScenarioKind::ScaleUp);
    let model = ElbModel::new(sc.model_config(), sc.tgs().cloned());
    let topology = Topology {
        readiness_gates: gates,
        ..sc.topology.clone()
    };
    let mut b = baseline(&topology, model.clone());
    // The first event of a scale-up is one slice gaining a not-ready endpoint; find one that turns ready.
    let (_, snap) = sc
        .events
        .iter()
        .find(|(_, s)| s.endpoints.iter().any(|e| e.conditions().wants_traffic()))
        .unwrap();
    b.on_slice(snap.clone());
    tokio::time::sleep(Duration::from_secs(60)).await;
    model
        .ledger()
        .iter()
        .filter(|c| c.kind == CallKind::DescribeTargetHealth)
        .count()
}

#[tokio::test(start_paused = true)]
async fn readiness_gates_requeue_every_15s_until_healthy() {
    LocalSet::new()
        .run_until(async {
            // Without gates: one describe (cache miss), then the registered target is never looked at again.
            assert_eq!(describes_after_one_new_pod(false).await, 1);
            // With gates: again at once (its own condition patch on the new pod comes back through the pod
            // watch), then requeued every 15 s, describing while the target is `initial` (20 s to healthy).
            assert_eq!(describes_after_one_new_pod(true).await, 4);
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn chunks_of_200_serially_after_one_describe() {
    LocalSet::new()
        .run_until(async {
            let sc = Scenario::build(
                ScenarioKind::ScaleUp,
                ScenarioParams {
                    tgs: 1,
                    pods: 450,
                    seed: 2,
                    ..ScenarioParams::default()
                },
            );
            let mut model_handle = None;
            let r = Runner::new(&sc, sc.model_config())
                .run(|topo, model| {
                    model_handle = Some(model.clone());
                    baseline(topo, model)
                })
                .await;
            assert!(r.converged);
            let ledger = model_handle.unwrap().ledger();
            let regs: Vec<_> = ledger
                .iter()
                .filter(|c| c.kind == CallKind::RegisterTargets)
                .collect();
            assert!(regs.iter().all(|c| c.target_count <= 200));
            // One reconcile's chunks never overlap: serial.
            for w in regs.windows(2) {
                assert!(w[1].start >= w[0].end);
            }
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn a_deleted_target_group_is_retried_with_growing_backoff() {
    LocalSet::new()
        .run_until(async {
            let sc = small(ScenarioKind::RollingUpdate);
            let gone = sc.topology.bindings[0].tg.clone();
            let cfg = ModelConfig {
                deletions: vec![crate::model::TgDeletion {
                    tg: gone.clone(),
                    at: Duration::ZERO,
                }],
                ..sc.model_config()
            };
            let mut handle = None;
            let r = Runner::new(&sc, cfg)
                .timeout(Duration::from_secs(600))
                .run(|topo, model| {
                    handle = Some(model.clone());
                    baseline(topo, model)
                })
                .await;
            assert!(!r.converged);
            let model = handle.unwrap();
            for b in &sc.topology.bindings[1..] {
                assert_eq!(model.registered(&b.tg), sc.final_desired()[&b.tg]);
            }
            let on_gone = model.ledger().iter().filter(|c| c.tg == gone).count();
            // Exponential requeue: a handful of calls over ten minutes, not thousands.
            assert!(on_gone < 100, "{on_gone}");
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn converges_on_every_scenario_and_compares() {
    LocalSet::new()
        .run_until(async {
            for kind in ScenarioKind::ALL {
                let sc = small(kind);
                let a = run(&sc, baseline, sc.model_config()).await;
                let b = run(&sc, baseline, sc.model_config()).await;
                assert!(a.converged, "{kind}: {a:?}");
                // Replays exactly from the seed.
                assert_eq!(a.total_calls, b.total_calls, "{kind}");
                assert_eq!(a.completion_seconds, b.completion_seconds, "{kind}");
                let c = crate::report::Comparison::new(sc.name(), a, b);
                assert_eq!(c.ratio_calls, Some(1.0));
                let json = serde_json::to_value(&c).unwrap();
                assert_eq!(json["runs"].as_array().unwrap().len(), 2);
                assert!(c.render().contains("baseline / tgsync"));
            }
        })
        .await;
}

/// A model holding the scenario's initial targets and a baseline that has taken in its initial slices
/// (each binding reconciled once: a describe each, checkpoints written).
async fn settled(sc: &Scenario, config: BaselineConfig) -> (ElbModel, Baseline) {
    let model = ElbModel::new(sc.model_config(), sc.tgs().cloned());
    for (tg, targets) in sc.initial_desired() {
        model.seed_registered(&tg, targets);
    }
    let mut b = Baseline::new(&sc.topology, Rc::new(model.clone()), config);
    for s in &sc.initial {
        b.on_slice(s.clone());
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    (model, b)
}

/// The first slice snapshot of the scenario with a ready endpoint that was not there at the start.
fn first_new_ready(sc: &Scenario) -> EndpointSliceSnapshot {
    let ready = |s: &EndpointSliceSnapshot| -> Vec<_> {
        s.endpoints
            .iter()
            .filter(|e| e.conditions().wants_traffic())
            .map(|e| e.addr())
            .collect()
    };
    let at_start: Vec<_> = sc.initial.iter().flat_map(ready).collect();
    sc.events
        .iter()
        .map(|(_, s)| s)
        .find(|s| ready(s).iter().any(|a| !at_start.contains(a)))
        .cloned()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_reconcile_whose_checkpoint_holds_makes_no_call() {
    LocalSet::new()
        .run_until(async {
            let sc = small(ScenarioKind::ScaleUp);
            let config = BaselineConfig::default();
            let ttl = config.cache_ttl;
            let (model, mut b) = settled(&sc, config).await;
            assert_eq!(model.ledger_len(), sc.topology.bindings.len());
            // The cache has expired, so a reconcile that got past the checkpoint would describe again.
            tokio::time::sleep(ttl).await;
            for s in &sc.initial {
                b.on_slice(s.clone());
            }
            tokio::time::sleep(Duration::from_secs(10)).await;
            assert_eq!(model.ledger_len(), sc.topology.bindings.len());
            // A new ready endpoint changes the hash: a describe (the cache is cold) and a register.
            b.on_slice(first_new_ready(&sc));
            tokio::time::sleep(Duration::from_secs(10)).await;
            let kinds: Vec<CallKind> = model.ledger()[sc.topology.bindings.len()..]
                .iter()
                .map(|c| c.kind)
                .collect();
            assert_eq!(
                kinds,
                [CallKind::DescribeTargetHealth, CallKind::RegisterTargets]
            );
        })
        .await;
}

/// The calls the baseline makes for one new ready endpoint after settling, with or without a quiet spell
/// longer than its targets cache's lifetime in between.
async fn calls_for_one_new_pod(quiet: Option<Duration>) -> Vec<CallKind> {
    let sc = small(ScenarioKind::ScaleUp);
    let (model, mut b) = settled(&sc, BaselineConfig::default()).await;
    if let Some(q) = quiet {
        b.idle(q);
    }
    b.on_slice(first_new_ready(&sc));
    tokio::time::sleep(Duration::from_secs(10)).await;
    model.ledger()[sc.topology.bindings.len()..]
        .iter()
        .map(|c| c.kind)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn after_a_quiet_spell_the_first_change_describes_the_target_group_again() {
    LocalSet::new()
        .run_until(async {
            // Warm: every cached target healthy, so no describe.
            assert_eq!(
                calls_for_one_new_pod(None).await,
                [CallKind::RegisterTargets]
            );
            assert_eq!(
                calls_for_one_new_pod(Some(Duration::from_secs(301))).await,
                [CallKind::DescribeTargetHealth, CallKind::RegisterTargets]
            );
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn an_operation_waits_on_its_limiter_once_then_makes_ten_attempts() {
    LocalSet::new()
        .run_until(async {
            let sc = small(ScenarioKind::ScaleUp);
            let model = ElbModel::new(sc.model_config(), sc.tgs().cloned());
            // One token, then one every 1,000 s: a second wait would hold the operation that long.
            let config = BaselineConfig {
                register_limit: (0.001, 1),
                ..BaselineConfig::default()
            };
            let b = Baseline::new(&sc.topology, Rc::new(model), config);
            let attempts = std::cell::Cell::new(0);
            let start = tokio::time::Instant::now();
            let r: Result<(), ElbError> =
                reconcile::call(&b.state, reconcile::Api::Mutating, || {
                    attempts.set(attempts.get() + 1);
                    async { Err(ElbError::Throttled) }
                })
                .await;
            assert_eq!(r, Err(ElbError::Throttled));
            assert_eq!(attempts.get(), 10);
            // Backoffs under 2 + 4 + 8 + 16 s, then five of 20 s.
            assert!(
                start.elapsed() < Duration::from_secs(131),
                "{:?}",
                start.elapsed()
            );
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn every_update_of_a_gated_pod_reconciles_while_its_target_is_not_healthy() {
    LocalSet::new()
        .run_until(async {
            let sc = Scenario::build(
                ScenarioKind::ScaleUp,
                ScenarioParams {
                    tgs: 4,
                    pods: 12,
                    seed: 5,
                    readiness_gates: true,
                    ..ScenarioParams::default()
                },
            );
            let (model, mut b) = settled(&sc, BaselineConfig::default()).await;
            let settled_calls = model.ledger_len();
            let new = first_new_ready(&sc);
            // Every condition true and the checkpoint holding: a pod update costs nothing.
            b.on_pod_update(&new.service);
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert_eq!(model.ledger_len(), settled_calls);
            b.on_slice(new.clone());
            tokio::time::sleep(Duration::from_secs(5)).await;
            b.on_pod_update(&new.service);
            // Before the 15 s requeue.
            tokio::time::sleep(Duration::from_secs(5)).await;
            let kinds: Vec<CallKind> = model.ledger()[settled_calls..]
                .iter()
                .map(|c| c.kind)
                .collect();
            // The register (the cache is fresh), a describe after the controller's own patch of the new
            // pod's condition, and one for the pod update.
            assert_eq!(
                kinds,
                [
                    CallKind::RegisterTargets,
                    CallKind::DescribeTargetHealth,
                    CallKind::DescribeTargetHealth
                ]
            );
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn a_key_waiting_to_be_added_again_keeps_its_earlier_time_only() {
    LocalSet::new()
        .run_until(async {
            let sc = small(ScenarioKind::ScaleUp);
            let model = ElbModel::new(sc.model_config(), sc.tgs().cloned());
            let b = baseline(&sc.topology, model);
            // No worker takes keys, so what the timers add stays in the queue to be counted.
            for w in &b.workers {
                w.abort();
            }
            add_after(&b.state, 0, Duration::from_secs(15));
            add_after(&b.state, 0, Duration::from_secs(10));
            add_after(&b.state, 0, Duration::from_secs(20));
            tokio::time::sleep(Duration::from_secs(11)).await;
            assert_eq!(b.state.queue.len(), 1);
            assert_eq!(b.state.queue.get().await, Some(0));
            b.state.queue.done(&0);
            // The 15 s and 20 s requests were folded into the 10 s one.
            tokio::time::sleep(Duration::from_secs(20)).await;
            assert_eq!(b.state.queue.len(), 0);
        })
        .await;
}
