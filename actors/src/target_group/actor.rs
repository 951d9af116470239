use std::rc::Rc;
use std::time::Duration;

use actix::prelude::*;
use actix_rt::task::JoinHandle;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{debug, error, warn};

mod resync;

use resync::ResyncState;

use super::ledger::slot;
use super::{CallOutcome, TargetGroupCore, TgConfig, TgReport, TgReporter};
use crate::budget::{Acquire, ApiBudget, ApiClass, LastChange, Permit, Priority, Request};
use crate::domain::{Action, EndpointSliceSnapshot, SliceKey, Target, TargetGroupKey};
use crate::elb::{ElbError, ElbTargets};

/// A new snapshot of one EndpointSlice of the bound Service.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SliceUpdate(pub EndpointSliceSnapshot);

/// A new target list from a non-slice source (instance mode: the nodes that match).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SourceUpdate {
    /// Names the source.
    pub key: SliceKey,
    /// Its targets now.
    pub targets: Vec<Target>,
}

/// Targets found registered in ELB and owned by this binding (start-up resync, or a simulation's warm start).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Adopt(pub Vec<Target>);

/// Asks for an answer once every target this actor registered is deregistered and nothing is pending or in
/// flight (the owner sends empty snapshots first). A deleted binding is released then.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Drain(pub oneshot::Sender<()>);

/// The actor's timer fired: whatever was due at this instant may go now.
#[derive(Message)]
#[rtype(result = "()")]
struct Tick(Instant);

/// Stops the actor at once (pending work is dropped: the owner decides whether to drain first).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown;

struct Slot {
    /// Whether a permit is asked for and not yet here.
    asking: bool,
    /// The quiet time the budget reads while we ask: one per action for the actor's life, since at most one
    /// request per action waits at a time (a new one per ask would be an allocation per call).
    last_change: LastChange,
    backoff_until: Option<Instant>,
    failures: u32,
}

impl Slot {
    fn new(now: Instant) -> Self {
        Slot {
            asking: false,
            last_change: LastChange::new(now),
            backoff_until: None,
            failures: 0,
        }
    }
}

const ACTIONS: [Action; 2] = [Action::Deregister, Action::Register];

/// The actor of one target group: feeds its core, owns its timers, asks the budget for permits and makes the
/// calls the core decides on.
pub struct TargetGroupActor<E: ElbTargets> {
    key: TargetGroupKey,
    core: TargetGroupCore,
    elb: Rc<E>,
    budget: Addr<ApiBudget>,
    reporter: Option<TgReporter>,
    slots: [Slot; 2],
    timer: Option<(Instant, JoinHandle<()>)>,
    drains: Vec<oneshot::Sender<()>>,
    /// The quota state last reported, so a report goes once per change.
    quota_reported: Option<usize>,
    resync: ResyncState,
    /// Calls made so far: a resync whose describe overlapped one is discarded.
    calls_started: u64,
    span: tracing::Span,
}

impl<E: ElbTargets> TargetGroupActor<E> {
    /// An actor for `key` that calls `elb` with permits from `budget`.
    pub fn new(key: TargetGroupKey, config: TgConfig, elb: Rc<E>, budget: Addr<ApiBudget>) -> Self {
        let span = tracing::info_span!("target_group", tg = %key);
        TargetGroupActor {
            key,
            core: TargetGroupCore::new(config),
            elb,
            budget,
            reporter: None,
            slots: [Slot::new(Instant::now()), Slot::new(Instant::now())],
            timer: None,
            drains: Vec::new(),
            quota_reported: None,
            resync: ResyncState::default(),
            calls_started: 0,
            span,
        }
    }

    /// Sends trouble reports to `reporter`.
    pub fn with_reporter(mut self, reporter: TgReporter) -> Self {
        self.reporter = Some(reporter);
        self
    }

