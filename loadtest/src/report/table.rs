//! A plain-text table of runs, one column per strategy, for the CLI's non-JSON output.

use super::RunReport;

/// Renders `runs` side by side: one row per figure, one column per run.
pub fn render_table(runs: &[RunReport]) -> String {
    let secs = |x: Option<f64>| x.map_or("never".to_owned(), |s| format!("{s:.1}"));
    let call = |r: &RunReport, k: &str| r.calls.get(k).copied().unwrap_or(0).to_string();
    type Row = (&'static str, Box<dyn Fn(&RunReport) -> String>);
    let mut rows: Vec<Row> = vec![
        ("strategy", Box::new(|r| r.strategy.clone())),
        ("target changes", Box::new(|r| r.target_changes.to_string())),
        (
            "RegisterTargets",
            Box::new(move |r| call(r, "RegisterTargets")),
        ),
        (
            "DeregisterTargets",
            Box::new(move |r| call(r, "DeregisterTargets")),
        ),
        (
            "DescribeTargetHealth",
            Box::new(move |r| call(r, "DescribeTargetHealth")),
        ),
        ("total calls", Box::new(|r| r.total_calls.to_string())),
        (
            "calls / 1000 changes",
            Box::new(|r| format!("{:.1}", r.calls_per_1000_changes)),
        ),
        ("throttled", Box::new(|r| r.throttled.to_string())),
        ("failed", Box::new(|r| r.failed.to_string())),
        (
            "converged",
            Box::new(|r| if r.converged { "yes" } else { "NO" }.to_owned()),
        ),
        (
            "latency p50 ms",
            Box::new(|r| format!("{:.0}", r.latency_ms.p50)),
        ),
        (
            "latency p99 ms",
            Box::new(|r| format!("{:.0}", r.latency_ms.p99)),
        ),
        (
            "latency max ms",
            Box::new(|r| format!("{:.0}", r.latency_ms.max)),
        ),
        (
            "deregister p50 ms",
            Box::new(|r| format!("{:.0}", r.deregister_latency_ms.p50)),
        ),
        (
            "deregister p99 ms",
            Box::new(|r| format!("{:.0}", r.deregister_latency_ms.p99)),
        ),
        (
            "completion s",
            Box::new(move |r| secs(r.completion_seconds)),
        ),
        (
            "lower bound s",
            Box::new(|r| format!("{:.1}", r.lower_bound_seconds)),
        ),
        (
            "scenario s",
            Box::new(|r| format!("{:.1}", r.scenario_seconds)),
        ),
    ];
    if runs
        .iter()
        .any(|r| r.calls.get("DescribeTargetGroups") > Some(&0))
    {
        let at = rows
            .iter()
            .position(|(l, _)| *l == "total calls")
            .unwrap_or(rows.len());
        rows.insert(
            at,
            (
                "DescribeTargetGroups",
                Box::new(move |r| call(r, "DescribeTargetGroups")),
            ),
        );
    }
    if runs.iter().any(|r| r.gate_wait_ms.is_some()) {
        let wait = |q: fn(&super::LatencyStats) -> f64| {
            move |r: &RunReport| {
                r.gate_wait_ms
                    .as_ref()
                    .map_or("-".to_owned(), |l| format!("{:.0}", q(l)))
            }
        };
        let at = rows
            .iter()
            .position(|(l, _)| *l == "completion s")
            .unwrap_or(rows.len());
        rows.insert(at, ("gate wait p99 ms", Box::new(wait(|l| l.p99))));
        rows.insert(at, ("gate wait p50 ms", Box::new(wait(|l| l.p50))));
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(_, f)| runs.iter().map(f).collect())
        .collect();
    let label_w = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let col_w: Vec<usize> = (0..runs.len())
        .map(|j| cells.iter().map(|c| c[j].len()).max().unwrap_or(0).max(8))
        .collect();
    let mut out = String::new();
    for ((label, _), row) in rows.iter().zip(&cells) {
        out.push_str(&format!("{label:<label_w$}"));
        for (cell, w) in row.iter().zip(&col_w) {
            out.push_str(&format!("  {cell:>w$}"));
        }
        out.push('\n');
    }
    out
}
