//! The desired target set of every target group as slice snapshots arrive, and its transitions.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{Action, EndpointSliceSnapshot, SliceKey, Target, TargetGroupKey};

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
pub struct DesiredTracker {
    bindings: Vec<Binding>,
    by_service: HashMap<Arc<str>, Vec<usize>>,
    slices: HashMap<Arc<str>, HashMap<SliceKey, EndpointSliceSnapshot>>,
    desired: Vec<HashSet<Target>>,
}

impl DesiredTracker {
    /// Empty desired sets for every binding.
    pub fn new(topology: &Topology) -> Self {
        let mut by_service: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        for (i, b) in topology.bindings.iter().enumerate() {
            by_service.entry(b.service.clone()).or_default().push(i);
        }
        DesiredTracker {
            bindings: topology.bindings.clone(),
            by_service,
            slices: HashMap::new(),
            desired: vec![HashSet::new(); topology.bindings.len()],
        }
    }

    /// Takes in a snapshot (empty = slice deleted) and returns the transitions it causes.
    pub fn apply(&mut self, at: Duration, snap: &EndpointSliceSnapshot) -> Vec<Transition> {
        let slices = self.slices.entry(snap.service.clone()).or_default();
        if snap.endpoints.is_empty() {
            slices.remove(&snap.key);
        } else {
            slices.insert(snap.key.clone(), snap.clone());
        }
        let Some(bound) = self.by_service.get(&snap.service) else {
            return Vec::new();
        };
        let terminating: HashSet<IpAddr> = slices
            .values()
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.conditions.is_terminating())
            .map(|e| e.addr)
            .collect();
        let mut out = Vec::new();
        for &i in bound {
            let b = &self.bindings[i];
            let now = desired_of(slices.values(), b);
            let before = &self.desired[i];
            for t in now.difference(before) {
                out.push(Transition {
                    at,
                    tg: b.tg.clone(),
                    target: *t,
                    action: Action::Register,
                    terminating: false,
                });
            }
            for t in before.difference(&now) {
                let tgsync_actors::domain::TargetId::Ip(ip) = t.id else {
                    continue;
                };
                out.push(Transition {
                    at,
                    tg: b.tg.clone(),
                    target: *t,
                    action: Action::Deregister,
                    terminating: terminating.contains(&ip),
                });
            }
            self.desired[i] = now;
        }
        out
    }

    /// The current desired set of every target group.
    pub fn desired(&self) -> HashMap<TargetGroupKey, HashSet<Target>> {
        self.bindings
            .iter()
            .zip(&self.desired)
            .map(|(b, d)| (b.tg.clone(), d.clone()))
            .collect()
    }
}

/// What a binding wants from a service's slices.
pub(crate) fn desired_of<'a>(
    slices: impl Iterator<Item = &'a EndpointSliceSnapshot>,
    b: &Binding,
) -> HashSet<Target> {
    let mut out = HashSet::new();
    for s in slices {
        let Some(port) = s.port_for(b.port_name.as_deref()) else {
            continue;
        };
        out.extend(
            s.endpoints
                .iter()
                .filter(|e| e.conditions.wants_traffic())
                .map(|e| Target {
                    zone: e.zone,
                    ..Target::ip(e.addr, port)
                }),
        );
    }
    out
}
