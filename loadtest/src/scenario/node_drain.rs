//! `node-drain`: one node of ~30 pods, spread over many target groups, is drained; its pods terminate
//! and are rescheduled elsewhere.

use super::pod_sim::Timeline;
use super::setup::{gone_ms, lag_ms, ms, ready_ms, setup};
use super::{ScenarioParams, Topology};

/// Pods per node (a typical m5.2xlarge with prefix delegation runs a few dozen).
const PODS_PER_NODE: usize = 30;

type Built = (Timeline, Topology);

pub(super) fn build(params: &ScenarioParams) -> Built {
    let mut s = setup(params, 5);
    let total = params.tgs * params.pods;
    let nodes = total.div_ceil(PODS_PER_NODE).max(1) as u64;
    // The scheduler spread pods over nodes; the drained node is node 0.
    let mut on_node = Vec::new();
    for (i, pods) in s.pods.iter().enumerate() {
        for &ip in pods {
            if s.sim.rng.below(0, nodes) == 0 {
                on_node.push((i, ip));
            }
        }
    }
    // `kubectl drain` evicts every pod at once; the API server spreads them over a second or two.
    for (i, ip) in on_node {
        let svc = s.services[i];
        let at = ms(&mut s.sim, 0, 2_000);
        let gone = gone_ms(&mut s.sim);
        s.sim.stop_pod(svc, ip, at, gone);
        let lag = lag_ms(&mut s.sim);
        let ready = ready_ms(&mut s.sim);
        s.sim.start_pod(svc, at + lag, ready);
    }
    (s.sim.finish(), s.topology)
}
