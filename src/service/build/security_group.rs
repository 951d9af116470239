//! The managed security group: who may reach each listener, from `spec.loadBalancerSourceRanges` (everyone
//! when empty, IPv6 included on a dualstack NLB).

use std::collections::BTreeMap;

use tgsync_actors::stack::{IpAddressType, Permission, Protocol};

use super::error::ServiceError;
use super::ports::PortPlan;
use crate::annotations::cidr;

/// The inbound rules, sorted: each listener's protocol(s) and port from each source range.
pub fn permissions(
    ports: &BTreeMap<u16, PortPlan>,
    source_ranges: &[String],
    ip_address_type: IpAddressType,
) -> Result<Vec<Permission>, ServiceError> {
    let mut cidrs: Vec<String> = Vec::new();
    for r in source_ranges
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        cidr::check(r).map_err(|_| ServiceError::BadSourceRange(r.to_owned()))?;
        cidrs.push(r.to_owned());
    }
    if cidrs.is_empty() {
        cidrs.push("0.0.0.0/0".into());
        if ip_address_type == IpAddressType::Dualstack {
            cidrs.push("::/0".into());
        }
    }
    let mut out = Vec::new();
    for p in ports.values() {
        let protocols: &[&str] = match p.listener {
            Protocol::Udp => &["udp"],
            Protocol::TcpUdp => &["tcp", "udp"],
            _ => &["tcp"],
        };
        for protocol in protocols {
            for c in &cidrs {
                out.push(Permission {
                    protocol: (*protocol).to_owned(),
                    port: p.port,
                    cidr: c.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
