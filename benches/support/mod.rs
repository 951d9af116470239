//! Shared pieces of the benches: the churn model, an ELB that answers at once, and a paused actix runtime.
#![allow(dead_code)] // each bench uses a different part

pub mod fake_apiserver;

use std::cell::{Cell, RefCell};
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rustc_hash::{FxHashMap, FxHashSet};
use tgsync_actors::domain::{
    AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort, Target, TargetGroupKey,
};
use tgsync_actors::elb::{CallFuture, ElbTargets, HealthState, TargetHealth};
use tgsync_actors::target_group::TgConfig;

/// The daemon's allocator (see `src/main.rs`): the benches measure what the binary would do.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The churn model every bench states: slices of up to 100 endpoints; each update changes 2 of them, one pod
/// becoming ready and one terminating, as in a rolling update. A slice of `n` endpoints cycles through `n`
/// states (in state `u`, endpoint `u mod n` is terminating and the rest are ready), so a ring of snapshots
/// repeats forever with exactly two endpoint changes between neighbours.
pub const ENDPOINTS_PER_SLICE: usize = 100;

/// Endpoint changes per slice update in the churn model.
pub const CHANGES_PER_UPDATE: u64 = 2;

/// The `n` states of slice number `slice` (its endpoints distinct from every other slice's).
pub fn slice_ring(slice: usize, n: usize) -> Vec<Arc<[Endpoint]>> {
    (0..n)
        .map(|u| {
            (0..n)
                .map(|i| {
                    Endpoint::new(
                        IpAddr::V4(Ipv4Addr::from(
                            0x0a00_0000 + (slice * ENDPOINTS_PER_SLICE + i) as u32,
                        )),
                        if i == u {
                            Conditions::terminating()
                        } else {
                            Conditions::ready()
                        },
                        None,
                    )
                })
                .collect()
        })
        .collect()
}

/// One target group's slices in the churn model: `size` endpoints split into slices of at most 100.
pub struct ChurnTg {
    /// The Service the target group is bound to.
    pub service: Arc<str>,
    /// Its slice keys.
    pub keys: Vec<Arc<str>>,
}

/// The rings and target groups of one bench configuration.
pub struct Churn {
    rings: Vec<Vec<Arc<[Endpoint]>>>,
    ports: Arc<[SlicePort]>,
    /// The target groups.
    pub tgs: Vec<ChurnTg>,
    cursor: Vec<usize>,
    next_tg: usize,
}

impl Churn {
    /// `tgs` target groups of `size` targets each.
    pub fn new(tgs: usize, size: usize) -> Self {
        let slices = size.div_ceil(ENDPOINTS_PER_SLICE);
        let per_slice = size.min(ENDPOINTS_PER_SLICE);
        // Target groups share endpoint arrays: targets are per target group anyway, and one ring per slice
        // position keeps a 10,000-group bench within memory.
        let rings = (0..slices).map(|s| slice_ring(s, per_slice)).collect();
        let tgs: Vec<ChurnTg> = (0..tgs)
            .map(|i| ChurnTg {
                service: Arc::from(format!("ns/svc-{i}")),
                keys: (0..slices)
                    .map(|s| Arc::from(format!("ns/svc-{i}-{s:05}")))
                    .collect(),
            })
            .collect();
        Churn {
            cursor: vec![0; tgs.len() * slices],
            rings,
            ports: Arc::from(vec![SlicePort {
                name: None,
                port: 8080,
            }]),
            tgs,
            next_tg: 0,
        }
    }

    fn snapshot(&self, tg: usize, slice: usize, state: usize) -> EndpointSliceSnapshot {
        EndpointSliceSnapshot {
            key: self.tgs[tg].keys[slice].clone(),
            service: self.tgs[tg].service.clone(),
            address_type: AddressType::Ipv4,
            ports: self.ports.clone(),
            endpoints: self.rings[slice][state].clone(),
        }
    }

    /// Every slice in its current state: what a watcher lists at start-up.
    pub fn initial(&self) -> Vec<EndpointSliceSnapshot> {
        (0..self.tgs.len())
            .flat_map(|tg| (0..self.rings.len()).map(move |s| (tg, s)))
            .map(|(tg, s)| self.snapshot(tg, s, self.cursor[tg * self.rings.len() + s]))
            .collect()
    }

    /// The next update: target groups in turn, each one's slices in turn.
    pub fn next_update(&mut self) -> EndpointSliceSnapshot {
        let tg = self.next_tg % self.tgs.len();
        let round = self.next_tg / self.tgs.len();
        self.next_tg += 1;
        let slice = round % self.rings.len();
        let c = &mut self.cursor[tg * self.rings.len() + slice];
        *c = (*c + 1) % self.rings[slice].len();
        let state = *c;
        self.snapshot(tg, slice, state)
    }
}

/// An ELB that applies every call at once and answers describes from what it holds: the benches measure
/// the strategies, not AWS.
#[derive(Clone, Default)]
pub struct InstantElb {
    /// Calls made.
    pub calls: Rc<Cell<u64>>,
    /// Targets carried by those calls.
    pub targets: Rc<Cell<u64>>,
    held: Rc<RefCell<FxHashMap<TargetGroupKey, FxHashSet<Target>>>>,
}

impl InstantElb {
    fn apply(&self, tg: &TargetGroupKey, targets: Vec<Target>, add: bool) -> CallFuture<()> {
        self.calls.set(self.calls.get() + 1);
        self.targets.set(self.targets.get() + targets.len() as u64);
        let mut held = self.held.borrow_mut();
        let set = held.entry(tg.clone()).or_default();
        for t in targets {
            if add {
                set.insert(t);
            } else {
                set.remove(&t);
            }
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

impl ElbTargets for InstantElb {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.apply(tg, targets, true)
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.apply(tg, targets, false)
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        self.calls.set(self.calls.get() + 1);
        let held = self.held.borrow();
        let rows: Vec<TargetHealth> = held
            .get(tg)
            .into_iter()
            .flatten()
            .map(|&target| TargetHealth {
                target,
                state: HealthState::Healthy,
            })
            .collect();
        Box::pin(std::future::ready(Ok(rows)))
    }
}

pub use tgsync_loadtest::runtime::paused_system;

/// Runs every actor until it has nothing left to do: paused tokio time only moves when no task is ready,
/// so a sleep returns once all mailboxes are drained.
pub async fn drain() {
    tokio::time::sleep(Duration::from_nanos(1)).await;
}

/// Lets actors run until the ELB sees no new calls, moving virtual time past every batch window.
pub async fn settle(elb: &InstantElb) {
    let window = TgConfig::default().max_window + Duration::from_millis(1);
    let mut quiet = 0;
    let mut last = u64::MAX;
    while quiet < 3 {
        tokio::time::sleep(window).await;
        let now = elb.calls.get();
        quiet = if now == last { quiet + 1 } else { 0 };
        last = now;
    }
}
