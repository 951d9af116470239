//! The DescribeSubnets call that feeds the choice.

use aws_sdk_ec2::types::Filter;
use tgsync_actors::stack::{LbKind, Scheme};

use super::{select_subnets, CandidateSubnet, SubnetError, INTERNAL_ROLE_TAG, PUBLIC_ROLE_TAG};
use crate::aws::stack::convert::ec2_tags;
use crate::aws::stack::error::sdk_error;
use crate::aws::stack::Permits;

/// Subnets of `vpc_id` for a load balancer of `kind` and `scheme` in `cluster`: those tagged
/// `kubernetes.io/role/elb` (internet-facing) or `kubernetes.io/role/internal-elb` (internal) with value `1`
/// or empty, chosen by [`select_subnets`]. One permit per page. (The LBC's fallback to route-table
/// reachability when no subnet is tagged is not done.)
pub async fn discover_subnets<P: Permits>(
    ec2: &aws_sdk_ec2::Client,
    permits: &P,
    cluster: &str,
    vpc_id: &str,
    kind: LbKind,
    scheme: Scheme,
) -> Result<Vec<String>, SubnetError> {
    let role_tag = match scheme {
        Scheme::InternetFacing => PUBLIC_ROLE_TAG,
        Scheme::Internal => INTERNAL_ROLE_TAG,
    };
    let mut candidates = Vec::new();
    let mut token = None;
    loop {
        permits.describe().await?;
        let page = ec2
            .describe_subnets()
            .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
            .filters(
                Filter::builder()
                    .name(format!("tag:{role_tag}"))
                    .values("")
                    .values("1")
                    .build(),
            )
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeSubnets", e))?;
        candidates.extend(page.subnets().iter().filter_map(|s| {
            Some(CandidateSubnet {
                id: s.subnet_id()?.to_owned(),
                zone: s.availability_zone()?.to_owned(),
                free_ips: s
                    .available_ip_address_count()
                    .map_or(0, |n| u32::try_from(n).unwrap_or(0)),
                tags: ec2_tags(s.tags()),
            })
        }));
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    select_subnets(&candidates, cluster, kind, role_tag)
}
