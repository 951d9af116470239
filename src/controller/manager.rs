mod gates;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use k8s_openapi::api::core::v1::{Node, Service};
use k8s_openapi::jiff::Timestamp;
use kube::runtime::watcher::Event;
use kube::ResourceExt;
use tgsync_actors::budget::ApiBudget;
use tgsync_actors::domain::{EndpointSliceSnapshot, SliceKey, SlicePort, Target, TargetGroupKey};
use tgsync_actors::elb::ElbError;
use tgsync_actors::target_group::{
    Adopt, Router, Shutdown, SliceUpdate, SourceUpdate, TargetGroupActor, TgConfig, TgReport,
};
use tracing::{debug, info, warn};

use super::binding::{Binding, Mode, Phase, Running};
use super::checkpoint::{desired_ip, hash_targets, Invalidate};
use super::kube_ops::{with_finalizer, without_finalizer, KubeOps};
use gates::{gate_candidates, GatedPod};

use super::node::NodeInfo;
use super::selector;
use super::service::ServiceInfo;
use super::start::{find, Found};
use super::tracked::Record;
use super::tracked::Tracked;
use crate::aws::AwsElb;
use crate::crd::{
    check_immutable, merge_condition, validate, BindingError, ConditionKind, ConditionUpdate,
    TargetGroupBinding, TargetType,
};
use crate::watch::{SlimEndpointSlice, ZoneInterner};

/// The source key instance-mode targets are sent under.
const NODES_SOURCE: &str = "nodes";
/// How often a draining binding checks whether its targets are gone.
const DRAIN_POLL: Duration = Duration::from_millis(500);
/// How long a failed target-group lookup (other than not found) waits before the next try.
const START_RETRY: Duration = Duration::from_secs(10);
/// How often bindings whose target group was not found look for it again.
const GONE_RETRY: Duration = Duration::from_secs(60);
/// How often settled target groups get their checkpoint written (a set must hold still this long).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(3);
/// How often bindings with gated pods still waiting ask ELB for their targets' health (one describe each).
const GATE_EVERY: Duration = Duration::from_secs(2);

/// A watch event from one of the watchers.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Watched<K>(pub Event<K>);

/// A binding's start finished.
#[derive(Message)]
#[rtype(result = "()")]
struct Started {
    key: String,
    attempt: u64,
    result: Result<Found, ElbError>,
}

const KINDS: usize = 5;
#[derive(Clone, Copy)]
enum Kind {
    Bindings = 0,
    Services = 1,
    Slices = 2,
    Nodes = 3,
    Pods = 4,
}

/// Owns every binding's state: turns watch events into actor messages, starts and stops target-group
/// actors, and writes conditions, Events and finalizers.
pub struct Manager {
    ops: KubeOps,
    elb: Rc<Tracked<AwsElb>>,
    budget: Addr<ApiBudget>,
    router: Router<Tracked<AwsElb>>,
    tg_config: TgConfig,
    zones: ZoneInterner,
    services: HashMap<String, ServiceInfo>,
    slices: HashMap<Arc<str>, HashMap<SliceKey, EndpointSliceSnapshot>>,
    nodes: HashMap<String, NodeInfo>,
    /// Pods with a readiness gate of ours, by `namespace/name`.
    pods: HashMap<String, GatedPod>,
    /// Per slice, its endpoints a gate may be holding back: (address, pod).
    gate_candidates: HashMap<SliceKey, Vec<(IpAddr, String)>>,
    /// Bindings whose gate check is under way.
    gates_busy: HashSet<String>,
    bindings: HashMap<String, Binding>,
    synced: [bool; KINDS],
    relist: [Option<HashSet<String>>; KINDS],
    nodes_dirty: bool,
    attempts: u64,
    /// Which binding owns each running target group, for checkpoint and owned-target writes.
    names: Names,
    /// Serializes checkpoint writes and removals, so a removal never lands before an earlier write.
    checkpoint_lock: Rc<tokio::sync::Mutex<()>>,
}

/// A binding as its target group's writes name it.
#[derive(Clone)]
struct Owner {
    ns: String,
    name: String,
    uid: String,
}

type Names = Rc<RefCell<HashMap<TargetGroupKey, Owner>>>;

