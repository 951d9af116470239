//! The stack layer Ingress groups and NLB Services share: a pure model of what a stack should be (load
//! balancer, listeners and rules, target groups, managed security group, each with its tags), the same shapes
//! for what AWS holds, and a planner that diffs the two into an ordered list of calls. No IO here: readers and
//! appliers live in `src/aws/`.

pub mod deployed;
pub mod model;
pub mod plan;
pub mod tags;

pub use deployed::*;
pub use model::*;
pub use tags::*;
