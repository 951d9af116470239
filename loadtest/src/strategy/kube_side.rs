//! What `tgsync run` does around the actors, against a modelled Kubernetes API: the checkpoint removal a
//! target group awaits before its first change, the checkpoint writes once it held still, and the readiness
//! gates' calls (paced by the daemon's `GateClock`) with the pod-condition writes they lead to. Every write
//! takes the modelled latency and is counted; none of them is an AWS call.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use tgsync_actors::budget::{permit, ApiBudget, ApiClass, Priority};
use tgsync_actors::domain::{EndpointSliceSnapshot, SliceKey, TargetGroupKey, TargetId};
use tgsync_actors::elb::ElbTargets;
use tgsync_actors::gates::{
    healthy_ips, GateClock, GateStep, DESCRIBE_TARGET_GROUPS_MAX, GATE_EVERY,
};
use tgsync_actors::tracked::{Invalidate, Tracked, CHECKPOINT_EVERY};
use tokio::task::{spawn_local, JoinHandle};
use tokio::time::{interval, sleep, Instant, MissedTickBehavior};

use crate::scenario::Topology;

/// The modelled Kubernetes API.
#[derive(Clone, Copy, Debug)]
pub struct KubeModel {
    /// How long one write (a PATCH of an annotation or a pod condition) takes to land.
    pub write_latency: Duration,
}

impl Default for KubeModel {
    /// A write to an EKS control plane in the same region: about 20 ms.
    fn default() -> Self {
        KubeModel {
            write_latency: Duration::from_millis(20),
        }
    }
}

/// How long each opened gate waited, in milliseconds, shared with the tasks that open them.
type Waits = Rc<RefCell<Vec<f64>>>;

/// Writes made so far, shared with the tasks that make them.
#[derive(Clone, Default)]
struct Writes(Rc<Cell<u64>>);

impl Writes {
    async fn write(&self, latency: Duration) {
        sleep(latency).await;
        self.0.set(self.0.get() + 1);
    }
}

/// One gated pod, by its IP: whether its gate is open, whether its containers are ready, and since when
/// it has been waiting for its gate.
#[derive(Clone, Copy)]
struct Gate {
    open: bool,
    ready: bool,
    waiting_since: Option<Instant>,
}

/// The gated pods behind one target group, the slices they were read from, and the group's gate clock.
#[derive(Default)]
struct Gates {
    pods: HashMap<IpAddr, Gate>,
    slices: HashMap<SliceKey, Vec<IpAddr>>,
    clock: GateClock,
    busy: bool,
}

impl Gates {
    /// Takes in a slice: a pod first seen ready was Ready before, so its gate is open; one first seen not
    /// ready waits for ELB to call it healthy once its containers are ready.
    fn apply(&mut self, snap: &EndpointSliceSnapshot) {
        let now: Vec<IpAddr> = snap.endpoints.iter().map(|e| e.addr()).collect();
        let before = self.slices.remove(&snap.key).unwrap_or_default();
        let kept: HashSet<IpAddr> = now.iter().copied().collect();
        for gone in before.iter().filter(|ip| !kept.contains(ip)) {
            self.pods.remove(gone);
        }
        let at = Instant::now();
        for e in snap.endpoints.iter() {
            let ready = e.conditions().wants_traffic();
            let gate = self.pods.entry(e.addr()).or_insert(Gate {
                open: ready,
                ready,
                waiting_since: None,
            });
            gate.ready = ready;
            if ready && !gate.open {
                gate.waiting_since.get_or_insert(at);
            }
        }
        if !now.is_empty() {
            self.slices.insert(snap.key.clone(), now);
        }
    }

    fn waiting(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.pods
            .iter()
            .filter(|(_, g)| g.ready && !g.open)
            .map(|(ip, _)| *ip)
    }
}

/// The daemon's Kubernetes side for every target group of a run.
pub(super) struct KubeSide {
    model: KubeModel,
    writes: Writes,
    /// Gated runs: the target groups of each Service, and their gated pods.
    gates: Option<(GatedServices, SharedGates)>,
    waits: Waits,
    /// The checkpoint ticks of a quiet spell the clock skips.
    quiet: Option<Box<dyn Fn()>>,
    tasks: Vec<JoinHandle<()>>,
}

type GatedServices = HashMap<Arc<str>, Vec<TargetGroupKey>>;
type SharedGates = Rc<RefCell<HashMap<TargetGroupKey, Gates>>>;

