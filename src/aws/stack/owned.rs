//! Load balancers and target groups of a stack: everything in the region is listed (kept to the VPC) and
//! matched by its tags, as the AWS Load Balancer Controller does, so an owned group no listener uses yet is
//! found too. Listing first also keeps moto's stale tags of deleted load balancers out.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer, TargetGroup};
use aws_sdk_elasticloadbalancingv2::Client;
use tgsync_actors::stack::{StackId, Tags};

use super::error::sdk_error;
use super::tags::tags_of;
use super::{Permits, ReadError};

/// Largest page the Describe calls take.
const PAGE_SIZE: i32 = 400;

/// Which cluster, VPC and stack to match.
pub(super) struct Owner<'a> {
    pub stack: &'a StackId,
    pub cluster: &'a str,
    pub vpc_id: &'a str,
}

impl Owner<'_> {
    fn owns(&self, tags: &Tags) -> bool {
        self.stack.owns(self.cluster, tags)
    }
}

/// Every load balancer in the VPC tagged as the stack's, with its tags.
pub(super) async fn load_balancers<P: Permits>(
    elb: &Client,
    permits: &P,
    owner: &Owner<'_>,
) -> Result<Vec<(LoadBalancer, Tags)>, ReadError> {
    let mut in_vpc = Vec::new();
    let mut marker = None;
    loop {
        permits.describe().await?;
        let page = elb
            .describe_load_balancers()
            .set_marker(marker)
            .page_size(PAGE_SIZE)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeLoadBalancers", e))?;
        in_vpc.extend(
            page.load_balancers()
                .iter()
                .filter(|lb| lb.vpc_id() == Some(owner.vpc_id) && lb.load_balancer_arn().is_some())
                .cloned(),
        );
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    let arns: Vec<String> = in_vpc
        .iter()
        .filter_map(|lb| lb.load_balancer_arn())
        .map(str::to_owned)
        .collect();
    let mut tags = tags_of(elb, permits, &arns).await?;
    Ok(in_vpc
        .into_iter()
        .filter_map(|lb| {
            let t = tags.remove(lb.load_balancer_arn()?)?;
            owner.owns(&t).then_some((lb, t))
        })
        .collect())
}

/// Every target group in the VPC tagged as the stack's, with its tags.
pub(super) async fn target_groups<P: Permits>(
    elb: &Client,
    permits: &P,
    owner: &Owner<'_>,
) -> Result<Vec<(TargetGroup, Tags)>, ReadError> {
    let mut in_vpc = Vec::new();
    let mut marker = None;
    loop {
        permits.describe().await?;
        let page = elb
            .describe_target_groups()
            .set_marker(marker)
            .page_size(PAGE_SIZE)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTargetGroups", e))?;
        in_vpc.extend(
            page.target_groups()
                .iter()
                .filter(|tg| tg.vpc_id() == Some(owner.vpc_id) && tg.target_group_arn().is_some())
                .cloned(),
        );
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    let arns: Vec<String> = in_vpc
        .iter()
        .filter_map(|tg| tg.target_group_arn())
        .map(str::to_owned)
        .collect();
    let mut tags = tags_of(elb, permits, &arns).await?;
    Ok(in_vpc
        .into_iter()
        .filter_map(|tg| {
            let t = tags.remove(tg.target_group_arn()?)?;
            owner.owns(&t).then_some((tg, t))
        })
        .collect())
}

/// A load balancer's attributes.
pub(super) async fn load_balancer_attributes<P: Permits>(
    elb: &Client,
    permits: &P,
    arn: &str,
) -> Result<BTreeMap<String, String>, ReadError> {
    permits.describe().await?;
    let answer = elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error("DescribeLoadBalancerAttributes", e))?;
    Ok(answer
        .attributes()
        .iter()
        .filter_map(|a| {
            Some((
                a.key()?.to_owned(),
                a.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect())
}

/// A target group's attributes.
pub(super) async fn target_group_attributes<P: Permits>(
    elb: &Client,
    permits: &P,
    arn: &str,
) -> Result<BTreeMap<String, String>, ReadError> {
    permits.describe().await?;
    let answer = elb
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error("DescribeTargetGroupAttributes", e))?;
    Ok(answer
        .attributes()
        .iter()
        .filter_map(|a| {
            Some((
                a.key()?.to_owned(),
                a.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect())
}
