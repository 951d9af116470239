//! The merged group as a `StackModel`: the load balancer, its listeners with their default actions and
//! rules (priority = place in the list), the managed security group, the target groups and bindings.

use std::collections::BTreeMap;

use tgsync_actors::stack::{
    Action, IpAddressType, LbKind, ListenerSpec, LoadBalancerSpec, Permission, Protocol, Redirect,
    Scheme, SecurityGroupSpec, SgRef, StackId, StackModel, Tags,
};

use super::merge::{GroupState, ListenerState};
use super::names;
use crate::ingress::annotations::DEFAULT_SSL_POLICY;
use crate::ingress::group::GroupId;

/// The managed security group's resource id.
pub const MANAGED_SG: &str = "ManagedLBSecurityGroup";
/// The load balancer's resource id.
pub const LOAD_BALANCER: &str = "LoadBalancer";
/// Who may reach a listener when no member names `inbound-cidrs`.
const EVERYONE: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// What finishing needs besides the merged group.
pub struct FinishCtx<'a> {
    /// The group.
    pub group: &'a GroupId,
    /// Its stack.
    pub stack: &'a StackId,
    /// The cluster.
    pub cluster: &'a str,
    /// Subnets to use when no member names any.
    pub subnets: &'a [String],
}

/// The model of `state`; with no member at all, the empty model that deletes the stack.
pub fn model(state: &GroupState, cx: &FinishCtx<'_>) -> StackModel {
    let mut model = StackModel {
        stack: cx.stack.clone(),
        load_balancer: None,
        security_group: None,
        target_groups: BTreeMap::new(),
        listeners: BTreeMap::new(),
        bindings: BTreeMap::new(),
    };
    if state.members == 0 {
        return model;
    }
    let user_tags: Tags = state
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    let scheme = state.scheme.as_ref().map_or(Scheme::Internal, |s| s.value);
    let ip_address_type = state
        .ip_address_type
        .as_ref()
        .map_or(IpAddressType::Ipv4, |t| t.value);
    let mut subnets = match &state.subnets {
        Some(s) => s.value.clone(),
        None => cx.subnets.to_vec(),
    };
    subnets.sort();
    subnets.dedup();
    let security_groups = match &state.security_groups {
        Some(sgs) => sgs.value.iter().cloned().map(SgRef::Id).collect(),
        None => vec![SgRef::Managed],
    };
    if state.security_groups.is_none() {
        model.security_group = Some(SecurityGroupSpec {
            name: names::security_group(cx.cluster, cx.group),
            ingress: permissions(state, ip_address_type),
            tags: cx.stack.tags(cx.cluster, MANAGED_SG, &user_tags),
        });
    }
    model.load_balancer = Some(LoadBalancerSpec {
        name: state.name.as_ref().map_or_else(
            || names::load_balancer(cx.cluster, cx.group, scheme),
            |n| n.value.clone(),
        ),
        kind: LbKind::Application,
        scheme,
        ip_address_type,
        subnets,
        security_groups,
        attributes: state
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
        tags: cx.stack.tags(cx.cluster, LOAD_BALANCER, &user_tags),
    });
    for (&port, l) in &state.listeners {
        let tags = cx.stack.tags(cx.cluster, &port.to_string(), &user_tags);
        model.listeners.insert(port, listener(state, port, l, tags));
    }
    model.target_groups = state.target_groups.clone();
    model.bindings = state.bindings.clone();
    model
}

fn listener(state: &GroupState, port: u16, l: &ListenerState, tags: Tags) -> ListenerSpec {
    let https = l.protocol.value == Protocol::Https;
    let redirect_to = state
        .ssl_redirect
        .as_ref()
        .filter(|_| state.redirects(port));
    let (default_action, rules) = match redirect_to {
        Some(to) => (
            Action::Redirect(Redirect {
                protocol: Some("HTTPS".to_owned()),
                port: Some(to.value.to_string()),
                status_code: "HTTP_301".to_owned(),
                ..Redirect::default()
            }),
            Vec::new(),
        ),
        None => (
            l.default_action
                .as_ref()
                .map_or_else(|| Action::fixed("404", None), |a| a.value.clone()),
            l.rules.clone(),
        ),
    };
    // The default certificate first, the others as a set.
    let mut certificates = l.certificates.clone();
    if certificates.len() > 1 {
        certificates[1..].sort();
    }
    ListenerSpec {
        port,
        protocol: l.protocol.value,
        certificates,
        ssl_policy: https.then(|| {
            l.ssl_policy
                .as_ref()
                .map_or_else(|| DEFAULT_SSL_POLICY.to_owned(), |p| p.value.clone())
        }),
        default_action,
        rules,
        tags,
    }
}

/// The managed group's inbound rules: each listener port from its `inbound-cidrs`, else from everyone;
/// IPv6 ranges only on a dual-stack load balancer.
fn permissions(state: &GroupState, ip_address_type: IpAddressType) -> Vec<Permission> {
    let mut out = Vec::new();
    for (&port, l) in &state.listeners {
        let cidrs: Vec<String> = match &l.inbound_cidrs {
            Some(c) => c.value.clone(),
            None => EVERYONE.iter().map(|c| (*c).to_owned()).collect(),
        };
        for cidr in cidrs {
            if cidr.contains(':') && ip_address_type != IpAddressType::Dualstack {
                continue;
            }
            out.push(Permission {
                protocol: "tcp".to_owned(),
                port,
                cidr,
            });
        }
    }
    out.sort();
    out
}
