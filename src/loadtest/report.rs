//! What `tgsync loadtest` prints: the measured run in `tgsync simulate`'s shape, the replay's prediction beside
//! it, how far apart they are by action, and the facts of the bed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tgsync_loadtest::{render_table, Comparison, RunReport};

use super::churn::PhaseFigure;

/// Largest relative gap between measured and predicted calls of an action that counts as agreement.
pub const AGREEMENT: f64 = 0.10;

/// The load test's output (`--json`).
#[derive(Clone, Debug, Serialize)]
pub struct LoadtestReport {
    /// `bed-churn`.
    pub scenario: &'static str,
    /// `[measured]`: `tgsync run` against the HTTP model, as `tgsync simulate --json` reports a run.
    pub runs: Vec<RunReport>,
    /// The trace replayed in virtual time: `tgsync simulate --replay TRACE --compare --json`.
    pub prediction: Comparison,
    /// Measured against predicted tgsync calls, by action.
    pub agreement: Agreement,
    /// What the built `rolling-update` scenario of the same size predicts (its pace is not the bed's).
    pub synthetic_rolling_update: Comparison,
    /// Each phase on its own: measured, replayed from the slices at its start, compared.
    pub phases: Vec<PhaseReport>,
    /// The bed's size, phases and files.
    pub bed: BedFacts,
    /// After the churn: ELB against the apiserver's own list of ready endpoints.
    pub final_check: FinalCheck,
}

/// One phase of the churn, measured and replayed on its own (the bed had settled before it began).
#[derive(Clone, Debug, Serialize)]
pub struct PhaseReport {
    /// `restart`, `scale-up`, `scale-down` or `drip`.
    pub label: String,
    /// The calls `tgsync run` made from the phase's start until the next phase's.
    pub measured: RunReport,
    /// The phase's slice changes replayed: tgsync, then the baseline.
    pub prediction: Comparison,
    /// Measured against predicted tgsync calls.
    pub agreement: Agreement,
}

/// The bed and the churn.
#[derive(Clone, Debug, Serialize)]
pub struct BedFacts {
    /// The load test's namespace.
    pub namespace: String,
    /// Deployments (one Service, binding and target group each).
    pub deployments: usize,
    /// Pods per Deployment at rest.
    pub pods: usize,
    /// Pods per Deployment at the top of the scale wave.
    pub scale_to: usize,
    /// Seconds from creating the workload until every pod was ready and ELB held them all.
    pub setup_seconds: f64,
    /// The phases, from the trace's start.
    pub phases: Vec<PhaseFigure>,
    /// EndpointSlice changes in the trace.
    pub slice_changes: u64,
    /// Seconds from the trace's start to its end.
    pub churn_seconds: f64,
    /// The trace (JSON lines).
    pub trace: String,
    /// The daemon's log.
    pub daemon_log: String,
    /// The `tgsync` binary that ran as the daemon.
    pub daemon_binary: String,
}

/// ELB after the churn against the apiserver's ready endpoints, listed afresh.
#[derive(Clone, Debug, Serialize)]
pub struct FinalCheck {
    /// Ready, not terminating endpoints of every bound Service (as targets).
    pub ready_endpoints: usize,
    /// Targets registered and not draining in every target group.
    pub registered: usize,
    /// Every target group holds exactly its Service's ready endpoints.
    pub equal: bool,
}

/// Measured against predicted calls.
#[derive(Clone, Debug, Serialize)]
pub struct Agreement {
    /// Per API action.
    pub by_action: BTreeMap<String, Gap>,
    /// All calls.
    pub total: Gap,
    /// Every action's gap is at most [`AGREEMENT`].
    pub within_10_percent: bool,
}

/// One count measured and predicted.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Gap {
    /// What `tgsync run` made.
    pub measured: u64,
    /// What the replay predicted.
    pub predicted: u64,
    /// `(predicted − measured) / measured`; `None` when nothing was measured.
    pub relative: Option<f64>,
}

