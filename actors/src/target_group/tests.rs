//! Unit tests of the target group core: slice moves, cancelling inside a window, chunking, retries, isolation.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::{CallOutcome, TargetGroupCore, TgConfig};
use crate::domain::{
    Action, AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort, Target,
};

fn ip(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
}

fn slice(name: &str, ready: &[u32], terminating: &[u32]) -> EndpointSliceSnapshot {
    let eps = ready
        .iter()
        .map(|&n| (n, Conditions::ready()))
        .chain(terminating.iter().map(|&n| (n, Conditions::terminating())))
        .map(|(n, conditions)| Endpoint::new(ip(n), conditions, None))
        .collect::<Vec<_>>();
    EndpointSliceSnapshot {
        key: Arc::from(format!("default/{name}")),
        service: Arc::from("default/web"),
        address_type: AddressType::Ipv4,
        ports: Arc::from(vec![SlicePort {
            name: None,
            port: 8080,
        }]),
        endpoints: Arc::from(eps),
    }
}

fn t(n: u32) -> Target {
    Target::ip(ip(n), 8080)
}

fn core() -> TargetGroupCore {
    TargetGroupCore::new(TgConfig::default())
}

/// Sends every pending batch of `action` and marks it applied.
fn flush(c: &mut TargetGroupCore, now: Instant, action: Action) -> Vec<usize> {
    let mut sizes = Vec::new();
    loop {
        let b = c.take_batch(action);
        if b.is_empty() {
            return sizes;
        }
        sizes.push(b.len());
        c.complete(now, action, CallOutcome::Applied);
    }
}

#[test]
fn a_new_slice_registers_only_its_ready_endpoints() {
    let now = Instant::now();
    let mut c = core();
    assert!(c.apply_slice(now, slice("a", &[1, 2, 3], &[4])));
    assert_eq!(c.pending_len(Action::Register), 3);
    assert_eq!(flush(&mut c, now, Action::Register), vec![3]);
    assert_eq!(c.registered().count(), 3);
    assert!(c.is_settled());
}

#[test]
fn an_endpoint_moving_between_slices_costs_nothing() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    flush(&mut c, now, Action::Register);
    // Endpoint 2 moves from slice a to slice b, in either order of updates.
    c.apply_slice(now, slice("b", &[2], &[]));
    c.apply_slice(now, slice("a", &[1], &[]));
    assert!(c.is_settled());
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    c.apply_slice(now, slice("b", &[], &[]));
    assert!(c.is_settled());
    assert_eq!(c.registered().count(), 2);
}

#[test]
fn a_register_and_deregister_inside_one_window_cancel() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1], &[]));
    flush(&mut c, now, Action::Register);
    // 2 appears and vanishes, 1 terminates and comes back: nothing to call.
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    c.apply_slice(now, slice("a", &[], &[1]));
    c.apply_slice(now, slice("a", &[1], &[]));
    assert!(c.is_settled(), "no call needed");
}

#[test]
fn the_window_opens_on_the_first_change_and_closes_when_a_call_would_be_full() {
    let t0 = Instant::now();
    let mut c = core();
    c.apply_slice(t0, slice("a", &[1], &[]));
    let later = t0 + Duration::from_millis(100);
    c.apply_slice(later, slice("a", &[1, 2], &[]));
    assert_eq!(
        c.next_flush(Action::Register),
        Some(t0 + TgConfig::default().window)
    );
    let many: Vec<u32> = (1..=200).collect();
    c.apply_slice(later, slice("a", &many, &[]));
    assert_eq!(
        c.next_flush(Action::Register),
        Some(t0),
        "a full batch goes at once"
    );
}

#[test]
fn batches_are_chunked_at_max_per_call() {
    let now = Instant::now();
    let mut c = core();
    for s in 0..5 {
        let eps: Vec<u32> = (s * 90..s * 90 + 90).collect();
        c.apply_slice(now, slice(&format!("s{s}"), &eps, &[]));
    }
    assert_eq!(flush(&mut c, now, Action::Register), vec![200, 200, 50]);
}

#[test]
fn one_batch_per_action_in_flight_and_later_changes_merge_into_the_next() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1], &[]));
    assert_eq!(c.take_batch(Action::Register), vec![t(1)]);
    c.apply_slice(now, slice("a", &[1, 2, 3], &[]));
    assert!(
        c.take_batch(Action::Register).is_empty(),
        "one call in flight at a time"
    );
    assert_eq!(c.next_flush(Action::Register), None);
    c.complete(now, Action::Register, CallOutcome::Applied);
    let mut next = c.take_batch(Action::Register);
    next.sort();
    assert_eq!(next, vec![t(2), t(3)]);
}

#[test]
fn a_throttled_call_loses_nothing() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    assert_eq!(c.take_batch(Action::Register).len(), 2);
    c.apply_slice(now, slice("a", &[2, 3], &[]));
    c.complete(now, Action::Register, CallOutcome::Retry);
    // 1 is no longer wanted, so the retry carries 2 and 3 only.
    let mut next = c.take_batch(Action::Register);
    next.sort();
    assert_eq!(next, vec![t(2), t(3)]);
}

