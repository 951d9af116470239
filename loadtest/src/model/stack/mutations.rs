//! The stack calls that change the account, applied as AWS applies them: quotas refused with AWS's codes,
//! priorities unique per listener, `SetRulePriorities` all or nothing, resources in use kept.

use std::collections::BTreeMap;

use tgsync_actors::stack::plan::{Call, Move, Ref, MAX_PRIORITY};
use tgsync_actors::stack::{
    Action, ListenerSpec, LoadBalancerSpec, RuleSpec, SecurityGroupSpec, SgRef, Tags,
};

use super::resources::{
    forwarded, not_found, LbRecord, ListenerRecord, Resources, RuleRecord, TgEvent,
};
use super::StackError;

const ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333";

fn existing(r: &Ref) -> Result<&str, StackError> {
    match r {
        Ref::Existing(s) => Ok(s),
        Ref::New(id) => Err(StackError::new(
            "ValidationError",
            format!("{id:?} sent unresolved"),
        )),
    }
}

fn invalid(message: impl Into<String>) -> StackError {
    StackError::new("ValidationError", message)
}

impl Resources {
    /// Applies one call (its references resolved); a create answers the new ARN or id.
    pub(crate) fn apply(&mut self, call: &Call) -> Result<Option<String>, StackError> {
        match call {
            Call::CreateSecurityGroup { name, tags } => {
                let id = format!("sg-{:017x}", self.id());
                let spec = SecurityGroupSpec {
                    name: name.clone(),
                    ingress: Vec::new(),
                    tags: tags.clone(),
                };
                self.sgs.insert(id.clone(), spec);
                return Ok(Some(id));
            }
            Call::AuthorizeSecurityGroupIngress { group, permissions } => {
                let sg = self.sg(existing(group)?)?;
                sg.ingress.extend(permissions.iter().cloned());
                sg.ingress.sort();
                sg.ingress.dedup();
            }
            Call::RevokeSecurityGroupIngress { group, permissions } => {
                self.sg(group)?.ingress.retain(|p| !permissions.contains(p));
            }
            Call::DeleteSecurityGroup { group } => {
                let attached = SgRef::Id(group.clone());
                if self
                    .lbs
                    .values()
                    .any(|l| l.spec.security_groups.contains(&attached))
                {
                    return Err(StackError::new("DependencyViolation", group.clone()));
                }
                self.sgs
                    .remove(group)
                    .ok_or_else(|| not_found("InvalidGroup.NotFound", group))?;
            }
            Call::CreateTags { resource, tags } => self.sg(resource)?.tags.extend(tags.clone()),
            Call::DeleteTags { resource, keys } => {
                let sg = self.sg(resource)?;
                keys.iter().for_each(|k| drop(sg.tags.remove(k)));
            }
            Call::CreateTargetGroup { spec, .. } => {
                if let Some((arn, old)) = self.tgs.iter().find(|(_, s)| s.name == spec.name) {
                    // AWS answers the existing group for an identical create, and refuses a different one.
                    return if old == spec {
                        Ok(Some(arn.clone()))
                    } else {
                        Err(StackError::new("DuplicateTargetGroupName", &spec.name))
                    };
                }
                if self.tgs.len() >= self.quotas.target_groups_per_region {
                    return Err(StackError::new("TooManyTargetGroups", "region quota"));
                }
                let arn = format!("{ARN}:targetgroup/{}/{:016x}", spec.name, self.id());
                self.tgs.insert(arn.clone(), spec.clone());
                self.tg_events.push(TgEvent::Created(arn.clone()));
                return Ok(Some(arn));
            }
            Call::ModifyTargetGroup {
                target_group,
                health_check,
            } => self.tg(target_group)?.health_check = health_check.clone(),
            Call::ModifyTargetGroupAttributes {
                target_group,
                attributes,
            } => {
                let tg = self.tg(existing(target_group)?)?;
                tg.attributes.extend(attributes.clone());
            }
            Call::DeleteTargetGroup { target_group } => {
                if self.tg_in_use(target_group) {
                    return Err(StackError::new("ResourceInUse", target_group.clone()));
                }
                self.tgs
                    .remove(target_group)
                    .ok_or_else(|| not_found("TargetGroupNotFound", target_group))?;
                self.tg_events.push(TgEvent::Deleted(target_group.clone()));
            }
            Call::CreateLoadBalancer {
                name,
                kind,
                scheme,
                ip_address_type,
                subnets,
                security_groups,
                tags,
            } => {
                let mut groups = Vec::new();
                for g in security_groups {
                    groups.push(SgRef::Id(existing(g)?.to_owned()));
                }
                groups.sort();
                let mut subnets = subnets.clone();
                subnets.sort();
                let spec = LoadBalancerSpec {
                    name: name.clone(),
                    kind: *kind,
                    scheme: *scheme,
                    ip_address_type: *ip_address_type,
                    subnets,
                    security_groups: groups,
                    attributes: BTreeMap::new(),
                    tags: tags.clone(),
                };
                if let Some((arn, _)) = self.lbs.iter().find(|(_, l)| l.spec.name == *name) {
                    // CreateLoadBalancer is idempotent by name on AWS.
                    return Ok(Some(arn.clone()));
                }
                let seq = self.id();
                let arn = format!("{ARN}:loadbalancer/app/{name}/{seq:016x}");
                self.lbs.insert(arn.clone(), LbRecord { seq, spec });
                return Ok(Some(arn));
            }
            Call::SetSubnets {
                load_balancer,
                subnets,
            } => {
                let mut subnets = subnets.clone();
                subnets.sort();
                self.lb(load_balancer)?.subnets = subnets;
            }
            Call::SetSecurityGroups {
                load_balancer,
                security_groups,
            } => {
                let mut groups = Vec::new();
                for g in security_groups {
                    groups.push(SgRef::Id(existing(g)?.to_owned()));
                }
                groups.sort();
                self.lb(load_balancer)?.security_groups = groups;
            }
            Call::SetIpAddressType {
                load_balancer,
                ip_address_type,
            } => self.lb(load_balancer)?.ip_address_type = *ip_address_type,
            Call::ModifyLoadBalancerAttributes {
                load_balancer,
                attributes,
            } => {
                let lb = self.lb(existing(load_balancer)?)?;
                lb.attributes.extend(attributes.clone());
            }
            Call::DeleteLoadBalancer { load_balancer } => {
                self.lbs
                    .remove(load_balancer)
                    .ok_or_else(|| not_found("LoadBalancerNotFound", load_balancer))?;
                let gone: Vec<String> = self
                    .listeners
                    .iter()
                    .filter(|(_, l)| l.lb == *load_balancer)
                    .map(|(a, _)| a.clone())
                    .collect();
                gone.iter().for_each(|l| self.drop_listener(l));
            }
            Call::CreateListener {
                load_balancer,
                port,
                protocol,
                certificate,
                ssl_policy,
                default_action,
                tags,
            } => {
                let lb = existing(load_balancer)?.to_owned();
                let lb_name = self.lb(&lb)?.name.clone();
                let on_lb: Vec<&ListenerRecord> =
                    self.listeners.values().filter(|l| l.lb == lb).collect();
                if on_lb.iter().any(|l| l.spec.port == *port) {
                    return Err(StackError::new("DuplicateListener", port.to_string()));
                }
                if on_lb.len() >= self.quotas.listeners_per_lb {
                    return Err(StackError::new("TooManyListeners", lb));
                }
                self.check_actions(&lb, None, std::slice::from_ref(default_action))?;
                let arn = format!("{ARN}:listener/app/{lb_name}/{:016x}", self.id());
                let spec = ListenerSpec {
                    port: *port,
                    protocol: *protocol,
                    certificates: certificate.iter().cloned().collect(),
                    ssl_policy: ssl_policy.clone(),
                    default_action: default_action.clone(),
                    rules: Vec::new(),
                    tags: tags.clone(),
                };
                self.listeners
                    .insert(arn.clone(), ListenerRecord { lb, spec });
                return Ok(Some(arn));
            }
            Call::ModifyListener {
                listener,
                protocol,
                certificate,
                ssl_policy,
                default_action,
            } => {
                if let Some(a) = default_action {
                    let lb = self.listener(listener)?.lb.clone();
                    self.check_actions(&lb, None, std::slice::from_ref(a))?;
                }
                let l = &mut self.listener(listener)?.spec;
                if let Some(p) = protocol {
                    l.protocol = *p;
                }
                if let Some(c) = certificate {
                    match l.certificates.first_mut() {
                        Some(first) => *first = c.clone(),
                        None => l.certificates.push(c.clone()),
                    }
                }
                if let Some(s) = ssl_policy {
                    l.ssl_policy = Some(s.clone());
                }
                if let Some(a) = default_action {
                    l.default_action = a.clone();
                }
            }
            Call::AddListenerCertificates {
                listener,
                certificates,
            } => {
                let l = &mut self.listener(existing(listener)?)?.spec;
                for c in certificates {
                    if !l.certificates.contains(c) {
                        l.certificates.push(c.clone());
                    }
                }
            }
            Call::RemoveListenerCertificates {
                listener,
                certificates,
            } => {
                let l = &mut self.listener(listener)?.spec;
                let default = l.certificates.first().cloned();
                l.certificates
                    .retain(|c| Some(c) == default.as_ref() || !certificates.contains(c));
            }
            Call::DeleteListener { listener } => {
                self.listener(listener)?;
                self.drop_listener(listener);
            }
            Call::CreateRule {
                listener,
                priority,
                rule,
                tags,
            } => return self.create_rule(existing(listener)?, *priority, rule, tags),
            Call::ModifyRule { rule, spec } => {
                let listener = self.rule(rule)?.listener.clone();
                let lb = self.listener(&listener)?.lb.clone();
                check_conditions(spec, self.quotas.condition_values_per_rule)?;
                self.check_actions(&lb, Some(rule), &spec.actions)?;
                self.rule(rule)?.spec = spec.clone();
            }
            Call::SetRulePriorities { moves, .. } => self.set_priorities(moves)?,
            Call::DeleteRule { rule } => {
                self.rules
                    .remove(rule)
                    .ok_or_else(|| not_found("RuleNotFound", rule))?;
            }
            Call::AddTags { resource, tags } => self.tags_mut(resource)?.extend(tags.clone()),
            Call::RemoveTags { resource, keys } => {
                let t = self.tags_mut(resource)?;
                keys.iter().for_each(|k| drop(t.remove(k)));
            }
        }
        Ok(None)
    }

