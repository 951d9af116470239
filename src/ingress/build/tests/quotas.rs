//! AWS quotas checked before any call: the member that would push the group over is held back with the
//! quota and by how much; the members before it are built.

use serde_json::{json, Value};

use super::super::{HoldReason, Quota};
use super::fixtures::*;

fn exact_paths(n: usize, prefix: &str, service: impl Fn(usize) -> String) -> Value {
    let paths: Vec<Value> = (0..n)
        .map(|i| {
            path(
                &format!("/{prefix}{i}"),
                "Exact",
                &service(i),
                json!({"number": 80}),
            )
        })
        .collect();
    json!({"rules": [{"http": {"paths": paths}}]})
}

fn quota(b: &super::super::GroupBuild) -> Vec<(String, Quota, usize, usize)> {
    b.held_back()
        .filter_map(|(k, r)| match r {
            HoldReason::Quota {
                quota,
                limit,
                would_be,
            } => Some((k.to_string(), *quota, *limit, *would_be)),
            _ => None,
        })
        .collect()
}

#[test]
fn rules_per_load_balancer() {
    let c = Cluster::with([
        service("a", "web"),
        service("b", "web"),
        service("c", "web"),
    ]);
    let a = ingress(
        "a",
        "one",
        json!({"group.name": "shop"}),
        exact_paths(60, "a", |_| "web".into()),
    );
    let b = ingress(
        "b",
        "two",
        json!({"group.name": "shop"}),
        exact_paths(41, "b", |_| "web".into()),
    );
    let small = ingress(
        "c",
        "three",
        json!({"group.name": "shop"}),
        exact_paths(40, "c", |_| "web".into()),
    );
    let build = c.build(&shop(), &[&a, &b, &small]);
    assert_eq!(
        quota(&build),
        [("b/two".into(), Quota::RulesPerLoadBalancer, 100, 101)]
    );
    assert_eq!(build.model.listeners[&80].rules.len(), 100);
    let message = build.held_back().next().unwrap().1.to_string();
    assert!(
        message.contains("rules per load balancer") && message.contains("by 1"),
        "{message}"
    );
}

#[test]
fn target_groups_per_load_balancer() {
    let c = Cluster::with(
        (0..120)
            .map(|i| service("a", &format!("s{i}")))
            .chain([service("b", "web")]),
    );
    let a = ingress(
        "a",
        "one",
        json!({"group.name": "shop"}),
        exact_paths(60, "a", |i| format!("s{i}")),
    );
    // 9 rules forwarding to 5 Services each: 45 more target groups.
    let mut annotations = json!({"group.name": "shop"});
    let mut paths = Vec::new();
    for r in 0..9 {
        let tgs: Vec<Value> = (0..5)
            .map(|k| json!({"serviceName": format!("s{}", 60 + r * 5 + k), "servicePort": 80, "weight": 1}))
            .collect();
        annotations[format!("actions.split{r}")] =
            json!(json!({"type": "forward", "forwardConfig": {"targetGroups": tgs}}).to_string());
        paths.push(path(
            &format!("/split{r}"),
            "Exact",
            &format!("split{r}"),
            json!({"name": "use-annotation"}),
        ));
    }
    let b = ingress(
        "a",
        "two",
        annotations,
        json!({"rules": [{"http": {"paths": paths}}]}),
    );
    let build = c.build(&shop(), &[&a, &b]);
    assert_eq!(
        quota(&build),
        [("a/two".into(), Quota::TargetGroupsPerLoadBalancer, 100, 105)]
    );
    assert_eq!(build.model.target_groups.len(), 60);
}

#[test]
fn condition_values_per_rule() {
    let c = Cluster::with([service("a", "web")]);
    let ok = ingress(
        "a",
        "one",
        json!({"group.name": "shop",
               "conditions.web": r#"[{"field":"source-ip","sourceIpConfig":{"values":["10.0.0.0/8","10.1.0.0/16"]}}]"#}),
        json!({"rules": host_rules(&[("a.example.com", &[("/x", "Prefix", "web")])])}),
    );
    assert!(c.build(&shop(), &[&ok]).held_back().next().is_none());
    let over = ingress(
        "a",
        "two",
        json!({"group.name": "shop",
               "conditions.web": r#"[{"field":"source-ip","sourceIpConfig":{"values":["10.0.0.0/8","10.1.0.0/16","10.2.0.0/16"]}}]"#}),
        json!({"rules": host_rules(&[("a.example.com", &[("/x", "Prefix", "web")])])}),
    );
    let build = c.build(&shop(), &[&ok, &over]);
    assert_eq!(
        quota(&build),
        [("a/two".into(), Quota::ConditionValuesPerRule, 5, 6)]
    );
}

#[test]
fn certificates_per_load_balancer() {
    let c = Cluster::with([service("a", "web")]);
    let certs = |from: usize, to: usize| {
        (from..to)
            .map(|i| format!("arn:c{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let a = ingress(
        "a",
        "one",
        json!({"group.name": "shop", "certificate-arn": certs(0, 20)}),
        json!({"rules": host_rules(&[("a", &[("/", "Prefix", "web")])])}),
    );
    let b = ingress(
        "a",
        "two",
        json!({"group.name": "shop", "certificate-arn": certs(15, 27)}),
        json!({"rules": host_rules(&[("b", &[("/", "Prefix", "web")])])}),
    );
    let build = c.build(&shop(), &[&a, &b]);
    // 27 certificates, one of them the default.
    assert_eq!(
        quota(&build),
        [("a/two".into(), Quota::CertificatesPerLoadBalancer, 25, 26)]
    );
    assert_eq!(build.model.listeners[&443].certificates.len(), 20);
}
