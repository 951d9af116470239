//! The planner's tests: unit tests of each rule case against a simulated ALB, and property tests over random
//! group edits.

mod fixtures;
mod moves;
mod props;
mod units;

// The in-memory load balancer the tests apply plans to.
use crate::stack::sim;
