//! The NLB controller actor: one supervisor per Service that is ours or still carries our finalizer, told
//! whenever that Service changes. It acts only once it leads and its watches have listed.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use actix::prelude::*;
use k8s_openapi::api::core::v1::Service;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;
use kube::ResourceExt;
use tgsync_actors::stack::supervisor::{Changed, Idle, StackSupervisor, Stop, SupervisorConfig};

use super::work::{ServiceKey, ServiceWork, Shared};
use crate::controller::leader::Lead;
use crate::controller::watchers::Watched;
use crate::crd::TargetGroupBinding;
use crate::service::{is_ours, FINALIZER};

const SERVICES: usize = 0;
const BINDINGS: usize = 1;

/// Runs a supervisor per Service of ours.
pub struct NlbController {
    shared: Rc<Shared>,
    config: SupervisorConfig,
    supervisors: HashMap<ServiceKey, Addr<StackSupervisor<ServiceWork>>>,
    synced: [bool; 2],
    leading: bool,
    /// Where supervisors report a stack gone; set once started.
    me: Option<Recipient<Idle>>,
}

impl NlbController {
    /// A controller over `shared`, its supervisors timed by `config`.
    pub fn new(shared: Rc<Shared>, config: SupervisorConfig) -> Self {
        NlbController {
            shared,
            config,
            supervisors: HashMap::new(),
            synced: [false; 2],
            leading: false,
            me: None,
        }
    }

    fn ready(&self) -> bool {
        self.leading && self.synced.iter().all(|s| *s)
    }

    /// Whether `svc` is ours, or was and still carries our finalizer.
    fn concerns(&self, svc: &Service) -> bool {
        is_ours(svc, &self.shared.class) || svc.finalizers().iter().any(|f| f == FINALIZER)
    }

    /// Service `key` changed (`now` is what the store holds): its supervisor, started on first use, is told.
    fn changed(&mut self, key: ServiceKey, now: Option<&Service>) {
        if !self.ready() {
            return;
        }
        let wanted = now.is_some_and(|s| self.concerns(s));
        if !wanted && !self.supervisors.contains_key(&key) {
            return;
        }
        let (shared, config) = (self.shared.clone(), self.config.clone());
        let stack = crate::service::stack_id(&key.0, &key.1);
        let me = self.me.clone();
        self.supervisors
            .entry(key.clone())
            .or_insert_with(|| {
                let sup = StackSupervisor::new(stack, config, ServiceWork::new(shared, key));
                sup.reporting_idle_to(me).start()
            })
            .do_send(Changed);
    }

    /// The Service at `key` as the store holds it.
    fn service(&self, key: &ServiceKey) -> Option<Arc<Service>> {
        self.shared
            .stores
            .services
            .get(&ObjectRef::new(&key.1).within(&key.0))
    }

    /// Every Service looked at again (a relist ended, leadership began).
    fn all_changed(&mut self) {
        let services = self.shared.stores.services.state();
        let mut keys: Vec<ServiceKey> = self.supervisors.keys().cloned().collect();
        for s in &services {
            keys.push((s.namespace().unwrap_or_default(), s.name_any()));
        }
        keys.sort();
        keys.dedup();
        for key in keys {
            let now = self.service(&key);
            self.changed(key, now.as_deref());
        }
    }

    fn listed(&mut self, which: usize) {
        self.synced[which] = true;
        self.all_changed();
    }
}

impl Actor for NlbController {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.me = Some(ctx.address().recipient());
    }
}

/// A supervisor whose stack is gone is stopped once no Service wants it, so a deleted Service costs nothing
/// later (no resync reads).
impl Handler<Idle> for NlbController {
    type Result = ();

    fn handle(&mut self, msg: Idle, _: &mut Context<Self>) {
        let Some((ns, name)) = msg.0.id.split_once('/') else {
            return;
        };
        let key = (ns.to_owned(), name.to_owned());
        if self.service(&key).is_some_and(|s| self.concerns(&s)) {
            return;
        }
        if let Some(sup) = self.supervisors.remove(&key) {
            tracing::debug!(stack = %msg.0.id, "stack gone; its supervisor stopped");
            sup.do_send(Stop);
        }
    }
}

impl Handler<Lead> for NlbController {
    type Result = ();

    fn handle(&mut self, _: Lead, _: &mut Context<Self>) {
        self.leading = true;
        self.all_changed();
    }
}

impl Handler<Watched<ObjectRef<Service>>> for NlbController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<Service>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::Apply(r) | Event::Delete(r) => {
                let now = self.shared.stores.services.get(&r);
                let key = (r.namespace.clone().unwrap_or_default(), r.name.clone());
                self.changed(key, now.as_deref());
            }
            Event::Init | Event::InitApply(_) => {}
            Event::InitDone => self.listed(SERVICES),
        }
    }
}

impl Handler<Watched<ObjectRef<TargetGroupBinding>>> for NlbController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<TargetGroupBinding>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::InitDone => self.listed(BINDINGS),
            Event::Init | Event::InitApply(_) | Event::Apply(_) => {}
            // A drained binding is gone: the Service that waited for it deletes its target group now.
            Event::Delete(r) => {
                let ns = r.namespace.clone().unwrap_or_default();
                if let Some(key) = self.shared.draining.gone(&ns, &r.name) {
                    let now = self.service(&key);
                    self.changed(key, now.as_deref());
                }
            }
        }
    }
}

impl<T: 'static> StreamHandler<Watched<T>> for NlbController
where
    NlbController: Handler<Watched<T>>,
{
    fn handle(&mut self, item: Watched<T>, ctx: &mut Self::Context) {
        <Self as Handler<Watched<T>>>::handle(self, item, ctx);
    }

    /// A feed ends only when its watcher did, which that watcher reports.
    fn finished(&mut self, _: &mut Self::Context) {}
}
