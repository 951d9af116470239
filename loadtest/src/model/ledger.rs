//! The ledger: one row per call the model answered.

use std::time::Duration;

use serde::Serialize;
use tgsync_actors::domain::{Action, Target, TargetGroupKey};

/// Which API a call was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CallKind {
    /// RegisterTargets.
    RegisterTargets,
    /// DeregisterTargets.
    DeregisterTargets,
    /// DescribeTargetHealth.
    DescribeTargetHealth,
}

impl CallKind {
    /// Every kind, in report order.
    pub const ALL: [CallKind; 3] = [
        CallKind::RegisterTargets,
        CallKind::DeregisterTargets,
        CallKind::DescribeTargetHealth,
    ];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::RegisterTargets => "RegisterTargets",
            CallKind::DeregisterTargets => "DeregisterTargets",
            CallKind::DescribeTargetHealth => "DescribeTargetHealth",
        }
    }

    /// The target action this call performs, if it mutates.
    pub fn action(self) -> Option<Action> {
        match self {
            CallKind::RegisterTargets => Some(Action::Register),
            CallKind::DeregisterTargets => Some(Action::Deregister),
            CallKind::DescribeTargetHealth => None,
        }
    }
}

/// How the model answered a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// Applied (or answered, for describes).
    Ok,
    /// `Throttling`: a bucket was empty or a throttle was injected.
    Throttled,
    /// The target group does not exist (any more).
    NotFound,
    /// Refused with another error, e.g. `TooManyTargets`.
    Failed(String),
}

/// One call, as the model saw it.
#[derive(Clone, Debug)]
pub struct Call {
    /// When it arrived, from the model's creation (virtual time).
    pub start: Duration,
    /// When it was answered.
    pub end: Duration,
    /// Which API.
    pub kind: CallKind,
    /// The target group.
    pub tg: TargetGroupKey,
    /// Targets in the request; for describes, the number of rows answered.
    pub target_count: usize,
    /// The targets in the request (empty for describes).
    pub targets: Vec<Target>,
    /// The answer.
    pub outcome: CallOutcome,
}

impl Call {
    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.outcome == CallOutcome::Ok
    }
}

/// One stack call (load balancer, listener, rule, target group, tag or security group), as the model saw it.
#[derive(Clone, Debug)]
pub struct StackCall {
    /// When it arrived, from the model's creation (virtual time).
    pub start: Duration,
    /// When it was answered.
    pub end: Duration,
    /// The API action, e.g. `CreateRule`.
    pub action: &'static str,
    /// The answer (`Failed` carries the error code and message).
    pub outcome: CallOutcome,
}
