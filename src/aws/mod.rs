//! The AWS adapter: `ElbTargets` on aws-sdk-elasticloadbalancingv2, with errors classified for the actors.
//!
//! Region, endpoint and credentials come from the standard AWS configuration (`AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`, profiles, IRSA…). The SDK makes one
//! attempt per call by default, so the ApiBudget, not the SDK, decides when calls are made; every call has a
//! deadline (`AwsElbConfig::call_timeout`), so a hung one cannot hold its target group's batch forever.

mod classify;
mod client;
mod convert;
#[cfg(test)]
mod model_round_trip;
pub mod stack;

pub use classify::classify;
pub use client::{AwsElb, AwsElbConfig};
pub use convert::{health_state, target_from_description, to_description};