    /// Schedules or asks for whatever the core says is due at `now`.
    fn drive(&mut self, now: Instant, ctx: &mut Context<Self>) {
        let mut wake: Option<Instant> = None;
        for (i, action) in ACTIONS.into_iter().enumerate() {
            if self.slots[i].asking {
                // The budget is choosing among waiters by quiet time: keep ours current.
                if let Some(t) = self.core.last_change(action) {
                    self.slots[i].last_change.set(t);
                }
                continue;
            }
            let Some(mut at) = self.core.next_flush(action) else {
                continue;
            };
            if let Some(b) = self.slots[i].backoff_until {
                at = at.max(b);
            }
            if at <= now {
                self.ask(action, now, ctx);
            } else {
                wake = Some(wake.map_or(at, |w| w.min(at)));
            }
        }
        // One timer for both actions, and one due sooner is kept: when it fires, `drive` arms the next. The
        // timer is a task of its own that sends a `Tick`, not a future of this actor's context: those are
        // polled on every message, and a slice update should cost no timer work.
        match wake {
            None => {
                if let Some((_, h)) = self.timer.take() {
                    h.abort();
                }
            }
            Some(at) if self.timer.as_ref().is_none_or(|(t, _)| *t > at) => {
                if let Some((_, h)) = self.timer.take() {
                    h.abort();
                }
                let addr = ctx.address();
                let h = actix_rt::spawn(async move {
                    tokio::time::sleep_until(at).await;
                    addr.do_send(Tick(at));
                });
                self.timer = Some((at, h));
            }
            Some(_) => {}
        }
        self.report_quota();
        if !self.drains.is_empty()
            && self.core.is_settled()
            && self.core.registered().next().is_none()
        {
            for d in self.drains.drain(..) {
                let _ = d.send(());
            }
        }
    }

    /// Tells the owner when the target group starts or stops wanting more targets than it may hold.
    fn report_quota(&mut self) {
        let now = self.core.over_quota();
        if now == self.quota_reported {
            return;
        }
        self.quota_reported = now;
        let tg = self.key.clone();
        let report = match now {
            Some(limit) => {
                let wanted = self.core.wanted_len();
                let _g = self.span.enter();
                warn!(wanted, limit, "more targets wanted than the target group may hold; the lowest that fit are registered");
                TgReport::QuotaExceeded { tg, wanted, limit }
            }
            None => TgReport::WithinQuota { tg },
        };
        if let Some(r) = &self.reporter {
            r.do_send(report);
        }
    }

    fn ask(&mut self, action: Action, now: Instant, ctx: &mut Context<Self>) {
        let i = slot(action);
        let slot = &mut self.slots[i];
        slot.last_change
            .set(self.core.last_change(action).unwrap_or(now));
        slot.asking = true;
        let last_change = slot.last_change.clone();
        let (reply, permit) = oneshot::channel();
        self.budget.do_send(Acquire {
            request: Request {
                class: ApiClass::Targets,
                priority: match action {
                    Action::Deregister => Priority::Urgent,
                    Action::Register => Priority::Normal,
                },
                waiting_since: self.core.waiting_since(action).unwrap_or(now),
                last_change,
            },
            reply,
        });
        ctx.spawn(permit.into_actor(self).map(move |permit, act, ctx| {
            act.slots[i].asking = false;
            match permit {
                Ok(permit) => act.call(action, permit, ctx),
                Err(_) => {
                    let _g = act.span.enter();
                    error!("the API budget stopped; target group actor stops too");
                    ctx.stop();
                }
            }
        }));
    }

    fn call(&mut self, action: Action, permit: Permit, ctx: &mut Context<Self>) {
        self.core.note_permit_wait(permit.waited);
        let batch = self.core.take_batch(action);
        if batch.is_empty() {
            // Everything cancelled while we waited; the token is spent, the next batch gets a fresh window.
            self.drive(Instant::now(), ctx);
            return;
        }
        {
            let _g = self.span.enter();
            debug!(
                action = action.as_str(),
                targets = batch.len(),
                waited_ms = permit.waited.as_millis() as u64,
                "calling ELB"
            );
        }
        self.calls_started += 1;
        let fut = match action {
            Action::Register => self.elb.register(&self.key, batch),
            Action::Deregister => self.elb.deregister(&self.key, batch),
        };
        ctx.spawn(
            fut.into_actor(self)
                .map(move |res, act, ctx| act.finish(action, res, ctx)),
        );
    }

