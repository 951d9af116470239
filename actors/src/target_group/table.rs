use rustc_hash::FxHashMap;
use tokio::time::Instant;

use crate::domain::{Action, Target};

/// What a target group knows of one target: 16 bytes, one per wanted, registered or pending target.
#[derive(Clone, Copy)]
pub(crate) struct Known {
    /// Since when it waits for `action`, in nanoseconds from its table's epoch (`NOT_WAITING`: it does not).
    /// Not an `Instant` (16 bytes): with 24-byte targets, entries are 40 bytes instead of 48.
    since: i64,
    /// Endpoint occurrences (across all sources) that want it.
    pub wanted: u32,
    /// Whether ELB holds it, as far as confirmed calls tell.
    pub registered: bool,
    /// The call it waits for, while it waits.
    action: Action,
}

const NOT_WAITING: i64 = i64::MIN;

impl Default for Known {
    fn default() -> Self {
        Known {
            since: NOT_WAITING,
            wanted: 0,
            registered: false,
            action: Action::Register,
        }
    }
}

impl Known {
    /// Nothing left to know: unwanted, not in ELB, waiting for nothing.
    pub fn idle(&self) -> bool {
        self.wanted == 0 && !self.registered && self.since == NOT_WAITING
    }

    /// The call it waits for, if any.
    pub fn pending_action(&self) -> Option<Action> {
        (self.since != NOT_WAITING).then_some(self.action)
    }

    /// Whether it waits for `action`.
    pub fn waits_for(&self, action: Action) -> bool {
        self.pending_action() == Some(action)
    }

    /// Sets the call it waits for and since when (`None`: none), against its table's `epoch`.
    pub fn set_pending(&mut self, pending: Option<(Action, Instant)>, epoch: Instant) {
        match pending {
            Some((action, since)) => (self.action, self.since) = (action, offset(since, epoch)),
            None => self.since = NOT_WAITING,
        }
    }

    /// Since when it waits for `action`, if it does, against its table's `epoch`.
    pub fn waiting_for(&self, action: Action, epoch: Instant) -> Option<Instant> {
        self.waits_for(action).then(|| at(self.since, epoch))
    }
}

/// `t` as nanoseconds from `epoch`, either side of it.
fn offset(t: Instant, epoch: Instant) -> i64 {
    match t.checked_duration_since(epoch) {
        Some(after) => after.as_nanos() as i64,
        None => -(epoch.duration_since(t).as_nanos() as i64),
    }
}

/// The instant `nanos` from `epoch`.
fn at(nanos: i64, epoch: Instant) -> Instant {
    let d = std::time::Duration::from_nanos(nanos.unsigned_abs());
    if nanos >= 0 {
        epoch + d
    } else {
        epoch - d
    }
}

/// One entry per target that is wanted, registered or pending, so an endpoint change costs one lookup for
/// everything the ledger asks (is it wanted, does ELB hold it, what does it wait for).
pub(crate) struct TargetTable {
    known: FxHashMap<Target, Known>,
    /// What the entries' wait times count from.
    epoch: Instant,
    /// Targets wanted, and targets ELB holds: kept as counts so the quota check costs no pass over the table.
    wanted_count: usize,
    registered_count: usize,
}

impl Default for TargetTable {
    fn default() -> Self {
        TargetTable {
            known: FxHashMap::default(),
            epoch: Instant::now(),
            wanted_count: 0,
            registered_count: 0,
        }
    }
}

impl TargetTable {
    /// What the entries' wait times count from.
    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Since when `t` waits for `action`, if it does.
    pub fn waiting_since(&self, t: &Target, action: Action) -> Option<Instant> {
        self.known.get(t)?.waiting_for(action, self.epoch)
    }

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
            // A rolling update holds old and new targets for a while; once it is over, give the room back (the
            // table keeps its largest size otherwise). A third keeps a group that grows back from shrinking again.
            if self.known.len() * 3 < self.known.capacity() && self.known.capacity() > 64 {
                self.known.shrink_to_fit();
            }
        }
    }

    /// The targets waiting for `action`, and since when.
    pub fn pending(&self, action: Action) -> impl Iterator<Item = (Target, Instant)> + '_ {
        self.known
            .iter()
            .filter_map(move |(t, k)| Some((*t, k.waiting_for(action, self.epoch)?)))
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

#[cfg(test)]
mod size {
    use super::*;

    /// A table entry per tracked target: keep (target, known) at 40 bytes.
    #[test]
    fn an_entry_fits_in_40_bytes() {
        assert!(std::mem::size_of::<(Target, Known)>() <= 40);
    }

    #[test]
    fn a_wait_keeps_its_exact_instant_either_side_of_the_epoch() {
        let epoch = Instant::now();
        for t in [
            epoch,
            epoch + std::time::Duration::from_nanos(123_456_789_012),
            epoch - std::time::Duration::from_nanos(987_654_321),
        ] {
            let mut k = Known::default();
            k.set_pending(Some((Action::Deregister, t)), epoch);
            assert_eq!(k.waiting_for(Action::Deregister, epoch), Some(t));
            assert_eq!(k.waiting_for(Action::Register, epoch), None);
        }
        let mut k = Known::default();
        k.set_pending(Some((Action::Register, epoch)), epoch);
        k.set_pending(None, epoch);
        assert!(k.idle());
    }
}
