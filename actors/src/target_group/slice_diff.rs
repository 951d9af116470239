use std::cmp::Ordering;

use crate::domain::{Endpoint, Target};

/// Above this many changed occurrences, equal ones are paired off before anyone counts them.
const CANCEL_ABOVE: usize = 8;

/// What a source update added and removed, as occurrences of ready targets. Count the added ones first: a
/// target that only moved then never touches zero.
#[derive(Default)]
pub(crate) struct SliceDiff {
    /// Occurrences added.
    pub added: Vec<Target>,
    /// Occurrences removed.
    pub removed: Vec<Target>,
}

/// Fills `out` with the ready targets `new` has and `old` lacks (added) and the reverse (removed), counted
/// as multisets, each side read on its own port (`None`: the slice does not carry the port, so nothing).
///
/// The EndpointSlice controller keeps endpoints in place, drops those that leave and appends new ones, so a
/// rolling update changes a slice in a few spots and shifts what follows a departure by one. The two lists
/// are walked side by side: runs they share are skipped as memory, a block at a time, and where they part,
/// one endpoint of lookahead tells a departure or an arrival (the rest realigns) from a change in place.
pub(crate) fn slice_diff(
    (old, old_port): (&[Endpoint], Option<u16>),
    (new, new_port): (&[Endpoint], Option<u16>),
    out: &mut SliceDiff,
) {
    out.added.clear();
    out.removed.clear();
    if old_port != new_port {
        ready(old, old_port, &mut out.removed);
        ready(new, new_port, &mut out.added);
    } else if let Some(port) = new_port {
        if std::ptr::eq(old, new) {
            return;
        }
        walk(old, new, port, out);
    }
    if out.added.len() + out.removed.len() > CANCEL_ABOVE {
        cancel(&mut out.added, &mut out.removed);
    }
}

/// Walks `old` and `new` together; every endpoint of each is either paired with one of the other at the same
/// address (and counted only if its readiness changed) or counted as removed or added.
fn walk(mut old: &[Endpoint], mut new: &[Endpoint], port: u16, out: &mut SliceDiff) {
    let one =
        |e: &Endpoint, into: &mut Vec<Target>| ready(std::slice::from_ref(e), Some(port), into);
    loop {
        let run = common_run(old, new);
        (old, new) = (&old[run..], &new[run..]);
        let (Some(o), Some(n)) = (old.first(), new.first()) else {
            break;
        };
        if o.same_address(n) {
            // Readiness changed in place.
            one(o, &mut out.removed);
            one(n, &mut out.added);
            (old, new) = (&old[1..], &new[1..]);
        } else if old.get(1).is_some_and(|next| next.same_address(n)) {
            // `o` left; what followed it moved up by one.
            one(o, &mut out.removed);
            old = &old[1..];
        } else if new.get(1).is_some_and(|next| o.same_address(next)) {
            // `n` arrived before `o`.
            one(n, &mut out.added);
            new = &new[1..];
        } else {
            one(o, &mut out.removed);
            one(n, &mut out.added);
            (old, new) = (&old[1..], &new[1..]);
        }
    }
    ready(old, Some(port), &mut out.removed);
    ready(new, Some(port), &mut out.added);
}

/// Bytes of endpoints compared at once (two vector compares on this class of machine).
const BLOCK: usize = 32;

/// How many endpoints two lists share from their start in the same target state. Whole blocks of equal bytes
/// are skipped first (most of a slice is unchanged); from the first block that differs the walk goes endpoint
/// by endpoint, where a change of zone or of `serving` alone does not end the run.
fn common_run(a: &[Endpoint], b: &[Endpoint]) -> usize {
    let (x, y): (&[u8], &[u8]) = (bytemuck::cast_slice(a), bytemuck::cast_slice(b));
    let pairs = x
        .as_chunks::<BLOCK>()
        .0
        .iter()
        .zip(y.as_chunks::<BLOCK>().0);
    let n = pairs.take_while(|(p, q)| p == q).count() * BLOCK / std::mem::size_of::<Endpoint>();
    n + a[n..]
        .iter()
        .zip(&b[n..])
        .take_while(|(p, q)| p.same_target_state(q))
        .count()
}

/// Appends the targets of the endpoints that want traffic, read on `port`.
fn ready(endpoints: &[Endpoint], port: Option<u16>, into: &mut Vec<Target>) {
    let Some(port) = port else { return };
    into.extend(
        endpoints
            .iter()
            .filter(|e| e.conditions().wants_traffic())
            .map(|e| Target {
                zone: e.zone(),
                ..Target::ip(e.addr(), port)
            }),
    );
}

