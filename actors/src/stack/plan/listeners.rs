//! Listeners, matched by port: deleted, created or modified, and the rules each needs.

use std::collections::BTreeMap;

use super::call::{Call, NewId, Ref};
use super::diff::{tag_calls, TagApi};
use super::rules::{diff_rules, RuleDiff};
use super::same::same_action;
use crate::stack::deployed::LiveListener;
use crate::stack::model::{Action, ListenerSpec, RuleSpec, TgRef};
use crate::stack::tags::Tags;

/// The listeners' calls, by phase, and each listener's rule diff.
#[derive(Default)]
pub struct ListenerPlan {
    /// Listeners the model dropped (their rules go with them).
    pub deletes: Vec<Call>,
    /// New listeners and their extra certificates.
    pub creates: Vec<Call>,
    /// In-place changes of kept listeners.
    pub modifies: Vec<Call>,
    /// Every wanted listener's rules, by port.
    pub rules: Vec<ListenerRules>,
    /// Rules on kept listeners before the plan (what counts against the quota at the start of the rules).
    pub live_rules: usize,
}

/// One listener's rule diff and what its new rules are tagged with.
pub struct ListenerRules {
    /// The listener.
    pub listener: Ref,
    /// What its rules need.
    pub diff: RuleDiff,
    /// Tags for its new rules.
    pub tags: Tags,
}

/// `action` with the target groups that exist named by ARN; the rest stay `TgRef::Model`, created in the plan.
pub fn resolve(action: &Action, kept: &BTreeMap<String, String>) -> Action {
    let mut action = action.clone();
    if let Action::Forward { groups, .. } = &mut action {
        for g in groups.iter_mut() {
            if let TgRef::Model(id) = &g.tg {
                if let Some(arn) = kept.get(id) {
                    g.tg = TgRef::Arn(arn.clone());
                }
            }
        }
    }
    action
}

fn resolve_rule(rule: &RuleSpec, kept: &BTreeMap<String, String>) -> RuleSpec {
    RuleSpec {
        conditions: rule.conditions.clone(),
        actions: rule.actions.iter().map(|a| resolve(a, kept)).collect(),
    }
}

/// Plans the listeners of load balancer `lb`; `live` are the listeners that survive the load-balancer phase
/// (none when it is new or replaced). Rules are tagged like their listener minus its `resource` tag
/// (`resource_tag`), which the LBC sets to `port:priority` and would rewrite on every move.
pub fn listeners(
    lb: &Ref,
    desired: &BTreeMap<u16, ListenerSpec>,
    live: &BTreeMap<u16, LiveListener>,
    kept_tgs: &BTreeMap<String, String>,
    resource_tag: &str,
) -> ListenerPlan {
    let mut plan = ListenerPlan::default();
    for (port, l) in live {
        if desired.contains_key(port) {
            plan.live_rules += l.rules.len();
        } else {
            plan.deletes.push(Call::DeleteListener {
                listener: l.arn.clone(),
            });
        }
    }
    for (port, d) in desired {
        let default_action = resolve(&d.default_action, kept_tgs);
        let extra: Vec<String> = d.certificates.iter().skip(1).cloned().collect();
        let (listener, existing) = match live.get(port) {
            None => {
                plan.creates.push(Call::CreateListener {
                    load_balancer: lb.clone(),
                    port: *port,
                    protocol: d.protocol,
                    certificate: d.certificates.first().cloned(),
                    ssl_policy: d.ssl_policy.clone(),
                    default_action,
                    tags: d.tags.clone(),
                });
                let listener = Ref::New(NewId::Listener(*port));
                if !extra.is_empty() {
                    plan.creates.push(Call::AddListenerCertificates {
                        listener: listener.clone(),
                        certificates: extra,
                    });
                }
                (listener, &[][..])
            }
            Some(l) => {
                modify(&mut plan.modifies, d, l, default_action, extra);
                (Ref::Existing(l.arn.clone()), l.rules.as_slice())
            }
        };
        let rules: Vec<RuleSpec> = d.rules.iter().map(|r| resolve_rule(r, kept_tgs)).collect();
        let mut tags = d.tags.clone();
        tags.remove(resource_tag);
        plan.rules.push(ListenerRules {
            listener,
            diff: diff_rules(&rules, existing),
            tags,
        });
    }
    plan
}

fn modify(
    calls: &mut Vec<Call>,
    d: &ListenerSpec,
    l: &LiveListener,
    default_action: Action,
    extra: Vec<String>,
) {
    let live = &l.spec;
    let protocol = (d.protocol != live.protocol).then_some(d.protocol);
    let certificate = d
        .certificates
        .first()
        .filter(|c| live.certificates.first() != Some(*c))
        .cloned();
    let ssl_policy = d
        .ssl_policy
        .clone()
        .filter(|_| d.ssl_policy != live.ssl_policy);
    let default_action =
        (!same_action(&default_action, &live.default_action)).then_some(default_action);
    if protocol.is_some()
        || certificate.is_some()
        || ssl_policy.is_some()
        || default_action.is_some()
    {
        calls.push(Call::ModifyListener {
            listener: l.arn.clone(),
            protocol,
            certificate,
            ssl_policy,
            default_action,
        });
    }
    let live_extra: Vec<&String> = live.certificates.iter().skip(1).collect();
    let add: Vec<String> = extra
        .iter()
        .filter(|c| !live_extra.contains(c))
        .cloned()
        .collect();
    let remove: Vec<String> = live_extra
        .iter()
        .filter(|c| !extra.contains(c))
        .map(|c| (*c).clone())
        .collect();
    if !add.is_empty() {
        calls.push(Call::AddListenerCertificates {
            listener: Ref::Existing(l.arn.clone()),
            certificates: add,
        });
    }
    if !remove.is_empty() {
        calls.push(Call::RemoveListenerCertificates {
            listener: l.arn.clone(),
            certificates: remove,
        });
    }
    calls.extend(tag_calls(&l.arn, &d.tags, &live.tags, TagApi::Elbv2));
}
