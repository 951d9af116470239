//! Leave for each call the applier makes, from the account's API budget, in the call's class.

use std::future::Future;

use tgsync_actors::budget::{Acquire, ApiBudget, ApiClass, LastChange, Priority, Request};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::ApplyErrorKind;

/// Hands out one permit per call; the applier waits for it before every ELBv2 or EC2 call.
pub trait CallPermits {
    /// Resolves once one call of `class` may be made.
    fn permit(&self, class: ApiClass) -> impl Future<Output = Result<(), ApplyErrorKind>>;
}

/// Permits from the one account-wide `ApiBudget`, at normal priority: a stack change waits behind
/// deregistrations but not behind background resyncs.
#[derive(Clone, Debug)]
pub struct BudgetCallPermits {
    budget: actix::Addr<ApiBudget>,
}

impl BudgetCallPermits {
    /// Permits of `budget`.
    pub fn new(budget: actix::Addr<ApiBudget>) -> Self {
        BudgetCallPermits { budget }
    }
}

impl CallPermits for BudgetCallPermits {
    async fn permit(&self, class: ApiClass) -> Result<(), ApplyErrorKind> {
        let now = Instant::now();
        let (reply, permit) = oneshot::channel();
        self.budget.do_send(Acquire {
            request: Request {
                class,
                priority: Priority::Normal,
                waiting_since: now,
                last_change: LastChange::new(now),
            },
            reply,
        });
        permit
            .await
            .map(|_| ())
            .map_err(|_| ApplyErrorKind::Other("the API budget stopped".into()))
    }
}