impl Manager {
    /// A manager that calls ELB through `elb` with permits from `budget`.
    pub fn new(ops: KubeOps, elb: AwsElb, budget: Addr<ApiBudget>, tg_config: TgConfig) -> Self {
        let names: Names = Rc::default();
        let checkpoint_lock = Rc::new(tokio::sync::Mutex::new(()));
        let invalidate: Invalidate = {
            let (ops, names, lock) = (ops.clone(), names.clone(), checkpoint_lock.clone());
            Rc::new(move |tg: TargetGroupKey| {
                let (ops, lock) = (ops.clone(), lock.clone());
                let name = names.borrow().get(&tg).cloned();
                Box::pin(async move {
                    let Some(owner) = name else {
                        return true;
                    };
                    let _held = lock.lock().await;
                    ops.set_checkpoint(&owner.ns, &owner.name, None).await
                })
            })
        };
        let record: Record = {
            let (ops, names) = (ops.clone(), names.clone());
            Rc::new(move |tg: TargetGroupKey, targets: Vec<Target>| {
                let (ops, owner) = (ops.clone(), names.borrow().get(&tg).cloned());
                Box::pin(async move {
                    match owner {
                        Some(o) => ops.store_owned(&o.ns, &o.name, &o.uid, &targets).await,
                        None => false,
                    }
                })
            })
        };
        Manager {
            ops,
            elb: Rc::new(
                Tracked::new(elb)
                    .with_invalidate(invalidate)
                    .with_record(record),
            ),
            names,
            checkpoint_lock,
            budget,
            router: Router::default(),
            tg_config,
            zones: ZoneInterner::new(),
            services: HashMap::new(),
            slices: HashMap::new(),
            nodes: HashMap::new(),
            pods: HashMap::new(),
            gate_candidates: HashMap::new(),
            gates_busy: HashSet::new(),
            bindings: HashMap::new(),
            synced: [false; KINDS],
            relist: Default::default(),
            nodes_dirty: false,
            attempts: 0,
        }
    }

    fn all_synced(&self) -> bool {
        self.synced.iter().all(|s| *s)
    }

