//! The Ingress controller: one actor that maps Ingresses to their groups and keeps one supervisor per group,
//! telling it whenever something the group is built from changed. It acts only once it leads and every
//! watch it reads has listed.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use actix::prelude::*;
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;
use kube::ResourceExt;
use tgsync_actors::stack::supervisor::{Changed, Idle, StackSupervisor, Stop, SupervisorConfig};
use tracing::warn;

use super::membership::{Unserved, Verdict};
use super::work::{GroupWork, Shared};
use crate::controller::leader::Lead;
use crate::controller::stores::ref_key;
use crate::controller::watchers::Watched;
use crate::crd::IngressClassParams;
use crate::crd::TargetGroupBinding;
use crate::ingress::group::{GroupId, EXPLICIT_FINALIZER_PREFIX, IMPLICIT_FINALIZER};
use crate::ingress::key::IngressKey;

const INGRESSES: usize = 0;
const CLASSES: usize = 1;
const SERVICES: usize = 2;
const PARAMS: usize = 3;
const NAMESPACES: usize = 4;
const BINDINGS: usize = 5;

/// The Event reason of an Ingress that is not served (the AWS Load Balancer Controller's).
const FAILED_LOAD_GROUP_ID: &str = "FailedLoadGroupID";

/// Maps Ingresses to groups and runs a supervisor per group.
pub struct IngressController {
    shared: Rc<Shared>,
    config: SupervisorConfig,
    supervisors: HashMap<GroupId, Addr<StackSupervisor<GroupWork>>>,
    /// The groups each Ingress (`ns/name`) was last seen to concern, so leaving one reconciles it too.
    seen: HashMap<String, HashSet<GroupId>>,
    /// Why each unserved Ingress is not served, as last reported, so a lasting problem is reported once.
    unserved: HashMap<String, String>,
    synced: [bool; 6],
    leading: bool,
    /// Where supervisors report a stack gone; set once started.
    me: Option<Recipient<Idle>>,
}

impl IngressController {
    /// A controller over `shared`, its supervisors timed by `config`.
    pub fn new(shared: Rc<Shared>, config: SupervisorConfig) -> Self {
        IngressController {
            shared,
            config,
            supervisors: HashMap::new(),
            seen: HashMap::new(),
            unserved: HashMap::new(),
            synced: [false; 6],
            leading: false,
            me: None,
        }
    }

    fn ready(&self) -> bool {
        self.leading && self.synced.iter().all(|s| *s)
    }

    /// The groups `ing` concerns: the one it is in, and those whose finalizer it still carries.
    fn groups_of(&mut self, ing: &Ingress) -> HashSet<GroupId> {
        let mut groups = HashSet::new();
        match self.shared.membership.classify(ing, &self.shared.stores) {
            Verdict::Member { group, .. } => {
                self.unserved.remove(&IngressKey::of(ing).to_string());
                groups.insert(group);
            }
            Verdict::Foreign => {
                self.unserved.remove(&IngressKey::of(ing).to_string());
            }
            Verdict::Unserved(why) => self.report_unserved(ing, &why),
        }
        for f in ing.finalizers() {
            if let Some(name) = f.strip_prefix(EXPLICIT_FINALIZER_PREFIX) {
                groups.insert(GroupId::Explicit(name.to_owned()));
            } else if f == IMPLICIT_FINALIZER {
                groups.insert(GroupId::Implicit(IngressKey::of(ing)));
            }
        }
        groups
    }

    /// Logs why `ing` is not served and, for an invalid class or group, puts a Warning Event on it; once
    /// per reason, and only when leading (a standby writes nothing).
    fn report_unserved(&mut self, ing: &Ingress, why: &Unserved) {
        if !self.ready() {
            return;
        }
        let key = IngressKey::of(ing);
        let note = format!("{why}; the Ingress is not served");
        if self.unserved.get(&key.to_string()) == Some(&note) {
            return;
        }
        self.unserved.insert(key.to_string(), note.clone());
        warn!(ingress = %key, reason = %why, "Ingress left alone");
        if let Unserved::Invalid(_) = why {
            let (ops, ing) = (self.shared.ops.clone(), ing.clone());
            actix::spawn(async move {
                ops.event(&ing, true, FAILED_LOAD_GROUP_ID, note).await;
            });
        }
    }

    /// Ingress `key` changed (or is gone): its groups, old and new, are told.
    fn ingress_changed(&mut self, key: &str, now: Option<&Ingress>) {
        let new = now.map(|i| self.groups_of(i)).unwrap_or_default();
        let old = match now {
            Some(_) => self.seen.insert(key.to_owned(), new.clone()),
            None => {
                self.unserved.remove(key);
                self.seen.remove(key)
            }
        }
        .unwrap_or_default();
        for g in old.union(&new) {
            self.touch(g);
        }
    }

    /// Every Ingress looked at again (a class changed, a relist ended, leadership began).
    fn all_changed(&mut self) {
        let ingresses = self.shared.stores.ingresses.state();
        let listed: HashSet<String> = ingresses
            .iter()
            .map(|i| IngressKey::of(i).to_string())
            .collect();
        let gone: Vec<String> = self
            .seen
            .keys()
            .filter(|k| !listed.contains(*k))
            .cloned()
            .collect();
        for k in gone {
            self.ingress_changed(&k, None);
        }
        for ing in ingresses {
            self.ingress_changed(&IngressKey::of(&ing).to_string(), Some(&ing));
        }
    }

