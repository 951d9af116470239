//! The group as members join it in order: each contribution is checked against what earlier members set
//! (conflicts) and against AWS's quotas, and merged only when it passes, so a refused member leaves no trace.

use std::collections::{BTreeMap, BTreeSet};

use tgsync_actors::stack::{
    Action, BindingSpec, IpAddressType, Protocol, RuleSpec, Scheme, TargetGroupSpec, TgRef,
};

use super::contribution::{Contribution, ListenerWant};
use super::error::MemberError;
use super::names::scheme_str;
use super::outcome::{Conflict, ConflictField, HoldReason, Quota};
use crate::ingress::key::IngressKey;

/// A value and the member that set it first.
#[derive(Clone, Debug)]
pub struct Owned<T> {
    /// The value.
    pub value: T,
    /// Who set it.
    pub by: IngressKey,
}

/// One listener as merged so far.
#[derive(Clone, Debug)]
pub struct ListenerState {
    /// Its protocol.
    pub protocol: Owned<Protocol>,
    /// Its certificates, the default first.
    pub certificates: Vec<String>,
    /// `ssl-policy`, when a member set one.
    pub ssl_policy: Option<Owned<String>>,
    /// `inbound-cidrs`, when a member set them.
    pub inbound_cidrs: Option<Owned<Vec<String>>>,
    /// The one member default backend on this port.
    pub default_action: Option<Owned<Action>>,
    /// Rules in member order.
    pub rules: Vec<RuleSpec>,
}

/// The group merged so far.
#[derive(Clone, Debug, Default)]
pub struct GroupState {
    /// `scheme`.
    pub scheme: Option<Owned<Scheme>>,
    /// `ip-address-type`.
    pub ip_address_type: Option<Owned<IpAddressType>>,
    /// `load-balancer-name`.
    pub name: Option<Owned<String>>,
    /// `subnets`.
    pub subnets: Option<Owned<Vec<String>>>,
    /// `security-groups`.
    pub security_groups: Option<Owned<Vec<String>>>,
    /// `ssl-redirect`.
    pub ssl_redirect: Option<Owned<u16>>,
    /// `load-balancer-attributes`, key by key.
    pub attributes: BTreeMap<String, Owned<String>>,
    /// `tags`, key by key.
    pub tags: BTreeMap<String, Owned<String>>,
    /// Listeners by port.
    pub listeners: BTreeMap<u16, ListenerState>,
    /// Target groups by resource id.
    pub target_groups: BTreeMap<String, TargetGroupSpec>,
    /// Their bindings.
    pub bindings: BTreeMap<String, BindingSpec>,
    /// Target groups named by ARN in actions.
    pub arns: BTreeSet<String>,
    /// How many members (or kept contributions) joined.
    pub members: usize,
}

impl GroupState {
    /// Merges `c` from member `by` if it conflicts with nobody and keeps the group within its quotas.
    pub fn admit(&mut self, by: &IngressKey, c: &Contribution) -> Result<(), HoldReason> {
        check_rule_values(c)?;
        let mut next = self.clone();
        next.merge(by, c)?;
        next.check_quotas()?;
        *self = next;
        Ok(())
    }

    fn merge(&mut self, by: &IngressKey, c: &Contribution) -> Result<(), HoldReason> {
        let lb = &c.load_balancer;
        exclusive(
            &mut self.scheme,
            lb.scheme,
            by,
            ConflictField::Scheme,
            |s| scheme_str(*s).to_owned(),
        )?;
        exclusive(
            &mut self.ip_address_type,
            lb.ip_address_type,
            by,
            ConflictField::IpAddressType,
            |t| format!("{t:?}").to_lowercase(),
        )?;
        exclusive(
            &mut self.name,
            lb.name.clone(),
            by,
            ConflictField::LoadBalancerName,
            Clone::clone,
        )?;
        exclusive(
            &mut self.subnets,
            lb.subnets.clone(),
            by,
            ConflictField::Subnets,
            |v| v.join(","),
        )?;
        exclusive(
            &mut self.security_groups,
            lb.security_groups.clone(),
            by,
            ConflictField::SecurityGroups,
            |v| v.join(","),
        )?;
        exclusive(
            &mut self.ssl_redirect,
            c.ssl_redirect,
            by,
            ConflictField::SslRedirect,
            u16::to_string,
        )?;
        for (k, v) in &lb.attributes {
            let field = ConflictField::LoadBalancerAttribute(k.clone());
            exclusive_in(&mut self.attributes, k, v, by, field)?;
        }
        for (k, v) in &lb.tags {
            exclusive_in(&mut self.tags, k, v, by, ConflictField::Tag(k.clone()))?;
        }
        for want in &c.listeners {
            self.merge_listener(by, want, c)?;
        }
        if let Some(port) = self.ssl_redirect.as_ref().map(|r| r.value) {
            let https =
                self.listeners.get(&port).map(|l| l.protocol.value) == Some(Protocol::Https);
            if !https {
                return Err(MemberError::SslRedirectPort(port).into());
            }
        }
        for action in c
            .rules
            .iter()
            .flat_map(|r| &r.actions)
            .chain(&c.default_action)
        {
            if let Action::Forward { groups, .. } = action {
                for g in groups {
                    if let TgRef::Arn(arn) = &g.tg {
                        self.arns.insert(arn.clone());
                    }
                }
            }
        }
        self.target_groups.extend(c.target_groups.clone());
        self.bindings.extend(c.bindings.clone());
        self.members += 1;
        Ok(())
    }

