//! A test-only in-memory load balancer (ALB or NLB) that answers calls the way AWS does where plans are
//! concerned: it assigns ARNs, keeps priorities unique per listener (`SetRulePriorities` atomic, or
//! refusing held targets as moto does), enforces the rule quota, refuses to delete a target group or
//! security group in use. Compiled for this crate's tests and, with feature `sim`, for the builders'
//! tests in `src/`.

use std::collections::{BTreeMap, BTreeSet};

use crate::stack::deployed::{
    Deployed, LiveListener, LiveLoadBalancer, LiveRule, LiveSecurityGroup, LiveTargetGroup,
};
use crate::stack::model::{
    Action, ListenerSpec, LoadBalancerSpec, Protocol, RuleSpec, SecurityGroupSpec, SgRef,
    TargetGroupSpec, TgRef,
};
use crate::stack::plan::{collision_free_moves, Call, Created, Move, Plan, Ref, MAX_PRIORITY};

/// What the simulated ALB refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// A rule already holds the priority.
    PriorityInUse(u32),
    /// The rule quota is full.
    TooManyRules,
    /// No such resource.
    NotFound(String),
    /// Still used by another resource.
    InUse(String),
    /// A call AWS would refuse otherwise.
    Invalid(String),
}

/// One stack's worth of ELBv2 and EC2.
pub struct Sim {
    /// Rules the load balancer may hold.
    pub quota: usize,
    /// AWS applies `SetRulePriorities` atomically; moto refuses any target a rule holds.
    pub atomic_moves: bool,
    next: u64,
    /// What the plan being applied created so far.
    pub created: Created,
    sg: Option<LiveSecurityGroup>,
    tgs: BTreeMap<String, TargetGroupSpec>,
    lb: Option<LiveLoadBalancer>,
    listeners: BTreeMap<String, ListenerSpec>,
    rules: BTreeMap<String, (String, u32, RuleSpec)>,
    /// Largest number of rules the load balancer ever held.
    pub peak_rules: usize,
}

fn missing(what: &str) -> SimError {
    SimError::NotFound(what.to_owned())
}

impl Sim {
    /// An empty account with this rule quota.
    pub fn new(quota: usize, atomic_moves: bool) -> Self {
        Sim {
            quota,
            atomic_moves,
            next: 0,
            created: Created::default(),
            sg: None,
            tgs: BTreeMap::new(),
            lb: None,
            listeners: BTreeMap::new(),
            rules: BTreeMap::new(),
            peak_rules: 0,
        }
    }

    fn arn(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("arn:{kind}/{}", self.next)
    }

    fn resolve(&self, r: &Ref) -> Result<String, SimError> {
        self.created
            .resolve(r)
            .map(str::to_owned)
            .map_err(|e| SimError::NotFound(format!("{e}")))
    }

    fn action(&self, a: &Action) -> Result<Action, SimError> {
        let a = self
            .created
            .resolve_action(a)
            .map_err(|e| SimError::NotFound(format!("{e}")))?;
        if let Action::Forward { groups, .. } = &a {
            for g in groups {
                match &g.tg {
                    TgRef::Arn(arn) if self.tgs.contains_key(arn) => {}
                    other => return Err(SimError::NotFound(format!("target group {other:?}"))),
                }
            }
        }
        Ok(a)
    }

    fn rule_spec(&self, r: &RuleSpec) -> Result<RuleSpec, SimError> {
        Ok(RuleSpec {
            conditions: r.conditions.clone(),
            actions: r
                .actions
                .iter()
                .map(|a| self.action(a))
                .collect::<Result<_, _>>()?,
        })
    }

    fn lb_arn(&self, arn: &str) -> Result<(), SimError> {
        match &self.lb {
            Some(lb) if lb.arn == arn => Ok(()),
            _ => Err(missing(arn)),
        }
    }

    fn listener(&mut self, arn: &str) -> Result<&mut ListenerSpec, SimError> {
        self.listeners.get_mut(arn).ok_or_else(|| missing(arn))
    }

    /// Priorities held on a listener now.
    pub fn occupied(&self, listener: &str) -> BTreeSet<u32> {
        self.rules
            .values()
            .filter(|(l, _, _)| l == listener)
            .map(|(_, p, _)| *p)
            .collect()
    }

    fn uses_tg(&self, arn: &str) -> bool {
        let forwards = |a: &Action| match a {
            Action::Forward { groups, .. } => groups.iter().any(|g| g.tg == TgRef::Arn(arn.into())),
            _ => false,
        };
        self.listeners.values().any(|l| forwards(&l.default_action))
            || self
                .rules
                .values()
                .any(|(_, _, r)| r.actions.iter().any(forwards))
    }

