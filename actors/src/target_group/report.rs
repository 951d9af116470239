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
}

/// Where reports go.
pub type TgReporter = Recipient<TgReport>;
