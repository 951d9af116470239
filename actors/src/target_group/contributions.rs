use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::slice_diff::{slice_diff, SliceDiff};
use crate::domain::{Endpoint, EndpointSliceSnapshot, SliceKey, Target};

/// What one EndpointSlice last contributed: its endpoints as they came (shared with the snapshot) and the
/// port they were read on.
struct SliceSource {
    endpoints: Arc<[Endpoint]>,
    port: Option<u16>,
}

/// What each source (an EndpointSlice, or the node list in instance mode) last contributed, so a new snapshot
/// yields only the occurrences of ready targets it adds and removes, at O(what changed in it).
///
/// Occurrences, not targets: an address listed twice in one slice is added twice, so whoever counts them
/// (the target table) keeps it wanted when one copy goes, and an endpoint moving between slices nets out.
#[derive(Default)]
pub(crate) struct Contributions {
    slices: FxHashMap<SliceKey, SliceSource>,
    lists: FxHashMap<SliceKey, Vec<Target>>,
}

impl Contributions {
    /// Replaces one slice's contribution with the ready endpoints of `snap` on `port` and fills `out` with the
    /// occurrences added and removed. A snapshot with no endpoints forgets the slice.
    pub fn apply_slice(
        &mut self,
        snap: &EndpointSliceSnapshot,
        port: Option<u16>,
        out: &mut SliceDiff,
    ) {
        let forget = match self.slices.get_mut(&snap.key) {
            Some(s) => {
                slice_diff((&s.endpoints, s.port), (&snap.endpoints, port), out);
                s.endpoints = snap.endpoints.clone();
                s.port = port;
                snap.endpoints.is_empty()
            }
            None => {
                slice_diff((&[], port), (&snap.endpoints, port), out);
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
    }

    /// Replaces one non-slice source's targets with `next` (any order, duplicates allowed: a source lists a
    /// target once) and fills `out` with the targets added and removed.
    pub fn replace(&mut self, key: &SliceKey, mut next: Vec<Target>, out: &mut SliceDiff) {
        next.sort_unstable();
        next.dedup();
        let old = self.lists.remove(key).unwrap_or_default();
        let SliceDiff { added, removed } = out;
        added.clear();
        removed.clear();
        added.extend(next.iter().filter(|t| old.binary_search(t).is_err()));
        removed.extend(old.iter().filter(|t| next.binary_search(t).is_err()));
        if !next.is_empty() {
            self.lists.insert(key.clone(), next);
        }
    }
}
