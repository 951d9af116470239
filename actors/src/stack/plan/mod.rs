//! The planner: a pure function from the desired `StackModel` and what AWS holds (`Deployed`) to the ordered
//! calls that make AWS match, plus the pure helpers the applier needs (reference resolution, collision-free
//! rule moves). No IO, no clock.

mod call;
mod diff;
mod listeners;
mod load_balancer;
mod moves;
mod order;
mod refs;
mod rules;
mod same;
mod security_group;
mod target_groups;

#[cfg(test)]
mod tests;

pub use call::{Call, Move, NewId, Ref};
pub use moves::collision_free_moves;
pub use refs::{Created, Unresolved};
pub use rules::MAX_PRIORITY;
pub use same::{same_action, same_rule};

use std::collections::BTreeMap;

use super::deployed::Deployed;
use super::model::StackModel;

/// AWS quotas the plan keeps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Rules per load balancer across its listeners, default rules not counted (100 unless raised).
    pub rules_per_load_balancer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rules_per_load_balancer: 100,
        }
    }
}

/// The calls that make AWS hold the model, in the order to make them. Each call may name resources created
/// by an earlier one (`Ref::New`), so a plan is applied front to back, one call at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The calls, in order.
    pub calls: Vec<Call>,
}

impl Plan {
    /// Whether AWS already holds the model.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Takes out the deletes of the target groups `still_bound` names, whose bindings must drain their
    /// targets first, and answers their ARNs. Nothing later in a plan depends on a target group's delete.
    pub fn hold_target_group_deletes(&mut self, still_bound: impl Fn(&str) -> bool) -> Vec<String> {
        let mut held = Vec::new();
        self.calls.retain(|c| match c {
            Call::DeleteTargetGroup { target_group } if still_bound(target_group) => {
                held.push(target_group.clone());
                false
            }
            _ => true,
        });
        held
    }
}

/// Plans with the default quotas.
pub fn plan(model: &StackModel, deployed: &Deployed) -> Plan {
    plan_with(model, deployed, Limits::default())
}

/// Plans: security group, target groups, load balancer, listeners, rules, then stale target groups and the
/// security group. A model without a load balancer deletes everything the stack owns.
pub fn plan_with(model: &StackModel, deployed: &Deployed, limits: Limits) -> Plan {
    let none = BTreeMap::new();
    let wanted = model.load_balancer.is_some();
    let (tgs, listeners_wanted, sg) = if wanted {
        (
            &model.target_groups,
            &model.listeners,
            model.security_group.as_ref(),
        )
    } else {
        (&none, &BTreeMap::new(), None)
    };
    let sg = security_group::security_group(sg, deployed.security_group.as_ref());
    let tg = target_groups::target_groups(tgs, &deployed.target_groups);
    let lb = load_balancer::load_balancer(
        model.load_balancer.as_ref(),
        deployed.load_balancer.as_ref(),
        sg.group.as_ref(),
    );
    let mut calls = sg.early;
    calls.extend(tg.early);
    calls.extend(lb.calls);
    if let Some(lb_ref) = &lb.load_balancer {
        // Listeners of a deleted or replaced load balancer went with it.
        let live = if lb.kept {
            &deployed.listeners
        } else {
            &BTreeMap::new()
        };
        let resource_tag = model.stack.kind.resource_tag();
        let l = listeners::listeners(lb_ref, listeners_wanted, live, &tg.kept, &resource_tag);
        calls.extend(l.deletes);
        calls.extend(l.creates);
        calls.extend(l.modifies);
        calls.extend(order::rule_calls(
            l.rules,
            l.live_rules,
            limits.rules_per_load_balancer,
        ));
    }
    calls.extend(tg.late);
    calls.extend(sg.late);
    Plan { calls }
}