impl KubeSide {
    /// The side of a run over `topology`.
    pub(super) fn new(model: KubeModel, topology: &Topology) -> Self {
        let gates = topology.readiness_gates.then(|| {
            let mut by_service = GatedServices::new();
            for b in &topology.bindings {
                by_service
                    .entry(b.service.clone())
                    .or_default()
                    .push(b.tg.clone());
            }
            (by_service, Rc::default())
        });
        KubeSide {
            model,
            writes: Writes::default(),
            gates,
            waits: Waits::default(),
            quiet: None,
            tasks: Vec::new(),
        }
    }

    /// The checkpoint removal `Tracked` awaits before a target group's first change after a checkpoint.
    pub(super) fn invalidate(&self) -> Invalidate {
        let (writes, latency) = (self.writes.clone(), self.model.write_latency);
        Rc::new(move |_| {
            let writes = writes.clone();
            Box::pin(async move {
                writes.write(latency).await;
                true
            })
        })
    }

    /// Starts the periodic work: checkpoints of `tgs` through `elb`, and (gated runs) the gate checks.
    pub(super) fn start<E: ElbTargets + 'static>(
        &mut self,
        elb: Rc<Tracked<E>>,
        budget: Addr<ApiBudget>,
        tgs: Vec<TargetGroupKey>,
    ) {
        let checkpoints = Rc::new(Checkpoints {
            elb: elb.clone(),
            tgs,
            last: RefCell::default(),
            written: Rc::default(),
            writes: self.writes.clone(),
            latency: self.model.write_latency,
        });
        let quiet = checkpoints.clone();
        // Two ticks: the first sees each set, the second finds it held still.
        self.quiet = Some(Box::new(move || {
            quiet.tick(true);
            quiet.tick(true);
        }));
        self.tasks.push(spawn_local(checkpoint_ticks(checkpoints)));
        if let Some((_, gates)) = &self.gates {
            self.tasks.push(spawn_local(gate_checks(Rc::new(GateCheck {
                elb,
                budget,
                gates: gates.clone(),
                writes: self.writes.clone(),
                waits: self.waits.clone(),
                latency: self.model.write_latency,
            }))));
        }
    }

    /// Takes in a slice (only gated runs keep anything).
    pub(super) fn on_slice(&self, snap: &EndpointSliceSnapshot) {
        let Some((by_service, gates)) = &self.gates else {
            return;
        };
        let mut gates = gates.borrow_mut();
        for tg in by_service.get(&snap.service).into_iter().flatten() {
            gates.entry(tg.clone()).or_default().apply(snap);
        }
    }

    /// The cluster was quiet longer than a checkpoint period: every group that held still has its checkpoint.
    pub(super) fn idle(&self) {
        if let Some(quiet) = &self.quiet {
            quiet();
        }
    }

    /// How long each gate opened so far waited, in milliseconds (`None`: the run has no gates).
    pub(super) fn gate_waits(&self) -> Option<Vec<f64>> {
        self.gates.as_ref().map(|_| self.waits.borrow().clone())
    }

    /// Kubernetes writes landed so far.
    pub(super) fn writes(&self) -> u64 {
        self.writes.0.get()
    }

    /// Stops the periodic work and drops what it keeps.
    pub(super) fn stop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        self.gates = None;
        self.quiet = None;
    }
}

/// The daemon's checkpoint tick over every target group, and what it remembers between ticks.
struct Checkpoints<E> {
    elb: Rc<Tracked<E>>,
    tgs: Vec<TargetGroupKey>,
    /// Each group's owned-set version at the last tick.
    last: RefCell<HashMap<TargetGroupKey, Option<u64>>>,
    /// The hash each binding's annotation holds.
    written: Rc<RefCell<HashMap<TargetGroupKey, String>>>,
    writes: Writes,
    latency: Duration,
}

impl<E: ElbTargets + 'static> Checkpoints<E> {
    /// One tick: a write for each target group that held still since the last. `landed`: the writes took
    /// no time (they happened during a quiet spell the clock skips).
    fn tick(&self, landed: bool) {
        for tg in &self.tgs {
            let due = {
                let mut last = self.last.borrow_mut();
                self.elb
                    .checkpoint_due(tg, last.entry(tg.clone()).or_default())
            };
            let Some(hash) = due else { continue };
            // The binding's annotation already names this set: nothing to write, as in the daemon.
            if self.written.borrow().get(tg) == Some(&hash) {
                continue;
            }
            let (writes, written, tg) = (self.writes.clone(), self.written.clone(), tg.clone());
            if landed {
                writes.0.set(writes.0.get() + 1);
                written.borrow_mut().insert(tg, hash);
                continue;
            }
            let latency = self.latency;
            spawn_local(async move {
                writes.write(latency).await;
                written.borrow_mut().insert(tg, hash);
            });
        }
    }
}

