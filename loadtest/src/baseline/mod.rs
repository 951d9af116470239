//! The baseline: the AWS Load Balancer Controller's TargetGroupBinding reconciler, reproduced faithfully so
//! every ratio in a report is against the real thing, not a straw man.
//!
//! Where the real controller's behaviour was uncertain, the choice that makes the baseline faster or
//! cheaper was taken; each such place says so.

mod backoff;
mod checkpoint;
mod config;
mod limiter;
mod pod_conditions;
mod reconcile;
mod targets_cache;
mod work_queue;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{EndpointSliceSnapshot, SliceKey};
use tgsync_actors::elb::ElbTargets;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use backoff::{requeue_delay, sdk_delay};
pub use checkpoint::{checkpoint_of, Checkpoints};
pub use config::BaselineConfig;
pub use limiter::Limiter;
pub use pod_conditions::PodConditions;
pub use targets_cache::{CachedTargets, Lookup, TargetsCache};
pub use work_queue::WorkQueue;

use crate::rng::Rng;
use crate::runner::Strategy;
use crate::scenario::{Binding, Topology};

/// State shared by the reconcile workers (one thread: `RefCell`s are never held across an await).
pub(crate) struct State {
    pub(crate) config: BaselineConfig,
    pub(crate) readiness_gates: bool,
    pub(crate) bindings: Vec<Binding>,
    by_service: HashMap<Arc<str>, Vec<usize>>,
    pub(crate) slices: RefCell<HashMap<Arc<str>, HashMap<SliceKey, EndpointSliceSnapshot>>>,
    pub(crate) queue: WorkQueue<usize>,
    pub(crate) cache: RefCell<TargetsCache>,
    pub(crate) checkpoints: RefCell<Checkpoints>,
    pub(crate) conditions: RefCell<PodConditions>,
    /// The delaying queue's pending `AddAfter`s: one per key, the earliest.
    waiting: RefCell<HashMap<usize, Instant>>,
    pub(crate) register_limiter: RefCell<Limiter>,
    pub(crate) describe_limiter: RefCell<Limiter>,
    pub(crate) rng: RefCell<Rng>,
    failures: RefCell<HashMap<usize, u32>>,
    pub(crate) elb: Rc<dyn ElbTargets>,
}

/// The AWS Load Balancer Controller as a [`Strategy`]. Spawns its workers with `spawn_local`, so it must be
/// built inside a `LocalSet` (an actix System is one); dropping it stops them.
pub struct Baseline {
    state: Rc<State>,
    workers: Vec<JoinHandle<()>>,
}

impl Baseline {
    /// Starts the controller's workers for `topology`, calling `elb`.
    pub fn new(topology: &Topology, elb: Rc<dyn ElbTargets>, config: BaselineConfig) -> Self {
        let mut by_service: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        for (i, b) in topology.bindings.iter().enumerate() {
            by_service.entry(b.service.clone()).or_default().push(i);
        }
        let state = Rc::new(State {
            readiness_gates: topology.readiness_gates,
            bindings: topology.bindings.clone(),
            by_service,
            slices: RefCell::default(),
            queue: WorkQueue::default(),
            cache: RefCell::default(),
            checkpoints: RefCell::default(),
            conditions: RefCell::default(),
            waiting: RefCell::default(),
            register_limiter: RefCell::new(Limiter::new(
                config.register_limit.0,
                config.register_limit.1,
            )),
            describe_limiter: RefCell::new(Limiter::new(
                config.describe_limit.0,
                config.describe_limit.1,
            )),
            rng: RefCell::new(Rng::new(config.seed)),
            failures: RefCell::default(),
            elb,
            config,
        });
        let workers = (0..state.config.workers.max(1))
            .map(|_| tokio::task::spawn_local(worker(state.clone())))
            .collect();
        Baseline { state, workers }
    }

    /// Keys waiting or being reconciled (zero when the controller is idle).
    pub fn busy(&self) -> usize {
        self.state.queue.len() + self.state.queue.processing()
    }
}

impl Strategy for Baseline {
    fn name(&self) -> &'static str {
        "baseline"
    }

    /// The informer updates its cache, then the endpoints handler enqueues every binding of the Service.
    fn on_slice(&mut self, snapshot: EndpointSliceSnapshot) {
        let service = snapshot.service.clone();
        {
            let mut slices = self.state.slices.borrow_mut();
            let of_service = slices.entry(service.clone()).or_default();
            if snapshot.endpoints.is_empty() {
                of_service.remove(&snapshot.key);
            } else {
                of_service.insert(snapshot.key.clone(), snapshot);
            }
        }
        for &i in self.state.by_service.get(&service).into_iter().flatten() {
            self.state.queue.add(i);
        }
    }

    /// With gates, the pod watch (v3.4 onward) enqueues the bindings a pod's gates name, on every update.
    fn on_pod_update(&mut self, service: &Arc<str>) {
        if !self.state.readiness_gates {
            return;
        }
        for &i in self.state.by_service.get(service).into_iter().flatten() {
            self.state.queue.add(i);
        }
    }

    /// The targets cache ages (an entry older than its TTL is read in full again) and the client-side
    /// limiters refill; checkpoints are annotations, so they stay.
    fn idle(&mut self, quiet: Duration) {
        self.state.cache.borrow_mut().idle(quiet);
        self.state.register_limiter.borrow_mut().idle(quiet);
        self.state.describe_limiter.borrow_mut().idle(quiet);
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        self.state.queue.shut_down();
        for w in &self.workers {
            w.abort();
        }
    }
}

/// One of the `MaxConcurrentReconciles` goroutines.
async fn worker(state: Rc<State>) {
    while let Some(key) = state.queue.get().await {
        match reconcile::reconcile(&state, key).await {
            Ok(requeue) => {
                state.failures.borrow_mut().remove(&key);
                if let Some(after) = requeue {
                    add_after(&state, key, after);
                }
            }
            Err(error) => {
                tracing::debug!(binding = key, %error, "baseline reconcile failed");
                let n = {
                    let mut f = state.failures.borrow_mut();
                    let n = f.entry(key).or_insert(0);
                    *n += 1;
                    *n - 1
                };
                // The controller gives its queue this per-key limiter alone: no overall 10/s bucket.
                let delay = requeue_delay(n, state.config.requeue_base, state.config.requeue_max);
                add_after(&state, key, delay);
            }
        }
        state.queue.done(&key);
    }
}

/// The delaying queue's `AddAfter`: a key already waiting keeps the earlier of its two times, as
/// client-go's and controller-runtime's queues do. Holds the state weakly so a dropped baseline's timers do
/// nothing.
fn add_after(state: &Rc<State>, key: usize, after: Duration) {
    let at = Instant::now() + after;
    {
        let mut waiting = state.waiting.borrow_mut();
        if waiting.get(&key).is_some_and(|&w| w <= at) {
            return;
        }
        waiting.insert(key, at);
    }
    let weak: Weak<State> = Rc::downgrade(state);
    tokio::task::spawn_local(async move {
        tokio::time::sleep_until(at).await;
        if let Some(s) = weak.upgrade() {
            // A later timer of a key that an earlier one already released finds nothing to do.
            if s.waiting.borrow().get(&key) == Some(&at) {
                s.waiting.borrow_mut().remove(&key);
                s.queue.add(key);
            }
        }
    });
}

#[cfg(test)]
mod tests;
