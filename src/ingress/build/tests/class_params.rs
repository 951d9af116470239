//! IngressClassParams over the members' annotations: each field replaces (tags and attributes: merges over)
//! what the annotations say, and the group's conflict rules see the values in effect.

use k8s_openapi::api::networking::v1::Ingress;
use serde_json::{json, Value};
use tgsync_actors::stack::{
    Action, IpAddressType, Permission, Protocol, Redirect, Scheme, TargetKind,
};

use super::super::{ConflictField, GroupBuild, HoldReason, MemberError};
use super::fixtures::*;
use crate::crd::IngressClassParams;

/// Params named `name` with `spec`, kept for the test's whole run (the fixture borrows them).
fn params(name: &str, spec: Value) -> &'static IngressClassParams {
    Box::leak(Box::new(
        serde_json::from_value(json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams",
            "metadata": {"name": name}, "spec": spec
        }))
        .unwrap(),
    ))
}

/// Member `ns/name` of group shop with `annotations` over the group's, routing `/` to Service web.
fn member_with(ns: &str, name: &str, order: i32, annotations: Value) -> Ingress {
    let mut a = json!({"group.name": "shop", "group.order": order.to_string()});
    for (k, v) in annotations.as_object().unwrap() {
        a[k] = v.clone();
    }
    ingress(
        ns,
        name,
        a,
        json!({"rules": host_rules(&[(&format!("{name}.example.com"), &[("/", "Prefix", "web")])])}),
    )
}

/// One member `a/one` with `annotations`, built with and without `spec` as its class's params.
fn with_and_without(annotations: Value, spec: Value) -> (GroupBuild, GroupBuild) {
    let ing = member_with("a", "one", 0, annotations);
    let mut c = Cluster::with([service("a", "web")]);
    let without = c.build(&shop(), &[&ing]);
    c.params.insert(key("a", "one"), params("p", spec));
    (c.build(&shop(), &[&ing]), without)
}

fn held(b: &GroupBuild) -> Vec<String> {
    b.held_back().map(|(k, r)| format!("{k}: {r}")).collect()
}

#[test]
fn scheme_overrides_the_annotation() {
    let (with, without) = with_and_without(
        json!({"scheme": "internal"}),
        json!({"scheme": "internet-facing"}),
    );
    let lb = |b: &GroupBuild| b.model.load_balancer.as_ref().unwrap().scheme;
    assert_eq!(lb(&without), Scheme::Internal);
    assert_eq!(lb(&with), Scheme::InternetFacing);
}

#[test]
fn ip_address_type_overrides_the_annotation() {
    let (with, without) = with_and_without(json!({}), json!({"ipAddressType": "dualstack"}));
    let t = |b: &GroupBuild| b.model.load_balancer.as_ref().unwrap().ip_address_type;
    assert_eq!(t(&without), IpAddressType::Ipv4);
    assert_eq!(t(&with), IpAddressType::Dualstack);
}

#[test]
fn subnet_ids_override_the_annotation_and_tags_are_refused() {
    let (with, without) = with_and_without(
        json!({"subnets": "subnet-x"}),
        json!({"subnets": {"ids": ["subnet-2", "subnet-1"]}}),
    );
    let subnets = |b: &GroupBuild| b.model.load_balancer.as_ref().unwrap().subnets.clone();
    assert_eq!(subnets(&without), s(&["subnet-x"]));
    assert_eq!(subnets(&with), s(&["subnet-1", "subnet-2"]));
    let (tagged, _) = with_and_without(json!({}), json!({"subnets": {"tags": {"team": ["a"]}}}));
    assert!(tagged.model.load_balancer.is_none());
    let reasons = held(&tagged);
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("subnets.tags"), "{reasons:?}");
}

