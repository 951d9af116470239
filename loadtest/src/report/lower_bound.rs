//! The fastest any strategy could finish under the registration bucket (issue 2, item 7).

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

/// With burst `b` and refill `r`/s, and for every (target group, action) pair that has changes its last change
/// time: the largest over t of `t + max(0, n(t) − b) / r`, n(t) = pairs whose last change is at or after t.
/// Each such pair needs at least one call after its last change. In seconds; 0 without changes.
pub fn lower_bound_seconds<K: Hash + Eq>(
    changes: impl IntoIterator<Item = (K, Duration)>,
    burst: u32,
    refill_per_s: f64,
) -> f64 {
    let mut last: HashMap<K, Duration> = HashMap::new();
    for (k, at) in changes {
        let e = last.entry(k).or_insert(at);
        *e = (*e).max(at);
    }
    let mut times: Vec<f64> = last.values().map(|d| d.as_secs_f64()).collect();
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let mut best = 0.0f64;
    // n(t) only steps down at a last-change time, and t + … grows with t in between, so the maximum is at one
    // of those times, counting every pair tied at it.
    let mut i = 0;
    while i < n {
        let t = times[i];
        let after = (n - i) as f64;
        best = best.max(t + (after - burst as f64).max(0.0) / refill_per_s);
        while i < n && times[i] == t {
            i += 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    #[test]
    fn empty_is_zero_and_within_burst_is_the_last_change() {
        assert_eq!(
            lower_bound_seconds(Vec::<(u32, Duration)>::new(), 20, 4.0),
            0.0
        );
        let few = (0..20u32).map(|i| (i, s(i as f64 * 0.1)));
        assert!((lower_bound_seconds(few, 20, 4.0) - 1.9).abs() < 1e-9);
    }

    #[test]
    fn pairs_past_the_burst_cost_a_quarter_second_each() {
        // 100 pairs all last changed at t = 10: 80 beyond the burst at 4/s = 20 s.
        let all = (0..100u32).map(|i| (i, s(10.0)));
        assert!((lower_bound_seconds(all, 20, 4.0) - 30.0).abs() < 1e-9);
    }

    #[test]
    fn only_the_last_change_of_a_pair_counts() {
        // Pair 0 changes at 1 and 50; pairs 1..=29 at 2. At t=2: 30 pairs → 2 + 10/4 = 4.5; at 50: 50.
        let mut v: Vec<(u32, Duration)> = (1..30u32).map(|i| (i, s(2.0))).collect();
        v.push((0, s(1.0)));
        v.push((0, s(50.0)));
        assert!((lower_bound_seconds(v.clone(), 20, 4.0) - 50.0).abs() < 1e-9);
        v.pop();
        v.push((0, s(3.0)));
        // Now at t=2: 30 pairs at or after → 4.5; at t=3: 1 pair → 3.
        assert!((lower_bound_seconds(v, 20, 4.0) - 4.5).abs() < 1e-9);
    }

    #[test]
    fn a_late_tail_can_dominate_an_early_storm() {
        // 40 pairs at t=0 (bound 5 s), then 25 pairs at t=10 (bound 10 + 5/4 = 11.25).
        let mut v: Vec<(u32, Duration)> = (0..40u32).map(|i| (i, s(0.0))).collect();
        v.extend((40..65u32).map(|i| (i, s(10.0))));
        assert!((lower_bound_seconds(v, 20, 4.0) - 11.25).abs() < 1e-9);
    }
}
