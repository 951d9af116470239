//! A report of calls another process made against an `ElbModel`: a load test's model served over HTTP.

use std::time::Duration;

use super::lower_bound::BoundRules;
use super::run_report::{RunInput, RunReport};
use crate::model::{Call, CallOutcome, ModelConfig, StackCall};
use crate::scenario::Scenario;

impl RunReport {
    /// `scenario`'s transitions matched against the ledgers of a model that `strategy` called, as [`crate::Runner`]
    /// matches a simulated run's. `offset` is the scenario's start on the model's clock; calls before it (the
    /// warm-up) are not counted. Stack calls are counted as [`RunReport::count_stack_calls`] counts them.
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
        report.count_stack_calls(stack_ledger, offset);
        report
    }

    /// Counts the stack calls (`DescribeTargetGroups`) made from `offset` on by action, beside the target
    /// calls.
    pub(crate) fn count_stack_calls(&mut self, stack_ledger: &[StackCall], offset: Duration) {
        for c in stack_ledger.iter().filter(|c| c.start >= offset) {
            *self.calls.entry(c.action.to_owned()).or_default() += 1;
            self.timeline.add_call(
                (c.start - offset).as_secs_f64(),
                c.action,
                c.outcome == CallOutcome::Throttled,
            );
            self.total_calls += 1;
            match c.outcome {
                CallOutcome::Ok => {}
                CallOutcome::Throttled => self.throttled += 1,
                _ => self.failed += 1,
            }
        }
        if self.target_changes > 0 {
            self.calls_per_1000_changes =
                self.total_calls as f64 * 1000.0 / self.target_changes as f64;
        }
    }
}