    /// Tracks a relist; returns the keys that vanished when it ends.
    fn relist_step<K: kube::Resource>(&mut self, kind: Kind, ev: &Event<K>) -> Vec<String> {
        let i = kind as usize;
        match ev {
            Event::Init => self.relist[i] = Some(HashSet::new()),
            Event::InitApply(o) => {
                if let Some(seen) = &mut self.relist[i] {
                    seen.insert(object_key(o));
                }
            }
            Event::InitDone => {
                self.synced[i] = true;
                if let Some(seen) = self.relist[i].take() {
                    return self
                        .known_keys(kind)
                        .filter(|k| !seen.contains(k))
                        .collect();
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn known_keys(&self, kind: Kind) -> Box<dyn Iterator<Item = String> + '_> {
        match kind {
            Kind::Bindings => Box::new(self.bindings.keys().cloned()),
            Kind::Services => Box::new(self.services.keys().cloned()),
            Kind::Slices => Box::new(
                self.slices
                    .values()
                    .flat_map(|m| m.keys().map(|k| k.to_string())),
            ),
            Kind::Nodes => Box::new(self.nodes.keys().cloned()),
            Kind::Pods => Box::new(self.pods.keys().cloned()),
        }
    }

    // ------------------------------------------------------------------ reconcile

    fn reconcile_all(&mut self, ctx: &mut Context<Self>) {
        let keys: Vec<String> = self.bindings.keys().cloned().collect();
        for k in keys {
            self.reconcile(&k, ctx);
        }
    }

    fn reconcile_service(&mut self, service: &str, ctx: &mut Context<Self>) {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|(_, b)| service_key(&b.obj) == service)
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.reconcile(&k, ctx);
        }
    }

    /// Brings one binding to where its object says it should be.
    fn reconcile(&mut self, key: &str, ctx: &mut Context<Self>) {
        if !self.all_synced() {
            return;
        }
        let Some(b) = self.bindings.get(key) else {
            return;
        };
        let span = b.span.clone();
        let _g = span.enter();
        if b.obj.metadata.deletion_timestamp.is_some() {
            self.begin_delete(key, ctx);
            return;
        }
        if with_finalizer(&b.obj).is_some() {
            let (ops, obj) = (self.ops.clone(), b.obj.clone());
            actix::spawn(async move {
                let ns = obj.namespace().unwrap_or_default();
                ops.set_finalizer(&ns, &obj.name_any(), true).await;
            });
        }
        let spec = b.obj.spec.clone();
        let checked = validate(&spec).and_then(|()| match &b.accepted {
            Some(was) => check_immutable(was, &spec),
            None => Ok(()),
        });
        if let Err(e) = checked {
            // A running binding keeps serving its accepted spec; the change is refused on the object.
            self.fail(key, &e);
            return;
        }
        let mode = match self.resolve_mode(&b.obj) {
            Ok(m) => m,
            Err(e) => {
                self.fail(key, &e);
                return;
            }
        };
        let networking = spec.networking.is_some();
        let b = self.bindings.get_mut(key).expect("checked above");
        match &mut b.phase {
            Phase::Running(r) if r.mode == mode => {}
            Phase::Running(r) => {
                info!(
                    ?mode,
                    "service port changed; restarting the target group actor"
                );
                let tg = r.tg.clone();
                let actor = r.actor.clone();
                self.router.unbind(&service_key(&b.obj), &actor);
                actor.do_send(Shutdown);
                b.phase = Phase::Idle;
                // What the old actor registered is adopted by the new one: nothing is lost or re-registered.
                let found = Found {
                    registered: self.elb.owned(&tg),
                    tg,
                };
                self.start_actor(key, found, ctx);
            }
            Phase::Idle => {
                self.kick_start(key, ctx);
                return;
            }
            Phase::Starting { .. } | Phase::Draining(_) | Phase::Gone => return,
        }
        self.ok(key, networking);
        if let Some(Mode::Instance { .. }) = self
            .bindings
            .get(key)
            .and_then(|b| b.running())
            .map(|r| &r.mode)
        {
            self.send_nodes(key);
        }
    }

    /// Looks the binding's target group up (and what it holds) in the background; `Started` answers.
    fn kick_start(&mut self, key: &str, ctx: &mut Context<Self>) {
        if let Some(found) = self.checkpoint_matches(key) {
            let b = &self.bindings[key];
            let _g = b.span.enter();
            info!(tg = %found.tg, targets = found.registered.len(), "checkpoint matches; skipping DescribeTargetHealth");
            drop(_g);
            self.elb.set_clean(&found.tg, true);
            self.start_actor(key, found, ctx);
            return;
        }
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        self.attempts += 1;
        let attempt = self.attempts;
        b.phase = Phase::Starting { attempt };
        let (elb, budget, ops) = (self.elb.clone(), self.budget.clone(), self.ops.clone());
        let (arn, name) = (
            b.obj.spec.target_group_arn.clone(),
            b.obj.spec.target_group_name.clone(),
        );
        let multi = b.obj.spec.multi_cluster_target_group == Some(true);
        let (ns, binding) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
        let (addr, key) = (ctx.address(), key.to_owned());
        actix::spawn(async move {
            let mut result = find(elb.inner(), &budget, arn, name).await;
            if let (true, Ok(found)) = (multi, &mut result) {
                // Only what this binding recorded is ours; the rest belongs to other clusters.
                match ops.load_owned(&ns, &binding).await {
                    Ok(recorded) => {
                        let recorded: HashSet<Target> = recorded.into_iter().flatten().collect();
                        found.registered.retain(|t| recorded.contains(t));
                    }
                    Err(e) => {
                        result = Err(ElbError::Other(format!(
                            "cannot read the binding's owned-targets ConfigMap: {e}"
                        )))
                    }
                }
            }
            addr.do_send(Started {
                key,
                attempt,
                result,
            });
        });
    }

    /// What the target group holds, without asking ELB, when the binding's checkpoint equals the hash of what
    /// it should hold now (ARN bindings of single-cluster target groups only, not being deleted).
    fn checkpoint_matches(&self, key: &str) -> Option<Found> {
        let b = self.bindings.get(key)?;
        let spec = &b.obj.spec;
        if b.obj.metadata.deletion_timestamp.is_some()
            || spec.multi_cluster_target_group == Some(true)
        {
            return None;
        }
        let arn = spec.target_group_arn.as_deref().filter(|a| !a.is_empty())?;
        let checkpoint = b.checkpoint()?;
        let desired = match self.resolve_mode(&b.obj).ok()? {
            Mode::Ip { port_name } => {
                let service: Arc<str> = service_key(&b.obj).into();
                let slices: Vec<EndpointSliceSnapshot> = self
                    .slices
                    .get(&service)
                    .into_iter()
                    .flat_map(|m| m.values())
                    .map(|snap| self.effective(snap))
                    .collect();
                desired_ip(&slices, port_name.as_deref())
            }
            Mode::Instance {
                node_port,
                selector,
            } => self.node_targets(node_port, selector.as_ref()),
        };
        (hash_targets(&desired) == checkpoint).then(|| Found {
            tg: TargetGroupKey::new(arn),
            registered: desired,
        })
    }

    /// Instance mode: the eligible nodes matching `selector`, on `node_port`.
    fn node_targets(
        &self,
        node_port: u16,
        selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
    ) -> Vec<Target> {
        self.nodes
            .values()
            .filter(|n| n.eligible() && selector::matches(selector, &n.labels))
            .filter_map(|n| n.instance.map(|i| Target::instance(i, node_port)))
            .collect()
    }

    /// Writes the checkpoint of every running binding whose target group held still since the last tick with
    /// no call in flight.
    fn checkpoint_tick(&mut self) {
        let mut writes = Vec::new();
        for b in self.bindings.values_mut() {
            let Phase::Running(r) = &b.phase else {
                continue;
            };
            let state = self.elb.checkpoint(&r.tg);
            let hash = self.elb.owned_hash(&r.tg);
            let still = b.last_hash.as_deref() == Some(hash.as_str());
            b.last_hash = Some(hash.clone());
            if state.clean || state.inflight > 0 || !still {
                continue;
            }
            // Clean from now: a call starting after this point removes the annotation first (after this write).
            self.elb.set_clean(&r.tg, true);
            if b.checkpoint() != Some(hash.as_str()) {
                let ns = b.obj.namespace().unwrap_or_default();
                writes.push((ns, b.obj.name_any(), r.tg.clone(), hash));
            }
        }
        for (ns, name, tg, hash) in writes {
            let (ops, lock, elb) = (
                self.ops.clone(),
                self.checkpoint_lock.clone(),
                self.elb.clone(),
            );
            actix::spawn(async move {
                let _held = lock.lock().await;
                if !ops.set_checkpoint(&ns, &name, Some(&hash)).await {
                    elb.set_clean(&tg, false);
                }
            });
        }
    }

    /// The Service port a binding follows, in actor terms.
    fn resolve_mode(&self, obj: &TargetGroupBinding) -> Result<Mode, BindingError> {
        let svc_key = service_key(obj);
        let svc = self
            .services
            .get(&svc_key)
            .ok_or_else(|| BindingError::ServiceNotFound(svc_key.clone()))?;
        let wanted = &obj.spec.service_ref.port;
        let port = svc
            .port(wanted)
            .ok_or_else(|| BindingError::ServicePortNotFound {
                service: svc_key.clone(),
                port: match wanted {
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => {
                        n.to_string()
                    }
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
                        s.clone()
                    }
                },
            })?;
        match obj.spec.target_type {
            Some(TargetType::Instance) => Ok(Mode::Instance {
                node_port: port
                    .node_port
                    .ok_or_else(|| BindingError::NoNodePort(svc_key.clone()))?,
                selector: obj.spec.node_selector.clone(),
            }),
            _ => Ok(Mode::Ip {
                port_name: port.name.as_deref().map(Arc::from),
            }),
        }
    }

