use tgsync_actors::budget::{ApiBudget, ApiClass, Priority};
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, HealthState};

use super::tg_lookup::TgLookup;
use tgsync_actors::budget::permit;

/// Waits for a Describe permit from the account budget (background for resyncs, which nobody waits on;
/// normal for readiness gates, which hold pods back).
pub async fn describe_permit(
    budget: &actix::Addr<ApiBudget>,
    priority: Priority,
) -> Result<(), ElbError> {
    permit(budget, ApiClass::Describe, priority)
        .await
        .map_err(|e| ElbError::Other(e.to_string()))
}

/// What a binding's start found in ELB.
#[derive(Debug)]
pub struct Found {
    /// The target group.
    pub tg: TargetGroupKey,
    /// Targets registered and not draining.
    pub registered: Vec<Target>,
}

/// Resolves the target group (by ARN, or by name with DescribeTargetGroups) and reads its targets with
/// DescribeTargetHealth, each call under a Describe permit. A missing target group is `TargetGroupNotFound`.
pub async fn find<E: TgLookup>(
    elb: &E,
    budget: &actix::Addr<ApiBudget>,
    arn: Option<String>,
    name: Option<String>,
) -> Result<Found, ElbError> {
    let arn = match (arn.filter(|a| !a.is_empty()), name) {
        (Some(arn), _) => arn,
        (None, Some(name)) => {
            describe_permit(budget, Priority::Background).await?;
            elb.find_target_group(&name).await?
        }
        (None, None) => return Err(ElbError::TargetGroupNotFound(String::new())),
    };
    let tg = TargetGroupKey::new(arn);
    describe_permit(budget, Priority::Background).await?;
    let health = elb.describe_health(&tg).await?;
    let registered = health
        .into_iter()
        .filter(|h| h.state != HealthState::Draining)
        .map(|h| h.target)
        .collect();
    Ok(Found { tg, registered })
}
