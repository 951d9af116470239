//! What AWS holds of a stack, as the reader found it by its tags: the model's shapes plus ARNs, with
//! actions naming target groups by ARN.

use std::collections::BTreeMap;

use super::model::{ListenerSpec, LoadBalancerSpec, RuleSpec, SecurityGroupSpec, TargetGroupSpec};

/// Every resource of one stack found in AWS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployed {
    /// The load balancer tagged as the stack's.
    pub load_balancer: Option<LiveLoadBalancer>,
    /// The managed security group.
    pub security_group: Option<LiveSecurityGroup>,
    /// Target groups by their `resource` tag.
    pub target_groups: BTreeMap<String, LiveTargetGroup>,
    /// Listeners of the load balancer, by port.
    pub listeners: BTreeMap<u16, LiveListener>,
}

/// A load balancer as AWS describes it; its security groups are all `SgRef::Id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveLoadBalancer {
    /// Its ARN.
    pub arn: String,
    /// Its DNS name (what the Ingress or Service status shows).
    pub dns_name: String,
    /// Its settings and tags.
    pub spec: LoadBalancerSpec,
}

/// The managed security group as AWS describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSecurityGroup {
    /// Its id.
    pub id: String,
    /// Its settings and tags.
    pub spec: SecurityGroupSpec,
}

/// A target group as AWS describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveTargetGroup {
    /// Its ARN.
    pub arn: String,
    /// Its settings and tags.
    pub spec: TargetGroupSpec,
}

/// A listener as AWS describes it. `spec.rules` is empty: the rules are in `rules`, with their ARNs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveListener {
    /// Its ARN.
    pub arn: String,
    /// Its settings (actions name target groups by `TgRef::Arn`).
    pub spec: ListenerSpec,
    /// Its rules other than the default one, by priority.
    pub rules: Vec<LiveRule>,
}

/// A listener rule as AWS describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveRule {
    /// Its ARN.
    pub arn: String,
    /// Its priority (1..=50000).
    pub priority: u32,
    /// Its conditions and actions (target groups by `TgRef::Arn`).
    pub spec: RuleSpec,
}
