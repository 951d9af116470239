//! The target group of one (Ingress, Service, port), and its TargetGroupBinding: port = the nodePort
//! (instance) or a numeric targetPort (ip; a named one gives 1), settings from the backend annotations.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tgsync_actors::stack::{BindingSpec, IpAddressType, TargetGroupSpec, TargetKind};

use super::error::MemberError;
use super::member::MemberCtx;
use super::names::TargetGroupName;
use super::overrides;
use crate::ingress::annotations::{Annotations, BackendAnnotations, Layered};
use crate::ingress::group::GroupId;

/// Adds the target group of Service `name` port `port` (in the Ingress's namespace) to `cx` and returns
/// its resource id; `None` when the Service does not exist.
pub fn forward_to(
    cx: &mut MemberCtx<'_>,
    name: &str,
    port: &IntOrString,
) -> Result<Option<String>, MemberError> {
    let namespace = cx.key.namespace.clone();
    let Some(svc) = (cx.services)(&namespace, name) else {
        return Ok(None);
    };
    let port_str = match port {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    let resource_id = format!("{}/{}-{name}:{port_str}", cx.key.namespace, cx.key.name);
    if cx.target_groups.contains_key(&resource_id) {
        return Ok(Some(resource_id));
    }
    let svc_key = format!("{namespace}/{name}");
    let svc_port = find_port(svc, port).ok_or_else(|| MemberError::NoServicePort {
        service: svc_key.clone(),
        port: port_str.clone(),
    })?;
    let mut backend = BackendAnnotations::parse(&Layered {
        service: Annotations::new(svc.metadata.annotations.as_ref()),
        ingress: Annotations::new(cx.ingress.metadata.annotations.as_ref()),
    })?;
    if let Some(p) = cx.params {
        backend.target_type = overrides::target_type(p).unwrap_or(backend.target_type);
        backend.tags.extend(overrides::tags(p));
    }
    let tg_port = target_port(&backend, svc_port, &svc_key, &port_str)?;
    let target_type = match backend.target_type {
        TargetKind::Ip => "ip",
        TargetKind::Instance => "instance",
    };
    let tg_name = TargetGroupName {
        cluster: cx.cluster,
        group: cx.group,
        ingress_namespace: &cx.key.namespace,
        ingress_name: &cx.key.name,
        service_namespace: &namespace,
        service_name: name,
        service_uid: svc.metadata.uid.as_deref().unwrap_or_default(),
        service_port: &port_str,
        port: tg_port,
        target_type,
        protocol: backend.protocol.as_str(),
        protocol_version: backend.protocol_version.as_str(),
    }
    .render();
    let spec = TargetGroupSpec {
        name: tg_name,
        target_kind: backend.target_type,
        protocol: backend.protocol,
        protocol_version: Some(backend.protocol_version.as_str().to_owned()),
        port: tg_port,
        ip_address_type: IpAddressType::Ipv4,
        health_check: backend.health_check,
        attributes: backend.attributes,
        tags: cx.stack.tags(cx.cluster, &resource_id, &backend.tags),
    };
    let binding = BindingSpec {
        namespace,
        service: name.to_owned(),
        service_port: port_str,
        labels: stack_labels(cx.group),
        node_selector: BTreeMap::new(),
    };
    cx.target_groups.insert(resource_id.clone(), spec);
    cx.bindings.insert(resource_id.clone(), binding);
    Ok(Some(resource_id))
}

fn find_port<'s>(svc: &'s Service, port: &IntOrString) -> Option<&'s ServicePort> {
    let ports = svc.spec.as_ref()?.ports.as_ref()?;
    ports.iter().find(|p| match port {
        IntOrString::Int(n) => p.port == *n,
        IntOrString::String(name) => p.name.as_deref() == Some(name),
    })
}

fn target_port(
    backend: &BackendAnnotations,
    port: &ServicePort,
    service: &str,
    port_str: &str,
) -> Result<u16, MemberError> {
    let zero = || MemberError::ZeroPort {
        service: service.to_owned(),
        port: port_str.to_owned(),
    };
    let number = match backend.target_type {
        TargetKind::Instance => port.node_port.ok_or_else(|| MemberError::NoNodePort {
            service: service.to_owned(),
            port: port_str.to_owned(),
        })?,
        TargetKind::Ip => match &port.target_port {
            None => port.port,
            Some(IntOrString::Int(n)) => *n,
            // A named target port differs per pod; the binding registers each pod's own port.
            Some(IntOrString::String(_)) => 1,
        },
    };
    u16::try_from(number)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(zero)
}

/// The labels of a TargetGroupBinding the group owns: `ingress.k8s.aws/stack` for an explicit group,
/// `ingress.k8s.aws/stack-namespace` and `-name` for an implicit one.
pub fn stack_labels(group: &GroupId) -> BTreeMap<String, String> {
    match group {
        GroupId::Explicit(name) => [("ingress.k8s.aws/stack".to_owned(), name.clone())].into(),
        GroupId::Implicit(key) => [
            (
                "ingress.k8s.aws/stack-namespace".to_owned(),
                key.namespace.clone(),
            ),
            ("ingress.k8s.aws/stack-name".to_owned(), key.name.clone()),
        ]
        .into(),
    }
}
