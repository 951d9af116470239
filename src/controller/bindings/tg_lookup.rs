//! The ELBv2 calls the binding controller makes beyond the target calls, as a trait: the AWS adapter answers
//! them from ELBv2, the manager's unit tests from memory.

use tgsync_actors::elb::{CallFuture, ElbTargets};

use crate::aws::AwsElb;

/// Target calls plus finding a target group by name.
pub trait TgLookup: ElbTargets + Unpin {
    /// The ARN of the target group called `name` (one DescribeTargetGroups; spend a Describe permit first);
    /// `TargetGroupNotFound` when there is none.
    fn find_target_group(&self, name: &str) -> CallFuture<String>;
}

impl TgLookup for AwsElb {
    fn find_target_group(&self, name: &str) -> CallFuture<String> {
        let (elb, name) = (self.clone(), name.to_owned());
        Box::pin(async move { AwsElb::find_target_group(&elb, &name).await })
    }
}
