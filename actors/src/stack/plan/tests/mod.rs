//! The planner's tests: unit tests of each rule case against a simulated ALB, and property tests over random
//! group edits.

mod fixtures;
mod moves;
mod props;
mod sim;
mod units;
