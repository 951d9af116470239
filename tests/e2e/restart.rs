//! Killing tgsync mid-churn and starting it again converges: what it registered is adopted, stale targets go.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;

use crate::support::*;

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

    // Settled: the checkpoint is written; a restart with nothing changed trusts it and asks ELB nothing.
    let want = hash_of(&targets(&arn).await.expect("describe"));
    poll_until(
        "checkpoint written",
        CONVERGE,
        || second.log_tail(),
        || async {
            let have = checkpoint(&ns.0);
            if have == want {
                Ok(())
            } else {
                Err(format!("annotation {have:?}, want {want:?}"))
            }
        },
    )
    .await;
    second.kill();
    let third = Tgsync::start(&ns.0);
    poll_until(
        "restart skips the describe",
        CONVERGE,
        || third.log_tail(),
        || async {
            let log = std::fs::read_to_string(&third.log).unwrap_or_default();
            if log.contains("checkpoint matches") {
                Ok(())
            } else {
                Err("not yet".into())
            }
        },
    )
    .await;
    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=3"],
        None,
    );
    expect_synced(&client, &ns.0, &arn, 3, &third).await;
    poll_until(
        "checkpoint rewritten",
        CONVERGE,
        || third.log_tail(),
        || async {
            let want = hash_of(&targets(&arn).await?);
            let have = checkpoint(&ns.0);
            if have == want {
                Ok(())
            } else {
                Err(format!("annotation {have:?}, want {want:?}"))
            }
        },
    )
    .await;
}

fn checkpoint(ns: &str) -> String {
    let path = format!(
        "jsonpath={{.metadata.annotations.{}}}",
        tgsync::controller::CHECKPOINT_ANNOTATION.replace('.', "\\.")
    );
    kubectl(
        &["get", "targetgroupbinding", "-n", ns, "web", "-o", &path],
        None,
    )
}

/// The checkpoint hash of `ip:port` strings as DescribeTargetHealth lists them.
fn hash_of(targets: &std::collections::BTreeSet<String>) -> String {
    let parsed: Vec<tgsync_actors::domain::Target> = targets
        .iter()
        .map(|t| {
            let (ip, port) = t.rsplit_once(':').expect("ip:port");
            tgsync_actors::domain::Target::ip(ip.parse().expect("ip"), port.parse().expect("port"))
        })
        .collect();
    tgsync::controller::hash_targets(&parsed)
}
