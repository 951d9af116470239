//! Deleting a binding: its actor is told the slices are empty, the manager waits until the binding owns no
//! target in ELB, then releases the finalizer.

use super::*;

impl Manager {
    pub(super) fn begin_delete(&mut self, key: &str, ctx: &mut Context<Self>) {
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

    pub(super) fn poll_drain(&mut self, key: String, empty_polls: u32, ctx: &mut Context<Self>) {
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
    pub(super) fn release(&mut self, key: &str) {
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
}
