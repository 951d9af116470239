//! A kill between two calls of one plan: tgsync, its budget squeezed so an Ingress group's first plan takes
//! tens of seconds, is killed (SIGKILL) once the plan has created some of the stack and not yet the ALB.
//! Started again, it finds what was made by its tags and finishes the stack: one ALB, one target group per
//! backend, one security group, nothing made twice.

use tgsync_actors::stack::{StackId, StackKind};

use crate::support::*;

/// Two Ingresses of group `group`, each routing its host to Service web.
fn members(group: &str) -> String {
    ["first", "second"]
        .iter()
        .enumerate()
        .map(|(order, name)| {
            format!(
                r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations:
    kubernetes.io/ingress.class: alb
    alb.ingress.kubernetes.io/group.name: {group}
    alb.ingress.kubernetes.io/group.order: "{order}"
    alb.ingress.kubernetes.io/target-type: ip
spec:
  rules:
  - host: {name}.example.com
    http:
      paths:
      - path: /{name}
        pathType: Prefix
        backend: {{service: {{name: web, port: {{number: 80}}}}}}
---
"#
            )
        })
        .collect()
}

#[actix_rt::test]
async fn killed_between_two_calls_of_a_plan_it_finishes_the_stack_without_duplicates() {
    let ns = TestNamespace::create("cut");
    let group = unique("cutgrp");
    ns.apply(&web(2, "ClusterIP"));
    ns.apply(&members(&group));
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Ingress,
        id: group.clone(),
    };

    kill_mid_plan(&ns.0, &reader, &stack).await;
    let (lbs, tgs) = tagged("ingress.k8s.aws/stack", &group).await;
    assert!(
        lbs == 0 && tgs >= 1,
        "cut mid-plan: {lbs} ALBs, {tgs} target groups"
    );

    let tgsync = Tgsync::start(&ns.0);
    let done = poll_until(
        "the stack finished after the restart",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            let rules = d.listeners.get(&80).map_or(0, |l| l.rules.len());
            if d.load_balancer.is_some() && rules == 2 {
                Ok(d)
            } else {
                Err(format!("{rules} rules"))
            }
        },
    )
    .await;
    assert_eq!(done.target_groups.len(), 2, "one target group per member");
    assert!(done.security_group.is_some(), "the managed security group");
    assert_eq!(
        tagged("ingress.k8s.aws/stack", &group).await,
        (1, 2),
        "nothing was made twice (ALBs, target groups)"
    );

    for name in ["first", "second"] {
        kubectl(
            &["delete", "ingress", name, "-n", &ns.0, "--wait=false"],
            None,
        );
    }
    poll_until(
        "the stack goes with its members",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            match tagged("ingress.k8s.aws/stack", &group).await {
                (0, 0) => Ok(()),
                left => Err(format!("left {left:?}")),
            }
        },
    )
    .await;
}
