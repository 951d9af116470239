use rustc_hash::FxHashMap;

use crate::domain::{Delta, EndpointSliceSnapshot, SliceKey, Target};

/// What each source (an EndpointSlice, or the node list in instance mode) last contributed, and a refcount per
/// target across sources, so a new snapshot costs O(its own size) and an endpoint moving between slices
/// changes nothing.
#[derive(Default)]
pub struct Contributions {
    sources: FxHashMap<SliceKey, Vec<Target>>,
    refcount: FxHashMap<Target, u32>,
    scratch: Vec<Target>,
}

impl Contributions {
    /// Replaces one source's targets with the ready endpoints of `snap` on `port`, calling `on_delta` for
    /// every target that enters or leaves the union.
    pub fn apply_slice(
        &mut self,
        snap: &EndpointSliceSnapshot,
        port: Option<u16>,
        on_delta: impl FnMut(Delta),
    ) {
        let mut next = std::mem::take(&mut self.scratch);
        next.clear();
        if let Some(port) = port {
            next.extend(
                snap.endpoints
                    .iter()
                    .filter(|e| e.conditions.wants_traffic())
                    .map(|e| {
                        let mut t = Target::ip(e.addr, port);
                        t.zone = e.zone;
                        t
                    }),
            );
        }
        self.replace(&snap.key, next, on_delta);
    }

    /// Replaces one source's targets with `next` (any order, duplicates allowed).
    pub fn replace(
        &mut self,
        key: &SliceKey,
        mut next: Vec<Target>,
        mut on_delta: impl FnMut(Delta),
    ) {
        // The stable sort finds sorted runs, so a slice that changed in two places sorts in near-linear time.
        if !next.is_sorted() {
            next.sort();
        }
        next.dedup();
        let refcount = &mut self.refcount;
        let mut emit = |t: Target, added: bool| {
            if added {
                let c = refcount.entry(t).or_insert(0);
                *c += 1;
                if *c == 1 {
                    on_delta(Delta::Add(t));
                }
            } else if let Some(c) = refcount.get_mut(&t) {
                *c -= 1;
                if *c == 0 {
                    refcount.remove(&t);
                    on_delta(Delta::Remove(t));
                }
            }
        };
        let emptied = next.is_empty();
        let mut spare = match self.sources.get_mut(key) {
            Some(old) => {
                merge_diff(old, &next, &mut emit);
                std::mem::swap(old, &mut next);
                next
            }
            None => {
                merge_diff(&[], &next, &mut emit);
                if !emptied {
                    self.sources.insert(key.clone(), next);
                }
                Vec::new()
            }
        };
        if emptied {
            // A source with nothing left is forgotten, so deleted slices do not pile up.
            if let Some(v) = self.sources.remove(key) {
                spare = v;
            }
        }
        spare.clear();
        self.scratch = spare;
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

/// Walks two sorted lists once, reporting what only `new` has (`true`) and what only `old` has (`false`).
fn merge_diff(old: &[Target], new: &[Target], emit: &mut impl FnMut(Target, bool)) {
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        match old[i].cmp(&new[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                emit(old[i], false);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                emit(new[j], true);
                j += 1;
            }
        }
    }
    old[i..].iter().for_each(|&t| emit(t, false));
    new[j..].iter().for_each(|&t| emit(t, true));
}