    /// Tells `group`'s supervisor (started on first use) that it has something to look at.
    fn touch(&mut self, group: &GroupId) {
        if !self.ready() {
            return;
        }
        let (shared, config) = (self.shared.clone(), self.config.clone());
        let me = self.me.clone();
        self.supervisors
            .entry(group.clone())
            .or_insert_with(|| {
                let sup = StackSupervisor::new(
                    group.stack_id(),
                    config,
                    GroupWork::new(shared, group.clone()),
                );
                sup.reporting_idle_to(me).start()
            })
            .do_send(Changed);
    }

    /// The Ingresses whose class references params `name` (or any params, when `None`) in namespace `ns`
    /// (or any) are looked at again.
    fn params_users_changed(&mut self, name: Option<&str>, ns: Option<&str>) {
        let (membership, stores) = (&self.shared.membership, &self.shared.stores);
        let users: Vec<Arc<Ingress>> = stores
            .ingresses
            .state()
            .into_iter()
            .filter(|i| ns.is_none() || i.metadata.namespace.as_deref() == ns)
            .filter(|i| {
                membership
                    .params_name(i, stores)
                    .is_some_and(|p| name.is_none_or(|n| n == p))
            })
            .collect();
        for ing in users {
            self.ingress_changed(&IngressKey::of(&ing).to_string(), Some(&ing));
        }
    }

    fn listed(&mut self, which: usize) {
        self.synced[which] = true;
        self.all_changed();
    }
}

impl Actor for IngressController {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.me = Some(ctx.address().recipient());
    }
}

/// A supervisor whose group is gone is stopped once no Ingress concerns the group (as a member or by its
/// finalizer), so a deleted group costs nothing later (no resync reads).
impl Handler<Idle> for IngressController {
    type Result = ();

    fn handle(&mut self, msg: Idle, _: &mut Context<Self>) {
        let Some(group) = self
            .supervisors
            .keys()
            .find(|g| g.stack_id() == msg.0)
            .cloned()
        else {
            return;
        };
        if self.seen.values().any(|groups| groups.contains(&group)) {
            return;
        }
        if let Some(sup) = self.supervisors.remove(&group) {
            tracing::debug!(stack = %msg.0.id, "stack gone; its supervisor stopped");
            sup.do_send(Stop);
        }
    }
}

impl Handler<Lead> for IngressController {
    type Result = ();

    fn handle(&mut self, _: Lead, _: &mut Context<Self>) {
        self.leading = true;
        self.all_changed();
    }
}

impl Handler<Watched<ObjectRef<Ingress>>> for IngressController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<Ingress>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::Apply(r) | Event::Delete(r) => {
                let now = self.shared.stores.ingresses.get(&r);
                self.ingress_changed(&ref_key(&r), now.as_deref());
            }
            Event::Init | Event::InitApply(_) => {}
            Event::InitDone => self.listed(INGRESSES),
        }
    }
}

impl Handler<Watched<ObjectRef<IngressClass>>> for IngressController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<IngressClass>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::InitDone => self.listed(CLASSES),
            Event::Init | Event::InitApply(_) => {}
            Event::Apply(_) | Event::Delete(_) => self.all_changed(),
        }
    }
}

impl Handler<Watched<ObjectRef<IngressClassParams>>> for IngressController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<IngressClassParams>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::InitDone => self.listed(PARAMS),
            Event::Init | Event::InitApply(_) => {}
            Event::Apply(r) | Event::Delete(r) => self.params_users_changed(Some(&r.name), None),
        }
    }
}

impl Handler<Watched<ObjectRef<PartialObjectMeta<Namespace>>>> for IngressController {
    type Result = ();

    fn handle(
        &mut self,
        msg: Watched<ObjectRef<PartialObjectMeta<Namespace>>>,
        _: &mut Context<Self>,
    ) {
        match msg.0 {
            Event::InitDone => self.listed(NAMESPACES),
            Event::Init | Event::InitApply(_) => {}
            // Its labels may now pass or fail a params' namespaceSelector.
            Event::Apply(r) | Event::Delete(r) => self.params_users_changed(None, Some(&r.name)),
        }
    }
}

impl Handler<Watched<ObjectRef<Service>>> for IngressController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<Service>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::InitDone => self.listed(SERVICES),
            Event::Init | Event::InitApply(_) => {}
            // A backend appeared or went: every group with a member in its namespace looks again.
            Event::Apply(r) | Event::Delete(r) => {
                let ns = r.namespace.clone().unwrap_or_default();
                let groups: HashSet<GroupId> = self
                    .seen
                    .iter()
                    .filter(|(k, _)| k.split_once('/').is_some_and(|(n, _)| n == ns))
                    .flat_map(|(_, g)| g.iter().cloned())
                    .collect();
                for g in groups {
                    self.touch(&g);
                }
            }
        }
    }
}

impl Handler<Watched<ObjectRef<TargetGroupBinding>>> for IngressController {
    type Result = ();

    fn handle(&mut self, msg: Watched<ObjectRef<TargetGroupBinding>>, _: &mut Context<Self>) {
        match msg.0 {
            Event::InitDone => self.listed(BINDINGS),
            Event::Init | Event::InitApply(_) | Event::Apply(_) => {}
            // A drained binding is gone: the group that waited for it deletes its target group now.
            Event::Delete(r) => {
                let ns = r.namespace.clone().unwrap_or_default();
                let waiting = self.shared.draining.gone(&ns, &r.name);
                if let Some(group) = waiting {
                    self.touch(&group);
                }
            }
        }
    }
}

impl<T: 'static> StreamHandler<Watched<T>> for IngressController
where
    IngressController: Handler<Watched<T>>,
{
    fn handle(&mut self, item: Watched<T>, ctx: &mut Self::Context) {
        <Self as Handler<Watched<T>>>::handle(self, item, ctx);
    }

    /// A feed ends only when its watcher did, which that watcher reports.
    fn finished(&mut self, _: &mut Self::Context) {}
}
