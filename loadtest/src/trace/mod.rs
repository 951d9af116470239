//! EndpointSlice traces: the slice changes a load test caused on a real cluster, as JSON lines with timestamps,
//! so `tgsync simulate --replay` can run exactly those changes in virtual time.
//!
//! A trace is one JSON object a line: first `{"type":"bindings",...}` (the version and who is bound to what),
//! then `{"type":"initial","slice":...}` for every slice at the start, then `{"type":"slice","at_ms":...}` for
//! each change in time order, with `{"type":"mark","at_ms":...,"label":...}` lines naming the phases.

mod line;
mod read;
mod write;

pub use line::{TraceBinding, TraceEndpoint, TraceLine, TracePort, TraceSlice, TRACE_VERSION};
pub use read::{read_trace, Trace, TraceError};
pub use write::TraceWriter;

#[cfg(test)]
mod tests;
