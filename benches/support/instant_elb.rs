//! An ELB that applies every call at once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbTargets, HealthState, TargetHealth};

/// An ELB that applies every call at once and answers describes from what it holds: the benches measure
/// the strategies, not AWS.
#[derive(Clone, Default)]
pub struct InstantElb {
    /// Calls made.
    pub calls: Rc<Cell<u64>>,
    /// Targets carried by those calls.
    pub targets: Rc<Cell<u64>>,
    held: Rc<RefCell<FxHashMap<TargetGroupKey, FxHashSet<Target>>>>,
}

impl InstantElb {
    fn apply(&self, tg: &TargetGroupKey, targets: Vec<Target>, add: bool) -> CallFuture<()> {
        self.calls.set(self.calls.get() + 1);
        self.targets.set(self.targets.get() + targets.len() as u64);
        let mut held = self.held.borrow_mut();
        let set = held.entry(tg.clone()).or_default();
        for t in targets {
            if add {
                set.insert(t);
            } else {
                set.remove(&t);
            }
        }
        Box::pin(std::future::ready(Ok(())))
    }

    /// Whether the target group holds exactly `targets` (given without duplicates).
    pub fn holds_exactly(
        &self,
        tg: &TargetGroupKey,
        targets: impl Iterator<Item = Target>,
    ) -> bool {
        let held = self.held.borrow();
        let set = held.get(tg);
        let mut n = 0;
        for t in targets {
            if !set.is_some_and(|s| s.contains(&t)) {
                return false;
            }
            n += 1;
        }
        set.map_or(0, |s| s.len()) == n
    }
}

impl ElbTargets for InstantElb {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.apply(tg, targets, true)
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.apply(tg, targets, false)
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        self.calls.set(self.calls.get() + 1);
        let held = self.held.borrow();
        let rows: Vec<TargetHealth> = held
            .get(tg)
            .into_iter()
            .flatten()
            .map(|&target| TargetHealth {
                target,
                state: HealthState::Healthy,
            })
            .collect();
        Box::pin(std::future::ready(Ok(rows)))
    }
}
