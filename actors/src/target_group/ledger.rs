use rustc_hash::{FxHashMap, FxHashSet};
use tokio::time::Instant;

use super::pending::Pending;
use super::table::{Known, TargetTable};
use crate::domain::{Action, Delta, Target};

pub(crate) fn slot(a: Action) -> usize {
    match a {
        Action::Deregister => 0,
        Action::Register => 1,
    }
}

/// Where every known target stands: wanted, registered, in flight, pending either way, or held back.
#[derive(Default)]
pub(crate) struct Ledger {
    pub table: TargetTable,
    pub inflight: [FxHashMap<Target, Instant>; 2],
    pub pending: [Pending; 2],
    pub quarantined: FxHashSet<Target>,
}

impl Ledger {
    /// Takes in one endpoint occurrence of a target gained or lost at `now`; returns whether the desired set
    /// changed (the target became wanted or unwanted).
    pub fn apply(&mut self, d: Delta, now: Instant) -> bool {
        let Ledger {
            table,
            inflight,
            pending,
            quarantined,
        } = self;
        let (t, known) = match d {
            Delta::Add(t) => (t, table.want(t)),
            Delta::Remove(t) => (t, table.unwant(&t)),
        };
        let Some(k) = known else {
            return false;
        };
        settle(t, k, now, true, inflight, pending, quarantined);
        let idle = k.idle();
        if idle {
            table.tidy(&t);
        }
        true
    }

    /// Settles `t` again (after a call ended, or when it was found registered), waiting since `since`.
    pub fn recheck(&mut self, t: Target, since: Instant, fresh: bool) {
        let Ledger {
            table,
            inflight,
            pending,
            quarantined,
        } = self;
        settle(
            t,
            table.entry(t),
            since,
            fresh,
            inflight,
            pending,
            quarantined,
        );
        table.tidy(&t);
    }

    /// Takes up to `max` targets waiting for `action` that `skip` does not hold back, oldest first. A target
    /// in flight the other way waits: two calls for one target racing in ELB could land in either order.
    pub fn take(
        &mut self,
        action: Action,
        max: usize,
        skip: impl Fn(&Target) -> bool,
    ) -> Vec<(Target, Instant)> {
        let theirs = &self.inflight[1 - slot(action)];
        let mut batch: Vec<(Target, Instant)> = self
            .table
            .pending(action)
            .filter(|(t, _)| !theirs.contains_key(t) && !skip(t))
            .collect();
        if batch.len() > max {
            batch.sort_by_key(|&(t, since)| (since, t));
            batch.truncate(max);
        }
        self.taken(action, &batch);
        batch
    }

    /// Takes the listed targets that wait for `action` (and are not in flight the other way).
    pub fn take_listed(&mut self, action: Action, listed: &[Target]) -> Vec<(Target, Instant)> {
        let theirs = &self.inflight[1 - slot(action)];
        let batch: Vec<(Target, Instant)> = listed
            .iter()
            .filter(|t| !theirs.contains_key(t))
            .filter_map(|t| match self.table.get(t)?.pending {
                Some((a, since)) if a == action => Some((*t, since)),
                _ => None,
            })
            .collect();
        self.taken(action, &batch);
        batch
    }

    fn taken(&mut self, action: Action, batch: &[(Target, Instant)]) {
        for (t, _) in batch {
            self.table.entry(*t).pending = None;
        }
        let oldest = self.table.oldest_pending(action);
        self.pending[slot(action)].taken(batch.len(), oldest);
    }
}

/// Puts `t` in the one pending state it belongs in (or none), given whether it is wanted, registered and in
/// flight. A target wanted and unwanted inside one window thus costs no call, and no target is ever pending
/// both ways.
fn settle(
    t: Target,
    k: &mut Known,
    since: Instant,
    fresh: bool,
    inflight: &[FxHashMap<Target, Instant>; 2],
    pending: &mut [Pending; 2],
    quarantined: &mut FxHashSet<Target>,
) {
    let wanted = k.wanted > 0;
    let want = if quarantined.is_empty() {
        wanted
    } else if !wanted {
        quarantined.remove(&t);
        false
    } else {
        !quarantined.contains(&t)
    };
    // What ELB will hold once the calls in flight land.
    let will_have = if inflight[slot(Action::Register)].contains_key(&t) {
        true
    } else if inflight[slot(Action::Deregister)].contains_key(&t) {
        false
    } else {
        k.registered
    };
    let need = match (want, will_have) {
        (true, false) => Some(Action::Register),
        (false, true) => Some(Action::Deregister),
        _ => None,
    };
    let current = k.pending.map(|(a, _)| a);
    if current == need {
        if let Some(a) = need {
            pending[slot(a)].joined(since, fresh, true);
        }
        return;
    }
    if let Some(c) = current {
        pending[slot(c)].left(since);
    }
    k.pending = need.map(|a| (a, since));
    if let Some(a) = need {
        pending[slot(a)].joined(since, fresh, false);
    }
}
