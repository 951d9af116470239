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
use super::poll::{poll_until, CONVERGE};
use super::tgsync::Tgsync;

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
    let lbs = load_balancer_arns().await;
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

/// The ARNs of every load balancer in moto.
pub async fn load_balancer_arns() -> Vec<String> {
    elb()
        .await
        .describe_load_balancers()
        .send()
        .await
        .expect("DescribeLoadBalancers")
        .load_balancers()
        .iter()
        .filter_map(|l| l.load_balancer_arn().map(str::to_owned))
        .collect()
}

/// Starts tgsync in `ns` with 90 % headroom (one mutating call every ~3.4 s, so a plan's calls come one by
/// one) and SIGKILLs it once `stack` has a target group and no load balancer yet: cut in the middle of a plan.
pub async fn kill_mid_plan(ns: &str, reader: &StackReader<BudgetPermits>, stack: &StackId) {
    let slow = Tgsync::start_in(ns, &["--headroom", "0.9"]);
    poll_until(
        "a target group made and no load balancer yet",
        CONVERGE,
        || slow.log_tail(),
        || async {
            let d = reader.read(stack).await.map_err(|e| e.to_string())?;
            match (d.target_groups.len(), &d.load_balancer) {
                (1.., None) => Ok(()),
                (n, lb) => Err(format!("{n} target groups, load balancer {lb:?}")),
            }
        },
    )
    .await;
    slow.kill();
}