    fn create_rule(
        &mut self,
        listener: &str,
        priority: u32,
        rule: &RuleSpec,
        tags: &Tags,
    ) -> Result<Option<String>, StackError> {
        let lb = self.listener(listener)?.lb.clone();
        if !(1..=MAX_PRIORITY).contains(&priority) {
            return Err(invalid(format!("priority {priority} out of range")));
        }
        if self
            .rules
            .values()
            .any(|r| r.listener == listener && r.priority == priority)
        {
            return Err(StackError::new("PriorityInUse", priority.to_string()));
        }
        check_conditions(rule, self.quotas.condition_values_per_rule)?;
        if self.rule_count(&lb) >= self.quotas.rules_per_alb {
            return Err(StackError::new("TooManyRules", lb));
        }
        self.check_actions(&lb, None, &rule.actions)?;
        let lb_name = self.lb(&lb)?.name.clone();
        let arn = format!("{ARN}:listener-rule/app/{lb_name}/{:016x}", self.id());
        let record = RuleRecord {
            listener: listener.to_owned(),
            priority,
            spec: rule.clone(),
            tags: tags.clone(),
        };
        self.rules.insert(arn.clone(), record);
        Ok(Some(arn))
    }

    /// All moves at once: refused unless every rule exists and no two rules of a listener end on one priority.
    fn set_priorities(&mut self, moves: &[Move]) -> Result<(), StackError> {
        let mut after: BTreeMap<&str, (String, u32)> = BTreeMap::new();
        for m in moves {
            let r = self
                .rules
                .get(&m.rule)
                .ok_or_else(|| not_found("RuleNotFound", &m.rule))?;
            if !(1..=MAX_PRIORITY).contains(&m.to) {
                return Err(invalid(format!("priority {} out of range", m.to)));
            }
            after.insert(&m.rule, (r.listener.clone(), m.to));
        }
        let mut held = std::collections::BTreeSet::new();
        for (arn, r) in &self.rules {
            let (l, p) = after
                .get(arn.as_str())
                .cloned()
                .unwrap_or_else(|| (r.listener.clone(), r.priority));
            if !held.insert((l, p)) {
                return Err(StackError::new("PriorityInUse", p.to_string()));
            }
        }
        for m in moves {
            if let Some(r) = self.rules.get_mut(&m.rule) {
                r.priority = m.to;
            }
        }
        Ok(())
    }

