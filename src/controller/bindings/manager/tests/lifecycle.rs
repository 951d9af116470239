//! A binding's life: started after its finalizer, served, checkpointed, trusted on restart, drained on delete;
//! and a standby that makes no call.

use serde_json::json;

use super::*;
use crate::controller::bindings::checkpoint::CHECKPOINT_ANNOTATION;
use crate::controller::bindings::kube_ops::APPLIED_ANNOTATION;
use crate::crd::FINALIZER;
use tgsync_actors::tracked::hash_targets;

/// The objects of one ip binding whose slice has two ready endpoints and one that is not ready.
fn one_ip_binding() -> Listed {
    Listed {
        bindings: vec![binding("web", json!({}))],
        services: vec![service()],
        slices: vec![slice(
            "web-a",
            &[
                ("10.0.0.1", true, "p1"),
                ("10.0.0.2", true, "p2"),
                ("10.0.0.3", false, "p3"),
            ],
        )],
        ..Listed::default()
    }
}

#[test]
fn ready_endpoints_are_registered_after_the_finalizer_and_the_binding_says_synced() {
    run(|| async {
        let bed = Bed::start();
        bed.list(one_ip_binding());
        bed.lead();
        let want = vec![ip_target("10.0.0.1"), ip_target("10.0.0.2")];
        until(&bed, "both ready endpoints registered", || {
            bed.elb.targets(ARN) == want
        })
        .await;
        let finalizer = bed
            .position("finalizer-add shop/web")
            .expect("finalizer written");
        let first_call = bed.position("register").expect("registered");
        assert!(
            finalizer < first_call,
            "finalizer after a call: {:#?}",
            bed.log()
        );
        until(&bed, "Ready condition True", || {
            bed.ready()
                .is_some_and(|c| c.status == "True" && c.reason == "Synced")
        })
        .await;
    });
}

#[test]
fn a_binding_by_name_finds_its_target_group_first() {
    run(|| async {
        let bed = Bed::start();
        let mut objects = one_ip_binding();
        objects.bindings = vec![binding(
            "web",
            json!({"targetGroupARN": null, "targetGroupName": "web"}),
        )];
        bed.list(objects);
        bed.lead();
        until(&bed, "registered by name", || {
            bed.elb.targets(ARN).len() == 2
        })
        .await;
        assert!(bed.position("find web") < bed.position("register"));
    });
}

#[test]
fn a_standby_makes_no_call_and_writes_nothing_until_it_leads() {
    run(|| async {
        let bed = Bed::start();
        bed.list(one_ip_binding());
        idle(120).await;
        assert_eq!(bed.log(), Vec::<String>::new(), "a standby acted");
        bed.lead();
        until(&bed, "registered once leading", || {
            bed.elb.targets(ARN).len() == 2
        })
        .await;
    });
}

#[test]
fn endpoint_changes_follow_and_a_deleted_slice_deregisters_its_targets() {
    run(|| async {
        let bed = Bed::start();
        bed.list(one_ip_binding());
        bed.lead();
        until(&bed, "first set", || bed.elb.targets(ARN).len() == 2).await;
        bed.apply(slice(
            "web-a",
            &[("10.0.0.2", true, "p2"), ("10.0.0.3", true, "p3")],
        ));
        let want = vec![ip_target("10.0.0.2"), ip_target("10.0.0.3")];
        until(&bed, "rolled set", || bed.elb.targets(ARN) == want).await;
        bed.manager
            .do_send(Watched(Event::Delete(slice("web-a", &[]))));
        until(&bed, "slice gone", || bed.elb.targets(ARN).is_empty()).await;
    });
}

