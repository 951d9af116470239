//! One supervisor actor per stack: a pure scheduling core (coalesce edits, one reconcile at a time, backoff,
//! resync) and the actix shell that runs the stack's reconciles.

mod actor;
mod core;

pub use actor::{Changed, Idle, Outcome, ReconcileFuture, StackSupervisor, StackWork, Stop};
pub use core::{Step, SupervisorConfig, SupervisorCore};
