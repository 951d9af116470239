//! The stack layer Ingress groups and NLB Services share: a pure model of what a stack should be (load
//! balancer, listeners and rules, target groups, managed security group, each with its tags), the same shapes
//! for what AWS holds, a planner that diffs the two into an ordered list of calls, and the supervisor
//! actor that reconciles one stack at a time. No IO here: readers and
//! appliers live in `src/aws/`.

pub mod deployed;
pub mod model;
pub mod plan;
pub mod read_cache;
pub mod settled;
#[cfg(any(test, feature = "sim"))]
pub mod sim;
pub mod supervisor;
pub mod tags;

pub use deployed::*;
pub use model::*;
pub use read_cache::{ReadCache, READ_CACHE_TTL};
pub use settled::Settled;
pub use tags::*;
