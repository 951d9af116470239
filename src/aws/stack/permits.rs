//! Leave for each call the reader and the applier make, from the account's API budget.

use std::future::Future;

use tgsync_actors::budget::{ApiBudget, ApiClass, Priority};

use super::ReadError;
use tgsync_actors::budget::{permit, BudgetStopped};

/// Hands out one permit per call; the reader and the applier wait for one before every ELBv2 or EC2 call.
pub trait Permits: Sync {
    /// Resolves once one call of `class` may be made.
    fn permit(&self, class: ApiClass) -> impl Future<Output = Result<(), BudgetStopped>> + Send;

    /// Resolves once one describe call may be made.
    fn describe(&self) -> impl Future<Output = Result<(), ReadError>> + Send {
        async move {
            self.permit(ApiClass::Describe)
                .await
                .map_err(|e| ReadError::Other(e.to_string()))
        }
    }
}

/// Permits from the one account-wide `ApiBudget`. EC2 calls spend ELBv2 tokens too: the budget has no EC2
/// bucket, and EC2's own limits are far above ELBv2's, so this only errs on the safe side.
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
    async fn permit(&self, class: ApiClass) -> Result<(), BudgetStopped> {
        permit(&self.budget, class, self.priority).await
    }
}