    fn tags_of(&mut self, arn: &str) -> Result<&mut crate::stack::tags::Tags, SimError> {
        if self.lb.as_ref().is_some_and(|lb| lb.arn == arn) {
            return self
                .lb
                .as_mut()
                .map(|lb| &mut lb.spec.tags)
                .ok_or_else(|| missing(arn));
        }
        if self.tgs.contains_key(arn) {
            return self
                .tgs
                .get_mut(arn)
                .map(|tg| &mut tg.tags)
                .ok_or_else(|| missing(arn));
        }
        self.listener(arn).map(|l| &mut l.tags)
    }

    /// Makes one call.
    pub fn apply(&mut self, call: &Call) -> Result<(), SimError> {
        match call {
            Call::CreateSecurityGroup { name, tags } => {
                if self.sg.is_some() {
                    return Err(SimError::Invalid("second security group".into()));
                }
                let id = self.arn("sg");
                self.sg = Some(LiveSecurityGroup {
                    id: id.clone(),
                    spec: SecurityGroupSpec {
                        name: name.clone(),
                        ingress: vec![],
                        tags: tags.clone(),
                    },
                });
                self.created
                    .record(crate::stack::plan::NewId::SecurityGroup, id);
            }
            Call::AuthorizeSecurityGroupIngress { group, permissions } => {
                let id = self.resolve(group)?;
                let sg = self
                    .sg
                    .as_mut()
                    .filter(|s| s.id == id)
                    .ok_or_else(|| missing(&id))?;
                for p in permissions {
                    if sg.spec.ingress.contains(p) {
                        return Err(SimError::Invalid("InvalidPermission.Duplicate".into()));
                    }
                    sg.spec.ingress.push(p.clone());
                }
                sg.spec.ingress.sort();
            }
            Call::RevokeSecurityGroupIngress { group, permissions } => {
                let sg = self
                    .sg
                    .as_mut()
                    .filter(|s| &s.id == group)
                    .ok_or_else(|| missing(group))?;
                for p in permissions {
                    let at = sg
                        .spec
                        .ingress
                        .iter()
                        .position(|q| q == p)
                        .ok_or_else(|| missing("permission"))?;
                    sg.spec.ingress.remove(at);
                }
            }
            Call::DeleteSecurityGroup { group } => {
                self.sg
                    .as_ref()
                    .filter(|s| &s.id == group)
                    .ok_or_else(|| missing(group))?;
                if let Some(lb) = &self.lb {
                    if lb.spec.security_groups.contains(&SgRef::Id(group.clone())) {
                        return Err(SimError::InUse(group.clone()));
                    }
                }
                self.sg = None;
            }
            Call::CreateTags { resource, tags } => {
                let sg = self
                    .sg
                    .as_mut()
                    .filter(|s| &s.id == resource)
                    .ok_or_else(|| missing(resource))?;
                sg.spec.tags.extend(tags.clone());
            }
            Call::DeleteTags { resource, keys } => {
                let sg = self
                    .sg
                    .as_mut()
                    .filter(|s| &s.id == resource)
                    .ok_or_else(|| missing(resource))?;
                keys.iter().for_each(|k| {
                    sg.spec.tags.remove(k);
                });
            }
            Call::CreateTargetGroup { id, spec } => {
                let arn = self.arn("tg");
                let mut spec = spec.clone();
                spec.attributes.clear();
                self.tgs.insert(arn.clone(), spec);
                self.created
                    .record(crate::stack::plan::NewId::TargetGroup(id.clone()), arn);
            }
            Call::ModifyTargetGroup {
                target_group,
                health_check,
            } => {
                let tg = self
                    .tgs
                    .get_mut(target_group)
                    .ok_or_else(|| missing(target_group))?;
                tg.health_check = health_check.clone();
            }
            Call::ModifyTargetGroupAttributes {
                target_group,
                attributes,
            } => {
                let arn = self.resolve(target_group)?;
                let tg = self.tgs.get_mut(&arn).ok_or_else(|| missing(&arn))?;
                tg.attributes.extend(attributes.clone());
            }
            Call::DeleteTargetGroup { target_group } => {
                if self.uses_tg(target_group) {
                    return Err(SimError::InUse(target_group.clone()));
                }
                self.tgs
                    .remove(target_group)
                    .ok_or_else(|| missing(target_group))?;
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
                if self.lb.is_some() {
                    return Err(SimError::Invalid("second load balancer".into()));
                }
                let arn = self.arn("lb");
                let security_groups = security_groups
                    .iter()
                    .map(|g| self.resolve(g).map(SgRef::Id))
                    .collect::<Result<_, _>>()?;
                self.lb = Some(LiveLoadBalancer {
                    arn: arn.clone(),
                    dns_name: format!("{name}-1.elb"),
                    spec: LoadBalancerSpec {
                        name: name.clone(),
                        kind: *kind,
                        scheme: *scheme,
                        ip_address_type: *ip_address_type,
                        subnets: subnets.clone(),
                        security_groups,
                        attributes: BTreeMap::new(),
                        tags: tags.clone(),
                    },
                });
                self.created
                    .record(crate::stack::plan::NewId::LoadBalancer, arn);
                self.created.record_dns_name(format!("{name}-1.elb"));
            }
            Call::SetSubnets {
                load_balancer,
                subnets,
            } => {
                self.lb_arn(load_balancer)?;
                if let Some(lb) = &mut self.lb {
                    lb.spec.subnets = subnets.clone();
                }
            }
            Call::SetSecurityGroups {
                load_balancer,
                security_groups,
            } => {
                self.lb_arn(load_balancer)?;
                let groups = security_groups
                    .iter()
                    .map(|g| self.resolve(g).map(SgRef::Id))
                    .collect::<Result<_, _>>()?;
                if let Some(lb) = &mut self.lb {
                    lb.spec.security_groups = groups;
                }
            }
            Call::SetIpAddressType {
                load_balancer,
                ip_address_type,
            } => {
                self.lb_arn(load_balancer)?;
                if let Some(lb) = &mut self.lb {
                    lb.spec.ip_address_type = *ip_address_type;
                }
            }
            Call::ModifyLoadBalancerAttributes {
                load_balancer,
                attributes,
            } => {
                let arn = self.resolve(load_balancer)?;
                self.lb_arn(&arn)?;
                if let Some(lb) = &mut self.lb {
                    lb.spec.attributes.extend(attributes.clone());
                }
            }
            Call::DeleteLoadBalancer { load_balancer } => {
                self.lb_arn(load_balancer)?;
                if let Some(lb) = &self.lb {
                    if lb
                        .spec
                        .attributes
                        .get("deletion_protection.enabled")
                        .map(String::as_str)
                        == Some("true")
                    {
                        return Err(SimError::Invalid("deletion protection".into()));
                    }
                }
                self.lb = None;
                self.listeners.clear();
                self.rules.clear();
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
                let lb = self.resolve(load_balancer)?;
                self.lb_arn(&lb)?;
                if self.listeners.values().any(|l| l.port == *port) {
                    return Err(SimError::Invalid(format!("DuplicateListener {port}")));
                }
                let default_action = self.action(default_action)?;
                let arn = self.arn("listener");
                self.listeners.insert(
                    arn.clone(),
                    ListenerSpec {
                        port: *port,
                        protocol: *protocol,
                        certificates: certificate.iter().cloned().collect(),
                        ssl_policy: ssl_policy.clone(),
                        default_action,
                        rules: vec![],
                        tags: tags.clone(),
                    },
                );
                self.created
                    .record(crate::stack::plan::NewId::Listener(*port), arn);
            }
            Call::ModifyListener {
                listener,
                protocol,
                certificate,
                ssl_policy,
                default_action,
            } => {
                let default_action = default_action
                    .as_ref()
                    .map(|a| self.action(a))
                    .transpose()?;
                let l = self.listener(listener)?;
                if let Some(p) = protocol {
                    l.protocol = *p;
                    // As AWS does, a listener that stops terminating TLS drops its certificates and policy.
                    if !matches!(p, Protocol::Https | Protocol::Tls) {
                        l.certificates.clear();
                        l.ssl_policy = None;
                    }
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
                    l.default_action = a;
                }
            }
            Call::AddListenerCertificates {
                listener,
                certificates,
            } => {
                let arn = self.resolve(listener)?;
                let l = self.listener(&arn)?;
                l.certificates.extend(certificates.iter().cloned());
            }
            Call::RemoveListenerCertificates {
                listener,
                certificates,
            } => {
                let l = self.listener(listener)?;
                let default = l.certificates.first().cloned();
                l.certificates
                    .retain(|c| Some(c) == default.as_ref() || !certificates.contains(c));
            }
            Call::DeleteListener { listener } => {
                self.listeners
                    .remove(listener)
                    .ok_or_else(|| missing(listener))?;
                self.rules.retain(|_, (l, _, _)| l != listener);
            }
            Call::CreateRule {
                listener,
                priority,
                rule,
                tags: _,
            } => {
                let listener = self.resolve(listener)?;
                self.listener(&listener)?;
                if !(1..=MAX_PRIORITY).contains(priority)
                    || self.occupied(&listener).contains(priority)
                {
                    return Err(SimError::PriorityInUse(*priority));
                }
                if self.rules.len() >= self.quota {
                    return Err(SimError::TooManyRules);
                }
                let rule = self.rule_spec(rule)?;
                let arn = self.arn("rule");
                self.rules.insert(arn, (listener, *priority, rule));
                self.peak_rules = self.peak_rules.max(self.rules.len());
            }
            Call::ModifyRule { rule, spec } => {
                let spec = self.rule_spec(spec)?;
                let r = self.rules.get_mut(rule).ok_or_else(|| missing(rule))?;
                r.2 = spec;
            }
            Call::SetRulePriorities { listener, moves } => self.set_priorities(listener, moves)?,
            Call::DeleteRule { rule } => {
                self.rules.remove(rule).ok_or_else(|| missing(rule))?;
            }
            Call::AddTags { resource, tags } => self.tags_of(resource)?.extend(tags.clone()),
            Call::RemoveTags { resource, keys } => {
                let t = self.tags_of(resource)?;
                keys.iter().for_each(|k| {
                    t.remove(k);
                });
            }
        }
        Ok(())
    }

