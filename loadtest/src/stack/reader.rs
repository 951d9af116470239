//! `ModelReader`: what the model holds of one stack, as `Deployed`, read with the calls the SDK reader makes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tgsync_actors::budget::ApiClass;
use tgsync_actors::stack::{
    Deployed, LbKind, LiveLoadBalancer, LiveTargetGroup, Protocol, ReadCache, StackId, Tags,
};
use tokio::time::Instant;

use super::permit::Permits;
use crate::model::stack::{Resources, StackError};
use crate::model::ElbModel;
use tgsync_actors::budget::BudgetStopped;

/// Largest page of DescribeLoadBalancers, DescribeTargetGroups and DescribeRules.
const PAGE: usize = 400;
/// Most ARNs per DescribeTags.
const TAGS_PER_CALL: usize = 20;
/// The tag naming the managed security group (the SDK reader filters EC2 by it).
const MANAGED_SG: &str = "ManagedLBSecurityGroup";

/// Why a read stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelReadError {
    /// A call was refused (`Throttling`, a resource deleted meanwhile...).
    #[error("{0}")]
    Elb(#[from] StackError),
    /// The budget is gone.
    #[error("{0}")]
    Budget(#[from] BudgetStopped),
}

/// Reads one cluster's stacks from the model, one Describe permit per call; clones share one cache of tags
/// and attributes, as the SDK reader's do.
#[derive(Clone)]
pub struct ModelReader {
    model: ElbModel,
    permits: Permits,
    cluster: String,
    cache: Arc<ReadCache>,
}

impl ModelReader {
    /// A reader of `cluster`'s stacks.
    pub fn new(model: ElbModel, permits: Permits, cluster: impl Into<String>) -> Self {
        ModelReader {
            model,
            permits,
            cluster: cluster.into(),
            cache: Arc::default(),
        }
    }

    /// The cache of tags and attributes, which the caller tells about every plan it applies.
    pub fn cache(&self) -> &ReadCache {
        &self.cache
    }

    async fn describe<T>(
        &self,
        action: &'static str,
        read: impl FnOnce(&Resources) -> Result<T, StackError>,
    ) -> Result<T, ModelReadError> {
        self.permits.permit(ApiClass::Describe).await?;
        Ok(self.model.describe(action, read).await?)
    }

    /// Tags of `arns`, 20 per call for those the cache lacks, as the SDK reader asks for them.
    async fn tags(&self, arns: &[String]) -> Result<HashMap<String, Tags>, ModelReadError> {
        let now = Instant::now().into_std();
        let (mut out, missing) = self.cache.tags(arns, now);
        for chunk in missing.chunks(TAGS_PER_CALL) {
            let found = self
                .describe("DescribeTags", |r| {
                    Ok(chunk
                        .iter()
                        .filter_map(|a| Some((a.clone(), r.tags(a)?)))
                        .collect::<Vec<_>>())
                })
                .await?;
            for (arn, tags) in found {
                self.cache.put_tags(&arn, &tags, now);
                out.insert(arn, tags);
            }
        }
        Ok(out)
    }

    /// Attributes of `arn` from the cache while fresh, else one call of `action`.
    async fn attributes(
        &self,
        action: &'static str,
        arn: &str,
        read: impl FnOnce(&Resources) -> Result<BTreeMap<String, String>, StackError>,
    ) -> Result<BTreeMap<String, String>, ModelReadError> {
        let now = Instant::now().into_std();
        if let Some(hit) = self.cache.attributes(arn, now) {
            return Ok(hit);
        }
        let answered = self.describe(action, read).await?;
        self.cache.put_attributes(arn, &answered, now);
        Ok(answered)
    }

    /// Everything tagged as `stack`'s, as the SDK reader finds it (see `src/aws/stack/reader.rs`).
    pub async fn read(&self, stack: &StackId) -> Result<Deployed, ModelReadError> {
        let mut deployed = Deployed::default();
        let all = self
            .paged("DescribeLoadBalancers", |r| r.load_balancers())
            .await?;
        let arns: Vec<String> = all.iter().map(|(_, lb)| lb.arn.clone()).collect();
        let tags = self.tags(&arns).await?;
        let owned = all.into_iter().map(|(_, lb)| lb).find(|lb| {
            tags.get(&lb.arn)
                .is_some_and(|t| stack.owns(&self.cluster, t))
        });
        if let Some(lb) = owned {
            deployed.load_balancer = Some(self.load_balancer(lb, &mut deployed).await?);
        }

        let tgs = self
            .paged("DescribeTargetGroups", |r| r.target_groups())
            .await?;
        let arns: Vec<String> = tgs.iter().map(|t| t.arn.clone()).collect();
        let tags = self.tags(&arns).await?;
        let resource_tag = stack.kind.resource_tag();
        for tg in tgs {
            let Some(t) = tags.get(&tg.arn).filter(|t| stack.owns(&self.cluster, t)) else {
                continue;
            };
            let Some(resource) = t.get(&resource_tag).cloned() else {
                continue;
            };
            if deployed.target_groups.contains_key(&resource) {
                continue;
            }
            let arn = tg.arn.clone();
            let attributes = self
                .attributes("DescribeTargetGroupAttributes", &arn, |r| {
                    r.target_groups()
                        .into_iter()
                        .find(|t| t.arn == arn)
                        .map(|t| t.spec.attributes)
                        .ok_or_else(|| StackError::new("TargetGroupNotFound", arn.clone()))
                })
                .await?;
            let mut live: LiveTargetGroup = tg;
            live.spec.attributes = attributes;
            deployed.target_groups.insert(resource, live);
        }

        let (cluster, stack2) = (self.cluster.clone(), stack.clone());
        let sg = self
            .describe("DescribeSecurityGroups", move |r| {
                Ok(r.security_groups().into_iter().find(|sg| {
                    stack2.owns(&cluster, &sg.spec.tags)
                        && sg
                            .spec
                            .tags
                            .get(&stack2.kind.resource_tag())
                            .map(String::as_str)
                            == Some(MANAGED_SG)
                }))
            })
            .await?;
        deployed.security_group = sg;
        Ok(deployed)
    }

    /// The load balancer's attributes, listeners (tags, certificates) and rules.
    async fn load_balancer(
        &self,
        mut lb: LiveLoadBalancer,
        deployed: &mut Deployed,
    ) -> Result<LiveLoadBalancer, ModelReadError> {
        let arn = lb.arn.clone();
        lb.spec.attributes = self
            .attributes("DescribeLoadBalancerAttributes", &arn, |r| {
                r.load_balancers()
                    .into_iter()
                    .find(|(_, l)| l.arn == arn)
                    .map(|(_, l)| l.spec.attributes)
                    .ok_or_else(|| StackError::new("LoadBalancerNotFound", arn.clone()))
            })
            .await?;
        let listeners = self
            .describe("DescribeListeners", |r| r.listeners_of(&arn))
            .await?;
        let arns: Vec<String> = listeners.iter().map(|l| l.arn.clone()).collect();
        self.tags(&arns).await?;
        for mut l in listeners {
            if matches!(l.spec.protocol, Protocol::Https | Protocol::Tls) {
                // The model's listener already carries its certificates: the call is charged, not needed.
                self.describe("DescribeListenerCertificates", |_| Ok(()))
                    .await?;
            }
            if lb.spec.kind == LbKind::Application {
                let la = l.arn.clone();
                l.rules = self.describe("DescribeRules", |r| r.rules_of(&la)).await?;
                // More pages for listeners of more than PAGE rules (the quota keeps them under it).
                for _ in 1..l.rules.len().div_ceil(PAGE) {
                    self.describe("DescribeRules", |_| Ok(())).await?;
                }
            }
            deployed.listeners.insert(l.spec.port, l);
        }
        Ok(lb)
    }

    /// A Describe answered in pages of 400: one call per page.
    async fn paged<T: Clone>(
        &self,
        action: &'static str,
        all: impl Fn(&Resources) -> Vec<T>,
    ) -> Result<Vec<T>, ModelReadError> {
        let first = self.describe(action, |r| Ok(all(r))).await?;
        for _ in 1..first.len().div_ceil(PAGE) {
            self.describe(action, |_| Ok(())).await?;
        }
        Ok(first)
    }
}

/// What the model holds of `stack` now, read without calls (for checks after a run).
pub fn peek_deployed(model: &ElbModel, stack: &StackId, cluster: &str) -> Deployed {
    model.peek(|r| {
        let mut d = Deployed::default();
        if let Some((_, lb)) = r
            .load_balancers()
            .into_iter()
            .find(|(_, lb)| stack.owns(cluster, &lb.spec.tags))
        {
            for mut l in r.listeners_of(&lb.arn).unwrap_or_default() {
                l.rules = r.rules_of(&l.arn).unwrap_or_default();
                d.listeners.insert(l.spec.port, l);
            }
            d.load_balancer = Some(lb);
        }
        let resource_tag = stack.kind.resource_tag();
        for tg in r.target_groups() {
            if stack.owns(cluster, &tg.spec.tags) {
                if let Some(res) = tg.spec.tags.get(&resource_tag).cloned() {
                    d.target_groups.entry(res).or_insert(tg);
                }
            }
        }
        d.security_group = r.security_groups().into_iter().find(|sg| {
            stack.owns(cluster, &sg.spec.tags)
                && sg.spec.tags.get(&resource_tag).map(String::as_str) == Some(MANAGED_SG)
        });
        d
    })
}
