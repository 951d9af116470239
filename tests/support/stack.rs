//! A stack reader on the bed's moto, cluster and VPC, for tests that check what tgsync made, and a wait for
//! a stack to be gone.

use std::time::Duration;

use actix::Actor;
use tgsync::aws::stack::{BudgetPermits, StackReader};
use tgsync_actors::budget::{ApiBudget, BudgetConfig, Priority};
use tgsync_actors::stack::StackId;

use super::clients::{ec2, elb};
use super::network::{cluster_name, vpc_id};
use super::poll::poll_until;

/// A reader of the bed cluster's stacks with a budget of its own (call from inside an actix system).
pub async fn stack_reader() -> StackReader<BudgetPermits> {
    let budget = ApiBudget::new(BudgetConfig::default()).start();
    StackReader::new(
        elb().await,
        ec2().await,
        BudgetPermits::new(budget, Priority::Normal),
        cluster_name(),
        vpc_id(),
    )
}

/// Polls until AWS holds no load balancer and no target group of `stack`, or panics after `limit` with
/// `context()` (tgsync's log).
pub async fn until_stack_gone(
    reader: &StackReader<BudgetPermits>,
    stack: &StackId,
    limit: Duration,
    context: impl Fn() -> String,
) {
    poll_until(
        &format!("stack {} deleted", stack.id),
        limit,
        context,
        || async {
            let d = reader.read(stack).await.map_err(|e| e.to_string())?;
            if d.load_balancer.is_none() && d.target_groups.is_empty() {
                Ok(())
            } else {
                Err(format!("{} target groups left", d.target_groups.len()))
            }
        },
    )
    .await;
}
