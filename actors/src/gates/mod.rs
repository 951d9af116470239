//! Readiness gates' pacing and reading, shared by the daemon's binding manager and `tgsync simulate` so both
//! make the same DescribeTargetHealth calls and open the same gates: when a target group with pods waiting
//! on their gate is worth a describe, and which waiting pods its answer calls healthy.

use std::time::Duration;

mod clock;
mod health;

pub use clock::{GateClock, GateStep};
pub use health::healthy_ips;

/// How often bindings with gated pods still waiting are looked at; each is described only when its
/// [`GateClock`] says a waiting target may have turned healthy since the last look.
pub const GATE_EVERY: Duration = Duration::from_secs(2);

/// The most target groups one DescribeTargetGroups may name (AWS answers `ValidationError` beyond: "You
/// cannot describe more than '20' target groups at a time"); the gates read intervals in chunks of it.
pub const DESCRIBE_TARGET_GROUPS_MAX: usize = 20;

/// How long a target group's health-check interval, once read, is trusted before it is read again (a user
/// may change it; the stack layer's read cache keeps tags and attributes as long).
pub const INTERVAL_TTL: Duration = Duration::from_secs(600);

/// After a failed read of the interval, when it is tried again; meanwhile the group is paced by
/// [`GATE_EVERY`], as if its health could change at every tick.
pub const INTERVAL_RETRY: Duration = Duration::from_secs(60);
