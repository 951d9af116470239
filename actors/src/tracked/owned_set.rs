//! A target group's owned targets as a sorted vector: 24 bytes a target, where a hash set of 1,000 targets
//! takes 2,048 buckets. It changes once per successful call (a few hundred times a second across all groups),
//! so a shift or a merge per change costs little.

use crate::domain::{Target, TargetId};

/// Sorted, without duplicates (by `Target`'s identity: id and port).
#[derive(Clone, Debug, Default)]
pub struct OwnedSet(Vec<Target>);

/// Up to this many targets a change goes in one by one; more are merged.
const ONE_BY_ONE: usize = 8;

impl OwnedSet {
    /// Adds `targets`; one already present keeps its entry.
    pub fn extend(&mut self, targets: impl IntoIterator<Item = Target>) {
        let before = self.0.len();
        self.0.extend(targets);
        if self.0.len() - before <= ONE_BY_ONE {
            for t in self.0.split_off(before) {
                if let Err(i) = self.0.binary_search(&t) {
                    self.0.insert(i, t);
                }
            }
        } else {
            // Stable, so an entry already present stays ahead of its copy and dedup keeps it.
            self.0.sort();
            self.0.dedup();
        }
    }

    /// Removes `targets`.
    pub fn remove_all(&mut self, targets: &[Target]) {
        if targets.len() <= ONE_BY_ONE {
            for t in targets {
                if let Ok(i) = self.0.binary_search(t) {
                    self.0.remove(i);
                }
            }
        } else {
            let mut gone = targets.to_vec();
            gone.sort_unstable();
            self.0.retain(|t| gone.binary_search(t).is_err());
        }
        // A rolling update doubles a group for a while: give the room back once it is over.
        if self.0.capacity() > 2 * self.0.len() + 16 {
            self.0.shrink_to_fit();
        }
    }

    /// The targets, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Target> {
        self.0.iter()
    }

    /// Whether a target of `id` is in the set, on any port.
    pub fn holds_id(&self, id: TargetId) -> bool {
        let i = self.0.partition_point(|t| t.id < id);
        self.0.get(i).is_some_and(|t| t.id == id)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a OwnedSet {
    type Item = &'a Target;
    type IntoIter = std::slice::Iter<'a, Target>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn t(n: u16) -> Target {
        Target::ip(std::net::IpAddr::from([10, 0, (n >> 8) as u8, n as u8]), 80)
    }

    #[test]
    fn holds_an_id_on_any_port() {
        let mut set = OwnedSet::default();
        let a = std::net::IpAddr::from([10, 0, 0, 2]);
        set.extend([t(1), Target::ip(a, 8080), t(3)]);
        assert!(set.holds_id(TargetId::Ip(a)));
        assert!(set.holds_id(t(1).id));
        assert!(!set.holds_id(TargetId::Ip(std::net::IpAddr::from([10, 0, 0, 4]))));
    }

    proptest! {
        #[test]
        fn behaves_as_a_set(ops in prop::collection::vec((any::<bool>(), prop::collection::vec(0u16..300, 0..40)), 0..40)) {
            let (mut set, mut model) = (OwnedSet::default(), BTreeSet::new());
            for (add, ns) in ops {
                let ts: Vec<Target> = ns.iter().map(|&n| t(n)).collect();
                if add {
                    set.extend(ts.iter().copied());
                    model.extend(ts);
                } else {
                    set.remove_all(&ts);
                    for x in &ts {
                        model.remove(x);
                    }
                }
                let got: Vec<Target> = set.iter().copied().collect();
                let want: Vec<Target> = model.iter().copied().collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
