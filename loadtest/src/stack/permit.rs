//! One permit of the account's `ApiBudget` before each call, as the daemon takes them.

use actix::Addr;
use tgsync_actors::budget::{Acquire, ApiBudget, ApiClass, LastChange, Priority, Request};
use tokio::sync::oneshot;
use tokio::time::Instant;

/// Permits of one budget at one priority.
#[derive(Clone)]
pub struct Permits {
    budget: Addr<ApiBudget>,
    priority: Priority,
}

/// The budget actor is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the API budget stopped")]
pub struct StopPermits;

impl Permits {
    /// Permits of `budget` asked for at `priority`.
    pub fn new(budget: Addr<ApiBudget>, priority: Priority) -> Self {
        Permits { budget, priority }
    }

    /// Resolves once one call of `class` may be made.
    pub async fn permit(&self, class: ApiClass) -> Result<(), StopPermits> {
        let now = Instant::now();
        let (reply, granted) = oneshot::channel();
        self.budget.do_send(Acquire {
            request: Request {
                class,
                priority: self.priority,
                waiting_since: now,
                last_change: LastChange::new(now),
            },
            reply,
        });
        granted.await.map(drop).map_err(|_| StopPermits)
    }
}
