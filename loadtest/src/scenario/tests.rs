use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use tgsync_actors::domain::{EndpointSliceSnapshot, Target};

use super::*;

fn params(tgs: usize, pods: usize) -> ScenarioParams {
    ScenarioParams {
        tgs,
        pods,
        seed: 9,
        ..ScenarioParams::default()
    }
}

/// Replays a scenario's slices, checking the invariants real EndpointSlices keep; returns the final slices.
fn replay(s: &Scenario) -> HashMap<Arc<str>, EndpointSliceSnapshot> {
    let mut slices: HashMap<Arc<str>, EndpointSliceSnapshot> = HashMap::new();
    let mut owner: HashMap<IpAddr, Arc<str>> = HashMap::new();
    let mut last = Duration::ZERO;
    let all = s.initial.iter().map(|x| (Duration::ZERO, x));
    for (at, snap) in all.chain(s.events.iter().map(|(t, x)| (*t, x))) {
        assert!(at >= last, "events out of order");
        last = at;
        assert!(snap.endpoints.len() <= MAX_PER_SLICE);
        if let Some(prev) = slices.get(&snap.key) {
            for e in prev.endpoints.iter() {
                if !snap.endpoints.iter().any(|n| n.addr() == e.addr()) {
                    assert!(
                        e.conditions().is_terminating(),
                        "{} removed without terminating first",
                        e.addr()
                    );
                    owner.remove(&e.addr());
                }
            }
        }
        for e in snap.endpoints.iter() {
            let o = owner.entry(e.addr()).or_insert_with(|| snap.key.clone());
            assert_eq!(o, &snap.key, "{} in two slices", e.addr());
        }
        if snap.endpoints.is_empty() {
            slices.remove(&snap.key);
        } else {
            slices.insert(snap.key.clone(), snap.clone());
        }
    }
    slices
}

fn sets(s: &Scenario) -> Vec<(HashSet<Target>, HashSet<Target>)> {
    let (a, b) = (s.initial_desired(), s.final_desired());
    s.tgs().map(|tg| (a[tg].clone(), b[tg].clone())).collect()
}

#[test]
fn every_scenario_keeps_slice_invariants() {
    for kind in ScenarioKind::ALL {
        let s = Scenario::build(kind, params(4, 130));
        assert!(!s.events.is_empty(), "{kind}");
        assert_eq!(s.topology.bindings.len(), 4);
        replay(&s);
    }
}

#[test]
fn ips_are_never_reused() {
    for kind in ScenarioKind::ALL {
        let s = Scenario::build(kind, params(3, 20));
        let mut first_seen: HashMap<IpAddr, Arc<str>> = HashMap::new();
        for snap in s.initial.iter().chain(s.events.iter().map(|(_, x)| x)) {
            for e in snap.endpoints.iter() {
                let svc = first_seen.entry(e.addr()).or_insert(snap.service.clone());
                assert_eq!(svc, &snap.service, "{kind}: {} in two services", e.addr());
            }
        }
    }
}

#[test]
fn rolling_update_replaces_every_pod() {
    let s = Scenario::build(ScenarioKind::RollingUpdate, params(3, 50));
    for (before, after) in sets(&s) {
        assert_eq!(before.len(), 50);
        assert_eq!(after.len(), 50);
        assert!(before.is_disjoint(&after));
    }
    // Waves, not a big bang: rolling 50 pods at 25 % surge takes several readiness rounds.
    assert!(s.duration() > Duration::from_secs(8), "{:?}", s.duration());
}

#[test]
fn scale_up_fills_slices_before_making_new_ones() {
    let s = Scenario::build(ScenarioKind::ScaleUp, params(2, 60));
    for (before, after) in sets(&s) {
        assert_eq!(after.len(), 120);
        assert!(before.is_subset(&after));
    }
    let mut sizes: Vec<usize> = replay(&s).values().map(|x| x.endpoints.len()).collect();
    sizes.sort();
    assert_eq!(sizes, vec![20, 20, 100, 100]);
}

#[test]
fn scale_down_mass_restart_drip_and_drain_end_where_expected() {
    let down = Scenario::build(ScenarioKind::ScaleDown, params(3, 41));
    for (before, after) in sets(&down) {
        assert_eq!(after.len(), 21);
        assert!(after.is_subset(&before));
    }
    let restart = Scenario::build(ScenarioKind::MassRestart, params(3, 10));
    for (before, after) in sets(&restart) {
        assert_eq!(after.len(), 10);
        assert!(before.is_disjoint(&after));
    }
    for kind in [ScenarioKind::SteadyDrip, ScenarioKind::NodeDrain] {
        let s = Scenario::build(kind, params(10, 30));
        let all = sets(&s);
        assert!(all.iter().all(|(_, after)| after.len() == 30), "{kind}");
        let changed = all.iter().filter(|(b, a)| b != a).count();
        assert!(changed >= 2, "{kind}: only {changed} target groups changed");
    }
}

#[test]
fn same_seed_same_timeline() {
    let a = Scenario::build(ScenarioKind::RollingUpdate, params(3, 20));
    let b = Scenario::build(ScenarioKind::RollingUpdate, params(3, 20));
    assert_eq!(a.events.len(), b.events.len());
    for ((ta, sa), (tb, sb)) in a.events.iter().zip(&b.events) {
        assert_eq!(ta, tb);
        assert_eq!(sa.key, sb.key);
        assert_eq!(sa.endpoints, sb.endpoints);
    }
    let c = Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            seed: 10,
            ..params(3, 20)
        },
    );
    assert_ne!(a.duration(), c.duration());
}

#[test]
fn transitions_mark_terminating_removals() {
    let s = Scenario::build(ScenarioKind::RollingUpdate, params(1, 8));
    let mut d = DesiredTracker::new(&s.topology);
    for x in &s.initial {
        assert_eq!(d.apply(Duration::ZERO, x).len(), 8);
    }
    let all: Vec<Transition> = s.events.iter().flat_map(|(t, x)| d.apply(*t, x)).collect();
    let removals: Vec<_> = all
        .iter()
        .filter(|t| t.action == tgsync_actors::domain::Action::Deregister)
        .collect();
    assert_eq!(removals.len(), 8);
    assert!(removals.iter().all(|t| t.terminating));
    assert_eq!(all.len(), 16);
}

#[test]
fn scenario_names_round_trip() {
    for k in ScenarioKind::ALL {
        assert_eq!(k.as_str().parse::<ScenarioKind>(), Ok(k));
    }
    assert!("nope".parse::<ScenarioKind>().is_err());
}

#[test]
fn gated_pods_add_their_updates_and_leave_the_slices_as_they_were() {
    let (tgs, pods) = (3, 8);
    let plain = Scenario::build(ScenarioKind::ScaleUp, params(tgs, pods));
    let gated = Scenario::build(
        ScenarioKind::ScaleUp,
        ScenarioParams {
            readiness_gates: true,
            ..params(tgs, pods)
        },
    );
    assert!(plain.pod_updates.is_empty());
    let times = |s: &Scenario| s.events.iter().map(|(t, _)| *t).collect::<Vec<_>>();
    assert_eq!(times(&plain), times(&gated));
    // Each new pod: created, bound, given an IP, containers ready.
    assert_eq!(gated.pod_updates.len(), tgs * pods * 4);
    assert!(gated.pod_updates.windows(2).all(|w| w[0].0 <= w[1].0));
}
