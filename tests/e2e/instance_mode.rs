//! instance mode: the kwok nodes' EC2 instance ids on the Service's nodePort.

use std::collections::BTreeSet;

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use k8s_openapi::api::core::v1::{Node, Service};
use kube::api::{Api, ListParams};

use crate::support::*;

#[tokio::test]
async fn instance_binding_registers_the_nodes_on_the_node_port() {
    let ns = TestNamespace::create("tg-inst");
    let client = kube_client().await;
    let arn = create_target_group(&unique("inst"), TargetTypeEnum::Instance).await;
    let tgsync = Tgsync::start(&ns.0);
    ns.apply(&web(2, "NodePort"));
    ns.apply(&binding("web", &arn, "instance"));

    let svc: Service = Api::namespaced(client.clone(), &ns.0)
        .get("web")
        .await
        .expect("get service");
    let node_port = svc
        .spec
        .and_then(|s| s.ports)
        .and_then(|p| p[0].node_port)
        .expect("a nodePort");
    let nodes: Api<Node> = Api::all(client.clone());
    let want: BTreeSet<String> = nodes
        .list(&ListParams::default())
        .await
        .expect("list nodes")
        .items
        .into_iter()
        .filter_map(|n| n.spec?.provider_id)
        .filter_map(|p| tgsync::controller::instance_from_provider_id(&p))
        .map(|i| format!("{i}:{node_port}"))
        .collect();
    assert!(
        !want.is_empty(),
        "the bed has no nodes with an EC2 providerID"
    );
    poll_until(
        "target group == nodes",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let have = targets(&arn).await?;
            if have == want {
                Ok(())
            } else {
                Err(format!("want {want:?}, have {have:?}"))
            }
        },
    )
    .await;
}
