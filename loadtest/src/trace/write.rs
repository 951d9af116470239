//! Writing a trace, one line at a time, as the changes happen.

use std::io::Write;
use std::time::Duration;

use super::line::{TraceBinding, TraceLine, TraceSlice, TRACE_VERSION};

/// Writes trace lines to `W`; the first must be [`TraceWriter::bindings`].
pub struct TraceWriter<W: Write> {
    out: W,
}

impl<W: Write> TraceWriter<W> {
    /// A writer on `out` (buffer it: a line is written per change).
    pub fn new(out: W) -> Self {
        TraceWriter { out }
    }

    /// The first line.
    pub fn bindings(&mut self, bindings: Vec<TraceBinding>) -> std::io::Result<()> {
        self.line(&TraceLine::Bindings {
            version: TRACE_VERSION,
            bindings,
        })
    }

    /// A slice as it was when the trace started.
    pub fn initial(&mut self, slice: TraceSlice) -> std::io::Result<()> {
        self.line(&TraceLine::Initial { slice })
    }

    /// A slice after a change, `at` after the trace started.
    pub fn slice(&mut self, at: Duration, slice: TraceSlice) -> std::io::Result<()> {
        self.line(&TraceLine::Slice {
            at_ms: millis(at),
            slice,
        })
    }

    /// A named moment.
    pub fn mark(&mut self, at: Duration, label: &str) -> std::io::Result<()> {
        self.line(&TraceLine::Mark {
            at_ms: millis(at),
            label: label.to_owned(),
        })
    }

    /// Flushes and hands back the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn line(&mut self, line: &TraceLine) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, line)?;
        self.out.write_all(b"\n")
    }
}

/// Milliseconds with microseconds kept, so a replay orders changes as they came.
fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
