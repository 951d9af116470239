//! What one member adds to its group's stack, computed from the member alone: the unit the group merges,
//! checks for conflicts and quotas, and keeps for a held-back member.

use std::collections::BTreeMap;

use tgsync_actors::stack::{Action, BindingSpec, Protocol, RuleSpec, TargetGroupSpec};

use crate::ingress::annotations::LoadBalancerAnnotations;

/// One member's share of the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// Its load-balancer annotations.
    pub load_balancer: LoadBalancerAnnotations,
    /// `ssl-redirect`.
    pub ssl_redirect: Option<u16>,
    /// The ports it listens on.
    pub listeners: Vec<ListenerWant>,
    /// Its rules in order; they go on each of its listeners (but not on plain-HTTP ones under
    /// `ssl-redirect`).
    pub rules: Vec<RuleSpec>,
    /// Its `spec.defaultBackend`, as an action.
    pub default_action: Option<Action>,
    /// The target groups its actions forward to, by resource id.
    pub target_groups: BTreeMap<String, TargetGroupSpec>,
    /// Their bindings, by the same resource id.
    pub bindings: BTreeMap<String, BindingSpec>,
}

/// A port a member listens on, with what it asks of that listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerWant {
    /// The port.
    pub port: u16,
    /// HTTP or HTTPS.
    pub protocol: Protocol,
    /// Its certificates (HTTPS), the default first.
    pub certificates: Vec<String>,
    /// `ssl-policy` (HTTPS).
    pub ssl_policy: Option<String>,
    /// `inbound-cidrs`; empty for everyone.
    pub inbound_cidrs: Vec<String>,
}
