use rustc_hash::FxHashMap;

use crate::domain::Target;

/// What a target group knows of one target.
#[derive(Default, Clone, Copy)]
struct Known {
    /// Endpoint occurrences (across all sources) that want it.
    wanted: u32,
    /// Whether ELB holds it, as far as confirmed calls tell.
    registered: bool,
}

/// One entry per target that is wanted or registered, so each endpoint change costs one lookup for both
/// questions the ledger asks (is it wanted, does ELB hold it).
#[derive(Default)]
pub(crate) struct TargetTable {
    known: FxHashMap<Target, Known>,
}

impl TargetTable {
    /// Counts one more occurrence of `t`; if it just became wanted, returns whether ELB holds it.
    pub fn want(&mut self, t: Target) -> Option<bool> {
        let k = self.known.entry(t).or_default();
        k.wanted += 1;
        (k.wanted == 1).then_some(k.registered)
    }

    /// Counts one occurrence of `t` less; if it just stopped being wanted, returns whether ELB holds it.
    pub fn unwant(&mut self, t: &Target) -> Option<bool> {
        let k = self.known.get_mut(t)?;
        k.wanted = k.wanted.checked_sub(1)?;
        if k.wanted > 0 {
            return None;
        }
        let registered = k.registered;
        if !registered {
            self.known.remove(t);
        }
        Some(registered)
    }

    /// Records whether ELB holds `t`.
    pub fn set_registered(&mut self, t: Target, on: bool) {
        if on {
            self.known.entry(t).or_default().registered = true;
        } else if let Some(k) = self.known.get_mut(&t) {
            k.registered = false;
            if k.wanted == 0 {
                self.known.remove(&t);
            }
        }
    }

    /// (wanted, registered) for `t`.
    pub fn state(&self, t: &Target) -> (bool, bool) {
        self.known
            .get(t)
            .map_or((false, false), |k| (k.wanted > 0, k.registered))
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
