//! `steady-drip`: light churn, one pod replaced somewhere every 2–6 s for ten minutes.

use super::pod_sim::{Ev, Timeline};
use super::setup::{gone_ms, lag_ms, ms, ready_ms, setup};
use super::{ScenarioParams, Topology};

/// How long the drip lasts.
const DURATION_MS: u64 = 600_000;

type Built = (Timeline, Topology);

pub(super) fn build(params: &ScenarioParams) -> Built {
    let mut s = setup(params, 4);
    let mut at = ms(&mut s.sim, 2_000, 6_000);
    while at < DURATION_MS && !s.services.is_empty() {
        s.sim.schedule(at, Ev::Wake(0));
        at += ms(&mut s.sim, 2_000, 6_000);
    }
    while let Some((now, ev)) = s.sim.next() {
        if !matches!(ev, Ev::Wake(_)) {
            continue;
        }
        // A pod dies (eviction, crash, OOM) and its ReplicaSet replaces it.
        let i = s.sim.rng.below(0, s.services.len() as u64) as usize;
        let svc = s.services[i];
        if s.pods[i].is_empty() {
            continue;
        }
        let k = s.sim.rng.below(0, s.pods[i].len() as u64) as usize;
        let victim = s.pods[i].swap_remove(k);
        let gone = gone_ms(&mut s.sim);
        s.sim.stop_pod(svc, victim, now, gone);
        let lag = lag_ms(&mut s.sim);
        let ready = ready_ms(&mut s.sim);
        let ip = s.sim.start_pod(svc, now + lag, ready);
        s.pods[i].push(ip);
    }
    (s.sim.finish(), s.topology)
}
