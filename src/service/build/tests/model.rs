//! Unit tests of the builder: ports, protocols, TLS, target types, health checks, attributes, security
//! group, tags, bindings and bad input.

use serde_json::json;
use tgsync_actors::stack::{
    Action, IpAddressType, LbKind, Permission, Protocol, Scheme, SgRef, TargetKind,
};

use super::fixtures::{build, build_with, lb, svc};
use crate::lookups::Lookups;
use crate::service::build::ServiceError;

fn two_ports() -> serde_json::Value {
    lb(json!([
        {"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080},
        {"name": "admin", "port": 9000, "targetPort": "admin", "nodePort": 30900},
    ]))
}

#[test]
fn two_ports_in_instance_mode_make_two_listeners_and_target_groups_on_the_node_ports() {
    let m = build(&svc(two_ports(), &[])).unwrap();
    let nlb = m.load_balancer.as_ref().unwrap();
    assert_eq!(nlb.kind, LbKind::Network);
    assert_eq!(nlb.scheme, Scheme::Internal);
    assert_eq!(nlb.subnets, ["subnet-a", "subnet-b"]);
    assert_eq!(nlb.security_groups, [SgRef::Managed]);
    assert!(nlb.name.starts_with("k8s-shop-web-") && nlb.name.len() <= 32);
    assert_eq!(nlb.tags["service.k8s.aws/stack"], "shop/web");
    assert_eq!(nlb.tags["service.k8s.aws/resource"], "LoadBalancer");
    assert_eq!(nlb.tags["elbv2.k8s.aws/cluster"], "c1");
    assert_eq!(m.listeners.keys().copied().collect::<Vec<_>>(), [80, 9000]);
    let tg = &m.target_groups["shop/web:80"];
    assert_eq!(tg.target_kind, TargetKind::Instance);
    assert_eq!((tg.protocol, tg.port), (Protocol::Tcp, 30080));
    assert_eq!(m.target_groups["shop/web:9000"].port, 30900);
    assert_eq!(tg.tags["service.k8s.aws/resource"], "shop/web:80");
    let l = &m.listeners[&80];
    assert_eq!(l.protocol, Protocol::Tcp);
    assert_eq!(l.default_action, Action::forward_to("shop/web:80"));
    assert!(l.rules.is_empty() && l.certificates.is_empty() && l.ssl_policy.is_none());
    assert_eq!(l.tags["service.k8s.aws/resource"], "80");
    let b = &m.bindings["shop/web:9000"];
    assert_eq!((b.namespace.as_str(), b.service.as_str()), ("shop", "web"));
    assert_eq!(b.service_port, "9000");
    assert_eq!(b.labels["service.k8s.aws/stack-namespace"], "shop");
    assert_eq!(b.labels["service.k8s.aws/stack-name"], "web");
    assert_eq!(m.bindings.len(), 2);
    let hc = &tg.health_check;
    assert_eq!(
        (hc.protocol, hc.port.as_str()),
        (Protocol::Tcp, "traffic-port")
    );
    assert_eq!(
        (
            hc.interval_seconds,
            hc.timeout_seconds,
            hc.healthy_threshold,
            hc.unhealthy_threshold
        ),
        (10, 10, 3, 3)
    );
    assert!(hc.path.is_none() && hc.matcher.is_none());
}

#[test]
fn ip_mode_targets_the_target_port_and_a_named_one_gives_1() {
    let m = build(&svc(
        two_ports(),
        &[("aws-load-balancer-nlb-target-type", "ip")],
    ))
    .unwrap();
    assert_eq!(m.target_groups["shop/web:80"].port, 8080);
    assert_eq!(m.target_groups["shop/web:9000"].port, 1);
    assert_eq!(m.target_groups["shop/web:80"].target_kind, TargetKind::Ip);
    let no_target = lb(json!([{"port": 53}]));
    let m = build(&svc(no_target, &[("aws-load-balancer-type", "nlb-ip")])).unwrap();
    assert_eq!(m.target_groups["shop/web:53"].port, 53);
}

#[test]
fn tcp_and_udp_on_one_port_share_a_tcp_udp_listener_and_group() {
    let ports = lb(json!([
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 5353, "nodePort": 30053},
        {"name": "dns-udp", "port": 53, "protocol": "UDP", "targetPort": 5353, "nodePort": 30053},
        {"name": "syslog", "port": 514, "protocol": "UDP", "targetPort": 514, "nodePort": 30514},
    ]));
    let m = build(&svc(ports, &[])).unwrap();
    assert_eq!(m.listeners[&53].protocol, Protocol::TcpUdp);
    assert_eq!(m.target_groups["shop/web:53"].protocol, Protocol::TcpUdp);
    assert_eq!(m.listeners[&514].protocol, Protocol::Udp);
    assert_eq!(m.target_groups["shop/web:514"].protocol, Protocol::Udp);
    assert_eq!(m.target_groups.len(), 2);
    let sg = m.security_group.unwrap();
    let rules: Vec<(&str, u16)> = sg
        .ingress
        .iter()
        .map(|p| (p.protocol.as_str(), p.port))
        .collect();
    assert_eq!(rules, [("tcp", 53), ("udp", 53), ("udp", 514)]);
    let split = lb(json!([
        {"port": 53, "protocol": "TCP", "nodePort": 30053},
        {"port": 53, "protocol": "UDP", "nodePort": 30054},
    ]));
    assert_eq!(
        build(&svc(split, &[])),
        Err(ServiceError::TcpUdpMismatch {
            port: 53,
            tcp: 30053,
            udp: 30054
        })
    );
}

