//! What the account holds of stacks: load balancers, listeners, rules, target groups and security groups,
//! and the reads the Describe calls answer.

use std::collections::{BTreeMap, BTreeSet};

use tgsync_actors::stack::Tags;
use tgsync_actors::stack::{
    Action, ListenerSpec, LiveListener, LiveLoadBalancer, LiveRule, LiveSecurityGroup,
    LiveTargetGroup, LoadBalancerSpec, RuleSpec, SecurityGroupSpec, TargetGroupSpec, TgRef,
};

use super::StackError;
use crate::model::StackQuotas;

pub(crate) struct LbRecord {
    pub(crate) seq: u64,
    pub(crate) spec: LoadBalancerSpec,
}

pub(crate) struct ListenerRecord {
    pub(crate) lb: String,
    /// `rules` stays empty: rules are records of their own.
    pub(crate) spec: ListenerSpec,
}

pub(crate) struct RuleRecord {
    pub(crate) listener: String,
    pub(crate) priority: u32,
    pub(crate) spec: RuleSpec,
    pub(crate) tags: Tags,
}

/// A target group created or deleted, for the target-registration side of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TgEvent {
    Created(String),
    Deleted(String),
}

/// Every stack resource of the account (one region).
pub(crate) struct Resources {
    pub(crate) quotas: StackQuotas,
    pub(crate) next: u64,
    pub(crate) lbs: BTreeMap<String, LbRecord>,
    pub(crate) listeners: BTreeMap<String, ListenerRecord>,
    pub(crate) rules: BTreeMap<String, RuleRecord>,
    pub(crate) tgs: BTreeMap<String, TargetGroupSpec>,
    pub(crate) sgs: BTreeMap<String, SecurityGroupSpec>,
    pub(crate) tg_events: Vec<TgEvent>,
}

pub(crate) fn not_found(code: &'static str, what: &str) -> StackError {
    StackError::new(code, format!("{what} not found"))
}

impl Resources {
    pub(crate) fn new(quotas: StackQuotas) -> Self {
        Resources {
            quotas,
            next: 0,
            lbs: BTreeMap::new(),
            listeners: BTreeMap::new(),
            rules: BTreeMap::new(),
            tgs: BTreeMap::new(),
            sgs: BTreeMap::new(),
            tg_events: Vec::new(),
        }
    }

    pub(crate) fn id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// DescribeLoadBalancers: every load balancer, oldest first, with its creation order.
    pub(crate) fn load_balancers(&self) -> Vec<(u64, LiveLoadBalancer)> {
        let mut out: Vec<_> = self
            .lbs
            .iter()
            .map(|(arn, r)| {
                let dns = format!("{}-{}.elb.amazonaws.com", r.spec.name, r.seq);
                let live = LiveLoadBalancer {
                    arn: arn.clone(),
                    dns_name: dns,
                    spec: r.spec.clone(),
                };
                (r.seq, live)
            })
            .collect();
        out.sort_by_key(|(seq, _)| *seq);
        out
    }

    /// DescribeTargetGroups: every target group.
    pub(crate) fn target_groups(&self) -> Vec<LiveTargetGroup> {
        self.tgs
            .iter()
            .map(|(arn, spec)| LiveTargetGroup {
                arn: arn.clone(),
                spec: spec.clone(),
            })
            .collect()
    }

    /// DescribeSecurityGroups: every security group.
    pub(crate) fn security_groups(&self) -> Vec<LiveSecurityGroup> {
        self.sgs
            .iter()
            .map(|(id, spec)| LiveSecurityGroup {
                id: id.clone(),
                spec: spec.clone(),
            })
            .collect()
    }

    /// DescribeTags of one resource (load balancer, target group, listener or rule).
    pub(crate) fn tags(&self, arn: &str) -> Option<Tags> {
        self.lbs
            .get(arn)
            .map(|r| r.spec.tags.clone())
            .or_else(|| self.tgs.get(arn).map(|s| s.tags.clone()))
            .or_else(|| self.listeners.get(arn).map(|l| l.spec.tags.clone()))
            .or_else(|| self.rules.get(arn).map(|r| r.tags.clone()))
    }

    /// DescribeListeners of a load balancer (rules left out).
    pub(crate) fn listeners_of(&self, lb: &str) -> Result<Vec<LiveListener>, StackError> {
        if !self.lbs.contains_key(lb) {
            return Err(not_found("LoadBalancerNotFound", lb));
        }
        Ok(self
            .listeners
            .iter()
            .filter(|(_, l)| l.lb == lb)
            .map(|(arn, l)| LiveListener {
                arn: arn.clone(),
                spec: l.spec.clone(),
                rules: Vec::new(),
            })
            .collect())
    }

    /// DescribeRules of a listener, by priority (the default rule left out).
    pub(crate) fn rules_of(&self, listener: &str) -> Result<Vec<LiveRule>, StackError> {
        if !self.listeners.contains_key(listener) {
            return Err(not_found("ListenerNotFound", listener));
        }
        let mut out: Vec<LiveRule> = self
            .rules
            .iter()
            .filter(|(_, r)| r.listener == listener)
            .map(|(arn, r)| LiveRule {
                arn: arn.clone(),
                priority: r.priority,
                spec: r.spec.clone(),
            })
            .collect();
        out.sort_by_key(|r| r.priority);
        Ok(out)
    }

    /// Rules on every listener of `lb`.
    pub(crate) fn rule_count(&self, lb: &str) -> usize {
        self.rules
            .values()
            .filter(|r| self.listeners.get(&r.listener).is_some_and(|l| l.lb == lb))
            .count()
    }

    /// The distinct target groups `lb`'s actions forward to, leaving out rule `skip` and adding `extra`.
    pub(crate) fn lb_target_groups(
        &self,
        lb: &str,
        skip: Option<&str>,
        extra: &[Action],
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut add = |a: &Action| out.extend(forwarded(a));
        for l in self.listeners.values().filter(|l| l.lb == lb) {
            add(&l.spec.default_action);
        }
        for (arn, r) in &self.rules {
            if Some(arn.as_str()) == skip {
                continue;
            }
            if self.listeners.get(&r.listener).is_some_and(|l| l.lb == lb) {
                r.spec.actions.iter().for_each(&mut add);
            }
        }
        extra.iter().for_each(add);
        out
    }

    /// Whether any listener or rule forwards to target group `arn`.
    pub(crate) fn tg_in_use(&self, arn: &str) -> bool {
        let uses = |a: &Action| forwarded(a).any(|t| t == arn);
        self.listeners
            .values()
            .any(|l| uses(&l.spec.default_action))
            || self.rules.values().any(|r| r.spec.actions.iter().any(uses))
    }
}

/// The target group ARNs an action forwards to.
pub(crate) fn forwarded(a: &Action) -> impl Iterator<Item = String> + '_ {
    let groups = match a {
        Action::Forward { groups, .. } => groups.as_slice(),
        _ => &[],
    };
    groups.iter().filter_map(|g| match &g.tg {
        TgRef::Arn(arn) => Some(arn.clone()),
        TgRef::Model(_) => None,
    })
}
