use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbError, ElbTargets, TargetHealth};

use super::checkpoint::{hash_targets, CheckpointState, Invalidate};

type Owned = Rc<RefCell<HashMap<TargetGroupKey, HashSet<Target>>>>;
type States = Rc<RefCell<HashMap<TargetGroupKey, CheckpointState>>>;

/// Wraps an `ElbTargets` and remembers, per target group, the targets this process registered (or adopted)
/// and has not deregistered since: what a deleted binding must deregister before its finalizer goes. It also
/// keeps the checkpoint protocol: a call that changes a target group first removes its checkpoint.
pub struct Tracked<E> {
    inner: E,
    owned: Owned,
    states: States,
    invalidate: Option<Invalidate>,
}

impl<E: ElbTargets> Tracked<E> {
    /// Tracks the calls made through `inner`.
    pub fn new(inner: E) -> Self {
        Tracked {
            inner,
            owned: Rc::default(),
            states: Rc::default(),
            invalidate: None,
        }
    }

    /// Calls `invalidate` before the first call that changes a target group whose checkpoint is clean.
    pub fn with_invalidate(mut self, invalidate: Invalidate) -> Self {
        self.invalidate = Some(invalidate);
        self
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

    /// The targets this process owns in `tg`.
    pub fn owned(&self, tg: &TargetGroupKey) -> Vec<Target> {
        self.owned
            .borrow()
            .get(tg)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// How many targets this process owns in `tg`.
    pub fn owned_len(&self, tg: &TargetGroupKey) -> usize {
        self.owned.borrow().get(tg).map_or(0, HashSet::len)
    }

    /// The checkpoint hash of what this process owns in `tg`.
    pub fn owned_hash(&self, tg: &TargetGroupKey) -> String {
        hash_targets(self.owned.borrow().get(tg).into_iter().flatten())
    }

    /// `tg`'s checkpoint bookkeeping.
    pub fn checkpoint(&self, tg: &TargetGroupKey) -> CheckpointState {
        self.states.borrow().get(tg).copied().unwrap_or_default()
    }

    /// Marks `tg`'s checkpoint clean (written, or found matching) or not.
    pub fn set_clean(&self, tg: &TargetGroupKey, clean: bool) {
        self.states
            .borrow_mut()
            .entry(tg.clone())
            .or_default()
            .clean = clean;
    }

    /// Forgets `tg` (its binding is gone).
    pub fn forget(&self, tg: &TargetGroupKey) {
        self.owned.borrow_mut().remove(tg);
        self.states.borrow_mut().remove(tg);
    }

    /// Runs `call` under the checkpoint protocol, then applies `done` to the owned set if it succeeded.
    fn guarded(
        &self,
        tg: &TargetGroupKey,
        call: CallFuture<()>,
        done: impl FnOnce(&mut HashSet<Target>) + 'static,
    ) -> CallFuture<()> {
        let must_invalidate = {
            let mut states = self.states.borrow_mut();
            let s = states.entry(tg.clone()).or_default();
            s.inflight += 1;
            std::mem::replace(&mut s.clean, false)
        };
        let invalidate = self.invalidate.clone().filter(|_| must_invalidate);
        let (owned, states, key) = (self.owned.clone(), self.states.clone(), tg.clone());
        Box::pin(async move {
            let settle = |clean: bool| {
                let mut states = states.borrow_mut();
                let s = states.entry(key.clone()).or_default();
                s.inflight = s.inflight.saturating_sub(1);
                s.clean |= clean;
            };
            if let Some(invalidate) = invalidate {
                if !invalidate(key.clone()).await {
                    settle(true);
                    return Err(ElbError::Other(
                        "cannot remove the binding's checkpoint; call not made".into(),
                    ));
                }
            }
            let res = call.await;
            if res.is_ok() {
                done(owned.borrow_mut().entry(key.clone()).or_default());
            }
            settle(false);
            res
        })
    }
}

impl<E: ElbTargets> ElbTargets for Tracked<E> {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self.inner.register(tg, targets.clone());
        self.guarded(tg, call, move |set| set.extend(targets))
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self.inner.deregister(tg, targets.clone());
        self.guarded(tg, call, move |set| {
            for t in &targets {
                set.remove(t);
            }
        })
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        self.inner.describe_health(tg)
    }
}
