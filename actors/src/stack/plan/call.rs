//! One variant per ELBv2 or EC2 call a plan makes, with the references the applier resolves as results come in.

use std::collections::BTreeMap;

use crate::budget::ApiClass;
use crate::stack::model::{
    Action, HealthCheck, IpAddressType, LbKind, Permission, Protocol, RuleSpec, Scheme,
    TargetGroupSpec,
};
use crate::stack::tags::Tags;

/// A resource created earlier in the same plan, named before it has an ARN or id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NewId {
    /// The managed security group (its result is the group id).
    SecurityGroup,
    /// A target group, by the model's resource id.
    TargetGroup(String),
    /// The load balancer.
    LoadBalancer,
    /// A listener of the new or kept load balancer, by port.
    Listener(u16),
}

/// A resource a call acts on: one that exists (its ARN, or a security group's id), or one an earlier call of
/// the plan creates.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ref {
    /// An ARN (ELBv2) or a group id (EC2) that exists now.
    Existing(String),
    /// Created earlier in this plan: the applier substitutes the ARN or id that call returned.
    New(NewId),
}

/// One rule's move inside `SetRulePriorities`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Move {
    /// The rule's ARN.
    pub rule: String,
    /// Where it is now (what the collision-free fallback frees when it moves).
    pub from: u32,
    /// Where it goes.
    pub to: u32,
}

