//! What the scenario's supervisors share: the Ingresses and Services as the API server holds them, the
//! EndpointSlices as last seen, the target-group actors of the target groups the stacks created (what the
//! binding controller runs for their TargetGroupBindings), and when each edit was made and put in place.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use actix::prelude::*;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use tgsync::ingress::build::{
    build_group, Contribution, GroupBuild, GroupInput, Lookups, MemberStatus,
};
use tgsync::ingress::{GroupId, IngressKey};
use tgsync_actors::budget::ApiBudget;
use tgsync_actors::domain::{EndpointSliceSnapshot, Target, TargetGroupKey};
use tgsync_actors::stack::plan::plan;
use tgsync_actors::stack::supervisor::Changed;
use tgsync_actors::stack::{Deployed, Settled, StackId};
use tgsync_actors::target_group::{Router, SliceUpdate, TargetGroupActor, TgConfig};
use tgsync_loadtest::stack::peek_deployed;
use tgsync_loadtest::ElbModel;
use tokio::time::Instant;

use super::objects::{group_name, MemberDesc};

/// The cluster name on every tag.
pub const CLUSTER: &str = "sim";

/// One edit: its group, when it was made, when a reconcile that saw it finished.
pub struct EditRecord {
    pub group: usize,
    pub at: Instant,
    pub done: Option<Instant>,
}

/// The cluster and the binding side of the daemon, shared by every group's `StackWork`.
pub struct World {
    pub members: BTreeMap<String, (MemberDesc, Ingress)>,
    pub services: BTreeMap<(String, String), Service>,
    pub edits: Vec<EditRecord>,
    pub reconciles: u64,
    pub failed_reconciles: u64,
    previous: HashMap<usize, BTreeMap<IngressKey, Contribution>>,
    slices: HashMap<Arc<str>, EndpointSliceSnapshot>,
    bound: HashMap<String, (Arc<str>, Addr<TargetGroupActor<ElbModel>>)>,
    /// Target groups whose binding is being deleted: their actor deregisters every target first.
    draining: HashSet<String>,
    /// Each group's supervisor, told when a binding it waits for has drained.
    pub wake: Vec<Recipient<Changed>>,
    router: Router<ElbModel>,
    model: ElbModel,
    budget: Addr<ApiBudget>,
    tg: TgConfig,
}

impl World {
    /// An empty cluster with `services`.
    pub fn new(
        services: Vec<Service>,
        model: ElbModel,
        budget: Addr<ApiBudget>,
        tg: TgConfig,
    ) -> Self {
        let services = services
            .into_iter()
            .map(|s| {
                let ns = s.metadata.namespace.clone().unwrap_or_default();
                let name = s.metadata.name.clone().unwrap_or_default();
                ((ns, name), s)
            })
            .collect();
        World {
            members: BTreeMap::new(),
            services,
            edits: Vec::new(),
            reconciles: 0,
            failed_reconciles: 0,
            previous: HashMap::new(),
            slices: HashMap::new(),
            bound: HashMap::new(),
            draining: HashSet::new(),
            wake: Vec::new(),
            router: Router::default(),
            model,
            budget,
            tg,
        }
    }

    /// The stack of group `g`.
    pub fn stack(g: usize) -> StackId {
        GroupId::Explicit(group_name(g)).stack_id()
    }

    /// Group `g`'s model, built by the daemon's builder from its members now.
    pub fn build(&self, g: usize) -> GroupBuild {
        let members: Vec<&Ingress> = self
            .members
            .values()
            .filter(|(m, _)| m.group == g)
            .map(|(_, i)| i)
            .collect();
        let lookup = |ns: &str, name: &str| self.services.get(&(ns.to_owned(), name.to_owned()));
        let subnets = ["subnet-a".to_owned(), "subnet-b".to_owned()];
        let none = BTreeMap::new();
        build_group(&GroupInput {
            group: &GroupId::Explicit(group_name(g)),
            cluster: CLUSTER,
            members: &members,
            services: &lookup,
            subnets: &subnets,
            previous: self.previous.get(&g).unwrap_or(&none),
            lookups: &Lookups::default(),
            params: &BTreeMap::new(),
        })
    }

    /// A slice changed: kept for target groups bound later, and routed to those bound now.
    pub fn slice(&mut self, snap: EndpointSliceSnapshot) {
        self.slices.insert(snap.key.clone(), snap.clone());
        self.router.route(snap);
    }

