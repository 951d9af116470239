//! The managed security group: its inbound CIDR rules per port.

use aws_sdk_ec2::types::SecurityGroup;
use tgsync_actors::stack::{LiveSecurityGroup, Permission, SecurityGroupSpec};

use super::{ec2_tags, required, Unmodelled};

/// A security group. Only single-port TCP/UDP rules from CIDRs are modelled; others (security-group pairs,
/// prefix lists, port ranges, all protocols) are left out, so tgsync neither keeps nor removes them.
pub(in crate::aws::stack) fn security_group(
    sg: &SecurityGroup,
) -> Result<LiveSecurityGroup, Unmodelled> {
    let mut ingress: Vec<Permission> = sg
        .ip_permissions()
        .iter()
        .filter(|p| matches!(p.ip_protocol(), Some("tcp" | "udp")) && p.from_port() == p.to_port())
        .filter_map(|p| {
            let port = u16::try_from(p.from_port()?).ok()?;
            let protocol = p.ip_protocol()?.to_owned();
            let v4 = p.ip_ranges().iter().filter_map(|r| r.cidr_ip());
            let v6 = p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6());
            Some(
                v4.chain(v6)
                    .map(|cidr| Permission {
                        protocol: protocol.clone(),
                        port,
                        cidr: cidr.to_owned(),
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    ingress.sort();
    ingress.dedup();
    Ok(LiveSecurityGroup {
        id: required(sg.group_id(), "security group id")?.to_owned(),
        spec: SecurityGroupSpec {
            name: required(sg.group_name(), "security group name")?.to_owned(),
            ingress,
            tags: ec2_tags(sg.tags()),
        },
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, Tag, UserIdGroupPair};

    use super::*;

    #[test]
    fn cidr_rules_per_port_are_modelled_and_sorted() {
        let sg = SecurityGroup::builder()
            .group_id("sg-1")
            .group_name("k8s-web-abc")
            .tags(
                Tag::builder()
                    .key("elbv2.k8s.aws/cluster")
                    .value("c1")
                    .build(),
            )
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
                    .build(),
            )
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(80)
                    .to_port(80)
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .build(),
            )
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("-1")
                    .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-2").build())
                    .build(),
            )
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(1000)
                    .to_port(2000)
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .build(),
            )
            .build();
        let live = security_group(&sg).unwrap();
        let perm = |port, cidr: &str| Permission {
            protocol: "tcp".into(),
            port,
            cidr: cidr.into(),
        };
        assert_eq!(live.id, "sg-1");
        assert_eq!(live.spec.name, "k8s-web-abc");
        assert_eq!(live.spec.tags["elbv2.k8s.aws/cluster"], "c1");
        assert_eq!(
            live.spec.ingress,
            vec![
                perm(80, "10.0.0.0/8"),
                perm(443, "0.0.0.0/0"),
                perm(443, "::/0")
            ]
        );
    }

    #[test]
    fn a_group_without_an_id_is_unmodelled() {
        assert!(security_group(&SecurityGroup::builder().group_name("x").build()).is_err());
    }
}