    fn finish(&mut self, action: Action, res: Result<(), ElbError>, ctx: &mut Context<Self>) {
        let now = Instant::now();
        let i = slot(action);
        let outcome = match &res {
            Ok(()) => CallOutcome::Applied,
            Err(ElbError::Throttled | ElbError::Other(_)) => CallOutcome::Retry,
            Err(ElbError::InvalidTarget(_)) => CallOutcome::Rejected,
            Err(ElbError::TargetGroupNotFound(_)) => CallOutcome::Gone,
            Err(ElbError::QuotaExceeded(_)) => CallOutcome::QuotaExceeded,
        };
        let done = self.core.complete(now, action, outcome);
        let _g = self.span.enter();
        match res {
            Ok(()) => {
                self.slots[i].failures = 0;
                self.slots[i].backoff_until = None;
            }
            Err(e @ (ElbError::Throttled | ElbError::Other(_))) => {
                let s = &mut self.slots[i];
                s.failures += 1;
                let delay = backoff(self.core.config(), s.failures, &self.key);
                s.backoff_until = Some(now + delay);
                let retry_in_ms = delay.as_millis() as u64;
                // A message of its own, so a throttle (the budget's business) reads apart from a failure.
                if matches!(e, ElbError::Throttled) {
                    warn!(
                        action = action.as_str(),
                        retry_in_ms, "throttled; targets kept for the next call"
                    );
                } else {
                    warn!(action = action.as_str(), error = %e, retry_in_ms, "call failed; targets kept for the next call");
                }
            }
            Err(ElbError::InvalidTarget(msg)) => {
                warn!(action = action.as_str(), error = %msg, "ELB refused a target; isolating it");
            }
            Err(ElbError::QuotaExceeded(msg)) => {
                // Not retried: the same call would fail again. The limit it taught the core is reported below.
                self.slots[i].failures = 0;
                self.slots[i].backoff_until = None;
                warn!(action = action.as_str(), error = %msg, "ELB quota reached; registrations wait until the wanted set changes");
            }
            Err(ElbError::TargetGroupNotFound(msg)) => {
                error!(error = %msg, "target group not found; no more calls for it");
                if let Some(r) = &self.reporter {
                    r.do_send(TgReport::Gone {
                        tg: self.key.clone(),
                        message: msg,
                    });
                }
            }
        }
        if !done.rejected.is_empty() {
            warn!(targets = ?done.rejected, "targets refused by ELB are held back until their endpoints change");
            if let Some(r) = &self.reporter {
                r.do_send(TgReport::Rejected {
                    tg: self.key.clone(),
                    targets: done.rejected,
                });
            }
        }
        drop(_g);
        self.drive(now, ctx);
    }
}

/// Exponential backoff with a deterministic spread per target group, so throttled actors do not retry in
/// lock-step (and simulations stay reproducible).
fn backoff(cfg: &TgConfig, failures: u32, key: &TargetGroupKey) -> Duration {
    let exp = cfg
        .backoff
        .saturating_mul(1 << failures.saturating_sub(1).min(16));
    let base = exp.min(cfg.max_backoff);
    let spread = key.as_str().bytes().fold(failures as u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(b as u64)
    }) % 1000;
    base + base.mul_f64(spread as f64 / 2000.0)
}

impl<E: ElbTargets> Actor for TargetGroupActor<E> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.start_resync(ctx);
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        if let Some((_, h)) = self.timer.take() {
            h.abort();
        }
        self.stop_resync();
    }
}

impl<E: ElbTargets> Handler<Tick> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, Tick(at): Tick, ctx: &mut Context<Self>) {
        // A replaced timer may have fired before its abort landed: the one armed now stays.
        if self.timer.as_ref().is_some_and(|(t, _)| *t == at) {
            self.timer = None;
        }
        self.drive(Instant::now(), ctx);
    }
}

impl<E: ElbTargets> Handler<SliceUpdate> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, msg: SliceUpdate, ctx: &mut Context<Self>) {
        let now = Instant::now();
        if self.core.apply_slice(now, msg.0) {
            self.drive(now, ctx);
        }
    }
}

impl<E: ElbTargets> Handler<SourceUpdate> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, msg: SourceUpdate, ctx: &mut Context<Self>) {
        let now = Instant::now();
        if self.core.apply_source(now, &msg.key, msg.targets) {
            self.drive(now, ctx);
        }
    }
}

impl<E: ElbTargets> Handler<Adopt> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, msg: Adopt, ctx: &mut Context<Self>) {
        let now = Instant::now();
        self.core.adopt_registered(now, msg.0);
        self.drive(now, ctx);
    }
}

impl<E: ElbTargets> Handler<Drain> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, msg: Drain, ctx: &mut Context<Self>) {
        self.drains.push(msg.0);
        self.drive(Instant::now(), ctx);
    }
}

impl<E: ElbTargets> Handler<Shutdown> for TargetGroupActor<E> {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
