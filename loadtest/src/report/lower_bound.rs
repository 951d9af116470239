//! The fastest any strategy could finish under the registration bucket (issue 2, item 7).

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

/// The rules the bound assumes: the registration bucket and the most targets one call may carry.
#[derive(Clone, Copy, Debug)]
pub struct BoundRules {
    /// The bucket's burst.
    pub burst: u32,
    /// The bucket's refill per second.
    pub refill_per_s: f64,
    /// Targets per Register/DeregisterTargets call at most.
    pub max_per_call: usize,
}

impl BoundRules {
    /// The rules `model` enforces.
    pub fn of(model: &crate::model::ModelConfig) -> Self {
        BoundRules {
            burst: model.register_bucket.capacity,
            refill_per_s: model.register_bucket.refill_per_s,
            max_per_call: model.max_targets_per_call,
        }
    }
}

/// For every (target group, action) pair `K` and target `T` with changes, the last change time counts: a target
/// changed at or after t must ride in a call made after t, and a call carries one pair's targets, at most
/// `max_per_call` of them. So calls(t) = Σ over pairs of ⌈targets changed at or after t / max_per_call⌉, and the
/// bound is the largest over t of `t + max(0, calls(t) − burst) / refill`. In seconds; 0 without changes.
pub fn lower_bound_seconds<K: Hash + Eq + Clone, T: Hash + Eq>(
    changes: impl IntoIterator<Item = (K, T, Duration)>,
    rules: BoundRules,
) -> f64 {
    let mut last: HashMap<(K, T), Duration> = HashMap::new();
    for (k, t, at) in changes {
        let e = last.entry((k, t)).or_insert(at);
        *e = (*e).max(at);
    }
    let mut times: Vec<(f64, K)> = last
        .into_iter()
        .map(|((k, _), d)| (d.as_secs_f64(), k))
        .collect();
    // Latest first: calls(t) only grows as t moves back, one target at a time.
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let m = rules.max_per_call.max(1);
    let mut per_pair: HashMap<K, usize> = HashMap::new();
    let (mut calls, mut best) = (0usize, 0.0f64);
    let mut i = 0;
    while i < times.len() {
        let t = times[i].0;
        // Every target tied at t counts before t is scored.
        while i < times.len() && times[i].0 == t {
            let n = per_pair.entry(times[i].1.clone()).or_default();
            if n.is_multiple_of(m) {
                calls += 1;
            }
            *n += 1;
            i += 1;
        }
        best = best.max(t + (calls as f64 - rules.burst as f64).max(0.0) / rules.refill_per_s);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    /// AWS's registration bucket, and calls as large as wanted.
    const UNCHUNKED: BoundRules = BoundRules {
        burst: 20,
        refill_per_s: 4.0,
        max_per_call: usize::MAX,
    };

    /// One target per pair: the bound counts pairs.
    fn bound(pairs: impl IntoIterator<Item = (u32, Duration)>) -> f64 {
        lower_bound_seconds(pairs.into_iter().map(|(k, at)| (k, 0u32, at)), UNCHUNKED)
    }

    #[test]
    fn empty_is_zero_and_within_burst_is_the_last_change() {
        assert_eq!(bound(Vec::new()), 0.0);
        let few = (0..20u32).map(|i| (i, s(i as f64 * 0.1)));
        assert!((bound(few) - 1.9).abs() < 1e-9);
    }

    #[test]
    fn pairs_past_the_burst_cost_a_quarter_second_each() {
        // 100 pairs all last changed at t = 10: 80 beyond the burst at 4/s = 20 s.
        let all = (0..100u32).map(|i| (i, s(10.0)));
        assert!((bound(all) - 30.0).abs() < 1e-9);
    }

    #[test]
    fn only_the_last_change_of_a_pair_counts() {
        // Pair 0 changes at 1 and 50; pairs 1..=29 at 2. At t=2: 30 pairs → 2 + 10/4 = 4.5; at 50: 50.
        let mut v: Vec<(u32, Duration)> = (1..30u32).map(|i| (i, s(2.0))).collect();
        v.push((0, s(1.0)));
        v.push((0, s(50.0)));
        assert!((bound(v.clone()) - 50.0).abs() < 1e-9);
        v.pop();
        v.push((0, s(3.0)));
        // Now at t=2: 30 pairs at or after → 4.5; at t=3: 1 pair → 3.
        assert!((bound(v) - 4.5).abs() < 1e-9);
    }

    #[test]
    fn a_late_tail_can_dominate_an_early_storm() {
        // 40 pairs at t=0 (bound 5 s), then 25 pairs at t=10 (bound 10 + 5/4 = 11.25).
        let mut v: Vec<(u32, Duration)> = (0..40u32).map(|i| (i, s(0.0))).collect();
        v.extend((40..65u32).map(|i| (i, s(10.0))));
        assert!((bound(v) - 11.25).abs() < 1e-9);
    }

    #[test]
    fn a_pair_with_more_targets_than_a_call_carries_needs_several_calls() {
        let rules = BoundRules {
            max_per_call: 200,
            ..UNCHUNKED
        };
        // 30 target groups deregister 1,000 targets each at t=0: 5 calls each, 150 calls, 130 past the burst.
        let all = (0..30u32).flat_map(|tg| (0..1000u32).map(move |t| (tg, t, s(0.0))));
        assert!((lower_bound_seconds(all.clone(), rules) - 32.5).abs() < 1e-9);
        // Without the limit the same work is one call per group: within the burst.
        assert!((lower_bound_seconds(all, UNCHUNKED) - 10.0 / 4.0).abs() < 1e-9);
    }

    #[test]
    fn only_a_targets_last_change_counts_towards_the_calls_after_it() {
        let rules = BoundRules {
            burst: 0,
            refill_per_s: 1.0,
            max_per_call: 2,
        };
        // Targets 0..3 of one pair at t=0, target 0 again at t=10: after 10 one call, after 0 two calls.
        let v = vec![
            (0u32, 0u32, s(0.0)),
            (0, 1, s(0.0)),
            (0, 2, s(0.0)),
            (0, 0, s(10.0)),
        ];
        assert!((lower_bound_seconds(v, rules) - 11.0).abs() < 1e-9);
    }
}
