use std::rc::Rc;

use actix::prelude::*;
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::EndpointSliceSnapshot;
use tgsync_actors::target_group::{Adopt, Router, TargetGroupActor, TgConfig};

use crate::model::ElbModel;
use crate::runner::Strategy;
use crate::scenario::Topology;

/// The daemon's hot path as `tgsync run` wires it: one budget, one actor per binding, a router by Service.
pub struct Tgsync {
    router: Router<ElbModel>,
}

impl Tgsync {
    /// Starts the actors on the current actix system. Each actor adopts what the model already holds for its
    /// target group, as the daemon does after its start-up resync.
    pub fn start(topology: &Topology, model: ElbModel, budget: BudgetConfig, tg: TgConfig) -> Self {
        let budget = ApiBudget::new(budget).start();
        let elb = Rc::new(model.clone());
        let mut router = Router::default();
        for b in &topology.bindings {
            let config = TgConfig {
                port_name: b.port_name.clone(),
                ..tg.clone()
            };
            let actor =
                TargetGroupActor::new(b.tg.clone(), config, elb.clone(), budget.clone()).start();
            actor.do_send(Adopt(model.registered(&b.tg).into_iter().collect()));
            router.bind(b.service.clone(), actor);
        }
        Tgsync { router }
    }
}

impl Strategy for Tgsync {
    fn name(&self) -> &'static str {
        "tgsync"
    }

    fn on_slice(&mut self, snapshot: EndpointSliceSnapshot) {
        self.router.route(snapshot);
    }
}
