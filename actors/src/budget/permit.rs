//! One permit of the account's API budget, the step before every ELBv2 (and EC2) call the daemon makes.

use super::{Acquire, ApiBudget, ApiClass, LastChange, Priority, Request};
use tokio::sync::oneshot;
use tokio::time::Instant;

/// The budget actor is gone (the daemon is stopping): no call may be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the API budget stopped")]
pub struct BudgetStopped;

/// Waits until `budget` grants one call of `class` at `priority`.
pub async fn permit(
    budget: &actix::Addr<ApiBudget>,
    class: ApiClass,
    priority: Priority,
) -> Result<(), BudgetStopped> {
    let now = Instant::now();
    let (reply, granted) = oneshot::channel();
    budget.do_send(Acquire {
        request: Request {
            class,
            priority,
            waiting_since: now,
            last_change: LastChange::new(now),
        },
        reply,
    });
    granted.await.map(drop).map_err(|_| BudgetStopped)
}
