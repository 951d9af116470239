//! The collision-free fallback for ELBs that refuse held targets in `SetRulePriorities`.

use std::collections::BTreeSet;

use crate::stack::plan::{collision_free_moves, Move};

fn mv(rule: &str, from: u32, to: u32) -> Move {
    Move {
        rule: rule.into(),
        from,
        to,
    }
}

fn run(moves: &[Move], occupied: &[u32]) -> Vec<(String, u32)> {
    let occupied: BTreeSet<u32> = occupied.iter().copied().collect();
    let out = collision_free_moves(moves, &occupied);
    // Replays the moves: each target must be free at its turn.
    let mut at: Vec<(String, u32)> = moves.iter().map(|m| (m.rule.clone(), m.from)).collect();
    let mut held = occupied;
    for (rule, to) in &out {
        assert!(!held.contains(to), "{rule} to {to} is held: {out:?}");
        let slot = at.iter_mut().find(|(r, _)| r == rule).expect("a mover");
        held.remove(&slot.1);
        held.insert(*to);
        slot.1 = *to;
    }
    for m in moves {
        assert!(
            at.contains(&(m.rule.clone(), m.to)),
            "{} ends at {}",
            m.rule,
            m.to
        );
    }
    out
}

#[test]
fn a_shift_moves_the_last_rule_first() {
    let out = run(&[mv("c", 3, 4), mv("b", 2, 3)], &[1, 2, 3]);
    assert_eq!(out, [("c".to_owned(), 4), ("b".to_owned(), 3)]);
}

#[test]
fn a_swap_parks_one_rule_at_the_highest_free_priority() {
    let out = run(&[mv("a", 1, 2), mv("b", 2, 1)], &[1, 2]);
    assert_eq!(
        out,
        [
            ("a".to_owned(), 50_000),
            ("b".to_owned(), 1),
            ("a".to_owned(), 2)
        ]
    );
}

#[test]
fn a_rotation_costs_one_extra_move() {
    let out = run(
        &[mv("a", 1, 2), mv("b", 2, 3), mv("c", 3, 1)],
        &[1, 2, 3, 50_000],
    );
    assert_eq!(out.len(), 4);
    assert_eq!(out[0], ("a".to_owned(), 49_999));
}

#[test]
fn a_target_held_by_a_rule_that_does_not_move_comes_last_as_asked() {
    let out = collision_free_moves(&[mv("a", 1, 2), mv("b", 4, 5)], &BTreeSet::from([1, 2, 4]));
    assert_eq!(out, [("b".to_owned(), 5), ("a".to_owned(), 2)]);
}
