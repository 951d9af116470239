//! `StackReader`: what AWS holds of one stack, as `Deployed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use tgsync_actors::stack::{Deployed, LbKind, ReadCache, Scheme, StackId};
use tracing::warn;

use super::convert::{load_balancer, security_group, target_group};
use super::listeners::listeners;
use super::names;
use super::owned::{self, Owner};
use super::security_group::managed_security_groups;
use super::subnets::{discover_subnets, SubnetError};
use super::{Permits, ReadError};

/// Reads stacks of one cluster in one VPC; every call it makes waits for a permit first. Clones share one
/// cache of tags and attributes.
#[derive(Clone, Debug)]
pub struct StackReader<P> {
    elb: aws_sdk_elasticloadbalancingv2::Client,
    ec2: aws_sdk_ec2::Client,
    permits: P,
    cluster: String,
    vpc_id: String,
    cache: Arc<ReadCache>,
}

impl<P: Permits> StackReader<P> {
    /// A reader for `cluster`'s stacks in `vpc_id`.
    pub fn new(
        elb: aws_sdk_elasticloadbalancingv2::Client,
        ec2: aws_sdk_ec2::Client,
        permits: P,
        cluster: impl Into<String>,
        vpc_id: impl Into<String>,
    ) -> Self {
        StackReader {
            elb,
            ec2,
            permits,
            cluster: cluster.into(),
            vpc_id: vpc_id.into(),
            cache: Arc::default(),
        }
    }

    /// The cache of tags and attributes, which the caller tells about every plan it applies.
    pub fn cache(&self) -> &ReadCache {
        &self.cache
    }

    /// Everything tagged as `stack`'s: its load balancer with listeners and rules (sorted by priority,
    /// default rule left out), its target groups by `resource` tag, its managed security group. Attributes
    /// are all AWS reports, defaults included. Should AWS hold two load balancers of the stack (moto makes a
    /// second one for a repeated name), the oldest is read and the others logged; likewise the lowest ARN
    /// among target groups sharing a `resource` tag.
    pub async fn read(&self, stack: &StackId) -> Result<Deployed, ReadError> {
        let owner = Owner {
            stack,
            cluster: &self.cluster,
            vpc_id: &self.vpc_id,
        };
        let (elb, permits, cache) = (&self.elb, &self.permits, self.cache.as_ref());
        let mut deployed = Deployed::default();

        let mut lbs = owned::load_balancers(elb, permits, cache, &owner).await?;
        lbs.sort_by_key(|(lb, _)| {
            let created = lb.created_time().map(|t| (t.secs(), t.subsec_nanos()));
            (created, lb.load_balancer_arn().map(str::to_owned))
        });
        for (extra, _) in lbs.iter().skip(1) {
            warn!(
                stack = stack.id,
                ignored = extra.load_balancer_arn(),
                "a second load balancer of the stack"
            );
        }
        if let Some((lb, tags)) = lbs.into_iter().next() {
            let arn = lb.load_balancer_arn().unwrap_or_default().to_owned();
            let attributes = owned::attributes(elb, permits, cache, &arn, false).await?;
            let live = load_balancer(&lb, attributes, tags).map_err(|u| u.on(&arn))?;
            let with_rules = live.spec.kind == LbKind::Application;
            deployed.listeners = listeners(elb, permits, cache, &arn, with_rules).await?;
            deployed.load_balancer = Some(live);
        }

        let mut tgs = owned::target_groups(elb, permits, cache, &owner).await?;
        tgs.sort_by(|(a, _), (b, _)| a.target_group_arn().cmp(&b.target_group_arn()));
        let resource_tag = stack.kind.resource_tag();
        for (tg, tags) in tgs {
            let arn = tg.target_group_arn().unwrap_or_default().to_owned();
            let Some(resource) = tags.get(&resource_tag).cloned() else {
                return Err(ReadError::Malformed(format!(
                    "{arn}: owned target group without {resource_tag}"
                )));
            };
            if let Some(kept) = deployed.target_groups.get(&resource) {
                warn!(
                    stack = stack.id,
                    resource,
                    kept = kept.arn,
                    ignored = arn,
                    "two target groups for one resource"
                );
                continue;
            }
            let attributes = owned::attributes(elb, permits, cache, &arn, true).await?;
            let live = target_group(&tg, attributes, tags).map_err(|u| u.on(&arn))?;
            deployed.target_groups.insert(resource, live);
        }

        let sgs =
            managed_security_groups(&self.ec2, permits, stack, &self.cluster, &self.vpc_id).await?;
        for extra in sgs.iter().skip(1) {
            warn!(
                stack = stack.id,
                ignored = extra.group_id(),
                "a second managed security group of the stack"
            );
        }
        if let Some(sg) = sgs.first() {
            let id = sg.group_id().unwrap_or_default();
            deployed.security_group = Some(security_group(sg).map_err(|u| u.on(id))?);
        }
        Ok(deployed)
    }

    /// The subnets a load balancer of `kind` and `scheme` gets when the user names none (spec B3).
    pub async fn discover_subnets(
        &self,
        kind: LbKind,
        scheme: Scheme,
    ) -> Result<Vec<String>, SubnetError> {
        discover_subnets(
            &self.ec2,
            &self.permits,
            &self.cluster,
            &self.vpc_id,
            kind,
            scheme,
        )
        .await
    }

    /// The ARN of the target group called `name` in the VPC, if there is one.
    pub async fn target_group_arn(&self, name: &str) -> Result<Option<String>, ReadError> {
        names::target_group_arn(&self.elb, &self.permits, &self.vpc_id, name).await
    }

    /// Ids of the subnets (or, with `security_groups`, the security groups) of the VPC by their `Name`
    /// tag, for those of `names` that name exactly one.
    pub async fn ids_by_name(
        &self,
        names: &[String],
        security_groups: bool,
    ) -> Result<BTreeMap<String, String>, ReadError> {
        names::ids_by_name(
            &self.ec2,
            &self.permits,
            &self.vpc_id,
            names,
            security_groups,
        )
        .await
    }

    /// The cluster whose stacks this reads.
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// The VPC it reads in.
    pub fn vpc_id(&self) -> &str {
        &self.vpc_id
    }
}

/// The reads are `Send`, so a supervisor may run them on any runtime (checked at compile time only).
#[cfg(test)]
#[allow(dead_code)]
fn reads_are_send(reader: &StackReader<super::BudgetPermits>, stack: &StackId) {
    fn send<T: Send>(_: T) {}
    send(reader.read(stack));
    send(reader.discover_subnets(LbKind::Application, Scheme::Internal));
}
