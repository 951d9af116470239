//! The ELBv2 model, churn scenarios, the baseline strategy and reports, for benches, `tgsync simulate` and load tests.
//! Everything here runs on one thread in tokio time, so a whole run fits in paused virtual time.

pub mod model;
pub mod rng;
pub mod scenario;

pub use model::{Call, CallKind, CallOutcome, ElbModel, HealthCheck, ModelConfig};
pub use scenario::{Binding, Scenario, ScenarioKind, ScenarioParams, Topology};
