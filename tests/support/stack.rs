//! A stack reader on the bed's moto, cluster and VPC, for tests that check what tgsync made.

use actix::Actor;
use tgsync::aws::stack::{BudgetPermits, StackReader};
use tgsync_actors::budget::{ApiBudget, BudgetConfig, Priority};

use super::clients::{ec2, elb};
use super::network::{cluster_name, vpc_id};

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
