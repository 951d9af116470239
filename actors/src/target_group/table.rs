use rustc_hash::FxHashMap;
use tokio::time::Instant;

use crate::domain::{Action, Target};

/// What a target group knows of one target.
#[derive(Clone, Copy, Default)]
pub(crate) struct Known {
    /// Endpoint occurrences (across all sources) that want it.
    pub wanted: u32,
    /// Whether ELB holds it, as far as confirmed calls tell.
    pub registered: bool,
    /// The call it waits for, and since when.
    pub pending: Option<(Action, Instant)>,
}

impl Known {
    /// Nothing left to know: unwanted, not in ELB, waiting for nothing.
    pub fn idle(&self) -> bool {
        self.wanted == 0 && !self.registered && self.pending.is_none()
    }

    /// Since when it waits for `action`, if it does.
    pub fn waiting_for(&self, action: Action) -> Option<Instant> {
        self.pending
            .filter(|(a, _)| *a == action)
            .map(|(_, since)| since)
    }
}

/// One entry per target that is wanted, registered or pending, so an endpoint change costs one lookup for
/// everything the ledger asks (is it wanted, does ELB hold it, what does it wait for).
#[derive(Default)]
pub(crate) struct TargetTable {
    known: FxHashMap<Target, Known>,
    /// Targets wanted, and targets ELB holds: kept as counts so the quota check costs no pass over the table.
    wanted_count: usize,
    registered_count: usize,
}

impl TargetTable {
    /// Counts one more occurrence of `t`; returns its entry if it just became wanted.
    pub fn want(&mut self, t: Target) -> Option<&mut Known> {
        let k = self.known.entry(t).or_default();
        k.wanted += 1;
        if k.wanted == 1 {
            self.wanted_count += 1;
        }
        (k.wanted == 1).then_some(k)
    }

    /// Counts one occurrence of `t` less; returns its entry if it just stopped being wanted.
    pub fn unwant(&mut self, t: &Target) -> Option<&mut Known> {
        let k = self.known.get_mut(t)?;
        k.wanted = k.wanted.checked_sub(1)?;
        if k.wanted == 0 {
            self.wanted_count -= 1;
        }
        (k.wanted == 0).then_some(k)
    }

    /// `t`'s entry, made if missing.
    pub fn entry(&mut self, t: Target) -> &mut Known {
        self.known.entry(t).or_default()
    }

    /// Records whether ELB holds `t`.
    pub fn set_registered(&mut self, t: Target, registered: bool) {
        let k = self.known.entry(t).or_default();
        if k.registered != registered {
            k.registered = registered;
            if registered {
                self.registered_count += 1;
            } else {
                self.registered_count -= 1;
            }
        }
    }

    /// How many distinct targets are wanted.
    pub fn wanted_count(&self) -> usize {
        self.wanted_count
    }

    /// How many targets ELB holds, as far as confirmed calls tell.
    pub fn registered_count(&self) -> usize {
        self.registered_count
    }

    /// `t`'s entry, if any.
    pub fn get(&self, t: &Target) -> Option<&Known> {
        self.known.get(t)
    }

    /// Drops `t`'s entry if it is idle.
    pub fn tidy(&mut self, t: &Target) {
        if self.known.get(t).is_some_and(Known::idle) {
            self.known.remove(t);
        }
    }

    /// The targets waiting for `action`, and since when.
    pub fn pending(&self, action: Action) -> impl Iterator<Item = (Target, Instant)> + '_ {
        self.known
            .iter()
            .filter_map(move |(t, k)| Some((*t, k.waiting_for(action)?)))
    }

    /// How many targets it knows.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Every wanted target.
    pub fn wanted(&self) -> impl Iterator<Item = &Target> {
        self.known
            .iter()
            .filter(|(_, k)| k.wanted > 0)
            .map(|(t, _)| t)
    }

    /// Every target ELB holds.
    pub fn registered(&self) -> impl Iterator<Item = &Target> {
        self.known
            .iter()
            .filter(|(_, k)| k.registered)
            .map(|(t, _)| t)
    }
}