#[test]
fn certificates_override_the_annotation_and_move_the_default_port_to_https() {
    let (with, without) = with_and_without(
        json!({}),
        json!({"certificateArn": ["arn:cert:b", "arn:cert:a"]}),
    );
    assert!(without.model.listeners.contains_key(&80));
    assert!(!with.model.listeners.contains_key(&80));
    let l = &with.model.listeners[&443];
    assert_eq!(l.protocol, Protocol::Https);
    assert_eq!(l.certificates, s(&["arn:cert:b", "arn:cert:a"]));
    let (replaced, _) = with_and_without(
        json!({"certificate-arn": "arn:cert:mine"}),
        json!({"certificateArn": ["arn:cert:class"]}),
    );
    assert_eq!(
        replaced.model.listeners[&443].certificates,
        s(&["arn:cert:class"])
    );
}

#[test]
fn ssl_policy_overrides_the_annotation() {
    let (with, without) = with_and_without(
        json!({"certificate-arn": "arn:c", "ssl-policy": "ELBSecurityPolicy-2016-08"}),
        json!({"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
    );
    let policy = |b: &GroupBuild| b.model.listeners[&443].ssl_policy.clone();
    assert_eq!(
        policy(&without).as_deref(),
        Some("ELBSecurityPolicy-2016-08")
    );
    assert_eq!(
        policy(&with).as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
}

#[test]
fn ssl_redirect_port_redirects_plain_http() {
    let both =
        json!({"certificate-arn": "arn:c", "listen-ports": r#"[{"HTTP":80},{"HTTPS":443}]"#});
    let (with, without) = with_and_without(both.clone(), json!({"sslRedirectPort": "443"}));
    assert!(!without.model.listeners[&80].rules.is_empty());
    let http = &with.model.listeners[&80];
    assert!(http.rules.is_empty());
    assert!(
        matches!(&http.default_action, Action::Redirect(Redirect { port: Some(p), .. }) if p == "443"),
        "{:?}",
        http.default_action
    );
    let (bad, _) = with_and_without(both, json!({"sslRedirectPort": "https"}));
    assert!(
        held(&bad)[0].contains("sslRedirectPort"),
        "{:?}",
        held(&bad)
    );
}

#[test]
fn inbound_cidrs_override_the_annotation_and_bad_ones_are_refused() {
    let (with, without) = with_and_without(
        json!({"inbound-cidrs": "10.0.0.0/8"}),
        json!({"inboundCIDRs": ["192.168.0.0/16"]}),
    );
    let cidrs = |b: &GroupBuild| -> Vec<String> {
        let sg = b.model.security_group.as_ref().unwrap();
        sg.ingress
            .iter()
            .map(|p: &Permission| p.cidr.clone())
            .collect()
    };
    assert_eq!(cidrs(&without), s(&["10.0.0.0/8"]));
    assert_eq!(cidrs(&with), s(&["192.168.0.0/16"]));
    let (bad, _) = with_and_without(json!({}), json!({"inboundCIDRs": ["everyone"]}));
    assert!(held(&bad)[0].contains("inboundCIDRs"), "{:?}", held(&bad));
}

#[test]
fn tags_merge_over_the_annotation_the_params_winning_on_every_resource() {
    let (with, without) = with_and_without(
        json!({"tags": "team=a,env=dev"}),
        json!({"tags": [{"key": "env", "value": "prod"}, {"key": "cost", "value": "42"}]}),
    );
    let lb = |b: &GroupBuild| b.model.load_balancer.as_ref().unwrap().tags.clone();
    assert_eq!(lb(&without)["env"], "dev");
    let tags = lb(&with);
    assert_eq!(
        (
            tags["env"].as_str(),
            tags["team"].as_str(),
            tags["cost"].as_str()
        ),
        ("prod", "a", "42")
    );
    let tg = with.model.target_groups.values().next().unwrap();
    assert_eq!(tg.tags["env"], "prod");
    assert_eq!(with.model.listeners[&80].tags["cost"], "42");
    assert_eq!(
        with.model.security_group.as_ref().unwrap().tags["cost"],
        "42"
    );
}

#[test]
fn target_type_overrides_the_ingress_and_service_annotations() {
    let (with, without) = with_and_without(
        json!({"target-type": "instance"}),
        json!({"targetType": "ip"}),
    );
    let tg = |b: &GroupBuild| {
        let t = b.model.target_groups.values().next().unwrap();
        (t.target_kind, t.port)
    };
    assert_eq!(tg(&without), (TargetKind::Instance, 30080));
    assert_eq!(tg(&with), (TargetKind::Ip, 8080));
}

#[test]
fn load_balancer_attributes_merge_the_params_winning() {
    let (with, without) = with_and_without(
        json!({"load-balancer-attributes": "idle_timeout.timeout_seconds=60,routing.http2.enabled=false"}),
        json!({"loadBalancerAttributes": [{"key": "idle_timeout.timeout_seconds", "value": "120"}]}),
    );
    let attrs = |b: &GroupBuild| b.model.load_balancer.as_ref().unwrap().attributes.clone();
    assert_eq!(attrs(&without)["idle_timeout.timeout_seconds"], "60");
    let a = attrs(&with);
    assert_eq!(a["idle_timeout.timeout_seconds"], "120");
    assert_eq!(a["routing.http2.enabled"], "false");
}

#[test]
fn load_balancer_name_overrides_the_annotation_and_a_long_one_is_refused() {
    let (with, without) = with_and_without(
        json!({"load-balancer-name": "mine"}),
        json!({"loadBalancerName": "the-class-lb"}),
    );
    let name = |b: &GroupBuild| b.model.load_balancer.as_ref().unwrap().name.clone();
    assert_eq!(name(&without), "mine");
    assert_eq!(name(&with), "the-class-lb");
    let (bad, _) = with_and_without(json!({}), json!({"loadBalancerName": "x".repeat(33)}));
    assert!(
        held(&bad)[0].contains("loadBalancerName"),
        "{:?}",
        held(&bad)
    );
}

#[test]
fn members_of_one_class_agree_whatever_their_annotations_say() {
    let a = member_with("a", "one", 0, json!({"scheme": "internal"}));
    let b = member_with("b", "two", 1, json!({"scheme": "internet-facing"}));
    let mut c = Cluster::with([service("a", "web"), service("b", "web")]);
    assert_eq!(conflicts(&c.build(&shop(), &[&a, &b])).len(), 1);
    let p = params("p", json!({"scheme": "internet-facing"}));
    c.params.insert(key("a", "one"), p);
    c.params.insert(key("b", "two"), p);
    let build = c.build(&shop(), &[&a, &b]);
    assert!(held(&build).is_empty(), "{:?}", held(&build));
    assert_eq!(
        build.model.load_balancer.unwrap().scheme,
        Scheme::InternetFacing
    );
}

#[test]
fn members_of_different_classes_conflict_on_the_values_in_effect() {
    let a = member_with("a", "one", 0, json!({}));
    let b = member_with("b", "two", 1, json!({"scheme": "internal"}));
    let mut c = Cluster::with([service("a", "web"), service("b", "web")]);
    c.params.insert(
        key("a", "one"),
        params("public", json!({"scheme": "internet-facing"})),
    );
    let build = c.build(&shop(), &[&a, &b]);
    assert_eq!(
        conflicts(&build),
        [(
            "b/two".to_owned(),
            ConflictField::Scheme,
            "a/one".to_owned()
        )]
    );
    assert_eq!(
        build.model.load_balancer.unwrap().scheme,
        Scheme::InternetFacing
    );
    // The held-back member's own fault is the params' when they are what is wrong.
    let mut c = Cluster::with([service("a", "web")]);
    c.params.insert(
        key("a", "one"),
        params("bad", json!({"sslRedirectPort": "0"})),
    );
    let build = c.build(&shop(), &[&a]);
    let reasons: Vec<_> = build.held_back().map(|(_, r)| r.clone()).collect();
    assert!(
        matches!(&reasons[..], [HoldReason::Invalid(MemberError::Params { params, field: "sslRedirectPort", .. })] if params == "bad"),
        "{reasons:?}"
    );
}
