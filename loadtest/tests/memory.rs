//! `RunReport::memory` with the heap counted: stopping tgsync's actors frees what they held, and what they held
//! grows with the targets they track.

use tgsync_loadtest::memory::Counting;
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::strategy::KubeModel;
use tgsync_loadtest::{Baseline, BaselineConfig, Runner, Scenario, ScenarioKind, ScenarioParams};
mod support;

use support::run_tgsync;

#[global_allocator]
static ALLOCATOR: Counting<std::alloc::System> = Counting(std::alloc::System);

fn scenario(tgs: usize, pods: usize) -> Scenario {
    Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            tgs,
            pods,
            ..ScenarioParams::default()
        },
    )
}

fn tgsync_memory(sc: &Scenario) -> tgsync_loadtest::memory::Memory {
    let report = run_tgsync(sc, sc.model_config(), KubeModel::default());
    assert!(report.converged, "{report:?}");
    report
        .memory
        .expect("the heap is counted and tgsync can stop")
}

#[test]
fn tgsync_state_is_weighed_and_grows_with_the_targets_it_tracks() {
    let small = tgsync_memory(&scenario(4, 20));
    let large = tgsync_memory(&scenario(4, 200));
    assert_eq!((small.tracked_targets, large.tracked_targets), (80, 800));
    // Every tracked target has at least its table entry and its endpoint in the slice the actor keeps.
    for m in [&small, &large] {
        assert!(m.bytes_per_target >= 32.0, "{m:?}");
        assert!(m.settled_daemon_bytes > 0, "{m:?}");
    }
    assert!(
        large.daemon_bytes > 4 * small.daemon_bytes,
        "{small:?} {large:?}"
    );
    assert!(large.peak_rss_bytes.is_some_and(|b| b > large.daemon_bytes));
}

#[test]
fn a_strategy_that_cannot_stop_reports_no_memory() {
    let sc = scenario(2, 10);
    let report =
        paused_system().block_on(Runner::new(&sc, sc.model_config()).run(|topo, model| {
            Baseline::new(topo, std::rc::Rc::new(model), BaselineConfig::default())
        }));
    assert!(report.converged, "{report:?}");
    assert_eq!(report.memory, None);
}
