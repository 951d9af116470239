use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbTargets, TargetHealth};

type Owned = Rc<RefCell<HashMap<TargetGroupKey, HashSet<Target>>>>;

/// Wraps an `ElbTargets` and remembers, per target group, the targets this process registered (or adopted)
/// and has not deregistered since: what a deleted binding must deregister before its finalizer goes.
pub struct Tracked<E> {
    inner: E,
    owned: Owned,
}

impl<E: ElbTargets> Tracked<E> {
    /// Tracks the calls made through `inner`.
    pub fn new(inner: E) -> Self {
        Tracked {
            inner,
            owned: Rc::default(),
        }
    }

    /// The wrapped adapter.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// Records targets found registered and owned (start-up resync).
    pub fn adopt(&self, tg: &TargetGroupKey, targets: &[Target]) {
        self.owned
            .borrow_mut()
            .entry(tg.clone())
            .or_default()
            .extend(targets.iter().copied());
    }

    /// How many targets this process owns in `tg`.
    pub fn owned_len(&self, tg: &TargetGroupKey) -> usize {
        self.owned.borrow().get(tg).map_or(0, HashSet::len)
    }

    /// Forgets `tg` (its binding is gone).
    pub fn forget(&self, tg: &TargetGroupKey) {
        self.owned.borrow_mut().remove(tg);
    }
}

impl<E: ElbTargets> ElbTargets for Tracked<E> {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let (owned, key, batch) = (self.owned.clone(), tg.clone(), targets.clone());
        let call = self.inner.register(tg, targets);
        Box::pin(async move {
            call.await?;
            owned.borrow_mut().entry(key).or_default().extend(batch);
            Ok(())
        })
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let (owned, key, batch) = (self.owned.clone(), tg.clone(), targets.clone());
        let call = self.inner.deregister(tg, targets);
        Box::pin(async move {
            call.await?;
            if let Some(set) = owned.borrow_mut().get_mut(&key) {
                for t in &batch {
                    set.remove(t);
                }
            }
            Ok(())
        })
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        self.inner.describe_health(tg)
    }
}