#[test]
fn a_target_waits_while_the_opposite_call_is_in_flight() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1], &[]));
    assert_eq!(c.take_batch(Action::Register), vec![t(1)]);
    c.apply_slice(now, slice("a", &[], &[1]));
    assert!(c.is_pending(Action::Deregister, &t(1)));
    assert!(
        c.take_batch(Action::Deregister).is_empty(),
        "must not race the register"
    );
    c.complete(now, Action::Register, CallOutcome::Applied);
    assert_eq!(c.take_batch(Action::Deregister), vec![t(1)]);
    c.complete(now, Action::Deregister, CallOutcome::Applied);
    assert_eq!(c.registered().count(), 0);
}

#[test]
fn a_refused_target_is_isolated_by_bisection_and_the_rest_registered() {
    let now = Instant::now();
    let mut c = core();
    let bad = t(3);
    c.apply_slice(now, slice("a", &[1, 2, 3, 4, 5], &[]));
    let mut calls = 0;
    loop {
        let b = c.take_batch(Action::Register);
        if b.is_empty() {
            break;
        }
        calls += 1;
        let outcome = if b.contains(&bad) {
            CallOutcome::Rejected
        } else {
            CallOutcome::Applied
        };
        let done = c.complete(now, Action::Register, outcome);
        if !done.rejected.is_empty() {
            assert_eq!(done.rejected, vec![bad]);
        }
    }
    assert!(calls <= 7, "bisection, not one call per target: {calls}");
    assert_eq!(c.registered().count(), 4);
    assert!(c.quarantined().contains(&bad));
    // Once the endpoint goes away and comes back, it is tried again.
    c.apply_slice(now, slice("a", &[1, 2, 4, 5], &[]));
    assert!(c.quarantined().is_empty());
    c.apply_slice(now, slice("a", &[1, 2, 3, 4, 5], &[]));
    assert!(c.is_pending(Action::Register, &bad));
}

#[test]
fn a_missing_target_group_stops_all_calls() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1], &[]));
    c.take_batch(Action::Register);
    assert!(c.complete(now, Action::Register, CallOutcome::Gone).gone);
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    assert_eq!(c.next_flush(Action::Register), None);
    assert!(c.take_batch(Action::Register).is_empty());
}

#[test]
fn the_window_widens_while_permits_are_slow_and_shrinks_back() {
    let mut c = core();
    let base = TgConfig::default().window;
    c.note_permit_wait(Duration::from_secs(3));
    c.note_permit_wait(Duration::from_secs(3));
    assert_eq!(c.window(), base * 4);
    for _ in 0..10 {
        c.note_permit_wait(Duration::from_secs(60));
    }
    assert_eq!(c.window(), TgConfig::default().max_window);
    for _ in 0..10 {
        c.note_permit_wait(Duration::ZERO);
    }
    assert_eq!(c.window(), base);
}

#[test]
fn only_the_bound_port_is_registered() {
    let now = Instant::now();
    let mut c = TargetGroupCore::new(TgConfig {
        port_name: Some(Arc::from("metrics")),
        ..TgConfig::default()
    });
    let mut s = slice("a", &[1], &[]);
    c.apply_slice(now, s.clone());
    assert!(c.is_settled(), "slice lacks the port");
    s.ports = Arc::from(vec![
        SlicePort {
            name: Some(Arc::from("http")),
            port: 80,
        },
        SlicePort {
            name: Some(Arc::from("metrics")),
            port: 9090,
        },
    ]);
    c.apply_slice(now, s);
    assert_eq!(
        c.take_batch(Action::Register),
        vec![Target::ip(ip(1), 9090)]
    );
}

fn capped(max_targets: usize) -> TargetGroupCore {
    TargetGroupCore::new(TgConfig {
        max_targets,
        ..TgConfig::default()
    })
}

/// Sends every batch of `action` the core has, applying each, and returns the targets in order.
fn sent(c: &mut TargetGroupCore, now: Instant, action: Action) -> Vec<Target> {
    let mut out = Vec::new();
    loop {
        let b = c.take_batch(action);
        if b.is_empty() {
            return out;
        }
        out.extend(b);
        c.complete(now, action, CallOutcome::Applied);
    }
}

#[test]
fn past_max_targets_the_lowest_fill_the_group_and_the_rest_wait_without_calls() {
    let now = Instant::now();
    let mut c = capped(3);
    // Arrival order does not decide who gets in: the lowest targets do.
    c.apply_slice(now, slice("a", &[9, 4, 7, 2, 5], &[]));
    let mut got = sent(&mut c, now, Action::Register);
    got.sort();
    assert_eq!(got, vec![t(2), t(4), t(5)]);
    assert_eq!(c.over_quota(), Some(3));
    assert_eq!(c.pending_len(Action::Register), 2, "7 and 9 still wait");
    assert_eq!(c.next_flush(Action::Register), None, "no call while full");
    // A lower target arriving does not displace a registered one.
    c.apply_slice(now, slice("a", &[9, 4, 7, 2, 5, 1], &[]));
    assert_eq!(c.next_flush(Action::Register), None);
    assert!(c.take_batch(Action::Register).is_empty());
}

