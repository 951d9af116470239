//! One member's contribution, built from the Ingress, its annotations and the Services it names.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use tgsync_actors::stack::{BindingSpec, Protocol, RuleSpec, StackId, TargetGroupSpec};

use super::backend;
use super::contribution::{Contribution, ListenerWant};
use super::error::MemberError;
use super::lookups::Lookups;
use super::paths;
use super::rule;
use crate::crd::IngressClassParams;
use crate::ingress::annotations::IngressAnnotations;
use crate::ingress::group::GroupId;
use crate::ingress::key::IngressKey;

/// Finds a Service by namespace and name.
pub type ServiceLookup<'a> = dyn Fn(&str, &str) -> Option<&'a Service> + 'a;

/// What building one member needs, and the target groups it collects on the way.
pub struct MemberCtx<'a> {
    /// The cluster.
    pub cluster: &'a str,
    /// The group.
    pub group: &'a GroupId,
    /// The group's stack.
    pub stack: StackId,
    /// The Services of the cluster.
    pub services: &'a ServiceLookup<'a>,
    /// The member.
    pub ingress: &'a Ingress,
    /// Its key.
    pub key: IngressKey,
    /// Its parsed annotations, with its class's params applied.
    pub annotations: IngressAnnotations,
    /// What the names the annotations use were found to be.
    pub lookups: &'a Lookups,
    /// Its class's params (the target type and tags of its target groups).
    pub params: Option<&'a IngressClassParams>,
    /// Target groups collected so far.
    pub target_groups: BTreeMap<String, TargetGroupSpec>,
    /// Their bindings.
    pub bindings: BTreeMap<String, BindingSpec>,
}

/// Builds the contribution of the member in `cx`.
pub fn contribution(mut cx: MemberCtx<'_>) -> Result<Contribution, MemberError> {
    let listener = cx.annotations.listener.clone();
    let listeners = listener
        .ports()
        .into_iter()
        .map(|lp| {
            let https = lp.protocol == Protocol::Https;
            ListenerWant {
                port: lp.port,
                protocol: lp.protocol,
                certificates: if https {
                    listener.certificates.clone()
                } else {
                    Vec::new()
                },
                ssl_policy: listener.ssl_policy.clone().filter(|_| https),
                inbound_cidrs: listener.inbound_cidrs.clone(),
            }
        })
        .collect();
    let spec = cx.ingress.spec.as_ref();
    let mut rules = Vec::new();
    for ingress_rule in spec.and_then(|s| s.rules.as_ref()).into_iter().flatten() {
        let Some(http) = &ingress_rule.http else {
            continue;
        };
        for (kind, path) in paths::sorted(&http.paths)? {
            let patterns = paths::patterns(kind, path.path.as_deref())?;
            let action = backend::action(&mut cx, &path.backend, path.path.as_deref())?;
            let extra = path
                .backend
                .service
                .as_ref()
                .and_then(|s| cx.annotations.conditions.get(&s.name))
                .map(Vec::as_slice)
                .unwrap_or_default();
            rules.push(RuleSpec {
                conditions: rule::conditions(ingress_rule.host.as_deref(), patterns, extra),
                actions: vec![action],
            });
        }
    }
    let default_action = match spec.and_then(|s| s.default_backend.as_ref()) {
        Some(b) => Some(backend::action(&mut cx, b, None)?),
        None => None,
    };
    let mut load_balancer = cx.annotations.load_balancer.clone();
    if let Some(s) = &mut load_balancer.subnets {
        *s = cx.lookups.ids(s, false)?;
        s.sort();
        s.dedup();
    }
    if let Some(g) = &mut load_balancer.security_groups {
        *g = cx.lookups.ids(g, true)?;
    }
    Ok(Contribution {
        load_balancer,
        ssl_redirect: listener.ssl_redirect,
        listeners,
        rules,
        default_action,
        target_groups: cx.target_groups,
        bindings: cx.bindings,
    })
}
