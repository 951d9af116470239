//! Bad bindings get a failed condition and an Event; other bindings keep working.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};

use crate::support::*;

async fn ready_condition(
    client: &kube::Client,
    ns: &str,
    name: &str,
) -> Result<(String, String), String> {
    let api: Api<tgsync::crd::TargetGroupBinding> = Api::namespaced(client.clone(), ns);
    let b = api.get(name).await.map_err(|e| e.to_string())?;
    let c = b
        .status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .ok_or("no Ready condition yet")?;
    Ok((c.status, c.reason))
}

async fn warning_event(
    client: &kube::Client,
    ns: &str,
    name: &str,
    reason: &str,
) -> Result<(), String> {
    let api: Api<Event> = Api::namespaced(client.clone(), ns);
    let events = api
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?;
    let seen: Vec<String> = events
        .items
        .iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .map(|e| e.reason.clone().unwrap_or_default())
        .collect();
    if seen.iter().any(|r| r == reason) {
        Ok(())
    } else {
        Err(format!("events for {name}: {seen:?}"))
    }
}

#[tokio::test]
async fn bad_bindings_get_a_failed_condition_and_an_event_and_others_keep_working() {
    let ns = TestNamespace::create("tg-bad");
    let client = kube_client().await;
    let arn = create_target_group(&unique("good"), TargetTypeEnum::Ip).await;
    let missing = arn.replace("targetgroup/", "targetgroup/missing-");
    let tgsync = Tgsync::start(&ns.0);
    ns.apply(&web(3, "ClusterIP"));
    ns.apply(&binding("missing", &missing, "ip"));
    ns.apply(
        r#"
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata: {name: no-target-group}
spec:
  targetType: ip
  serviceRef: {name: web, port: 80}
"#,
    );
    ns.apply(&binding("good", &arn, "ip"));

    for (name, reason) in [
        ("missing", "TargetGroupNotFound"),
        ("no-target-group", "NoTargetGroup"),
    ] {
        poll_until(
            &format!("{name}: Ready=False {reason}"),
            CONVERGE,
            || tgsync.log_tail(),
            || async {
                match ready_condition(&client, &ns.0, name).await? {
                    (s, r) if s == "False" && r == reason => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
        )
        .await;
        poll_until(
            &format!("{name}: Warning event {reason}"),
            CONVERGE,
            || tgsync.log_tail(),
            || warning_event(&client, &ns.0, name, reason),
        )
        .await;
    }
    expect_synced(&client, &ns.0, &arn, 3, &tgsync).await;
    // A binding that never ran is released at once when deleted.
    delete_binding(&ns.0, "missing");
}