    fn start_actor(&mut self, key: &str, found: Found, ctx: &mut Context<Self>) {
        let Some(b) = self.bindings.get(key) else {
            return;
        };
        let deleting = b.obj.metadata.deletion_timestamp.is_some();
        let mode = match self.resolve_mode(&b.obj) {
            Ok(m) => m,
            // Deleted while its Service is gone too: no endpoints, so draining deregisters everything adopted.
            Err(_) if deleting => Mode::Ip { port_name: None },
            Err(e) => {
                self.fail(key, &e);
                return;
            }
        };
        let service: Arc<str> = service_key(&b.obj).into();
        let multi = b.obj.spec.multi_cluster_target_group.unwrap_or(false);
        let mut config = self.tg_config.clone();
        if let Mode::Ip { port_name } = &mode {
            config.port_name = port_name.clone();
        }
        let actor = TargetGroupActor::new(
            found.tg.clone(),
            config,
            self.elb.clone(),
            self.budget.clone(),
        )
        .with_reporter(ctx.address().recipient())
        .start();
        // Multi-cluster target groups: `found` holds only what this binding recorded as its own.
        self.elb.set_multi(&found.tg, multi);
        if !found.registered.is_empty() {
            self.elb.adopt(&found.tg, &found.registered);
            actor.do_send(Adopt(found.registered));
        }
        match &mode {
            Mode::Ip { .. } => {
                self.router.bind(service.clone(), actor.clone());
                for snap in self
                    .slices
                    .get(&service)
                    .into_iter()
                    .flat_map(|m| m.values())
                {
                    actor.do_send(SliceUpdate(self.effective(snap)));
                }
            }
            Mode::Instance { .. } => {}
        }
        let networking = b.obj.spec.networking.is_some();
        let b = self.bindings.get_mut(key).expect("looked up above");
        b.accepted.get_or_insert_with(|| b.obj.spec.clone());
        {
            let _g = b.span.enter();
            info!(tg = %found.tg, service = %service, ?mode, "target group actor started");
        }
        let owner = Owner {
            ns: b.obj.namespace().unwrap_or_default(),
            name: b.obj.name_any(),
            uid: b.obj.uid().unwrap_or_default(),
        };
        self.names.borrow_mut().insert(found.tg.clone(), owner);
        b.phase = Phase::Running(Running {
            actor,
            tg: found.tg,
            service,
            mode,
        });
        self.send_nodes(key);
        if !deleting {
            self.ok(key, networking);
        }
    }

