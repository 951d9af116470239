//! Deleting a binding: its actor is told the slices are empty, and once it answers that ELB holds nothing of
//! the binding's, the finalizer is released.

use std::sync::Arc;

use actix::prelude::*;
use tgsync_actors::target_group::{Drain, Shutdown, SliceUpdate, SourceUpdate};
use tokio::sync::oneshot;
use tracing::info;

use super::{Manager, NODES_SOURCE};
use crate::controller::bindings::binding::{Mode, Phase};
use crate::controller::bindings::kube_ops::without_finalizer;
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::crd::validate;

/// A draining binding's actor has deregistered everything.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Drained(String);

impl<K: KubeWrites, E: TgLookup> Handler<Drained> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: Drained, _: &mut Context<Self>) {
        if matches!(
            self.bindings.get(&msg.0).map(|b| &b.phase),
            Some(Phase::Draining(_))
        ) {
            self.release(&msg.0);
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
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
                // The actor answers once ELB holds nothing of ours and no call is in flight.
                let (tx, rx) = oneshot::channel();
                r.actor.do_send(Drain(tx));
                let (addr, key) = (ctx.address(), key.to_owned());
                actix::spawn(async move {
                    if rx.await.is_ok() {
                        addr.do_send(Drained(key));
                    }
                });
                b.phase = Phase::Draining(r);
            }
            Phase::Draining(r) => b.phase = Phase::Draining(r),
            // Deleted while tgsync was not running it: find what the target group holds, then drain. Without
            // our finalizer no call was ever made for it (refused, or deleted before it started).
            Phase::Idle if b.has_finalizer() && validate(&b.obj.spec).is_ok() => {
                self.kick_start(key, ctx)
            }
            Phase::Starting { attempt } => b.phase = Phase::Starting { attempt },
            _ => self.release(key),
        }
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
            self.checkpoint_locks.forget(&r.tg);
        }
        if without_finalizer(&b.obj).is_some() {
            {
                let _g = b.span.enter();
                info!("targets deregistered; removing the finalizer");
            }
            self.remove_finalizer(key);
        }
    }
}
