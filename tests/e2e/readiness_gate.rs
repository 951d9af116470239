//! Readiness gate `target-health.elbv2.k8s.aws/<binding>`: the test bed's kwok holds gated pods not Ready, as
//! a kubelet would, until the gate is True; tgsync registers them once their containers are ready and sets
//! the gate when ELB calls the target healthy.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use crate::support::*;

const GATE: &str = "target-health.elbv2.k8s.aws/web";

#[tokio::test]
async fn gated_pods_become_ready_once_their_targets_are_healthy() {
    let ns = TestNamespace::create("tg-gate");
    let client = kube_client().await;
    let arn = create_target_group(&unique("gate"), TargetTypeEnum::Ip).await;
    ns.apply(&gated_web(4));

    // Nothing answers the gate yet: containers ready, pods not Ready, no ready endpoint.
    poll_until("4 gated pods held back", CONVERGE, String::new, || async {
        let pods = pod_states(&client, &ns.0).await?;
        let held = pods
            .iter()
            .filter(|p| p.containers_ready && !p.ready)
            .count();
        if held == 4 && pods.len() == 4 {
            Ok(())
        } else {
            Err(format!("{pods:?}"))
        }
    })
    .await;
    assert!(ready_endpoints(&client, &ns.0, "web", 8080)
        .await
        .unwrap()
        .is_empty());

    let tgsync = Tgsync::start(&ns.0);
    ns.apply(&binding("web", &arn, "ip"));
    expect_gates_open(&client, &ns.0, &arn, 4, &tgsync).await;

    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=7"],
        None,
    );
    expect_gates_open(&client, &ns.0, &arn, 7, &tgsync).await;
}

/// Waits until `n` pods have the gate True and are Ready, and the target group holds exactly their endpoints.
pub async fn expect_gates_open(
    client: &kube::Client,
    ns: &str,
    arn: &str,
    n: usize,
    tgsync: &Tgsync,
) {
    poll_until(
        &format!("{n} pods gated open and registered"),
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let pods = pod_states(client, ns).await?;
            let open = pods.iter().filter(|p| p.gate && p.ready).count();
            let want = ready_endpoints(client, ns, "web", 8080).await?;
            let have = targets(arn).await?;
            if pods.len() == n && open == n && want.len() == n && want == have {
                Ok(())
            } else {
                Err(format!(
                    "pods {pods:?}; endpoints {want:?}; target group {have:?}"
                ))
            }
        },
    )
    .await
}

#[derive(Debug)]
struct PodState {
    containers_ready: bool,
    ready: bool,
    gate: bool,
}

async fn pod_states(client: &kube::Client, ns: &str) -> Result<Vec<PodState>, String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let list = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .map_err(|e| format!("list pods: {e}"))?;
    Ok(list
        .items
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .map(|p| {
            let is_true = |kind: &str| {
                p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == kind && c.status == "True"))
            };
            PodState {
                containers_ready: is_true("ContainersReady"),
                ready: is_true("Ready"),
                gate: is_true(GATE),
            }
        })
        .collect())
}

/// The bed's `web` Deployment with the readiness gate of binding `web`.
pub fn gated_web(replicas: u32) -> String {
    web(replicas, "ClusterIP").replace(
        "      containers:",
        &format!("      readinessGates: [{{conditionType: {GATE}}}]\n      containers:"),
    )
}
