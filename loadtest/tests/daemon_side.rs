//! The simulated daemon does what `tgsync run` does around its actors: the checkpoint removal before a
//! target group's first change (a Kubernetes write), and with readiness gates the DescribeTargetHealth calls
//! the daemon's gate clock paces by the target groups' health-check interval.

use std::time::Duration;

use tgsync_actors::gates::GATE_EVERY;
use tgsync_loadtest::strategy::KubeModel;
use tgsync_loadtest::{RunReport, Scenario, ScenarioKind, ScenarioParams};
mod support;

use support::run_tgsync;

const TGS: usize = 6;

/// A rolling update of `tgs` Deployments of `pods`.
fn scenario(gated: bool, (tgs, pods): (usize, usize)) -> Scenario {
    Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            tgs,
            pods,
            readiness_gates: gated,
            ..ScenarioParams::default()
        },
    )
}

fn run(gated: bool, write_latency: Duration) -> RunReport {
    run_of(&scenario(gated, (TGS, 20)), write_latency)
}

fn run_of(sc: &Scenario, write_latency: Duration) -> RunReport {
    let report = run_tgsync(sc, sc.model_config(), KubeModel { write_latency });
    assert!(report.converged, "{report:?}");
    report
}

#[test]
fn without_gates_no_health_is_read_and_checkpoints_are_written() {
    let r = run(false, Duration::from_millis(20));
    assert_eq!(r.calls["DescribeTargetHealth"], 0, "{r:?}");
    // At least one removal per target group before its first change, and one write once it held still.
    assert!(r.kube_writes.is_some_and(|w| w >= 2 * TGS as u64), "{r:?}");
}

#[test]
fn gated_pods_cost_describes_paced_by_the_health_check_interval() {
    // Big enough that describing at every tick (as before the gate clock) would cost hundreds.
    let (tgs, pods) = (20, 50);
    let sc = scenario(true, (tgs, pods));
    let r = run_of(&sc, Duration::from_millis(20));
    let describes = r.calls["DescribeTargetHealth"];
    assert!(describes > 0, "{r:?}");
    // The targets one RegisterTargets adds are first seen at one tick, so they share their checks (one a
    // health-check interval); the model calls a target healthy at its `healthy_threshold`-th check, and a
    // describe comes after each check no describe has looked past. So each call's targets cost at most that
    // many describes.
    let health = sc.model_config().health;
    let bound = r.calls["RegisterTargets"] * u64::from(health.healthy_threshold);
    assert!(describes <= bound, "{describes} > {bound}: {r:?}");
    // Each group's interval is read once (the run is shorter than the time it is trusted), 20 groups a call.
    let reads = r.calls["DescribeTargetGroups"];
    assert!((1..=tgs as u64).contains(&reads), "{r:?}");
    // A gate waits for its target's registration, its health checks, and then at most: the tick that first
    // finds it registered, and a describe and the condition's write (well under a second).
    let waits = r.gate_wait_ms.as_ref().expect("gates modelled");
    assert!(waits.samples > 0, "{r:?}");
    let most = r.latency_ms.max + 1000.0 * (health.time_to_healthy() + GATE_EVERY).as_secs_f64();
    assert!(
        waits.max <= most + 1000.0,
        "{} > {most} + 1 s: {r:?}",
        waits.max
    );
    // A new pod's gate is set (a write) once ELB calls its target healthy.
    let plain = run_of(&scenario(false, (tgs, pods)), Duration::from_millis(20));
    assert!(
        r.kube_writes.unwrap() > plain.kube_writes.unwrap(),
        "{r:?} vs {plain:?}"
    );
    assert!(
        !plain.calls.contains_key("DescribeTargetGroups"),
        "{plain:?}"
    );
}

#[test]
fn a_slow_kubernetes_delays_the_first_call_of_a_target_group() {
    let fast = run(false, Duration::ZERO);
    let slow = run(false, Duration::from_secs(2));
    // The first batch of each group after the quiet spell waits 2 s for its checkpoint's removal to land, and
    // that batch holds the first of the rolling update's changes.
    assert!(
        slow.latency_ms.p50 >= fast.latency_ms.p50 + 500.0,
        "{:?} vs {:?}",
        slow.latency_ms,
        fast.latency_ms
    );
}
