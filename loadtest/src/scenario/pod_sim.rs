//! A discrete-event pod lifecycle: pods appear, turn ready, terminate and go, and every instant's changes
//! become slice snapshots stamped with that instant.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{Conditions, EndpointSliceSnapshot};

use super::cluster::{Cluster, ServiceId};
use crate::rng::Rng;

/// What happens to a pod (or, for `Wake`, to the scenario's own controller).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ev {
    /// The pod has an IP: its endpoint appears, not ready.
    Appear(ServiceId, IpAddr),
    /// Containers ready.
    Ready(ServiceId, IpAddr),
    /// Deleted: the endpoint turns terminating.
    Terminate(ServiceId, IpAddr),
    /// Gone: the endpoint leaves its slice.
    Remove(ServiceId, IpAddr),
    /// A change to the pod that no slice shows (created, bound to a node).
    Updated(ServiceId),
    /// A timer of the scenario's own (e.g. a deployment starting to roll), with its tag.
    Wake(usize),
}

/// The event queue and the cluster it drives.
pub(crate) struct PodSim {
    pub(crate) cluster: Cluster,
    pub(crate) rng: Rng,
    heap: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    now_ms: u64,
    initial: Vec<EndpointSliceSnapshot>,
    events: Vec<(Duration, EndpointSliceSnapshot)>,
    /// Record pod updates (pods carry readiness gates, so their updates reach the AWS controller).
    pub(crate) gated: bool,
    pod_updates: Vec<(Duration, Arc<str>)>,
}

/// What a scenario produced: the slices at the start, their changes, and the updates of gated pods.
pub(crate) struct Timeline {
    pub(crate) initial: Vec<EndpointSliceSnapshot>,
    pub(crate) events: Vec<(Duration, EndpointSliceSnapshot)>,
    pub(crate) pod_updates: Vec<(Duration, Arc<str>)>,
}

/// How long after creation a pod's IP shows up in its slice (scheduling plus sandbox), capped by readiness.
const APPEAR_MS: u64 = 1000;
/// How long after creation the scheduler binds a pod to a node (fixed, so gates draw nothing from the seed).
const BIND_MS: u64 = 10;

impl PodSim {
    pub(crate) fn new(seed: u64) -> Self {
        PodSim {
            cluster: Cluster::new(),
            rng: Rng::new(seed),
            heap: BinaryHeap::new(),
            seq: 0,
            now_ms: 0,
            initial: Vec::new(),
            events: Vec::new(),
            gated: false,
            pod_updates: Vec::new(),
        }
    }

    /// A pod running and ready before the scenario starts.
    pub(crate) fn existing_pod(&mut self, svc: ServiceId) -> IpAddr {
        let ip = self.cluster.alloc_ip();
        self.cluster.add_endpoint(svc, ip, Conditions::ready());
        ip
    }

    /// Freezes the current slices as the scenario's starting state.
    pub(crate) fn mark_initial(&mut self) {
        self.cluster.flush();
        self.initial = self.cluster.all_slices();
    }

    pub(crate) fn schedule(&mut self, at_ms: u64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Reverse((at_ms, self.seq, ev)));
    }

    /// A new pod created at `at_ms`, ready `ready_ms` later. Returns its IP.
    pub(crate) fn start_pod(&mut self, svc: ServiceId, at_ms: u64, ready_ms: u64) -> IpAddr {
        if self.gated {
            self.schedule(at_ms, Ev::Updated(svc));
            self.schedule(at_ms + BIND_MS.min(ready_ms / 4), Ev::Updated(svc));
        }
        let ip = self.cluster.alloc_ip();
        self.schedule(at_ms + APPEAR_MS.min(ready_ms / 2), Ev::Appear(svc, ip));
        self.schedule(at_ms + ready_ms, Ev::Ready(svc, ip));
        ip
    }

    /// Deletes a pod at `at_ms`; it leaves its slice `gone_ms` later.
    pub(crate) fn stop_pod(&mut self, svc: ServiceId, ip: IpAddr, at_ms: u64, gone_ms: u64) {
        self.schedule(at_ms, Ev::Terminate(svc, ip));
        self.schedule(at_ms + gone_ms.max(1), Ev::Remove(svc, ip));
    }

    /// The next event, already applied to the slices; changes of an earlier instant are flushed first.
    pub(crate) fn next(&mut self) -> Option<(u64, Ev)> {
        let Reverse((at, _, ev)) = self.heap.pop()?;
        if at > self.now_ms {
            self.flush();
            self.now_ms = at;
        }
        if self.gated {
            let svc = match ev {
                Ev::Appear(s, _)
                | Ev::Ready(s, _)
                | Ev::Terminate(s, _)
                | Ev::Remove(s, _)
                | Ev::Updated(s) => Some(s),
                Ev::Wake(_) => None,
            };
            if let Some(s) = svc {
                let name = self.cluster.service_name(s);
                self.pod_updates.push((Duration::from_millis(at), name));
            }
        }
        match ev {
            Ev::Appear(s, ip) => {
                self.cluster
                    .add_endpoint(s, ip, Conditions::new(false, false, false))
            }
            Ev::Ready(s, ip) => self.cluster.set_conditions(s, ip, Conditions::ready()),
            Ev::Terminate(s, ip) => self
                .cluster
                .set_conditions(s, ip, Conditions::terminating()),
            Ev::Remove(s, ip) => self.cluster.remove_endpoint(s, ip),
            Ev::Updated(_) | Ev::Wake(_) => {}
        }
        Some((at, ev))
    }

    /// Runs to the end without a scenario reacting to events.
    pub(crate) fn drain(&mut self) {
        while self.next().is_some() {}
    }

    fn flush(&mut self) {
        let at = Duration::from_millis(self.now_ms);
        let snaps = self.cluster.flush();
        self.events.extend(snaps.into_iter().map(|s| (at, s)));
    }

    /// The starting slices and the timeline.
    pub(crate) fn finish(mut self) -> Timeline {
        self.drain();
        self.flush();
        Timeline {
            initial: self.initial,
            events: self.events,
            pod_updates: self.pod_updates,
        }
    }
}
