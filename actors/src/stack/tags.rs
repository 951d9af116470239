//! The ownership tags every resource of a stack carries, as the AWS Load Balancer Controller writes them, so
//! stacks it created are adopted and the reverse.

use std::collections::BTreeMap;

/// Tag naming the cluster that owns a resource.
pub const CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";
/// The older cluster tag, still matched when finding what a cluster owns.
pub const LEGACY_CLUSTER_TAG: &str = "ingress.k8s.aws/cluster";

/// Which kind of stack: the prefix of its `stack` and `resource` tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StackKind {
    /// An Ingress group (`ingress.k8s.aws/...`).
    Ingress,
    /// A Service of type LoadBalancer (`service.k8s.aws/...`).
    Service,
}

impl StackKind {
    /// `ingress.k8s.aws` or `service.k8s.aws`.
    pub fn prefix(self) -> &'static str {
        match self {
            StackKind::Ingress => "ingress.k8s.aws",
            StackKind::Service => "service.k8s.aws",
        }
    }

    /// The `<prefix>/stack` tag key.
    pub fn stack_tag(self) -> String {
        format!("{}/stack", self.prefix())
    }

    /// The `<prefix>/resource` tag key.
    pub fn resource_tag(self) -> String {
        format!("{}/resource", self.prefix())
    }
}

/// One stack: its kind and id (an explicit group's name, else `namespace/name` of the Ingress or Service).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackId {
    /// Ingress group or Service.
    pub kind: StackKind,
    /// The group name, or `namespace/name`.
    pub id: String,
}

/// Tags of one resource, sorted by key.
pub type Tags = BTreeMap<String, String>;

impl StackId {
    /// The tags that mark resource `resource_id` of this stack in `cluster` as ours, over the user's `extra`
    /// tags (ours win).
    pub fn tags(&self, cluster: &str, resource_id: &str, extra: &Tags) -> Tags {
        let mut tags = extra.clone();
        tags.insert(CLUSTER_TAG.to_owned(), cluster.to_owned());
        tags.insert(self.kind.stack_tag(), self.id.clone());
        tags.insert(self.kind.resource_tag(), resource_id.to_owned());
        tags
    }

    /// Whether `tags` mark a resource of this stack in `cluster` (the legacy cluster tag counts).
    pub fn owns(&self, cluster: &str, tags: &Tags) -> bool {
        let cluster_ok = [CLUSTER_TAG, LEGACY_CLUSTER_TAG]
            .iter()
            .any(|k| tags.get(*k).map(String::as_str) == Some(cluster));
        cluster_ok && tags.get(&self.kind.stack_tag()) == Some(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_tags_win_over_the_users_and_mark_the_resource_as_ours() {
        let stack = StackId {
            kind: StackKind::Ingress,
            id: "shop".into(),
        };
        let extra: Tags = [
            (CLUSTER_TAG.to_owned(), "theirs".to_owned()),
            ("team".to_owned(), "a".to_owned()),
        ]
        .into();
        let tags = stack.tags("c1", "LoadBalancer", &extra);
        assert_eq!(tags[CLUSTER_TAG], "c1");
        assert_eq!(tags["ingress.k8s.aws/stack"], "shop");
        assert_eq!(tags["ingress.k8s.aws/resource"], "LoadBalancer");
        assert_eq!(tags["team"], "a");
        assert!(stack.owns("c1", &tags));
        assert!(!stack.owns("c2", &tags));
        let other = StackId {
            kind: StackKind::Service,
            id: "shop".into(),
        };
        assert!(!other.owns("c1", &tags));
    }

    #[test]
    fn the_legacy_cluster_tag_is_ours_too() {
        let stack = StackId {
            kind: StackKind::Ingress,
            id: "ns/web".into(),
        };
        let tags: Tags = [
            (LEGACY_CLUSTER_TAG.to_owned(), "c1".to_owned()),
            ("ingress.k8s.aws/stack".to_owned(), "ns/web".to_owned()),
        ]
        .into();
        assert!(stack.owns("c1", &tags));
    }
}