#[test]
fn a_slice_gone_from_a_relist_deregisters_its_targets() {
    run(|| async {
        let bed = Bed::start();
        let mut objects = one_ip_binding();
        objects
            .slices
            .push(slice("web-b", &[("10.0.0.8", true, "p8")]));
        bed.list(objects);
        bed.lead();
        until(&bed, "both slices", || bed.elb.targets(ARN).len() == 3).await;
        // What the EndpointSlice watch yields after a 410: a relist in which web-a is missing.
        for ev in [
            Event::Init,
            Event::InitApply(slice("web-b", &[("10.0.0.8", true, "p8")])),
            Event::InitDone,
        ] {
            bed.manager.do_send(Watched(ev));
        }
        let want = vec![ip_target("10.0.0.8")];
        until(&bed, "web-a's targets gone", || {
            bed.elb.targets(ARN) == want
        })
        .await;
    });
}

#[test]
fn a_deleted_binding_is_drained_before_its_finalizer_goes() {
    run(|| async {
        let bed = Bed::start();
        bed.list(one_ip_binding());
        bed.lead();
        until(&bed, "registered", || bed.elb.targets(ARN).len() == 2).await;
        let mut deleting = binding("web", json!({}));
        deleting.metadata.finalizers = Some(vec![FINALIZER.into()]);
        deleting.metadata.deletion_timestamp =
            Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                "2026-01-01T01:00:00Z".parse().expect("a timestamp"),
            ));
        bed.apply_binding(deleting);
        until(&bed, "finalizer removed", || {
            bed.position("finalizer-remove").is_some()
        })
        .await;
        assert!(
            bed.elb.targets(ARN).is_empty(),
            "finalizer removed with targets left"
        );
        let last_deregister = bed
            .log()
            .iter()
            .rposition(|l| l.starts_with("deregister"))
            .expect("deregistered");
        assert!(last_deregister < bed.position("finalizer-remove").expect("found above"));
    });
}

#[test]
fn a_settled_set_is_checkpointed_and_a_restart_trusts_it_without_describing() {
    let want = vec![ip_target("10.0.0.1"), ip_target("10.0.0.2")];
    let hash = hash_targets(&want);
    let (kube, elb, log) = run(|| async {
        let bed = Bed::start();
        bed.list(one_ip_binding());
        bed.lead();
        until(&bed, "checkpoint written", || {
            bed.kube.state.borrow().checkpoint.get("shop/web") == Some(&hash)
        })
        .await;
        (bed.kube.clone(), bed.elb.clone(), bed.log.clone())
    });
    log.borrow_mut().clear();
    run(|| async {
        // The next process sees what the first wrote on the binding.
        let next = Bed::over(kube, elb, log);
        let mut objects = one_ip_binding();
        let applied = serde_json::to_string(&objects.bindings[0].spec).expect("a spec encodes");
        let b = &mut objects.bindings[0];
        b.metadata.finalizers = Some(vec![FINALIZER.into()]);
        b.metadata.annotations = Some(
            [
                (CHECKPOINT_ANNOTATION.to_owned(), hash.clone()),
                (APPLIED_ANNOTATION.to_owned(), applied),
            ]
            .into(),
        );
        next.list(objects);
        next.lead();
        until(&next, "status written again", || {
            next.position("status shop/web").is_some()
        })
        .await;
        idle(30).await;
        let calls: Vec<String> = next
            .log()
            .into_iter()
            .filter(|l| {
                ["describe", "register", "deregister", "finalizer"]
                    .iter()
                    .any(|v| l.starts_with(v))
            })
            .collect();
        assert_eq!(
            calls,
            Vec::<String>::new(),
            "a matching checkpoint still cost calls"
        );
        assert_eq!(next.elb.targets(ARN), want);
    });
}

#[test]
fn a_binding_gone_from_a_relist_stops_being_served() {
    run(|| async {
        let bed = Bed::start();
        bed.list(one_ip_binding());
        bed.lead();
        until(&bed, "registered", || bed.elb.targets(ARN).len() == 2).await;
        // The watch relists (after a 410, say) and the binding is no longer there.
        bed.list(Listed {
            services: vec![service()],
            ..Listed::default()
        });
        idle(5).await;
        bed.apply(slice("web-a", &[("10.0.0.9", true, "p9")]));
        idle(60).await;
        assert_eq!(
            bed.elb.targets(ARN).len(),
            2,
            "a forgotten binding still followed its slices"
        );
    });
}
