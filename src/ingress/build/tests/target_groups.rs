//! Target groups per (Ingress, Service, port): their port, settings, names, tags and bindings.

use serde_json::json;
use tgsync_actors::stack::{Protocol, TargetKind};

use super::super::{HoldReason, MemberError};
use super::fixtures::*;
use crate::ingress::GroupId;

fn one_path(
    ns: &str,
    name: &str,
    annotations: serde_json::Value,
    service: &str,
    port: serde_json::Value,
) -> k8s_openapi::api::networking::v1::Ingress {
    ingress(
        ns,
        name,
        annotations,
        json!({"rules": [{"http": {"paths": [path("/", "Prefix", service, port)]}}]}),
    )
}

#[test]
fn instance_targets_use_the_node_port_and_ip_targets_the_target_port() {
    let c = Cluster::with([
        service("a", "web"),
        service_with(
            "a",
            "named",
            json!({}),
            json!([{"port": 80, "targetPort": "http"}]),
        ),
    ]);
    let inst = one_path("a", "one", json!({}), "web", json!({"number": 80}));
    let g = GroupId::Implicit(key("a", "one"));
    let tg = &c.build(&g, &[&inst]).model.target_groups["a/one-web:80"];
    assert_eq!((tg.target_kind, tg.port), (TargetKind::Instance, 30080));
    let ip = one_path(
        "a",
        "one",
        json!({"target-type": "ip"}),
        "web",
        json!({"number": 80}),
    );
    let tg = &c.build(&g, &[&ip]).model.target_groups["a/one-web:80"];
    assert_eq!((tg.target_kind, tg.port), (TargetKind::Ip, 8080));
    let named = one_path(
        "a",
        "one",
        json!({"target-type": "ip"}),
        "named",
        json!({"number": 80}),
    );
    assert_eq!(
        c.build(&g, &[&named]).model.target_groups["a/one-named:80"].port,
        1
    );
    // Instance targets on a Service without a nodePort.
    let no_node = one_path("a", "one", json!({}), "named", json!({"number": 80}));
    let b = c.build(&g, &[&no_node]);
    assert!(matches!(
        b.held_back().next(),
        Some((_, HoldReason::Invalid(MemberError::NoNodePort { .. })))
    ));
}

#[test]
fn settings_come_from_the_service_over_the_ingress() {
    let c = Cluster::with([service_with(
        "a",
        "web",
        json!({format!("{P}backend-protocol"): "HTTPS", format!("{P}healthcheck-path"): "/svc", format!("{P}tags"): "team=svc"}),
        json!([{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080}]),
    )]);
    let ing = one_path(
        "a",
        "one",
        json!({"group.name": "shop", "backend-protocol": "HTTP", "healthcheck-path": "/ing",
               "healthcheck-interval-seconds": "30", "tags": "team=ing,env=prod", "target-group-attributes": "a=1"}),
        "web",
        json!({"name": "http"}),
    );
    let b = c.build(&shop(), &[&ing]);
    let tg = &b.model.target_groups["a/one-web:http"];
    assert_eq!(tg.protocol, Protocol::Https);
    assert_eq!(tg.protocol_version.as_deref(), Some("HTTP1"));
    assert_eq!(tg.health_check.path.as_deref(), Some("/svc"));
    assert_eq!(tg.health_check.interval_seconds, 30);
    assert_eq!(tg.health_check.protocol, Protocol::Https);
    assert_eq!(tg.attributes["a"], "1");
    assert_eq!(tg.tags["team"], "svc");
    assert_eq!(tg.tags["env"], "prod");
    assert_eq!(tg.tags["ingress.k8s.aws/resource"], "a/one-web:http");
    assert_eq!(tg.tags["ingress.k8s.aws/stack"], "shop");
}

#[test]
fn names_are_stable_short_and_change_with_what_identifies_the_group() {
    let c = Cluster::with([service("a-very-long-namespace", "a-very-long-service-name")]);
    let ing = one_path(
        "a-very-long-namespace",
        "an-ingress-with-a-long-name",
        json!({}),
        "a-very-long-service-name",
        json!({"number": 80}),
    );
    let g = GroupId::Implicit(key("a-very-long-namespace", "an-ingress-with-a-long-name"));
    let m1 = c.build(&g, &[&ing]).model;
    let m2 = c.build(&g, &[&ing]).model;
    let (lb, tg) = (
        &m1.load_balancer.as_ref().unwrap().name,
        &m1.target_groups.values().next().unwrap().name,
    );
    assert!(lb.len() <= 32 && tg.len() <= 32, "{lb} {tg}");
    assert!(lb.starts_with("k8s-averylon-aningres-"), "{lb}");
    assert!(tg.starts_with("k8s-averylon-averylon-"), "{tg}");
    assert_eq!(m1, m2);
    let ip = one_path(
        "a-very-long-namespace",
        "an-ingress-with-a-long-name",
        json!({"target-type": "ip"}),
        "a-very-long-service-name",
        json!({"number": 80}),
    );
    let m3 = c.build(&g, &[&ip]).model;
    assert_ne!(&m3.target_groups.values().next().unwrap().name, tg);
    let public = one_path(
        "a-very-long-namespace",
        "an-ingress-with-a-long-name",
        json!({"scheme": "internet-facing"}),
        "a-very-long-service-name",
        json!({"number": 80}),
    );
    assert_ne!(
        &c.build(&g, &[&public]).model.load_balancer.unwrap().name,
        lb
    );
    let named = one_path(
        "a-very-long-namespace",
        "an-ingress-with-a-long-name",
        json!({"load-balancer-name": "my-alb"}),
        "a-very-long-service-name",
        json!({"number": 80}),
    );
    assert_eq!(
        c.build(&g, &[&named]).model.load_balancer.unwrap().name,
        "my-alb"
    );
}

#[test]
fn bindings_live_in_the_services_namespace_with_the_stack_labels() {
    let c = Cluster::with([service("a", "web")]);
    let explicit = one_path(
        "a",
        "one",
        json!({"group.name": "shop"}),
        "web",
        json!({"number": 80}),
    );
    let b = c.build(&shop(), &[&explicit]);
    let binding = &b.model.bindings["a/one-web:80"];
    assert_eq!(
        (
            binding.namespace.as_str(),
            binding.service.as_str(),
            binding.service_port.as_str()
        ),
        ("a", "web", "80")
    );
    assert_eq!(binding.labels.len(), 1);
    assert_eq!(binding.labels["ingress.k8s.aws/stack"], "shop");
    let implicit = one_path("a", "one", json!({}), "web", json!({"number": 80}));
    let b = c.build(&GroupId::Implicit(key("a", "one")), &[&implicit]);
    let labels = &b.model.bindings["a/one-web:80"].labels;
    assert_eq!(labels["ingress.k8s.aws/stack-namespace"], "a");
    assert_eq!(labels["ingress.k8s.aws/stack-name"], "one");
}
