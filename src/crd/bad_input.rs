//! Property tests: any binding the API server could hand over (the CRD schema is loose; `kubectl apply` of
//! an old or hand-edited object gets through) is accepted or refused by `validate` and `check_immutable`,
//! never panics them, and what `validate` accepts is a binding tgsync can serve.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{check_immutable, validate, TargetGroupBinding, TargetGroupBindingSpec, TargetType};
use crate::arb_json::{any_json, config, nasty, path, replace_at};

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

/// A value for a spec field: one of `plausible`, or anything at all, or nothing.
fn field(plausible: &'static [&'static str]) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        2 => Just(None),
        3 => prop::sample::select(plausible).prop_map(|s| Some(json!(s))),
        1 => ".{0,24}".prop_map(|s| Some(json!(s))),
        1 => nasty().prop_map(Some),
    ]
    .boxed()
}

fn port() -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        1 => Just(None),
        3 => any::<i64>().prop_map(|p| Some(json!(p))),
        3 => (-2i64..70_000).prop_map(|p| Some(json!(p))),
        2 => "[a-z0-9-]{0,15}".prop_map(|s| Some(json!(s))),
        1 => nasty().prop_map(Some),
    ]
    .boxed()
}

fn service_ref() -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        1 => Just(None),
        6 => (field(&["web", ""]), port()).prop_map(|(name, port)| {
            let mut m = Map::new();
            m.extend(name.map(|v| ("name".to_owned(), v)));
            m.extend(port.map(|v| ("port".to_owned(), v)));
            Some(Value::Object(m))
        }),
        1 => nasty().prop_map(Some),
    ]
    .boxed()
}

/// A spec object, each field absent, plausible, odd or of the wrong type.
fn spec_json() -> BoxedStrategy<Value> {
    let arns = &[
        ARN,
        "",
        "arn:aws:elasticloadbalancing:x:y:loadbalancer/app/a/1",
        "arn:::::targetgroup/",
    ];
    let selector = prop_oneof![
        2 => Just(None),
        1 => Just(Some(json!({}))),
        1 => Just(Some(json!({"matchLabels": {"pool": "web"}}))),
        1 => any_json().prop_map(Some),
    ];
    let other = prop_oneof![2 => Just(None), 1 => any_json().prop_map(Some)];
    (
        (
            field(arns),
            field(&["web", ""]),
            field(&["ip", "instance", "IP", ""]),
        ),
        (
            service_ref(),
            selector,
            field(&["ipv4", "ipv6", "dualstack"]),
        ),
        (other.clone(), other.clone(), other.clone(), other),
    )
        .prop_map(
            |((arn, name, kind), (sref, sel, family), (vpc, multi, proto, net))| {
                let fields = [
                    ("targetGroupARN", arn),
                    ("targetGroupName", name),
                    ("targetType", kind),
                    ("serviceRef", sref),
                    ("nodeSelector", sel),
                    ("ipAddressType", family),
                    ("vpcID", vpc),
                    ("multiClusterTargetGroup", multi),
                    ("targetGroupProtocol", proto),
                    ("networking", net),
                ];
                let m = fields
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?)));
                Value::Object(m.collect())
            },
        )
        .boxed()
}

/// `validate` is total and what it accepts can be served: a target group to find, a target type, a Service
/// name and a real port, and no node selector on ip targets.
fn check_spec(spec: &TargetGroupBindingSpec) {
    let Err(e) = validate(spec) else {
        let arn = spec.target_group_arn.as_deref().filter(|a| !a.is_empty());
        let name = spec.target_group_name.as_deref().filter(|n| !n.is_empty());
        assert!(arn.is_some_and(|a| a.starts_with("arn:")) || (arn.is_none() && name.is_some()));
        assert!(spec.target_type.is_some());
        assert!(spec.target_type == Some(TargetType::Instance) || spec.node_selector.is_none());
        assert!(!spec.service_ref.name.is_empty());
        match &spec.service_ref.port {
            IntOrString::Int(p) => assert!((1..=65535).contains(p), "{p}"),
            IntOrString::String(s) => assert!(!s.is_empty()),
        }
        return;
    };
    assert!(!e.to_string().is_empty() && !e.reason().is_empty());
}

/// `check_immutable` is total, accepts no change, and refuses a change either way round.
fn check_pair(was: &TargetGroupBindingSpec, now: &TargetGroupBindingSpec) {
    assert_eq!(check_immutable(was, was), Ok(()));
    let forward = check_immutable(was, now);
    assert_eq!(forward.is_ok(), check_immutable(now, was).is_ok());
    match forward {
        Ok(()) => {
            assert_eq!(was.target_group_arn, now.target_group_arn);
            assert_eq!(was.target_group_name, now.target_group_name);
            assert_eq!(was.target_type, now.target_type);
        }
        Err(e) => assert_eq!(e.reason(), "ImmutableFieldChanged"),
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_spec_is_accepted_or_refused(was in spec_json(), now in spec_json()) {
        let was = serde_json::from_value::<TargetGroupBindingSpec>(was).ok();
        let now = serde_json::from_value::<TargetGroupBindingSpec>(now).ok();
        for spec in was.iter().chain(&now) {
            check_spec(spec);
        }
        if let (Some(was), Some(now)) = (&was, &now) {
            check_pair(was, now);
        }
    }

    #[test]
    fn any_json_as_a_spec_is_accepted_or_refused(value in any_json()) {
        if let Ok(spec) = serde_json::from_value::<TargetGroupBindingSpec>(value) {
            check_spec(&spec);
        }
    }

    #[test]
    fn a_binding_with_one_bad_value_is_accepted_or_refused(at in path(5), with in nasty()) {
        let mut doc = json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
            "metadata": {"name": "web", "namespace": "shop", "generation": 2},
            "spec": {"targetGroupARN": ARN, "targetType": "instance", "ipAddressType": "ipv4",
                     "serviceRef": {"name": "web", "port": 80}, "nodeSelector": {"matchLabels": {"a": "b"}}},
        });
        let original: TargetGroupBinding = serde_json::from_value(doc.clone()).expect("the fixture decodes");
        prop_assert_eq!(validate(&original.spec), Ok(()));
        replace_at(&mut doc, &at, with);
        let bytes = serde_json::to_vec(&doc).expect("a Value serializes");
        if let Ok(binding) = serde_json::from_slice::<TargetGroupBinding>(&bytes) {
            check_spec(&binding.spec);
            check_pair(&original.spec, &binding.spec);
        }
    }
}
