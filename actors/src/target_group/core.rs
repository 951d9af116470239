use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use rustc_hash::FxHashSet;
use tokio::time::Instant;

use super::ledger::{slot, Ledger};
use super::slice_diff::SliceDiff;
use super::{Contributions, TgConfig};
use crate::domain::{Action, Delta, EndpointSliceSnapshot, SliceKey, Target};

thread_local! {
    /// One pair of diff lists for every target group on the thread: they stay in cache while thousands of
    /// groups take turns, where lists of each group's own would be one more cold cache line per update.
    static DIFF: RefCell<SliceDiff> = RefCell::default();
}

/// What became of a call, as far as the core cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// ELB applied the whole call.
    Applied,
    /// Nothing applied, try again later (throttled or a transient failure).
    Retry,
    /// ELB refused a target in the call.
    Rejected,
    /// The target group does not exist.
    Gone,
    /// ELB refused the call for a quota (too many targets): no retry until the wanted set changes.
    QuotaExceeded,
}

/// What the shell must report after a completion.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Targets ELB refused that are now held back until their endpoint changes.
    pub rejected: Vec<Target>,
    /// The target group is gone: stop calling.
    pub gone: bool,
}

/// The decisions of one target group, with no IO and no clock: the desired set (from slice contributions)
/// against the registered set, pending work per action, at most one batch in flight per action, the batch
/// window, and isolation of targets ELB refuses.
pub struct TargetGroupCore {
    config: TgConfig,
    contributions: Contributions,
    pub(super) ledger: Ledger,
    probes: [VecDeque<Vec<Target>>; 2],
    probing: [FxHashSet<Target>; 2],
    window: Duration,
    gone: bool,
    /// How many of our targets ELB took before it refused more (foreign targets share the quota); forgotten
    /// when the wanted set changes, so a change is worth one more try.
    learned_limit: Option<usize>,
}

