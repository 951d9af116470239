use actix::prelude::*;

use crate::domain::{Target, TargetGroupKey};

/// What a target group actor tells its owner (the binding controller, the simulator) about trouble.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
#[rtype(result = "()")]
pub enum TgReport {
    /// ELB refused these targets; they are held back until their endpoints change.
    Rejected {
        /// The target group.
        tg: TargetGroupKey,
        /// The refused targets.
        targets: Vec<Target>,
    },
    /// The target group does not exist; the actor makes no more calls.
    Gone {
        /// The target group.
        tg: TargetGroupKey,
        /// ELB's message.
        message: String,
    },
    /// More targets are wanted than the target group may hold; the lowest that fit are registered, the rest
    /// wait. Sent when this starts and when the limit moves, not per call.
    QuotaExceeded {
        /// The target group.
        tg: TargetGroupKey,
        /// Distinct targets wanted when this was sent.
        wanted: usize,
        /// Most of this actor's targets the group holds (`max_targets`, or fewer once ELB refused more).
        limit: usize,
    },
    /// Everything wanted fits again after a `QuotaExceeded`.
    WithinQuota {
        /// The target group.
        tg: TargetGroupKey,
    },
    /// A periodic resync found ELB differing from what the actor had registered and repaired it.
    Repaired {
        /// The target group.
        tg: TargetGroupKey,
        /// Wanted targets ELB had lost, queued to register again.
        registered: usize,
        /// Unwanted targets ELB had already lost: the deregistrations owed for them are dropped.
        deregistered: usize,
    },
}

/// Where reports go.
pub type TgReporter = Recipient<TgReport>;
