//! The wrapper the daemon puts around every target group's ELB calls: which targets this process owns, and the
//! checkpoint protocol. In this crate so that `tgsync simulate` runs the same wrapper as `tgsync run`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use crate::domain::{Target, TargetGroupKey, TargetId};
use crate::elb::{CallFuture, ElbError, ElbTargets, TargetHealth};

mod checkpoint;
mod owned_set;

pub use checkpoint::{hash_targets, BoolFuture, CheckpointState, Invalidate};
pub use owned_set::OwnedSet;

/// How often settled target groups get their checkpoint written (a set must hold still this long).
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

type Owned = Rc<RefCell<HashMap<TargetGroupKey, OwnedSet>>>;
type Registering = Rc<RefCell<HashMap<TargetGroupKey, HashSet<Target>>>>;
type States = Rc<RefCell<HashMap<TargetGroupKey, CheckpointState>>>;
/// Writes down a multi-cluster target group's own targets where a restart finds them; `false` when that failed.
pub type Record = Rc<dyn Fn(TargetGroupKey, Vec<Target>) -> BoolFuture>;

/// Wraps an `ElbTargets` and remembers, per target group, the targets this process registered (or adopted)
/// and has not deregistered since: what a deleted binding must deregister before its finalizer goes. It also
/// keeps the checkpoint protocol: a call that changes a target group first removes its checkpoint.
///
/// For multi-cluster target groups the owned set is also recorded: before a RegisterTargets (with the
/// targets it carries, so a crash mid-call leaves nothing of ours unrecorded) and after a DeregisterTargets.
pub struct Tracked<E> {
    inner: E,
    owned: Owned,
    states: States,
    invalidate: Option<Invalidate>,
    record: Option<Record>,
    multi: Rc<RefCell<HashSet<TargetGroupKey>>>,
    registering: Registering,
    record_lock: Rc<tokio::sync::Mutex<()>>,
}

impl<E: ElbTargets> Tracked<E> {
    /// Tracks the calls made through `inner`.
    pub fn new(inner: E) -> Self {
        Tracked {
            inner,
            owned: Rc::default(),
            states: Rc::default(),
            invalidate: None,
            record: None,
            multi: Rc::default(),
            registering: Rc::default(),
            record_lock: Rc::default(),
        }
    }

    /// Records the owned set of multi-cluster target groups with `record`.
    pub fn with_record(mut self, record: Record) -> Self {
        self.record = Some(record);
        self
    }

    /// Marks `tg` as multi-cluster (its owned set is recorded) or not.
    pub fn set_multi(&self, tg: &TargetGroupKey, on: bool) {
        let mut multi = self.multi.borrow_mut();
        if on {
            multi.insert(tg.clone());
        } else {
            multi.remove(tg);
        }
    }

    /// A write of `tg`'s owned set (plus the targets being registered), or `None` if `tg` is not recorded.
    /// Writes are serialized and read the sets when they run, so the last one to land is the newest.
    fn record_later(&self, tg: &TargetGroupKey) -> Option<BoolFuture> {
        if !self.multi.borrow().contains(tg) {
            return None;
        }
        let record = self.record.clone()?;
        let (owned, registering, lock, key) = (
            self.owned.clone(),
            self.registering.clone(),
            self.record_lock.clone(),
            tg.clone(),
        );
        Some(Box::pin(async move {
            let _held = lock.lock().await;
            let set: Vec<Target> = {
                let (owned, registering) = (owned.borrow(), registering.borrow());
                let mine = owned.get(&key).into_iter().flatten();
                let going = registering.get(&key).into_iter().flatten();
                mine.chain(going)
                    .copied()
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect()
            };
            record(key, set).await
        }))
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
        self.states
            .borrow_mut()
            .entry(tg.clone())
            .or_default()
            .version += 1;
    }

