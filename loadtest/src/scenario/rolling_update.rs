//! `rolling-update`: every Deployment rolls out a new ReplicaSet at once, maxSurge 25 %, maxUnavailable 25 %.

use std::collections::HashSet;
use std::net::IpAddr;

use super::cluster::ServiceId;
use super::pod_sim::{Ev, PodSim, Timeline};
use super::setup::{gone_ms, lag_ms, ms, ready_ms, setup};
use super::{ScenarioParams, Topology};

/// One Deployment's rollout, as the deployment controller tracks it.
struct Rollout {
    svc: ServiceId,
    old: Vec<IpAddr>,
    new_total: usize,
    new_ready: usize,
    starting: HashSet<IpAddr>,
}

type Built = (Timeline, Topology);

pub(super) fn build(params: &ScenarioParams) -> Built {
    let mut s = setup(params, 1);
    let m = params.pods;
    // Kubernetes rounds maxSurge up and maxUnavailable down.
    let surge = m.div_ceil(4).max(1);
    let unavailable = m / 4;
    let mut rollouts: Vec<Rollout> = s
        .services
        .iter()
        .zip(std::mem::take(&mut s.pods))
        .map(|(&svc, old)| Rollout {
            svc,
            old,
            new_total: 0,
            new_ready: 0,
            starting: HashSet::new(),
        })
        .collect();
    // `kubectl apply` of every Deployment lands within two seconds.
    for i in 0..rollouts.len() {
        let at = ms(&mut s.sim, 0, 2_000);
        s.sim.schedule(at, Ev::Wake(i));
    }
    while let Some((now, ev)) = s.sim.next() {
        let i = match ev {
            Ev::Wake(i) => i,
            Ev::Ready(svc, ip) if rollouts[svc].starting.remove(&ip) => {
                rollouts[svc].new_ready += 1;
                svc
            }
            _ => continue,
        };
        let at = now + lag_ms(&mut s.sim);
        step(&mut s.sim, &mut rollouts[i], m, surge, unavailable, at);
    }
    (s.sim.finish(), s.topology)
}

/// One pass of the deployment controller: surge new pods, then scale old ones down while availability allows,
/// until neither moves (scaling old down frees surge room at once: terminating pods no longer count).
fn step(sim: &mut PodSim, r: &mut Rollout, m: usize, surge: usize, unavailable: usize, at: u64) {
    loop {
        let total = r.old.len() + r.new_total;
        let up = (m + surge).saturating_sub(total).min(m - r.new_total);
        for _ in 0..up {
            let ready = ready_ms(sim);
            let ip = sim.start_pod(r.svc, at, ready);
            r.starting.insert(ip);
            r.new_total += 1;
        }
        let available = r.old.len() + r.new_ready;
        let down = available.saturating_sub(m - unavailable).min(r.old.len());
        for _ in 0..down {
            if let Some(ip) = r.old.pop() {
                let gone = gone_ms(sim);
                sim.stop_pod(r.svc, ip, at, gone);
            }
        }
        if up == 0 && down == 0 {
            break;
        }
    }
}
