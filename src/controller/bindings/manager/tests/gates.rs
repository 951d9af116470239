//! Readiness gates: an endpoint held back only by our gate is registered once its containers are ready, and
//! the gate is set once ELB calls the target healthy.

use std::time::Duration;

use serde_json::json;
use tgsync_actors::gates::GATE_EVERY;

use super::*;

/// Pod `name` at `ip` gated on binding `web`, with ready containers.
fn gated_pod(name: &str, ip: &str) -> SlimPod {
    decode(json!({
        "metadata": {"name": name, "namespace": NS},
        "spec": {"readinessGates": [{"conditionType": "target-health.elbv2.k8s.aws/web"}]},
        "status": {"podIP": ip, "conditions": [{"type": "ContainersReady", "status": "True"},
                                                {"type": "Ready", "status": "False"}]},
    }))
}

/// DescribeTargetHealth calls of the target group so far (the start's own included).
fn describes(bed: &Bed) -> usize {
    let line = format!("describe {ARN}");
    bed.log().iter().filter(|l| **l == line).count()
}

/// A bed whose target group checks health every `interval` (`None`: DescribeTargetGroups fails), with
/// binding `web` running and gated pod p1's target registered; returns the describes made so far.
async fn registered_gated_pod(interval: Option<Duration>) -> (Bed, usize) {
    let bed = Bed::start();
    bed.elb.state.borrow_mut().interval = interval;
    bed.list(Listed {
        bindings: vec![binding("web", json!({}))],
        services: vec![service()],
        // p2 is not ready for its own reasons: it has no gate of ours.
        slices: vec![slice(
            "web-a",
            &[("10.0.0.1", false, "p1"), ("10.0.0.2", false, "p2")],
        )],
        pods: vec![gated_pod("p1", "10.0.0.1")],
        ..Listed::default()
    });
    bed.lead();
    until(&bed, "gated endpoint registered", || {
        bed.elb.targets(ARN) == [ip_target("10.0.0.1")]
    })
    .await;
    let before = describes(&bed);
    (bed, before)
}

/// Waits until a gate is set, and asserts that it took at most `bound` from now (when the test made ELB call
/// the target healthy).
async fn gate_set_within(bed: &Bed, bound: Duration) {
    let since = tokio::time::Instant::now();
    until(bed, "gate set", || {
        !bed.kube.state.borrow().pod_conditions.is_empty()
    })
    .await;
    assert!(
        since.elapsed() <= bound,
        "{:?} > {bound:?}",
        since.elapsed()
    );
}

#[test]
fn a_gated_endpoint_is_registered_and_its_gate_set_once_healthy() {
    run(|| async {
        let interval = Duration::from_secs(10);
        let (bed, before) = registered_gated_pod(Some(interval)).await;
        // The tick that first finds the target registered is at most one tick (2 s) after its registration;
        // a describe comes one interval after that tick, and then once an interval.
        idle(9).await;
        assert_eq!(
            describes(&bed),
            before,
            "a describe before the target had an interval: {:#?}",
            bed.log()
        );
        idle(4).await;
        assert_eq!(describes(&bed), before + 1, "{:#?}", bed.log());
        idle(30).await;
        assert_eq!(
            describes(&bed),
            before + 4,
            "once an interval: {:#?}",
            bed.log()
        );
        assert!(
            bed.kube.state.borrow().pod_conditions.is_empty(),
            "gate set before the target was healthy"
        );
        let reads = bed.log().iter().filter(|l| *l == "intervals 1").count();
        assert_eq!(reads, 1, "the interval is read once: {:#?}", bed.log());

        bed.elb.state.borrow_mut().healthy = true;
        // The worst the pacing adds: the rest of an interval, and the tick it is checked on.
        gate_set_within(&bed, interval + GATE_EVERY).await;
        assert_eq!(
            bed.kube.state.borrow().pod_conditions,
            [(
                "shop/p1".to_owned(),
                "target-health.elbv2.k8s.aws/web".to_owned()
            )]
        );
    });
}

#[test]
fn without_a_health_check_interval_the_gate_looks_at_every_tick() {
    run(|| async {
        let (bed, before) = registered_gated_pod(None).await;
        idle(11).await;
        // Ticks every 2 s, the first of them up to 2 s after the registration was seen: at least 4.
        assert!(describes(&bed) >= before + 4, "{:#?}", bed.log());
        bed.elb.state.borrow_mut().healthy = true;
        gate_set_within(&bed, GATE_EVERY).await;
    });
}
