use std::time::Duration;

use actix::prelude::*;
use rustc_hash::FxHashMap;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::{ApiClass, BudgetConfig, BudgetCore, Request, RequestId};

const GATHER: Duration = Duration::from_millis(1);

/// Leave to make one call, handed out by the budget.
#[derive(Debug, Clone, Copy)]
pub struct Permit {
    /// The bucket the token came from.
    pub class: ApiClass,
    /// How long the request waited for it: the requester widens its batching window when this is long.
    pub waited: Duration,
    /// Requests still waiting in the same bucket after this one.
    pub queued_behind: usize,
}

/// Asks for one permit; it arrives on `reply`. Dropping the receiver withdraws the request.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Acquire {
    /// What is asked for.
    pub request: Request,
    /// Where the permit goes.
    pub reply: oneshot::Sender<Permit>,
}

struct Waiter {
    reply: oneshot::Sender<Permit>,
    asked_at: Instant,
    class: ApiClass,
}

/// The one account-wide API budget: every ELBv2 call in the process is made with one of its permits.
pub struct ApiBudget {
    core: BudgetCore,
    waiters: FxHashMap<RequestId, Waiter>,
    wake_at: Option<Instant>,
    pump_soon: bool,
}

impl ApiBudget {
    /// A budget with full buckets.
    pub fn new(config: BudgetConfig) -> Self {
        ApiBudget {
            core: BudgetCore::new(config, Instant::now()),
            waiters: FxHashMap::default(),
            wake_at: None,
            pump_soon: false,
        }
    }

    fn pump(&mut self, ctx: &mut Context<Self>) {
        let now = Instant::now();
        let closed: Vec<RequestId> = self
            .waiters
            .iter()
            .filter(|(_, w)| w.reply.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for id in closed {
            self.waiters.remove(&id);
            self.core.cancel(id);
        }
        for id in self.core.grant_ready(now) {
            if let Some(w) = self.waiters.remove(&id) {
                let permit = Permit {
                    class: w.class,
                    waited: now - w.asked_at,
                    queued_behind: self.core.waiting(w.class),
                };
                // A requester that vanished between the check above and now just loses the token.
                let _ = w.reply.send(permit);
            }
        }
        if let Some(at) = self.core.next_wake() {
            if self.wake_at.is_none_or(|w| at < w || w <= now) {
                self.wake_at = Some(at);
                ctx.run_later(at.saturating_duration_since(now), |act, ctx| {
                    act.wake_at = None;
                    act.pump(ctx);
                });
            }
        }
    }
}

impl Actor for ApiBudget {
    type Context = Context<Self>;
}

impl Handler<Acquire> for ApiBudget {
    type Result = ();

    fn handle(&mut self, msg: Acquire, ctx: &mut Context<Self>) {
        let class = msg.request.class;
        let id = self.core.submit(msg.request);
        self.waiters.insert(
            id,
            Waiter {
                reply: msg.reply,
                asked_at: Instant::now(),
                class,
            },
        );
        // Requests that arrive together are weighed together: granting each on arrival would hand the
        // bucket's burst to whoever asked first, registrations included, ahead of deregistrations. A
        // millisecond gathers every request of the same instant (in virtual time, everything runnable runs
        // before the clock moves).
        if !self.pump_soon {
            self.pump_soon = true;
            ctx.run_later(GATHER, |act, ctx| {
                act.pump_soon = false;
                act.pump(ctx);
            });
        }
    }
}
