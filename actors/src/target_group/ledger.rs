use rustc_hash::{FxHashMap, FxHashSet};
use tokio::time::Instant;

use super::pending::Pending;
use super::table::{Known, TargetTable};
use crate::domain::{Action, Delta, Target};

/// Most waits a queue keeps room for between takes: a group's usual window of changes, without holding a
/// storm's worth of room for good.
const QUEUE_ROOM_KEPT: usize = 64;

/// An action's index into the per-action arrays of the ledger and the actor.
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
    pub waits: Waits,
}

/// Everything but the per-target entries, apart so that settling a target can hold its entry and this.
#[derive(Default)]
pub(crate) struct Waits {
    pub inflight: [FxHashMap<Target, Instant>; 2],
    pub pending: [Pending; 2],
    pub quarantined: FxHashSet<Target>,
    /// Per action, the targets that started waiting since the last take, so a take looks at those rather
    /// than at the whole table. Entries go stale when a wait is cancelled; takes skip and drop them.
    queue: [Vec<Target>; 2],
}

impl Ledger {
    /// Takes in one endpoint occurrence of a target gained or lost at `now`; returns whether the desired set
    /// changed (the target became wanted or unwanted).
    pub fn apply(&mut self, d: Delta, now: Instant) -> bool {
        let Ledger { table, waits } = self;
        let epoch = table.epoch();
        let (t, known) = match d {
            Delta::Add(t) => (t, table.want(t)),
            Delta::Remove(t) => (t, table.unwant(&t)),
        };
        let Some(k) = known else {
            return false;
        };
        waits.settle(t, k, now, true, epoch);
        let idle = k.idle();
        if idle {
            table.tidy(&t);
        }
        self.bound_queues();
        true
    }

    /// Settles `t` again (after a call ended, or when it was found registered), waiting since `since`.
    pub fn recheck(&mut self, t: Target, since: Instant, fresh: bool) {
        let epoch = self.table.epoch();
        self.waits
            .settle(t, self.table.entry(t), since, fresh, epoch);
        self.table.tidy(&t);
        self.bound_queues();
    }

    /// Drops stale entries once a queue outgrows the table: with no take for a long while (a target group
    /// gone, or backing off) and churn that keeps cancelling waits, a queue would otherwise grow without bound.
    fn bound_queues(&mut self) {
        let limit = 2 * self.table.len() + 64;
        for action in [Action::Deregister, Action::Register] {
            let queue = &mut self.waits.queue[slot(action)];
            if queue.len() > limit {
                let table = &self.table;
                queue.retain(|t| table.get(t).is_some_and(|k| k.waits_for(action)));
                // Order does not matter: a take sorts what waits by since.
                queue.sort_unstable();
                queue.dedup();
            }
        }
    }

    /// Takes up to `max` targets waiting for `action` that `skip` does not hold back, oldest first (`lowest`:
    /// lowest first). A target in flight the other way waits: two calls for one target racing in ELB could
    /// land in either order.
    pub fn take(
        &mut self,
        action: Action,
        max: usize,
        lowest: bool,
        skip: impl Fn(&Target) -> bool,
    ) -> Vec<(Target, Instant)> {
        let i = slot(action);
        let mut waiting = self.waiting(action);
        if lowest {
            waiting.sort_unstable_by_key(|&(t, _)| t);
        }
        let theirs = &self.waits.inflight[1 - i];
        let (mut batch, mut rest) = (Vec::new(), Vec::new());
        for (t, since) in waiting {
            if batch.len() < max && !theirs.contains_key(&t) && !skip(&t) {
                batch.push((t, since));
            } else {
                rest.push((t, since));
            }
        }
        self.taken(action, &batch, &rest);
        batch
    }

    /// Takes the listed targets that wait for `action` (and are not in flight the other way).
    pub fn take_listed(&mut self, action: Action, listed: &[Target]) -> Vec<(Target, Instant)> {
        let i = slot(action);
        let waiting = self.waiting(action);
        let theirs = &self.waits.inflight[1 - i];
        let (batch, rest): (Vec<_>, Vec<_>) = waiting
            .into_iter()
            .partition(|(t, _)| listed.contains(t) && !theirs.contains_key(t));
        self.taken(action, &batch, &rest);
        batch
    }

