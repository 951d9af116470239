//! One actor per target group: a pure core that batches slice deltas into calls, and the actix shell around it.

mod actor;
mod config;
mod contributions;
mod core;
mod ledger;
mod pending;
mod report;
mod resync;
mod router;
mod slice_diff;
mod table;

pub use actor::{Adopt, Drain, Shutdown, SliceUpdate, SourceUpdate, TargetGroupActor};
pub use config::TgConfig;
use contributions::Contributions;
pub use core::{CallOutcome, Completion, TargetGroupCore};
pub use report::{TgReport, TgReporter};
pub use resync::Repair;
pub use router::Router;

#[cfg(test)]
mod tests;
