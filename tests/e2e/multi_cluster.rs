//! A multi-cluster target group: tgsync touches only the targets its binding registered, remembers them in
//! the binding's ConfigMap across restarts, and leaves every other cluster's targets alone.

use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetTypeEnum};

use crate::support::*;

/// Another cluster's target: an address no pod of the bed has.
const FOREIGN: &str = "192.0.2.10";

#[tokio::test]
async fn only_the_bindings_own_targets_are_touched() {
    let ns = TestNamespace::create("tg-multi");
    let client = kube_client().await;
    let arn = create_target_group(&unique("multi"), TargetTypeEnum::Ip).await;
    elb()
        .await
        .register_targets()
        .target_group_arn(&arn)
        .targets(
            TargetDescription::builder()
                .id(FOREIGN)
                .port(8080)
                .availability_zone("all")
                .build(),
        )
        .send()
        .await
        .expect("RegisterTargets (foreign)");
    let foreign = format!("{FOREIGN}:8080");

    let first = Tgsync::start(&ns.0);
    ns.apply(&web(6, "ClusterIP"));
    ns.apply(&multi_binding(&arn));
    let ours = expect_ours(&client, &ns.0, &arn, 6, &foreign, &first).await;
    poll_until(
        "the ConfigMap lists our targets",
        CONVERGE,
        || first.log_tail(),
        || async {
            let recorded = recorded(&ns.0);
            if recorded == ours {
                Ok(())
            } else {
                Err(format!("recorded {recorded:?}, ours {ours:?}"))
            }
        },
    )
    .await;

    // Down while pods go: on restart the recorded targets that are gone are deregistered, the foreign one
    // (which the first run never adopted) stays.
    first.kill();
    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=2"],
        None,
    );
    poll_until("2 ready endpoints", CONVERGE, String::new, || async {
        let n = ready_endpoints(&client, &ns.0, "web", 8080).await?.len();
        if n == 2 {
            Ok(())
        } else {
            Err(format!("{n} ready"))
        }
    })
    .await;
    let second = Tgsync::start(&ns.0);
    expect_ours(&client, &ns.0, &arn, 2, &foreign, &second).await;

    // Deleting the binding deregisters exactly ours.
    delete_binding(&ns.0, "web");
    poll_until(
        "only the foreign target is left",
        CONVERGE,
        || second.log_tail(),
        || async {
            let have = targets(&arn).await?;
            if have.len() == 1 && have.contains(&foreign) {
                Ok(())
            } else {
                Err(format!("target group {have:?}"))
            }
        },
    )
    .await;
}

/// Waits until the target group holds the ready endpoints plus the foreign target; returns ours.
async fn expect_ours(
    client: &kube::Client,
    ns: &str,
    arn: &str,
    n: usize,
    foreign: &str,
    tgsync: &Tgsync,
) -> std::collections::BTreeSet<String> {
    poll_until(
        &format!("{n} of ours + the foreign target"),
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let want = ready_endpoints(client, ns, "web", 8080).await?;
            let mut have = targets(arn).await?;
            let had_foreign = have.remove(foreign);
            if want.len() == n && want == have && had_foreign {
                Ok(())
            } else {
                Err(format!(
                    "endpoints {want:?}, target group {have:?} (foreign there: {had_foreign})"
                ))
            }
        },
    )
    .await;
    ready_endpoints(client, ns, "web", 8080)
        .await
        .expect("endpoints")
}

/// The targets in the binding's ConfigMap.
fn recorded(ns: &str) -> std::collections::BTreeSet<String> {
    let path = format!("jsonpath={{.data.{}}}", tgsync::controller::OWNED_KEY);
    let name = tgsync::controller::owned_configmap_name("web");
    kubectl(
        &[
            "get",
            "configmap",
            "-n",
            ns,
            &name,
            "-o",
            &path,
            "--ignore-not-found",
        ],
        None,
    )
    .lines()
    .map(str::to_owned)
    .filter(|l| !l.is_empty())
    .collect()
}

pub fn multi_binding(arn: &str) -> String {
    format!(
        r#"
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata:
  name: web
spec:
  targetGroupARN: {arn}
  targetType: ip
  multiClusterTargetGroup: true
  serviceRef: {{name: web, port: 80}}
"#
    )
}
