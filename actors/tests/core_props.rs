//! Property tests of the target group core: whatever sequence of slice snapshots arrives, and however calls
//! fail in between, ELB ends up holding exactly the union of ready endpoints, and no target is ever pending
//! both ways.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use proptest::prelude::*;
use tgsync_actors::domain::{
    Action, AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort, Target, Zone,
};
use tgsync_actors::target_group::{CallOutcome, TargetGroupCore, TgConfig};
use tokio::time::Instant;

const POOL: u32 = 24;
const SLICES: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    /// Slice `slice` now holds these (ip, condition code) endpoints, on port 80, 81 or only a port of
    /// another name (code 0, 1, 2).
    Snapshot(usize, u8, Vec<(u32, u8)>),
    /// Slice `slice`'s last snapshot with one endpoint replaced, inserted or removed (kind 0, 1, 2) at a
    /// position, as the EndpointSlice controller edits slices in place.
    Edit(usize, u8, usize, (u32, u8)),
    /// Start a call for an action, if the core has a batch.
    Take(bool),
    /// The call in flight for an action ends like this.
    Finish(bool, u8),
}

/// Codes 0 and 1 differ in bytes (serving) but not in what ELB should hold; so do codes with and without
/// the zone bit. Either change alone must move no target.
fn conditions(code: u8) -> Conditions {
    match code % 4 {
        0 => Conditions::ready(),
        1 => Conditions::new(true, false, false),
        2 => Conditions::terminating(),
        _ => Conditions::new(false, false, false),
    }
}

/// The port the target group reads from a slice with port code `code`.
fn port(code: u8) -> Option<u16> {
    [Some(80), Some(81), None][code as usize]
}

fn snapshot(slice: usize, code: u8, eps: &[(u32, u8)]) -> EndpointSliceSnapshot {
    EndpointSliceSnapshot {
        key: Arc::from(format!("ns/web-{slice}")),
        service: Arc::from("ns/web"),
        address_type: AddressType::Ipv4,
        ports: Arc::from(vec![SlicePort {
            name: (code == 2).then(|| Arc::from("metrics")),
            port: 80 + code.min(1) as u16,
        }]),
        endpoints: eps
            .iter()
            .map(|&(n, c)| {
                Endpoint::new(
                    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)),
                    conditions(c),
                    (c & 0x10 != 0).then_some(Zone(1)),
                )
            })
            .collect(),
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..SLICES, 0u8..3, prop::collection::vec((0..POOL, any::<u8>()), 0..24)).prop_map(|(s, p, e)| Step::Snapshot(s, p, e)),
        4 => (0..SLICES, 0u8..3, 0usize..26, (0..POOL, any::<u8>())).prop_map(|(s, k, i, e)| Step::Edit(s, k, i, e)),
        2 => any::<bool>().prop_map(Step::Take),
        2 => (any::<bool>(), 0u8..4).prop_map(|(a, o)| Step::Finish(a, o)),
    ]
}

fn action(dereg: bool) -> Action {
    if dereg {
        Action::Deregister
    } else {
        Action::Register
    }
}

fn outcome(code: u8) -> CallOutcome {
    // Mostly applied; throttles and transient failures in between.
    match code {
        0 | 1 => CallOutcome::Applied,
        _ => CallOutcome::Retry,
    }
}

/// Each slice's last port code and (ip, condition code) endpoints.
type LastSeen = BTreeMap<usize, (u8, Vec<(u32, u8)>)>;

