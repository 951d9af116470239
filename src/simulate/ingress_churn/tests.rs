use std::time::Duration;

use tgsync_actors::budget::BudgetConfig;
use tgsync_actors::target_group::TgConfig;

use super::*;

fn small(throttle_fraction: f64) -> ChurnOptions {
    ChurnOptions {
        params: ChurnParams {
            ingresses: 12,
            groups: 3,
            services: 4,
            pods: 4,
            edits: 15,
            every: Duration::from_secs(2),
            seed: 3,
        },
        tg: TgConfig::default(),
        budget: BudgetConfig::default(),
        throttle_fraction,
    }
}

#[test]
fn every_group_converges_and_the_report_counts_calls_by_action() {
    let r = simulate(&small(0.0)).unwrap();
    assert!(r.converged, "{}", r.render());
    assert_eq!(r.throttled, 0);
    assert_eq!(r.edits, 15);
    assert_eq!(r.edit_latency_ms.samples, 15);
    for action in ["DescribeRules", "RegisterTargets", "DeregisterTargets"] {
        assert!(r.calls.get(action).copied().unwrap_or(0) > 0, "{action}");
    }
    assert_eq!(r.total_calls, r.calls.values().sum::<u64>());
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["calls"]["DescribeTags"].as_u64().unwrap() > 0);
}

#[test]
fn throttled_stack_calls_are_retried_until_every_alb_equals_its_model() {
    let r = simulate(&small(0.05)).unwrap();
    assert!(r.throttled > 0);
    assert!(
        r.reconciles.1 > 0,
        "a throttled reconcile fails and is retried"
    );
    // Convergence is checked against each group's final model, read straight from the ELB model.
    assert!(r.converged, "{}", r.render());
}
