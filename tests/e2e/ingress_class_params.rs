//! IngressClassParams end to end: two Ingresses of a class whose params name the group, the scheme and a tag
//! share one internet-facing ALB carrying the tag, whatever their own annotations say; an Ingress of a class
//! whose params' namespaceSelector leaves its namespace out gets a Warning and no AWS resource.

use tgsync_actors::stack::{Scheme, StackId, StackKind};

use crate::support::*;

/// IngressClass `name` of tgsync's controller whose params are `params` with `spec` (YAML, indented 2).
fn class_with_params(name: &str, spec: &str) -> String {
    format!(
        r#"
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata:
  name: {name}
spec:
{spec}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {name}
spec:
  controller: ingress.k8s.aws/alb
  parameters:
    apiGroup: elbv2.k8s.aws
    kind: IngressClassParams
    name: {name}
"#
    )
}

/// Ingress `name` of `class` routing host `name`.example.com to Service web, with `annotations` (YAML lines).
fn ingress(name: &str, class: &str, annotations: &str) -> String {
    format!(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations:
    alb.ingress.kubernetes.io/target-type: ip{annotations}
spec:
  ingressClassName: {class}
  rules:
  - host: {name}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {{service: {{name: web, port: {{number: 80}}}}}}
"#
    )
}

#[actix_rt::test]
async fn params_set_group_scheme_and_tags_and_their_namespace_selector_refuses() {
    let ns = TestNamespace::create("icp");
    let group = unique("icpgrp");
    let shared = unique("icp-shared");
    let fenced = unique("icp-fenced");
    let tag = unique("t");
    let reader = stack_reader().await;
    ns.apply(&class_with_params(
        &shared,
        &format!(
            "  group:\n    name: {group}\n  scheme: internet-facing\n  tags:\n  - key: tgsync-e2e\n    value: {tag}"
        ),
    ));
    ns.apply(&class_with_params(
        &fenced,
        "  namespaceSelector:\n    matchLabels:\n      tgsync-e2e/never: \"true\"",
    ));
    ns.apply(&web(2, "ClusterIP"));
    // Their own group and scheme annotations lose to the params.
    ns.apply(&ingress(
        "one",
        &shared,
        "\n    alb.ingress.kubernetes.io/scheme: internal",
    ));
    ns.apply(&ingress(
        "two",
        &shared,
        "\n    alb.ingress.kubernetes.io/group.name: elsewhere",
    ));
    ns.apply(&ingress("three", &fenced, ""));
    let tgsync = Tgsync::start(&ns.0);

    let stack = StackId {
        kind: StackKind::Ingress,
        id: group.clone(),
    };
    let deployed = poll_until(
        "one ALB for both Ingresses of the class",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            let hosts = d
                .listeners
                .get(&80)
                .map(|l| format!("{:?}", l.rules))
                .unwrap_or_default();
            if hosts.contains("one.example.com") && hosts.contains("two.example.com") {
                Ok(d)
            } else {
                Err(format!("listeners {:?}", d.listeners.keys()))
            }
        },
    )
    .await;
    let lb = deployed.load_balancer.expect("the ALB");
    assert_eq!(lb.spec.scheme, Scheme::InternetFacing);
    assert_eq!(
        lb.spec.tags.get("tgsync-e2e"),
        Some(&tag),
        "the params' tag: {:?}",
        lb.spec.tags
    );
    assert_eq!(deployed.target_groups.len(), 2);
    let finalizers = kubectl(
        &[
            "get",
            "ingress",
            "two",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.metadata.finalizers}",
        ],
        None,
    );
    assert!(
        finalizers.contains(&format!("group.ingress.k8s.aws/{group}")),
        "two's finalizer names the params' group: {finalizers}"
    );

    poll_until(
        "the fenced-off Ingress gets a Warning naming its params",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let ev = events_of(&ns.0, "three");
            if ev.contains("FailedLoadGroupID") && ev.contains(&fenced) {
                Ok(())
            } else {
                Err(format!("events of three: {ev:?}"))
            }
        },
    )
    .await;
    let alone = StackId {
        kind: StackKind::Ingress,
        id: format!("{}/three", ns.0),
    };
    let d = reader.read(&alone).await.expect("reads");
    assert!(
        d.load_balancer.is_none() && d.target_groups.is_empty(),
        "resources for the refused Ingress: {d:?}"
    );
    let finalizers = kubectl(
        &[
            "get",
            "ingress",
            "three",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.metadata.finalizers}",
        ],
        None,
    );
    assert!(finalizers.is_empty(), "three got a finalizer: {finalizers}");

    for name in ["one", "two", "three"] {
        kubectl(
            &["delete", "ingress", name, "-n", &ns.0, "--wait=false"],
            None,
        );
    }
    until_stack_gone(&reader, &stack, CONVERGE, || tgsync.log_tail()).await;
    for name in [&shared, &fenced] {
        kubectl(&["delete", "ingressclass", name, "--wait=false"], None);
        kubectl(
            &["delete", "ingressclassparams", name, "--wait=false"],
            None,
        );
    }
}
