//! What a stack should be, built from Kubernetes objects by pure functions: the shapes the planner diffs
//! against what AWS holds. Lists that AWS treats as sets are kept sorted, so equal models compare equal.

use std::collections::BTreeMap;

use super::tags::{StackId, Tags};

/// A whole stack. `load_balancer: None` means the stack should not exist (its last member is gone): every
/// resource tagged as the stack's is deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackModel {
    /// Whose stack this is.
    pub stack: StackId,
    /// The load balancer, if the stack should exist.
    pub load_balancer: Option<LoadBalancerSpec>,
    /// The managed security group (`ManagedLBSecurityGroup`), when the user named none.
    pub security_group: Option<SecurityGroupSpec>,
    /// Target groups by resource id (`<ns>/<ingress>-<svc>:<port>` or `<ns>/<svc>:<port>`).
    pub target_groups: BTreeMap<String, TargetGroupSpec>,
    /// Listeners by port.
    pub listeners: BTreeMap<u16, ListenerSpec>,
    /// The TargetGroupBinding of each target group, by the group's resource id: created once the group
    /// exists, so the binding controller serves its targets (Kubernetes objects: not the planner's business).
    pub bindings: BTreeMap<String, BindingSpec>,
}

/// Application or network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LbKind {
    /// An ALB.
    Application,
    /// An NLB.
    Network,
}

/// Where the load balancer answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Reachable from inside the VPC only (the default).
    Internal,
    /// Reachable from the internet.
    InternetFacing,
}

/// IPv4 or dual-stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum IpAddressType {
    /// IPv4 only.
    #[default]
    Ipv4,
    /// IPv4 and IPv6.
    Dualstack,
}

/// A security group named by the user, or the stack's managed one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SgRef {
    /// The stack's `ManagedLBSecurityGroup`.
    Managed,
    /// An existing group's id.
    Id(String),
}

/// The load balancer. Changing `kind` or `scheme` replaces it; the rest is modified in place, and `name` is
/// honoured only at creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancerSpec {
    /// Its name (≤ 32 characters).
    pub name: String,
    /// ALB or NLB.
    pub kind: LbKind,
    /// internal or internet-facing.
    pub scheme: Scheme,
    /// ipv4 or dualstack.
    pub ip_address_type: IpAddressType,
    /// Subnet ids, sorted.
    pub subnets: Vec<String>,
    /// Security groups, sorted.
    pub security_groups: Vec<SgRef>,
    /// Load balancer attributes set by the user.
    pub attributes: BTreeMap<String, String>,
    /// Its tags (ownership tags included).
    pub tags: Tags,
}

/// One inbound rule of the managed security group.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The port.
    pub port: u16,
    /// An IPv4 or IPv6 CIDR.
    pub cidr: String,
}

/// The managed security group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroupSpec {
    /// Its name.
    pub name: String,
    /// Inbound rules, sorted.
    pub ingress: Vec<Permission>,
    /// Its tags (ownership tags included).
    pub tags: Tags,
}

/// ip or instance targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// Pod IPs.
    Ip,
    /// Node instances.
    Instance,
}

/// Listener and target-group protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// HTTP.
    Http,
    /// HTTPS.
    Https,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// TCP and UDP on one port.
    TcpUdp,
    /// TLS.
    Tls,
}

impl Protocol {
    /// The name ELBv2 uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::TcpUdp => "TCP_UDP",
            Protocol::Tls => "TLS",
        }
    }
}

/// A target group's health check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// HTTP, HTTPS or TCP.
    pub protocol: Protocol,
    /// `traffic-port` or a port number.
    pub port: String,
    /// The path (HTTP and HTTPS only).
    pub path: Option<String>,
    /// Seconds between checks.
    pub interval_seconds: u32,
    /// Seconds before a check fails.
    pub timeout_seconds: u32,
    /// Passes before healthy.
    pub healthy_threshold: u32,
    /// Failures before unhealthy.
    pub unhealthy_threshold: u32,
    /// HTTP codes (or gRPC codes) that count as success.
    pub matcher: Option<String>,
}

/// The TargetGroupBinding a created target group gets, so the binding controller serves its targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingSpec {
    /// The Service's namespace (the binding lives there).
    pub namespace: String,
    /// The Service.
    pub service: String,
    /// The Service port, by number or name.
    pub service_port: String,
    /// Stack labels (`<prefix>/stack`, or `<prefix>/stack-namespace` and `-name`).
    pub labels: BTreeMap<String, String>,
    /// Node labels an instance-mode binding's nodes must carry (`spec.nodeSelector.matchLabels`); empty
    /// selects every node.
    pub node_selector: BTreeMap<String, String>,
}

