//! ip mode: pods' IPs and container ports follow the Deployment; deleting the binding empties the target group.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;

use crate::support::*;

#[tokio::test]
async fn ip_binding_follows_scaling_and_deletion_empties_the_target_group() {
    let ns = TestNamespace::create("tg-ip");
    let client = kube_client().await;
    let arn = create_target_group(&unique("ip"), TargetTypeEnum::Ip).await;
    let tgsync = Tgsync::start(&ns.0);
    ns.apply(&web(20, "ClusterIP"));
    ns.apply(&binding("web", &arn, "ip"));
    expect_synced(&client, &ns.0, &arn, 20, &tgsync).await;

    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=50"],
        None,
    );
    expect_synced(&client, &ns.0, &arn, 50, &tgsync).await;
    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=5"],
        None,
    );
    poll_until(
        "5 ready endpoints",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let n = ready_endpoints(&client, &ns.0, "web", 8080).await?.len();
            if n == 5 {
                Ok(())
            } else {
                Err(format!("{n} ready"))
            }
        },
    )
    .await;
    expect_synced(&client, &ns.0, &arn, 5, &tgsync).await;

    // A rolling update: every pod replaced, nothing stale left.
    kubectl(
        &["set", "image", "-n", &ns.0, "deployment/web", "web=web:2"],
        None,
    );
    kubectl(
        &[
            "rollout",
            "status",
            "-n",
            &ns.0,
            "deployment/web",
            "--timeout=90s",
        ],
        None,
    );
    expect_synced(&client, &ns.0, &arn, 5, &tgsync).await;

    delete_binding(&ns.0, "web");
    let left = targets(&arn).await.expect("describe");
    assert!(
        left.is_empty(),
        "deleting the binding left {left:?}\n{}",
        tgsync.log_tail()
    );
    let bindings = kubectl(
        &["get", "targetgroupbindings", "-n", &ns.0, "-o", "name"],
        None,
    );
    assert!(
        bindings.trim().is_empty(),
        "binding still there: {bindings}"
    );
}
