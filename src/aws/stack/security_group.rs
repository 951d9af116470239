//! The stack's managed security group, found by its tags in the VPC with EC2 DescribeSecurityGroups.

use aws_sdk_ec2::types::{Filter, SecurityGroup};
use tgsync_actors::stack::StackId;

use super::convert::ec2_tags;
use super::error::sdk_error;
use super::{Permits, ReadError};

/// The `resource` tag of the security group tgsync (and the AWS Load Balancer Controller) manages.
pub(super) const MANAGED_SG_RESOURCE_ID: &str = "ManagedLBSecurityGroup";

/// Security groups in the VPC tagged as the stack's managed one (the cluster, legacy tag included, is
/// checked on the answer, since a filter can name only one key).
pub(super) async fn managed_security_groups<P: Permits>(
    ec2: &aws_sdk_ec2::Client,
    permits: &P,
    stack: &StackId,
    cluster: &str,
    vpc_id: &str,
) -> Result<Vec<SecurityGroup>, ReadError> {
    let filter = |name: String, value: &str| Filter::builder().name(name).values(value).build();
    let mut found = Vec::new();
    let mut token = None;
    loop {
        permits.describe().await?;
        let page = ec2
            .describe_security_groups()
            .filters(filter("vpc-id".into(), vpc_id))
            .filters(filter(format!("tag:{}", stack.kind.stack_tag()), &stack.id))
            .filters(filter(
                format!("tag:{}", stack.kind.resource_tag()),
                MANAGED_SG_RESOURCE_ID,
            ))
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeSecurityGroups", e))?;
        found.extend(
            page.security_groups()
                .iter()
                .filter(|sg| stack.owns(cluster, &ec2_tags(sg.tags())))
                .cloned(),
        );
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    found.sort_by(|a, b| a.group_id().cmp(&b.group_id()));
    Ok(found)
}
