//! Listeners merged per port: protocol, certificates (the default first), ssl-policy, inbound-cidrs, and
//! the managed security group's permissions.

use serde_json::json;
use tgsync_actors::stack::{Permission, Protocol, SgRef};

use super::super::{ConflictField, HoldReason, MemberError};
use super::fixtures::*;

fn tls(
    ns: &str,
    name: &str,
    order: i32,
    extra: serde_json::Value,
) -> k8s_openapi::api::networking::v1::Ingress {
    let mut a = json!({"group.name": "shop", "group.order": order.to_string()});
    for (k, v) in extra.as_object().unwrap() {
        a[k] = v.clone();
    }
    ingress(
        ns,
        name,
        a,
        json!({"rules": host_rules(&[(&format!("{name}.example.com"), &[("/", "Prefix", "web")])])}),
    )
}

#[test]
fn certificates_merge_with_the_first_members_default_first() {
    let c = Cluster::with([
        service("a", "web"),
        service("b", "web"),
        service("c", "web"),
    ]);
    let a = tls(
        "a",
        "one",
        0,
        json!({"listen-ports": r#"[{"HTTP":80},{"HTTPS":443}]"#}),
    );
    let b = tls("b", "two", 1, json!({"certificate-arn": "arn:z, arn:m"}));
    let d = tls(
        "c",
        "three",
        2,
        json!({"certificate-arn": "arn:k,arn:z", "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
    );
    // The first member's HTTPS port has no certificate yet: it is held back.
    let build = c.build(&shop(), &[&a, &b, &d]);
    let held: Vec<_> = build.held_back().collect();
    assert_eq!(
        held,
        [(
            &key("a", "one"),
            &HoldReason::Invalid(MemberError::NoCertificate(443))
        )]
    );
    let l = &build.model.listeners[&443];
    assert_eq!(l.protocol, Protocol::Https);
    assert_eq!(l.certificates, s(&["arn:z", "arn:k", "arn:m"]));
    assert_eq!(
        l.ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert_eq!(show(l), ["two.example.com /*", "three.example.com /*"]);
    // Once a certificate is known, a member may listen on HTTPS without one of its own.
    let a_last = tls(
        "a",
        "one",
        3,
        json!({"listen-ports": r#"[{"HTTP":80},{"HTTPS":443}]"#}),
    );
    let build = c.build(&shop(), &[&a_last, &b, &d]);
    assert!(build.held_back().next().is_none());
    assert_eq!(show(&build.model.listeners[&443]).len(), 3);
    assert_eq!(show(&build.model.listeners[&80]), ["one.example.com /*"]);
    assert_eq!(build.model.listeners[&80].ssl_policy, None);
}

#[test]
fn the_default_ssl_policy_applies_when_nobody_names_one() {
    let c = Cluster::with([service("a", "web")]);
    let a = tls("a", "one", 0, json!({"certificate-arn": "arn:a"}));
    let b = c.build(&shop(), &[&a]);
    assert_eq!(
        b.model.listeners[&443].ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-2016-08")
    );
}

#[test]
fn protocol_and_ssl_policy_conflicts_on_a_shared_port() {
    let c = Cluster::with([service("a", "web"), service("b", "web")]);
    let a = tls("a", "one", 0, json!({"listen-ports": r#"[{"HTTP":8080}]"#}));
    let b = tls(
        "b",
        "two",
        1,
        json!({"listen-ports": r#"[{"HTTPS":8080}]"#, "certificate-arn": "arn:b"}),
    );
    let build = c.build(&shop(), &[&a, &b]);
    assert_eq!(
        conflicts(&build),
        [(
            "b/two".into(),
            ConflictField::Protocol(8080),
            "a/one".into()
        )]
    );
    let a = tls(
        "a",
        "one",
        0,
        json!({"certificate-arn": "arn:a", "ssl-policy": "p1"}),
    );
    let b = tls(
        "b",
        "two",
        1,
        json!({"certificate-arn": "arn:b", "ssl-policy": "p2"}),
    );
    let build = c.build(&shop(), &[&a, &b]);
    assert_eq!(
        conflicts(&build),
        [(
            "b/two".into(),
            ConflictField::SslPolicy(443),
            "a/one".into()
        )]
    );
}

#[test]
fn the_managed_security_group_opens_each_port_to_its_cidrs() {
    let c = Cluster::with([service("a", "web"), service("b", "web")]);
    let a = tls(
        "a",
        "one",
        0,
        json!({"listen-ports": r#"[{"HTTP":80},{"HTTP":8080}]"#, "inbound-cidrs": "10.0.0.0/8"}),
    );
    let b = tls("b", "two", 1, json!({}));
    let build = c.build(&shop(), &[&a, &b]);
    let perm = |port, cidr: &str| Permission {
        protocol: "tcp".into(),
        port,
        cidr: cidr.into(),
    };
    let sg = build.model.security_group.as_ref().unwrap();
    assert_eq!(
        sg.ingress,
        [perm(80, "10.0.0.0/8"), perm(8080, "10.0.0.0/8")]
    );
    assert!(sg.name.starts_with("k8s-shop-") && sg.name.len() <= 32);
    assert_eq!(
        sg.tags["ingress.k8s.aws/resource"],
        "ManagedLBSecurityGroup"
    );
    assert_eq!(
        build.model.load_balancer.as_ref().unwrap().security_groups,
        [SgRef::Managed]
    );
    // Nobody names CIDRs: everyone, over IPv6 too on a dual-stack load balancer.
    let v4 = c.build(&shop(), &[&b]);
    assert_eq!(
        v4.model.security_group.unwrap().ingress,
        [perm(80, "0.0.0.0/0")]
    );
    let dual = tls("b", "two", 1, json!({"ip-address-type": "dualstack"}));
    let v6 = c.build(&shop(), &[&dual]);
    assert_eq!(
        v6.model.security_group.unwrap().ingress,
        [perm(80, "0.0.0.0/0"), perm(80, "::/0")]
    );
    // The user's security groups replace the managed one.
    let own = tls("b", "two", 1, json!({"security-groups": "sg-2, sg-1"}));
    let b = c.build(&shop(), &[&own]);
    assert!(b.model.security_group.is_none());
    assert_eq!(
        b.model.load_balancer.unwrap().security_groups,
        [SgRef::Id("sg-1".into()), SgRef::Id("sg-2".into())]
    );
}
