//! Resource names as the AWS Load Balancer Controller makes them, so it and tgsync adopt each other's
//! stacks: `k8s-` + truncated, alphanumeric-only parts + the first 10 hex digits of a sha256 over what
//! identifies the resource. Every name fits ELBv2's 32 characters.

use tgsync_actors::stack::Scheme;

use crate::ingress::group::GroupId;
use crate::names::part;
pub use crate::names::{hash10, scheme_str};

fn group_name(group: &GroupId, hash: &str) -> String {
    match group {
        GroupId::Explicit(name) => format!("k8s-{}-{hash}", part(name, 17)),
        GroupId::Implicit(key) => {
            format!(
                "k8s-{}-{}-{hash}",
                part(&key.namespace, 8),
                part(&key.name, 8)
            )
        }
    }
}

/// The ALB's name: hash over cluster, group id and scheme (so a scheme change names a new ALB).
pub fn load_balancer(cluster: &str, group: &GroupId, scheme: Scheme) -> String {
    let id = group.to_string();
    group_name(group, &hash10(&[cluster, &id, scheme_str(scheme)]))
}

/// The managed security group's name: hash over cluster and group id.
pub fn security_group(cluster: &str, group: &GroupId) -> String {
    let id = group.to_string();
    group_name(group, &hash10(&[cluster, &id]))
}

/// What names a target group: every field the hash covers.
pub struct TargetGroupName<'a> {
    /// The cluster.
    pub cluster: &'a str,
    /// The group.
    pub group: &'a GroupId,
    /// The Ingress's namespace.
    pub ingress_namespace: &'a str,
    /// The Ingress's name.
    pub ingress_name: &'a str,
    /// The Service's namespace.
    pub service_namespace: &'a str,
    /// The Service's name.
    pub service_name: &'a str,
    /// The Service's UID.
    pub service_uid: &'a str,
    /// The backend's Service port as written (number or name).
    pub service_port: &'a str,
    /// The target group's port.
    pub port: u16,
    /// `ip` or `instance`.
    pub target_type: &'a str,
    /// `HTTP` or `HTTPS`.
    pub protocol: &'a str,
    /// `HTTP1`, `HTTP2` or `GRPC`.
    pub protocol_version: &'a str,
}

impl TargetGroupName<'_> {
    /// `k8s-<svcNs8>-<svc8>-<hash>`.
    pub fn render(&self) -> String {
        let group = self.group.to_string();
        let port = self.port.to_string();
        let hash = hash10(&[
            self.cluster,
            &group,
            self.ingress_namespace,
            self.ingress_name,
            self.service_uid,
            self.service_port,
            &port,
            self.target_type,
            self.protocol,
            self.protocol_version,
        ]);
        format!(
            "k8s-{}-{}-{hash}",
            part(self.service_namespace, 8),
            part(self.service_name, 8)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingress::IngressKey;

    #[test]
    fn names_fit_32_characters_and_are_stable() {
        let long = "a-very-long-namespace-name-with-dashes";
        let implicit = GroupId::Implicit(IngressKey {
            namespace: long.into(),
            name: long.into(),
        });
        let explicit = GroupId::Explicit(format!("{long}.and.more"));
        for g in [&implicit, &explicit] {
            let lb = load_balancer("c1", g, Scheme::Internal);
            assert_eq!(lb.len(), 32, "{lb}");
            assert_eq!(lb, load_balancer("c1", g, Scheme::Internal));
            assert_ne!(lb, load_balancer("c1", g, Scheme::InternetFacing));
            assert_ne!(lb, load_balancer("c2", g, Scheme::Internal));
            assert!(security_group("c1", g).len() <= 32);
        }
        assert!(
            load_balancer("c1", &implicit, Scheme::Internal).starts_with("k8s-averylon-averylon-")
        );
        assert!(
            load_balancer("c1", &explicit, Scheme::Internal).starts_with("k8s-averylongnamespac-")
        );
        let short = GroupId::Explicit("shop".into());
        assert!(load_balancer("c1", &short, Scheme::Internal).starts_with("k8s-shop-"));
        let tg = TargetGroupName {
            cluster: "c1",
            group: &implicit,
            ingress_namespace: long,
            ingress_name: long,
            service_namespace: long,
            service_name: "web.frontend_v2",
            service_uid: "uid-1",
            service_port: "http",
            port: 30080,
            target_type: "instance",
            protocol: "HTTP",
            protocol_version: "HTTP1",
        };
        let name = tg.render();
        assert!(
            name.len() <= 32 && name.starts_with("k8s-averylon-webfront-"),
            "{name}"
        );
        assert_eq!(name, tg.render());
        let other = TargetGroupName { port: 30081, ..tg };
        assert_ne!(name, other.render());
    }
}
