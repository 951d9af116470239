//! Default actions (ssl-redirect, the one default backend, else 404) and the actions of rules: forward,
//! `actions.*`, and fixed 503s for missing Services and actions.

use serde_json::json;
use tgsync_actors::stack::{Action, Condition, Redirect, TgRef, WeightedTg};

use super::super::{ConflictField, HoldReason, MemberError};
use super::fixtures::*;

#[test]
fn ssl_redirect_makes_plain_http_redirect_with_no_rules() {
    let c = Cluster::with([service("a", "web")]);
    let a = ingress(
        "a",
        "one",
        json!({"listen-ports": r#"[{"HTTP":80},{"HTTPS":443}]"#, "certificate-arn": "arn:a", "ssl-redirect": "443"}),
        json!({"rules": host_rules(&[("a.example.com", &[("/", "Prefix", "web")])])}),
    );
    let b = c.build(&crate::ingress::GroupId::Implicit(key("a", "one")), &[&a]);
    let http = &b.model.listeners[&80];
    assert_eq!(
        http.default_action,
        Action::Redirect(Redirect {
            protocol: Some("HTTPS".into()),
            port: Some("443".into()),
            status_code: "HTTP_301".into(),
            ..Redirect::default()
        })
    );
    assert!(http.rules.is_empty());
    assert_eq!(show(&b.model.listeners[&443]), ["a.example.com /*"]);
    // Implicit group: the load balancer is named after the Ingress.
    assert!(b
        .model
        .load_balancer
        .unwrap()
        .name
        .starts_with("k8s-a-one-"));
}

#[test]
fn ssl_redirect_to_a_port_that_is_not_https_holds_the_member_back() {
    let c = Cluster::with([service("a", "web")]);
    let a = ingress(
        "a",
        "one",
        json!({"group.name": "shop", "ssl-redirect": "443"}),
        json!({"rules": host_rules(&[("", &[("/", "Prefix", "web")])])}),
    );
    let b = c.build(&shop(), &[&a]);
    assert_eq!(
        b.held_back().next().unwrap().1,
        &HoldReason::Invalid(MemberError::SslRedirectPort(443))
    );
}

#[test]
fn the_one_default_backend_else_404() {
    let c = Cluster::with([service("a", "web"), service("b", "web")]);
    let backend = json!({"service": {"name": "web", "port": {"name": "http"}}});
    let a = ingress(
        "a",
        "one",
        json!({"group.name": "shop"}),
        json!({"defaultBackend": backend}),
    );
    let b = ingress(
        "b",
        "two",
        json!({"group.name": "shop"}),
        json!({"defaultBackend": backend}),
    );
    let build = c.build(&shop(), &[&a, &b]);
    let l = &build.model.listeners[&80];
    assert_eq!(l.default_action, Action::forward_to("a/one-web:http"));
    assert!(l.rules.is_empty());
    assert_eq!(
        conflicts(&build),
        [(
            "b/two".into(),
            ConflictField::DefaultBackend(80),
            "a/one".into()
        )]
    );
    let none = c.build(&shop(), &[&member("c", "x", 0, &[])]);
    assert_eq!(
        none.model.listeners[&80].default_action,
        Action::fixed("404", None)
    );
}

#[test]
fn missing_services_and_actions_answer_503_and_a_missing_port_is_an_error() {
    let c = Cluster::with([service("a", "web")]);
    let a = ingress(
        "a",
        "one",
        json!({"group.name": "shop"}),
        json!({"rules": [{"http": {"paths": [
            path("/gone", "Exact", "gone", json!({"number": 80})),
            path("/act", "Exact", "nothing", json!({"name": "use-annotation"})),
        ]}}]}),
    );
    let b = c.build(&shop(), &[&a]);
    let l = &b.model.listeners[&80];
    assert_eq!(
        l.rules[0].actions,
        [Action::fixed("503", Some("Backend service does not exist"))]
    );
    assert_eq!(
        l.rules[1].actions,
        [Action::fixed("503", Some("Backend action does not exist"))]
    );
    assert!(b.model.target_groups.is_empty());
    let bad_port = ingress(
        "a",
        "two",
        json!({"group.name": "shop"}),
        json!({"rules": [{"http": {"paths": [path("/", "Prefix", "web", json!({"number": 81}))]}}]}),
    );
    let b = c.build(&shop(), &[&bad_port]);
    assert_eq!(
        b.held_back().next().unwrap().1,
        &HoldReason::Invalid(MemberError::NoServicePort {
            service: "a/web".into(),
            port: "81".into()
        })
    );
}

#[test]
fn annotation_actions_and_conditions_are_used_by_name() {
    let c = Cluster::with([service("a", "blue"), service("a", "green")]);
    let a = ingress(
        "a",
        "one",
        json!({
            "group.name": "shop",
            "actions.split": r#"{"type":"forward","forwardConfig":{"targetGroups":[
                {"serviceName":"green","servicePort":80,"weight":10},
                {"serviceName":"blue","servicePort":"http","weight":90},
                {"targetGroupARN":"arn:tg","weight":0}],
                "targetGroupStickinessConfig":{"enabled":true,"durationSeconds":60}}}"#,
            "conditions.split": r#"[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["1"]}}]"#,
            "actions.teapot": r#"{"type":"fixed-response","fixedResponseConfig":{"statusCode":"418"}}"#,
        }),
        json!({"rules": [{"host": "a.example.com", "http": {"paths": [
            path("/split", "Exact", "split", json!({"name": "use-annotation"})),
            path("/tea", "Exact", "teapot", json!({"name": "use-annotation"})),
        ]}}]}),
    );
    let b = c.build(&shop(), &[&a]);
    let l = &b.model.listeners[&80];
    let weighted = |tg: TgRef, w| WeightedTg {
        tg,
        weight: Some(w),
    };
    assert_eq!(
        l.rules[0].actions,
        [Action::Forward {
            groups: vec![
                weighted(TgRef::Model("a/one-blue:http".into()), 90),
                weighted(TgRef::Model("a/one-green:80".into()), 10),
                weighted(TgRef::Arn("arn:tg".into()), 0),
            ],
            stickiness_seconds: Some(60),
        }]
    );
    assert_eq!(
        l.rules[0].conditions,
        [
            Condition::HostHeader(s(&["a.example.com"])),
            Condition::PathPattern(s(&["/split"])),
            Condition::HttpHeader {
                name: "X-Canary".into(),
                values: s(&["1"])
            },
        ]
    );
    assert_eq!(
        l.rules[1].actions,
        [Action::FixedResponse {
            status_code: "418".into(),
            content_type: None,
            body: None
        }]
    );
    assert_eq!(b.model.target_groups.len(), 2);
}

#[test]
fn wildcards_in_exact_or_prefix_paths_hold_the_member_back() {
    let c = Cluster::with([service("a", "web")]);
    let a = member("a", "one", 0, &[("", &[("/img/*", "Prefix", "web")])]);
    let b = c.build(&shop(), &[&a]);
    assert_eq!(
        b.held_back().next().unwrap().1,
        &HoldReason::Invalid(MemberError::Wildcard("/img/*".into()))
    );
    let ok = member(
        "a",
        "one",
        0,
        &[("", &[("/img/*", "ImplementationSpecific", "web")])],
    );
    assert!(c.build(&shop(), &[&ok]).held_back().next().is_none());
}
