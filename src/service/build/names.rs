//! NLB, security group and target group names as the AWS Load Balancer Controller makes them for a
//! Service: `k8s-<ns8>-<svc8>-<hash10>`, the hash over what identifies the resource.

use tgsync_actors::stack::Scheme;

use crate::names::{hash10, part, scheme_str};

/// The Service a name is for.
#[derive(Clone, Copy, Debug)]
pub struct Owner<'a> {
    /// The cluster.
    pub cluster: &'a str,
    /// The Service's namespace.
    pub namespace: &'a str,
    /// The Service's name.
    pub name: &'a str,
    /// The Service's UID.
    pub uid: &'a str,
}

impl Owner<'_> {
    fn render(&self, hash: &str) -> String {
        format!(
            "k8s-{}-{}-{hash}",
            part(self.namespace, 8),
            part(self.name, 8)
        )
    }

    /// The NLB's name: hash over cluster, UID and scheme (a scheme change names a new NLB).
    pub fn load_balancer(&self, scheme: Scheme) -> String {
        self.render(&hash10(&[self.cluster, self.uid, scheme_str(scheme)]))
    }

    /// The managed security group's name: hash over cluster and UID.
    pub fn security_group(&self) -> String {
        self.render(&hash10(&[self.cluster, self.uid]))
    }

    /// A target group's name: hash over cluster, UID and the fields in `tg`.
    pub fn target_group(&self, tg: &TargetGroupName<'_>) -> String {
        let (port, service_port, interval) = (
            tg.port.to_string(),
            tg.service_port.to_string(),
            tg.health_check_interval.to_string(),
        );
        self.render(&hash10(&[
            self.cluster,
            self.uid,
            &port,
            &service_port,
            tg.target_type,
            tg.protocol,
            tg.health_check_protocol,
            &interval,
        ]))
    }
}

/// What names a target group besides its Service.
pub struct TargetGroupName<'a> {
    /// The target group's port.
    pub port: u16,
    /// The Service port.
    pub service_port: u16,
    /// `ip` or `instance`.
    pub target_type: &'a str,
    /// Its protocol.
    pub protocol: &'a str,
    /// Its health check's protocol.
    pub health_check_protocol: &'a str,
    /// Its health check's interval.
    pub health_check_interval: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_32_characters_and_change_with_what_identifies_them() {
        let o = Owner {
            cluster: "c1",
            namespace: "a-very-long-namespace",
            name: "web.frontend_v2",
            uid: "uid-1",
        };
        let lb = o.load_balancer(Scheme::Internal);
        assert_eq!(lb.len(), 32, "{lb}");
        assert!(lb.starts_with("k8s-averylon-webfront-"), "{lb}");
        assert_ne!(lb, o.load_balancer(Scheme::InternetFacing));
        assert_ne!(
            lb,
            Owner { uid: "uid-2", ..o }.load_balancer(Scheme::Internal)
        );
        assert!(o.security_group().len() <= 32);
        let tg = TargetGroupName {
            port: 30080,
            service_port: 80,
            target_type: "instance",
            protocol: "TCP",
            health_check_protocol: "TCP",
            health_check_interval: 10,
        };
        let name = o.target_group(&tg);
        assert!(name.len() <= 32 && name.starts_with("k8s-averylon-webfront-"));
        assert_eq!(name, o.target_group(&tg));
        let udp = TargetGroupName {
            protocol: "UDP",
            ..tg
        };
        assert_ne!(name, o.target_group(&udp));
    }
}