/// A target group. Changing `target_kind`, `protocol` or `protocol_version` replaces it (the new one is created
/// first and the old one deleted last); the rest is modified in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetGroupSpec {
    /// Its name (≤ 32 characters, a hash of what identifies it).
    pub name: String,
    /// ip or instance.
    pub target_kind: TargetKind,
    /// Its protocol.
    pub protocol: Protocol,
    /// HTTP1, HTTP2 or GRPC (ALB only).
    pub protocol_version: Option<String>,
    /// The port targets are registered on by default (the nodePort, or the target port).
    pub port: u16,
    /// ipv4 or ipv6 targets.
    pub ip_address_type: IpAddressType,
    /// Its health check.
    pub health_check: HealthCheck,
    /// Target group attributes set by the user.
    pub attributes: BTreeMap<String, String>,
    /// Its tags (ownership tags included).
    pub tags: Tags,
}

/// A listener with its rules in priority order (the first has priority 1, and so on densely).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerSpec {
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: Protocol,
    /// Certificate ARNs, the default first.
    pub certificates: Vec<String>,
    /// The TLS policy (HTTPS and TLS only).
    pub ssl_policy: Option<String>,
    /// What requests no rule matches get.
    pub default_action: Action,
    /// The rules, in priority order.
    pub rules: Vec<RuleSpec>,
    /// Its tags (ownership tags included).
    pub tags: Tags,
}

/// One listener rule: all conditions must match; the actions run in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleSpec {
    /// Its conditions, sorted by field.
    pub conditions: Vec<Condition>,
    /// Its actions, in order (the last one is terminal).
    pub actions: Vec<Action>,
}

/// A rule condition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    /// `host-header` values.
    HostHeader(Vec<String>),
    /// `path-pattern` values.
    PathPattern(Vec<String>),
    /// `http-header`: a header's name and values.
    HttpHeader {
        /// The header.
        name: String,
        /// Its accepted values.
        values: Vec<String>,
    },
    /// `http-request-method` values.
    HttpRequestMethod(Vec<String>),
    /// `query-string`: (key, value) pairs, the key optional.
    QueryString(Vec<(Option<String>, String)>),
    /// `source-ip` CIDRs.
    SourceIp(Vec<String>),
}

impl Condition {
    /// How many condition values it spends of the rule's five.
    pub fn values(&self) -> usize {
        match self {
            Condition::HostHeader(v)
            | Condition::PathPattern(v)
            | Condition::HttpRequestMethod(v)
            | Condition::SourceIp(v) => v.len(),
            Condition::HttpHeader { values, .. } => values.len(),
            Condition::QueryString(v) => v.len(),
        }
    }
}

/// A target group an action forwards to: one of the model's (by resource id) or an existing one (by ARN).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TgRef {
    /// A target group of this model.
    Model(String),
    /// A target group named by ARN in an `actions.*` annotation.
    Arn(String),
}

/// One target group of a forward, with its weight (`None` when it is the only one).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeightedTg {
    /// The target group.
    pub tg: TgRef,
    /// Its weight.
    pub weight: Option<u32>,
}

/// Where a redirect sends; `None` keeps the request's own (`#{host}`, `#{port}`...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Redirect {
    /// HTTP, HTTPS or `#{protocol}`.
    pub protocol: Option<String>,
    /// The port.
    pub port: Option<String>,
    /// The host.
    pub host: Option<String>,
    /// The path.
    pub path: Option<String>,
    /// The query.
    pub query: Option<String>,
    /// `HTTP_301` or `HTTP_302`.
    pub status_code: String,
}

/// A rule or default action.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Forward to target groups, sorted, with stickiness (seconds) when set.
    Forward {
        /// The target groups.
        groups: Vec<WeightedTg>,
        /// Stickiness duration in seconds, when enabled.
        stickiness_seconds: Option<u32>,
    },
    /// Redirect.
    Redirect(Redirect),
    /// A fixed response.
    FixedResponse {
        /// The status code, e.g. `503`.
        status_code: String,
        /// `text/plain` and the like.
        content_type: Option<String>,
        /// The body.
        body: Option<String>,
    },
}

impl Action {
    /// Forward to one target group of the model.
    pub fn forward_to(resource_id: &str) -> Self {
        Action::Forward {
            groups: vec![WeightedTg {
                tg: TgRef::Model(resource_id.to_owned()),
                weight: None,
            }],
            stickiness_seconds: None,
        }
    }

    /// A fixed response with a plain-text body.
    pub fn fixed(status_code: &str, body: Option<&str>) -> Self {
        Action::FixedResponse {
            status_code: status_code.to_owned(),
            content_type: Some("text/plain".to_owned()),
            body: body.map(str::to_owned),
        }
    }
}
