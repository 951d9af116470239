//! The ingress-churn figures: calls by action, throttles, edit-to-rules latency and completion.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use tgsync_loadtest::LatencyStats;

/// One run of `ingress-churn`. Counts cover the churn, not the warm-up that created the stacks.
#[derive(Clone, Debug, Serialize)]
pub struct ChurnReport {
    /// `ingress-churn`.
    pub scenario: String,
    /// Groups (ALBs).
    pub groups: usize,
    /// Ingresses at the start and at the end.
    pub ingresses: (usize, usize),
    /// Services rolled during the run, and their pods.
    pub services: usize,
    /// Ingress edits, additions and deletions.
    pub edits: usize,
    /// Calls per API action (every attempt, throttled ones included), target calls included.
    pub calls: BTreeMap<String, u64>,
    /// All calls.
    pub total_calls: u64,
    /// Calls answered `Throttling`.
    pub throttled: u64,
    /// Calls refused otherwise.
    pub failed: u64,
    /// From an Ingress edit to the end of the reconcile that put its rules in place.
    pub edit_latency_ms: LatencyStats,
    /// Reconciles, and those that failed (and were retried).
    pub reconciles: (u64, u64),
    /// Calls and virtual seconds of the warm-up that created every stack and registered every target.
    pub warmup: (u64, f64),
    /// Target groups with a target-group actor at the end.
    pub target_groups: usize,
    /// Every ALB equals its group's model and every target group its Service's ready pods.
    pub converged: bool,
    /// Virtual seconds from the first edit until converged.
    pub completion_seconds: Option<f64>,
    /// Virtual seconds from the first event to the last.
    pub scenario_seconds: f64,
    /// Warnings logged during the run, warm-up included, by what they mean (see `simulate::warnings`).
    pub log_warnings: BTreeMap<String, u64>,
}

impl ChurnReport {
    /// A readable table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let (c, f) = (self.converged, self.completion_seconds);
        let _ = writeln!(s, "scenario: {}", self.scenario);
        let rows: Vec<(String, String)> = vec![
            ("groups (ALBs)".into(), self.groups.to_string()),
            (
                "ingresses start / end".into(),
                format!("{} / {}", self.ingresses.0, self.ingresses.1),
            ),
            ("services rolled".into(), self.services.to_string()),
            ("ingress edits".into(), self.edits.to_string()),
            ("target groups".into(), self.target_groups.to_string()),
            ("total calls".into(), self.total_calls.to_string()),
            ("throttled".into(), self.throttled.to_string()),
            ("failed".into(), self.failed.to_string()),
            (
                "reconciles (failed)".into(),
                format!("{} ({})", self.reconciles.0, self.reconciles.1),
            ),
            (
                "edit → rules p50 ms".into(),
                format!("{:.0}", self.edit_latency_ms.p50),
            ),
            (
                "edit → rules p99 ms".into(),
                format!("{:.0}", self.edit_latency_ms.p99),
            ),
            (
                "edit → rules max ms".into(),
                format!("{:.0}", self.edit_latency_ms.max),
            ),
            ("scenario s".into(), format!("{:.1}", self.scenario_seconds)),
            (
                "completion s".into(),
                f.map_or("never".into(), |x| format!("{x:.1}")),
            ),
            ("converged".into(), if c { "yes" } else { "NO" }.into()),
            (
                "warm-up calls / s".into(),
                format!("{} / {:.1}", self.warmup.0, self.warmup.1),
            ),
        ];
        let calls = self
            .calls
            .iter()
            .map(|(k, v)| (format!("  {k}"), v.to_string()));
        let all: Vec<(String, String)> = rows.into_iter().chain(calls).collect();
        let w = all
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v) in &all {
            let pad = w - k.chars().count();
            let _ = writeln!(s, "{k}{}  {v:>8}", " ".repeat(pad));
        }
        s
    }
}
