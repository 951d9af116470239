//! IngressClassParams over one member's annotations: a field the params set replaces the annotation's value
//! (tags and load balancer attributes merge, the params' winning), so the group's conflict rules see the
//! values in effect.

use std::collections::BTreeMap;

use tgsync_actors::stack::{IpAddressType, Scheme, TargetKind};

use super::error::MemberError;
use crate::crd::{IngressClassParams, LoadBalancerIpAddressType, LoadBalancerScheme, TargetType};
use crate::ingress::annotations::load_balancer::MAX_NAME;
use crate::ingress::annotations::{cidr, IngressAnnotations};

/// Replaces what `params` set in `a`; a value the builder cannot use holds the member back.
pub fn apply(params: &IngressClassParams, a: &mut IngressAnnotations) -> Result<(), MemberError> {
    let spec = &params.spec;
    let fail = |field: &'static str, problem: String| MemberError::Params {
        params: params.metadata.name.clone().unwrap_or_default(),
        field,
        problem,
    };
    let lb = &mut a.load_balancer;
    if let Some(s) = spec.scheme {
        lb.scheme = Some(match s {
            LoadBalancerScheme::Internal => Scheme::Internal,
            LoadBalancerScheme::InternetFacing => Scheme::InternetFacing,
        });
    }
    if let Some(t) = spec.ip_address_type {
        lb.ip_address_type = Some(match t {
            LoadBalancerIpAddressType::Ipv4 => IpAddressType::Ipv4,
            LoadBalancerIpAddressType::Dualstack => IpAddressType::Dualstack,
        });
    }
    if let Some(name) = &spec.load_balancer_name {
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_NAME {
            let problem = format!("{name:?} is not 1 to {MAX_NAME} characters");
            return Err(fail("loadBalancerName", problem));
        }
        lb.name = Some(name.to_owned());
    }
    if let Some(subnets) = &spec.subnets {
        if !subnets.ids.is_empty() {
            let mut ids = subnets.ids.clone();
            ids.sort();
            ids.dedup();
            lb.subnets = Some(ids);
        } else if !subnets.tags.is_empty() {
            // Matching subnets by tags needs a DescribeSubnets the pure builder cannot make.
            let problem =
                "choosing subnets by tags is not supported yet; name them by ids".to_owned();
            return Err(fail("subnets.tags", problem));
        }
    }
    lb.tags.extend(pairs(&spec.tags));
    lb.attributes.extend(pairs(&spec.load_balancer_attributes));
    let l = &mut a.listener;
    if !spec.certificate_arn.is_empty() {
        l.certificates = spec.certificate_arn.clone();
    }
    if let Some(policy) = &spec.ssl_policy {
        l.ssl_policy = Some(policy.clone());
    }
    if let Some(raw) = &spec.ssl_redirect_port {
        let port = raw
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| fail("sslRedirectPort", format!("{raw:?} is not a port")))?;
        l.ssl_redirect = Some(port);
    }
    if !spec.inbound_cidrs.is_empty() {
        for c in &spec.inbound_cidrs {
            cidr::check(c).map_err(|p| fail("inboundCIDRs", p.to_string()))?;
        }
        l.inbound_cidrs = spec.inbound_cidrs.clone();
    }
    Ok(())
}

/// The target type every backend of the class gets, over the Service's and the Ingress's annotations.
pub fn target_type(params: &IngressClassParams) -> Option<TargetKind> {
    params.spec.target_type.map(|t| match t {
        TargetType::Ip => TargetKind::Ip,
        TargetType::Instance => TargetKind::Instance,
    })
}

/// The params' tags, which go on every resource of the class's Ingresses.
pub fn tags(params: &IngressClassParams) -> BTreeMap<String, String> {
    pairs(&params.spec.tags)
}

fn pairs(kv: &[crate::crd::KeyValue]) -> BTreeMap<String, String> {
    kv.iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect()
}
