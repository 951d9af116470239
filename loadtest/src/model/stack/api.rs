//! Stack calls on `ElbModel`: the token is taken from the action's bucket when the call arrives, the change
//! is applied when it is answered (after the model's latency), and every call goes in the stack ledger.

use tgsync_actors::domain::TargetGroupKey;
use tgsync_actors::stack::plan::Call;
use tokio::time::Instant;

use super::resources::TgEvent;
use super::{bucket_of, Resources, StackBucket, StackError};
use crate::model::elb_model::Inner;
use crate::model::target_group::TgState;
use crate::model::{CallOutcome, ElbModel, StackCall};

impl ElbModel {
    /// Makes one mutating stack call (references already resolved); a create answers the new ARN or id.
    pub async fn stack_call(&self, call: &Call) -> Result<Option<String>, StackError> {
        let call = call.clone();
        self.charged(call.action(), move |inner| {
            let answer = inner.resources.apply(&call);
            inner.sync_target_groups();
            answer
        })
        .await
    }

    /// Makes one Describe (or EC2 read) call named `action` that answers what `read` finds.
    pub(crate) async fn describe<T>(
        &self,
        action: &'static str,
        read: impl FnOnce(&Resources) -> Result<T, StackError>,
    ) -> Result<T, StackError> {
        self.charged(action, move |inner| read(&inner.resources))
            .await
    }

    /// Reads the account's stack resources without a call (for checks after a run).
    pub(crate) fn peek<T>(&self, read: impl FnOnce(&Resources) -> T) -> T {
        read(&self.0.borrow().resources)
    }

    /// Every stack call answered so far.
    pub fn stack_ledger(&self) -> Vec<StackCall> {
        self.0.borrow().stack_ledger.clone()
    }

    pub(crate) async fn charged<T>(
        &self,
        action: &'static str,
        apply: impl FnOnce(&mut Inner) -> Result<T, StackError>,
    ) -> Result<T, StackError> {
        let arrived = Instant::now();
        let (latency, admitted) = {
            let mut s = self.0.borrow_mut();
            let latency = s.latency();
            (latency, s.admit_stack(bucket_of(action), arrived))
        };
        tokio::time::sleep(latency).await;
        let mut s = self.0.borrow_mut();
        let answer = if admitted {
            apply(&mut s)
        } else {
            Err(StackError::throttling())
        };
        let outcome = match &answer {
            Ok(_) => CallOutcome::Ok,
            Err(e) if e.is_throttling() => CallOutcome::Throttled,
            Err(e) if e.code.ends_with("NotFound") => CallOutcome::NotFound,
            Err(e) => CallOutcome::Failed(e.to_string()),
        };
        let call = StackCall {
            start: arrived.duration_since(s.start),
            end: Instant::now().duration_since(s.start),
            action,
            outcome,
        };
        s.stack_ledger.push(call);
        answer
    }
}

impl Inner {
    /// As for targets, an injected throttle costs no token; EC2 calls draw from no ELBv2 bucket.
    fn admit_stack(&mut self, bucket: StackBucket, now: Instant) -> bool {
        if self.rng.chance(self.config.throttle_fraction) {
            return false;
        }
        match bucket {
            StackBucket::Describe => self.describe_bucket.try_take(now),
            StackBucket::Mutating => self.mutating_bucket.try_take(now),
            StackBucket::LoadBalancers => self.load_balancer_bucket.try_take(now),
            StackBucket::Ec2 => true,
        }
    }

    /// Target groups created by stack calls take registrations; deleted ones answer `TargetGroupNotFound`.
    fn sync_target_groups(&mut self) {
        for e in std::mem::take(&mut self.resources.tg_events) {
            match e {
                TgEvent::Created(arn) => {
                    let key = TargetGroupKey::new(arn);
                    self.deleted.remove(&key);
                    self.tgs.insert(key, TgState::default());
                }
                TgEvent::Deleted(arn) => {
                    let key = TargetGroupKey::new(arn);
                    self.tgs.remove(&key);
                    self.deleted.insert(key);
                }
            }
        }
    }
}
