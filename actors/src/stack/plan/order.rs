//! The rule phase across every listener of the load balancer: moves, then modifies, then creates before
//! deletes, with deletes pulled forward only as far as the rule quota needs.

use std::collections::VecDeque;

use super::call::{Call, Ref};
use super::listeners::ListenerRules;

/// The rule calls of all listeners; `live_rules` is how many rules the load balancer holds when the phase
/// starts, `quota` how many it may hold.
pub fn rule_calls(listeners: Vec<ListenerRules>, live_rules: usize, quota: usize) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut creates = Vec::new();
    let mut deletes = VecDeque::new();
    let mut modifies = Vec::new();
    for l in listeners {
        if let (Ref::Existing(arn), false) = (&l.listener, l.diff.moves.is_empty()) {
            // A new listener has no rules to move, so moves only ever name an existing one.
            calls.push(Call::SetRulePriorities {
                listener: arn.clone(),
                moves: l.diff.moves,
            });
        }
        modifies.extend(
            l.diff
                .modifies
                .into_iter()
                .map(|(rule, spec)| Call::ModifyRule { rule, spec }),
        );
        creates.extend(
            l.diff
                .creates
                .into_iter()
                .map(|(priority, rule)| Call::CreateRule {
                    listener: l.listener.clone(),
                    priority,
                    rule,
                    tags: l.tags.clone(),
                }),
        );
        deletes.extend(
            l.diff
                .deletes
                .into_iter()
                .map(|rule| Call::DeleteRule { rule }),
        );
    }
    calls.extend(modifies);
    // Creates first so no request falls through to a default action meanwhile; when the quota has no room
    // for one, a delete makes it. The model fits the quota, so a delete is left whenever the room runs out.
    let mut count = live_rules;
    for create in creates {
        while count >= quota {
            let Some(delete) = deletes.pop_front() else {
                break;
            };
            calls.push(delete);
            count -= 1;
        }
        calls.push(create);
        count += 1;
    }
    calls.extend(deletes);
    calls
}