#[test]
fn a_deregistration_frees_room_for_the_lowest_waiting_target() {
    let now = Instant::now();
    let mut c = capped(3);
    c.apply_slice(now, slice("a", &[1, 2, 3, 8, 6], &[]));
    sent(&mut c, now, Action::Register);
    // 2 terminates: deregistrations still go while the group is full, then 6 (not 8) takes its place.
    c.apply_slice(now, slice("a", &[1, 3, 8, 6], &[2]));
    assert!(c.next_flush(Action::Register).is_none());
    assert_eq!(sent(&mut c, now, Action::Deregister), vec![t(2)]);
    assert!(c.next_flush(Action::Register).is_some());
    assert_eq!(sent(&mut c, now, Action::Register), vec![t(6)]);
    let mut held: Vec<Target> = c.registered().copied().collect();
    held.sort();
    assert_eq!(held, vec![t(1), t(3), t(6)]);
    // Enough pods go that everything fits again.
    c.apply_slice(now, slice("a", &[1, 8], &[]));
    assert_eq!(c.over_quota(), None);
    sent(&mut c, now, Action::Deregister);
    sent(&mut c, now, Action::Register);
    assert!(c.is_settled());
    assert_eq!(c.registered().count(), 2);
}

#[test]
fn a_quota_refusal_stops_registering_until_the_wanted_set_changes() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    sent(&mut c, now, Action::Register);
    // ELB is fuller than we know (foreign targets): it refuses the next registration.
    c.apply_slice(now, slice("a", &[1, 2, 3, 4], &[]));
    assert_eq!(c.take_batch(Action::Register).len(), 2);
    c.complete(now, Action::Register, CallOutcome::QuotaExceeded);
    assert_eq!(c.target_limit(), 2);
    assert_eq!(c.over_quota(), Some(2));
    assert_eq!(c.next_flush(Action::Register), None, "not retried");
    assert!(c.take_batch(Action::Register).is_empty());
    // A change is worth one more try.
    c.apply_slice(now, slice("a", &[1, 2, 3, 4, 5], &[]));
    assert_eq!(c.target_limit(), TgConfig::default().max_targets);
    assert_eq!(c.over_quota(), None);
    assert_eq!(c.take_batch(Action::Register).len(), 3);
}

fn listed(ns: &[u32]) -> rustc_hash::FxHashSet<Target> {
    ns.iter().map(|&n| t(n)).collect()
}

#[test]
fn a_resync_registers_again_what_elb_lost_and_leaves_foreign_targets_alone() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1, 2, 3], &[]));
    flush(&mut c, now, Action::Register);
    // ELB lost 2 (deregistered by hand) and holds 50, which this group never registered.
    let repair = c.resync(now, &listed(&[1, 3, 50]));
    assert_eq!(repair.registered, 1);
    assert_eq!(repair.deregistered, 0);
    assert!(c.is_pending(Action::Register, &t(2)));
    assert!(!c.is_pending(Action::Deregister, &t(50)), "not ours");
    assert_eq!(flush(&mut c, now, Action::Register), vec![1]);
    assert!(c.is_settled());
    // Nothing drifted: nothing to do.
    assert!(c.resync(now, &listed(&[1, 2, 3, 50])).is_empty());
}

#[test]
fn a_resync_drops_a_deregistration_elb_already_made_and_keeps_one_it_did_not() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1, 2, 3], &[]));
    flush(&mut c, now, Action::Register);
    c.apply_slice(now, slice("a", &[1], &[2, 3]));
    // 2 is gone from ELB already; 3 is still there and still owed its deregistration.
    let repair = c.resync(now, &listed(&[1, 3]));
    assert_eq!((repair.registered, repair.deregistered), (0, 1));
    assert!(!c.is_pending(Action::Deregister, &t(2)));
    assert!(c.is_pending(Action::Deregister, &t(3)));
    assert_eq!(c.take_batch(Action::Deregister), vec![t(3)]);
}

#[test]
fn a_resync_changes_nothing_while_a_call_is_in_flight() {
    let now = Instant::now();
    let mut c = core();
    c.apply_slice(now, slice("a", &[1, 2], &[]));
    flush(&mut c, now, Action::Register);
    c.apply_slice(now, slice("a", &[1, 2, 3], &[]));
    assert_eq!(c.take_batch(Action::Register), vec![t(3)]);
    // The describe may have been answered before the register landed: it proves nothing.
    assert!(c.resync(now, &listed(&[])).is_empty());
    assert_eq!(c.registered().count(), 2);
}
