//! The Kubernetes objects the scenario feeds the daemon's Ingress builder: Services named as the loadtest
//! scenarios name theirs (`apps/svc-NNNN`, port `http` 80 → 8080), and Ingresses in explicit groups.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::json;

/// Every object's namespace.
pub const NAMESPACE: &str = "apps";

/// One Ingress as the scenario edits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDesc {
    /// Its name in [`NAMESPACE`].
    pub name: String,
    /// Its group's index.
    pub group: usize,
    /// `group.order`.
    pub order: i32,
    /// Its paths, each `(path, Service index)`; even positions are Exact, odd ones Prefix.
    pub paths: Vec<(String, usize)>,
}

/// The explicit name of group `g`.
pub fn group_name(g: usize) -> String {
    format!("churn-{g}")
}

/// The name of Service `i`, as the rolling-update scenario names its Services.
pub fn service_name(i: usize) -> String {
    format!("svc-{i:04}")
}

/// Service `i`: port `http` 80 → target port 8080.
pub fn service(i: usize) -> Result<Service, serde_json::Error> {
    serde_json::from_value(json!({
        "metadata": {"namespace": NAMESPACE, "name": service_name(i), "uid": format!("uid-{i}")},
        "spec": {"type": "ClusterIP", "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
    }))
}

/// The Ingress `m` describes: ip targets, one host, its paths onto port 80 of their Services.
pub fn ingress(m: &MemberDesc) -> Result<Ingress, serde_json::Error> {
    let paths: Vec<_> = m
        .paths
        .iter()
        .enumerate()
        .map(|(i, (p, svc))| {
            let path_type = if i % 2 == 0 { "Exact" } else { "Prefix" };
            json!({"path": p, "pathType": path_type,
                   "backend": {"service": {"name": service_name(*svc), "port": {"number": 80}}}})
        })
        .collect();
    serde_json::from_value(json!({
        "metadata": {
            "namespace": NAMESPACE,
            "name": m.name,
            "annotations": {
                "alb.ingress.kubernetes.io/group.name": group_name(m.group),
                "alb.ingress.kubernetes.io/group.order": m.order.to_string(),
                "alb.ingress.kubernetes.io/target-type": "ip",
            },
        },
        "spec": {
            "ingressClassName": "alb",
            "rules": [{"host": format!("{}.example.com", m.name), "http": {"paths": paths}}],
        },
    }))
}
