//! `ElbModel`: the handle strategies call and the runner inspects.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbError, ElbTargets, TargetHealth};
use tokio::time::Instant;

use super::stack::Resources;
use super::target_group::TgState;
use super::{Call, CallKind, CallOutcome, ModelConfig, StackCall, TokenBucket, TOO_MANY_TARGETS};
use crate::rng::Rng;

/// An in-process ELBv2 account. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct ElbModel(pub(crate) Rc<RefCell<Inner>>);

pub(crate) struct Inner {
    pub(crate) config: ModelConfig,
    pub(crate) start: Instant,
    pub(crate) rng: Rng,
    register_bucket: TokenBucket,
    pub(crate) describe_bucket: TokenBucket,
    pub(crate) mutating_bucket: TokenBucket,
    pub(crate) load_balancer_bucket: TokenBucket,
    pub(crate) tgs: HashMap<TargetGroupKey, TgState>,
    pub(crate) deleted: HashSet<TargetGroupKey>,
    ledger: Vec<Call>,
    in_flight_mutating: usize,
    pub(crate) resources: Resources,
    pub(crate) stack_ledger: Vec<StackCall>,
}

impl ElbModel {
    /// A model whose clock starts now, holding the given (empty) target groups.
    pub fn new(config: ModelConfig, tgs: impl IntoIterator<Item = TargetGroupKey>) -> Self {
        let now = Instant::now();
        let b = |c: super::BucketConfig| TokenBucket::new(c.capacity, c.refill_per_s, now);
        ElbModel(Rc::new(RefCell::new(Inner {
            rng: Rng::new(config.seed),
            register_bucket: b(config.register_bucket),
            describe_bucket: b(config.describe_bucket),
            mutating_bucket: b(config.mutating_bucket),
            load_balancer_bucket: b(config.load_balancer_bucket),
            resources: Resources::new(config.quotas),
            stack_ledger: Vec::new(),
            tgs: tgs.into_iter().map(|k| (k, TgState::default())).collect(),
            deleted: HashSet::new(),
            ledger: Vec::new(),
            in_flight_mutating: 0,
            start: now,
            config,
        })))
    }

    /// Puts targets in a target group as registered long ago and healthy, without a call (a warm start).
    pub fn seed_registered(&self, tg: &TargetGroupKey, targets: impl IntoIterator<Item = Target>) {
        let mut s = self.0.borrow_mut();
        let now = Instant::now();
        let ago = s.config.health.time_to_healthy() + Duration::from_secs(1);
        let long_ago = now.checked_sub(ago).unwrap_or(now);
        let state = s.tgs.entry(tg.clone()).or_default();
        for t in targets {
            state.seed(t, long_ago);
        }
    }

    /// Refills every bucket as if `quiet` more had passed without a call (the clock does not move).
    pub fn idle(&self, quiet: Duration) {
        let mut guard = self.0.borrow_mut();
        let s = &mut *guard;
        for b in [
            &mut s.register_bucket,
            &mut s.describe_bucket,
            &mut s.mutating_bucket,
            &mut s.load_balancer_bucket,
        ] {
            b.idle(quiet);
        }
    }

    /// Deletes a target group now: later calls on it answer `TargetGroupNotFound`.
    pub fn delete_target_group(&self, tg: &TargetGroupKey) {
        self.0.borrow_mut().deleted.insert(tg.clone());
    }

    /// The registered targets of a target group, draining ones excluded.
    pub fn registered(&self, tg: &TargetGroupKey) -> HashSet<Target> {
        let s = self.0.borrow();
        s.tgs
            .get(tg)
            .filter(|_| !s.is_deleted(tg, Instant::now()))
            .map(|st| st.active().collect())
            .unwrap_or_default()
    }

    /// The registered targets of every target group the model holds, draining ones excluded.
    pub fn registered_all(&self) -> HashMap<TargetGroupKey, HashSet<Target>> {
        let s = self.0.borrow();
        let now = Instant::now();
        s.tgs
            .iter()
            .filter(|(tg, _)| !s.is_deleted(tg, now))
            .map(|(tg, st)| (tg.clone(), st.active().collect()))
            .collect()
    }

    /// The instant the ledger's times count from.
    pub fn start(&self) -> Instant {
        self.0.borrow().start
    }

    /// Every call answered so far.
    pub fn ledger(&self) -> Vec<Call> {
        self.0.borrow().ledger.clone()
    }

    /// Calls answered so far (cheaper than cloning the ledger).
    pub fn ledger_len(&self) -> usize {
        self.0.borrow().ledger.len()
    }

    /// Register/deregister calls accepted and not yet answered.
    pub fn mutating_in_flight(&self) -> usize {
        self.0.borrow().in_flight_mutating
    }

    /// Virtual time since the model was created.
    pub fn elapsed(&self) -> Duration {
        self.0.borrow().start.elapsed()
    }