    /// The targets this process owns in `tg`.
    pub fn owned(&self, tg: &TargetGroupKey) -> Vec<Target> {
        self.owned
            .borrow()
            .get(tg)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether this process has a target of `id` registered in `tg` (on any port): what tells a readiness
    /// gate that its target reached ELB.
    pub fn holds(&self, tg: &TargetGroupKey, id: TargetId) -> bool {
        self.owned.borrow().get(tg).is_some_and(|s| s.holds_id(id))
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

    /// One checkpoint tick for `tg`: if its owned set held still since the last tick (`last`: the version then,
    /// updated here) with
    /// no call in flight and its checkpoint is not clean, marks it clean and returns the hash to write. A call
    /// starting after this point removes the checkpoint first (after the write, under the caller's lock).
    pub fn checkpoint_due(&self, tg: &TargetGroupKey, last: &mut Option<u64>) -> Option<String> {
        let state = self.checkpoint(tg);
        let still = *last == Some(state.version);
        *last = Some(state.version);
        if state.clean || state.inflight > 0 || !still {
            return None;
        }
        self.set_clean(tg, true);
        // Hashed only now: a tick over groups that keep changing, or stay clean, costs no pass over their sets.
        Some(self.owned_hash(tg))
    }

    /// Forgets `tg` (its binding is gone).
    pub fn forget(&self, tg: &TargetGroupKey) {
        self.owned.borrow_mut().remove(tg);
        self.states.borrow_mut().remove(tg);
        self.multi.borrow_mut().remove(tg);
        self.registering.borrow_mut().remove(tg);
    }

    /// Runs `call` under the checkpoint protocol, after `before` (which must succeed) and before `after`
    /// (which may fail: the record stays a superset), and applies `done` to the owned set if it succeeded.
    fn guarded(
        &self,
        tg: &TargetGroupKey,
        call: CallFuture<()>,
        (before, after): (Option<BoolFuture>, Option<BoolFuture>),
        done: impl FnOnce(&mut OwnedSet) + 'static,
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
            if let Some(before) = before {
                if !before.await {
                    settle(false);
                    return Err(ElbError::Other(
                        "cannot record the binding's own targets; call not made".into(),
                    ));
                }
            }
            let res = call.await;
            if res.is_ok() {
                done(owned.borrow_mut().entry(key.clone()).or_default());
                states.borrow_mut().entry(key.clone()).or_default().version += 1;
                if let Some(after) = after {
                    after.await;
                }
            }
            settle(false);
            res
        })
    }
}

