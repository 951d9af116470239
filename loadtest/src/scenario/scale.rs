//! `scale-up` / `scale-down`: every Deployment doubles or halves, each within ten seconds of the start.

use super::pod_sim::{Ev, Timeline};
use super::setup::{gone_ms, lag_ms, ms, ready_ms, setup};
use super::{ScenarioParams, Topology};

/// Which way to scale.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    /// From `pods` to `2 × pods`.
    Up,
    /// From `pods` to `pods / 2` (rounded up).
    Down,
}

type Built = (Timeline, Topology);

pub(super) fn build(params: &ScenarioParams, dir: Direction) -> Built {
    let mut s = setup(params, if dir == Direction::Up { 2 } else { 3 });
    // Autoscalers decide per Deployment, so the scale events spread over the first ten seconds.
    for i in 0..s.services.len() {
        let at = ms(&mut s.sim, 0, 10_000);
        s.sim.schedule(at, Ev::Wake(i));
    }
    while let Some((now, ev)) = s.sim.next() {
        let Ev::Wake(i) = ev else { continue };
        let at = now + lag_ms(&mut s.sim);
        let svc = s.services[i];
        match dir {
            Direction::Up => {
                for _ in 0..params.pods {
                    let ready = ready_ms(&mut s.sim);
                    s.sim.start_pod(svc, at, ready);
                }
            }
            Direction::Down => {
                for _ in 0..params.pods / 2 {
                    if let Some(ip) = s.pods[i].pop() {
                        let gone = gone_ms(&mut s.sim);
                        s.sim.stop_pod(svc, ip, at, gone);
                    }
                }
            }
        }
    }
    (s.sim.finish(), s.topology)
}
