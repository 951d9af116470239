//! The target calls the actors make, as a trait: the AWS adapter (in `src/`) and the ELB model (in
//! `loadtest/`) implement it. Errors are classified by what the caller must do next.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::domain::{Target, TargetGroupKey};

/// A boxed call future. Not `Send`: actors run on a single-threaded arbiter.
pub type CallFuture<T> = Pin<Box<dyn Future<Output = Result<T, ElbError>>>>;

/// How a target call failed, by what the caller should do about it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ElbError {
    /// AWS answered `Throttling`: back off, merge, retry. Nothing is lost.
    #[error("throttled by ELB (Throttling)")]
    Throttled,
    /// The target group is gone: stop calling and report it on the owning object.
    #[error("target group not found: {0}")]
    TargetGroupNotFound(String),
    /// ELB refused a target in the call (`InvalidTarget`): isolate it, report it, keep the rest going.
    #[error("invalid target: {0}")]
    InvalidTarget(String),
    /// ELB refused the call because a quota would be exceeded (`TooManyTargets`,
    /// `TooManyRegistrationsForTargetId`): the same call fails again until the wanted set changes.
    #[error("ELB quota exceeded: {0}")]
    QuotaExceeded(String),
    /// Anything else (network, 5xx, auth): retry with backoff.
    #[error("ELB call failed: {0}")]
    Other(String),
}

/// The health states DescribeTargetHealth reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HealthState {
    /// Registered, health checks not yet passed.
    Initial,
    /// Passing health checks.
    Healthy,
    /// Failing health checks.
    Unhealthy,
    /// Not in use (e.g. target group not attached to a load balancer).
    Unused,
    /// Deregistered, connections draining.
    Draining,
    /// Health checks disabled.
    Unavailable,
}

/// One row of DescribeTargetHealth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetHealth {
    /// The target.
    pub target: Target,
    /// Its state.
    pub state: HealthState,
}

/// The calls a target group actor makes. Every call is made only with a permit from the ApiBudget.
pub trait ElbTargets: 'static {
    /// RegisterTargets with every target in `targets` (all for one target group).
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()>;
    /// DeregisterTargets.
    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()>;
    /// DescribeTargetHealth for the whole target group.
    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>>;
    /// One DescribeTargetGroups for `tgs` (at most [`crate::gates::DESCRIBE_TARGET_GROUPS_MAX`]): each one's
    /// health-check interval, which paces the readiness gates' describes. An adapter that cannot tell fails,
    /// and the gates then look at every tick.
    fn health_check_intervals(
        &self,
        tgs: &[TargetGroupKey],
    ) -> CallFuture<Vec<(TargetGroupKey, Duration)>> {
        let n = tgs.len();
        Box::pin(async move {
            Err(ElbError::Other(format!(
                "no health-check interval for {n} target groups"
            )))
        })
    }
}