    /// Instance mode: the eligible nodes matching the selector, to the binding's actor.
    fn send_nodes(&self, key: &str) {
        let Some(r) = self.bindings.get(key).and_then(|b| match &b.phase {
            Phase::Running(r) => Some(r),
            _ => None,
        }) else {
            return;
        };
        let Mode::Instance {
            node_port,
            selector,
        } = &r.mode
        else {
            return;
        };
        let targets = self.node_targets(*node_port, selector.as_ref());
        debug!(
            binding = key,
            nodes = self.nodes.len(),
            targets = targets.len(),
            "instance targets"
        );
        r.actor.do_send(SourceUpdate {
            key: NODES_SOURCE.into(),
            targets,
        });
    }

    // ------------------------------------------------------------------ deletion

    fn begin_delete(&mut self, key: &str, ctx: &mut Context<Self>) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        match std::mem::replace(&mut b.phase, Phase::Idle) {
            Phase::Running(r) => {
                info!(tg = %r.tg, "binding deleted; deregistering its targets");
                self.router.unbind(&r.service, &r.actor);
                match &r.mode {
                    Mode::Ip { .. } => {
                        for snap in self
                            .slices
                            .get(&r.service)
                            .into_iter()
                            .flat_map(|m| m.values())
                        {
                            let mut empty = snap.clone();
                            empty.endpoints = Arc::from([]);
                            r.actor.do_send(SliceUpdate(empty));
                        }
                    }
                    Mode::Instance { .. } => r.actor.do_send(SourceUpdate {
                        key: NODES_SOURCE.into(),
                        targets: Vec::new(),
                    }),
                }
                b.phase = Phase::Draining(r);
                self.poll_drain(key.to_owned(), 0, ctx);
            }
            Phase::Draining(r) => b.phase = Phase::Draining(r),
            // Deleted while tgsync was not running it: find what the target group holds, then drain.
            Phase::Idle if validate(&b.obj.spec).is_ok() => self.kick_start(key, ctx),
            Phase::Starting { attempt } => b.phase = Phase::Starting { attempt },
            _ => self.release(key),
        }
    }

    fn poll_drain(&mut self, key: String, empty_polls: u32, ctx: &mut Context<Self>) {
        ctx.run_later(DRAIN_POLL, move |act, ctx| {
            let Some(Phase::Draining(r)) = act.bindings.get(&key).map(|b| &b.phase) else {
                return;
            };
            // Two empty polls in a row: a register still in flight at the first would have landed by the second.
            let empty = act.elb.owned_len(&r.tg) == 0;
            if empty && empty_polls >= 1 {
                act.release(&key);
            } else {
                act.poll_drain(key, if empty { empty_polls + 1 } else { 0 }, ctx);
            }
        });
    }

    /// Stops the binding's actor (if any) and removes the finalizer.
    fn release(&mut self, key: &str) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        if let Phase::Running(r) | Phase::Draining(r) = std::mem::replace(&mut b.phase, Phase::Idle)
        {
            self.router.unbind(&r.service, &r.actor);
            r.actor.do_send(Shutdown);
            self.elb.forget(&r.tg);
        }
        if without_finalizer(&b.obj).is_some() {
            let (ops, obj) = (self.ops.clone(), b.obj.clone());
            let _g = b.span.enter();
            info!("targets deregistered; removing the finalizer");
            actix::spawn(async move {
                let ns = obj.namespace().unwrap_or_default();
                ops.set_finalizer(&ns, &obj.name_any(), false).await;
            });
        }
    }

    // ------------------------------------------------------------------ status

    fn ok(&mut self, key: &str, networking: bool) {
        let Some(b) = self.bindings.get(key) else {
            return;
        };
        let message = match b.running() {
            Some(r) => format!("target group {} follows service {}", r.tg, r.service),
            None => "starting".to_owned(),
        };
        let mut updates = vec![ConditionUpdate {
            kind: ConditionKind::Ready,
            status: true,
            reason: "Synced".into(),
            message,
        }];
        if networking {
            updates.push(ConditionUpdate {
                kind: ConditionKind::NetworkingNotManaged,
                status: true,
                reason: "NotImplemented".into(),
                message:
                    "spec.networking is stored; security-group rules are not managed by tgsync yet"
                        .into(),
            });
        }
        if let Some(b) = self.bindings.get_mut(key) {
            b.reported = None;
        }
        self.set_conditions(key, &updates);
    }

    fn fail(&mut self, key: &str, e: &BindingError) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        let reason = e.reason().to_owned();
        let message = e.to_string();
        if b.reported.as_ref() != Some(&(reason.clone(), message.clone())) {
            {
                let _g = b.span.enter();
                warn!(reason = %reason, error = %message, "binding cannot be served");
            }
            b.reported = Some((reason.clone(), message.clone()));
            let (ops, obj, r, m) = (
                self.ops.clone(),
                b.obj.clone(),
                reason.clone(),
                message.clone(),
            );
            actix::spawn(async move { ops.event(&obj, true, &r, m).await });
        }
        let update = ConditionUpdate {
            kind: ConditionKind::Ready,
            status: false,
            reason,
            message,
        };
        self.set_conditions(key, &[update]);
    }

    fn set_conditions(&mut self, key: &str, updates: &[ConditionUpdate]) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        let generation = b.obj.metadata.generation;
        let observed = b.obj.status.as_ref().and_then(|s| s.observed_generation);
        let mut changed = observed != generation;
        for u in updates {
            changed |= merge_condition(&mut b.conditions, u, generation, Timestamp::now());
        }
        if changed {
            let (ops, conditions) = (self.ops.clone(), b.conditions.clone());
            let (ns, name) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
            if let Some(s) = b.obj.status.as_mut() {
                s.observed_generation = generation;
            }
            actix::spawn(async move { ops.patch_status(&ns, &name, generation, conditions).await });
        }
    }

    fn binding_for_tg(&self, tg: &TargetGroupKey) -> Option<String> {
        self.bindings
            .iter()
            .find(|(_, b)| b.running().is_some_and(|r| &r.tg == tg))
            .map(|(k, _)| k.clone())
    }
}

