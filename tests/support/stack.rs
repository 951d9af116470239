//! A stack reader on the bed's moto, cluster and VPC, for tests that check what tgsync made, and a wait for
//! a stack to be gone.

use std::collections::BTreeMap;
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

/// How many load balancers and target groups in moto carry tag `key` = `value`, duplicates included (the
/// reader would hide them).
pub async fn tagged(key: &str, value: &str) -> (usize, usize) {
    let elb = elb().await;
    let lbs: Vec<String> = elb
        .describe_load_balancers()
        .send()
        .await
        .expect("DescribeLoadBalancers")
        .load_balancers()
        .iter()
        .filter_map(|l| l.load_balancer_arn().map(str::to_owned))
        .collect();
    let tgs: Vec<String> = elb
        .describe_target_groups()
        .send()
        .await
        .expect("DescribeTargetGroups")
        .target_groups()
        .iter()
        .filter_map(|t| t.target_group_arn().map(str::to_owned))
        .collect();
    let mut ours = BTreeMap::new();
    for (kind, arns) in [("lb", lbs), ("tg", tgs)] {
        for chunk in arns.chunks(20) {
            let tags = elb
                .describe_tags()
                .set_resource_arns(Some(chunk.to_vec()))
                .send()
                .await
                .expect("DescribeTags");
            for d in tags.tag_descriptions() {
                let mine = d
                    .tags()
                    .iter()
                    .any(|t| t.key() == Some(key) && t.value() == Some(value));
                if mine {
                    *ours.entry(kind).or_insert(0) += 1;
                }
            }
        }
    }
    (
        ours.get("lb").copied().unwrap_or(0),
        ours.get("tg").copied().unwrap_or(0),
    )
}