impl TargetGroupCore {
    /// An empty target group with nothing registered.
    pub fn new(config: TgConfig) -> Self {
        TargetGroupCore {
            window: config.window,
            config,
            contributions: Contributions::default(),
            ledger: Ledger::default(),
            probes: Default::default(),
            probing: Default::default(),
            gone: false,
            learned_limit: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TgConfig {
        &self.config
    }

    /// Takes in a new snapshot of one slice (no endpoints: the slice is gone). Returns whether anything changed.
    /// By value: the slice keeps the snapshot's endpoints, and moving them costs no reference count.
    pub fn apply_slice(&mut self, now: Instant, snap: EndpointSliceSnapshot) -> bool {
        let port = snap.port_for(self.config.port_name.as_deref());
        DIFF.with_borrow_mut(|diff| {
            self.contributions.apply_slice(snap, port, diff);
            self.counted(diff, now)
        })
    }

    /// Replaces one non-slice source (instance mode: the matching nodes) with `targets`.
    pub fn apply_source(&mut self, now: Instant, key: &SliceKey, targets: Vec<Target>) -> bool {
        DIFF.with_borrow_mut(|diff| {
            self.contributions.replace(key, targets, diff);
            self.counted(diff, now)
        })
    }

    fn counted(&mut self, diff: &mut SliceDiff, now: Instant) -> bool {
        let changed = count(&mut self.ledger, diff, now);
        if changed {
            self.learned_limit = None;
        }
        changed
    }

    /// Marks targets as already registered (found in ELB at start-up and owned by us).
    pub fn adopt_registered(&mut self, now: Instant, targets: impl IntoIterator<Item = Target>) {
        for t in targets {
            self.ledger.table.set_registered(t, true);
            self.ledger.recheck(t, now, true);
        }
    }

    /// Most of our targets ELB holds now: `max_targets`, or fewer once ELB refused more.
    pub fn target_limit(&self) -> usize {
        self.learned_limit
            .map_or(self.config.max_targets, |l| l.min(self.config.max_targets))
    }

    /// Targets that may still be registered without passing the limit (those in flight count as held).
    fn room(&self) -> usize {
        let held = self.ledger.table.registered_count()
            + self.ledger.waits.inflight[slot(Action::Register)].len();
        self.target_limit().saturating_sub(held)
    }

    /// `Some(limit)` while more targets are wanted than the limit lets ELB hold: the extra ones wait.
    pub fn over_quota(&self) -> Option<usize> {
        let limit = self.target_limit();
        (self.ledger.table.wanted_count() > limit).then_some(limit)
    }

    /// How many distinct targets are wanted.
    pub fn wanted_len(&self) -> usize {
        self.ledger.table.wanted_count()
    }

    /// Most targets the next batch for `action` may carry.
    fn batch_cap(&self, action: Action) -> usize {
        match action {
            Action::Register => self.config.max_per_call.min(self.room()),
            Action::Deregister => self.config.max_per_call,
        }
    }

    /// When a batch for `action` should go: `None` if nothing waits (or one is in flight); `now` or earlier if
    /// the window has closed or the batch is full.
    pub fn next_flush(&self, action: Action) -> Option<Instant> {
        let i = slot(action);
        if self.gone
            || !self.ledger.waits.inflight[i].is_empty()
            || self.ledger.waits.pending[i].is_empty()
        {
            return None;
        }
        let cap = self.batch_cap(action);
        if cap == 0 {
            // Over quota: nothing fits until a deregistration frees room or the wanted set changes.
            return None;
        }
        let opened = self.ledger.waits.pending[i].opened_at()?;
        if self.ledger.waits.pending[i].len() >= cap || !self.probes[i].is_empty() {
            return Some(opened);
        }
        Some(opened + self.window)
    }

    /// Adjusts the window after a permit: it doubles while permits keep the batch waiting longer than the
    /// window itself (the budget is short) and shrinks back when they come at once.
    pub fn note_permit_wait(&mut self, waited: Duration) {
        self.window = if waited > self.window {
            (self.window * 2).min(self.config.max_window)
        } else {
            (self.window / 2).max(self.config.window)
        };
    }

    /// The current window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Moves the next batch for `action` in flight and returns it (empty if nothing is left to send).
    pub fn take_batch(&mut self, action: Action) -> Vec<Target> {
        let i = slot(action);
        if self.gone || !self.ledger.waits.inflight[i].is_empty() {
            return Vec::new();
        }
        let mut batch = Vec::new();
        while batch.is_empty() {
            let Some(probe) = self.probes[i].pop_front() else {
                break;
            };
            for t in &probe {
                self.probing[i].remove(t);
            }
            batch = self.ledger.take_listed(action, &probe);
        }
        if batch.is_empty() {
            let cap = self.batch_cap(action);
            // When not all that waits fits, the lowest targets go, so which ones fill the group does not
            // depend on the order endpoints arrived in.
            let lowest = action == Action::Register && cap < self.pending_len(action);
            let probing = &self.probing[i];
            batch = self
                .ledger
                .take(action, cap, lowest, |t| probing.contains(t));
        }
        let out = batch.iter().map(|(t, _)| *t).collect();
        self.ledger.waits.inflight[i].extend(batch);
        out
    }

    /// Records how the batch in flight for `action` ended. Nothing is lost: targets of a failed call go back
    /// to pending if they are still needed.
    pub fn complete(&mut self, now: Instant, action: Action, outcome: CallOutcome) -> Completion {
        let i = slot(action);
        // Taken out whole, leaving an empty map: most groups are quiet most of the time, and an empty map holds
        // no room for the next big batch.
        let batch = std::mem::take(&mut self.ledger.waits.inflight[i]);
        let mut done = Completion::default();
        match outcome {
            CallOutcome::Applied => {
                for &t in batch.keys() {
                    self.ledger
                        .table
                        .set_registered(t, action == Action::Register);
                }
            }
            CallOutcome::Rejected if batch.len() == 1 => {
                for &t in batch.keys() {
                    match action {
                        Action::Register => {
                            self.ledger.waits.quarantined.insert(t);
                            done.rejected.push(t);
                        }
                        // ELB does not know the target: it is not registered, which is what we wanted.
                        Action::Deregister => self.ledger.table.set_registered(t, false),
                    }
                }
            }
            CallOutcome::Rejected => {
                // Bisect: each half goes alone until the refused target stands alone.
                let targets: Vec<Target> = batch.keys().copied().collect();
                let (a, b) = targets.split_at(targets.len() / 2);
                for half in [a, b] {
                    self.probing[i].extend(half.iter().copied());
                    self.probes[i].push_back(half.to_vec());
                }
            }
            CallOutcome::QuotaExceeded if action == Action::Register => {
                // ELB holds no more of ours than it does now (foreign targets may share the quota).
                let limit = self.ledger.table.registered_count();
                self.learned_limit = Some(limit);
            }
            CallOutcome::Retry | CallOutcome::QuotaExceeded => {}
            CallOutcome::Gone => {
                self.gone = true;
                done.gone = true;
            }
        }
        for (t, since) in batch {
            self.ledger.recheck(t, since.min(now), false);
        }
        done
    }

    /// Targets waiting for `action`.
    pub fn pending_len(&self, action: Action) -> usize {
        self.ledger.waits.pending[slot(action)].len()
    }

    /// Whether `t` waits for `action`.
    pub fn is_pending(&self, action: Action, t: &Target) -> bool {
        self.ledger
            .table
            .get(t)
            .is_some_and(|k| k.waits_for(action))
    }

    /// When the pending set for `action` last changed.
    pub fn last_change(&self, action: Action) -> Option<Instant> {
        self.ledger.waits.pending[slot(action)].last_change()
    }

    /// When the oldest pending change for `action` happened.
    pub fn waiting_since(&self, action: Action) -> Option<Instant> {
        self.ledger.waits.pending[slot(action)].opened_at()
    }

    /// Whether a batch for `action` is in flight.
    pub fn in_flight(&self, action: Action) -> bool {
        !self.ledger.waits.inflight[slot(action)].is_empty()
    }

    /// Targets ELB holds, as far as we know (confirmed calls only).
    pub fn registered(&self) -> impl Iterator<Item = &Target> {
        self.ledger.table.registered()
    }

    /// The desired set: every ready endpoint of every source.
    pub fn desired(&self) -> impl Iterator<Item = &Target> {
        self.ledger.table.wanted()
    }

    /// Targets held back because ELB refused them.
    pub fn quarantined(&self) -> &FxHashSet<Target> {
        &self.ledger.waits.quarantined
    }

    /// Nothing pending, nothing in flight.
    pub fn is_settled(&self) -> bool {
        self.ledger.waits.pending.iter().all(|p| p.is_empty())
            && self.ledger.waits.inflight.iter().all(|f| f.is_empty())
    }

    /// Whether the target group was found missing.
    pub fn is_gone(&self) -> bool {
        self.gone
    }
}

/// Counts a source's changes into the ledger (added first, so a target that only moved never reaches zero).
/// Returns whether the desired set changed.
fn count(ledger: &mut Ledger, changes: &mut SliceDiff, now: Instant) -> bool {
    let mut changed = false;
    for t in changes.added.drain(..) {
        changed |= ledger.apply(Delta::Add(t), now);
    }
    for t in changes.removed.drain(..) {
        changed |= ledger.apply(Delta::Remove(t), now);
    }
    changed
}
