//! Watch events: each kind's objects kept (slim) in the manager, and the bindings they concern reconciled.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use k8s_openapi::api::core::v1::{Node, Service};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;
use tgsync_actors::domain::{EndpointSliceSnapshot, SlicePort};
use tgsync_actors::target_group::Shutdown;

use super::gates::gate_candidates;
use super::{object_key, Kind, Manager, Watched};
use crate::controller::bindings::binding::{Binding, Phase};
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::controller::node::NodeInfo;
use crate::controller::stores::{object_ref, ref_key};
use crate::crd::TargetGroupBinding;
use crate::watch::SlimEndpointSlice;

impl<K: KubeWrites, E: TgLookup> Handler<Watched<ObjectRef<TargetGroupBinding>>> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<TargetGroupBinding>>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        match msg.0 {
            Event::Apply(r) => self.binding_changed(&ref_key(&r), ctx),
            Event::Delete(r) => {
                let key = ref_key(&r);
                // Gone from the store unless created again since (its Apply follows).
                if self.stores.bindings.get(&r).is_none() {
                    self.forget_binding(&key);
                    self.reconcile_refused(ctx);
                }
            }
            // The store swaps a relist in whole when it ends: read it then.
            Event::Init | Event::InitApply(_) => {}
            Event::InitDone => {
                self.synced[Kind::Bindings as usize] = true;
                let listed: HashSet<String> = self
                    .stores
                    .bindings
                    .state()
                    .iter()
                    .map(|b| object_key(b.as_ref()))
                    .collect();
                let vanished: Vec<String> = self
                    .bindings
                    .keys()
                    .filter(|k| !listed.contains(*k))
                    .cloned()
                    .collect();
                for key in vanished {
                    // Vanished while we were not watching: its finalizer was removed by someone else.
                    self.forget_binding(&key);
                }
                for key in listed {
                    self.binding_changed(&key, ctx);
                }
            }
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// Binding `key` as the store has it now, taken in and reconciled.
    fn binding_changed(&mut self, key: &str, ctx: &mut Context<Self>) {
        let Some(obj) = self.stores.bindings.get(&object_ref(key)) else {
            return;
        };
        match self.bindings.get_mut(key) {
            Some(b) if b.obj == *obj => {}
            Some(b) => {
                if b.obj.spec != obj.spec && matches!(b.phase, Phase::Gone) {
                    b.phase = Phase::Idle;
                }
                b.obj = (*obj).clone();
            }
            None => {
                self.bindings
                    .insert(key.to_owned(), Binding::new((*obj).clone()));
            }
        }
        self.reconcile(key, ctx);
    }

    pub(super) fn forget_binding(&mut self, key: &str) {
        if let Some(b) = self.bindings.remove(key) {
            if let Phase::Running(r) | Phase::Draining(r) = b.phase {
                self.router.unbind(&r.service, &r.actor);
                r.actor.do_send(Shutdown);
                self.elb.forget(&r.tg);
                self.checkpoint_locks.forget(&r.tg);
            }
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<Watched<ObjectRef<Service>>> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<Service>>, ctx: &mut Context<Self>) {
        let was_synced = self.all_synced();
        match msg.0 {
            // Bindings read their Service from the store when they reconcile.
            Event::Apply(r) | Event::Delete(r) => self.reconcile_service(&ref_key(&r), ctx),
            Event::Init | Event::InitApply(_) => {}
            Event::InitDone => {
                self.synced[Kind::Services as usize] = true;
                // A relist may hide any change: every binding looks at its Service again.
                if was_synced {
                    self.reconcile_all(ctx);
                }
            }
        }
        if !was_synced && self.all_synced() {
            self.reconcile_all(ctx);
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<Watched<SlimEndpointSlice>> for Manager<K, E> {
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

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// A deleted slice: its snapshot with no endpoints goes to the actors, then it is forgotten.
    pub(super) fn remove_slice(&mut self, key: &str) {
        for slices in self.slices.values_mut() {
            if let Some(mut snap) = slices.remove(key) {
                self.gate_candidates.remove(&snap.key);
                snap.endpoints = Arc::from([]);
                self.router.route(snap);
            }
        }
        self.slices.retain(|_, m| !m.is_empty());
    }

    pub(super) fn nodes_changed(&mut self, ctx: &mut Context<Self>) {
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

impl<K: KubeWrites, E: TgLookup> Handler<Watched<Node>> for Manager<K, E> {
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
    use super::*;

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
