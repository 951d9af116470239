//! Readiness gates: an endpoint held back only by our gate is registered once its containers are ready, and
//! the gate is set once ELB calls the target healthy.

use serde_json::json;

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

#[test]
fn a_gated_endpoint_is_registered_and_its_gate_set_once_healthy() {
    run(|| async {
        let bed = Bed::start();
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
        idle(10).await;
        assert!(
            bed.kube.state.borrow().pod_conditions.is_empty(),
            "gate set before the target was healthy"
        );
        bed.elb.state.borrow_mut().healthy = true;
        until(&bed, "gate set", || {
            !bed.kube.state.borrow().pod_conditions.is_empty()
        })
        .await;
        assert_eq!(
            bed.kube.state.borrow().pod_conditions,
            [(
                "shop/p1".to_owned(),
                "target-health.elbv2.k8s.aws/web".to_owned()
            )]
        );
    });
}
