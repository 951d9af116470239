//! The load balancer's annotations, exclusive in a group: `scheme`, `ip-address-type`, `load-balancer-name`,
//! `subnets`, `security-groups`, and the merged `load-balancer-attributes` and `tags`.

use std::collections::BTreeMap;

use tgsync_actors::stack::{IpAddressType, Scheme};

use super::error::{AnnotationError, Problem};
use super::values::Annotations;
use super::words;

/// The longest load balancer name ELBv2 accepts.
pub const MAX_NAME: usize = 32;

/// What one Ingress says about its group's load balancer; `None` where it says nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadBalancerAnnotations {
    /// `scheme`.
    pub scheme: Option<Scheme>,
    /// `ip-address-type`.
    pub ip_address_type: Option<IpAddressType>,
    /// `load-balancer-name`.
    pub name: Option<String>,
    /// `subnets`, sorted and deduplicated (ids or Name tags).
    pub subnets: Option<Vec<String>>,
    /// `security-groups`, sorted and deduplicated (ids or Name tags).
    pub security_groups: Option<Vec<String>>,
    /// `load-balancer-attributes`.
    pub attributes: BTreeMap<String, String>,
    /// `tags`.
    pub tags: BTreeMap<String, String>,
}

impl LoadBalancerAnnotations {
    /// Reads them from an Ingress's annotations.
    pub fn parse(a: &Annotations<'_>) -> Result<Self, AnnotationError> {
        Ok(Self {
            scheme: a.parse("scheme", words::scheme)?,
            ip_address_type: a.parse("ip-address-type", words::ip_address_type)?,
            name: a.parse("load-balancer-name", name)?,
            subnets: a.list("subnets").and_then(set),
            security_groups: a.list("security-groups").and_then(set),
            attributes: a.map("load-balancer-attributes")?.unwrap_or_default(),
            tags: a.map("tags")?.unwrap_or_default(),
        })
    }
}

fn name(raw: &str) -> Result<String, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Problem::Empty);
    }
    if raw.len() > MAX_NAME {
        return Err(Problem::TooLong {
            len: raw.len(),
            max: MAX_NAME,
        });
    }
    Ok(raw.to_owned())
}

/// Sorted and deduplicated; an empty list says nothing.
fn set(mut items: Vec<String>) -> Option<Vec<String>> {
    items.sort();
    items.dedup();
    (!items.is_empty()).then_some(items)
}

#[cfg(test)]
mod tests {
    use super::super::values::PREFIX;
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<LoadBalancerAnnotations, AnnotationError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
            .collect();
        LoadBalancerAnnotations::parse(&Annotations::new(Some(&map)))
    }

    #[test]
    fn reads_every_field() {
        let lb = parse(&[
            ("scheme", "internet-facing"),
            ("ip-address-type", "dualstack"),
            ("load-balancer-name", "shop"),
            ("subnets", "subnet-b, subnet-a,subnet-b"),
            ("security-groups", "sg-1"),
            (
                "load-balancer-attributes",
                "idle_timeout.timeout_seconds=120",
            ),
            ("tags", "team=a,env=prod"),
        ])
        .unwrap();
        assert_eq!(lb.scheme, Some(Scheme::InternetFacing));
        assert_eq!(lb.ip_address_type, Some(IpAddressType::Dualstack));
        assert_eq!(lb.name.as_deref(), Some("shop"));
        assert_eq!(lb.subnets.unwrap(), ["subnet-a", "subnet-b"]);
        assert_eq!(lb.security_groups.unwrap(), ["sg-1"]);
        assert_eq!(lb.attributes["idle_timeout.timeout_seconds"], "120");
        assert_eq!(lb.tags.len(), 2);
        assert_eq!(parse(&[]).unwrap(), LoadBalancerAnnotations::default());
    }

    #[test]
    fn refuses_bad_values_naming_the_annotation() {
        let cases = [
            ("scheme", "public"),
            ("ip-address-type", "ipv6"),
            ("load-balancer-name", "a-name-that-is-longer-than-32-chars"),
            ("load-balancer-name", " "),
            ("load-balancer-attributes", "deletion_protection.enabled"),
            ("tags", "a=1,,b"),
        ];
        for (suffix, value) in cases {
            let err = parse(&[(suffix, value)]).unwrap_err();
            assert_eq!(err.annotation, format!("{PREFIX}{suffix}"), "{value}");
        }
    }
}
