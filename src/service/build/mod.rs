//! A Service → its NLB `StackModel` (spec B3): one network load balancer, one listener and one target
//! group per port number, each target group with its TargetGroupBinding, and the managed security group.
//! Pure: what needs AWS (subnets, names, the NLB already there) comes in through [`ServiceInput`].

mod error;
mod health_check;
pub mod names;
mod ports;
mod security_group;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use tgsync_actors::stack::{
    Action, BindingSpec, IpAddressType, LbKind, ListenerSpec, LoadBalancerSpec, Scheme,
    SecurityGroupSpec, SgRef, StackModel, TargetGroupSpec, TargetKind,
};

pub use error::ServiceError;
pub use names::Owner;
pub use ports::PortPlan;

use super::annotations::{ServiceAnnotations, DEFAULT_SSL_POLICY};
use super::selection::{stack_id, stack_labels};
use crate::lookups::{is_id, Lookups, Wanted};

/// The load balancer's resource id.
pub const LOAD_BALANCER: &str = "LoadBalancer";
/// The managed security group's resource id.
pub const MANAGED_SG: &str = "ManagedLBSecurityGroup";

/// Everything a Service's model is built from.
pub struct ServiceInput<'a> {
    /// The Service (ours: see [`crate::service::is_ours`]).
    pub service: &'a Service,
    /// The cluster name (tags and names).
    pub cluster: &'a str,
    /// Subnets discovered for the Service's [`scheme`], used when the annotation names none and no NLB
    /// exists yet.
    pub subnets: &'a [String],
    /// What the subnet and security-group names of [`wanted`] were found to be.
    pub lookups: &'a Lookups,
    /// The stack's NLB as the reader found it, if any: its scheme and subnets stand when the annotations
    /// name none, and an NLB created without security groups stays without.
    pub existing: Option<&'a LoadBalancerSpec>,
}

/// The names `svc`'s annotations use where AWS wants ids (subnets and security groups by `Name` tag).
/// Annotations that do not parse are skipped: the build reports them.
pub fn wanted(svc: &Service) -> Wanted {
    let mut w = Wanted::default();
    let Ok(a) = ServiceAnnotations::of(svc) else {
        return w;
    };
    let lb = &a.load_balancer;
    w.subnets.extend(
        lb.subnets
            .iter()
            .flatten()
            .filter(|s| !is_id(s, "subnet-"))
            .cloned(),
    );
    w.security_groups.extend(
        lb.security_groups
            .iter()
            .flatten()
            .filter(|g| !is_id(g, "sg-"))
            .cloned(),
    );
    w
}

/// The scheme `svc` asks for: the annotation, else the existing NLB's, else `internal`; what subnet
/// discovery needs before the build.
pub fn scheme(svc: &Service, existing: Option<&LoadBalancerSpec>) -> Result<Scheme, ServiceError> {
    let a = ServiceAnnotations::of(svc)?;
    Ok(pick_scheme(&a, existing))
}

fn pick_scheme(a: &ServiceAnnotations, existing: Option<&LoadBalancerSpec>) -> Scheme {
    a.load_balancer
        .scheme
        .or(existing.map(|e| e.scheme))
        .unwrap_or(Scheme::Internal)
}

/// The model that deletes the Service's stack: for a Service deleted, or no longer ours, that still
/// carries the finalizer.
pub fn empty_model(namespace: &str, name: &str) -> StackModel {
    StackModel {
        stack: stack_id(namespace, name),
        load_balancer: None,
        security_group: None,
        target_groups: BTreeMap::new(),
        listeners: BTreeMap::new(),
        bindings: BTreeMap::new(),
    }
}

