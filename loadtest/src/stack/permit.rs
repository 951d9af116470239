//! One permit of the account's `ApiBudget` before each call, as the daemon takes them.

use actix::Addr;
use tgsync_actors::budget::{permit, ApiBudget, ApiClass, BudgetStopped, Priority};

/// Permits of one budget at one priority.
#[derive(Clone)]
pub struct Permits {
    budget: Addr<ApiBudget>,
    priority: Priority,
}

impl Permits {
    /// Permits of `budget` asked for at `priority`.
    pub fn new(budget: Addr<ApiBudget>, priority: Priority) -> Self {
        Permits { budget, priority }
    }

    /// Resolves once one call of `class` may be made.
    pub async fn permit(&self, class: ApiClass) -> Result<(), BudgetStopped> {
        permit(&self.budget, class, self.priority).await
    }
}
