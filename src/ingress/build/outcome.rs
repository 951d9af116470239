//! What became of each member of a group: applied, or held back with the reason a Warning Event reports.

use std::fmt;

use super::contribution::Contribution;
use super::error::MemberError;
use crate::ingress::key::IngressKey;

/// One member's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberOutcome {
    /// The Ingress.
    pub key: IngressKey,
    /// Applied or held back.
    pub status: MemberStatus,
}

/// Whether a member's rules are in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberStatus {
    /// Built into the model. Once the model is deployed, keep this contribution: it is what to pass back as
    /// the member's previous contribution if it is held back later.
    Applied(Box<Contribution>),
    /// Left out of what it asked for. `kept_previous` says whether the contribution passed in as its
    /// previous one stands in for it (its rules as last deployed stay where they were); when false its
    /// rules are not in the model.
    HeldBack {
        /// Why.
        reason: HoldReason,
        /// Whether its previous contribution is in the model.
        kept_previous: bool,
    },
}

/// Why a member is held back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoldReason {
    /// Its own fault.
    #[error(transparent)]
    Invalid(#[from] MemberError),
    /// It disagrees with an earlier member.
    #[error(transparent)]
    Conflict(Box<Conflict>),
    /// Adding it would break an AWS quota.
    #[error("{quota} would be {would_be}, over the limit of {limit} by {}", would_be - limit)]
    Quota {
        /// Which quota.
        quota: Quota,
        /// AWS's limit.
        limit: usize,
        /// What the group (or the rule) would have with this member.
        would_be: usize,
    },
}

/// A member that disagrees with an earlier one on a field only one value of which the group can have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} {ours} conflicts with {theirs} set by {with}")]
pub struct Conflict {
    /// What they disagree on.
    pub field: ConflictField,
    /// The earlier member.
    pub with: IngressKey,
    /// This member's value.
    pub ours: String,
    /// The earlier member's value.
    pub theirs: String,
}

/// What two members of a group disagree on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConflictField {
    /// `scheme`.
    Scheme,
    /// `ip-address-type`.
    IpAddressType,
    /// `load-balancer-name`.
    LoadBalancerName,
    /// `subnets`.
    Subnets,
    /// `security-groups`.
    SecurityGroups,
    /// `ssl-redirect`.
    SslRedirect,
    /// A listen port's protocol.
    Protocol(u16),
    /// `inbound-cidrs` on a shared port.
    InboundCidrs(u16),
    /// `ssl-policy` on a shared port.
    SslPolicy(u16),
    /// One `load-balancer-attributes` key.
    LoadBalancerAttribute(String),
    /// One `tags` key.
    Tag(String),
    /// `spec.defaultBackend` on a shared port.
    DefaultBackend(u16),
}

impl fmt::Display for ConflictField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConflictField::Scheme => f.write_str("scheme"),
            ConflictField::IpAddressType => f.write_str("ip-address-type"),
            ConflictField::LoadBalancerName => f.write_str("load-balancer-name"),
            ConflictField::Subnets => f.write_str("subnets"),
            ConflictField::SecurityGroups => f.write_str("security-groups"),
            ConflictField::SslRedirect => f.write_str("ssl-redirect"),
            ConflictField::Protocol(p) => write!(f, "protocol of port {p}"),
            ConflictField::InboundCidrs(p) => write!(f, "inbound-cidrs of port {p}"),
            ConflictField::SslPolicy(p) => write!(f, "ssl-policy of port {p}"),
            ConflictField::LoadBalancerAttribute(k) => write!(f, "load-balancer-attributes {k}"),
            ConflictField::Tag(k) => write!(f, "tag {k}"),
            ConflictField::DefaultBackend(p) => write!(f, "spec.defaultBackend on port {p}"),
        }
    }
}

/// The AWS quotas checked before any call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quota {
    /// Rules per ALB (default rules excluded).
    RulesPerLoadBalancer,
    /// Target groups per ALB.
    TargetGroupsPerLoadBalancer,
    /// Condition values per rule.
    ConditionValuesPerRule,
    /// Certificates per ALB (default certificates excluded).
    CertificatesPerLoadBalancer,
}

impl Quota {
    /// AWS's limit.
    pub fn limit(self) -> usize {
        match self {
            Quota::RulesPerLoadBalancer | Quota::TargetGroupsPerLoadBalancer => 100,
            Quota::ConditionValuesPerRule => 5,
            Quota::CertificatesPerLoadBalancer => 25,
        }
    }
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quota::RulesPerLoadBalancer => "rules per load balancer",
            Quota::TargetGroupsPerLoadBalancer => "target groups per load balancer",
            Quota::ConditionValuesPerRule => "condition values of one rule",
            Quota::CertificatesPerLoadBalancer => "certificates per load balancer",
        })
    }
}
