//! Reading a trace back: every line checked, and the whole turned into a [`Scenario`] to replay.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{EndpointSliceSnapshot, TargetGroupKey, Zone};

use super::line::{TraceLine, TraceSlice, TRACE_VERSION};
use crate::scenario::{Binding, Scenario, ScenarioParams, Topology};

/// A trace read back: bindings, the slices at its start, and each change with its time.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Who is bound to what.
    pub bindings: Vec<Binding>,
    /// Every slice at the trace's start.
    pub initial: Vec<EndpointSliceSnapshot>,
    /// Each change, in time order.
    pub events: Vec<(Duration, EndpointSliceSnapshot)>,
    /// The phases' marks, in time order.
    pub marks: Vec<(Duration, String)>,
}

/// Why a trace could not be read. Line numbers start at 1.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("cannot read the trace: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not what the format allows there.
    #[error("trace line {line}: {message}")]
    Line {
        /// Which line.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// No lines at all.
    #[error("the trace is empty: its first line must be {{\"type\":\"bindings\",...}}")]
    Empty,
}

/// Reads a trace, checking each line: JSON of a known type, the bindings first and once, the initial slices
/// before any change, times finite, not negative and in order, known address types. Blank lines are skipped.
pub fn read_trace(input: impl BufRead) -> Result<Trace, TraceError> {
    let mut reader = Reader::default();
    for (i, text) in input.lines().enumerate() {
        let text = text?;
        if text.trim().is_empty() {
            continue;
        }
        let line = i + 1;
        let parsed: TraceLine = serde_json::from_str(&text).map_err(|e| TraceError::Line {
            line,
            message: format!("not a trace line ({e})"),
        })?;
        reader
            .take(parsed)
            .map_err(|message| TraceError::Line { line, message })?;
    }
    reader.trace.ok_or(TraceError::Empty)
}

#[derive(Default)]
struct Reader {
    trace: Option<Trace>,
    zones: HashMap<String, Zone>,
    last_ms: f64,
}

impl Reader {
    fn take(&mut self, line: TraceLine) -> Result<(), String> {
        let Some(trace) = self.trace.as_mut() else {
            return self.first(line);
        };
        match line {
            TraceLine::Bindings { .. } => Err("a second bindings line".into()),
            TraceLine::Initial { slice } => {
                if !trace.events.is_empty() || !trace.marks.is_empty() {
                    return Err("an initial slice after the trace started".into());
                }
                let snap = snapshot(&mut self.zones, &slice)?;
                trace.initial.push(snap);
                Ok(())
            }
            TraceLine::Slice { at_ms, slice } => {
                let at = in_order(&mut self.last_ms, at_ms)?;
                let snap = snapshot(&mut self.zones, &slice)?;
                trace.events.push((at, snap));
                Ok(())
            }
            TraceLine::Mark { at_ms, label } => {
                let at = in_order(&mut self.last_ms, at_ms)?;
                trace.marks.push((at, label));
                Ok(())
            }
        }
    }

    fn first(&mut self, line: TraceLine) -> Result<(), String> {
        let TraceLine::Bindings { version, bindings } = line else {
            return Err("the first line must be the bindings".into());
        };
        if version != TRACE_VERSION {
            return Err(format!(
                "trace version {version}; this tgsync reads version {TRACE_VERSION}"
            ));
        }
        let bindings = bindings
            .into_iter()
            .map(|b| Binding {
                service: b.service.into(),
                port_name: b.port_name.map(Arc::from),
                tg: TargetGroupKey::new(b.tg),
            })
            .collect();
        self.trace = Some(Trace {
            bindings,
            initial: Vec::new(),
            events: Vec::new(),
            marks: Vec::new(),
        });
        Ok(())
    }
}

/// A slice's latest snapshot kept; an empty one (deleted) forgotten.
fn keep(slices: &mut BTreeMap<Arc<str>, EndpointSliceSnapshot>, s: &EndpointSliceSnapshot) {
    if s.endpoints.is_empty() {
        slices.remove(&s.key);
    } else {
        slices.insert(s.key.clone(), s.clone());
    }
}

fn in_order(last_ms: &mut f64, at_ms: f64) -> Result<Duration, String> {
    if !at_ms.is_finite() || at_ms < 0.0 {
        return Err(format!(
            "at_ms {at_ms} is not a time from the trace's start"
        ));
    }
    if at_ms < *last_ms {
        return Err(format!(
            "at_ms {at_ms} is before the line above it ({})",
            *last_ms
        ));
    }
    *last_ms = at_ms;
    Ok(Duration::from_secs_f64(at_ms / 1000.0))
}

fn snapshot(
    zones: &mut HashMap<String, Zone>,
    slice: &TraceSlice,
) -> Result<EndpointSliceSnapshot, String> {
    let mut intern = |name: &str| {
        let next = Zone(u16::try_from(zones.len() + 1).unwrap_or(u16::MAX));
        *zones.entry(name.to_owned()).or_insert(next)
    };
    slice.to_snapshot(&mut intern).ok_or_else(|| {
        format!(
            "slice {}: address type {:?} is neither IPv4 nor IPv6",
            slice.key, slice.address_type
        )
    })
}

impl Trace {
    /// The trace cut at its marks: one trace per mark, from it to the next, starting from every slice as it
    /// was at the mark, with times from the mark. Changes before the first mark are folded into its start.
    pub fn phases(&self) -> Vec<(Duration, String, Trace)> {
        let mut slices: BTreeMap<Arc<str>, EndpointSliceSnapshot> = self
            .initial
            .iter()
            .map(|s| (s.key.clone(), s.clone()))
            .collect();
        let mut events = self.events.iter().peekable();
        let mut out = Vec::new();
        for (i, (start, label)) in self.marks.iter().enumerate() {
            while let Some((_, s)) = events.next_if(|(at, _)| at < start) {
                keep(&mut slices, s);
            }
            let initial = slices.values().cloned().collect();
            let end = self.marks.get(i + 1).map(|(at, _)| *at);
            let mut phase = Vec::new();
            while let Some((at, s)) = events.next_if(|(at, _)| end.is_none_or(|end| *at < end)) {
                phase.push((*at - *start, s.clone()));
                keep(&mut slices, s);
            }
            let trace = Trace {
                bindings: self.bindings.clone(),
                initial,
                events: phase,
                marks: vec![(Duration::ZERO, label.clone())],
            };
            out.push((*start, label.clone(), trace));
        }
        out
    }

    /// The trace as a scenario named `replay`: its bindings, its initial slices, its changes; `params` gives
    /// the seed, health check and start (its `tgs` becomes the number of bindings).
    pub fn scenario(&self, params: ScenarioParams) -> Scenario {
        Scenario {
            name: "replay",
            params: ScenarioParams {
                tgs: self.bindings.len(),
                ..params
            },
            topology: Topology {
                bindings: self.bindings.clone(),
                readiness_gates: false,
            },
            initial: self.initial.clone(),
            events: self.events.clone(),
            pod_updates: Vec::new(),
        }
    }
}
