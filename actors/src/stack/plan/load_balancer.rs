//! The load balancer: deleted first when it must go or be replaced, then created, or modified in place.

use super::call::{Call, NewId, Ref};
use super::diff::{changed_attributes, tag_calls, TagApi};
use crate::stack::deployed::LiveLoadBalancer;
use crate::stack::model::{LoadBalancerSpec, SgRef};

/// Deletion protection refuses DeleteLoadBalancer until it is turned off.
const DELETION_PROTECTION: &str = "deletion_protection.enabled";

/// The load balancer's calls and how listeners name it.
pub struct LbPlan {
    /// In order: deletion, creation, in-place changes.
    pub calls: Vec<Call>,
    /// The load balancer listeners go on, when the model wants one.
    pub load_balancer: Option<Ref>,
    /// Whether the live load balancer stays, and its listeners with it.
    pub kept: bool,
}

/// Whether `live` must be replaced to become `desired` (a new DNS name).
pub fn needs_replacement(desired: &LoadBalancerSpec, live: &LoadBalancerSpec) -> bool {
    desired.kind != live.kind || desired.scheme != live.scheme
}

/// Plans the load balancer; `group` is the managed security group, when there is one.
pub fn load_balancer(
    desired: Option<&LoadBalancerSpec>,
    live: Option<&LiveLoadBalancer>,
    group: Option<&Ref>,
) -> LbPlan {
    let mut calls = Vec::new();
    let kept = match (desired, live) {
        (Some(d), Some(l)) => !needs_replacement(d, &l.spec),
        _ => false,
    };
    if let (Some(l), false) = (live, kept) {
        if l.spec
            .attributes
            .get(DELETION_PROTECTION)
            .map(String::as_str)
            == Some("true")
        {
            calls.push(Call::ModifyLoadBalancerAttributes {
                load_balancer: Ref::Existing(l.arn.clone()),
                attributes: [(DELETION_PROTECTION.to_owned(), "false".to_owned())].into(),
            });
        }
        calls.push(Call::DeleteLoadBalancer {
            load_balancer: l.arn.clone(),
        });
    }
    let Some(d) = desired else {
        return LbPlan {
            calls,
            load_balancer: None,
            kept: false,
        };
    };
    let groups: Vec<Ref> = d
        .security_groups
        .iter()
        .map(|g| match g {
            SgRef::Id(id) => Ref::Existing(id.clone()),
            // A model that names the managed group without describing it gets an unresolved reference: the
            // applier reports it rather than the planner guessing.
            SgRef::Managed => group.cloned().unwrap_or(Ref::New(NewId::SecurityGroup)),
        })
        .collect();
    match (live, kept) {
        (Some(l), true) => {
            let arn = &l.arn;
            if sorted(&d.subnets) != sorted(&l.spec.subnets) {
                calls.push(Call::SetSubnets {
                    load_balancer: arn.clone(),
                    subnets: d.subnets.clone(),
                });
            }
            if !same_groups(&groups, &l.spec.security_groups) {
                calls.push(Call::SetSecurityGroups {
                    load_balancer: arn.clone(),
                    security_groups: groups,
                });
            }
            if d.ip_address_type != l.spec.ip_address_type {
                calls.push(Call::SetIpAddressType {
                    load_balancer: arn.clone(),
                    ip_address_type: d.ip_address_type,
                });
            }
            let attributes = changed_attributes(&d.attributes, &l.spec.attributes);
            if !attributes.is_empty() {
                calls.push(Call::ModifyLoadBalancerAttributes {
                    load_balancer: Ref::Existing(arn.clone()),
                    attributes,
                });
            }
            calls.extend(tag_calls(arn, &d.tags, &l.spec.tags, TagApi::Elbv2));
            LbPlan {
                calls,
                load_balancer: Some(Ref::Existing(arn.clone())),
                kept: true,
            }
        }
        _ => {
            calls.push(Call::CreateLoadBalancer {
                name: d.name.clone(),
                kind: d.kind,
                scheme: d.scheme,
                ip_address_type: d.ip_address_type,
                subnets: d.subnets.clone(),
                security_groups: groups,
                tags: d.tags.clone(),
            });
            let new = Ref::New(NewId::LoadBalancer);
            if !d.attributes.is_empty() {
                calls.push(Call::ModifyLoadBalancerAttributes {
                    load_balancer: new.clone(),
                    attributes: d.attributes.clone(),
                });
            }
            LbPlan {
                calls,
                load_balancer: Some(new),
                kept: false,
            }
        }
    }
}

/// Whether the groups wanted are the ones the load balancer has (a group still to be created never is).
fn same_groups(desired: &[Ref], live: &[SgRef]) -> bool {
    let mut want = Vec::with_capacity(desired.len());
    for r in desired {
        match r {
            Ref::Existing(id) => want.push(SgRef::Id(id.clone())),
            Ref::New(_) => return false,
        }
    }
    let mut have = live.to_vec();
    want.sort();
    have.sort();
    want == have
}

fn sorted(v: &[String]) -> Vec<&String> {
    let mut v: Vec<&String> = v.iter().collect();
    v.sort();
    v
}
