//! Members that fail to parse or conflict with an earlier member are held back; the rest is built as if
//! they were not there, and a held-back member's previous contribution keeps its rules in place.

use serde_json::json;

use super::super::{Conflict, ConflictField, HoldReason, Lookups, MemberError, MemberStatus};
use super::fixtures::*;
use crate::ingress::annotations::Problem;

fn base() -> Vec<k8s_openapi::api::networking::v1::Ingress> {
    vec![
        ingress(
            "a",
            "first",
            json!({"group.name": "shop", "group.order": "-10", "scheme": "internal", "tags": "team=a"}),
            json!({"rules": host_rules(&[("a.example.com", &[("/", "Prefix", "web")])])}),
        ),
        member(
            "b",
            "middle",
            0,
            &[("b.example.com", &[("/v1", "Prefix", "api")])],
        ),
        member("c", "last", 10, &[("", &[("/static", "Prefix", "files")])]),
    ]
}

fn cluster() -> Cluster {
    Cluster::with([
        service("a", "web"),
        service("b", "api"),
        service("c", "files"),
        service("d", "x"),
    ])
}

fn fourth(annotations: serde_json::Value) -> k8s_openapi::api::networking::v1::Ingress {
    let mut a = json!({"group.name": "shop", "group.order": "20"});
    for (k, v) in annotations.as_object().unwrap() {
        a[k] = v.clone();
    }
    ingress(
        "d",
        "fourth",
        a,
        json!({"rules": host_rules(&[("d.example.com", &[("/", "Prefix", "x")])])}),
    )
}

#[test]
fn a_conflicting_fourth_member_is_held_back_naming_the_field_and_the_other_member() {
    let c = cluster();
    let members = base();
    let three: Vec<_> = members.iter().collect();
    let before = c.build(&shop(), &three);
    let bad = fourth(json!({"scheme": "internet-facing"}));
    let mut four = three.clone();
    four.push(&bad);
    let after = c.build(&shop(), &four);
    let held: Vec<_> = after.held_back().collect();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].0, &key("d", "fourth"));
    assert_eq!(
        held[0].1,
        &HoldReason::Conflict(Box::new(Conflict {
            field: ConflictField::Scheme,
            with: key("a", "first"),
            ours: "internet-facing".into(),
            theirs: "internal".into(),
        }))
    );
    let message = held[0].1.to_string();
    assert!(
        message.contains("scheme") && message.contains("a/first"),
        "{message}"
    );
    // The others are untouched: the model is the one without the fourth.
    assert_eq!(after.model, before.model);
    assert!(after.is_applicable());
}

#[test]
fn every_exclusive_field_conflicts_with_the_member_that_set_it_first() {
    let c = cluster();
    let members = base();
    let cases = [
        (
            json!({"scheme": "internet-facing"}),
            ConflictField::Scheme,
            "a/first",
        ),
        (
            json!({"tags": "team=d"}),
            ConflictField::Tag("team".into()),
            "a/first",
        ),
    ];
    for (annotations, field, with) in cases {
        let bad = fourth(annotations.clone());
        let all: Vec<_> = members.iter().chain([&bad]).collect();
        let b = c.build(&shop(), &all);
        assert_eq!(
            conflicts(&b),
            [("d/fourth".into(), field, with.into())],
            "{annotations}"
        );
    }
    // Fields only the fourth and a fifth set: the fifth is held back, naming the fourth.
    let pairs = [
        (
            "ip-address-type",
            "ipv4",
            "dualstack",
            ConflictField::IpAddressType,
        ),
        (
            "load-balancer-name",
            "shop-a",
            "shop-b",
            ConflictField::LoadBalancerName,
        ),
        (
            "subnets",
            "subnet-1,subnet-2",
            "subnet-3,subnet-4",
            ConflictField::Subnets,
        ),
        (
            "security-groups",
            "sg-1",
            "sg-2",
            ConflictField::SecurityGroups,
        ),
        (
            "load-balancer-attributes",
            "idle_timeout.timeout_seconds=60",
            "idle_timeout.timeout_seconds=120",
            ConflictField::LoadBalancerAttribute("idle_timeout.timeout_seconds".into()),
        ),
        (
            "inbound-cidrs",
            "10.0.0.0/8",
            "192.168.0.0/16",
            ConflictField::InboundCidrs(80),
        ),
    ];
    for (suffix, one, other, field) in pairs {
        let d = fourth(json!({suffix: one}));
        let mut e = fourth(json!({suffix: other}));
        e.metadata.namespace = Some("e".into());
        e.metadata.name = Some("fifth".into());
        let all: Vec<_> = members.iter().chain([&d, &e]).collect();
        let b = c.build(&shop(), &all);
        assert_eq!(
            conflicts(&b),
            [("e/fifth".into(), field, "d/fourth".into())],
            "{suffix}"
        );
        // The same value twice is no conflict.
        let mut same = fourth(json!({suffix: one}));
        same.metadata.name = Some("same".into());
        let all: Vec<_> = members.iter().chain([&d, &same]).collect();
        assert!(
            c.build(&shop(), &all).held_back().next().is_none(),
            "{suffix}"
        );
    }
}

