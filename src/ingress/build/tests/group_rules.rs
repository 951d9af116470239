//! Three Ingresses in one group: listeners and rules in member order with dense priorities; an edit of the
//! middle one changes only its rules.

use tgsync_actors::stack::{Action, Protocol};

use super::fixtures::*;

fn three(middle_paths: &[(&str, &str, &str)]) -> Vec<k8s_openapi::api::networking::v1::Ingress> {
    vec![
        member(
            "a",
            "first",
            -10,
            &[("a.example.com", &[("/", "Prefix", "web")])],
        ),
        member("b", "middle", 0, &[("b.example.com", middle_paths)]),
        member(
            "c",
            "last",
            10,
            &[(
                "",
                &[
                    ("/static", "Prefix", "files"),
                    ("/health", "Exact", "files"),
                ],
            )],
        ),
    ]
}

fn cluster() -> Cluster {
    Cluster::with([
        service("a", "web"),
        service("b", "api"),
        service("b", "admin"),
        service("c", "files"),
    ])
}

#[test]
fn three_members_share_one_listener_with_rules_in_member_then_path_order() {
    let members = three(&[
        ("/v1", "Prefix", "api"),
        ("/admin/", "Prefix", "admin"),
        ("/login", "Exact", "api"),
    ]);
    // Given in any order: the builder puts members in group order.
    let refs = [&members[2], &members[0], &members[1]];
    let b = cluster().build(&shop(), &refs);
    assert!(
        b.held_back().next().is_none(),
        "{:?}",
        b.held_back().collect::<Vec<_>>()
    );
    let order: Vec<_> = b.members.iter().map(|m| m.key.to_string()).collect();
    assert_eq!(order, ["a/first", "b/middle", "c/last"]);
    let m = &b.model;
    assert_eq!(m.listeners.keys().copied().collect::<Vec<_>>(), [80]);
    let l = &m.listeners[&80];
    assert_eq!(l.protocol, Protocol::Http);
    assert_eq!(l.default_action, Action::fixed("404", None));
    assert_eq!(
        show(l),
        [
            "a.example.com /*",
            "b.example.com /login",
            "b.example.com /admin|/admin/*",
            "b.example.com /v1|/v1/*",
            "/health",
            "/static|/static/*",
        ]
    );
    // Each rule forwards to its own (ingress, service, port) target group.
    assert_eq!(l.rules[0].actions, [Action::forward_to("a/first-web:80")]);
    assert_eq!(
        l.rules[2].actions,
        [Action::forward_to("b/middle-admin:80")]
    );
    assert_eq!(
        m.target_groups.keys().cloned().collect::<Vec<_>>(),
        [
            "a/first-web:80",
            "b/middle-admin:80",
            "b/middle-api:80",
            "c/last-files:80"
        ]
    );
    let lb = m.load_balancer.as_ref().unwrap();
    assert!(lb.name.starts_with("k8s-shop-") && lb.name.len() <= 32);
    assert_eq!(lb.subnets, ["subnet-a", "subnet-b"]);
    assert_eq!(lb.tags["ingress.k8s.aws/stack"], "shop");
    assert_eq!(lb.tags["ingress.k8s.aws/resource"], "LoadBalancer");
    assert_eq!(lb.tags["elbv2.k8s.aws/cluster"], CLUSTER);
    assert_eq!(l.tags["ingress.k8s.aws/resource"], "80");
}

#[test]
fn editing_the_middle_member_changes_only_its_rules() {
    let before = three(&[("/v1", "Prefix", "api")]);
    let after = three(&[("/v1", "Prefix", "api"), ("/v2", "Prefix", "api")]);
    let c = cluster();
    let b1 = c.build(&shop(), &before.iter().collect::<Vec<_>>());
    let b2 = c.build(&shop(), &after.iter().collect::<Vec<_>>());
    let (r1, r2) = (
        &b1.model.listeners[&80].rules,
        &b2.model.listeners[&80].rules,
    );
    assert_eq!(
        show(&b1.model.listeners[&80]),
        [
            "a.example.com /*",
            "b.example.com /v1|/v1/*",
            "/health",
            "/static|/static/*"
        ]
    );
    assert_eq!(r2.len(), r1.len() + 1);
    // The first member's rules keep their place; the last member's rules keep their content.
    assert_eq!(r1[0], r2[0]);
    assert_eq!(r1[2..], r2[3..]);
    assert_eq!(show_rule(&r2[2]), "b.example.com /v2|/v2/*");
    // Nothing else in the model moved.
    assert_eq!(b1.model.load_balancer, b2.model.load_balancer);
    assert_eq!(b1.model.target_groups, b2.model.target_groups);
    assert_eq!(b1.model.security_group, b2.model.security_group);
}

#[test]
fn the_same_input_builds_the_same_model() {
    let members = three(&[("/v1", "Prefix", "api")]);
    let refs: Vec<_> = members.iter().collect();
    let c = cluster();
    assert_eq!(c.build(&shop(), &refs).model, c.build(&shop(), &refs).model);
}
