//! SDK shapes → the model's, pure. Whatever the model cannot hold is `Unmodelled`, and the caller decides
//! what that means for the resource (a rule becomes one that matches nothing tgsync wants; a load balancer or
//! target group is an error).

mod action;
mod condition;
mod listener;
mod load_balancer;
mod rule;
mod security_group;
mod target_group;

pub(super) use action::actions;
pub(super) use condition::conditions;
pub(super) use listener::{certificates, listener};
pub(super) use load_balancer::load_balancer;
pub(super) use rule::rule;
pub(super) use security_group::security_group;
pub(super) use target_group::target_group;

use tgsync_actors::stack::{IpAddressType, Protocol, Tags};

use super::ReadError;

/// Something in an AWS answer the model has no place for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Unmodelled(pub String);

impl Unmodelled {
    /// The error a resource that must be modelled (load balancer, target group, listener) turns it into.
    pub(super) fn on(self, arn: &str) -> ReadError {
        ReadError::Malformed(format!("{arn}: {}", self.0))
    }
}

/// A required field, or `Unmodelled` naming it.
pub(super) fn required<T>(v: Option<T>, field: &str) -> Result<T, Unmodelled> {
    v.ok_or_else(|| Unmodelled(format!("{field} is missing")))
}

/// An ELBv2 protocol name as the model's.
pub(super) fn protocol(name: &str) -> Result<Protocol, Unmodelled> {
    Ok(match name {
        "HTTP" => Protocol::Http,
        "HTTPS" => Protocol::Https,
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        "TCP_UDP" => Protocol::TcpUdp,
        "TLS" => Protocol::Tls,
        other => return Err(Unmodelled(format!("protocol {other}"))),
    })
}

/// `ipv4`, or one of the dual-stack kinds (an IPv6 target group holds IPv6 targets, which only a
/// dual-stack load balancer reaches).
pub(super) fn ip_address_type(name: &str) -> Result<IpAddressType, Unmodelled> {
    match name {
        "ipv4" => Ok(IpAddressType::Ipv4),
        "dualstack" | "ipv6" => Ok(IpAddressType::Dualstack),
        other => Err(Unmodelled(format!("ip address type {other}"))),
    }
}

/// A port that fits in `u16`.
pub(super) fn port(v: Option<i32>, field: &str) -> Result<u16, Unmodelled> {
    let v = required(v, field)?;
    u16::try_from(v).map_err(|_| Unmodelled(format!("{field} {v} is out of range")))
}

/// A count or duration that AWS sends as `i32`.
pub(super) fn count(v: Option<i32>, field: &str) -> Result<u32, Unmodelled> {
    let v = required(v, field)?;
    u32::try_from(v).map_err(|_| Unmodelled(format!("{field} {v} is negative")))
}

/// ELBv2 tags as the model's map.
pub(super) fn elb_tags(tags: &[aws_sdk_elasticloadbalancingv2::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

/// EC2 tags as the model's map.
pub(super) fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}
