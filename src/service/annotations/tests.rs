//! Every annotation on good and bad values; a bad one names the annotation and the value.

use k8s_openapi::api::core::v1::Service;
use serde_json::json;
use tgsync_actors::stack::{IpAddressType, Protocol, Scheme, TargetKind};

use super::*;
use crate::annotations::SERVICE_PREFIX;

fn svc(service_type: &str, pairs: &[(&str, &str)]) -> Service {
    let annotations: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| (format!("{SERVICE_PREFIX}{k}"), json!(v)))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "shop", "annotations": annotations},
        "spec": {"type": service_type},
    }))
    .unwrap()
}

fn parse(pairs: &[(&str, &str)]) -> Result<ServiceAnnotations, AnnotationError> {
    ServiceAnnotations::of(&svc("LoadBalancer", pairs))
}

/// `suffix=value` is refused with an error naming the annotation and the value.
fn refused(suffix: &str, value: &str) {
    refused_showing(suffix, value, value.trim());
}

/// `suffix=value` is refused with an error naming the annotation and showing `shown`.
fn refused_showing(suffix: &str, value: &str, shown: &str) {
    let err = parse(&[(suffix, value)]).expect_err(suffix);
    assert_eq!(err.annotation, format!("{SERVICE_PREFIX}{suffix}"));
    let msg = err.to_string();
    assert!(msg.contains(suffix), "{msg}");
    assert!(msg.contains(shown), "{msg} does not show {shown:?}");
}

#[test]
fn no_annotations_give_the_defaults() {
    let a = parse(&[]).unwrap();
    assert_eq!(a.target.target_type, TargetKind::Instance);
    assert_eq!(a.load_balancer, LoadBalancerAnnotations::default());
    assert_eq!(a.tls, TlsAnnotations::default());
    assert_eq!(a.health_check, HealthCheckAnnotations::default());
    assert!(!a.target.proxy_protocol);
}

#[test]
fn target_type() {
    let t = |pairs: &[(&str, &str)]| parse(pairs).unwrap().target.target_type;
    assert_eq!(
        t(&[("aws-load-balancer-nlb-target-type", "ip")]),
        TargetKind::Ip
    );
    assert_eq!(
        t(&[("aws-load-balancer-nlb-target-type", "instance")]),
        TargetKind::Instance
    );
    assert_eq!(t(&[("aws-load-balancer-type", "nlb-ip")]), TargetKind::Ip);
    assert_eq!(
        t(&[("aws-load-balancer-type", "external")]),
        TargetKind::Instance
    );
    refused("aws-load-balancer-nlb-target-type", "pod");
    refused("aws-load-balancer-nlb-target-type", "IP");
}

#[test]
fn instance_mode_needs_node_ports() {
    let ip = [("aws-load-balancer-nlb-target-type", "ip")];
    assert!(ServiceAnnotations::of(&svc("ClusterIP", &ip)).is_ok());
    assert!(ServiceAnnotations::of(&svc("NodePort", &[])).is_ok());
    for pairs in [
        &[][..],
        &[("aws-load-balancer-nlb-target-type", "instance")][..],
    ] {
        let err = ServiceAnnotations::of(&svc("ClusterIP", pairs)).unwrap_err();
        assert_eq!(
            err.annotation,
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("\"instance\"") && msg.contains("ClusterIP"),
            "{msg}"
        );
    }
}

#[test]
fn scheme_and_the_legacy_internal_bool() {
    let s = |pairs: &[(&str, &str)]| parse(pairs).unwrap().load_balancer.scheme;
    assert_eq!(s(&[]), None);
    assert_eq!(
        s(&[("aws-load-balancer-scheme", "internet-facing")]),
        Some(Scheme::InternetFacing)
    );
    assert_eq!(
        s(&[("aws-load-balancer-scheme", "internal")]),
        Some(Scheme::Internal)
    );
    assert_eq!(
        s(&[("aws-load-balancer-internal", "true")]),
        Some(Scheme::Internal)
    );
    assert_eq!(
        s(&[("aws-load-balancer-internal", "false")]),
        Some(Scheme::InternetFacing)
    );
    assert_eq!(
        s(&[
            ("aws-load-balancer-internal", "false"),
            ("aws-load-balancer-scheme", "internal")
        ]),
        Some(Scheme::Internal)
    );
    refused("aws-load-balancer-scheme", "public");
    refused("aws-load-balancer-internal", "yes");
}

#[test]
fn name() {
    let n = parse(&[("aws-load-balancer-name", " my-nlb ")]).unwrap();
    assert_eq!(n.load_balancer.name.as_deref(), Some("my-nlb"));
    refused_showing(
        "aws-load-balancer-name",
        "a-name-that-is-far-too-long-for-elbv2",
        "37 characters",
    );
    refused("aws-load-balancer-name", "-edge");
    refused("aws-load-balancer-name", "under_score");
    refused_showing("aws-load-balancer-name", " ", "empty");
}

#[test]
fn subnets_and_security_groups() {
    let a = parse(&[
        ("aws-load-balancer-subnets", "subnet-1, public-a"),
        ("aws-load-balancer-security-groups", "sg-1,web"),
    ])
    .unwrap();
    assert_eq!(
        a.load_balancer.subnets,
        Some(vec!["subnet-1".into(), "public-a".into()])
    );
    assert_eq!(
        a.load_balancer.security_groups,
        Some(vec!["sg-1".into(), "web".into()])
    );
    refused_showing("aws-load-balancer-subnets", " , ", "empty");
    refused_showing("aws-load-balancer-security-groups", ",", "empty");
}

