//! The builder's tests: unit tests of each shape a Service can take, and a property test of Service edits
//! planned and applied to the planner's in-memory load balancer.

mod fixtures;
mod model;
mod props;
