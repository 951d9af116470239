//! Bindings that cannot be served: refused on the object (condition and one Warning Event), no AWS call where
//! none is due, served once the cause is gone; and status writes retried until they land.

use serde_json::json;

use super::*;

fn listed(bindings: Vec<TargetGroupBinding>) -> Listed {
    Listed {
        bindings,
        services: vec![service()],
        slices: vec![slice("web-a", &[("10.0.0.1", true, "p1")])],
        ..Listed::default()
    }
}

/// The Warning Events published on binding `name`, by reason.
fn warnings(bed: &Bed, name: &str) -> Vec<String> {
    let key = format!("{NS}/{name}");
    let st = bed.kube.state.borrow();
    st.events
        .iter()
        .filter(|(k, warning, _)| *k == key && *warning)
        .map(|(_, _, reason)| reason.clone())
        .collect()
}

#[test]
fn an_invalid_spec_is_refused_without_a_finalizer_or_a_call() {
    run(|| async {
        let bed = Bed::start();
        bed.list(listed(vec![binding(
            "web",
            json!({"targetGroupARN": "not-an-arn"}),
        )]));
        bed.lead();
        until(&bed, "refused", || {
            bed.ready()
                .is_some_and(|c| c.status == "False" && c.reason == "InvalidTargetGroupARN")
        })
        .await;
        idle(60).await;
        assert_eq!(warnings(&bed, "web"), ["InvalidTargetGroupARN"]);
        let acted = bed
            .log()
            .into_iter()
            .find(|l| !l.starts_with("status") && !l.starts_with("event"));
        assert_eq!(acted, None, "an invalid binding caused a write or a call");
    });
}

#[test]
fn a_missing_target_group_is_reported_once_and_looked_for_again() {
    run(|| async {
        let bed = Bed::start();
        bed.elb.state.borrow_mut().groups.clear();
        bed.list(listed(vec![binding("web", json!({}))]));
        bed.lead();
        until(&bed, "not found reported", || {
            bed.ready()
                .is_some_and(|c| c.status == "False" && c.reason == "TargetGroupNotFound")
        })
        .await;
        // Created later: found on a later look, without the binding changing.
        bed.elb
            .state
            .borrow_mut()
            .groups
            .insert(ARN.into(), Default::default());
        until(&bed, "registered once it exists", || {
            bed.elb.targets(ARN).len() == 1
        })
        .await;
        assert_eq!(warnings(&bed, "web"), ["TargetGroupNotFound"]);
        until(&bed, "Ready again", || {
            bed.ready().is_some_and(|c| c.status == "True")
        })
        .await;
    });
}

#[test]
fn a_missing_service_port_is_reported_and_served_once_the_service_has_it() {
    run(|| async {
        let bed = Bed::start();
        bed.list(listed(vec![binding(
            "web",
            json!({"serviceRef": {"name": "web", "port": 81}}),
        )]));
        bed.lead();
        until(&bed, "port refused", || {
            bed.ready()
                .is_some_and(|c| c.reason == "ServicePortNotFound")
        })
        .await;
        assert!(bed.elb.targets(ARN).is_empty());
        let mut svc = service();
        let ports = svc
            .spec
            .as_mut()
            .and_then(|s| s.ports.as_mut())
            .expect("service has ports");
        ports[0].port = 81;
        bed.apply_service(svc);
        until(&bed, "served on the new port", || {
            bed.elb.targets(ARN).len() == 1
        })
        .await;
        until(&bed, "Ready", || {
            bed.ready().is_some_and(|c| c.status == "True")
        })
        .await;
    });
}

#[test]
fn a_second_binding_of_one_target_group_is_refused_and_served_when_the_first_goes() {
    run(|| async {
        let bed = Bed::start();
        let mut second = binding("web-2", json!({}));
        second.metadata.creation_timestamp =
            Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                "2026-02-01T00:00:00Z".parse().expect("a timestamp"),
            ));
        bed.list(listed(vec![binding("web", json!({})), second.clone()]));
        bed.lead();
        until(&bed, "second refused", || {
            bed.condition("web-2", "Ready")
                .is_some_and(|c| c.reason == "TargetGroupInUse")
        })
        .await;
        until(&bed, "first serves", || bed.elb.targets(ARN).len() == 1).await;
        assert_eq!(warnings(&bed, "web-2"), ["TargetGroupInUse"]);
        assert!(bed.position("finalizer-add shop/web-2").is_none());
        bed.delete_binding(binding("web", json!({})));
        until(&bed, "second serves", || {
            bed.condition("web-2", "Ready")
                .is_some_and(|c| c.status == "True")
        })
        .await;
    });
}

#[test]
fn a_status_write_that_fails_is_retried_until_it_lands() {
    run(|| async {
        let bed = Bed::start();
        bed.kube.state.borrow_mut().failing_status_writes = 3;
        bed.list(listed(vec![binding("web", json!({}))]));
        bed.lead();
        until(&bed, "status landed", || {
            bed.ready().is_some_and(|c| c.status == "True")
        })
        .await;
        let failed = bed
            .log()
            .iter()
            .filter(|l| l.starts_with("status-failed"))
            .count();
        assert_eq!(failed, 3);
        let st = bed.kube.state.borrow();
        let (generation, _) = &st.status["shop/web"];
        assert_eq!(*generation, Some(1), "observedGeneration");
    });
}
