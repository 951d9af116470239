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
/// The EndpointSlice controller keeps endpoints in place and appends new ones, so a rolling update changes
/// a slice in one or two spots: the common head and tail are skipped as memory, a block at a time, and only
/// the middle is looked at endpoint by endpoint.
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
        let head = common_run(old.iter(), new.iter(), equal_bytes(old, new, false));
        let (old, new) = (&old[head..], &new[head..]);
        let tail = common_run(
            old.iter().rev(),
            new.iter().rev(),
            equal_bytes(old, new, true),
        );
        let (old, new) = (&old[..old.len() - tail], &new[..new.len() - tail]);
        if old.len() == new.len() {
            for (o, n) in old.iter().zip(new) {
                // A change of zone or of `serving` alone moves no target.
                if o.same_target_state(n) {
                    continue;
                }
                ready(std::slice::from_ref(o), Some(port), &mut out.removed);
                ready(std::slice::from_ref(n), Some(port), &mut out.added);
            }
        } else {
            ready(old, Some(port), &mut out.removed);
            ready(new, Some(port), &mut out.added);
        }
    }
    if out.added.len() + out.removed.len() > CANCEL_ABOVE {
        cancel(&mut out.added, &mut out.removed);
    }
}

/// Bytes of endpoints compared at once (two vector compares on this class of machine).
const BLOCK: usize = 32;

/// How many bytes two endpoint lists share from their start (`from_end`: from their end), counted in whole
/// blocks: a rolling update changes a slice in one or two spots, and memory compares skip the rest.
fn equal_bytes(a: &[Endpoint], b: &[Endpoint], from_end: bool) -> usize {
    let (a, b): (&[u8], &[u8]) = (bytemuck::cast_slice(a), bytemuck::cast_slice(b));
    let blocks = if from_end {
        let (ra, rb) = (a.as_rchunks::<BLOCK>().1, b.as_rchunks::<BLOCK>().1);
        let pairs = ra.iter().rev().zip(rb.iter().rev());
        pairs.take_while(|(x, y)| x == y).count()
    } else {
        let pairs = a
            .as_chunks::<BLOCK>()
            .0
            .iter()
            .zip(b.as_chunks::<BLOCK>().0);
        pairs.take_while(|(x, y)| x == y).count()
    };
    blocks * BLOCK
}

/// How many endpoints two sequences share from their start, given that their first `bytes` are equal: the
/// rest is walked endpoint by endpoint, where a change of zone or of `serving` alone does not end it.
fn common_run<'a>(
    a: impl Iterator<Item = &'a Endpoint>,
    b: impl Iterator<Item = &'a Endpoint>,
    bytes: usize,
) -> usize {
    let n = bytes / std::mem::size_of::<Endpoint>();
    n + a
        .skip(n)
        .zip(b.skip(n))
        .take_while(|(x, y)| x.same_target_state(y))
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
