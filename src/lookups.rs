//! Names annotations may use where AWS wants ids (target groups by name, subnets and security groups by
//! their `Name` tag), as the caller looked them up: the builders do no IO, so the answers come in here.

use std::collections::{BTreeMap, BTreeSet};

/// Names to look up, or what they were found to be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    /// Target group ARNs by target group name.
    pub target_groups: BTreeMap<String, String>,
    /// Subnet ids by `Name` tag.
    pub subnets: BTreeMap<String, String>,
    /// Security group ids by `Name` tag.
    pub security_groups: BTreeMap<String, String>,
}

/// Whether `value` is an id (`subnet-…`, `sg-…`) rather than a `Name` tag.
pub fn is_id(value: &str, prefix: &str) -> bool {
    value.starts_with(prefix)
}

impl Lookups {
    /// `list` (subnets or security groups, ids or names) as ids; a name not found is an error naming it.
    pub fn ids(&self, list: &[String], security_groups: bool) -> Result<Vec<String>, UnknownName> {
        let (prefix, found, kind) = if security_groups {
            ("sg-", &self.security_groups, "security group with Name tag")
        } else {
            ("subnet-", &self.subnets, "subnet with Name tag")
        };
        list.iter()
            .map(|v| {
                if is_id(v, prefix) {
                    return Ok(v.clone());
                }
                found.get(v).cloned().ok_or_else(|| UnknownName {
                    kind,
                    name: v.clone(),
                })
            })
            .collect()
    }

    /// The ARN of the target group `name`; not found is an error naming it.
    pub fn target_group(&self, name: &str) -> Result<String, UnknownName> {
        self.target_groups
            .get(name)
            .cloned()
            .ok_or_else(|| UnknownName {
                kind: "target group named",
                name: name.to_owned(),
            })
    }
}

/// Names to look up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Target group names.
    pub target_groups: BTreeSet<String>,
    /// Subnet `Name` tags.
    pub subnets: BTreeSet<String>,
    /// Security group `Name` tags.
    pub security_groups: BTreeSet<String>,
}

impl Wanted {
    /// Whether there is nothing to look up.
    pub fn is_empty(&self) -> bool {
        self.target_groups.is_empty() && self.subnets.is_empty() && self.security_groups.is_empty()
    }
}

/// A name the VPC does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {kind} {name:?} in the VPC")]
pub struct UnknownName {
    /// What was looked up, e.g. `subnet with Name tag`.
    pub kind: &'static str,
    /// The name.
    pub name: String,
}
