use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::EndpointSliceSnapshot;
use tgsync_actors::target_group::{Adopt, Router, Shutdown, TargetGroupActor, TgConfig};
use tgsync_actors::tracked::Tracked;

use super::kube_side::{KubeModel, KubeSide};
use crate::model::ElbModel;
use crate::runner::Strategy;
use crate::scenario::Topology;

type Elb = Tracked<ElbModel>;

/// The daemon's hot path as `tgsync run` wires it: one budget, one actor per binding, a router by Service, the
/// calls wrapped as the binding controller wraps them, and its Kubernetes side (checkpoints, readiness gates).
pub struct Tgsync {
    router: Router<Elb>,
    actors: Vec<Addr<TargetGroupActor<Elb>>>,
    kube: KubeSide,
}

impl Tgsync {
    /// Starts the actors on the current actix system. Each actor adopts what the model already holds for its
    /// target group, as the daemon does after its start-up resync.
    pub fn start(
        topology: &Topology,
        model: ElbModel,
        budget: BudgetConfig,
        tg: TgConfig,
        kube: KubeModel,
    ) -> Self {
        let budget = ApiBudget::new(budget).start();
        let mut side = KubeSide::new(kube, topology);
        let elb = Rc::new(Tracked::new(model.clone()).with_invalidate(side.invalidate()));
        let (mut router, mut actors) = (Router::default(), Vec::new());
        for b in &topology.bindings {
            let config = TgConfig {
                port_name: b.port_name.clone(),
                ..tg.clone()
            };
            let registered: Vec<_> = model.registered(&b.tg).into_iter().collect();
            elb.adopt(&b.tg, &registered);
            let actor =
                TargetGroupActor::new(b.tg.clone(), config, elb.clone(), budget.clone()).start();
            actor.do_send(Adopt(registered));
            router.bind(b.service.clone(), actor.clone());
            actors.push(actor);
        }
        let tgs = topology.bindings.iter().map(|b| b.tg.clone()).collect();
        side.start(elb, budget, tgs);
        Tgsync {
            router,
            actors,
            kube: side,
        }
    }
}

impl Strategy for Tgsync {
    fn name(&self) -> &'static str {
        "tgsync"
    }

    fn on_slice(&mut self, snapshot: EndpointSliceSnapshot) {
        self.kube.on_slice(&snapshot);
        // The daemon decodes every event into arrays of its own and keeps the latest per slice: copy, so the
        // arrays it keeps are its allocations and not the scenario's (shared across events).
        let endpoints = Arc::from(&snapshot.endpoints[..]);
        self.router.route(EndpointSliceSnapshot {
            endpoints,
            ..snapshot
        });
    }

    fn idle(&mut self, _quiet: Duration) {
        self.kube.idle();
    }

    fn kube_writes(&self) -> Option<u64> {
        Some(self.kube.writes())
    }

    fn gate_waits(&self) -> Option<Vec<f64>> {
        self.kube.gate_waits()
    }

    fn stop(&mut self) -> bool {
        self.kube.stop();
        for actor in self.actors.drain(..) {
            actor.do_send(Shutdown);
        }
        self.router = Router::default();
        true
    }
}