    /// A reconcile of group `g` that started at `started` applied `build`'s model: bindings follow the
    /// target groups, and every edit of the group made before `started` is in place now. Answers the
    /// bindings to drain, as the binding controller does for a deleted TargetGroupBinding.
    pub fn deployed(
        &mut self,
        g: usize,
        build: &GroupBuild,
        settled: &Settled,
        deployed: &Deployed,
        started: Instant,
    ) -> Vec<(String, Addr<TargetGroupActor<ElbModel>>)> {
        let applied = build.members.iter().filter_map(|m| match &m.status {
            MemberStatus::Applied(c) => Some((m.key.clone(), (**c).clone())),
            MemberStatus::HeldBack { .. } => None,
        });
        self.previous.insert(g, applied.collect());
        for (rid, b) in &build.model.bindings {
            if let Some(arn) = settled.target_groups.get(rid) {
                self.bind(arn.clone(), format!("{}/{}", b.namespace, b.service).into());
            }
        }
        let mut drain = Vec::new();
        for (rid, live) in &deployed.target_groups {
            if !build.model.target_groups.contains_key(rid) {
                drain.extend(self.unbind(&live.arn).map(|a| (live.arn.clone(), a)));
            }
        }
        let now = Instant::now();
        for e in self.edits.iter_mut() {
            if e.group == g && e.at <= started && e.done.is_none() {
                e.done = Some(now);
            }
        }
        drain
    }

    /// Whether `arn` still has a binding (serving, or draining).
    pub fn is_bound(&self, arn: &str) -> bool {
        self.bound.contains_key(arn) || self.draining.contains(arn)
    }

    /// `arn`'s binding drained and is gone: its group may delete it now.
    pub fn drained(&mut self, g: usize, arn: &str) {
        self.draining.remove(arn);
        if let Some(w) = self.wake.get(g) {
            w.do_send(Changed);
        }
    }

    fn bind(&mut self, arn: String, service: Arc<str>) {
        if self.bound.contains_key(&arn) {
            return;
        }
        let config = TgConfig {
            port_name: Some("http".into()),
            ..self.tg.clone()
        };
        let key = TargetGroupKey::new(arn.clone());
        let actor = TargetGroupActor::new(
            key,
            config,
            Rc::new(self.model.clone()),
            self.budget.clone(),
        )
        .start();
        // The binding controller hands a new target group its Service's slices from its store.
        for s in self.slices.values().filter(|s| s.service == service) {
            actor.do_send(SliceUpdate(s.clone()));
        }
        self.router.bind(service.clone(), actor.clone());
        self.bound.insert(arn, (service, actor));
    }

    /// Stops routing slices to `arn`'s actor and answers it, to be drained.
    fn unbind(&mut self, arn: &str) -> Option<Addr<TargetGroupActor<ElbModel>>> {
        let (service, actor) = self.bound.remove(arn)?;
        self.router.unbind(&service, &actor);
        self.draining.insert(arn.to_owned());
        let mut snaps: Vec<EndpointSliceSnapshot> = self
            .slices
            .values()
            .filter(|s| s.service == service)
            .cloned()
            .collect();
        for snap in snaps.iter_mut() {
            snap.endpoints = Arc::from([]);
            actor.do_send(SliceUpdate(snap.clone()));
        }
        Some(actor)
    }

    /// Every edit in place, every group's ALB equal to its model, every bound target group holding its
    /// Service's `desired` targets, and no target call in flight.
    pub fn converged(&self, groups: usize, desired: &HashMap<Arc<str>, HashSet<Target>>) -> bool {
        let empty = HashSet::new();
        self.edits.iter().all(|e| e.done.is_some())
            && self.draining.is_empty()
            && self.model.mutating_in_flight() == 0
            && (0..groups).all(|g| {
                let live = peek_deployed(&self.model, &Self::stack(g), CLUSTER);
                plan(&self.build(g).model, &live).is_empty()
            })
            && self.bound.iter().all(|(arn, (svc, _))| {
                let key = TargetGroupKey::new(arn.clone());
                &self.model.registered(&key) == desired.get(svc).unwrap_or(&empty)
            })
    }

    /// Target groups with a target-group actor.
    pub fn bound(&self) -> usize {
        self.bound.len()
    }
}
