//! `GroupWork`: one group's reconcile as the daemon's Ingress supervisor makes it — build the model with the
//! daemon's builder, read the stack, plan, apply — against the ELB model with the budget's permits.

use std::cell::RefCell;
use std::rc::Rc;

use tgsync_actors::stack::plan::plan;
use tgsync_actors::stack::supervisor::{ReconcileFuture, StackWork};
use tgsync_loadtest::stack::{ModelApplier, ModelReader};
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
                let plan = plan(&build.model, &deployed);
                // The binding controller drains a target group's binding before the group goes.
                world.borrow_mut().unbind_deleted(&plan);
                let created = applier.apply(&plan).await.map_err(|e| e.to_string())?;
                Ok(Some((deployed, created)))
            }
            .await;
            let mut w = world.borrow_mut();
            match result {
                Ok(Some((deployed, created))) => {
                    w.deployed(g, &build, &deployed, &created, started);
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(e) => {
                    w.failed_reconciles += 1;
                    Err(e)
                }
            }
        })
    }
}