    /// The targets waiting for `action`, oldest first, each once (the queue emptied of stale entries).
    fn waiting(&mut self, action: Action) -> Vec<(Target, Instant)> {
        let queue = &mut self.waits.queue[slot(action)];
        // A queue longer than the table (churn that came and went inside one window) costs more lookups than
        // reading the table through once.
        let mut waiting: Vec<(Target, Instant)> = if queue.len() >= self.table.len() {
            queue.clear();
            self.table.pending(action).collect()
        } else {
            let table = &self.table;
            queue
                .drain(..)
                .filter_map(|t| Some((t, table.waiting_since(&t, action)?)))
                .collect()
        };
        // The emptied queue keeps its room for the next window's waits, unless a storm made it large.
        if queue.capacity() > QUEUE_ROOM_KEPT {
            *queue = Vec::new();
        }
        // One wait per target: a target queued twice has one `since`, so its copies sort together.
        waiting.sort_unstable_by_key(|&(t, since)| (since, t));
        waiting.dedup_by_key(|(t, _)| *t);
        waiting
    }

    /// Marks `batch` as no longer waiting and queues `rest` for the next take.
    fn taken(&mut self, action: Action, batch: &[(Target, Instant)], rest: &[(Target, Instant)]) {
        for (t, _) in batch {
            let epoch = self.table.epoch();
            self.table.entry(*t).set_pending(None, epoch);
        }
        let i = slot(action);
        self.waits.queue[i].extend(rest.iter().map(|(t, _)| *t));
        let oldest = rest.iter().map(|&(_, since)| since).min();
        self.waits.pending[i].taken(batch.len(), oldest);
    }
}

impl Waits {
    /// Puts `t` in the one pending state it belongs in (or none), given whether it is wanted, registered and in
    /// flight. A target wanted and unwanted inside one window thus costs no call, and no target is ever pending
    /// both ways.
    fn settle(&mut self, t: Target, k: &mut Known, since: Instant, fresh: bool, epoch: Instant) {
        let Waits {
            inflight,
            pending,
            quarantined,
            queue,
        } = self;
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
        let current = k.pending_action();
        if current == need {
            if let Some(a) = need {
                pending[slot(a)].joined(since, fresh, true);
            }
            return;
        }
        if let Some(c) = current {
            pending[slot(c)].left(since);
            // Nothing waits for `c` any more, so every entry of its queue is stale: drop them now. (At start-up
            // an actor adopts what ELB holds before the slices want it: each adopted target waits for a
            // deregistration until its slice arrives, and the queue would keep a thousand dead entries.)
            if pending[slot(c)].is_empty() {
                queue[slot(c)] = Vec::new();
            }
        }
        k.set_pending(need.map(|a| (a, since)), epoch);
        if let Some(a) = need {
            pending[slot(a)].joined(since, fresh, false);
            queue[slot(a)].push(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;

    #[test]
    fn queues_stay_bounded_when_nothing_is_taken() {
        let mut l = Ledger::default();
        let now = Instant::now();
        let t = |n: u32| Target::ip(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)), 80);
        // A registered target that goes and comes back (a deregistration opened and cancelled) on every
        // step, and a new one wanted each time, with no call ever taking from the queues.
        l.apply(Delta::Add(t(0)), now);
        l.table.set_registered(t(0), true);
        l.recheck(t(0), now, false);
        for n in 1..10_000 {
            l.apply(Delta::Remove(t(0)), now);
            l.apply(Delta::Add(t(0)), now);
            l.apply(Delta::Add(t(n % 50 + 1)), now);
        }
        let limit = 2 * l.table.len() + 64;
        assert!(
            l.waits.queue.iter().all(|q| q.len() <= limit),
            "{:?}",
            l.waits.queue.each_ref().map(Vec::len)
        );
        // Nothing that waits was dropped.
        let waiting: Vec<_> = l
            .take(Action::Register, usize::MAX, false, |_| false)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(waiting.len(), 50);
        assert!(l
            .take(Action::Deregister, usize::MAX, false, |_| false)
            .is_empty());
    }
}
