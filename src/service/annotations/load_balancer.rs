//! The load balancer's annotations: scheme (and the legacy `-internal`), name, subnets, security groups,
//! ip address type, attributes and extra tags.

use std::collections::BTreeMap;

use tgsync_actors::stack::{IpAddressType, Scheme};

use crate::annotations::{words, AnnotationError, Annotations, Problem};

/// `internal` or `internet-facing`.
pub const SCHEME: &str = "aws-load-balancer-scheme";
/// The legacy bool: true is `internal`, false `internet-facing`; `scheme` wins.
pub const INTERNAL: &str = "aws-load-balancer-internal";
/// The NLB's name, honoured at creation only.
pub const NAME: &str = "aws-load-balancer-name";
/// Subnet ids or `Name` tags.
pub const SUBNETS: &str = "aws-load-balancer-subnets";
/// Security group ids or `Name` tags, instead of the managed one.
pub const SECURITY_GROUPS: &str = "aws-load-balancer-security-groups";
/// `ipv4` or `dualstack`.
pub const IP_ADDRESS_TYPE: &str = "aws-load-balancer-ip-address-type";
/// Load balancer attributes, a `stringMap`.
pub const ATTRIBUTES: &str = "aws-load-balancer-attributes";
/// Tags for every resource, a `stringMap`.
pub const TAGS: &str = "aws-load-balancer-additional-resource-tags";

/// ELBv2's limit on load balancer names.
const MAX_NAME: usize = 32;

/// What the annotations ask of the load balancer; `None` leaves it to the existing NLB or the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadBalancerAnnotations {
    /// The scheme, from `scheme` or else `internal`.
    pub scheme: Option<Scheme>,
    /// The name.
    pub name: Option<String>,
    /// Subnets, ids or names.
    pub subnets: Option<Vec<String>>,
    /// Security groups, ids or names.
    pub security_groups: Option<Vec<String>>,
    /// The ip address type.
    pub ip_address_type: Option<IpAddressType>,
    /// Load balancer attributes.
    pub attributes: BTreeMap<String, String>,
    /// Extra tags.
    pub tags: BTreeMap<String, String>,
}

impl LoadBalancerAnnotations {
    /// Reads them from `a`.
    pub fn parse(a: &Annotations<'_>) -> Result<Self, AnnotationError> {
        let scheme = match a.parse(SCHEME, words::scheme)? {
            Some(s) => Some(s),
            None => a.bool(INTERNAL)?.map(|internal| {
                if internal {
                    Scheme::Internal
                } else {
                    Scheme::InternetFacing
                }
            }),
        };
        let name = a.parse(NAME, |raw| {
            let raw = raw.trim();
            match raw.len() {
                0 => Err(Problem::Empty),
                len if len > MAX_NAME => Err(Problem::TooLong { len, max: MAX_NAME }),
                _ if !valid_name(raw) => Err(Problem::Invalid(format!(
                    "{raw:?} may hold letters, digits and inner hyphens only"
                ))),
                _ => Ok(raw.to_owned()),
            }
        })?;
        Ok(LoadBalancerAnnotations {
            scheme,
            name,
            subnets: non_empty(a, SUBNETS)?,
            security_groups: non_empty(a, SECURITY_GROUPS)?,
            ip_address_type: a.parse(IP_ADDRESS_TYPE, words::ip_address_type)?,
            attributes: a.map(ATTRIBUTES)?.unwrap_or_default(),
            tags: a.map(TAGS)?.unwrap_or_default(),
        })
    }
}

/// ELBv2 names: letters, digits and hyphens, not starting or ending with one.
fn valid_name(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A `stringList` that must name something when present.
fn non_empty(a: &Annotations<'_>, suffix: &str) -> Result<Option<Vec<String>>, AnnotationError> {
    match a.list(suffix) {
        Some(list) if list.is_empty() => Err(a.error_for(suffix, Problem::Empty)),
        other => Ok(other),
    }
}
