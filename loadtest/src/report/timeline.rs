//! `Timeline`: a run's calls per second by action and its pending targets over time, what `--plot` draws.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use tgsync_actors::domain::{Action, Target, TargetGroupKey};

use crate::model::Call;
use crate::scenario::Transition;

/// Per-second series from the scenario's start. Memory and JSON grow with the run's seconds, never with its
/// calls or targets: bucket `k` of a call series counts the calls that started in `[k, k + 1)` s, and entry `k`
/// of a pending series is the count at `k` s (so it holds one more entry than a call series).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timeline {
    /// Calls started in each second, by API action, every attempt counted as `calls` counts it (so each
    /// series sums to that action's count); actions never called are left out.
    pub calls: BTreeMap<String, Vec<u32>>,
    /// Calls answered `Throttling` in each second, whatever their action.
    pub throttled: Vec<u32>,
    /// Targets wanted in a target group that ELB did not hold yet, at each whole second.
    pub pending_register: Vec<u32>,
    /// Targets ELB still held that were no longer wanted, at each whole second.
    pub pending_deregister: Vec<u32>,
}

/// What one target group's target is: wanted (in the desired set) and held (registered in ELB).
#[derive(Clone, Copy, Default)]
struct State {
    wanted: bool,
    held: bool,
}

impl State {
    /// (pending registration, pending deregistration), each 0 or 1.
    fn pending(self) -> (u32, u32) {
        (
            u32::from(self.wanted && !self.held),
            u32::from(self.held && !self.wanted),
        )
    }
}

/// A change to one target at a time (seconds from the scenario's start).
struct Change<'a> {
    at: f64,
    key: (&'a TargetGroupKey, Target),
    /// The desired set changed: the target is wanted or not.
    wanted: Option<bool>,
    /// A successful call changed ELB: the target is held or not.
    held: Option<bool>,
}

impl Timeline {
    /// The series of `measured` calls (from the scenario's start on, at `offset_s` on the ledger's clock) and of
    /// the desired set (`initial`, then `transitions`) against what those calls left in ELB, which held
    /// `initial` at the start.
    pub(crate) fn build(
        measured: &[&Call],
        offset_s: f64,
        initial: &HashMap<TargetGroupKey, HashSet<Target>>,
        transitions: &[Transition],
    ) -> Timeline {
        let mut timeline = Timeline::default();
        for c in measured {
            timeline.add_call(
                c.start.as_secs_f64() - offset_s,
                c.kind.as_str(),
                c.outcome == crate::model::CallOutcome::Throttled,
            );
        }
        let mut changes: Vec<Change<'_>> = transitions
            .iter()
            .map(|t| Change {
                at: t.at.as_secs_f64(),
                key: (&t.tg, t.target),
                wanted: Some(t.action == Action::Register),
                held: None,
            })
            .collect();
        for c in measured.iter().filter(|c| c.is_ok()) {
            let Some(action) = c.kind.action() else {
                continue;
            };
            // The model applies a call when it answers it.
            let at = c.end.as_secs_f64() - offset_s;
            changes.extend(c.targets.iter().map(|t| Change {
                at,
                key: (&c.tg, *t),
                wanted: None,
                held: Some(action == Action::Register),
            }));
        }
        changes.sort_by(|a, b| a.at.total_cmp(&b.at));
        let last = changes.last().map_or(0.0, |c| c.at);
        timeline.stretch(last.max(0.0).floor() as usize + 1);
        timeline.sample_pending(&changes, initial);
        timeline
    }

    /// Counts one call that started `at_s` seconds after the scenario's start.
    pub(crate) fn add_call(&mut self, at_s: f64, action: &str, throttled: bool) {
        let k = at_s.max(0.0).floor() as usize;
        self.stretch(k + 1);
        self.calls
            .entry(action.to_owned())
            .or_insert_with(|| vec![0; self.throttled.len()])[k] += 1;
        if throttled {
            self.throttled[k] += 1;
        }
    }

    /// Seconds the call series cover.
    pub fn seconds(&self) -> usize {
        self.throttled.len()
    }

    /// Every series covers at least `seconds` (the pending ones one entry more), pending counts held level.
    fn stretch(&mut self, seconds: usize) {
        if seconds <= self.seconds() {
            return;
        }
        for series in self.calls.values_mut().chain([&mut self.throttled]) {
            series.resize(seconds, 0);
        }
        for series in [&mut self.pending_register, &mut self.pending_deregister] {
            let level = series.last().copied().unwrap_or(0);
            series.resize(seconds + 1, level);
        }
    }

