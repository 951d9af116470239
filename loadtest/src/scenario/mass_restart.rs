//! `mass-restart`: every pod of every Deployment is deleted within two seconds and recreated; the
//! replacements start slower (5–20 s) because they all pull and warm up at once.

use super::pod_sim::Timeline;
use super::setup::{gone_ms, lag_ms, ms, setup};
use super::{ScenarioParams, Topology};

type Built = (Timeline, Topology);

pub(super) fn build(params: &ScenarioParams) -> Built {
    let mut s = setup(params, 6);
    for (i, pods) in std::mem::take(&mut s.pods).into_iter().enumerate() {
        let svc = s.services[i];
        for ip in pods {
            let at = ms(&mut s.sim, 0, 2_000);
            let gone = gone_ms(&mut s.sim);
            s.sim.stop_pod(svc, ip, at, gone);
            let lag = lag_ms(&mut s.sim);
            let ready = ms(&mut s.sim, 5_000, 20_000);
            s.sim.start_pod(svc, at + lag, ready);
        }
    }
    (s.sim.finish(), s.topology)
}
