//! Readiness gates `target-health.elbv2.k8s.aws/<binding>`: a gated pod is not Ready (so its endpoint is not
//! either) until tgsync says ELB finds it healthy. Its endpoint is registered once its containers are ready,
//! and the gate's condition is set True when DescribeTargetHealth (within the describe budget) calls the
//! target healthy; each binding's `GateClock` says when a describe could tell something new.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::Duration;

use actix::prelude::*;
use kube::runtime::watcher::Event;
use kube::ResourceExt;
use tgsync_actors::budget::Priority;
use tgsync_actors::domain::{
    Conditions, Endpoint, EndpointSliceSnapshot, TargetGroupKey, TargetId,
};
use tgsync_actors::gates::{healthy_ips, GateStep, DESCRIBE_TARGET_GROUPS_MAX};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::{object_key, service_key, Kind, Manager, Watched};
use crate::controller::bindings::binding::Mode;
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::start::describe_permit;
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::watch::{SlimEndpointSlice, SlimPod, GATE_PREFIX};

/// What a gated pod's gates need: its IP, the bindings it waits for, whether its containers are ready, and
/// which of its gates are already True.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct GatedPod {
    ip: Option<IpAddr>,
    bindings: Vec<String>,
    containers_ready: bool,
    open: Vec<String>,
}

impl GatedPod {
    /// `None` for a pod with no gate of ours (most pods: they are not kept).
    fn from_pod(pod: &SlimPod) -> Option<Self> {
        let bindings: Vec<String> = pod.gated_bindings().map(str::to_owned).collect();
        if bindings.is_empty() {
            return None;
        }
        let open = bindings
            .iter()
            .filter(|b| pod.condition_true(&format!("{GATE_PREFIX}{b}")))
            .cloned()
            .collect();
        Some(GatedPod {
            ip: pod.ip(),
            containers_ready: pod.condition_true("ContainersReady"),
            bindings,
            open,
        })
    }
}

/// The endpoints of a slice that are not ready and not terminating, with their pods: the ones a gate may hold.
pub(super) fn gate_candidates(slice: &SlimEndpointSlice) -> Vec<(IpAddr, String)> {
    slice
        .endpoints
        .iter()
        .filter(|e| !e.conditions.is_ready() && !e.conditions.is_terminating())
        .filter_map(|e| Some((e.addr?, e.pod.as_ref()?.as_str().to_owned())))
        .collect()
}

/// A binding's (`ns/name`) gate check finished, with what its clock learns.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct GatesChecked(pub String, pub Checked);

