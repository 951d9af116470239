//! The Service's ports as NLB listeners: one per port number, TCP and UDP on one number merged into
//! TCP_UDP (two listeners cannot share a port), TCP turned into TLS where the certificates apply.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tgsync_actors::stack::{Protocol, TargetKind};

use super::error::ServiceError;
use crate::service::annotations::TlsAnnotations;

/// One listener and its target group, from the Service port(s) with one number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortPlan {
    /// The Service (and listener) port.
    pub port: u16,
    /// The first entry's name, if any (TLS ports may be named).
    pub name: Option<String>,
    /// TCP, UDP, TCP_UDP or TLS.
    pub listener: Protocol,
    /// What the target group speaks.
    pub target_group: Protocol,
    /// The port targets are registered on: the nodePort (instance) or the target port (ip).
    pub target_port: u16,
}

/// The listeners `svc`'s ports make, by port.
pub fn plan(
    svc: &Service,
    target_type: TargetKind,
    tls: &TlsAnnotations,
) -> Result<BTreeMap<u16, PortPlan>, ServiceError> {
    let ports = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_deref())
        .filter(|p| !p.is_empty())
        .ok_or(ServiceError::NoPorts)?;
    let mut by_port: BTreeMap<u16, (Option<&ServicePort>, Option<&ServicePort>)> = BTreeMap::new();
    for p in ports {
        let number = port_number(p.port)?;
        let slot = by_port.entry(number).or_default();
        match p.protocol.as_deref().unwrap_or("TCP") {
            "TCP" => slot.0 = Some(p),
            "UDP" => slot.1 = Some(p),
            other => {
                return Err(ServiceError::UnsupportedProtocol {
                    port: p.port,
                    protocol: other.to_owned(),
                })
            }
        }
    }
    by_port
        .into_iter()
        .map(|(port, entries)| {
            let plan = match entries {
                (Some(tcp), None) => {
                    let name = tcp.name.clone();
                    let listener = if tls.applies_to(port, name.as_deref()) {
                        Protocol::Tls
                    } else {
                        Protocol::Tcp
                    };
                    let target_group = match listener {
                        Protocol::Tls if tls.backend_tls => Protocol::Tls,
                        _ => Protocol::Tcp,
                    };
                    PortPlan {
                        port,
                        name,
                        listener,
                        target_group,
                        target_port: target_port(tcp, target_type)?,
                    }
                }
                (None, Some(udp)) => PortPlan {
                    port,
                    name: udp.name.clone(),
                    listener: Protocol::Udp,
                    target_group: Protocol::Udp,
                    target_port: target_port(udp, target_type)?,
                },
                (Some(tcp), Some(udp)) => {
                    let (t, u) = (
                        target_port(tcp, target_type)?,
                        target_port(udp, target_type)?,
                    );
                    if t != u {
                        return Err(ServiceError::TcpUdpMismatch {
                            port,
                            tcp: t,
                            udp: u,
                        });
                    }
                    PortPlan {
                        port,
                        name: tcp.name.clone(),
                        listener: Protocol::TcpUdp,
                        target_group: Protocol::TcpUdp,
                        target_port: t,
                    }
                }
                (None, None) => unreachable!("a port is entered with its protocol"),
            };
            Ok((port, plan))
        })
        .collect()
}

fn port_number(n: i32) -> Result<u16, ServiceError> {
    u16::try_from(n)
        .ok()
        .filter(|p| *p != 0)
        .ok_or(ServiceError::BadPort(n))
}

/// The nodePort (instance) or the target port (ip; absent is the port itself, a name gives 1, as each
/// pod's own port is what the binding registers).
fn target_port(p: &ServicePort, target_type: TargetKind) -> Result<u16, ServiceError> {
    match target_type {
        TargetKind::Instance => port_number(p.node_port.ok_or(ServiceError::NoNodePort(p.port))?),
        TargetKind::Ip => match &p.target_port {
            None => port_number(p.port),
            Some(IntOrString::Int(n)) => port_number(*n),
            Some(IntOrString::String(_)) => Ok(1),
        },
    }
}
