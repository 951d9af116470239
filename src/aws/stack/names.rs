//! Resources annotations name instead of giving ids: target groups by name, subnets and security groups
//! by their `Name` tag, each in the reader's VPC.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;

use super::error::sdk_error;
use super::{Permits, ReadError};

/// The ARN of the target group called `name`, or none. One call per name: ELBv2 fails a whole
/// `DescribeTargetGroups` when any of its names is unknown.
pub(super) async fn target_group_arn<P: Permits>(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    permits: &P,
    vpc_id: &str,
    name: &str,
) -> Result<Option<String>, ReadError> {
    permits.describe().await?;
    match elb.describe_target_groups().names(name).send().await {
        Ok(answer) => Ok(answer
            .target_groups()
            .iter()
            .find(|t| t.vpc_id() == Some(vpc_id))
            .and_then(|t| t.target_group_arn())
            .map(str::to_owned)),
        Err(e) => match sdk_error("DescribeTargetGroups", e) {
            ReadError::NotFound(_) => Ok(None),
            other => Err(other),
        },
    }
}

/// Ids by `Name` tag of the subnets (or, with `security_groups`, the security groups) in `vpc_id` whose
/// `Name` is one of `names`; a name two resources share is left out, as ambiguous.
pub(super) async fn ids_by_name<P: Permits>(
    ec2: &aws_sdk_ec2::Client,
    permits: &P,
    vpc_id: &str,
    names: &[String],
    security_groups: bool,
) -> Result<BTreeMap<String, String>, ReadError> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if names.is_empty() {
        return Ok(BTreeMap::new());
    }
    let filters = vec![
        Filter::builder().name("vpc-id").values(vpc_id).build(),
        Filter::builder()
            .name("tag:Name")
            .set_values(Some(names.to_vec()))
            .build(),
    ];
    let name_of = |tags: &[aws_sdk_ec2::types::Tag]| {
        tags.iter()
            .find(|t| t.key() == Some("Name"))
            .and_then(|t| t.value())
            .map(str::to_owned)
    };
    let mut token = None;
    loop {
        permits.describe().await?;
        let next = if security_groups {
            let page = ec2
                .describe_security_groups()
                .set_filters(Some(filters.clone()))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("DescribeSecurityGroups", e))?;
            for sg in page.security_groups() {
                if let (Some(name), Some(id)) = (name_of(sg.tags()), sg.group_id()) {
                    found.entry(name).or_default().push(id.to_owned());
                }
            }
            page.next_token().map(str::to_owned)
        } else {
            let page = ec2
                .describe_subnets()
                .set_filters(Some(filters.clone()))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("DescribeSubnets", e))?;
            for s in page.subnets() {
                if let (Some(name), Some(id)) = (name_of(s.tags()), s.subnet_id()) {
                    found.entry(name).or_default().push(id.to_owned());
                }
            }
            page.next_token().map(str::to_owned)
        };
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(found
        .into_iter()
        .filter_map(|(name, ids)| match &ids[..] {
            [one] => Some((name, one.clone())),
            _ => None,
        })
        .collect())
}