    /// Replays `changes` (in time order) and samples the pending counts at every whole second.
    fn sample_pending(
        &mut self,
        changes: &[Change<'_>],
        initial: &HashMap<TargetGroupKey, HashSet<Target>>,
    ) {
        let mut states: HashMap<(&TargetGroupKey, Target), State> = HashMap::new();
        let (mut register, mut deregister) = (0u32, 0u32);
        let mut next = changes.iter().peekable();
        for k in 0..self.pending_register.len() {
            while let Some(c) = next.next_if(|c| c.at <= k as f64) {
                let state = states.entry(c.key).or_insert_with(|| {
                    let was = initial.get(c.key.0).is_some_and(|s| s.contains(&c.key.1));
                    State {
                        wanted: was,
                        held: was,
                    }
                });
                let (r0, d0) = state.pending();
                state.wanted = c.wanted.unwrap_or(state.wanted);
                state.held = c.held.unwrap_or(state.held);
                let (r1, d1) = state.pending();
                register = register + r1 - r0;
                deregister = deregister + d1 - d0;
            }
            self.pending_register[k] = register;
            self.pending_deregister[k] = deregister;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::{CallKind, CallOutcome};

    fn tg() -> TargetGroupKey {
        TargetGroupKey::new("tg")
    }

    fn t(i: u8) -> Target {
        Target::ip(format!("10.0.0.{i}").parse().unwrap(), 80)
    }

    fn tr(at_ms: u64, target: Target, action: Action) -> Transition {
        Transition {
            at: Duration::from_millis(at_ms),
            tg: tg(),
            target,
            action,
            terminating: false,
        }
    }

    fn call(start_ms: u64, end_ms: u64, kind: CallKind, target: Option<Target>, ok: bool) -> Call {
        Call {
            start: Duration::from_millis(start_ms),
            end: Duration::from_millis(end_ms),
            kind,
            tg: tg(),
            target_count: usize::from(target.is_some()),
            targets: target.into_iter().collect(),
            outcome: if ok {
                CallOutcome::Ok
            } else {
                CallOutcome::Throttled
            },
        }
    }

    #[test]
    fn calls_land_in_the_second_they_start_and_pending_follows_the_calls_that_applied() {
        // Ten seconds of warm-up on the ledger's clock: the scenario's times are shifted by them.
        let offset = 10_000;
        let initial = HashMap::from([(tg(), HashSet::from([t(9)]))]);
        let transitions = [
            tr(1000, t(1), Action::Register),
            tr(1000, t(9), Action::Deregister),
        ];
        let ledger = [
            call(
                offset + 1100,
                offset + 1200,
                CallKind::RegisterTargets,
                Some(t(1)),
                false,
            ),
            call(
                offset + 1050,
                offset + 1150,
                CallKind::DeregisterTargets,
                Some(t(9)),
                true,
            ),
            call(
                offset + 1500,
                offset + 2600,
                CallKind::RegisterTargets,
                Some(t(1)),
                true,
            ),
            call(
                offset + 3200,
                offset + 3300,
                CallKind::DescribeTargetHealth,
                None,
                true,
            ),
        ];
        let measured: Vec<&Call> = ledger.iter().collect();
        let tl = Timeline::build(&measured, offset as f64 / 1000.0, &initial, &transitions);
        assert_eq!(tl.seconds(), 4);
        assert_eq!(tl.calls["RegisterTargets"], [0, 2, 0, 0]);
        assert_eq!(tl.calls["DeregisterTargets"], [0, 1, 0, 0]);
        assert_eq!(tl.calls["DescribeTargetHealth"], [0, 0, 0, 1]);
        assert_eq!(tl.throttled, [0, 1, 0, 0]);
        // At 1 s both changes are wanted and neither applied; the deregistration lands at 1.15 s, the
        // registration (after a throttled try) at 2.6 s.
        assert_eq!(tl.pending_register, [0, 1, 1, 0, 0]);
        assert_eq!(tl.pending_deregister, [0, 1, 0, 0, 0]);
    }

    #[test]
    fn a_later_call_stretches_every_series_and_holds_pending_level() {
        let initial = HashMap::new();
        let transitions = [tr(500, t(1), Action::Register)];
        let tl0 = Timeline::build(&[], 0.0, &initial, &transitions);
        assert_eq!(
            (tl0.seconds(), tl0.pending_register.clone()),
            (1, vec![0, 1])
        );
        let mut tl = tl0;
        tl.add_call(2.5, "DescribeTargetGroups", true);
        assert_eq!(tl.calls["DescribeTargetGroups"], [0, 0, 1]);
        assert_eq!(tl.throttled, [0, 0, 1]);
        assert_eq!(tl.pending_register, [0, 1, 1, 1]);
        assert_eq!(tl.pending_deregister, [0, 0, 0, 0]);
    }
}