    /// Target groups named must exist, and the load balancer may forward to at most its quota of them.
    fn check_actions(
        &self,
        lb: &str,
        skip_rule: Option<&str>,
        actions: &[Action],
    ) -> Result<(), StackError> {
        for a in actions {
            for tg in forwarded(a) {
                if !self.tgs.contains_key(&tg) {
                    return Err(not_found("TargetGroupNotFound", &tg));
                }
            }
            if let Action::Forward { groups, .. } = a {
                if groups
                    .iter()
                    .any(|g| matches!(g.tg, tgsync_actors::stack::TgRef::Model(_)))
                {
                    return Err(invalid("a target group sent unresolved"));
                }
            }
        }
        if self.lb_target_groups(lb, skip_rule, actions).len() > self.quotas.target_groups_per_alb {
            return Err(StackError::new(
                "TooManyUniqueTargetGroupsPerLoadBalancer",
                lb.to_owned(),
            ));
        }
        Ok(())
    }

    fn drop_listener(&mut self, arn: &str) {
        self.listeners.remove(arn);
        self.rules.retain(|_, r| r.listener != arn);
    }

    fn sg(&mut self, id: &str) -> Result<&mut SecurityGroupSpec, StackError> {
        self.sgs
            .get_mut(id)
            .ok_or_else(|| not_found("InvalidGroup.NotFound", id))
    }

