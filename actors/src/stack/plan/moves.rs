//! Single rule moves in an order where each target priority is free when its move is made, for ELBs that
//! refuse a `SetRulePriorities` whose targets are held, even by rules moving in the same call (moto does).

use std::collections::BTreeSet;

use super::call::Move;
use super::rules::MAX_PRIORITY;

/// `moves` as single moves, each to a priority free at its turn; `occupied` is every priority held on the
/// listener now (the movers' own included). A cycle (a swap, a rotation) is broken by parking one of its rules
/// at the highest free priority first. A move whose target is held by a rule outside `moves` can never be
/// made free: it comes last, as asked, and ELB's refusal is the caller's to report.
pub fn collision_free_moves(moves: &[Move], occupied: &BTreeSet<u32>) -> Vec<(String, u32)> {
    let mut held = occupied.clone();
    let mut pending: Vec<Move> = moves.iter().filter(|m| m.from != m.to).cloned().collect();
    let mut out = Vec::with_capacity(pending.len() + 1);
    while !pending.is_empty() {
        if let Some(i) = pending.iter().position(|m| !held.contains(&m.to)) {
            let m = pending.remove(i);
            held.remove(&m.from);
            held.insert(m.to);
            out.push((m.rule, m.to));
            continue;
        }
        // Every target is held. If a pending rule holds one, the targets form cycles: parking that rule frees
        // its place and lets the cycle run.
        let in_cycle = pending
            .iter()
            .position(|m| pending.iter().any(|other| other.to == m.from));
        let free = (1..=MAX_PRIORITY)
            .rev()
            .find(|p| !held.contains(p) && !pending.iter().any(|m| m.to == *p));
        match (in_cycle, free) {
            (Some(i), Some(slot)) => {
                let m = &mut pending[i];
                held.remove(&m.from);
                held.insert(slot);
                out.push((m.rule.clone(), slot));
                m.from = slot;
            }
            _ => {
                out.extend(pending.drain(..).map(|m| (m.rule, m.to)));
            }
        }
    }
    out
}
