//! Leave for each call the reader makes, from the account's API budget.

use std::future::Future;

use tgsync_actors::budget::{Acquire, ApiBudget, ApiClass, LastChange, Priority, Request};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::ReadError;

/// Hands out one Describe permit per call; the reader waits for it before every ELBv2 or EC2 call.
pub trait Permits: Sync {
    /// Resolves once one describe call may be made.
    fn describe(&self) -> impl Future<Output = Result<(), ReadError>> + Send;
}

/// Permits from the one account-wide `ApiBudget`. EC2 calls spend a Describe token too: the budget has no
/// EC2 bucket, and EC2's own limits are far above ELBv2's, so this only errs on the safe side.
#[derive(Clone, Debug)]
pub struct BudgetPermits {
    budget: actix::Addr<ApiBudget>,
    priority: Priority,
}

impl BudgetPermits {
    /// Permits of `budget` asked for at `priority`.
    pub fn new(budget: actix::Addr<ApiBudget>, priority: Priority) -> Self {
        BudgetPermits { budget, priority }
    }
}

impl Permits for BudgetPermits {
    async fn describe(&self) -> Result<(), ReadError> {
        let now = Instant::now();
        let (reply, permit) = oneshot::channel();
        self.budget.do_send(Acquire {
            request: Request {
                class: ApiClass::Describe,
                priority: self.priority,
                waiting_since: now,
                last_change: LastChange::new(now),
            },
            reply,
        });
        permit
            .await
            .map(|_| ())
            .map_err(|_| ReadError::Other("the API budget stopped".into()))
    }
}