impl Actor for Manager {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(CHECKPOINT_EVERY, |act, _| act.checkpoint_tick());
        ctx.run_interval(GATE_EVERY, |act, ctx| act.gate_tick(ctx));
        // A target group may be created after its binding: look again now and then (one Describe each).
        ctx.run_interval(GONE_RETRY, |act, ctx| {
            let gone: Vec<String> = act
                .bindings
                .iter()
                .filter(|(_, b)| matches!(b.phase, Phase::Gone))
                .map(|(k, _)| k.clone())
                .collect();
            for k in gone {
                if let Some(b) = act.bindings.get_mut(&k) {
                    b.phase = Phase::Idle;
                }
                act.reconcile(&k, ctx);
            }
        });
    }
}

// ---------------------------------------------------------------------- watch events

impl Handler<Watched<TargetGroupBinding>> for Manager {
    type Result = ();

    fn handle(&mut self, msg: Watched<TargetGroupBinding>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        for gone in self.relist_step(Kind::Bindings, &msg.0) {
            // Vanished while we were not watching: its finalizer was removed by someone else.
            self.forget_binding(&gone);
        }
        match msg.0 {
            Event::Apply(obj) | Event::InitApply(obj) => {
                let key = object_key(&obj);
                match self.bindings.get_mut(&key) {
                    Some(b) => {
                        if b.obj.spec != obj.spec && matches!(b.phase, Phase::Gone) {
                            b.phase = Phase::Idle;
                        }
                        b.obj = obj;
                    }
                    None => {
                        self.bindings.insert(key.clone(), Binding::new(obj));
                    }
                }
                self.reconcile(&key, ctx);
            }
            Event::Delete(obj) => self.forget_binding(&object_key(&obj)),
            Event::Init | Event::InitDone => {}
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

impl Manager {
    fn forget_binding(&mut self, key: &str) {
        if let Some(b) = self.bindings.remove(key) {
            if let Phase::Running(r) | Phase::Draining(r) = b.phase {
                self.router.unbind(&r.service, &r.actor);
                r.actor.do_send(Shutdown);
                self.elb.forget(&r.tg);
            }
        }
    }
}

impl Handler<Watched<Service>> for Manager {
    type Result = ();

    fn handle(&mut self, msg: Watched<Service>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        for gone in self.relist_step(Kind::Services, &msg.0) {
            self.services.remove(&gone);
            self.reconcile_service(&gone, ctx);
        }
        match msg.0 {
            Event::Apply(svc) | Event::InitApply(svc) => {
                let key = object_key(&svc);
                let info = ServiceInfo::from_service(&svc);
                if self.services.get(&key) != Some(&info) {
                    self.services.insert(key.clone(), info);
                    self.reconcile_service(&key, ctx);
                }
            }
            Event::Delete(svc) => {
                let key = object_key(&svc);
                self.services.remove(&key);
                self.reconcile_service(&key, ctx);
            }
            Event::Init | Event::InitDone => {}
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

impl Handler<Watched<SlimEndpointSlice>> for Manager {
    type Result = ();

    fn handle(&mut self, msg: Watched<SlimEndpointSlice>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        for gone in self.relist_step(Kind::Slices, &msg.0) {
            self.remove_slice(&gone);
        }
        match msg.0 {
            Event::Apply(s) | Event::InitApply(s) => {
                if let Some(snap) = s.to_snapshot(&mut self.zones) {
                    let snap = normalize_ports(snap);
                    let candidates = gate_candidates(&s);
                    if candidates.is_empty() {
                        self.gate_candidates.remove(&snap.key);
                    } else {
                        self.gate_candidates.insert(snap.key.clone(), candidates);
                    }
                    self.slices
                        .entry(snap.service.clone())
                        .or_default()
                        .insert(snap.key.clone(), snap.clone());
                    self.router.route(self.effective(&snap));
                }
            }
            Event::Delete(s) => self.remove_slice(&object_key(&s)),
            Event::Init | Event::InitDone => {}
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

impl Manager {
    /// A deleted slice: its snapshot with no endpoints goes to the actors, then it is forgotten.
    fn remove_slice(&mut self, key: &str) {
        for slices in self.slices.values_mut() {
            if let Some(mut snap) = slices.remove(key) {
                self.gate_candidates.remove(&snap.key);
                snap.endpoints = Arc::from([]);
                self.router.route(snap);
            }
        }
        self.slices.retain(|_, m| !m.is_empty());
    }

    fn nodes_changed(&mut self, ctx: &mut Context<Self>) {
        if self.nodes_dirty {
            return;
        }
        self.nodes_dirty = true;
        // Node heartbeats and label changes come in bursts: recompute instance targets at most every 200 ms.
        ctx.run_later(Duration::from_millis(200), |act, _| {
            act.nodes_dirty = false;
            let keys: Vec<String> = act.bindings.keys().cloned().collect();
            for k in keys {
                act.send_nodes(&k);
            }
        });
    }
}

impl Handler<Watched<Node>> for Manager {
    type Result = ();

    fn handle(&mut self, msg: Watched<Node>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        let mut changed = false;
        for gone in self.relist_step(Kind::Nodes, &msg.0) {
            changed |= self.nodes.remove(&gone).is_some();
        }
        match msg.0 {
            Event::Apply(n) | Event::InitApply(n) => {
                let info = NodeInfo::from_node(&n);
                let key = object_key(&n);
                if self.nodes.get(&key) != Some(&info) {
                    self.nodes.insert(key, info);
                    changed = true;
                }
            }
            Event::Delete(n) => changed |= self.nodes.remove(&object_key(&n)).is_some(),
            Event::Init | Event::InitDone => {}
        }
        if changed {
            self.nodes_changed(ctx);
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

// ---------------------------------------------------------------------- actor answers

impl Handler<Started> for Manager {
    type Result = ();

    fn handle(&mut self, msg: Started, ctx: &mut Context<Self>) {
        let Some(b) = self.bindings.get_mut(&msg.key) else {
            return;
        };
        if !matches!(b.phase, Phase::Starting { attempt } if attempt == msg.attempt) {
            return;
        }
        b.phase = Phase::Idle;
        if b.obj.metadata.deletion_timestamp.is_some() {
            match msg.result {
                Ok(found) => {
                    self.start_actor(&msg.key, found, ctx);
                    self.begin_delete(&msg.key, ctx);
                }
                // Not found: nothing to deregister. Other errors: try again, the finalizer holds the object.
                Err(ElbError::TargetGroupNotFound(_)) => self.release(&msg.key),
                Err(_) => {
                    let key = msg.key.clone();
                    ctx.run_later(START_RETRY, move |act, ctx| act.reconcile(&key, ctx));
                }
            }
            return;
        }
        match msg.result {
            Ok(found) => self.start_actor(&msg.key, found, ctx),
            Err(ElbError::TargetGroupNotFound(m)) => {
                let name = b
                    .obj
                    .spec
                    .target_group_arn
                    .clone()
                    .or_else(|| b.obj.spec.target_group_name.clone())
                    .unwrap_or(m);
                b.phase = Phase::Gone;
                self.fail(&msg.key, &BindingError::TargetGroupNotFound(name));
            }
            Err(e) => {
                {
                    let _g = b.span.enter();
                    warn!(error = %e, retry_in_s = START_RETRY.as_secs(), "cannot read the target group");
                }
                let key = msg.key.clone();
                ctx.run_later(START_RETRY, move |act, ctx| act.reconcile(&key, ctx));
            }
        }
    }
}

impl Handler<TgReport> for Manager {
    type Result = ();

    fn handle(&mut self, msg: TgReport, _: &mut Context<Self>) {
        match msg {
            TgReport::Gone { tg, message } => {
                let Some(key) = self.binding_for_tg(&tg) else {
                    return;
                };
                let b = self.bindings.get_mut(&key).expect("found above");
                let draining = matches!(b.phase, Phase::Draining(_));
                if let Phase::Running(r) | Phase::Draining(r) =
                    std::mem::replace(&mut b.phase, Phase::Gone)
                {
                    self.router.unbind(&r.service, &r.actor);
                    r.actor.do_send(Shutdown);
                    self.elb.forget(&r.tg);
                }
                if draining {
                    // Nothing left to deregister from a target group that no longer exists.
                    self.release(&key);
                } else {
                    self.fail(
                        &key,
                        &BindingError::TargetGroupNotFound(format!("{tg} ({message})")),
                    );
                }
            }
            TgReport::Rejected { tg, targets } => {
                let Some(key) = self.binding_for_tg(&tg) else {
                    return;
                };
                let b = &self.bindings[&key];
                let note = format!("ELB refused {} target(s): {:?}", targets.len(), targets);
                let (ops, obj) = (self.ops.clone(), b.obj.clone());
                actix::spawn(async move { ops.event(&obj, true, "InvalidTargets", note).await });
            }
        }
    }
}

/// `namespace/name` of a namespaced object, `name` of a cluster-scoped one (as the maps key them).
fn object_key<K: kube::Resource>(o: &K) -> String {
    let name = o.meta().name.as_deref().unwrap_or_default();
    match o.meta().namespace.as_deref() {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_owned(),
    }
}

/// `namespace/name` of the Service a binding follows.
fn service_key(b: &TargetGroupBinding) -> String {
    format!(
        "{}/{}",
        b.metadata.namespace.as_deref().unwrap_or_default(),
        b.spec.service_ref.name
    )
}

/// Slices name an unnamed Service port `""`; the actors look unnamed ports up as `None`.
fn normalize_ports(mut snap: EndpointSliceSnapshot) -> EndpointSliceSnapshot {
    if snap.ports.iter().any(|p| p.name.as_deref() == Some("")) {
        snap.ports = snap
            .ports
            .iter()
            .map(|p| SlicePort {
                name: p.name.clone().filter(|n| !n.is_empty()),
                port: p.port,
            })
            .collect();
    }
    snap
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::Node;
    use tgsync_actors::domain::SlicePort;

    use super::*;

    #[test]
    fn cluster_scoped_objects_are_keyed_by_name_alone() {
        let mut node = Node::default();
        node.metadata.name = Some("n1".into());
        assert_eq!(object_key(&node), "n1");
        node.metadata.namespace = Some("ns".into());
        assert_eq!(object_key(&node), "ns/n1");
    }

    #[test]
    fn unnamed_slice_ports_look_unnamed() {
        let snap = EndpointSliceSnapshot {
            key: "ns/s".into(),
            service: "ns/web".into(),
            address_type: tgsync_actors::domain::AddressType::Ipv4,
            ports: Arc::from([SlicePort {
                name: Some("".into()),
                port: 8080,
            }]),
            endpoints: Arc::from([]),
        };
        assert_eq!(normalize_ports(snap).port_for(None), Some(8080));
    }
}