impl Gap {
    fn new(measured: u64, predicted: u64) -> Self {
        let relative =
            (measured > 0).then(|| (predicted as f64 - measured as f64) / measured as f64);
        Gap {
            measured,
            predicted,
            relative,
        }
    }

    fn agrees(&self) -> bool {
        match self.relative {
            Some(r) => r.abs() <= AGREEMENT,
            None => self.predicted == 0,
        }
    }
}

impl Agreement {
    /// Compares two runs' calls action by action.
    pub fn of(measured: &RunReport, predicted: &RunReport) -> Self {
        let actions: BTreeSet<&String> = measured
            .calls
            .keys()
            .chain(predicted.calls.keys())
            .collect();
        let by_action: BTreeMap<String, Gap> = actions
            .into_iter()
            .map(|a| {
                let n = |r: &RunReport| r.calls.get(a).copied().unwrap_or(0);
                (a.clone(), Gap::new(n(measured), n(predicted)))
            })
            .collect();
        let within = by_action.values().all(Gap::agrees);
        Agreement {
            by_action,
            total: Gap::new(measured.total_calls, predicted.total_calls),
            within_10_percent: within,
        }
    }
}

fn pct(g: &Gap) -> String {
    g.relative
        .map_or("n/a".to_owned(), |r| format!("{:+.1} %", r * 100.0))
}

impl LoadtestReport {
    /// The runs side by side, the gaps, the phases.
    pub fn render(&self) -> String {
        let mut runs = self.runs.clone();
        for r in &self.prediction.runs {
            let mut r = r.clone();
            r.strategy = format!("replay {}", r.strategy);
            runs.push(r);
        }
        let b = &self.bed;
        let mut out = format!(
            "loadtest: {} Deployments × {} pods in {}, {} slice changes over {:.1} s (trace {})\n",
            b.deployments, b.pods, b.namespace, b.slice_changes, b.churn_seconds, b.trace
        );
        for p in &b.phases {
            out.push_str(&format!(
                "  {:<10} at {:>6.1} s, settled {:.1} s later\n",
                p.label, p.started_s, p.settled_s
            ));
        }
        out.push_str(&render_table(&runs));
        out.push_str("measured vs replayed tgsync calls:\n");
        for (action, g) in self
            .agreement
            .by_action
            .iter()
            .chain([(&"total".to_owned(), &self.agreement.total)])
        {
            out.push_str(&format!(
                "  {action:<22} {:>6} measured, {:>6} predicted, {}\n",
                g.measured,
                g.predicted,
                pct(g)
            ));
        }
        out.push_str("by phase (calls Register/Deregister/Describe; latency p50/p99 s):\n");
        for p in &self.phases {
            let rd = |r: &RunReport| {
                let n = |a: &str| r.calls.get(a).copied().unwrap_or(0);
                format!(
                    "{}/{}/{}",
                    n("RegisterTargets"),
                    n("DeregisterTargets"),
                    n("DescribeTargetHealth")
                )
            };
            let lat = |r: &RunReport| {
                format!(
                    "{:.1}/{:.1}",
                    r.latency_ms.p50 / 1000.0,
                    r.latency_ms.p99 / 1000.0
                )
            };
            let (t, b) = (&p.prediction.runs[0], &p.prediction.runs[1]);
            out.push_str(&format!(
                "  {:<10} {:>5} changes; tgsync run {} ({}), replay {} ({}), total {}; baseline {} ({})\n",
                p.label,
                p.measured.target_changes,
                rd(&p.measured),
                lat(&p.measured),
                rd(t),
                lat(t),
                pct(&p.agreement.total),
                rd(b),
                lat(b)
            ));
        }
        out.push_str(&format!(
            "within 10 %: {}; final check: {} ready endpoints, {} registered, {}\n",
            if self.agreement.within_10_percent {
                "yes"
            } else {
                "NO"
            },
            self.final_check.ready_endpoints,
            self.final_check.registered,
            if self.final_check.equal {
                "equal"
            } else {
                "NOT EQUAL"
            }
        ));
        out
    }
}
