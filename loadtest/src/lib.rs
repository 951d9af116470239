//! The ELBv2 model, churn scenarios, the baseline strategy and reports, for benches, `tgsync simulate` and load tests;
//! and EndpointSlice watch-event samples for tgsync's decoding tests and benches.
//! Everything here runs on one thread in tokio time, so a whole run fits in paused virtual time.

pub mod baseline;
pub mod http;
pub mod memory;
pub mod model;
pub mod report;
pub mod rng;
pub mod runner;
pub mod runtime;
pub mod scenario;
pub mod stack;
pub mod strategy;
pub mod trace;
pub mod watch_sample;

pub use baseline::{Baseline, BaselineConfig};
pub use model::{Call, CallKind, CallOutcome, ElbModel, HealthCheck, ModelConfig};
pub use report::{render_table, Comparison, LatencyStats, RunReport, Timeline};
pub use runner::{run, Runner, Strategy};
pub use scenario::{Binding, Scenario, ScenarioKind, ScenarioParams, Topology};
