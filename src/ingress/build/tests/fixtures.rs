//! Objects from JSON and a cluster of Services to build groups against.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::{json, Value};
use tgsync_actors::stack::{Condition, ListenerSpec, RuleSpec};

use super::super::{
    build_group, ConflictField, Contribution, GroupBuild, GroupInput, HoldReason, Lookups,
    MemberStatus,
};
use crate::crd::IngressClassParams;
use crate::ingress::group::GroupId;
use crate::ingress::IngressKey;

pub const CLUSTER: &str = "c1";
pub const P: &str = "alb.ingress.kubernetes.io/";

/// `(path, pathType, service)`.
pub type PathSpec<'a> = (&'a str, &'a str, &'a str);
/// `(host, paths)`.
pub type HostRule<'a> = (&'a str, &'a [PathSpec<'a>]);

/// An Ingress; `annotations` keys without a `/` get the ALB prefix.
pub fn ingress(ns: &str, name: &str, annotations: Value, spec: Value) -> Ingress {
    let annotations: BTreeMap<String, Value> = annotations
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let k = if k.contains('/') {
                k.clone()
            } else {
                format!("{P}{k}")
            };
            (k, v.clone())
        })
        .collect();
    serde_json::from_value(json!({
        "metadata": {"namespace": ns, "name": name, "annotations": annotations},
        "spec": spec,
    }))
    .unwrap()
}

/// A member of group `shop` with `order`, host rules from `(host, [(path, pathType, service)])`.
pub fn member(ns: &str, name: &str, order: i32, rules: &[HostRule<'_>]) -> Ingress {
    ingress(
        ns,
        name,
        json!({"group.name": "shop", "group.order": order.to_string()}),
        json!({"rules": host_rules(rules)}),
    )
}

/// `spec.rules` from `(host, [(path, pathType, service)])`, every backend on port 80.
pub fn host_rules(rules: &[HostRule<'_>]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .map(|(host, paths)| {
            let paths: Vec<Value> = paths
                .iter()
                .map(|(p, t, s)| path(p, t, s, json!({"number": 80})))
                .collect();
            let mut r = json!({"http": {"paths": paths}});
            if !host.is_empty() {
                r["host"] = json!(host);
            }
            r
        })
        .collect();
    json!(rules)
}

/// One `http.paths` entry.
pub fn path(p: &str, path_type: &str, service: &str, port: Value) -> Value {
    json!({"path": p, "pathType": path_type, "backend": {"service": {"name": service, "port": port}}})
}

/// A NodePort Service: port 80 (`http`) → target 8080, nodePort 30080.
pub fn service(ns: &str, name: &str) -> Service {
    service_with(
        ns,
        name,
        json!({}),
        json!([
            {"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080}
        ]),
    )
}

/// A Service with its annotations and ports.
pub fn service_with(ns: &str, name: &str, annotations: Value, ports: Value) -> Service {
    serde_json::from_value(json!({
        "metadata": {"namespace": ns, "name": name, "uid": format!("uid-{ns}-{name}"), "annotations": annotations},
        "spec": {"type": "NodePort", "ports": ports},
    }))
    .unwrap()
}

/// Services to build against.
#[derive(Default)]
pub struct Cluster {
    pub services: BTreeMap<(String, String), Service>,
    /// What names resolve to in the VPC.
    pub lookups: Lookups,
    /// Each member's IngressClassParams.
    pub params: BTreeMap<IngressKey, &'static IngressClassParams>,
}

impl Cluster {
    pub fn with(services: impl IntoIterator<Item = Service>) -> Self {
        let services = services
            .into_iter()
            .map(|s| {
                let key = (
                    s.metadata.namespace.clone().unwrap(),
                    s.metadata.name.clone().unwrap(),
                );
                (key, s)
            })
            .collect();
        Self {
            services,
            lookups: Lookups::default(),
            params: BTreeMap::new(),
        }
    }

    pub fn build(&self, group: &GroupId, members: &[&Ingress]) -> GroupBuild {
        self.build_after(group, members, &BTreeMap::new())
    }

    pub fn build_after(
        &self,
        group: &GroupId,
        members: &[&Ingress],
        previous: &BTreeMap<IngressKey, Contribution>,
    ) -> GroupBuild {
        let lookup = |ns: &str, name: &str| self.services.get(&(ns.to_owned(), name.to_owned()));
        let subnets = ["subnet-b".to_owned(), "subnet-a".to_owned()];
        build_group(&GroupInput {
            group,
            cluster: CLUSTER,
            members,
            services: &lookup,
            subnets: &subnets,
            previous,
            lookups: &self.lookups,
            params: &self.params,
        })
    }
}

pub fn shop() -> GroupId {
    GroupId::Explicit("shop".into())
}

pub fn key(ns: &str, name: &str) -> IngressKey {
    IngressKey {
        namespace: ns.into(),
        name: name.into(),
    }
}

/// The contributions of the applied members, as the supervisor keeps them after a deploy.
pub fn applied(b: &GroupBuild) -> BTreeMap<IngressKey, Contribution> {
    b.members
        .iter()
        .filter_map(|m| match &m.status {
            MemberStatus::Applied(c) => Some((m.key.clone(), (**c).clone())),
            MemberStatus::HeldBack { .. } => None,
        })
        .collect()
}

/// Each rule as `host path-patterns...`, for readable assertions.
pub fn show(l: &ListenerSpec) -> Vec<String> {
    l.rules.iter().map(show_rule).collect()
}

pub fn show_rule(r: &RuleSpec) -> String {
    let mut parts = Vec::new();
    for c in &r.conditions {
        match c {
            Condition::HostHeader(h) => parts.push(h.join("|")),
            Condition::PathPattern(p) => parts.push(p.join("|")),
            other => parts.push(format!("{other:?}")),
        }
    }
    parts.join(" ")
}

pub fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// The held-back members that conflict: (member, field, the earlier member).
pub fn conflicts(b: &GroupBuild) -> Vec<(String, ConflictField, String)> {
    b.held_back()
        .filter_map(|(k, r)| match r {
            HoldReason::Conflict(c) => Some((k.to_string(), c.field.clone(), c.with.to_string())),
            _ => None,
        })
        .collect()
}
