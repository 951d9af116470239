use rustc_hash::FxHashSet;
use tokio::time::Instant;

use super::TargetGroupCore;
use crate::domain::{Action, Target};

/// What a resync found and repaired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repair {
    /// Targets registered by us and still wanted that ELB no longer held: queued to register again.
    pub registered: usize,
    /// Targets registered by us and no longer wanted that ELB no longer held: the deregistration still owed
    /// for them is dropped.
    pub deregistered: usize,
}

impl Repair {
    /// Whether the resync changed anything.
    pub fn is_empty(&self) -> bool {
        self.registered == 0 && self.deregistered == 0
    }
}

impl TargetGroupCore {
    /// Sets what the core believes ELB holds right against `listed` (what DescribeTargetHealth answered,
    /// draining targets left out). Only targets the core registered are looked at: one ELB lists that the
    /// core never registered belongs to someone else (a multi-cluster target group) and is left alone, and one
    /// it registered but no longer wants is already waiting for its deregistration. Does nothing while a call
    /// is in flight: the describe may have raced it.
    pub fn resync(&mut self, now: Instant, listed: &FxHashSet<Target>) -> Repair {
        let mut repair = Repair::default();
        if self.in_flight(Action::Register) || self.in_flight(Action::Deregister) {
            return repair;
        }
        let lost: Vec<Target> = self
            .registered()
            .filter(|t| !listed.contains(t))
            .copied()
            .collect();
        for t in lost {
            let wanted = self.ledger.table.get(&t).is_some_and(|k| k.wanted > 0);
            self.ledger.table.set_registered(t, false);
            self.ledger.recheck(t, now, true);
            if wanted {
                repair.registered += 1;
            } else {
                repair.deregistered += 1;
            }
        }
        repair
    }
}
