//! Walks a plan front to back: one permit, one call, and the ARN or id of each create kept for the calls after.

use tgsync_actors::stack::plan::{Call, Created, Plan};

use super::{ApplyError, ApplyErrorKind};
use crate::aws::stack::Permits;

/// Applies plans of one VPC's stacks with the SDK clients and the budget's permits.
pub struct StackApplier<P: Permits> {
    pub(super) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(super) ec2: aws_sdk_ec2::Client,
    pub(super) vpc_id: String,
    pub(super) permits: P,
}

/// What a plan applied in full left behind.
#[derive(Debug, Default)]
pub struct Applied {
    /// The ARN or id of every resource it created.
    pub created: Created,
    /// Calls made (the collision-free fallback's single moves and reads included).
    pub calls: usize,
}

impl<P: Permits> StackApplier<P> {
    /// An applier creating security groups in `vpc_id`.
    pub fn new(
        elb: aws_sdk_elasticloadbalancingv2::Client,
        ec2: aws_sdk_ec2::Client,
        vpc_id: impl Into<String>,
        permits: P,
    ) -> Self {
        StackApplier {
            elb,
            ec2,
            vpc_id: vpc_id.into(),
            permits,
        }
    }

    /// Makes every call of `plan` in order; stops at the first that fails, saying which and why.
    pub async fn apply(&self, plan: &Plan) -> Result<Applied, ApplyError> {
        let mut applied = Applied::default();
        for (index, call) in plan.calls.iter().enumerate() {
            let made = self
                .one(call, &mut applied.created, &mut applied.calls)
                .await
                .map_err(|kind| ApplyError {
                    index,
                    call: call.action(),
                    kind,
                })?;
            if let (Some(id), Some(arn)) = (call.creates(), made) {
                applied.created.record(id, arn);
            }
        }
        Ok(applied)
    }

    /// One call under one permit; a create answers the new resource's ARN or id.
    async fn one(
        &self,
        call: &Call,
        created: &mut Created,
        calls: &mut usize,
    ) -> Result<Option<String>, ApplyErrorKind> {
        self.permits
            .permit(call.class())
            .await
            .map_err(|e| ApplyErrorKind::Other(e.to_string()))?;
        *calls += 1;
        match call {
            Call::CreateSecurityGroup { .. }
            | Call::AuthorizeSecurityGroupIngress { .. }
            | Call::RevokeSecurityGroupIngress { .. }
            | Call::DeleteSecurityGroup { .. }
            | Call::CreateTags { .. }
            | Call::DeleteTags { .. } => self.ec2_call(call, created).await,
            Call::SetRulePriorities { listener, moves } => {
                self.set_priorities(listener, moves, calls).await?;
                Ok(None)
            }
            _ => self.elb_call(call, created).await,
        }
    }
}
