//! Readiness gates `target-health.elbv2.k8s.aws/<binding>`: a gated pod is not Ready (so its endpoint is not
//! either) until tgsync says ELB finds it healthy. Its endpoint is registered once its containers are ready,
//! and the gate's condition is set True when DescribeTargetHealth (within the describe budget) calls the
//! target healthy.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use actix::prelude::*;
use kube::runtime::watcher::Event;
use kube::ResourceExt;
use tgsync_actors::budget::Priority;
use tgsync_actors::domain::{Conditions, Endpoint, EndpointSliceSnapshot, TargetId};
use tgsync_actors::elb::HealthState;
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

/// A binding's gate check finished.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct GatesChecked(pub String);

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

    /// For each running ip-mode binding with gated pods still waiting (and no check under way): one
    /// DescribeTargetHealth at normal priority, then the gates of the pods ELB calls healthy set True.
    pub(super) fn gate_tick(&mut self, ctx: &mut Context<Self>) {
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
        for (key, waiting) in waiting_for {
            let Some(b) = self.bindings.get(&key) else {
                continue;
            };
            let Some(r) = b.running() else { continue };
            if !matches!(r.mode, Mode::Ip { .. }) || self.gates_busy.contains(&key) {
                continue;
            }
            let (ns, name) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
            let (elb, budget, ops, tg) = (
                self.elb.clone(),
                self.budget.clone(),
                self.ops.clone(),
                r.tg.clone(),
            );
            self.gates_busy.insert(key.clone());
            let addr = ctx.address();
            actix::spawn(async move {
                let health = match describe_permit(&budget, Priority::Normal).await {
                    Ok(()) => elb.inner().describe_health(&tg).await,
                    Err(e) => Err(e),
                };
                match health {
                    Ok(rows) => {
                        let healthy: HashSet<IpAddr> = rows
                            .iter()
                            .filter(|h| h.state == HealthState::Healthy)
                            .filter_map(|h| match h.target.id {
                                TargetId::Ip(ip) => Some(ip),
                                TargetId::Instance(_) => None,
                            })
                            .collect();
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
                    }
                    Err(e) => {
                        warn!(binding = %key, error = %e, "cannot read target health for readiness gates")
                    }
                }
                addr.do_send(GatesChecked(key));
            });
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<GatesChecked> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: GatesChecked, _: &mut Context<Self>) {
        self.gates_busy.remove(&msg.0);
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
