use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use tgsync_actors::domain::InstanceId;

/// Nodes carrying this label never receive load-balancer traffic.
pub const EXCLUDE_LABEL: &str = "node.kubernetes.io/exclude-from-external-load-balancers";

/// What instance mode needs of a Node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// The node's labels (for nodeSelector).
    pub labels: BTreeMap<String, String>,
    /// Condition Ready is True.
    pub ready: bool,
    /// Carries the exclude-from-external-load-balancers label.
    pub excluded: bool,
    /// The EC2 instance from `spec.providerID`, if it names one.
    pub instance: Option<InstanceId>,
}

impl NodeInfo {
    /// The slim view of a Node.
    pub fn from_node(node: &Node) -> Self {
        let labels = node.metadata.labels.clone().unwrap_or_default();
        let ready = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.status == "True");
        let instance = node
            .spec
            .as_ref()
            .and_then(|s| s.provider_id.as_deref())
            .and_then(instance_from_provider_id);
        NodeInfo {
            excluded: labels.contains_key(EXCLUDE_LABEL),
            labels,
            ready,
            instance,
        }
    }

    /// Whether the node may be a target at all (ready, not excluded, an instance id known).
    pub fn eligible(&self) -> bool {
        self.ready && !self.excluded && self.instance.is_some()
    }
}

/// `aws:///us-east-1a/i-0123…` → the instance id (the last path segment).
pub fn instance_from_provider_id(provider_id: &str) -> Option<InstanceId> {
    let rest = provider_id.strip_prefix("aws://")?;
    rest.rsplit('/').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{NodeCondition, NodeSpec, NodeStatus};

    use super::*;

    #[test]
    fn reads_instance_ids_from_provider_ids() {
        let id = instance_from_provider_id("aws:///us-east-1a/i-0123456789abcdef0").unwrap();
        assert_eq!(id.to_string(), "i-0123456789abcdef0");
        assert!(instance_from_provider_id("kind://docker/n1").is_none());
        assert!(instance_from_provider_id("aws:///us-east-1a/").is_none());
    }

    #[test]
    fn not_ready_and_excluded_nodes_are_not_eligible() {
        let mut node = Node {
            spec: Some(NodeSpec {
                provider_id: Some("aws:///us-east-1a/i-00ab00cd".into()),
                ..Default::default()
            }),
            status: Some(NodeStatus {
                conditions: Some(vec![NodeCondition {
                    type_: "Ready".into(),
                    status: "True".into(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(NodeInfo::from_node(&node).eligible());
        node.metadata.labels = Some([(EXCLUDE_LABEL.to_string(), String::new())].into());
        assert!(!NodeInfo::from_node(&node).eligible());
        node.metadata.labels = None;
        node.status = None;
        assert!(!NodeInfo::from_node(&node).eligible());
    }
}
