//! Ingress groups end to end: three kubectl-applied Ingresses in one group become one ALB in moto with
//! their rules in group order and target groups holding the pods' IPs; editing the middle member changes
//! only its rules; a conflicting fourth member is held back with an Event and the rest stays; a restart
//! adopts the stack instead of making a second; deleting the members one by one removes everything.

use std::collections::BTreeMap;

use tgsync::aws::stack::{BudgetPermits, StackReader};
use tgsync_actors::stack::{Condition, Deployed, StackId, StackKind};

use crate::support::*;

/// Ingress `name` of group `group` at `order`, routing host `name`.example.com's `paths` to Service web.
fn ingress(name: &str, group: &str, order: i32, paths: &[&str], extra: &str) -> String {
    let paths: String = paths
        .iter()
        .map(|p| {
            format!(
                "\n      - path: {p}\n        pathType: Prefix\n        backend: {{service: {{name: web, port: {{number: 80}}}}}}"
            )
        })
        .collect();
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
    alb.ingress.kubernetes.io/target-type: ip{extra}
spec:
  rules:
  - host: {name}.example.com
    http:
      paths:{paths}
"#
    )
}

/// The listener's rules as (host, paths) → ARN, in priority order.
fn rules(d: &Deployed) -> Vec<(String, String, String)> {
    let Some(listener) = d.listeners.get(&80) else {
        return Vec::new();
    };
    listener
        .rules
        .iter()
        .map(|r| {
            let mut host = String::new();
            let mut paths = String::new();
            for c in &r.spec.conditions {
                match c {
                    Condition::HostHeader(v) => host = v.join(","),
                    Condition::PathPattern(v) => paths = v.join(","),
                    _ => {}
                }
            }
            (host, paths, r.arn.clone())
        })
        .collect()
}

fn shape(rules: &[(String, String, String)]) -> Vec<(String, String)> {
    rules
        .iter()
        .map(|(h, p, _)| (h.clone(), p.clone()))
        .collect()
}

fn expected(members: &[(&str, &[&str])]) -> Vec<(String, String)> {
    members
        .iter()
        .flat_map(|(m, paths)| {
            paths
                .iter()
                .map(move |p| (format!("{m}.example.com"), format!("{p},{p}/*")))
        })
        .collect()
}

async fn converge(
    what: &str,
    reader: &StackReader<BudgetPermits>,
    stack: &StackId,
    want: &[(String, String)],
    tgsync: &Tgsync,
) -> Deployed {
    poll_until(
        what,
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(stack).await.map_err(|e| e.to_string())?;
            let got = shape(&rules(&d));
            if got == want {
                Ok(d)
            } else {
                Err(format!("rules {got:?}"))
            }
        },
    )
    .await
}