#[test]
fn certificates_turn_the_listed_tcp_ports_into_tls() {
    let ports = lb(json!([
        {"name": "http", "port": 80, "nodePort": 30080},
        {"name": "https", "port": 443, "nodePort": 30443},
        {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053},
    ]));
    let a = [
        ("aws-load-balancer-ssl-cert", "arn:cert/a,arn:cert/b"),
        ("aws-load-balancer-ssl-ports", "https"),
    ];
    let m = build(&svc(ports.clone(), &a)).unwrap();
    let tls = &m.listeners[&443];
    assert_eq!(tls.protocol, Protocol::Tls);
    assert_eq!(tls.certificates, ["arn:cert/a", "arn:cert/b"]);
    assert_eq!(tls.ssl_policy.as_deref(), Some("ELBSecurityPolicy-2016-08"));
    assert_eq!(m.target_groups["shop/web:443"].protocol, Protocol::Tcp);
    assert_eq!(m.listeners[&80].protocol, Protocol::Tcp);
    // Every TCP port without ssl-ports; UDP stays UDP. A backend of `ssl` makes the groups TLS.
    let all = [
        ("aws-load-balancer-ssl-cert", "arn:cert/a"),
        (
            "aws-load-balancer-ssl-negotiation-policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ),
        ("aws-load-balancer-backend-protocol", "ssl"),
    ];
    let m = build(&svc(ports, &all)).unwrap();
    assert_eq!(m.listeners[&80].protocol, Protocol::Tls);
    assert_eq!(m.listeners[&53].protocol, Protocol::Udp);
    assert_eq!(m.target_groups["shop/web:80"].protocol, Protocol::Tls);
    assert_eq!(m.target_groups["shop/web:53"].protocol, Protocol::Udp);
    assert_eq!(
        m.listeners[&443].ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
}

#[test]
fn instance_mode_with_local_traffic_checks_the_health_check_node_port() {
    let mut spec = two_ports();
    spec["externalTrafficPolicy"] = json!("Local");
    spec["healthCheckNodePort"] = json!(32000);
    let m = build(&svc(spec.clone(), &[])).unwrap();
    let hc = &m.target_groups["shop/web:80"].health_check;
    assert_eq!((hc.protocol, hc.port.as_str()), (Protocol::Http, "32000"));
    assert_eq!(hc.path.as_deref(), Some("/healthz"));
    assert_eq!(
        (
            hc.interval_seconds,
            hc.timeout_seconds,
            hc.healthy_threshold,
            hc.unhealthy_threshold
        ),
        (10, 6, 2, 2)
    );
    assert_eq!(hc.matcher.as_deref(), Some("200-399"));
    // ip targets are checked on the traffic port whatever the policy.
    let ip = build(&svc(
        spec.clone(),
        &[("aws-load-balancer-nlb-target-type", "ip")],
    ))
    .unwrap();
    assert_eq!(
        ip.target_groups["shop/web:80"].health_check.protocol,
        Protocol::Tcp
    );
    // Annotations win over either default.
    let a = [
        ("aws-load-balancer-healthcheck-path", "/ready"),
        ("aws-load-balancer-healthcheck-interval", "30"),
    ];
    let m = build(&svc(spec, &a)).unwrap();
    let hc = &m.target_groups["shop/web:80"].health_check;
    assert_eq!(
        (hc.path.as_deref(), hc.interval_seconds),
        (Some("/ready"), 30)
    );
}

#[test]
fn proxy_protocol_attributes_tags_and_node_labels_reach_their_resources() {
    let a = [
        ("aws-load-balancer-proxy-protocol", "*"),
        (
            "aws-load-balancer-target-group-attributes",
            "deregistration_delay.timeout_seconds=5",
        ),
        (
            "aws-load-balancer-attributes",
            "load_balancing.cross_zone.enabled=true",
        ),
        ("aws-load-balancer-additional-resource-tags", "team=edge"),
        ("aws-load-balancer-target-node-labels", "pool=edge"),
    ];
    let m = build(&svc(two_ports(), &a)).unwrap();
    let tg = &m.target_groups["shop/web:80"];
    assert_eq!(tg.attributes["proxy_protocol_v2.enabled"], "true");
    assert_eq!(tg.attributes["deregistration_delay.timeout_seconds"], "5");
    let nlb = m.load_balancer.as_ref().unwrap();
    assert_eq!(nlb.attributes["load_balancing.cross_zone.enabled"], "true");
    assert_eq!(nlb.tags["team"], "edge");
    assert_eq!(tg.tags["team"], "edge");
    assert_eq!(m.listeners[&80].tags["team"], "edge");
    assert_eq!(m.security_group.as_ref().unwrap().tags["team"], "edge");
    assert_eq!(m.bindings["shop/web:80"].node_selector["pool"], "edge");
    let ip = [
        ("aws-load-balancer-nlb-target-type", "ip"),
        ("aws-load-balancer-target-node-labels", "pool=edge"),
    ];
    let m = build(&svc(two_ports(), &ip)).unwrap();
    assert!(m.bindings["shop/web:80"].node_selector.is_empty());
}

#[test]
fn source_ranges_open_each_listener_to_them_only() {
    let mut spec = two_ports();
    spec["loadBalancerSourceRanges"] = json!(["10.0.0.0/8", "2001:db8::/32"]);
    let m = build(&svc(spec.clone(), &[])).unwrap();
    let sg = m.security_group.as_ref().unwrap();
    assert!(sg.name.starts_with("k8s-shop-web-"));
    assert_eq!(
        sg.tags["service.k8s.aws/resource"],
        "ManagedLBSecurityGroup"
    );
    assert_eq!(sg.ingress.len(), 4);
    assert!(sg.ingress.contains(&Permission {
        protocol: "tcp".into(),
        port: 9000,
        cidr: "2001:db8::/32".into()
    }));
    let open = build(&svc(
        two_ports(),
        &[("aws-load-balancer-ip-address-type", "dualstack")],
    ))
    .unwrap();
    let cidrs: Vec<&str> = open.security_group.as_ref().unwrap().ingress[..2]
        .iter()
        .map(|p| p.cidr.as_str())
        .collect();
    assert_eq!(cidrs, ["0.0.0.0/0", "::/0"]);
    assert_eq!(
        open.load_balancer.unwrap().ip_address_type,
        IpAddressType::Dualstack
    );
    spec["loadBalancerSourceRanges"] = json!(["10.0.0.0/33"]);
    assert_eq!(
        build(&svc(spec, &[])),
        Err(ServiceError::BadSourceRange("10.0.0.0/33".into()))
    );
}

#[test]
fn named_security_groups_replace_the_managed_one_and_names_are_looked_up() {
    let a = [
        ("aws-load-balancer-security-groups", "sg-1,web"),
        ("aws-load-balancer-subnets", "subnet-9,public-a"),
    ];
    let lookups = Lookups {
        subnets: [("public-a".into(), "subnet-2".into())].into(),
        security_groups: [("web".into(), "sg-7".into())].into(),
        ..Lookups::default()
    };
    let m = build_with(&svc(two_ports(), &a), None, &lookups).unwrap();
    assert!(m.security_group.is_none());
    let nlb = m.load_balancer.unwrap();
    assert_eq!(
        nlb.security_groups,
        [SgRef::Id("sg-1".into()), SgRef::Id("sg-7".into())]
    );
    assert_eq!(nlb.subnets, ["subnet-2", "subnet-9"]);
    let err = build(&svc(two_ports(), &a)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no subnet with Name tag \"public-a\" in the VPC"
    );
}

#[test]
fn the_existing_nlb_keeps_its_scheme_subnets_and_lack_of_security_groups() {
    let first = build(&svc(
        two_ports(),
        &[("aws-load-balancer-scheme", "internet-facing")],
    ))
    .unwrap()
    .load_balancer
    .unwrap();
    let mut existing = first.clone();
    existing.subnets = vec!["subnet-x".into()];
    existing.security_groups = vec![];
    let m = build_with(&svc(two_ports(), &[]), Some(&existing), &Lookups::default()).unwrap();
    let nlb = m.load_balancer.unwrap();
    assert_eq!(nlb.scheme, Scheme::InternetFacing);
    assert_eq!(nlb.name, first.name);
    assert_eq!(nlb.subnets, ["subnet-x"]);
    assert!(nlb.security_groups.is_empty() && m.security_group.is_none());
    // The annotation wins over the existing NLB, and a new scheme names a new NLB.
    let internal = [("aws-load-balancer-internal", "true")];
    let m = build_with(
        &svc(two_ports(), &internal),
        Some(&existing),
        &Lookups::default(),
    )
    .unwrap();
    let nlb = m.load_balancer.unwrap();
    assert_eq!(nlb.scheme, Scheme::Internal);
    assert_ne!(nlb.name, first.name);
    // The replacement is placed in the subnets discovered for its own scheme and gets the managed group.
    assert_ne!(nlb.subnets, ["subnet-x"]);
    assert!(!nlb.security_groups.is_empty() && m.security_group.is_some());
    let named = build(&svc(two_ports(), &[("aws-load-balancer-name", "my-nlb")])).unwrap();
    assert_eq!(named.load_balancer.unwrap().name, "my-nlb");
}

#[test]
fn bad_services_are_errors_naming_what_is_wrong() {
    let cluster_ip = json!({"type": "ClusterIP", "ports": [{"port": 80}]});
    let err = build(&svc(cluster_ip, &[("aws-load-balancer-type", "external")])).unwrap_err();
    assert!(
        matches!(&err, ServiceError::Annotation(a) if a.annotation.ends_with("nlb-target-type")),
        "{err}"
    );
    let no_node_port = lb(json!([{"port": 80}]));
    assert_eq!(
        build(&svc(no_node_port, &[])),
        Err(ServiceError::NoNodePort(80))
    );
    assert_eq!(build(&svc(lb(json!([])), &[])), Err(ServiceError::NoPorts));
    let sctp = lb(json!([{"port": 80, "protocol": "SCTP", "nodePort": 30080}]));
    assert!(matches!(
        build(&svc(sctp, &[])),
        Err(ServiceError::UnsupportedProtocol { port: 80, .. })
    ));
    let bad = build(&svc(
        two_ports(),
        &[("aws-load-balancer-proxy-protocol", "v2")],
    ))
    .unwrap_err();
    assert!(
        bad.to_string().contains("aws-load-balancer-proxy-protocol")
            && bad.to_string().contains("v2")
    );
    let no_subnets = crate::service::build::build_service(&crate::service::ServiceInput {
        service: &svc(two_ports(), &[]),
        cluster: "c1",
        subnets: &[],
        lookups: &Lookups::default(),
        existing: None,
    });
    assert_eq!(no_subnets, Err(ServiceError::NoSubnets));
}

#[test]
fn wanted_names_and_the_scheme_come_before_the_build() {
    let s = svc(
        two_ports(),
        &[
            ("aws-load-balancer-subnets", "subnet-1,public-a"),
            ("aws-load-balancer-security-groups", "sg-1,web"),
            ("aws-load-balancer-scheme", "internet-facing"),
        ],
    );
    let w = crate::service::wanted(&s);
    assert_eq!(w.subnets.into_iter().collect::<Vec<_>>(), ["public-a"]);
    assert_eq!(w.security_groups.into_iter().collect::<Vec<_>>(), ["web"]);
    assert_eq!(crate::service::scheme(&s, None), Ok(Scheme::InternetFacing));
    let empty = crate::service::empty_model("shop", "web");
    assert!(empty.load_balancer.is_none());
    assert_eq!(empty.stack.id, "shop/web");
}