/// Removes the occurrences both lists hold, one for one: an endpoint that only moved inside the slice.
fn cancel(a: &mut Vec<Target>, b: &mut Vec<Target>) {
    a.sort_unstable();
    b.sort_unstable();
    let (mut i, mut j, mut keep_a, mut keep_b) = (0, 0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Equal => {
                i += 1;
                j += 1;
            }
            Ordering::Less => {
                a[keep_a] = a[i];
                keep_a += 1;
                i += 1;
            }
            Ordering::Greater => {
                b[keep_b] = b[j];
                keep_b += 1;
                j += 1;
            }
        }
    }
    a.copy_within(i.., keep_a);
    b.copy_within(j.., keep_b);
    a.truncate(keep_a + (a.len() - i));
    b.truncate(keep_b + (b.len() - j));
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use proptest::prelude::*;

    use super::*;
    use crate::domain::Conditions;

    fn ep(n: u32, ready: bool) -> Endpoint {
        let conditions = if ready {
            Conditions::ready()
        } else {
            Conditions::terminating()
        };
        Endpoint::new(
            IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)),
            conditions,
            None,
        )
    }

    fn t(n: u32, port: u16) -> Target {
        Target::ip(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)), port)
    }

    fn diff(old: &[Endpoint], new: &[Endpoint], ports: (u16, u16)) -> (Vec<Target>, Vec<Target>) {
        let mut out = SliceDiff::default();
        slice_diff((old, Some(ports.0)), (new, Some(ports.1)), &mut out);
        out.added.sort();
        out.removed.sort();
        (out.added, out.removed)
    }

    #[test]
    fn an_update_in_place_yields_only_what_changed() {
        let old: Vec<_> = (0..100).map(|n| ep(n, n != 40)).collect();
        let new: Vec<_> = (0..100).map(|n| ep(n, n != 41)).collect();
        assert_eq!(
            diff(&old, &new, (80, 80)),
            (vec![t(40, 80)], vec![t(41, 80)])
        );
    }

    #[test]
    fn a_removal_in_the_middle_shifts_nothing_else() {
        let old: Vec<_> = (0..10).map(|n| ep(n, true)).collect();
        let new: Vec<_> = (0..10).filter(|&n| n != 3).map(|n| ep(n, true)).collect();
        assert_eq!(diff(&old, &new, (80, 80)), (vec![], vec![t(3, 80)]));
    }

    #[test]
    fn a_rolling_update_step_yields_only_what_changed() {
        // Pod 7 (terminating) leaves, pod 40 turns terminating, pod 100 arrives last.
        let old: Vec<_> = (0..100).map(|n| ep(n, n != 7)).collect();
        let new: Vec<_> = (0..101)
            .filter(|&n| n != 7)
            .map(|n| ep(n, n != 40))
            .collect();
        let mut out = SliceDiff::default();
        slice_diff((&old, Some(80)), (&new, Some(80)), &mut out);
        assert_eq!(
            (out.added, out.removed),
            (vec![t(100, 80)], vec![t(40, 80)])
        );
    }

    #[test]
    fn an_arrival_in_the_middle_shifts_nothing_else() {
        let old: Vec<_> = (0..50).filter(|&n| n != 20).map(|n| ep(n, true)).collect();
        let new: Vec<_> = (0..50).map(|n| ep(n, true)).collect();
        let mut out = SliceDiff::default();
        slice_diff((&old, Some(80)), (&new, Some(80)), &mut out);
        assert_eq!((out.added, out.removed), (vec![t(20, 80)], vec![]));
    }

    proptest! {
        #[test]
        fn the_diff_is_the_multiset_difference_of_ready_targets(
            old in prop::collection::vec((0u32..12, any::<bool>()), 0..40),
            edits in prop::collection::vec((0u8..3, 0usize..40, 0u32..12, any::<bool>()), 0..6),
        ) {
            let old: Vec<_> = old.into_iter().map(|(n, r)| ep(n, r)).collect();
            // Edits in place, as the EndpointSlice controller makes them, or anything else.
            let mut new = old.clone();
            for (kind, at, n, r) in edits {
                let at = at.min(new.len());
                match kind {
                    0 if at < new.len() => new[at] = ep(n, r),
                    1 => new.insert(at, ep(n, r)),
                    _ if at < new.len() => { new.remove(at); }
                    _ => {}
                }
            }
            let mut out = SliceDiff::default();
            slice_diff((&old, Some(80)), (&new, Some(80)), &mut out);
            let mut want = Vec::new();
            ready(&new, Some(80), &mut want);
            let mut have = Vec::new();
            ready(&old, Some(80), &mut have);
            // have - removed + added == want, as multisets.
            for r in &out.removed {
                let i = have.iter().position(|h| h == r).expect("removed a target the old slice had");
                have.swap_remove(i);
            }
            have.extend(out.added);
            have.sort();
            want.sort();
            prop_assert_eq!(have, want);
        }
    }

    #[test]
    fn a_reordered_slice_changes_nothing() {
        let old: Vec<_> = (0..20).map(|n| ep(n, true)).collect();
        let new: Vec<_> = (0..20).rev().map(|n| ep(n, true)).collect();
        assert_eq!(diff(&old, &new, (80, 80)), (vec![], vec![]));
    }

    #[test]
    fn a_new_port_moves_every_ready_target() {
        let eps: Vec<_> = (0..3).map(|n| ep(n, n != 1)).collect();
        assert_eq!(
            diff(&eps, &eps, (80, 81)),
            (vec![t(0, 81), t(2, 81)], vec![t(0, 80), t(2, 80)])
        );
    }

    #[test]
    fn duplicates_are_counted_as_occurrences() {
        let old = [ep(1, true), ep(1, true), ep(2, true)];
        let new = [ep(1, true), ep(2, true)];
        assert_eq!(diff(&old, &new, (80, 80)), (vec![], vec![t(1, 80)]));
    }
}