    fn set_priorities(&mut self, listener: &str, moves: &[Move]) -> Result<(), SimError> {
        let mut after: BTreeMap<String, u32> = self
            .rules
            .iter()
            .filter(|(_, (l, _, _))| l == listener)
            .map(|(arn, (_, p, _))| (arn.clone(), *p))
            .collect();
        let held: BTreeSet<u32> = after.values().copied().collect();
        for m in moves {
            if !(1..=MAX_PRIORITY).contains(&m.to) {
                return Err(SimError::Invalid(format!("priority {}", m.to)));
            }
            if !self.atomic_moves && held.contains(&m.to) {
                return Err(SimError::PriorityInUse(m.to));
            }
            *after.get_mut(&m.rule).ok_or_else(|| missing(&m.rule))? = m.to;
        }
        let mut seen = BTreeSet::new();
        for p in after.values() {
            if !seen.insert(*p) {
                return Err(SimError::PriorityInUse(*p));
            }
        }
        for (arn, p) in after {
            if let Some(r) = self.rules.get_mut(&arn) {
                r.1 = p;
            }
        }
        Ok(())
    }

    /// What a reader would find: the stack's resources, target groups by their `resource` tag.
    pub fn deployed(&self) -> Deployed {
        let target_groups = self
            .tgs
            .iter()
            .map(|(arn, spec)| {
                let id = spec
                    .tags
                    .iter()
                    .find(|(k, _)| k.ends_with("/resource"))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (
                    id,
                    LiveTargetGroup {
                        arn: arn.clone(),
                        spec: spec.clone(),
                    },
                )
            })
            .collect();
        let listeners = self
            .listeners
            .iter()
            .map(|(arn, spec)| {
                let mut rules: Vec<LiveRule> = self
                    .rules
                    .iter()
                    .filter(|(_, (l, _, _))| l == arn)
                    .map(|(rule, (_, priority, spec))| LiveRule {
                        arn: rule.clone(),
                        priority: *priority,
                        spec: spec.clone(),
                    })
                    .collect();
                rules.sort_by_key(|r| r.priority);
                (
                    spec.port,
                    LiveListener {
                        arn: arn.clone(),
                        spec: spec.clone(),
                        rules,
                    },
                )
            })
            .collect();
        Deployed {
            load_balancer: self.lb.clone(),
            security_group: self.sg.clone(),
            target_groups,
            listeners,
        }
    }
}

