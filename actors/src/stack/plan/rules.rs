//! One listener's rule diff: rules that kept their place and content are left alone, rules whose content moved
//! keep their ARN and move, the rest are modified in place by priority, created or deleted.

use super::call::Move;
use super::same::same_rule;
use crate::stack::deployed::LiveRule;
use crate::stack::model::RuleSpec;

/// The highest priority ELB allows; rules to be deleted are parked downward from here.
pub const MAX_PRIORITY: u32 = 50_000;

/// What one listener's rules need, before it is ordered against the other listeners' and the quota.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleDiff {
    /// Content-matched rules moving to their place, and rules to be deleted parked out of their way.
    pub moves: Vec<Move>,
    /// Rules modified in place: ARN and new content.
    pub modifies: Vec<(String, RuleSpec)>,
    /// Rules to create: priority and content.
    pub creates: Vec<(u32, RuleSpec)>,
    /// Rules to delete.
    pub deletes: Vec<String>,
}

/// Diffs `desired` (in priority order, target groups by ARN where they exist) against `existing`.
pub fn diff_rules(desired: &[RuleSpec], existing: &[LiveRule]) -> RuleDiff {
    let mut existing: Vec<&LiveRule> = existing.iter().collect();
    existing.sort_by_key(|r| r.priority);
    let mut taken = vec![false; existing.len()];
    let mut matched: Vec<Option<usize>> = vec![None; desired.len()];

    // Rules already in place first, so a duplicate elsewhere never steals a rule that need not move.
    for (i, d) in desired.iter().enumerate() {
        if let Some(j) = existing
            .iter()
            .position(|e| e.priority == prio(i) && same_rule(d, &e.spec))
        {
            matched[i] = Some(j);
            taken[j] = true;
        }
    }
    let mut moves = Vec::new();
    for (i, d) in desired.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        if let Some(j) = (0..existing.len()).find(|&j| !taken[j] && same_rule(d, &existing[j].spec))
        {
            matched[i] = Some(j);
            taken[j] = true;
            // Pass one took every rule already in place, so this one moves.
            moves.push(Move {
                rule: existing[j].arn.clone(),
                from: existing[j].priority,
                to: prio(i),
            });
        }
    }
    let mut diff = RuleDiff::default();
    for (i, d) in desired.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        match (0..existing.len()).find(|&j| !taken[j] && existing[j].priority == prio(i)) {
            Some(j) => {
                taken[j] = true;
                diff.modifies.push((existing[j].arn.clone(), d.clone()));
            }
            None => diff.creates.push((prio(i), d.clone())),
        }
    }
    let deleted: Vec<&LiveRule> = (0..existing.len())
        .filter(|&j| !taken[j])
        .map(|j| existing[j])
        .collect();
    moves.extend(park(&deleted, &existing, &moves));
    diff.moves = moves;
    diff.deletes = deleted.iter().map(|r| r.arn.clone()).collect();
    diff
}

/// Parks each rule to be deleted that sits where a rule moves to, at the highest free priorities: it keeps
/// serving until the creates are in. A rule to be deleted never sits where a rule is created (that place would
/// have been a modify), so the others stay put.
fn park(deleted: &[&LiveRule], existing: &[&LiveRule], moves: &[Move]) -> Vec<Move> {
    let busy = |p: u32| existing.iter().any(|e| e.priority == p) || moves.iter().any(|m| m.to == p);
    let mut slot = MAX_PRIORITY + 1;
    let mut parked = Vec::new();
    for rule in deleted {
        if !moves.iter().any(|m| m.to == rule.priority) {
            continue;
        }
        slot -= 1;
        while busy(slot) {
            slot -= 1;
        }
        parked.push(Move {
            rule: rule.arn.clone(),
            from: rule.priority,
            to: slot,
        });
    }
    parked
}

fn prio(index: usize) -> u32 {
    // A listener holds at most a few hundred rules (the quota is 100 per load balancer): the index fits.
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
