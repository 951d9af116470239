//! `RunReport`: one strategy's figures for one scenario.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use serde::Serialize;
use tgsync_actors::domain::{Target, TargetGroupKey};

use super::latency::{latencies, LatencyStats};
use super::lower_bound::{lower_bound_seconds, BoundRules};
use super::timeline::Timeline;
use crate::memory::Memory;
use crate::model::{Call, CallKind, CallOutcome};
use crate::scenario::{Scenario, Transition};

/// One strategy's run of one scenario. Counts cover the scenario proper, not the warm-up before it.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// `tgsync` or `baseline`.
    pub strategy: String,
    /// The scenario's name.
    pub scenario: String,
    /// Targets entering or leaving a target group's desired set.
    pub target_changes: u64,
    /// Calls per API name (every attempt, throttled ones included).
    pub calls: BTreeMap<String, u64>,
    /// All calls.
    pub total_calls: u64,
    /// `total_calls` per 1,000 target changes.
    pub calls_per_1000_changes: f64,
    /// Calls answered `Throttling`.
    pub throttled: u64,
    /// Calls refused otherwise (not found, quota, …).
    pub failed: u64,
    /// The final ELB state equals the final desired state exactly.
    pub converged: bool,
    /// From a change to the end of the successful call that applied it.
    pub latency_ms: LatencyStats,
    /// The same, for removals of endpoints that turned terminating.
    pub deregister_latency_ms: LatencyStats,
    /// Virtual seconds from the scenario's start until ELB equalled the desired state (`None`: never).
    pub completion_seconds: Option<f64>,
    /// The floor on `completion_seconds` set by the registration bucket and the targets a call may carry.
    pub lower_bound_seconds: f64,
    /// Virtual seconds from the scenario's start to its last event.
    pub scenario_seconds: f64,
    /// What the strategy's own state weighs (`None`: the heap is not counted, or the strategy cannot say).
    pub memory: Option<Memory>,
    /// Kubernetes writes the strategy made during the scenario (`None`: not modelled).
    pub kube_writes: Option<u64>,
    /// From a gated pod turning ready to its readiness gate's condition landing, for the gates that opened
    /// before the run ended (`None`: not modelled).
    pub gate_wait_ms: Option<LatencyStats>,
    /// Warnings the run logged, warm-up included, by what they mean ("throttled calls retried"): filled by a
    /// process that counts its logs instead of printing them (`tgsync simulate`), empty otherwise.
    pub log_warnings: BTreeMap<String, u64>,
    /// Calls per second by action and pending targets over time, from the scenario's start.
    pub timeline: Timeline,
}

/// What the runner hands over to build a report.
pub(crate) struct RunInput<'a> {
    pub(crate) strategy: &'static str,
    pub(crate) scenario: &'a Scenario,
    /// The whole ledger, warm-up included (on the model's clock).
    pub(crate) ledger: Vec<Call>,
    /// The scenario's start on the model's clock.
    pub(crate) offset: Duration,
    pub(crate) initial: HashMap<TargetGroupKey, HashSet<Target>>,
    pub(crate) transitions: Vec<Transition>,
    pub(crate) converged: bool,
    pub(crate) rules: BoundRules,
    pub(crate) memory: Option<Memory>,
    pub(crate) kube_writes: Option<u64>,
    pub(crate) gate_waits: Option<Vec<f64>>,
}

impl RunReport {
    pub(crate) fn build(input: RunInput<'_>) -> RunReport {
        let offset_s = input.offset.as_secs_f64();
        let measured: Vec<&Call> = input
            .ledger
            .iter()
            .filter(|c| c.start >= input.offset)
            .collect();
        let mut calls: BTreeMap<String, u64> = CallKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), 0))
            .collect();
        for c in &measured {
            *calls.entry(c.kind.as_str().to_owned()).or_default() += 1;
        }
        let total_calls = measured.len() as u64;
        let throttled = count(&measured, |o| *o == CallOutcome::Throttled);
        let failed = count(&measured, |o| {
            !matches!(o, CallOutcome::Ok | CallOutcome::Throttled)
        });
        let target_changes = input.transitions.len() as u64;
        let (all, terminating) =
            latencies(&input.transitions, &input.ledger, offset_s, &input.initial);
        let last_change = input
            .transitions
            .iter()
            .map(|t| t.at.as_secs_f64())
            .fold(0.0, f64::max);
        let last_applied = measured
            .iter()
            .filter(|c| c.is_ok() && c.kind.action().is_some())
            .map(|c| c.end.as_secs_f64() - offset_s)
            .fold(0.0, f64::max);
        let lower_bound = lower_bound_seconds(
            input
                .transitions
                .iter()
                .map(|t| ((&t.tg, t.action), t.target, t.at)),
            input.rules,
        );
        let timeline = Timeline::build(&measured, offset_s, &input.initial, &input.transitions);
        RunReport {
            strategy: input.strategy.to_owned(),
            scenario: input.scenario.name().to_owned(),
            target_changes,
            calls,
            total_calls,
            calls_per_1000_changes: if target_changes == 0 {
                0.0
            } else {
                total_calls as f64 * 1000.0 / target_changes as f64
            },
            throttled,
            failed,
            converged: input.converged,
            latency_ms: LatencyStats::of(all),
            deregister_latency_ms: LatencyStats::of(terminating),
            completion_seconds: input.converged.then_some(last_change.max(last_applied)),
            lower_bound_seconds: lower_bound,
            scenario_seconds: input.scenario.duration().as_secs_f64(),
            memory: input.memory,
            kube_writes: input.kube_writes,
            gate_wait_ms: input.gate_waits.map(LatencyStats::of),
            log_warnings: BTreeMap::new(),
            timeline,
        }
    }
}

fn count(calls: &[&Call], f: impl Fn(&CallOutcome) -> bool) -> u64 {
    calls.iter().filter(|c| f(&c.outcome)).count() as u64
}
