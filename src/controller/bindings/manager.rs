mod answers;
mod conflicts;
mod deletion;
mod events;
mod finalizer;
mod gates;
mod starting;
mod status;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use kube::runtime::watcher::Event;
use tgsync_actors::budget::ApiBudget;
use tgsync_actors::domain::{EndpointSliceSnapshot, SliceKey, Target, TargetGroupKey};
use tgsync_actors::elb::ElbError;
use tgsync_actors::gates::{GateClock, GATE_EVERY};
use tgsync_actors::target_group::{Router, Shutdown, TgConfig};
use tgsync_actors::tracked::{Invalidate, Record, Tracked, CHECKPOINT_EVERY};
use tracing::info;

use gates::GatedPod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

pub use crate::controller::leader::Lead;
pub use crate::controller::watchers::Watched;

use super::binding::{Binding, Mode, Phase};
use super::kube_writes::KubeWrites;
use super::start::Found;
use super::tg_lookup::TgLookup;
use crate::controller::keyed_locks::KeyedLocks;
use crate::controller::latest_wins::LatestWins;
use crate::controller::node::NodeInfo;
use crate::controller::stores::Stores;
use crate::crd::{check_immutable, validate, BindingError, TargetGroupBinding};
use crate::watch::ZoneInterner;

/// The source key instance-mode targets are sent under.
const NODES_SOURCE: &str = "nodes";
/// How long a failed target-group lookup (other than not found) waits before the next try.
const START_RETRY: Duration = Duration::from_secs(10);
/// How often bindings whose target group was not found look for it again.
const GONE_RETRY: Duration = Duration::from_secs(60);

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
pub struct Manager<K: KubeWrites, E: TgLookup> {
    ops: K,
    elb: Rc<Tracked<E>>,
    budget: Addr<ApiBudget>,
    router: Router<Tracked<E>>,
    tg_config: TgConfig,
    zones: ZoneInterner,
    /// Bindings and Services as their watchers last wrote them.
    stores: Stores,
    slices: HashMap<Arc<str>, HashMap<SliceKey, EndpointSliceSnapshot>>,
    nodes: HashMap<String, NodeInfo>,
    /// Pods with a readiness gate of ours, by `namespace/name`.
    pods: HashMap<String, GatedPod>,
    /// Per slice, its endpoints a gate may be holding back: (address, pod).
    gate_candidates: HashMap<SliceKey, Vec<(IpAddr, String)>>,
    /// Bindings whose gate check is under way.
    gates_busy: HashSet<String>,
    /// Each running ip-mode binding that had gated pods waiting: what paces its gate checks.
    gate_clocks: HashMap<String, GateClock>,
    bindings: HashMap<String, Binding<E>>,
    synced: [bool; KINDS],
    relist: [Option<HashSet<String>>; KINDS],
    nodes_dirty: bool,
    attempts: u64,
    /// Which binding owns each running target group, for checkpoint and owned-target writes.
    names: Names,
    /// Serializes each target group's checkpoint writes and removals, so a removal never lands before an
    /// earlier write; groups never wait on each other.
    checkpoint_locks: KeyedLocks,
    /// Targets a resync found drifted and repaired, since start.
    repairs: u64,
    /// Whether this process leads. A standby keeps every cache from the watches but makes no AWS call and
    /// writes nothing.
    leading: bool,
    /// Each binding's status, written until it lands, newest last.
    status: LatestWins<String, (Option<i64>, Vec<Condition>)>,
}

/// A binding as its target group's writes name it.
#[derive(Clone)]
struct Owner {
    ns: String,
    name: String,
    uid: String,
}

type Names = Rc<RefCell<HashMap<TargetGroupKey, Owner>>>;

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// A manager that writes to Kubernetes through `ops` and calls ELB through `elb` with permits from `budget`.
    pub fn new(
        ops: K,
        elb: E,
        budget: Addr<ApiBudget>,
        tg_config: TgConfig,
        stores: Stores,
    ) -> Self {
        let names: Names = Rc::default();
        let checkpoint_locks = KeyedLocks::default();
        let invalidate: Invalidate = {
            let (ops, names, locks) = (ops.clone(), names.clone(), checkpoint_locks.clone());
            Rc::new(move |tg: TargetGroupKey| {
                let (ops, lock) = (ops.clone(), locks.get(&tg));
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
            checkpoint_locks,
            status: LatestWins::default(),
            leading: false,
            repairs: 0,
            budget,
            router: Router::default(),
            tg_config,
            zones: ZoneInterner::new(),
            stores,
            slices: HashMap::new(),
            nodes: HashMap::new(),
            pods: HashMap::new(),
            gate_candidates: HashMap::new(),
            gates_busy: HashSet::new(),
            gate_clocks: HashMap::new(),
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

    /// Tracks a relist of a kind kept here (not in a store); returns the keys that vanished when it ends.
    fn relist_step<O: kube::Resource>(&mut self, kind: Kind, ev: &Event<O>) -> Vec<String> {
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
            // Kept in stores: a relist is compared with the store when it ends (`events.rs`).
            Kind::Bindings | Kind::Services => Box::new(std::iter::empty()),
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
        if !self.leading || !self.all_synced() {
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
        if let Some((tg, by)) = self.target_group_holder(key) {
            self.fail(key, &BindingError::TargetGroupInUse { tg, by });
            return;
        }
        let b = &self.bindings[key];
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
                // No AWS call before the finalizer (and the spec it serves) is on the object: a binding
                // deleted while tgsync is down must still be drained by the next one.
                if self.finalized(key, ctx) {
                    self.kick_start(key, ctx);
                }
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
}

impl<K: KubeWrites, E: TgLookup> Handler<Lead> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, _: Lead, ctx: &mut Context<Self>) {
        if !self.leading {
            self.leading = true;
            // Started from the checkpoints where they match: taking over asks ELB only about what changed.
            self.reconcile_all(ctx);
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Actor for Manager<K, E> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(CHECKPOINT_EVERY, |act, _| {
            if act.leading {
                act.checkpoint_tick()
            }
        });
        ctx.run_interval(GATE_EVERY, |act, ctx| {
            if act.leading {
                act.gate_tick(ctx)
            }
        });
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

impl<T, K: KubeWrites, E: TgLookup> StreamHandler<Watched<T>> for Manager<K, E>
where
    Manager<K, E>: Handler<Watched<T>>,
    T: 'static,
{
    fn handle(&mut self, item: Watched<T>, ctx: &mut Self::Context) {
        <Self as Handler<Watched<T>>>::handle(self, item, ctx);
    }

    /// A feed ends only when its watcher did, which that watcher reports; the manager keeps serving until
    /// the process stops.
    fn finished(&mut self, _: &mut Self::Context) {}
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

#[cfg(test)]
mod tests;