/// Every `CHECKPOINT_EVERY`, the daemon's checkpoint tick.
async fn checkpoint_ticks<E: ElbTargets + 'static>(checkpoints: Rc<Checkpoints<E>>) {
    let mut tick = interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        checkpoints.tick(false);
    }
}

/// What the gate tick's tasks share.
struct GateCheck<E> {
    elb: Rc<Tracked<E>>,
    budget: Addr<ApiBudget>,
    gates: SharedGates,
    writes: Writes,
    waits: Waits,
    latency: Duration,
}

/// Every `GATE_EVERY`, the daemon's gate tick: each target group's clock looks at its waiting pods, and for
/// a group whose clock asks (and with no check under way) a describe permit at normal priority, then one
/// DescribeTargetHealth and a write per pod found healthy; the groups whose clock asks for their health-check
/// interval share DescribeTargetGroups calls, up to 20 groups a call.
async fn gate_checks<E: ElbTargets + 'static>(check: Rc<GateCheck<E>>) {
    let mut tick = interval(GATE_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = Instant::now();
        let (mut reads, mut describes) = (Vec::new(), Vec::new());
        for (tg, g) in check.gates.borrow_mut().iter_mut() {
            let waiting: Vec<(IpAddr, bool)> = g
                .waiting()
                .map(|ip| (ip, check.elb.holds(tg, TargetId::Ip(ip))))
                .collect();
            let step = g.clock.tick(now, waiting);
            if g.busy || step == GateStep::Wait {
                continue;
            }
            g.busy = true;
            match step {
                GateStep::ReadInterval => reads.push(tg.clone()),
                _ => describes.push(tg.clone()),
            }
        }
        for chunk in reads.chunks(DESCRIBE_TARGET_GROUPS_MAX) {
            let (check, tgs) = (check.clone(), chunk.to_vec());
            spawn_local(async move { check.read_intervals(tgs).await });
        }
        for tg in describes {
            let check = check.clone();
            spawn_local(async move {
                check.describe(&tg, now).await;
                if let Some(g) = check.gates.borrow_mut().get_mut(&tg) {
                    g.busy = false;
                }
            });
        }
    }
}

impl<E: ElbTargets + 'static> GateCheck<E> {
    /// Reads the health-check intervals of `tgs` (one call) into their clocks; a group the answer leaves out,
    /// or all of them when the call failed, is paced by the tick until the read is tried again.
    async fn read_intervals(&self, tgs: Vec<TargetGroupKey>) {
        let read = match permit(&self.budget, ApiClass::Describe, Priority::Normal).await {
            Ok(()) => self.elb.health_check_intervals(&tgs).await.ok(),
            Err(_) => None,
        };
        let found: HashMap<TargetGroupKey, Duration> = read.into_iter().flatten().collect();
        let now = Instant::now();
        let mut gates = self.gates.borrow_mut();
        for tg in &tgs {
            if let Some(g) = gates.get_mut(tg) {
                g.clock.interval_read(now, found.get(tg).copied());
                g.busy = false;
            }
        }
    }

    /// Describes `tg` (the tick at `at` asked) and opens the gates of the waiting pods ELB calls healthy.
    async fn describe(&self, tg: &TargetGroupKey, at: Instant) {
        let health = match permit(&self.budget, ApiClass::Describe, Priority::Normal).await {
            Ok(()) => self.elb.inner().describe_health(tg).await.ok(),
            Err(_) => None,
        };
        let Some(rows) = health else { return };
        let healthy = healthy_ips(&rows);
        let opened: Vec<IpAddr> = {
            let mut gates = self.gates.borrow_mut();
            let Some(g) = gates.get_mut(tg) else { return };
            g.clock.described(at);
            g.waiting().filter(|ip| healthy.contains(ip)).collect()
        };
        for ip in opened {
            self.writes.write(self.latency).await;
            if let Some(g) = self
                .gates
                .borrow_mut()
                .get_mut(tg)
                .and_then(|g| g.pods.get_mut(&ip))
            {
                g.open = true;
                if let Some(since) = g.waiting_since.take() {
                    self.waits
                        .borrow_mut()
                        .push(since.elapsed().as_secs_f64() * 1000.0);
                }
            }
        }
    }
}
