//! IngressClassParams (`elbv2.k8s.aws/v1beta1`, cluster-scoped): settings an IngressClass imposes on every
//! Ingress of its class, overriding their annotations. Same group, version and fields as the AWS Load Balancer
//! Controller's, so its objects apply unchanged.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::binding::TargetType;

/// Configuration shared by every Ingress of the IngressClass that references these params.
// The printcolumn(...) lists repeat `type_ = "string"`, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "elbv2.k8s.aws",
    version = "v1beta1",
    kind = "IngressClassParams",
    plural = "ingressclassparams",
    derive = "PartialEq",
    derive = "Default",
    doc = "IngressClassParams is the Schema for the IngressClassParams API",
    printcolumn(
        name = "GROUP-NAME",
        type_ = "string",
        description = "The Ingress Group name",
        json_path = ".spec.group.name"
    ),
    printcolumn(
        name = "SCHEME",
        type_ = "string",
        description = "The AWS Load Balancer scheme",
        json_path = ".spec.scheme"
    ),
    printcolumn(
        name = "IP-ADDRESS-TYPE",
        type_ = "string",
        description = "The AWS Load Balancer ipAddressType",
        json_path = ".spec.ipAddressType"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct IngressClassParamsSpec {
    /// Only Ingresses in namespaces this selects may use the class (absent or empty: every namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// Every Ingress of the class joins this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<IngressGroupRef>,
    /// The load balancer's scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<LoadBalancerScheme>,
    /// CIDRs allowed to reach the load balancer.
    #[serde(
        rename = "inboundCIDRs",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub inbound_cidrs: Vec<String>,
    /// The TLS policy of HTTPS listeners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// The HTTPS port HTTP requests are redirected to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_redirect_port: Option<String>,
    /// Certificate ARNs of HTTPS listeners, the default first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificate_arn: Vec<String>,
    /// The subnets, by id or by tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnets: Option<SubnetSelector>,
    /// ipv4 or dualstack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<LoadBalancerIpAddressType>,
    /// Tags on every AWS resource made for the class's Ingresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
    /// Load balancer attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_attributes: Vec<KeyValue>,
    /// ip or instance targets for every backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<TargetType>,
    /// The load balancer's name (honoured at creation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_name: Option<String>,
}

/// An Ingress group, by name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct IngressGroupRef {
    /// The group's name.
    pub name: String,
}

/// Where a load balancer answers.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoadBalancerScheme {
    /// Inside the VPC.
    Internal,
    /// From the internet.
    InternetFacing,
}

/// A load balancer's address family.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LoadBalancerIpAddressType {
    /// IPv4 only.
    Ipv4,
    /// IPv4 and IPv6.
    Dualstack,
}

/// Subnets by id, or by tags (each key must hold one of its values).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct SubnetSelector {
    /// Subnet ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Tag key → accepted values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, Vec<String>>,
}

/// A key and its value (a tag or an attribute).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use kube::Resource;

    use super::*;

    #[test]
    fn params_are_cluster_scoped_and_read_the_aws_controllers_fields() {
        let doc = serde_json::json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams",
            "metadata": {"name": "shared"},
            "spec": {"group": {"name": "shop"}, "scheme": "internet-facing", "ipAddressType": "dualstack",
                     "inboundCIDRs": ["10.0.0.0/8"], "subnets": {"tags": {"team": ["a", "b"]}},
                     "tags": [{"key": "env", "value": "prod"}], "targetType": "ip",
                     "loadBalancerAttributes": [{"key": "idle_timeout.timeout_seconds", "value": "60"}]},
        });
        let params: IngressClassParams =
            serde_json::from_value(doc).expect("the AWS controller's shape decodes");
        assert_eq!(
            params.spec.group.as_ref().map(|g| g.name.as_str()),
            Some("shop")
        );
        assert_eq!(params.spec.scheme, Some(LoadBalancerScheme::InternetFacing));
        assert_eq!(params.spec.target_type, Some(TargetType::Ip));
        assert_eq!(
            params.spec.subnets.as_ref().expect("subnets").tags["team"],
            ["a", "b"]
        );
        assert_eq!(params.meta().namespace, None);
        let crd = <IngressClassParams as kube::CustomResourceExt>::crd();
        assert_eq!(crd.spec.scope, "Cluster");
        assert_eq!(crd.spec.names.plural, "ingressclassparams");
    }
}