#[test]
fn a_member_that_fails_to_parse_is_held_back_with_the_annotation_named() {
    let c = cluster();
    let members = base();
    let bad = fourth(json!({"listen-ports": "[{\"HTTP\": \"80\"}]"}));
    let all: Vec<_> = members.iter().chain([&bad]).collect();
    let b = c.build(&shop(), &all);
    let held: Vec<_> = b.held_back().collect();
    let [(k, HoldReason::Invalid(MemberError::Annotation(e)))] = held[..] else {
        panic!("{held:?}");
    };
    assert_eq!(k, &key("d", "fourth"));
    assert_eq!(e.annotation, format!("{P}listen-ports"));
    assert!(matches!(e.problem, Problem::Json(_)));
    // A bad group.order too.
    let bad = fourth(json!({"group.order": "1001"}));
    let all: Vec<_> = members.iter().chain([&bad]).collect();
    let b = c.build(&shop(), &all);
    assert!(matches!(
        b.held_back().next(),
        Some((_, HoldReason::Invalid(MemberError::Annotation(_))))
    ));
}

#[test]
fn a_held_back_member_keeps_its_previous_rules_in_its_place() {
    let c = cluster();
    let members = base();
    let refs: Vec<_> = members.iter().collect();
    let deployed = c.build(&shop(), &refs);
    let previous = applied(&deployed);
    // The middle member breaks: with its previous contribution, nothing in the model changes.
    let mut broken = members.clone();
    broken[1]
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert(format!("{P}ssl-redirect"), "https".into());
    let refs: Vec<_> = broken.iter().collect();
    let kept = c.build_after(&shop(), &refs, &previous);
    assert!(matches!(
        &kept.members[1].status,
        MemberStatus::HeldBack {
            kept_previous: true,
            ..
        }
    ));
    assert_eq!(kept.model, deployed.model);
    // Without one (say, after a restart) its rules are left out and the others close up.
    let dropped = c.build(&shop(), &refs);
    assert!(matches!(
        &dropped.members[1].status,
        MemberStatus::HeldBack {
            kept_previous: false,
            ..
        }
    ));
    assert_eq!(
        show(&dropped.model.listeners[&80]),
        ["a.example.com /*", "/static|/static/*"]
    );
}

#[test]
fn a_group_whose_every_member_is_held_back_is_not_applicable() {
    let c = cluster();
    let bad = fourth(json!({"scheme": "public"}));
    let b = c.build(&shop(), &[&bad]);
    assert!(b.model.load_balancer.is_none());
    assert!(!b.is_applicable());
    // No members at all: the empty model deletes the stack, as it should.
    let empty = c.build(&shop(), &[]);
    assert!(empty.model.load_balancer.is_none() && empty.is_applicable());
}

#[test]
fn names_resolve_to_ids_and_an_unknown_name_holds_the_member_back() {
    let mut c = cluster();
    c.lookups = Lookups {
        target_groups: [("legacy".to_owned(), "arn:aws:tg/legacy".to_owned())].into(),
        subnets: [("public-a".to_owned(), "subnet-9".to_owned())].into(),
        security_groups: [("web".to_owned(), "sg-7".to_owned())].into(),
    };
    let members = base();
    let named = fourth(json!({
        "subnets": "public-a,subnet-1",
        "security-groups": "web",
        "actions.x": r#"{"type":"forward","targetGroupName":"legacy"}"#,
    }));
    let mut d = named.clone();
    d.spec.as_mut().unwrap().rules.as_mut().unwrap()[0]
        .http
        .as_mut()
        .unwrap()
        .paths[0]
        .backend
        .service
        .as_mut()
        .unwrap()
        .port = Some(k8s_openapi::api::networking::v1::ServiceBackendPort {
        name: Some("use-annotation".into()),
        number: None,
    });
    let all: Vec<_> = members.iter().chain([&d]).collect();
    let b = c.build(&shop(), &all);
    assert_eq!(
        b.held_back().count(),
        0,
        "{:?}",
        b.held_back().collect::<Vec<_>>()
    );
    let lb = b.model.load_balancer.as_ref().unwrap();
    assert_eq!(lb.subnets, ["subnet-1", "subnet-9"]);
    assert_eq!(
        lb.security_groups,
        [tgsync_actors::stack::SgRef::Id("sg-7".into())]
    );
    let forwards_legacy = b.model.listeners.values().flat_map(|l| &l.rules).any(|r| {
        matches!(&r.actions[..], [tgsync_actors::stack::Action::Forward { groups, .. }]
            if groups.iter().any(|g| g.tg == tgsync_actors::stack::TgRef::Arn("arn:aws:tg/legacy".into())))
    });
    assert!(forwards_legacy, "{:#?}", b.model.listeners);

    // The same member naming a subnet the VPC lacks is held back, naming it; the others are applied.
    let mut unknown = d.clone();
    unknown
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert(format!("{P}subnets"), "public-z".into());
    let all: Vec<_> = members.iter().chain([&unknown]).collect();
    let b = c.build(&shop(), &all);
    let held: Vec<_> = b.held_back().collect();
    let [(k, HoldReason::Invalid(e @ MemberError::UnknownName { .. }))] = held[..] else {
        panic!("{held:?}");
    };
    assert_eq!(k, &key("d", "fourth"));
    assert_eq!(
        e.to_string(),
        "no subnet with Name tag \"public-z\" in the VPC"
    );
    assert!(b.model.load_balancer.is_some());
}