/// The union of the ready endpoints of every slice's last snapshot, each on its own port.
fn wanted(last: &LastSeen) -> BTreeSet<Target> {
    last.iter()
        .filter_map(|(i, (p, eps))| Some((snapshot(*i, *p, eps), port(*p)?)))
        .flat_map(|(snap, port)| {
            snap.endpoints
                .iter()
                .filter(|e| e.conditions().wants_traffic())
                .map(|e| Target::ip(e.addr(), port))
                .collect::<Vec<_>>()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ends_with_elb_equal_to_the_union_of_ready_endpoints(steps in prop::collection::vec(step(), 1..60)) {
        let now = Instant::now();
        let mut core = TargetGroupCore::new(TgConfig { max_per_call: 5, ..TgConfig::default() });
        // What ELB holds, applied only when a call succeeds.
        let mut elb: BTreeSet<Target> = BTreeSet::new();
        let mut in_flight: BTreeMap<bool, Vec<Target>> = BTreeMap::new();
        let mut last = LastSeen::new();
        for s in &steps {
            match s {
                Step::Snapshot(..) | Step::Edit(..) => {
                    let (i, p, eps) = match s {
                        Step::Snapshot(i, p, eps) => (*i, *p, eps.clone()),
                        Step::Edit(i, kind, at, e) => {
                            let (p, mut eps) = last.get(i).cloned().unwrap_or((0, Vec::new()));
                            let at = (*at).min(eps.len());
                            match kind {
                                0 if at < eps.len() => eps[at] = *e,
                                2 if at < eps.len() => { eps.remove(at); }
                                _ => eps.insert(at, *e),
                            }
                            (*i, p, eps)
                        }
                        _ => unreachable!(),
                    };
                    core.apply_slice(now, snapshot(i, p, &eps));
                    last.insert(i, (p, eps));
                    // The core's desired set follows every snapshot at once, whatever moved inside a slice.
                    let desired: BTreeSet<Target> = core.desired().copied().collect();
                    prop_assert_eq!(desired, wanted(&last));
                }
                Step::Take(d) => {
                    if !in_flight.contains_key(d) {
                        let b = core.take_batch(action(*d));
                        prop_assert!(b.len() <= 5);
                        if !b.is_empty() {
                            in_flight.insert(*d, b);
                        }
                    }
                }
                Step::Finish(d, o) => {
                    if let Some(b) = in_flight.remove(d) {
                        let out = outcome(*o);
                        if out == CallOutcome::Applied {
                            for t in b {
                                if *d { elb.remove(&t); } else { elb.insert(t); }
                            }
                        }
                        core.complete(now, action(*d), out);
                    }
                }
            }
            for (n, p) in (0..POOL).flat_map(|n| [(n, 80), (n, 81)]) {
                let t = Target::ip(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)), p);
                prop_assert!(!(core.is_pending(Action::Register, &t) && core.is_pending(Action::Deregister, &t)),
                    "{t} pending both ways");
            }
        }
        // Let every call in flight succeed, then flush to quiescence.
        for (d, b) in std::mem::take(&mut in_flight) {
            for t in b {
                if d { elb.remove(&t); } else { elb.insert(t); }
            }
            core.complete(now, action(d), CallOutcome::Applied);
        }
        for _ in 0..100 {
            for d in [true, false] {
                let b = core.take_batch(action(d));
                for &t in &b {
                    if d { elb.remove(&t); } else { elb.insert(t); }
                }
                if !b.is_empty() {
                    core.complete(now, action(d), CallOutcome::Applied);
                }
            }
        }
        prop_assert!(core.is_settled());
        let want = wanted(&last);
        prop_assert_eq!(&elb, &want);
        let registered: BTreeSet<Target> = core.registered().copied().collect();
        prop_assert_eq!(registered, want);
    }
}

/// One call against an ELB that holds at most `quota` targets: applied, or refused for the quota as a whole.
fn call_capped(
    elb: &mut BTreeSet<Target>,
    quota: usize,
    dereg: bool,
    batch: &[Target],
) -> CallOutcome {
    if dereg {
        for t in batch {
            elb.remove(t);
        }
        return CallOutcome::Applied;
    }
    let new = batch.iter().filter(|t| !elb.contains(t)).count();
    if elb.len() + new > quota {
        return CallOutcome::QuotaExceeded;
    }
    elb.extend(batch.iter().copied());
    CallOutcome::Applied
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// With `max_targets` at ELB's quota, ELB never refuses a call, never holds an unwanted target once
    /// settled, and holds as many wanted targets as fit; registrations over the quota wait without calls.
    #[test]
    fn over_quota_registers_what_fits_and_never_hits_the_quota(
        quota in 0usize..10,
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let now = Instant::now();
        let mut core = TargetGroupCore::new(TgConfig { max_per_call: 5, max_targets: quota, ..TgConfig::default() });
        let mut elb: BTreeSet<Target> = BTreeSet::new();
        let mut in_flight: BTreeMap<bool, Vec<Target>> = BTreeMap::new();
        let mut last = LastSeen::new();
        let finish = |core: &mut TargetGroupCore, elb: &mut BTreeSet<Target>, d: bool, b: Vec<Target>, retry: bool| {
            let out = if retry { CallOutcome::Retry } else { call_capped(elb, quota, d, &b) };
            core.complete(now, action(d), out);
            out
        };
        for s in &steps {
            match s {
                Step::Snapshot(i, p, eps) => {
                    core.apply_slice(now, snapshot(*i, *p, eps));
                    last.insert(*i, (*p, eps.clone()));
                }
                Step::Edit(..) => {}
                Step::Take(d) => {
                    if !in_flight.contains_key(d) {
                        let b = core.take_batch(action(*d));
                        if !b.is_empty() {
                            in_flight.insert(*d, b);
                        }
                    }
                }
                Step::Finish(d, o) => {
                    if let Some(b) = in_flight.remove(d) {
                        let out = finish(&mut core, &mut elb, *d, b, *o >= 2);
                        prop_assert_ne!(out, CallOutcome::QuotaExceeded);
                    }
                }
            }
            prop_assert!(elb.len() <= quota);
        }
        for (d, b) in std::mem::take(&mut in_flight) {
            prop_assert_ne!(finish(&mut core, &mut elb, d, b, false), CallOutcome::QuotaExceeded);
        }
        for _ in 0..100 {
            for d in [true, false] {
                let b = core.take_batch(action(d));
                if !b.is_empty() {
                    prop_assert_ne!(finish(&mut core, &mut elb, d, b, false), CallOutcome::QuotaExceeded);
                }
            }
        }
        let want = wanted(&last);
        prop_assert!(elb.is_subset(&want), "nothing unwanted left: {:?} vs {:?}", elb, want);
        prop_assert_eq!(elb.len(), want.len().min(quota));
        prop_assert_eq!(core.over_quota().is_some(), want.len() > quota);
        prop_assert_eq!(core.next_flush(Action::Register), None);
        prop_assert_eq!(core.next_flush(Action::Deregister), None);
        let registered: BTreeSet<Target> = core.registered().copied().collect();
        prop_assert_eq!(registered, elb);
    }
}
