//! `Comparison`: tgsync and the baseline on one scenario, with the ratios that matter.

use serde::Serialize;

use super::RunReport;

/// The `--compare` output: `runs` is `[tgsync, baseline]`; ratios are baseline over tgsync.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The scenario's name.
    pub scenario: String,
    /// The runs, tgsync first.
    pub runs: Vec<RunReport>,
    /// Baseline's `total_calls` over tgsync's (`None` when tgsync made none).
    pub ratio_calls: Option<f64>,
    /// Baseline's `completion_seconds` over tgsync's (`None` unless both converged and tgsync took time).
    pub ratio_completion: Option<f64>,
}

impl Comparison {
    /// Compares a tgsync run with a baseline run of the same scenario.
    pub fn new(scenario: &str, tgsync: RunReport, baseline: RunReport) -> Self {
        let ratio_calls = (tgsync.total_calls > 0)
            .then(|| baseline.total_calls as f64 / tgsync.total_calls as f64);
        let ratio_completion = match (baseline.completion_seconds, tgsync.completion_seconds) {
            (Some(b), Some(t)) if t > 0.0 => Some(b / t),
            _ => None,
        };
        Comparison {
            scenario: scenario.to_owned(),
            runs: vec![tgsync, baseline],
            ratio_calls,
            ratio_completion,
        }
    }

    /// The runs side by side, then the ratios.
    pub fn render(&self) -> String {
        let mut out = format!("scenario: {}\n", self.scenario);
        out.push_str(&super::render_table(&self.runs));
        let ratio = |r: Option<f64>| r.map_or("n/a".to_owned(), |x| format!("{x:.2}×"));
        out.push_str(&format!(
            "baseline / tgsync: calls {}, completion {}\n",
            ratio(self.ratio_calls),
            ratio(self.ratio_completion)
        ));
        out
    }
}
