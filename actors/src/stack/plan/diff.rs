//! Small diffs every resource shares: tags and attributes.

use std::collections::BTreeMap;

use super::call::Call;
use crate::stack::tags::Tags;

/// Which tag API a resource answers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagApi {
    /// ELBv2 AddTags / RemoveTags.
    Elbv2,
    /// EC2 CreateTags / DeleteTags.
    Ec2,
}

/// The calls that make `live` tags equal `desired` on `resource`: one to add or overwrite, one to remove.
pub fn tag_calls(resource: &str, desired: &Tags, live: &Tags, api: TagApi) -> Vec<Call> {
    let tags: Tags = desired
        .iter()
        .filter(|(k, v)| live.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let keys: Vec<String> = live
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    let resource = resource.to_owned();
    let mut calls = Vec::new();
    if !tags.is_empty() {
        calls.push(match api {
            TagApi::Elbv2 => Call::AddTags {
                resource: resource.clone(),
                tags,
            },
            TagApi::Ec2 => Call::CreateTags {
                resource: resource.clone(),
                tags,
            },
        });
    }
    if !keys.is_empty() {
        calls.push(match api {
            TagApi::Elbv2 => Call::RemoveTags { resource, keys },
            TagApi::Ec2 => Call::DeleteTags { resource, keys },
        });
    }
    calls
}

/// The desired attributes AWS does not hold with that value. Attributes the model leaves out are not reset:
/// AWS describes every attribute, defaults included, and has no call to unset one.
pub fn changed_attributes(
    desired: &BTreeMap<String, String>,
    live: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    desired
        .iter()
        .filter(|(k, v)| live.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