    async fn call(
        self,
        kind: CallKind,
        tg: TargetGroupKey,
        targets: Vec<Target>,
    ) -> Result<Vec<TargetHealth>, ElbError> {
        let arrived = Instant::now();
        let (latency, admitted) = {
            let mut s = self.0.borrow_mut();
            let latency = s.latency();
            let admitted = s.admit(kind, arrived);
            if kind != CallKind::DescribeTargetHealth {
                s.in_flight_mutating += 1;
            }
            (latency, admitted)
        };
        tokio::time::sleep(latency).await;
        let mut s = self.0.borrow_mut();
        if kind != CallKind::DescribeTargetHealth {
            s.in_flight_mutating -= 1;
        }
        let answer = admitted.and_then(|()| s.apply(kind, &tg, &targets));
        let outcome = match &answer {
            Ok(_) => CallOutcome::Ok,
            Err(ElbError::Throttled) => CallOutcome::Throttled,
            Err(ElbError::TargetGroupNotFound(_)) => CallOutcome::NotFound,
            Err(e) => CallOutcome::Failed(e.to_string()),
        };
        let target_count = match &answer {
            Ok(rows) if kind == CallKind::DescribeTargetHealth => rows.len(),
            _ => targets.len(),
        };
        let call = Call {
            start: arrived.duration_since(s.start),
            end: Instant::now().duration_since(s.start),
            kind,
            tg,
            target_count,
            targets,
            outcome,
        };
        s.ledger.push(call);
        answer
    }
}

impl Inner {
    pub(crate) fn latency(&mut self) -> Duration {
        let (lo, hi) = (self.config.latency_min, self.config.latency_max);
        self.rng.millis_between(lo, hi.max(lo))
    }

    /// AWS takes the token when the request arrives; an injected throttle costs no token.
    fn admit(&mut self, kind: CallKind, now: Instant) -> Result<(), ElbError> {
        if self.rng.chance(self.config.throttle_fraction) {
            return Err(ElbError::Throttled);
        }
        let bucket = match kind {
            CallKind::DescribeTargetHealth => &mut self.describe_bucket,
            _ => &mut self.register_bucket,
        };
        if bucket.try_take(now) {
            Ok(())
        } else {
            Err(ElbError::Throttled)
        }
    }

    fn is_deleted(&self, tg: &TargetGroupKey, now: Instant) -> bool {
        self.deleted.contains(tg)
            || self
                .config
                .deletions
                .iter()
                .any(|d| &d.tg == tg && now >= self.start + d.at)
    }

    /// Applies a call at the end of its latency, so concurrent calls see each other's effects in completion order.
    fn apply(
        &mut self,
        kind: CallKind,
        tg: &TargetGroupKey,
        targets: &[Target],
    ) -> Result<Vec<TargetHealth>, ElbError> {
        let now = Instant::now();
        let not_found = || ElbError::TargetGroupNotFound(tg.to_string());
        if self.is_deleted(tg, now) {
            return Err(not_found());
        }
        if targets.len() > self.config.max_targets_per_call {
            return Err(ElbError::Other(format!(
                "ValidationError: {} targets in one call, more than {}",
                targets.len(),
                self.config.max_targets_per_call
            )));
        }
        let (delay, health, max) = (
            self.config.deregistration_delay,
            self.config.health,
            self.config.max_targets_per_tg,
        );
        let state = self.tgs.get_mut(tg).ok_or_else(not_found)?;
        state.expire(now, delay);
        match kind {
            CallKind::RegisterTargets => {
                // Draining targets do not count towards the quota here: the lenient reading, which favours
                // whichever strategy churns more.
                if state.active_count() + state.count_new(targets) > max {
                    return Err(ElbError::QuotaExceeded(TOO_MANY_TARGETS.to_owned()));
                }
                state.register(targets, now);
                Ok(Vec::new())
            }
            CallKind::DeregisterTargets => {
                state.deregister(targets, now);
                Ok(Vec::new())
            }
            CallKind::DescribeTargetHealth => Ok(state.describe(now, health)),
        }
    }
}

impl ElbTargets for ElbModel {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self
            .clone()
            .call(CallKind::RegisterTargets, tg.clone(), targets);
        Box::pin(async move { call.await.map(drop) })
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self
            .clone()
            .call(CallKind::DeregisterTargets, tg.clone(), targets);
        Box::pin(async move { call.await.map(drop) })
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        Box::pin(
            self.clone()
                .call(CallKind::DescribeTargetHealth, tg.clone(), Vec::new()),
        )
    }

    fn health_check_intervals(
        &self,
        tgs: &[TargetGroupKey],
    ) -> CallFuture<Vec<(TargetGroupKey, Duration)>> {
        let (model, tgs) = (self.clone(), tgs.to_vec());
        Box::pin(async move { model.health_check_intervals_of(tgs).await })
    }
}
