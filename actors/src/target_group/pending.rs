use rustc_hash::FxHashMap;
use tokio::time::Instant;

use crate::domain::Target;

/// Targets waiting for one action, each with the time it started waiting.
#[derive(Default)]
pub(crate) struct Pending {
    targets: FxHashMap<Target, Instant>,
    opened_at: Option<Instant>,
    last_change: Option<Instant>,
}

impl Pending {
    /// Adds `t`, waiting since `since`; `fresh` marks a new change (not a retry) for quiet-time ordering.
    pub fn insert(&mut self, t: Target, since: Instant, fresh: bool) {
        self.targets.entry(t).or_insert(since);
        self.opened_at = Some(self.opened_at.map_or(since, |o| o.min(since)));
        if fresh {
            self.last_change = Some(since.max(self.last_change.unwrap_or(since)));
        }
    }

    /// Drops `t`; a removal is a change too (a cancelled pair). Returns whether it was there.
    pub fn remove(&mut self, t: &Target, now: Instant) -> bool {
        let was = self.targets.remove(t).is_some();
        if was {
            self.last_change = Some(now);
            if self.targets.is_empty() {
                self.opened_at = None;
            }
        }
        was
    }

    pub fn contains(&self, t: &Target) -> bool {
        self.targets.contains_key(t)
    }

    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// When the oldest waiting target started waiting: the batch window opens then.
    pub fn opened_at(&self) -> Option<Instant> {
        self.opened_at
    }

    /// The latest change to this set.
    pub fn last_change(&self) -> Option<Instant> {
        self.last_change
    }

    /// Removes and returns up to `max` targets that `skip` does not hold back, oldest first.
    pub fn take(&mut self, max: usize, skip: impl Fn(&Target) -> bool) -> Vec<(Target, Instant)> {
        let mut batch: Vec<(Target, Instant)> = self
            .targets
            .iter()
            .filter(|(t, _)| !skip(t))
            .map(|(t, s)| (*t, *s))
            .collect();
        if batch.len() > max {
            batch.sort_by_key(|&(t, since)| (since, t));
            batch.truncate(max);
        }
        for (t, _) in &batch {
            self.targets.remove(t);
        }
        self.opened_at = self.targets.values().min().copied();
        batch
    }

    /// Removes the listed targets if present, returning those that were.
    pub fn take_listed(
        &mut self,
        listed: &[Target],
        skip: impl Fn(&Target) -> bool,
    ) -> Vec<(Target, Instant)> {
        let batch: Vec<(Target, Instant)> = listed
            .iter()
            .filter(|t| !skip(t))
            .filter_map(|t| self.targets.remove(t).map(|s| (*t, s)))
            .collect();
        self.opened_at = self.targets.values().min().copied();
        batch
    }
}