/// What a gate check tells the binding's clock.
pub(super) enum Checked {
    /// The target group's health-check interval (`None`: not read).
    Interval(Option<Duration>),
    /// A describe made at this tick answered (`None`: it failed).
    Described(Option<Instant>),
}

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// The snapshot the actors should see: endpoints held back only by one of our gates count as ready
    /// when their pod's containers are ready (otherwise the gate could never open).
    pub(super) fn effective(&self, snap: &EndpointSliceSnapshot) -> EndpointSliceSnapshot {
        let Some(candidates) = self.gate_candidates.get(&snap.key) else {
            return snap.clone();
        };
        let ns = snap.key.split_once('/').map_or("", |(ns, _)| ns);
        let open: HashSet<IpAddr> = candidates
            .iter()
            .filter(|(_, pod)| self.gate_may_open(ns, pod, &snap.service))
            .map(|(ip, _)| *ip)
            .collect();
        if open.is_empty() {
            return snap.clone();
        }
        let endpoints: Vec<Endpoint> = snap
            .endpoints
            .iter()
            .map(
                |e| match open.contains(&e.addr()) && !e.conditions().is_terminating() {
                    true => e.with_conditions(Conditions::ready()),
                    false => *e,
                },
            )
            .collect();
        EndpointSliceSnapshot {
            endpoints: endpoints.into(),
            ..snap.clone()
        }
    }

    /// Whether pod `ns/pod` has ready containers and waits for a binding of `service`.
    fn gate_may_open(&self, ns: &str, pod: &str, service: &str) -> bool {
        let Some(p) = self.pods.get(&format!("{ns}/{pod}")) else {
            return false;
        };
        p.containers_ready
            && p.bindings.iter().any(|b| {
                self.bindings
                    .get(&format!("{ns}/{b}"))
                    .is_some_and(|binding| service_key(&binding.obj) == service)
            })
    }

    /// Sends the effective snapshots of the Services these bindings (`ns/name`) follow to their actors again.
    fn reroute(&self, bindings: impl IntoIterator<Item = String>) {
        let services: HashSet<String> = bindings
            .into_iter()
            .filter_map(|k| self.bindings.get(&k).map(|b| service_key(&b.obj)))
            .collect();
        for service in services {
            for snap in self
                .slices
                .get(service.as_str())
                .into_iter()
                .flat_map(|m| m.values())
            {
                self.router.route(self.effective(snap));
            }
        }
    }

    /// Each gated binding's clock looks at its waiting pods. For a running ip-mode binding whose clock asks
    /// (and with no check under way), at normal priority: its health-check interval, read with up to 19
    /// other bindings' in one DescribeTargetGroups, or one DescribeTargetHealth and then the gates of the
    /// pods ELB calls healthy set True.
    pub(super) fn gate_tick(&mut self, ctx: &mut Context<Self>) {
        let now = Instant::now();
        // Pods waiting, by the binding (`ns/name`) they wait for: one pass over the gated pods.
        let mut waiting_for: HashMap<String, Vec<(String, IpAddr)>> = HashMap::new();
        for (key, p) in &self.pods {
            let (Some((ns, pod)), Some(ip)) = (key.split_once('/'), p.ip) else {
                continue;
            };
            if !p.containers_ready {
                continue;
            }
            for b in p.bindings.iter().filter(|b| !p.open.contains(b)) {
                waiting_for
                    .entry(format!("{ns}/{b}"))
                    .or_default()
                    .push((pod.to_owned(), ip));
            }
        }
        let bindings = &self.bindings;
        let running_ip = |key: &str| {
            bindings
                .get(key)
                .and_then(|b| b.running())
                .filter(|r| matches!(r.mode, Mode::Ip { .. }))
        };
        // A clock goes with its binding's run; it stays between waves to keep the interval it read.
        self.gate_clocks.retain(|key, _| running_ip(key).is_some());
        for key in waiting_for.keys().filter(|k| running_ip(k).is_some()) {
            self.gate_clocks.entry(key.clone()).or_default();
        }
        let (mut reads, mut describes) = (Vec::new(), Vec::new());
        for (key, clock) in &mut self.gate_clocks {
            let Some(r) = running_ip(key) else { continue };
            let waiting = waiting_for.remove(key).unwrap_or_default();
            let held = waiting
                .iter()
                .map(|(_, ip)| (*ip, self.elb.holds(&r.tg, TargetId::Ip(*ip))));
            let step = clock.tick(now, held);
            if step == GateStep::Wait || !self.gates_busy.insert(key.clone()) {
                continue;
            }
            match step {
                GateStep::ReadInterval => reads.push((key.clone(), r.tg.clone())),
                _ => describes.push((key.clone(), r.tg.clone(), waiting)),
            }
        }
        for chunk in reads.chunks(DESCRIBE_TARGET_GROUPS_MAX) {
            self.read_intervals(chunk.to_vec(), ctx);
        }
        for (key, tg, waiting) in describes {
            self.describe_gates(key, tg, waiting, now, ctx);
        }
    }

    /// One DescribeTargetGroups for these bindings' target groups; each clock gets its interval, or none
    /// (the call failed, or left the group out).
    fn read_intervals(&self, chunk: Vec<(String, TargetGroupKey)>, ctx: &mut Context<Self>) {
        let (elb, budget, addr) = (self.elb.clone(), self.budget.clone(), ctx.address());
        actix::spawn(async move {
            let tgs: Vec<TargetGroupKey> = chunk.iter().map(|(_, tg)| tg.clone()).collect();
            let read = match describe_permit(&budget, Priority::Normal).await {
                Ok(()) => elb.inner().health_check_intervals(&tgs).await,
                Err(e) => Err(e),
            };
            let found: HashMap<TargetGroupKey, Duration> = match read {
                Ok(rows) => rows.into_iter().collect(),
                Err(e) => {
                    warn!(target_groups = tgs.len(), error = %e, "cannot read health-check intervals; readiness gates look at every tick for now");
                    HashMap::new()
                }
            };
            for (key, tg) in chunk {
                let every = found.get(&tg).copied();
                addr.do_send(GatesChecked(key, Checked::Interval(every)));
            }
        });
    }

    /// One DescribeTargetHealth of `tg` (the tick at `at` asked), then the gates of the `waiting` pods
    /// (name, IP) of binding `key` that ELB calls healthy set True.
    fn describe_gates(
        &self,
        key: String,
        tg: TargetGroupKey,
        waiting: Vec<(String, IpAddr)>,
        at: Instant,
        ctx: &mut Context<Self>,
    ) {
        let addr = ctx.address();
        let Some(b) = self.bindings.get(&key) else {
            addr.do_send(GatesChecked(key, Checked::Described(None)));
            return;
        };
        let (ns, name) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
        let (elb, budget, ops) = (self.elb.clone(), self.budget.clone(), self.ops.clone());
        actix::spawn(async move {
            let health = match describe_permit(&budget, Priority::Normal).await {
                Ok(()) => elb.inner().describe_health(&tg).await,
                Err(e) => Err(e),
            };
            let rows = match health {
                Ok(rows) => rows,
                Err(e) => {
                    warn!(binding = %key, error = %e, "cannot read target health for readiness gates");
                    addr.do_send(GatesChecked(key, Checked::Described(None)));
                    return;
                }
            };
            let healthy = healthy_ips(&rows);
            let condition = format!("{GATE_PREFIX}{name}");
            for (pod, ip) in waiting {
                if healthy.contains(&ip) {
                    info!(namespace = %ns, pod = %pod, binding = %name, "target healthy; readiness gate set");
                    let message = format!("target {ip} is healthy in {tg}");
                    ops.set_pod_condition(&ns, &pod, &condition, "Healthy", &message)
                        .await;
                } else {
                    debug!(namespace = %ns, pod = %pod, binding = %name, "target not healthy yet");
                }
            }
            addr.do_send(GatesChecked(key, Checked::Described(Some(at))));
        });
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<GatesChecked> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, GatesChecked(key, checked): GatesChecked, _: &mut Context<Self>) {
        self.gates_busy.remove(&key);
        let Some(clock) = self.gate_clocks.get_mut(&key) else {
            return;
        };
        match checked {
            Checked::Interval(every) => clock.interval_read(Instant::now(), every),
            Checked::Described(Some(at)) => clock.described(at),
            Checked::Described(None) => {}
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<Watched<SlimPod>> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: Watched<SlimPod>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        let mut touched: Vec<String> = Vec::new();
        let forget =
            |pods: &mut HashMap<String, GatedPod>, key: &str, touched: &mut Vec<String>| {
                if let Some(old) = pods.remove(key) {
                    touched.extend(binding_keys(key, &old));
                }
            };
        for gone in self.relist_step(Kind::Pods, &msg.0) {
            forget(&mut self.pods, &gone, &mut touched);
        }
        match msg.0 {
            Event::Apply(pod) | Event::InitApply(pod) => {
                let key = object_key(&pod);
                match GatedPod::from_pod(&pod) {
                    Some(info) if self.pods.get(&key) != Some(&info) => {
                        touched.extend(binding_keys(&key, &info));
                        if let Some(old) = self.pods.insert(key.clone(), info) {
                            touched.extend(binding_keys(&key, &old));
                        }
                    }
                    Some(_) => {}
                    None => forget(&mut self.pods, &key, &mut touched),
                }
            }
            Event::Delete(pod) => forget(&mut self.pods, &object_key(&pod), &mut touched),
            Event::Init | Event::InitDone => {}
        }
        if self.all_synced() {
            self.reroute(touched);
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

/// `ns/binding` for each binding pod `ns/pod` waits for.
fn binding_keys(pod_key: &str, pod: &GatedPod) -> Vec<String> {
    let ns = pod_key.split_once('/').map_or("", |(ns, _)| ns);
    pod.bindings.iter().map(|b| format!("{ns}/{b}")).collect()
}
