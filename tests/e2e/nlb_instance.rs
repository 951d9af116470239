//! An instance-mode NLB Service: its target group holds the EC2 instances of the kwok nodes that match
//! `aws-load-balancer-target-node-labels`, on the Service's nodePort. Beside it, a Service of ours with an
//! unknown target type gets one Warning naming the annotation and nothing in AWS, and does not hold the
//! good one back.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Node, Service};
use kube::api::{Api, ListParams};
use kube::ResourceExt;
use tgsync_actors::stack::{StackId, StackKind, TargetKind};

use crate::support::*;

const TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-type";
const TARGET_TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
const NODE_LABELS: &str = "service.beta.kubernetes.io/aws-load-balancer-target-node-labels";
const ZONE: &str = "topology.kubernetes.io/zone";

#[actix_rt::test]
async fn an_instance_mode_service_targets_the_labelled_nodes_and_a_bad_one_only_gets_a_warning() {
    let ns = TestNamespace::create("nlb-inst");
    let client = kube_client().await;
    let nodes = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .expect("list nodes")
        .items;
    let zone = nodes
        .first()
        .and_then(|n| n.labels().get(ZONE).cloned())
        .expect("the bed's nodes carry a zone");
    let selector = format!("{ZONE}={zone}");
    ns.apply(&web(2, "ClusterIP"));
    ns.apply(&load_balancer_service(
        "front",
        None,
        &[
            (TYPE, "external"),
            (TARGET_TYPE, "instance"),
            (NODE_LABELS, &selector),
        ],
    ));
    ns.apply(&load_balancer_service(
        "bad",
        Some("service.k8s.aws/nlb"),
        &[(TARGET_TYPE, "pod")],
    ));
    let tgsync = Tgsync::start(&ns.0);

    let svc: Service = Api::namespaced(client.clone(), &ns.0)
        .get("front")
        .await
        .expect("the Service");
    let node_port = svc
        .spec
        .and_then(|s| s.ports)
        .and_then(|p| p[0].node_port)
        .expect("a LoadBalancer Service has a nodePort");
    let want: BTreeSet<String> = nodes
        .iter()
        .filter(|n| n.labels().get(ZONE) == Some(&zone))
        .filter_map(|n| n.spec.as_ref()?.provider_id.as_deref())
        .filter_map(tgsync::controller::instance_from_provider_id)
        .map(|i| format!("{i}:{node_port}"))
        .collect();
    assert!(
        !want.is_empty() && want.len() < nodes.len(),
        "the zone {zone} holds some of the {} nodes, not all: {want:?}",
        nodes.len()
    );

    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("{}/front", ns.0),
    };
    poll_until(
        "the NLB's target group holds the zone's nodes on the nodePort",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            let (Some(_), Some(tg)) = (&d.load_balancer, d.target_groups.values().next()) else {
                return Err("no NLB or target group yet".into());
            };
            if tg.spec.target_kind != TargetKind::Instance {
                return Err(format!("target type {:?}", tg.spec.target_kind));
            }
            let have = targets(&tg.arn).await?;
            if have == want {
                Ok(())
            } else {
                Err(format!("want {want:?}, have {have:?}"))
            }
        },
    )
    .await;

    poll_until(
        "the Service with an unknown target type gets a Warning naming the annotation and its value",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let ev = events_of(&ns.0, "bad");
            if ev.contains("FailedBuildModel")
                && ev.contains("aws-load-balancer-nlb-target-type")
                && ev.contains("pod")
            {
                Ok(())
            } else {
                Err(format!("events of bad: {ev:?}"))
            }
        },
    )
    .await;
    assert_eq!(
        tagged("service.k8s.aws/stack", &format!("{}/bad", ns.0)).await,
        (0, 0),
        "nothing made for the refused Service (load balancers, target groups)"
    );
    let bad: Service = Api::namespaced(client.clone(), &ns.0)
        .get("bad")
        .await
        .expect("the bad Service");
    let ingress = bad
        .status
        .and_then(|s| s.load_balancer)
        .and_then(|l| l.ingress)
        .unwrap_or_default();
    assert!(ingress.is_empty(), "no address shown: {ingress:?}");
}
