//! A run's timeline agrees with its totals: each action's per-second calls sum to its count, throttles too, and
//! the pending targets end at zero in a run that converged, having risen while the scenario ran.

use tgsync_actors::budget::BudgetConfig;
use tgsync_actors::target_group::TgConfig;
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::strategy::{KubeModel, Tgsync};
use tgsync_loadtest::{
    Baseline, BaselineConfig, RunReport, Runner, Scenario, ScenarioKind, ScenarioParams,
};

fn scenario() -> Scenario {
    Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            tgs: 30,
            pods: 20,
            readiness_gates: true,
            ..ScenarioParams::default()
        },
    )
}

fn check(r: &RunReport) {
    assert!(r.converged, "{} did not converge", r.strategy);
    let tl = &r.timeline;
    for (action, count) in &r.calls {
        let sum: u64 = tl
            .calls
            .get(action)
            .map_or(0, |s| s.iter().map(|&n| u64::from(n)).sum());
        assert_eq!(sum, *count, "{} {action}", r.strategy);
    }
    assert!(tl.calls.keys().all(|a| r.calls.contains_key(a)));
    assert_eq!(
        tl.throttled.iter().map(|&n| u64::from(n)).sum::<u64>(),
        r.throttled
    );
    for pending in [&tl.pending_register, &tl.pending_deregister] {
        assert_eq!(pending.len(), tl.seconds() + 1);
        assert_eq!(pending[tl.seconds()], 0, "{}", r.strategy);
        assert!(pending.iter().any(|&n| n > 0), "{}", r.strategy);
    }
    let completion = r.completion_seconds.expect("converged");
    assert!(tl.seconds() as f64 >= completion.floor(), "{}", r.strategy);
}

#[test]
fn both_strategies_timelines_sum_to_their_counts() {
    let sc = scenario();
    let tgsync =
        paused_system().block_on(Runner::new(&sc, sc.model_config()).run(|topo, model| {
            Tgsync::start(
                topo,
                model,
                BudgetConfig::default(),
                TgConfig::default(),
                KubeModel::default(),
            )
        }));
    check(&tgsync);
    let baseline =
        paused_system().block_on(Runner::new(&sc, sc.model_config()).run(|topo, model| {
            Baseline::new(topo, std::rc::Rc::new(model), BaselineConfig::default())
        }));
    check(&baseline);
}