#[test]
fn ip_address_type() {
    let t = |v| {
        parse(&[("aws-load-balancer-ip-address-type", v)])
            .unwrap()
            .load_balancer
            .ip_address_type
    };
    assert_eq!(t("ipv4"), Some(IpAddressType::Ipv4));
    assert_eq!(t("dualstack"), Some(IpAddressType::Dualstack));
    refused("aws-load-balancer-ip-address-type", "ipv6");
}

#[test]
fn string_maps_attributes_tags_and_node_labels() {
    let a = parse(&[
        (
            "aws-load-balancer-attributes",
            "load_balancing.cross_zone.enabled=true",
        ),
        (
            "aws-load-balancer-target-group-attributes",
            "deregistration_delay.timeout_seconds=30, stickiness.enabled=true",
        ),
        (
            "aws-load-balancer-additional-resource-tags",
            "team=a,env=prod",
        ),
        ("aws-load-balancer-target-node-labels", "pool=edge"),
    ])
    .unwrap();
    assert_eq!(
        a.load_balancer.attributes["load_balancing.cross_zone.enabled"],
        "true"
    );
    assert_eq!(
        a.target.attributes["deregistration_delay.timeout_seconds"],
        "30"
    );
    assert_eq!(a.load_balancer.tags["env"], "prod");
    assert_eq!(a.target.node_labels["pool"], "edge");
    for suffix in [
        "aws-load-balancer-attributes",
        "aws-load-balancer-target-group-attributes",
        "aws-load-balancer-additional-resource-tags",
        "aws-load-balancer-target-node-labels",
    ] {
        refused_showing(suffix, "a=1,broken", "broken");
        refused(suffix, "=x");
    }
}

#[test]
fn proxy_protocol_is_star_only() {
    let a = parse(&[
        ("aws-load-balancer-proxy-protocol", "*"),
        (
            "aws-load-balancer-target-group-attributes",
            "proxy_protocol_v2.enabled=false",
        ),
    ])
    .unwrap();
    assert!(a.target.proxy_protocol);
    assert_eq!(a.target.attributes["proxy_protocol_v2.enabled"], "true");
    refused("aws-load-balancer-proxy-protocol", "v2");
    refused("aws-load-balancer-proxy-protocol", "80");
    // Without the annotation it is said off, so taking the annotation away turns it off in AWS.
    let off = parse(&[]).unwrap();
    assert_eq!(off.target.attributes["proxy_protocol_v2.enabled"], "false");
    let by_map = parse(&[(
        "aws-load-balancer-target-group-attributes",
        "proxy_protocol_v2.enabled=true",
    )])
    .unwrap();
    assert_eq!(
        by_map.target.attributes["proxy_protocol_v2.enabled"],
        "true"
    );
}

#[test]
fn tls_certificates_ports_policy_and_backend() {
    let a = parse(&[
        ("aws-load-balancer-ssl-cert", "arn:cert/a, arn:cert/b"),
        ("aws-load-balancer-ssl-ports", "443, https"),
        (
            "aws-load-balancer-ssl-negotiation-policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ),
        ("aws-load-balancer-backend-protocol", "ssl"),
    ])
    .unwrap()
    .tls;
    assert_eq!(a.certificates, ["arn:cert/a", "arn:cert/b"]);
    assert!(a.applies_to(443, None));
    assert!(a.applies_to(8443, Some("https")));
    assert!(!a.applies_to(80, Some("http")));
    assert!(a.backend_tls);
    assert_eq!(
        a.policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    let all = parse(&[("aws-load-balancer-ssl-cert", "arn:cert/a")])
        .unwrap()
        .tls;
    assert!(all.applies_to(80, None));
    let none = parse(&[("aws-load-balancer-ssl-ports", "443")])
        .unwrap()
        .tls;
    assert!(!none.applies_to(443, None), "no certificate, no TLS");
    refused("aws-load-balancer-ssl-ports", "70000");
    refused("aws-load-balancer-backend-protocol", "http2");
}

#[test]
fn health_check() {
    let h = parse(&[
        ("aws-load-balancer-healthcheck-protocol", "http"),
        ("aws-load-balancer-healthcheck-port", "8080"),
        ("aws-load-balancer-healthcheck-path", "/ready"),
        ("aws-load-balancer-healthcheck-interval", "30"),
        ("aws-load-balancer-healthcheck-timeout", "6"),
        ("aws-load-balancer-healthcheck-healthy-threshold", "2"),
        ("aws-load-balancer-healthcheck-unhealthy-threshold", "4"),
        ("aws-load-balancer-healthcheck-success-codes", "200"),
    ])
    .unwrap()
    .health_check;
    assert_eq!(h.protocol, Some(Protocol::Http));
    assert_eq!(h.port.as_deref(), Some("8080"));
    assert_eq!(h.path.as_deref(), Some("/ready"));
    assert_eq!(
        (
            h.interval_seconds,
            h.timeout_seconds,
            h.healthy_threshold,
            h.unhealthy_threshold
        ),
        (Some(30), Some(6), Some(2), Some(4))
    );
    assert_eq!(h.success_codes.as_deref(), Some("200"));
    let t = parse(&[("aws-load-balancer-healthcheck-port", "traffic-port")]).unwrap();
    assert_eq!(t.health_check.port.as_deref(), Some("traffic-port"));
    refused("aws-load-balancer-healthcheck-protocol", "UDP");
    refused("aws-load-balancer-healthcheck-port", "0");
    refused("aws-load-balancer-healthcheck-port", "http");
    refused("aws-load-balancer-healthcheck-interval", "1");
    refused("aws-load-balancer-healthcheck-interval", "ten");
    refused("aws-load-balancer-healthcheck-timeout", "121");
    refused("aws-load-balancer-healthcheck-healthy-threshold", "11");
    refused("aws-load-balancer-healthcheck-unhealthy-threshold", "1");
}
