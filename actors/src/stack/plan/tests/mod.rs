//! The planner tests.
