use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The finalizer the AWS Load Balancer Controller puts on bindings; tgsync uses the same name.
pub const FINALIZER: &str = "elbv2.k8s.aws/resources";

/// Binds a Kubernetes Service to an existing ELBv2 target group: its endpoints (ip) or nodes (instance)
/// become the target group's targets.
// The printcolumn(...) lists repeat `type_ = "string"`, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "elbv2.k8s.aws",
    version = "v1beta1",
    kind = "TargetGroupBinding",
    namespaced,
    status = "TargetGroupBindingStatus",
    derive = "PartialEq",
    doc = "TargetGroupBinding is the Schema for the TargetGroupBinding API",
    printcolumn(
        name = "SERVICE-NAME",
        type_ = "string",
        description = "The Kubernetes Service's name",
        json_path = ".spec.serviceRef.name"
    ),
    printcolumn(
        name = "SERVICE-PORT",
        type_ = "string",
        description = "The Kubernetes Service's port",
        json_path = ".spec.serviceRef.port"
    ),
    printcolumn(
        name = "TARGET-TYPE",
        type_ = "string",
        description = "The AWS TargetGroup's TargetType",
        json_path = ".spec.targetType"
    ),
    printcolumn(
        name = "ARN",
        type_ = "string",
        description = "The AWS TargetGroup's Amazon Resource Name",
        json_path = ".spec.targetGroupARN",
        priority = "1"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingSpec {
    /// The ARN of the target group (or give `targetGroupName`).
    #[serde(
        rename = "targetGroupARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_group_arn: Option<String>,
    /// The name of the target group, looked up when no ARN is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_name: Option<String>,
    /// How targets are registered: pod IPs (`ip`) or nodes (`instance`). Immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<TargetType>,
    /// The Service whose endpoints or nodes become targets.
    pub service_ref: ServiceReference,
    /// Security-group ingress rules (accepted and stored; tgsync does not manage them yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networking: Option<TargetGroupBindingNetworking>,
    /// Which nodes are targets (instance mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<LabelSelector>,
    /// The target group's IP address type. Immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<IpAddressType>,
    /// The VPC of the target group.
    #[serde(rename = "vpcID", default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$"))]
    pub vpc_id: Option<String>,
    /// The target group is shared with other clusters: touch only the targets this binding registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_cluster_target_group: Option<bool>,
    /// The target group's protocol (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_protocol: Option<TargetGroupProtocol>,
}

/// How targets are registered.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// EC2 instances (nodes) on the Service's nodePort.
    Instance,
    /// Pod IPs on the target port.
    Ip,
}

/// The target group's IP address family.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IpAddressType {
    /// IPv4 targets.
    Ipv4,
    /// IPv6 targets.
    Ipv6,
}

/// Target group protocols as ELBv2 names them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
#[allow(clippy::upper_case_acronyms)]
pub enum TargetGroupProtocol {
    /// HTTP.
    HTTP,
    /// HTTPS.
    HTTPS,
    /// TCP.
    TCP,
    /// TLS.
    TLS,
    /// UDP.
    UDP,
    /// TCP and UDP.
    #[serde(rename = "TCP_UDP")]
    TcpUdp,
    /// GENEVE.
    GENEVE,
}

/// The Service and port a binding follows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct ServiceReference {
    /// The Service's name, in the binding's namespace.
    pub name: String,
    /// The Service port, by number or name.
    pub port: IntOrString,
}

/// Security-group rules for traffic from the load balancer to the targets.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema, Default)]
pub struct TargetGroupBindingNetworking {
    /// Ingress rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<NetworkingIngressRule>,
}

/// One ingress rule: traffic from these peers to these ports.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct NetworkingIngressRule {
    /// Where traffic comes from.
    pub from: Vec<NetworkingPeer>,
    /// Which ports it may reach.
    pub ports: Vec<NetworkingPort>,
}

/// A traffic source: a CIDR or a security group.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkingPeer {
    /// A CIDR block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
    /// A security group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<SecurityGroup>,
}

/// A CIDR block.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct IpBlock {
    /// The CIDR, e.g. `10.0.0.0/16`.
    pub cidr: String,
}

/// A security group by id.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecurityGroup {
    /// The group's id.
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// A port (and protocol) traffic may reach.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct NetworkingPort {
    /// TCP or UDP (TCP when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<NetworkingProtocol>,
    /// The port, by number or name; every port when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
}

/// Protocols of networking rules.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum NetworkingProtocol {
    /// TCP.
    TCP,
    /// UDP.
    UDP,
}

/// What tgsync observed and did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingStatus {
    /// The generation these conditions describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Ready, Invalid, TargetGroupGone, NetworkingNotManaged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
