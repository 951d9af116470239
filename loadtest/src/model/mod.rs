//! An in-process ELBv2 with AWS's per-account throttling, latency, quotas and target health, and a ledger of every call.

mod bucket;
mod config;
mod elb_model;
mod ledger;
mod lookup;
pub mod stack;
mod target_group;

pub use bucket::TokenBucket;
pub use config::{BucketConfig, HealthCheck, ModelConfig, StackQuotas, TgDeletion};
pub use elb_model::ElbModel;
pub use ledger::{Call, CallKind, CallOutcome, StackCall};
pub use lookup::name_of;

/// The error message AWS gives with `TooManyTargets`.
pub const TOO_MANY_TARGETS: &str =
    "TooManyTargets: You've reached the limit on the number of targets per target group";

#[cfg(test)]
mod tests;
