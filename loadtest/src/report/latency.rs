//! How long each desired-set change took to reach ELB, read off the ledger.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tgsync_actors::domain::{Action, Target, TargetGroupKey};

use crate::model::Call;
use crate::scenario::Transition;

/// Percentiles of a latency sample, in milliseconds (0 when there are no samples).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencyStats {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
    /// Changes measured.
    pub samples: usize,
}

impl LatencyStats {
    /// Nearest-rank percentiles of `values`.
    pub fn of(mut values: Vec<f64>) -> Self {
        if values.is_empty() {
            return LatencyStats::default();
        }
        values.sort_by(f64::total_cmp);
        let rank =
            |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
        LatencyStats {
            p50: rank(0.50),
            p99: rank(0.99),
            max: values[values.len() - 1],
            samples: values.len(),
        }
    }
}

/// A successful register/deregister touching one target, times in seconds from the scenario's start.
#[derive(Clone, Copy)]
struct Applied {
    start: f64,
    end: f64,
    action: Action,
}

/// Latencies in ms of every change, and of removals of terminating endpoints alone.
///
/// A change counts from its time to the end of the first successful call of its action for its target that
/// started at or after it and before the target's next change. Changes already true in ELB when they happen
/// (e.g. a flap undone before any call) and changes superseded before any call applied them are left out.
/// `offset_s` is the scenario's start on the ledger's clock.
pub(crate) fn latencies(
    transitions: &[Transition],
    ledger: &[Call],
    offset_s: f64,
    initial: &HashMap<TargetGroupKey, HashSet<Target>>,
) -> (Vec<f64>, Vec<f64>) {
    let mut applied: HashMap<(&TargetGroupKey, Target), Vec<Applied>> = HashMap::new();
    for c in ledger.iter().filter(|c| c.is_ok()) {
        let Some(action) = c.kind.action() else {
            continue;
        };
        let a = Applied {
            start: c.start.as_secs_f64() - offset_s,
            end: c.end.as_secs_f64() - offset_s,
            action,
        };
        for t in &c.targets {
            applied.entry((&c.tg, *t)).or_default().push(a);
        }
    }
    let mut by_target: HashMap<(&TargetGroupKey, Target), Vec<&Transition>> = HashMap::new();
    for tr in transitions {
        by_target.entry((&tr.tg, tr.target)).or_default().push(tr);
    }
    let (mut all, mut terminating) = (Vec::new(), Vec::new());
    for (key, trs) in by_target {
        let mut calls = applied.remove(&key).unwrap_or_default();
        calls.sort_by(|a, b| a.end.total_cmp(&b.end));
        let was_in = initial.get(key.0).is_some_and(|s| s.contains(&key.1));
        for (i, tr) in trs.iter().enumerate() {
            let at = tr.at.as_secs_f64();
            let next = trs.get(i + 1).map_or(f64::INFINITY, |n| n.at.as_secs_f64());
            let registered = calls
                .iter()
                .filter(|c| c.end <= at)
                .fold(was_in, |_, c| c.action == Action::Register);
            if registered == (tr.action == Action::Register) {
                continue;
            }
            let first = calls
                .iter()
                .filter(|c| c.action == tr.action && c.start >= at && c.start < next)
                .min_by(|a, b| a.start.total_cmp(&b.start));
            if let Some(c) = first {
                let ms = (c.end - at) * 1000.0;
                all.push(ms);
                if tr.terminating && tr.action == Action::Deregister {
                    terminating.push(ms);
                }
            }
        }
    }
    (all, terminating)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallKind, CallOutcome};
    use std::time::Duration;

    fn tg() -> TargetGroupKey {
        TargetGroupKey::new("tg")
    }

    fn t(i: u8) -> Target {
        Target::ip(format!("10.0.0.{i}").parse().unwrap(), 80)
    }

    fn tr(at_ms: u64, target: Target, action: Action, terminating: bool) -> Transition {
        Transition {
            at: Duration::from_millis(at_ms),
            tg: tg(),
            target,
            action,
            terminating,
        }
    }

    fn call(start_ms: u64, end_ms: u64, kind: CallKind, targets: Vec<Target>, ok: bool) -> Call {
        Call {
            start: Duration::from_millis(start_ms),
            end: Duration::from_millis(end_ms),
            kind,
            tg: tg(),
            target_count: targets.len(),
            targets,
            outcome: if ok {
                CallOutcome::Ok
            } else {
                CallOutcome::Throttled
            },
        }
    }

    #[test]
    fn measures_to_the_successful_call_and_skips_superseded_and_no_op_changes() {
        let initial = HashMap::from([(tg(), HashSet::from([t(9)]))]);
        let trs = vec![
            tr(1000, t(1), Action::Register, false),
            tr(1000, t(9), Action::Deregister, true),
            // Flap undone before any call: both left out.
            tr(2000, t(2), Action::Register, false),
            tr(2100, t(2), Action::Deregister, false),
        ];
        let ledger = vec![
            call(1100, 1200, CallKind::RegisterTargets, vec![t(1)], false),
            call(1500, 1600, CallKind::RegisterTargets, vec![t(1)], true),
            call(1050, 1150, CallKind::DeregisterTargets, vec![t(9)], true),
        ];
        let (all, term) = latencies(&trs, &ledger, 0.0, &initial);
        let mut all = all;
        all.sort_by(f64::total_cmp);
        assert_eq!(all.len(), 2);
        assert!((all[0] - 150.0).abs() < 1e-6 && (all[1] - 600.0).abs() < 1e-6);
        assert_eq!(term.len(), 1);
        assert!((term[0] - 150.0).abs() < 1e-6);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let s = LatencyStats::of((1..=100).map(f64::from).collect());
        assert_eq!((s.p50, s.p99, s.max, s.samples), (50.0, 99.0, 100.0, 100));
        assert_eq!(LatencyStats::of(vec![]), LatencyStats::default());
    }
}