/// How applying one plan went.
#[derive(Debug, Default, Clone)]
pub struct Applied {
    /// Calls made, the fallback's single moves and the refused call included.
    pub calls: usize,
    /// Rule calls among them (create, modify, move, delete).
    pub rule_calls: usize,
    /// Every existing ARN or id a call made named, the fallback's included.
    pub touched: BTreeSet<String>,
}

/// Applies `plan` front to back, as the applier does: a fresh `Created` per plan, and on `PriorityInUse` from
/// a `SetRulePriorities`, the collision-free single moves.
pub fn apply_plan(sim: &mut Sim, plan: &Plan) -> Result<Applied, SimError> {
    sim.created = Created::default();
    let mut applied = Applied::default();
    for call in &plan.calls {
        applied.calls += 1;
        applied
            .touched
            .extend(call.existing().into_iter().map(str::to_owned));
        if matches!(
            call,
            Call::CreateRule { .. }
                | Call::ModifyRule { .. }
                | Call::SetRulePriorities { .. }
                | Call::DeleteRule { .. }
        ) {
            applied.rule_calls += 1;
        }
        match (sim.apply(call), call) {
            (Err(SimError::PriorityInUse(_)), Call::SetRulePriorities { listener, moves }) => {
                let occupied = sim.occupied(listener);
                for (rule, to) in collision_free_moves(moves, &occupied) {
                    applied.calls += 1;
                    applied.rule_calls += 1;
                    applied.touched.insert(rule.clone());
                    let from = sim.rules.get(&rule).map(|r| r.1).unwrap_or_default();
                    sim.apply(&Call::SetRulePriorities {
                        listener: listener.clone(),
                        moves: vec![Move { rule, from, to }],
                    })?;
                }
            }
            (result, _) => result?,
        }
    }
    Ok(applied)
}
