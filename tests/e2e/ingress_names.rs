//! Names where AWS wants ids, end to end: an Ingress naming its subnets by `Name` tag and forwarding a path
//! to a user's target group by `targetGroupName` gets an ALB in those subnets whose rule forwards to that
//! group; an Ingress naming a subnet the VPC lacks gets a Warning naming it and no resource. The user's
//! target group outlives the Ingress.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use tgsync_actors::stack::{Action, StackId, StackKind, TgRef};

use crate::support::*;

/// Ingress `name` (its own group) in `subnets`, forwarding /legacy with `actions.legacy` to target group
/// `tg_name` and / to Service web.
fn ingress(name: &str, subnets: &str, tg_name: &str) -> String {
    format!(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations:
    kubernetes.io/ingress.class: alb
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/subnets: {subnets}
    alb.ingress.kubernetes.io/actions.legacy: '{{"type":"forward","targetGroupName":"{tg_name}"}}'
spec:
  rules:
  - http:
      paths:
      - path: /legacy
        pathType: Prefix
        backend: {{service: {{name: legacy, port: {{name: use-annotation}}}}}}
      - path: /
        pathType: Prefix
        backend: {{service: {{name: web, port: {{number: 80}}}}}}
"#
    )
}

/// The `Name` tags of the internal subnets the bed seeded, sorted by subnet id.
async fn internal_subnet_names() -> Vec<String> {
    let ids = internal_subnets();
    let out = ec2()
        .await
        .describe_subnets()
        .set_subnet_ids(Some(ids.clone()))
        .send()
        .await
        .expect("DescribeSubnets");
    ids.iter()
        .map(|id| {
            let s = out
                .subnets()
                .iter()
                .find(|s| s.subnet_id() == Some(id))
                .expect("the seeded subnet");
            s.tags()
                .iter()
                .find(|t| t.key() == Some("Name"))
                .and_then(|t| t.value())
                .expect("the seed names internal subnets")
                .to_owned()
        })
        .collect()
}

#[actix_rt::test]
async fn subnets_by_name_and_a_target_group_by_name_resolve_and_an_unknown_name_is_refused() {
    let ns = TestNamespace::create("names");
    let tg_name = unique("e2e-legacy");
    let legacy = create_target_group(&tg_name, TargetTypeEnum::Ip).await;
    let names = internal_subnet_names().await.join(",");
    ns.apply(&web(2, "ClusterIP"));
    ns.apply(&ingress("named", &names, &tg_name));
    ns.apply(&ingress("unknown", "no-such-subnet", &tg_name));
    let tgsync = Tgsync::start(&ns.0);
    let reader = stack_reader().await;

    let stack = StackId {
        kind: StackKind::Ingress,
        id: format!("{}/named", ns.0),
    };
    let deployed = poll_until(
        "an ALB in the named subnets forwarding /legacy to the user's target group",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            if d.listeners.get(&80).is_some_and(|l| l.rules.len() == 2) {
                Ok(d)
            } else {
                Err(format!("listeners {:?}", d.listeners.keys()))
            }
        },
    )
    .await;
    let lb = deployed.load_balancer.as_ref().expect("the ALB");
    let mut subnets = lb.spec.subnets.clone();
    subnets.sort();
    assert_eq!(
        subnets,
        internal_subnets(),
        "the subnets the names stand for"
    );
    let forwards = |rule: &tgsync_actors::stack::LiveRule| -> Vec<TgRef> {
        rule.spec
            .actions
            .iter()
            .flat_map(|a| match a {
                Action::Forward { groups, .. } => groups.iter().map(|g| g.tg.clone()).collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    let rules = &deployed.listeners[&80].rules;
    assert_eq!(
        forwards(&rules[0]),
        [TgRef::Arn(legacy.clone())],
        "/legacy forwards to the named group: {rules:#?}"
    );
    assert_eq!(deployed.target_groups.len(), 1, "only web's group is ours");

    poll_until(
        "the Ingress naming an unknown subnet is held back with a Warning naming it",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let ev = events_of(&ns.0, "unknown");
            if ev.contains("FailedBuildModel") && ev.contains("no-such-subnet") {
                Ok(())
            } else {
                Err(format!("events of unknown: {ev:?}"))
            }
        },
    )
    .await;
    let refused = StackId {
        kind: StackKind::Ingress,
        id: format!("{}/unknown", ns.0),
    };
    let d = reader.read(&refused).await.expect("reads");
    assert!(
        d.load_balancer.is_none() && d.target_groups.is_empty(),
        "resources for the refused Ingress: {d:?}"
    );

    for name in ["named", "unknown"] {
        kubectl(
            &["delete", "ingress", name, "-n", &ns.0, "--wait=false"],
            None,
        );
    }
    until_stack_gone(&reader, &stack, CONVERGE, || tgsync.log_tail()).await;
    let still = elb()
        .await
        .describe_target_groups()
        .target_group_arns(&legacy)
        .send()
        .await
        .expect("the user's target group is still there");
    assert_eq!(still.target_groups().len(), 1);
}
