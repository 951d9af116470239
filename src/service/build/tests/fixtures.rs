//! Services for the builder tests.

use k8s_openapi::api::core::v1::Service;
use serde_json::{json, Value};

use crate::annotations::SERVICE_PREFIX;
use crate::lookups::Lookups;
use crate::service::build::{build_service, ServiceError, ServiceInput};
use tgsync_actors::stack::{LoadBalancerSpec, StackModel};

/// A Service `shop/web` with `spec` and these annotations (suffixes).
pub fn svc(spec: Value, annotations: &[(&str, &str)]) -> Service {
    let annotations: serde_json::Map<String, Value> = annotations
        .iter()
        .map(|(k, v)| (format!("{SERVICE_PREFIX}{k}"), json!(v)))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "shop", "uid": "uid-1", "annotations": annotations},
        "spec": spec,
    }))
    .unwrap()
}

/// A LoadBalancer spec with these ports.
pub fn lb(ports: Value) -> Value {
    json!({"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb", "ports": ports})
}

/// Builds with two discovered subnets and no NLB yet.
pub fn build(svc: &Service) -> Result<StackModel, ServiceError> {
    build_with(svc, None, &Lookups::default())
}

/// Builds with two discovered subnets, `existing` and `lookups`.
pub fn build_with(
    svc: &Service,
    existing: Option<&LoadBalancerSpec>,
    lookups: &Lookups,
) -> Result<StackModel, ServiceError> {
    build_service(&ServiceInput {
        service: svc,
        cluster: "c1",
        subnets: &["subnet-b".into(), "subnet-a".into()],
        lookups,
        existing,
    })
}
