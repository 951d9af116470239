//! The simulated daemon does what `tgsync run` does around its actors: the checkpoint removal before a
//! target group's first change (a Kubernetes write), and with readiness gates one DescribeTargetHealth per
//! target group and gate tick while pods wait.

use std::time::Duration;

use tgsync_actors::budget::BudgetConfig;
use tgsync_actors::target_group::TgConfig;
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::strategy::{KubeModel, Tgsync};
use tgsync_loadtest::{RunReport, Runner, Scenario, ScenarioKind, ScenarioParams};

fn run(gated: bool, write_latency: Duration) -> RunReport {
    let sc = Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            tgs: 6,
            pods: 20,
            readiness_gates: gated,
            ..ScenarioParams::default()
        },
    );
    let kube = KubeModel { write_latency };
    let report =
        paused_system().block_on(Runner::new(&sc, sc.model_config()).run(|topo, model| {
            Tgsync::start(
                topo,
                model,
                BudgetConfig::default(),
                TgConfig::default(),
                kube,
            )
        }));
    assert!(report.converged, "{report:?}");
    report
}

#[test]
fn without_gates_no_health_is_read_and_checkpoints_are_written() {
    let r = run(false, Duration::from_millis(20));
    assert_eq!(r.calls["DescribeTargetHealth"], 0, "{r:?}");
    // At least one removal per target group before its first change, and one write once it held still.
    assert!(r.kube_writes.is_some_and(|w| w >= 2 * 6), "{r:?}");
}

#[test]
fn gated_pods_cost_a_describe_per_target_group_and_tick_while_they_wait() {
    let r = run(true, Duration::from_millis(20));
    let describes = r.calls["DescribeTargetHealth"];
    assert!(describes > 0, "{r:?}");
    // A gate tick every 2 s asks once per target group with pods waiting, and never past the last change
    // by more than the time a new target needs to turn healthy.
    let ticks = (r.completion_seconds.unwrap() / 2.0).ceil() as u64 + 20;
    assert!(describes <= 6 * ticks, "{describes} > 6 × {ticks}: {r:?}");
    // A new pod's gate is set (a write) once ELB calls its target healthy; the run ends when ELB holds the
    // desired set, which is before the last gates open.
    let plain = run(false, Duration::from_millis(20));
    assert!(
        r.kube_writes.unwrap() > plain.kube_writes.unwrap(),
        "{r:?} vs {plain:?}"
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
