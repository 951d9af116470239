//! The model's load balancers, listeners, rules, target groups, tags and security groups: what stack calls
//! change and Describe calls read, each charged to AWS's bucket for its action and written in the ledger.

mod api;
mod bucket_of;
mod error;
mod mutations;
mod resources;

#[cfg(test)]
mod tests;

pub use bucket_of::{bucket_of, StackBucket};
pub use error::StackError;
pub(crate) use resources::Resources;
