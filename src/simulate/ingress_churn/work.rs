//! `GroupWork`: one group's reconcile as the daemon's Ingress supervisor makes it — build the model with the
//! daemon's builder, read the stack, plan, apply — against the ELB model with the budget's permits.

use std::cell::RefCell;
use std::rc::Rc;

use tgsync_actors::stack::plan::plan;
use tgsync_actors::stack::supervisor::{Outcome, ReconcileFuture, StackWork};
use tgsync_actors::stack::Settled;
use tgsync_actors::target_group::Drain;
use tgsync_loadtest::stack::{ModelApplier, ModelReader};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::world::World;

/// The reconcile of group `group`.
pub struct GroupWork {
    pub group: usize,
    pub world: Rc<RefCell<World>>,
    pub reader: ModelReader,
    pub applier: ModelApplier,
}

impl StackWork for GroupWork {
    fn reconcile(&self) -> ReconcileFuture {
        let (g, world) = (self.group, self.world.clone());
        let (reader, applier) = (self.reader.clone(), self.applier.clone());
        Box::pin(async move {
            let started = Instant::now();
            world.borrow_mut().reconciles += 1;
            let build = world.borrow().build(g);
            let result = async {
                if !build.is_applicable() {
                    return Ok(None);
                }
                let deployed = reader
                    .read(&World::stack(g))
                    .await
                    .map_err(|e| e.to_string())?;
                let mut plan = plan(&build.model, &deployed);
                // As the daemon does: a target group goes only once its binding drained it.
                plan.hold_target_group_deletes(|arn| world.borrow().is_bound(arn));
                reader.cache().forget(&plan);
                let created = applier.apply(&plan).await.map_err(|e| e.to_string())?;
                Ok(Some((deployed, created)))
            }
            .await;
            let mut w = world.borrow_mut();
            match result {
                Ok(Some((deployed, created))) => {
                    let settled = Settled::of(&build.model, &deployed, &created);
                    for (arn, actor) in w.deployed(g, &build, &settled, &deployed, started) {
                        let world = world.clone();
                        actix::spawn(async move {
                            let (tx, rx) = oneshot::channel();
                            actor.do_send(Drain(tx));
                            if rx.await.is_ok() {
                                world.borrow_mut().drained(g, &arn);
                            }
                        });
                    }
                    Ok(Outcome::Serving)
                }
                Ok(None) => Ok(Outcome::Serving),
                Err(e) => {
                    w.failed_reconciles += 1;
                    Err(e)
                }
            }
        })
    }
}