/// Builds the Service's NLB model; any error leaves the stack as it is (the caller changes nothing).
pub fn build_service(input: &ServiceInput<'_>) -> Result<StackModel, ServiceError> {
    let svc = input.service;
    let namespace = svc.metadata.namespace.as_deref().unwrap_or("default");
    let name = svc.metadata.name.as_deref().unwrap_or_default();
    let owner = Owner {
        cluster: input.cluster,
        namespace,
        name,
        uid: svc.metadata.uid.as_deref().unwrap_or_default(),
    };
    let a = ServiceAnnotations::of(svc)?;
    let spec = svc.spec.as_ref().ok_or(ServiceError::NoPorts)?;
    let target_type = a.target.target_type;
    let ports = ports::plan(svc, target_type, &a.tls)?;
    let mut model = empty_model(namespace, name);
    let stack = model.stack.clone();
    let extra = &a.load_balancer.tags;
    let tags = |resource: &str| stack.tags(input.cluster, resource, extra);

    let scheme = pick_scheme(&a, input.existing);
    let ip_address_type = a.load_balancer.ip_address_type.unwrap_or_default();
    // A new scheme means a new NLB: what the old one had (subnets, no security groups) does not carry over.
    let kept = input.existing.filter(|e| e.scheme == scheme);
    let mut subnets = match (&a.load_balancer.subnets, kept) {
        (Some(named), _) => input.lookups.ids(named, false)?,
        (None, Some(e)) if !e.subnets.is_empty() => e.subnets.clone(),
        (None, _) => input.subnets.to_vec(),
    };
    subnets.sort();
    subnets.dedup();
    if subnets.is_empty() {
        return Err(ServiceError::NoSubnets);
    }

    let security_groups = match &a.load_balancer.security_groups {
        Some(named) => input
            .lookups
            .ids(named, true)?
            .into_iter()
            .map(SgRef::Id)
            .collect(),
        // AWS cannot add security groups to an NLB created without any.
        None if kept.is_some_and(|e| e.security_groups.is_empty()) => vec![],
        None => {
            let ranges = spec.load_balancer_source_ranges.as_deref().unwrap_or(&[]);
            model.security_group = Some(SecurityGroupSpec {
                name: owner.security_group(),
                ingress: security_group::permissions(&ports, ranges, ip_address_type)?,
                tags: tags(MANAGED_SG),
            });
            vec![SgRef::Managed]
        }
    };

    let local_node_port = (spec.external_traffic_policy.as_deref() == Some("Local"))
        .then_some(spec.health_check_node_port)
        .flatten();
    let target_type_str = match target_type {
        TargetKind::Ip => "ip",
        TargetKind::Instance => "instance",
    };
    for p in ports.values() {
        let resource_id = format!("{namespace}/{name}:{}", p.port);
        let health_check =
            health_check::health_check(target_type, local_node_port, &a.health_check);
        let tg_name = owner.target_group(&names::TargetGroupName {
            port: p.target_port,
            service_port: p.port,
            target_type: target_type_str,
            protocol: p.target_group.as_str(),
            health_check_protocol: health_check.protocol.as_str(),
            health_check_interval: health_check.interval_seconds,
        });
        model.target_groups.insert(
            resource_id.clone(),
            TargetGroupSpec {
                name: tg_name,
                target_kind: target_type,
                protocol: p.target_group,
                protocol_version: None,
                port: p.target_port,
                ip_address_type: IpAddressType::Ipv4,
                health_check,
                attributes: a.target.attributes.clone(),
                tags: tags(&resource_id),
            },
        );
        model.bindings.insert(
            resource_id.clone(),
            BindingSpec {
                namespace: namespace.to_owned(),
                service: name.to_owned(),
                service_port: p.port.to_string(),
                labels: stack_labels(namespace, name),
                node_selector: match target_type {
                    TargetKind::Instance => a.target.node_labels.clone(),
                    TargetKind::Ip => BTreeMap::new(),
                },
            },
        );
        let tls = p.listener == tgsync_actors::stack::Protocol::Tls;
        model.listeners.insert(
            p.port,
            ListenerSpec {
                port: p.port,
                protocol: p.listener,
                certificates: if tls {
                    a.tls.certificates.clone()
                } else {
                    vec![]
                },
                ssl_policy: tls.then(|| {
                    a.tls
                        .policy
                        .clone()
                        .unwrap_or_else(|| DEFAULT_SSL_POLICY.to_owned())
                }),
                default_action: Action::forward_to(&resource_id),
                rules: vec![],
                tags: tags(&p.port.to_string()),
            },
        );
    }

    model.load_balancer = Some(LoadBalancerSpec {
        name: a
            .load_balancer
            .name
            .clone()
            .unwrap_or_else(|| owner.load_balancer(scheme)),
        kind: LbKind::Network,
        scheme,
        ip_address_type,
        subnets,
        security_groups,
        attributes: a.load_balancer.attributes.clone(),
        tags: tags(LOAD_BALANCER),
    });
    Ok(model)
}
