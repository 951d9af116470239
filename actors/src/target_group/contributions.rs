use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::slice_diff::{slice_diff, SliceDiff};
use crate::domain::{Endpoint, EndpointSliceSnapshot, SliceKey, Target};

/// What one EndpointSlice last contributed: its endpoints as they came (shared with the snapshot) and the
/// port they were read on.
#[derive(Default)]
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
    /// One slice held inline: most Services have a single slice (up to 100 endpoints), and finding it then
    /// costs one key comparison instead of a hash probe into another allocation.
    first: Option<(SliceKey, SliceSource)>,
    /// Every other slice.
    slices: FxHashMap<SliceKey, SliceSource>,
    lists: FxHashMap<SliceKey, Vec<Target>>,
}

impl Contributions {
    /// Replaces one slice's contribution with the ready endpoints of `snap` on `port` and fills `out` with the
    /// occurrences added and removed. A snapshot with no endpoints forgets the slice.
    pub fn apply_slice(
        &mut self,
        snap: EndpointSliceSnapshot,
        port: Option<u16>,
        out: &mut SliceDiff,
    ) {
        let source = match &mut self.first {
            Some((key, source)) if *key == snap.key => Some(source),
            _ => self.slices.get_mut(&snap.key),
        };
        let source = match source {
            Some(s) => {
                slice_diff((&s.endpoints, s.port), (&snap.endpoints, port), out);
                s
            }
            None => {
                slice_diff((&[], port), (&snap.endpoints, port), out);
                if snap.endpoints.is_empty() {
                    return;
                }
                match &mut self.first {
                    None => {
                        &mut self
                            .first
                            .insert((snap.key.clone(), SliceSource::default()))
                            .1
                    }
                    Some(_) => self.slices.entry(snap.key.clone()).or_default(),
                }
            }
        };
        if snap.endpoints.is_empty() {
            self.forget(&snap.key);
        } else {
            source.endpoints = snap.endpoints;
            source.port = port;
        }
    }

    fn forget(&mut self, key: &SliceKey) {
        if self.first.as_ref().is_some_and(|(k, _)| k == key) {
            // Another slice moves inline, so a Service down to one slice again finds it there.
            let next = self.slices.keys().next().cloned();
            self.first = next.and_then(|k| self.slices.remove_entry(&k));
        } else {
            self.slices.remove(key);
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
