//! A report of calls another process made against an `ElbModel`: a load test's model served over HTTP.

use std::time::Duration;

use super::lower_bound::BoundRules;
use super::run_report::{RunInput, RunReport};
use crate::model::{Call, CallOutcome, ModelConfig, StackCall};
use crate::scenario::Scenario;

impl RunReport {
    /// `scenario`'s transitions matched against the ledgers of a model that `strategy` called, as [`crate::Runner`]
    /// matches a simulated run's. `offset` is the scenario's start on the model's clock; calls before it (the
    /// warm-up) are not counted. Stack calls (`DescribeTargetGroups`) are counted by action beside the target calls.
    pub fn from_ledgers(
        strategy: &'static str,
        scenario: &Scenario,
        ledger: Vec<Call>,
        stack_ledger: &[StackCall],
        offset: Duration,
        converged: bool,
        model: &ModelConfig,
    ) -> RunReport {
        let (transitions, _) = scenario.transitions();
        let mut report = RunReport::build(RunInput {
            strategy,
            scenario,
            ledger,
            offset,
            initial: scenario.initial_desired(),
            transitions,
            converged,
            rules: BoundRules::of(model),
            memory: None,
            kube_writes: None,
            gate_waits: None,
        });
        for c in stack_ledger.iter().filter(|c| c.start >= offset) {
            *report.calls.entry(c.action.to_owned()).or_default() += 1;
            report.total_calls += 1;
            match c.outcome {
                CallOutcome::Ok => {}
                CallOutcome::Throttled => report.throttled += 1,
                _ => report.failed += 1,
            }
        }
        if report.target_changes > 0 {
            report.calls_per_1000_changes =
                report.total_calls as f64 * 1000.0 / report.target_changes as f64;
        }
        report
    }
}
