//! The account-wide API budget: AWS ELBv2 token buckets, shared fairly by every actor.
//!
//! `BudgetCore` decides who may call next (pure: time is passed in); `ApiBudget` is the actor that owns it,
//! sleeps on tokio time until the next token, and answers `Acquire` requests with a permit.

mod actor;
mod allowance;
mod bucket;
mod config;
mod core;
mod permit;
mod request;

pub use actor::{Acquire, ApiBudget, Permit};
pub use bucket::Bucket;
pub use config::{BucketConfig, BudgetConfig};
pub use core::BudgetCore;
pub use permit::{permit, BudgetStopped};
pub use request::{ApiClass, LastChange, Priority, Request, RequestId};
