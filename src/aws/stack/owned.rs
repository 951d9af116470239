//! Load balancers and target groups of a stack: everything in the region is listed (kept to the VPC) and
//! matched by its tags, as the AWS Load Balancer Controller does, so an owned group no listener uses yet is
//! found too. Listing first also keeps moto's stale tags of deleted load balancers out. Tags and attributes
//! come from the reader's cache while fresh.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer, TargetGroup};
use aws_sdk_elasticloadbalancingv2::Client;
use tgsync_actors::stack::{ReadCache, StackId, Tags};

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

/// One page of a listing: the resources with their ARN and VPC, and the marker of the next page.
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

/// What a listing needs to know of each resource.
trait Listed: Clone {
    fn arn(&self) -> Option<&str>;
    fn vpc(&self) -> Option<&str>;
}

impl Listed for LoadBalancer {
    fn arn(&self) -> Option<&str> {
        self.load_balancer_arn()
    }
    fn vpc(&self) -> Option<&str> {
        self.vpc_id()
    }
}

impl Listed for TargetGroup {
    fn arn(&self) -> Option<&str> {
        self.target_group_arn()
    }
    fn vpc(&self) -> Option<&str> {
        self.vpc_id()
    }
}

/// Every resource a paged listing answers in the VPC whose tags are the stack's, with its tags.
async fn owned<T, P, F, Fut>(
    elb: &Client,
    permits: &P,
    cache: &ReadCache,
    owner: &Owner<'_>,
    page: F,
) -> Result<Vec<(T, Tags)>, ReadError>
where
    T: Listed,
    P: Permits,
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, ReadError>>,
{
    let mut in_vpc = Vec::new();
    let mut marker = None;
    loop {
        permits.describe().await?;
        let p = page(marker).await?;
        in_vpc.extend(
            p.items
                .into_iter()
                .filter(|r| r.vpc() == Some(owner.vpc_id) && r.arn().is_some()),
        );
        marker = p.next;
        if marker.is_none() {
            break;
        }
    }
    let arns: Vec<String> = in_vpc
        .iter()
        .filter_map(|r| r.arn())
        .map(str::to_owned)
        .collect();
    let mut tags = tags_of(elb, permits, cache, &arns).await?;
    Ok(in_vpc
        .into_iter()
        .filter_map(|r| {
            let t = tags.remove(r.arn()?)?;
            owner.stack.owns(owner.cluster, &t).then_some((r, t))
        })
        .collect())
}

/// Every load balancer in the VPC tagged as the stack's, with its tags.
pub(super) async fn load_balancers<P: Permits>(
    elb: &Client,
    permits: &P,
    cache: &ReadCache,
    owner: &Owner<'_>,
) -> Result<Vec<(LoadBalancer, Tags)>, ReadError> {
    owned(elb, permits, cache, owner, |marker| async move {
        let answer = elb
            .describe_load_balancers()
            .set_marker(marker)
            .page_size(PAGE_SIZE)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeLoadBalancers", e))?;
        Ok(Page {
            items: answer.load_balancers().to_vec(),
            next: answer.next_marker().map(str::to_owned),
        })
    })
    .await
}

/// Every target group in the VPC tagged as the stack's, with its tags.
pub(super) async fn target_groups<P: Permits>(
    elb: &Client,
    permits: &P,
    cache: &ReadCache,
    owner: &Owner<'_>,
) -> Result<Vec<(TargetGroup, Tags)>, ReadError> {
    owned(elb, permits, cache, owner, |marker| async move {
        let answer = elb
            .describe_target_groups()
            .set_marker(marker)
            .page_size(PAGE_SIZE)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTargetGroups", e))?;
        Ok(Page {
            items: answer.target_groups().to_vec(),
            next: answer.next_marker().map(str::to_owned),
        })
    })
    .await
}

/// A load balancer's or target group's attributes: from the cache while fresh, else one Describe.
pub(super) async fn attributes<P: Permits>(
    elb: &Client,
    permits: &P,
    cache: &ReadCache,
    arn: &str,
    of_target_group: bool,
) -> Result<BTreeMap<String, String>, ReadError> {
    let now = tokio::time::Instant::now().into_std();
    if let Some(hit) = cache.attributes(arn, now) {
        return Ok(hit);
    }
    permits.describe().await?;
    let answered = if of_target_group {
        elb.describe_target_group_attributes()
            .target_group_arn(arn)
            .send()
            .await
            .map(|a| pairs(a.attributes().iter().map(|x| (x.key(), x.value()))))
            .map_err(|e| sdk_error("DescribeTargetGroupAttributes", e))?
    } else {
        elb.describe_load_balancer_attributes()
            .load_balancer_arn(arn)
            .send()
            .await
            .map(|a| pairs(a.attributes().iter().map(|x| (x.key(), x.value()))))
            .map_err(|e| sdk_error("DescribeLoadBalancerAttributes", e))?
    };
    cache.put_attributes(arn, &answered, now);
    Ok(answered)
}

fn pairs<'a>(
    list: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> BTreeMap<String, String> {
    list.filter_map(|(k, v)| Some((k?.to_owned(), v.unwrap_or_default().to_owned())))
        .collect()
}