impl<E: ElbTargets> ElbTargets for Tracked<E> {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self.inner.register(tg, targets.clone());
        let before = self.record_later(tg);
        if before.is_some() {
            self.registering
                .borrow_mut()
                .entry(tg.clone())
                .or_default()
                .extend(targets.iter().copied());
        }
        let (registering, key) = (self.registering.clone(), tg.clone());
        let guarded = self.guarded(tg, call, (before, None), move |set| set.extend(targets));
        Box::pin(async move {
            let res = guarded.await;
            // Whatever happened, these are no longer on their way: owned if applied, else not ours yet.
            registering.borrow_mut().remove(&key);
            res
        })
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self.inner.deregister(tg, targets.clone());
        let after = self.record_later(tg);
        self.guarded(tg, call, (None, after), move |set| set.remove_all(&targets))
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        self.inner.describe_health(tg)
    }

    fn health_check_intervals(
        &self,
        tgs: &[TargetGroupKey],
    ) -> CallFuture<Vec<(TargetGroupKey, Duration)>> {
        self.inner.health_check_intervals(tgs)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::elb::{CallFuture, ElbTargets, TargetHealth};

    use super::*;

    /// An ELB that logs each call as it is made (when polled), for ordering against the recorder.
    #[derive(Clone, Default)]
    struct Logged(Rc<RefCell<Vec<String>>>);

    impl ElbTargets for Logged {
        fn register(&self, _: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
            let log = self.0.clone();
            Box::pin(async move {
                log.borrow_mut().push(format!("register {}", targets.len()));
                Ok(())
            })
        }

        fn deregister(&self, _: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
            let log = self.0.clone();
            Box::pin(async move {
                log.borrow_mut()
                    .push(format!("deregister {}", targets.len()));
                Ok(())
            })
        }

        fn describe_health(&self, _: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
            Box::pin(async { Ok(Vec::new()) })
        }
    }

    fn t(n: u8) -> Target {
        Target::ip(std::net::IpAddr::from([10, 0, 0, n]), 80)
    }

    /// A tracker whose recorder logs the sets it writes and answers `ok`.
    fn tracked(log: &Logged, ok: bool) -> Tracked<Logged> {
        let rlog = log.0.clone();
        let record: Record = Rc::new(move |_, mut set: Vec<Target>| {
            let rlog = rlog.clone();
            Box::pin(async move {
                set.sort();
                let ips: Vec<String> = set.iter().map(ToString::to_string).collect();
                rlog.borrow_mut().push(format!("record {}", ips.join(",")));
                ok
            })
        });
        Tracked::new(log.clone()).with_record(record)
    }

    #[tokio::test]
    async fn multi_cluster_targets_are_recorded_before_register_and_after_deregister() {
        let log = Logged::default();
        let tg = TargetGroupKey::new("tg");
        let elb = tracked(&log, true);
        elb.set_multi(&tg, true);
        elb.adopt(&tg, &[t(1)]);
        elb.register(&tg, vec![t(2), t(3)]).await.unwrap();
        elb.deregister(&tg, vec![t(1)]).await.unwrap();
        assert_eq!(
            *log.0.borrow(),
            [
                "record 10.0.0.1:80,10.0.0.2:80,10.0.0.3:80",
                "register 2",
                "deregister 1",
                "record 10.0.0.2:80,10.0.0.3:80",
            ]
        );
        let mut owned = elb.owned(&tg);
        owned.sort();
        assert_eq!(owned, [t(2), t(3)]);
    }

    #[tokio::test]
    async fn no_register_when_the_record_cannot_be_written() {
        let log = Logged::default();
        let tg = TargetGroupKey::new("tg");
        let elb = tracked(&log, false);
        elb.set_multi(&tg, true);
        assert!(elb.register(&tg, vec![t(2)]).await.is_err());
        assert_eq!(*log.0.borrow(), ["record 10.0.0.2:80"]);
        assert!(elb.owned(&tg).is_empty());
    }

    #[tokio::test]
    async fn single_cluster_target_groups_record_nothing() {
        let log = Logged::default();
        let tg = TargetGroupKey::new("tg");
        let elb = tracked(&log, true);
        elb.register(&tg, vec![t(2)]).await.unwrap();
        assert_eq!(*log.0.borrow(), ["register 1"]);
    }

    #[tokio::test]
    async fn a_checkpoint_is_due_once_a_set_held_still_for_a_tick_and_not_again_until_it_changes() {
        let tg = TargetGroupKey::new("tg");
        let elb = Tracked::new(Logged::default());
        elb.adopt(&tg, &[t(1)]);
        let mut last = None;
        assert_eq!(elb.checkpoint_due(&tg, &mut last), None, "first sight");
        let hash = elb.checkpoint_due(&tg, &mut last).expect("held still");
        assert_eq!(hash, hash_targets([&t(1)]));
        assert!(elb.checkpoint(&tg).clean);
        assert_eq!(elb.checkpoint_due(&tg, &mut last), None, "already clean");
        elb.register(&tg, vec![t(2)]).await.unwrap();
        assert!(!elb.checkpoint(&tg).clean);
        assert_eq!(elb.checkpoint_due(&tg, &mut last), None, "changed since");
        let hash = elb
            .checkpoint_due(&tg, &mut last)
            .expect("held still again");
        assert_eq!(hash, hash_targets([&t(1), &t(2)]));
    }
}
