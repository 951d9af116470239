//! What a run measured, as JSON (`serde`) and as a side-by-side table.

mod comparison;
mod latency;
mod lower_bound;
mod measured;
mod run_report;
mod table;
mod timeline;

pub use comparison::Comparison;
pub use latency::LatencyStats;
pub use lower_bound::{lower_bound_seconds, BoundRules};
pub(crate) use run_report::RunInput;
pub use run_report::RunReport;
pub use table::render_table;
pub use timeline::Timeline;
