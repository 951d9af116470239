//! The actor's periodic resync: read the target group back with a Background permit and repair what drifted.

use rustc_hash::FxHashSet;
use tracing::info;

use super::*;
use crate::elb::{HealthState, TargetHealth};

/// Time to read the target group back; sent by the resync timer.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Resync;

/// The resync timer and whether a resync is under way.
#[derive(Default)]
pub(super) struct ResyncState {
    timer: Option<JoinHandle<()>>,
    running: bool,
}

/// Where in the period a target group's resyncs fall: spread evenly by its key, the same in every run.
pub(super) fn offset(key: &TargetGroupKey, period: Duration) -> Duration {
    let h = key.as_str().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    period.mul_f64((h % 1_000_000) as f64 / 1_000_000.0)
}

impl<E: ElbTargets> TargetGroupActor<E> {
    /// Starts the resync timer if the configuration asks for one: at the key's offset, then every period.
    pub(super) fn start_resync(&mut self, ctx: &mut Context<Self>) {
        let Some(period) = self.core.config().sync_period else {
            return;
        };
        // Weak: the timer must not keep an actor alive that everyone else has let go of.
        let addr = ctx.address().downgrade();
        let mut at = Instant::now() + offset(&self.key, period);
        // A task of its own, like the batch timer: the actor's context polls its futures on every message.
        self.resync.timer = Some(actix_rt::spawn(async move {
            loop {
                tokio::time::sleep_until(at).await;
                let Some(actor) = addr.upgrade() else {
                    return;
                };
                actor.do_send(Resync);
                at += period;
            }
        }));
    }

    /// Stops the resync timer.
    pub(super) fn stop_resync(&mut self) {
        if let Some(h) = self.resync.timer.take() {
            h.abort();
        }
    }

    fn calling(&self) -> bool {
        self.core.in_flight(Action::Register) || self.core.in_flight(Action::Deregister)
    }

    fn resynced(
        &mut self,
        calls: u64,
        res: Result<Vec<TargetHealth>, ElbError>,
        ctx: &mut Context<Self>,
    ) {
        self.resync.running = false;
        let _g = self.span.enter();
        if self.calls_started != calls || self.calling() {
            debug!("resync discarded: a call for the group raced the describe");
            return;
        }
        let rows = match res {
            Ok(rows) => rows,
            Err(e) => {
                warn!(error = %e, "resync describe failed; the next period tries again");
                return;
            }
        };
        // A draining target has been deregistered: ELB no longer holds it.
        let listed: FxHashSet<Target> = rows
            .into_iter()
            .filter(|r| r.state != HealthState::Draining)
            .map(|r| r.target)
            .collect();
        let now = Instant::now();
        let repair = self.core.resync(now, &listed);
        if !repair.is_empty() {
            info!(
                registered = repair.registered,
                deregistered = repair.deregistered,
                "resync found the target group drifted; repairing"
            );
            if let Some(r) = &self.reporter {
                r.do_send(TgReport::Repaired {
                    tg: self.key.clone(),
                    registered: repair.registered,
                    deregistered: repair.deregistered,
                });
            }
        }
        drop(_g);
        self.drive(now, ctx);
    }
}

impl<E: ElbTargets> Handler<Resync> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, _: Resync, ctx: &mut Context<Self>) {
        if self.resync.running || self.core.is_gone() || self.calling() {
            let _g = self.span.enter();
            debug!("resync skipped: one is under way or a call is in flight");
            return;
        }
        self.resync.running = true;
        let now = Instant::now();
        let (reply, permit) = oneshot::channel();
        self.budget.do_send(Acquire {
            request: Request {
                class: ApiClass::Describe,
                priority: Priority::Background,
                waiting_since: now,
                last_change: LastChange::new(now),
            },
            reply,
        });
        ctx.spawn(permit.into_actor(self).map(|permit, act, ctx| {
            if permit.is_err() || act.calling() {
                // The budget stopped, or a call started while we waited: its answer would race ours.
                act.resync.running = false;
                return;
            }
            let calls = act.calls_started;
            let fut = act.elb.describe_health(&act.key);
            ctx.spawn(
                fut.into_actor(act)
                    .map(move |res, act, ctx| act.resynced(calls, res, ctx)),
            );
        }));
    }
}
