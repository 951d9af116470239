//! The desired target set of every target group as slice snapshots arrive, and its transitions.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rustc_hash::{FxHashMap, FxHashSet};
use tgsync_actors::domain::{
    Action, EndpointSliceSnapshot, SliceKey, Target, TargetGroupKey, TargetId,
};

use super::{Binding, Topology};

/// A target entering (`Register`) or leaving (`Deregister`) a target group's desired set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// When, from the scenario's start.
    pub at: Duration,
    /// The target group.
    pub tg: TargetGroupKey,
    /// The target.
    pub target: Target,
    /// Which call would apply it.
    pub action: Action,
    /// A removal caused by the endpoint turning terminating (rather than going not-ready or vanishing).
    pub terminating: bool,
}

/// Desired sets by binding: the union of ready, non-terminating endpoints × the binding's target port.
/// Incremental: a snapshot costs the size of that slice, counting each target once per slice holding it.
pub struct DesiredTracker {
    bindings: Vec<Binding>,
    by_service: HashMap<Arc<str>, Vec<usize>>,
    /// Per binding: what each slice contributes, and how many slices contribute each target.
    contributions: Vec<FxHashMap<SliceKey, FxHashSet<Target>>>,
    refcounts: Vec<FxHashMap<Target, u32>>,
}

impl DesiredTracker {
    /// Empty desired sets for every binding.
    pub fn new(topology: &Topology) -> Self {
        let mut by_service: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        for (i, b) in topology.bindings.iter().enumerate() {
            by_service.entry(b.service.clone()).or_default().push(i);
        }
        let n = topology.bindings.len();
        DesiredTracker {
            bindings: topology.bindings.clone(),
            by_service,
            contributions: vec![FxHashMap::default(); n],
            refcounts: vec![FxHashMap::default(); n],
        }
    }

    /// Takes in a snapshot (empty = slice deleted) and returns the transitions it causes.
    pub fn apply(&mut self, at: Duration, snap: &EndpointSliceSnapshot) -> Vec<Transition> {
        let Some(bound) = self.by_service.get(&snap.service) else {
            return Vec::new();
        };
        // A target leaves because its endpoint turned terminating in this very snapshot.
        let terminating: FxHashSet<IpAddr> = snap
            .endpoints
            .iter()
            .filter(|e| e.conditions().is_terminating())
            .map(|e| e.addr())
            .collect();
        let mut out = Vec::new();
        for &i in bound {
            let b = &self.bindings[i];
            let now = desired_of(std::iter::once(snap), b);
            let before = if now.is_empty() {
                self.contributions[i].remove(&snap.key)
            } else {
                self.contributions[i].insert(snap.key.clone(), now.clone())
            }
            .unwrap_or_default();
            let counts = &mut self.refcounts[i];
            for t in now.difference(&before) {
                let c = counts.entry(*t).or_insert(0);
                *c += 1;
                if *c == 1 {
                    out.push(Transition {
                        at,
                        tg: b.tg.clone(),
                        target: *t,
                        action: Action::Register,
                        terminating: false,
                    });
                }
            }
            for t in before.difference(&now) {
                let Some(c) = counts.get_mut(t) else { continue };
                *c -= 1;
                if *c == 0 {
                    counts.remove(t);
                    let term = matches!(t.id, TargetId::Ip(ip) if terminating.contains(&ip));
                    out.push(Transition {
                        at,
                        tg: b.tg.clone(),
                        target: *t,
                        action: Action::Deregister,
                        terminating: term,
                    });
                }
            }
        }
        out
    }

    /// The current desired set of every target group.
    pub fn desired(&self) -> HashMap<TargetGroupKey, HashSet<Target>> {
        self.bindings
            .iter()
            .zip(&self.refcounts)
            .map(|(b, d)| (b.tg.clone(), d.keys().copied().collect()))
            .collect()
    }
}

/// What a binding wants from a service's slices.
pub(crate) fn desired_of<'a>(
    slices: impl Iterator<Item = &'a EndpointSliceSnapshot>,
    b: &Binding,
) -> FxHashSet<Target> {
    let mut out = FxHashSet::default();
    for s in slices {
        let Some(port) = s.port_for(b.port_name.as_deref()) else {
            continue;
        };
        out.extend(
            s.endpoints
                .iter()
                .filter(|e| e.conditions().wants_traffic())
                .map(|e| Target {
                    zone: e.zone(),
                    ..Target::ip(e.addr(), port)
                }),
        );
    }
    out
}
