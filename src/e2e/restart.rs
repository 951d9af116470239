//! Killing tgsync mid-churn and starting it again converges: what it registered is adopted, stale targets go.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;

use crate::bed::*;

#[tokio::test]
async fn killed_mid_churn_and_restarted_converges() {
    let ns = TestNamespace::create("tg-restart");
    let client = kube_client().await;
    let arn = create_target_group(&unique("restart"), TargetTypeEnum::Ip).await;
    let first = Tgsync::start(&ns.0);
    ns.apply(&web(20, "ClusterIP"));
    ns.apply(&binding("web", &arn, "ip"));
    expect_synced(&client, &ns.0, &arn, 20, &first).await;

    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=40"],
        None,
    );
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    first.kill();
    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=8"],
        None,
    );
    poll_until("8 ready endpoints", CONVERGE, String::new, || async {
        let n = ready_endpoints(&client, &ns.0, "web", 8080).await?.len();
        if n == 8 {
            Ok(())
        } else {
            Err(format!("{n} ready"))
        }
    })
    .await;

    let second = Tgsync::start(&ns.0);
    expect_synced(&client, &ns.0, &arn, 8, &second).await;
}
