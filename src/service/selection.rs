//! Which Services are ours (spec B1), their finalizer, stack id and the labels of their bindings.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use tgsync_actors::stack::{StackId, StackKind};

use crate::annotations::Annotations;

/// `--load-balancer-class`'s default: the class the AWS Load Balancer Controller serves.
pub const DEFAULT_LOAD_BALANCER_CLASS: &str = "service.k8s.aws/nlb";
/// The finalizer a Service of ours carries while it has AWS resources.
pub const FINALIZER: &str = "service.k8s.aws/resources";
/// The annotation that selects a Service without a class.
pub const TYPE: &str = "aws-load-balancer-type";
/// The target type annotation (`ip` or `instance`).
pub const TARGET_TYPE: &str = "aws-load-balancer-nlb-target-type";

/// Whether `svc` gets an NLB from us: its `spec.loadBalancerClass` is `class`, or it has no class and
/// `aws-load-balancer-type` is `nlb-ip`, or `external` with a target type of `ip` or `instance` (absent
/// means `instance`). As in the LBC, the annotation path takes any Service type (ip mode works on a
/// ClusterIP Service) but ExternalName, which has no endpoints. A bad target type is the builder's error.
pub fn is_ours(svc: &Service, class: &str) -> bool {
    let Some(spec) = svc.spec.as_ref() else {
        return false;
    };
    if let Some(c) = &spec.load_balancer_class {
        return c == class;
    }
    if spec.type_.as_deref() == Some("ExternalName") {
        return false;
    }
    let a = Annotations::service(svc.metadata.annotations.as_ref());
    match a.string(TYPE).as_deref() {
        Some("nlb-ip") => true,
        Some("external") => matches!(
            a.string(TARGET_TYPE).as_deref(),
            None | Some("ip") | Some("instance")
        ),
        _ => false,
    }
}

/// The Service's stack: `service.k8s.aws/stack` = `<namespace>/<name>`.
pub fn stack_id(namespace: &str, name: &str) -> StackId {
    StackId {
        kind: StackKind::Service,
        id: format!("{namespace}/{name}"),
    }
}

/// The labels of the Service's TargetGroupBindings, as the LBC writes them.
pub fn stack_labels(namespace: &str, name: &str) -> BTreeMap<String, String> {
    [
        (
            "service.k8s.aws/stack-namespace".to_owned(),
            namespace.to_owned(),
        ),
        ("service.k8s.aws/stack-name".to_owned(), name.to_owned()),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn svc(spec: serde_json::Value, annotations: serde_json::Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "shop", "annotations": annotations},
            "spec": spec,
        }))
        .unwrap()
    }

    const C: &str = DEFAULT_LOAD_BALANCER_CLASS;

    #[test]
    fn the_class_decides_when_set() {
        let lb = json!({"type": "LoadBalancer", "loadBalancerClass": C});
        assert!(is_ours(&svc(lb.clone(), json!({})), C));
        assert!(!is_ours(&svc(lb, json!({})), "other/class"));
        // Another class wins over our annotation.
        let other = json!({"type": "LoadBalancer", "loadBalancerClass": "x/y"});
        let a = json!({"service.beta.kubernetes.io/aws-load-balancer-type": "external"});
        assert!(!is_ours(&svc(other, a), C));
    }

    #[test]
    fn without_a_class_the_type_annotation_decides() {
        let lb = json!({"type": "LoadBalancer"});
        let t = "service.beta.kubernetes.io/aws-load-balancer-type";
        let tt = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
        assert!(is_ours(&svc(lb.clone(), json!({t: "external"})), C));
        assert!(is_ours(
            &svc(lb.clone(), json!({t: "external", tt: "ip"})),
            C
        ));
        assert!(is_ours(
            &svc(lb.clone(), json!({t: "external", tt: "instance"})),
            C
        ));
        assert!(is_ours(&svc(lb.clone(), json!({t: "nlb-ip"})), C));
        assert!(!is_ours(
            &svc(lb.clone(), json!({t: "external", tt: "pod"})),
            C
        ));
        assert!(!is_ours(&svc(lb.clone(), json!({t: "nlb"})), C));
        assert!(!is_ours(&svc(lb, json!({})), C));
        let cluster_ip = json!({"type": "ClusterIP"});
        assert!(is_ours(
            &svc(cluster_ip, json!({t: "external", tt: "ip"})),
            C
        ));
        let external = json!({"type": "ExternalName", "externalName": "x.example.com"});
        assert!(!is_ours(&svc(external, json!({t: "external"})), C));
    }

    #[test]
    fn stack_id_and_labels_name_the_service() {
        let id = stack_id("shop", "web");
        assert_eq!(id.kind, StackKind::Service);
        assert_eq!(id.id, "shop/web");
        let tags = id.tags("c1", "LoadBalancer", &Default::default());
        assert_eq!(tags["service.k8s.aws/stack"], "shop/web");
        let labels = stack_labels("shop", "web");
        assert_eq!(labels["service.k8s.aws/stack-namespace"], "shop");
        assert_eq!(labels["service.k8s.aws/stack-name"], "web");
    }
}
