//! Answers from the actors: a binding's start (what its target group holds) and trouble reports.

use actix::prelude::*;
use tgsync_actors::domain::TargetGroupKey;
use tgsync_actors::elb::ElbError;
use tgsync_actors::target_group::{Shutdown, TgReport};
use tracing::warn;

use super::{Manager, Started, START_RETRY};
use crate::controller::bindings::binding::Phase;
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::crd::{BindingError, ConditionKind, ConditionUpdate};

impl<K: KubeWrites, E: TgLookup> Handler<Started> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: Started, ctx: &mut Context<Self>) {
        let Some(b) = self.bindings.get_mut(&msg.key) else {
            return;
        };
        if !matches!(b.phase, Phase::Starting { attempt } if attempt == msg.attempt) {
            return;
        }
        b.phase = Phase::Idle;
        if b.obj.metadata.deletion_timestamp.is_some() {
            match msg.result {
                Ok(found) => {
                    self.start_actor(&msg.key, found, ctx);
                    self.begin_delete(&msg.key, ctx);
                }
                // Not found: nothing to deregister. Other errors: try again, the finalizer holds the object.
                Err(ElbError::TargetGroupNotFound(_)) => self.release(&msg.key),
                Err(_) => {
                    let key = msg.key.clone();
                    ctx.run_later(START_RETRY, move |act, ctx| act.reconcile(&key, ctx));
                }
            }
            return;
        }
        match msg.result {
            Ok(found) => self.start_actor(&msg.key, found, ctx),
            Err(ElbError::TargetGroupNotFound(m)) => {
                let name = b
                    .obj
                    .spec
                    .target_group_arn
                    .clone()
                    .or_else(|| b.obj.spec.target_group_name.clone())
                    .unwrap_or(m);
                b.phase = Phase::Gone;
                self.fail(&msg.key, &BindingError::TargetGroupNotFound(name));
            }
            Err(e) => {
                {
                    let _g = b.span.enter();
                    warn!(error = %e, retry_in_s = START_RETRY.as_secs(), "cannot read the target group");
                }
                let key = msg.key.clone();
                ctx.run_later(START_RETRY, move |act, ctx| act.reconcile(&key, ctx));
            }
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<TgReport> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: TgReport, _: &mut Context<Self>) {
        match msg {
            TgReport::Gone { tg, message } => {
                let Some(key) = self.binding_for_tg(&tg) else {
                    return;
                };
                let b = self.bindings.get_mut(&key).expect("found above");
                let draining = matches!(b.phase, Phase::Draining(_));
                if let Phase::Running(r) | Phase::Draining(r) =
                    std::mem::replace(&mut b.phase, Phase::Gone)
                {
                    self.router.unbind(&r.service, &r.actor);
                    r.actor.do_send(Shutdown);
                    self.elb.forget(&r.tg);
                    self.checkpoint_locks.forget(&r.tg);
                }
                if draining {
                    // Nothing left to deregister from a target group that no longer exists.
                    self.release(&key);
                } else {
                    self.fail(
                        &key,
                        &BindingError::TargetGroupNotFound(format!("{tg} ({message})")),
                    );
                }
            }
            TgReport::Rejected { tg, targets } => {
                let Some(key) = self.binding_for_tg(&tg) else {
                    return;
                };
                let b = &self.bindings[&key];
                let note = format!("ELB refused {} target(s): {:?}", targets.len(), targets);
                let (ops, obj) = (self.ops.clone(), b.obj.clone());
                actix::spawn(async move { ops.event(&obj, true, "InvalidTargets", note).await });
            }
            TgReport::QuotaExceeded { tg, wanted, limit } => {
                let message = format!(
                    "{wanted} targets wanted, target group {tg} takes at most {limit}: the lowest {limit} are \
                     registered, the rest wait until the wanted set changes"
                );
                self.report(&tg, true, "TooManyTargets", message);
            }
            TgReport::WithinQuota { tg } => {
                let message = format!("every wanted target fits in target group {tg} again");
                self.report(&tg, false, "WithinQuota", message);
            }
            TgReport::Repaired {
                tg,
                registered,
                deregistered,
            } => {
                self.repairs += (registered + deregistered) as u64;
                let Some(key) = self.binding_for_tg(&tg) else {
                    return;
                };
                let b = &self.bindings[&key];
                {
                    let _g = b.span.enter();
                    warn!(%tg, registered, deregistered, repairs_total = self.repairs, "resync found ELB drifted; repaired");
                }
                let note = format!(
                    "target group {tg} had drifted: {registered} wanted target(s) missing, queued again; \
                     {deregistered} unwanted target(s) already gone"
                );
                let (ops, obj) = (self.ops.clone(), b.obj.clone());
                actix::spawn(async move { ops.event(&obj, false, "DriftRepaired", note).await });
            }
        }
    }
}

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// Sets `TargetsOverQuota` on the binding of `tg` (`over`, with a Warning Event) or clears it.
    fn report(&mut self, tg: &TargetGroupKey, over: bool, reason: &str, message: String) {
        let Some(key) = self.binding_for_tg(tg) else {
            return;
        };
        if over {
            let b = &self.bindings[&key];
            {
                let _g = b.span.enter();
                warn!(%tg, %message, "target group quota reached");
            }
            let (ops, obj, note) = (self.ops.clone(), b.obj.clone(), message.clone());
            let reason_owned = reason.to_owned();
            actix::spawn(async move { ops.event(&obj, true, &reason_owned, note).await });
        }
        let update = ConditionUpdate {
            kind: ConditionKind::TargetsOverQuota,
            status: over,
            reason: reason.into(),
            message,
        };
        self.set_conditions(&key, &[update]);
    }
}