/// One call. In every action a call carries, `TgRef::Model(id)` names a target group created earlier in the
/// plan (`NewId::TargetGroup(id)`); target groups that exist are named by `TgRef::Arn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// EC2 CreateSecurityGroup, tagged at creation (the VPC and description are the applier's).
    CreateSecurityGroup {
        /// The group name.
        name: String,
        /// Its tags.
        tags: Tags,
    },
    /// EC2 AuthorizeSecurityGroupIngress.
    AuthorizeSecurityGroupIngress {
        /// The group.
        group: Ref,
        /// Rules to add.
        permissions: Vec<Permission>,
    },
    /// EC2 RevokeSecurityGroupIngress.
    RevokeSecurityGroupIngress {
        /// The group's id.
        group: String,
        /// Rules to remove.
        permissions: Vec<Permission>,
    },
    /// EC2 DeleteSecurityGroup.
    DeleteSecurityGroup {
        /// The group's id.
        group: String,
    },
    /// EC2 CreateTags on a security group.
    CreateTags {
        /// The group's id.
        resource: String,
        /// Tags to add or overwrite.
        tags: Tags,
    },
    /// EC2 DeleteTags on a security group.
    DeleteTags {
        /// The group's id.
        resource: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// CreateTargetGroup with its health check and tags (attributes follow in their own call).
    CreateTargetGroup {
        /// The model's resource id: the result answers `NewId::TargetGroup(id)`.
        id: String,
        /// What to create.
        spec: TargetGroupSpec,
    },
    /// ModifyTargetGroup: the health check.
    ModifyTargetGroup {
        /// The target group's ARN.
        target_group: String,
        /// The health check to set.
        health_check: HealthCheck,
    },
    /// ModifyTargetGroupAttributes: only the attributes that differ.
    ModifyTargetGroupAttributes {
        /// The target group.
        target_group: Ref,
        /// Attributes to set.
        attributes: BTreeMap<String, String>,
    },
    /// DeleteTargetGroup.
    DeleteTargetGroup {
        /// Its ARN.
        target_group: String,
    },
    /// CreateLoadBalancer with its tags (attributes follow in their own call).
    CreateLoadBalancer {
        /// Its name.
        name: String,
        /// ALB or NLB.
        kind: LbKind,
        /// internal or internet-facing.
        scheme: Scheme,
        /// ipv4 or dualstack.
        ip_address_type: IpAddressType,
        /// Subnet ids.
        subnets: Vec<String>,
        /// Security groups.
        security_groups: Vec<Ref>,
        /// Its tags.
        tags: Tags,
    },
    /// SetSubnets.
    SetSubnets {
        /// The load balancer's ARN.
        load_balancer: String,
        /// The subnets it should have.
        subnets: Vec<String>,
    },
    /// SetSecurityGroups.
    SetSecurityGroups {
        /// The load balancer's ARN.
        load_balancer: String,
        /// The groups it should have.
        security_groups: Vec<Ref>,
    },
    /// SetIpAddressType.
    SetIpAddressType {
        /// The load balancer's ARN.
        load_balancer: String,
        /// The type it should have.
        ip_address_type: IpAddressType,
    },
    /// ModifyLoadBalancerAttributes: only the attributes that differ.
    ModifyLoadBalancerAttributes {
        /// The load balancer.
        load_balancer: Ref,
        /// Attributes to set.
        attributes: BTreeMap<String, String>,
    },
    /// DeleteLoadBalancer (its listeners and rules go with it).
    DeleteLoadBalancer {
        /// Its ARN.
        load_balancer: String,
    },
    /// CreateListener with its default certificate and tags (more certificates follow in their own call).
    CreateListener {
        /// The load balancer.
        load_balancer: Ref,
        /// The port: the result answers `NewId::Listener(port)`.
        port: u16,
        /// The protocol.
        protocol: Protocol,
        /// The default certificate.
        certificate: Option<String>,
        /// The TLS policy.
        ssl_policy: Option<String>,
        /// The default action.
        default_action: Action,
        /// Its tags.
        tags: Tags,
    },
    /// ModifyListener: each field `None` is left as it is (moto refuses some unchanged protocols).
    ModifyListener {
        /// The listener's ARN.
        listener: String,
        /// A new protocol.
        protocol: Option<Protocol>,
        /// A new default certificate.
        certificate: Option<String>,
        /// A new TLS policy.
        ssl_policy: Option<String>,
        /// A new default action.
        default_action: Option<Action>,
    },
    /// AddListenerCertificates: certificates beyond the default.
    AddListenerCertificates {
        /// The listener.
        listener: Ref,
        /// Certificate ARNs.
        certificates: Vec<String>,
    },
    /// RemoveListenerCertificates.
    RemoveListenerCertificates {
        /// The listener's ARN.
        listener: String,
        /// Certificate ARNs.
        certificates: Vec<String>,
    },
    /// DeleteListener (its rules go with it).
    DeleteListener {
        /// Its ARN.
        listener: String,
    },
    /// CreateRule, tagged at creation.
    CreateRule {
        /// The listener.
        listener: Ref,
        /// Its priority (free when the call is made).
        priority: u32,
        /// Conditions and actions.
        rule: RuleSpec,
        /// Its tags.
        tags: Tags,
    },
    /// ModifyRule: new conditions and actions, same priority.
    ModifyRule {
        /// The rule's ARN.
        rule: String,
        /// Conditions and actions.
        spec: RuleSpec,
    },
    /// SetRulePriorities: every move of one listener in one call (AWS applies them atomically).
    SetRulePriorities {
        /// The listener the rules are on (not sent: for the fallback's occupied priorities).
        listener: String,
        /// The moves.
        moves: Vec<Move>,
    },
    /// DeleteRule.
    DeleteRule {
        /// Its ARN.
        rule: String,
    },
    /// ELBv2 AddTags on an existing load balancer, target group or listener.
    AddTags {
        /// Its ARN.
        resource: String,
        /// Tags to add or overwrite.
        tags: Tags,
    },
    /// ELBv2 RemoveTags.
    RemoveTags {
        /// Its ARN.
        resource: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Call {
    /// The API action the call makes (`CreateRule`, ...), for errors, logs and ledgers.
    pub fn action(&self) -> &'static str {
        match self {
            Call::CreateSecurityGroup { .. } => "CreateSecurityGroup",
            Call::AuthorizeSecurityGroupIngress { .. } => "AuthorizeSecurityGroupIngress",
            Call::RevokeSecurityGroupIngress { .. } => "RevokeSecurityGroupIngress",
            Call::DeleteSecurityGroup { .. } => "DeleteSecurityGroup",
            Call::CreateTags { .. } => "CreateTags",
            Call::DeleteTags { .. } => "DeleteTags",
            Call::CreateTargetGroup { .. } => "CreateTargetGroup",
            Call::ModifyTargetGroup { .. } => "ModifyTargetGroup",
            Call::ModifyTargetGroupAttributes { .. } => "ModifyTargetGroupAttributes",
            Call::DeleteTargetGroup { .. } => "DeleteTargetGroup",
            Call::CreateLoadBalancer { .. } => "CreateLoadBalancer",
            Call::SetSubnets { .. } => "SetSubnets",
            Call::SetSecurityGroups { .. } => "SetSecurityGroups",
            Call::SetIpAddressType { .. } => "SetIpAddressType",
            Call::ModifyLoadBalancerAttributes { .. } => "ModifyLoadBalancerAttributes",
            Call::DeleteLoadBalancer { .. } => "DeleteLoadBalancer",
            Call::CreateListener { .. } => "CreateListener",
            Call::ModifyListener { .. } => "ModifyListener",
            Call::AddListenerCertificates { .. } => "AddListenerCertificates",
            Call::RemoveListenerCertificates { .. } => "RemoveListenerCertificates",
            Call::DeleteListener { .. } => "DeleteListener",
            Call::CreateRule { .. } => "CreateRule",
            Call::ModifyRule { .. } => "ModifyRule",
            Call::SetRulePriorities { .. } => "SetRulePriorities",
            Call::DeleteRule { .. } => "DeleteRule",
            Call::AddTags { .. } => "AddTags",
            Call::RemoveTags { .. } => "RemoveTags",
        }
    }

    /// The budget bucket the call draws from. Calls that reshape a load balancer draw from the scarce
    /// `LoadBalancers` bucket (which of AWS's buckets they hit is unverified; they are rare, so over-charging them
    /// costs little, while under-charging could throttle rule changes). Everything else is `Mutating`, the EC2
    /// security-group calls included: EC2 has buckets of its own the budget does not model, and charging them
    /// to a stricter one is the safe side.
    pub fn class(&self) -> ApiClass {
        match self {
            Call::CreateLoadBalancer { .. }
            | Call::DeleteLoadBalancer { .. }
            | Call::SetSubnets { .. }
            | Call::SetSecurityGroups { .. }
            | Call::SetIpAddressType { .. }
            | Call::ModifyLoadBalancerAttributes { .. } => ApiClass::LoadBalancers,
            _ => ApiClass::Mutating,
        }
    }

    /// The resource this call creates, which later calls name by `Ref::New`.
    pub fn creates(&self) -> Option<NewId> {
        match self {
            Call::CreateSecurityGroup { .. } => Some(NewId::SecurityGroup),
            Call::CreateTargetGroup { id, .. } => Some(NewId::TargetGroup(id.clone())),
            Call::CreateLoadBalancer { .. } => Some(NewId::LoadBalancer),
            Call::CreateListener { port, .. } => Some(NewId::Listener(*port)),
            _ => None,
        }
    }

    /// The existing ARNs and ids the call acts on, not counting the target groups its actions forward to (for
    /// logs, and for tests that check what a plan touches).
    pub fn existing(&self) -> Vec<&str> {
        fn of(r: &Ref) -> Option<&str> {
            match r {
                Ref::Existing(s) => Some(s),
                Ref::New(_) => None,
            }
        }
        match self {
            Call::CreateSecurityGroup { .. } | Call::CreateTargetGroup { .. } => vec![],
            Call::AuthorizeSecurityGroupIngress { group, .. } => of(group).into_iter().collect(),
            Call::ModifyTargetGroupAttributes {
                target_group: r, ..
            }
            | Call::ModifyLoadBalancerAttributes {
                load_balancer: r, ..
            }
            | Call::AddListenerCertificates { listener: r, .. } => of(r).into_iter().collect(),
            Call::CreateLoadBalancer {
                security_groups, ..
            } => security_groups.iter().filter_map(of).collect(),
            Call::SetSecurityGroups {
                load_balancer,
                security_groups,
            } => std::iter::once(load_balancer.as_str())
                .chain(security_groups.iter().filter_map(of))
                .collect(),
            Call::CreateListener { load_balancer, .. } => of(load_balancer).into_iter().collect(),
            Call::CreateRule { listener, .. } => of(listener).into_iter().collect(),
            Call::SetRulePriorities { listener, moves } => std::iter::once(listener.as_str())
                .chain(moves.iter().map(|m| m.rule.as_str()))
                .collect(),
            Call::RevokeSecurityGroupIngress { group: s, .. }
            | Call::DeleteSecurityGroup { group: s }
            | Call::CreateTags { resource: s, .. }
            | Call::DeleteTags { resource: s, .. }
            | Call::ModifyTargetGroup {
                target_group: s, ..
            }
            | Call::DeleteTargetGroup { target_group: s }
            | Call::SetSubnets {
                load_balancer: s, ..
            }
            | Call::SetIpAddressType {
                load_balancer: s, ..
            }
            | Call::DeleteLoadBalancer { load_balancer: s }
            | Call::ModifyListener { listener: s, .. }
            | Call::RemoveListenerCertificates { listener: s, .. }
            | Call::DeleteListener { listener: s }
            | Call::ModifyRule { rule: s, .. }
            | Call::DeleteRule { rule: s }
            | Call::AddTags { resource: s, .. }
            | Call::RemoveTags { resource: s, .. } => vec![s.as_str()],
        }
    }
}