    fn merge_listener(
        &mut self,
        by: &IngressKey,
        want: &ListenerWant,
        c: &Contribution,
    ) -> Result<(), HoldReason> {
        let port = want.port;
        let l = self.listeners.entry(port).or_insert_with(|| ListenerState {
            protocol: Owned {
                value: want.protocol,
                by: by.clone(),
            },
            certificates: Vec::new(),
            ssl_policy: None,
            inbound_cidrs: None,
            default_action: None,
            rules: Vec::new(),
        });
        if l.protocol.value != want.protocol {
            return Err(conflict(
                ConflictField::Protocol(port),
                &l.protocol.by,
                want.protocol.as_str(),
                l.protocol.value.as_str(),
            ));
        }
        let cidrs = Some(want.inbound_cidrs.clone())
            .filter(|c| !c.is_empty())
            .map(|mut v| {
                v.sort();
                v
            });
        exclusive(
            &mut l.inbound_cidrs,
            cidrs,
            by,
            ConflictField::InboundCidrs(port),
            |v| v.join(","),
        )?;
        exclusive(
            &mut l.ssl_policy,
            want.ssl_policy.clone(),
            by,
            ConflictField::SslPolicy(port),
            Clone::clone,
        )?;
        if let Some(action) = &c.default_action {
            if let Some(prev) = &l.default_action {
                return Err(conflict(
                    ConflictField::DefaultBackend(port),
                    &prev.by,
                    "a second default backend",
                    "the default backend",
                ));
            }
            l.default_action = Some(Owned {
                value: action.clone(),
                by: by.clone(),
            });
        }
        for cert in &want.certificates {
            if !l.certificates.contains(cert) {
                l.certificates.push(cert.clone());
            }
        }
        if want.protocol == Protocol::Https && l.certificates.is_empty() {
            return Err(MemberError::NoCertificate(port).into());
        }
        l.rules.extend(c.rules.iter().cloned());
        Ok(())
    }

    /// Whether the listener on `port` only redirects (plain HTTP under `ssl-redirect`), so has no rules.
    pub fn redirects(&self, port: u16) -> bool {
        self.ssl_redirect.is_some()
            && self.listeners.get(&port).map(|l| l.protocol.value) == Some(Protocol::Http)
    }

    fn check_quotas(&self) -> Result<(), HoldReason> {
        let rules: usize = self
            .listeners
            .iter()
            .filter(|(port, _)| !self.redirects(**port))
            .map(|(_, l)| l.rules.len())
            .sum();
        within(Quota::RulesPerLoadBalancer, rules)?;
        within(
            Quota::TargetGroupsPerLoadBalancer,
            self.target_groups.len() + self.arns.len(),
        )?;
        let certs: usize = self
            .listeners
            .values()
            .map(|l| l.certificates.len().saturating_sub(1))
            .sum();
        within(Quota::CertificatesPerLoadBalancer, certs)
    }
}

fn check_rule_values(c: &Contribution) -> Result<(), HoldReason> {
    let most = c
        .rules
        .iter()
        .map(|r| r.conditions.iter().map(|c| c.values()).sum::<usize>())
        .max()
        .unwrap_or(0);
    within(Quota::ConditionValuesPerRule, most)
}

fn within(quota: Quota, would_be: usize) -> Result<(), HoldReason> {
    let limit = quota.limit();
    if would_be > limit {
        return Err(HoldReason::Quota {
            quota,
            limit,
            would_be,
        });
    }
    Ok(())
}

fn conflict(field: ConflictField, with: &IngressKey, ours: &str, theirs: &str) -> HoldReason {
    HoldReason::Conflict(Box::new(Conflict {
        field,
        with: with.clone(),
        ours: ours.to_owned(),
        theirs: theirs.to_owned(),
    }))
}

/// Sets `slot` to `value` unless an earlier member set it to something else.
fn exclusive<T: PartialEq>(
    slot: &mut Option<Owned<T>>,
    value: Option<T>,
    by: &IngressKey,
    field: ConflictField,
    show: impl Fn(&T) -> String,
) -> Result<(), HoldReason> {
    let Some(value) = value else {
        return Ok(());
    };
    match slot {
        Some(prev) if prev.value != value => {
            Err(conflict(field, &prev.by, &show(&value), &show(&prev.value)))
        }
        Some(_) => Ok(()),
        None => {
            *slot = Some(Owned {
                value,
                by: by.clone(),
            });
            Ok(())
        }
    }
}

fn exclusive_in(
    map: &mut BTreeMap<String, Owned<String>>,
    key: &str,
    value: &str,
    by: &IngressKey,
    field: ConflictField,
) -> Result<(), HoldReason> {
    let mut slot = map.remove(key);
    let r = exclusive(&mut slot, Some(value.to_owned()), by, field, Clone::clone);
    if let Some(s) = slot {
        map.insert(key.to_owned(), s);
    }
    r
}