    fn tg(&mut self, arn: &str) -> Result<&mut tgsync_actors::stack::TargetGroupSpec, StackError> {
        self.tgs
            .get_mut(arn)
            .ok_or_else(|| not_found("TargetGroupNotFound", arn))
    }

    fn lb(&mut self, arn: &str) -> Result<&mut LoadBalancerSpec, StackError> {
        self.lbs
            .get_mut(arn)
            .map(|r| &mut r.spec)
            .ok_or_else(|| not_found("LoadBalancerNotFound", arn))
    }

    fn listener(&mut self, arn: &str) -> Result<&mut ListenerRecord, StackError> {
        self.listeners
            .get_mut(arn)
            .ok_or_else(|| not_found("ListenerNotFound", arn))
    }

    fn rule(&mut self, arn: &str) -> Result<&mut RuleRecord, StackError> {
        self.rules
            .get_mut(arn)
            .ok_or_else(|| not_found("RuleNotFound", arn))
    }

    fn tags_mut(&mut self, arn: &str) -> Result<&mut Tags, StackError> {
        if let Some(r) = self.lbs.get_mut(arn) {
            return Ok(&mut r.spec.tags);
        }
        if let Some(t) = self.tgs.get_mut(arn) {
            return Ok(&mut t.tags);
        }
        if let Some(l) = self.listeners.get_mut(arn) {
            return Ok(&mut l.spec.tags);
        }
        if let Some(r) = self.rules.get_mut(arn) {
            return Ok(&mut r.tags);
        }
        Err(not_found("LoadBalancerNotFound", arn))
    }
}

/// At most `max` condition values per rule (`TooManyConditionValues`).
fn check_conditions(rule: &RuleSpec, max: usize) -> Result<(), StackError> {
    let n: usize = rule.conditions.iter().map(|c| c.values()).sum();
    if n > max {
        return Err(StackError::new(
            "TooManyConditionValues",
            format!("{n} condition values, at most {max}"),
        ));
    }
    Ok(())
}
