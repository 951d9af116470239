use std::cmp::Ordering;

use crate::domain::{Endpoint, Target};

/// Above this many changed occurrences, equal ones are paired off before anyone counts them.
const CANCEL_ABOVE: usize = 8;

/// What a slice update added and removed, as occurrences of ready targets. Kept between updates so the
/// lists cost no allocation.
#[derive(Default)]
pub(crate) struct SliceDiff {
    pub added: Vec<Target>,
    pub removed: Vec<Target>,
}

impl SliceDiff {
    /// The lists, to be drained by whoever counts them.
    pub fn changes(&mut self) -> Changes<'_> {
        Changes {
            added: &mut self.added,
            removed: &mut self.removed,
        }
    }
}

/// Occurrences of ready targets a source update added and removed. Count the added ones first: a target that
/// only moved then never touches zero.
pub(crate) struct Changes<'a> {
    /// Occurrences added.
    pub added: &'a mut Vec<Target>,
    /// Occurrences removed.
    pub removed: &'a mut Vec<Target>,
}

/// Fills `out` with the ready targets `new` has and `old` lacks (added) and the reverse (removed), counted
/// as multisets, each side read on its own port (`None`: the slice does not carry the port, so nothing).
///
/// The EndpointSlice controller keeps endpoints in place and appends new ones, so a rolling update changes
/// a slice in one or two spots: the common head and tail are skipped with plain comparisons, and only the
/// middle is looked at endpoint by endpoint.
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
        let head = old.iter().zip(new).take_while(|(a, b)| same(a, b)).count();
        let (old, new) = (&old[head..], &new[head..]);
        let tail = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take_while(|(a, b)| same(a, b))
            .count();
        let (old, new) = (&old[..old.len() - tail], &new[..new.len() - tail]);
        if old.len() == new.len() {
            for (o, n) in old.iter().zip(new) {
                // A change of zone or of `serving` alone moves no target.
                if o.addr == n.addr && o.conditions.wants_traffic() == n.conditions.wants_traffic()
                {
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

/// Whether two endpoints stand for the same target in the same state. A change of zone or of `serving` alone
/// moves no target (ELB knows a target by address and port; the zone only matters when registering).
#[inline]
fn same(a: &Endpoint, b: &Endpoint) -> bool {
    a.addr == b.addr && a.conditions.wants_traffic() == b.conditions.wants_traffic()
}

/// Appends the targets of the endpoints that want traffic, read on `port`.
fn ready(endpoints: &[Endpoint], port: Option<u16>, into: &mut Vec<Target>) {
    let Some(port) = port else { return };
    into.extend(
        endpoints
            .iter()
            .filter(|e| e.conditions.wants_traffic())
            .map(|e| Target {
                zone: e.zone,
                ..Target::ip(e.addr, port)
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
        Endpoint {
            addr: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)),
            conditions: if ready {
                Conditions::ready()
            } else {
                Conditions::terminating()
            },
            zone: None,
        }
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
