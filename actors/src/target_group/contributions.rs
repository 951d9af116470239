use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::slice_diff::{slice_diff, SliceDiff};
use crate::domain::{Delta, Endpoint, EndpointSliceSnapshot, SliceKey, Target};

/// What one EndpointSlice last contributed: its endpoints as they came (shared with the snapshot) and the
/// port they were read on.
struct SliceSource {
    endpoints: Arc<[Endpoint]>,
    port: Option<u16>,
}

/// What each source (an EndpointSlice, or the node list in instance mode) last contributed, and a count per
/// target across sources, so a new snapshot costs O(what changed in it) and an endpoint moving between
/// slices changes nothing.
///
/// The count is of occurrences: an address listed twice in one slice counts twice, so removing one copy
/// leaves the target wanted. A target is wanted while its count is above zero.
#[derive(Default)]
pub struct Contributions {
    slices: FxHashMap<SliceKey, SliceSource>,
    lists: FxHashMap<SliceKey, Vec<Target>>,
    refcount: FxHashMap<Target, u32>,
    diff: SliceDiff,
}

impl Contributions {
    /// Replaces one slice's contribution with the ready endpoints of `snap` on `port`, calling `on_delta` for
    /// every target that enters or leaves the union. A snapshot with no endpoints forgets the slice.
    pub fn apply_slice(
        &mut self,
        snap: &EndpointSliceSnapshot,
        port: Option<u16>,
        mut on_delta: impl FnMut(Delta),
    ) {
        let forget = match self.slices.get_mut(&snap.key) {
            Some(s) => {
                slice_diff(
                    (&s.endpoints, s.port),
                    (&snap.endpoints, port),
                    &mut self.diff,
                );
                s.endpoints = snap.endpoints.clone();
                s.port = port;
                snap.endpoints.is_empty()
            }
            None => {
                slice_diff((&[], port), (&snap.endpoints, port), &mut self.diff);
                if !snap.endpoints.is_empty() {
                    let source = SliceSource {
                        endpoints: snap.endpoints.clone(),
                        port,
                    };
                    self.slices.insert(snap.key.clone(), source);
                }
                false
            }
        };
        if forget {
            self.slices.remove(&snap.key);
        }
        let SliceDiff { added, removed } = &mut self.diff;
        count(&mut self.refcount, added, removed, &mut on_delta);
    }

    /// Replaces one non-slice source's targets with `next` (any order, duplicates allowed).
    pub fn replace(
        &mut self,
        key: &SliceKey,
        mut next: Vec<Target>,
        mut on_delta: impl FnMut(Delta),
    ) {
        next.sort_unstable();
        next.dedup();
        let old = self.lists.remove(key).unwrap_or_default();
        let mut added: Vec<Target> = next
            .iter()
            .filter(|t| old.binary_search(t).is_err())
            .copied()
            .collect();
        let mut removed: Vec<Target> = old
            .iter()
            .filter(|t| next.binary_search(t).is_err())
            .copied()
            .collect();
        if !next.is_empty() {
            self.lists.insert(key.clone(), next);
        }
        count(&mut self.refcount, &mut added, &mut removed, &mut on_delta);
    }

    /// Whether `t` is wanted by any source.
    pub fn contains(&self, t: &Target) -> bool {
        self.refcount.contains_key(t)
    }

    /// The union of all sources.
    pub fn desired(&self) -> impl Iterator<Item = &Target> {
        self.refcount.keys()
    }

    /// How many distinct targets are wanted.
    pub fn len(&self) -> usize {
        self.refcount.len()
    }

    /// Whether nothing is wanted.
    pub fn is_empty(&self) -> bool {
        self.refcount.is_empty()
    }
}

/// Counts `added` up and then `removed` down (draining both), reporting targets whose count leaves or reaches
/// zero. Counting up first means a target that only moved never touches zero, so it causes no delta.
fn count(
    refcount: &mut FxHashMap<Target, u32>,
    added: &mut Vec<Target>,
    removed: &mut Vec<Target>,
    on_delta: &mut impl FnMut(Delta),
) {
    for t in added.drain(..) {
        let c = refcount.entry(t).or_insert(0);
        *c += 1;
        if *c == 1 {
            on_delta(Delta::Add(t));
        }
    }
    for t in removed.drain(..) {
        if let Some(c) = refcount.get_mut(&t) {
            *c -= 1;
            if *c == 0 {
                refcount.remove(&t);
                on_delta(Delta::Remove(t));
            }
        }
    }
}