#[actix_rt::test]
async fn three_ingresses_share_one_alb_edit_conflict_restart_and_delete() {
    let ns = TestNamespace::create("ing");
    let client = kube_client().await;
    let group = unique("grp");
    let stack = StackId {
        kind: StackKind::Ingress,
        id: group.clone(),
    };
    let reader = stack_reader().await;
    ns.apply(&web(10, "ClusterIP"));
    // a says the scheme the others leave unsaid: a member asking for another conflicts with it.
    let internal = "\n    alb.ingress.kubernetes.io/scheme: internal";
    ns.apply(&ingress("a", &group, 1, &["/a1", "/a2"], internal));
    ns.apply(&ingress("b", &group, 2, &["/b1"], ""));
    ns.apply(&ingress("c", &group, 3, &["/c1"], ""));
    let mut tgsync = Tgsync::start(&ns.0);

    let want = expected(&[("a", &["/a1", "/a2"]), ("b", &["/b1"]), ("c", &["/c1"])]);
    let first = converge(
        "one ALB with the group's rules in order",
        &reader,
        &stack,
        &want,
        &tgsync,
    )
    .await;
    let lb = first.load_balancer.as_ref().expect("the ALB exists");
    assert_eq!(
        first.target_groups.len(),
        3,
        "one target group per member's backend"
    );
    for tg in first.target_groups.values() {
        poll_until(
            "target group holds the pods",
            CONVERGE,
            || tgsync.log_tail(),
            || async {
                let want = ready_endpoints(&client, &ns.0, "web", 8080).await?;
                let got = targets(&tg.arn).await?;
                if got == want && got.len() == 10 {
                    Ok(())
                } else {
                    Err(format!(
                        "{} targets, {} ready endpoints",
                        got.len(),
                        want.len()
                    ))
                }
            },
        )
        .await;
    }
    let host = kubectl(
        &[
            "get",
            "ingress",
            "b",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.status.loadBalancer.ingress[0].hostname}",
        ],
        None,
    );
    assert_eq!(
        host,
        lb.dns_name.to_lowercase(),
        "kubectl get ingress shows the ALB"
    );
    let before = rules(&first);

    // The middle member changes its paths: only its rules change; a's and c's keep their ARNs.
    ns.apply(&ingress("b", &group, 2, &["/b1", "/b9"], ""));
    let want = expected(&[
        ("a", &["/a1", "/a2"]),
        ("b", &["/b1", "/b9"]),
        ("c", &["/c1"]),
    ]);
    let second = converge("b's rules changed", &reader, &stack, &want, &tgsync).await;
    let after = rules(&second);
    let arns = |r: &[(String, String, String)], host: &str| -> Vec<String> {
        r.iter()
            .filter(|(h, _, _)| h == host)
            .map(|(_, _, a)| a.clone())
            .collect()
    };
    assert_eq!(
        arns(&after, "a.example.com"),
        arns(&before, "a.example.com")
    );
    assert_eq!(
        arns(&after, "c.example.com"),
        arns(&before, "c.example.com")
    );
    assert_eq!(
        arns(&after, "b.example.com")[0],
        arns(&before, "b.example.com")[0]
    );

    // A fourth member that wants another scheme than a's is held back, with an Event; the rest stays.
    ns.apply(&ingress(
        "d",
        &group,
        4,
        &["/d1"],
        "\n    alb.ingress.kubernetes.io/scheme: internet-facing",
    ));
    poll_until(
        "d held back with an Event",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let ev = events_of(&ns.0, "d");
            if ev.contains("FailedBuildModel") && ev.contains("scheme") && ev.contains("/a") {
                Ok(())
            } else {
                Err(format!("events of d: {ev:?}"))
            }
        },
    )
    .await;
    let held = reader.read(&stack).await.expect("reads");
    assert_eq!(
        rules(&held),
        after,
        "the held-back member changed the group"
    );

    // A restart adopts the stack: no second ALB, no second target group.
    tgsync.kill();
    tgsync = Tgsync::start(&ns.0);
    ns.apply(&ingress("c", &group, 3, &["/c1", "/c2"], ""));
    let want = expected(&[
        ("a", &["/a1", "/a2"]),
        ("b", &["/b1", "/b9"]),
        ("c", &["/c1", "/c2"]),
    ]);
    let third = converge(
        "c's new path after a restart",
        &reader,
        &stack,
        &want,
        &tgsync,
    )
    .await;
    assert_eq!(
        third.load_balancer.as_ref().map(|l| l.arn.clone()),
        Some(lb.arn.clone()),
        "the restart made another ALB"
    );
    let tgs: BTreeMap<_, _> = third
        .target_groups
        .iter()
        .map(|(k, v)| (k.clone(), v.arn.clone()))
        .collect();
    let tgs_before: BTreeMap<_, _> = first
        .target_groups
        .iter()
        .map(|(k, v)| (k.clone(), v.arn.clone()))
        .collect();
    assert_eq!(tgs, tgs_before, "target groups were made again");
    let all = elb()
        .await
        .describe_load_balancers()
        .send()
        .await
        .expect("describe");
    let named = all
        .load_balancers()
        .iter()
        .filter(|l| l.load_balancer_name() == Some(lb.spec.name.as_str()))
        .count();
    assert_eq!(named, 1, "two ALBs of the stack's name");

    // Members deleted one by one; the last one takes the stack with it.
    for (member, left) in [
        (
            "d",
            expected(&[
                ("a", &["/a1", "/a2"]),
                ("b", &["/b1", "/b9"]),
                ("c", &["/c1", "/c2"]),
            ]),
        ),
        (
            "c",
            expected(&[("a", &["/a1", "/a2"]), ("b", &["/b1", "/b9"])]),
        ),
        ("b", expected(&[("a", &["/a1", "/a2"])])),
    ] {
        kubectl(
            &["delete", "ingress", member, "-n", &ns.0, "--wait=false"],
            None,
        );
        converge(
            &format!("{member} deleted"),
            &reader,
            &stack,
            &left,
            &tgsync,
        )
        .await;
    }
    kubectl(
        &["delete", "ingress", "a", "-n", &ns.0, "--wait=false"],
        None,
    );
    poll_until(
        "the stack is gone",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            if d == Deployed::default() {
                Ok(())
            } else {
                Err(format!(
                    "left: lb {:?}, {} target groups, sg {:?}",
                    d.load_balancer.map(|l| l.arn),
                    d.target_groups.len(),
                    d.security_group.map(|s| s.id)
                ))
            }
        },
    )
    .await;
    poll_until(
        "Ingresses and bindings gone",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let left = kubectl(
                &[
                    "get",
                    "ingress,targetgroupbindings",
                    "-n",
                    &ns.0,
                    "-o",
                    "name",
                ],
                None,
            );
            if left.trim().is_empty() {
                Ok(())
            } else {
                Err(left)
            }
        },
    )
    .await;
}
