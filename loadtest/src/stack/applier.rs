//! `ModelApplier`: a plan's calls against the model front to back, one permit of the call's class each,
//! as the SDK applier makes them (`src/aws/stack/apply/`), stopping at the first refusal.

use std::collections::BTreeSet;

use tgsync_actors::budget::ApiClass;
use tgsync_actors::stack::plan::{collision_free_moves, Call, Created, Move, Plan, Ref};
use tgsync_actors::stack::Action;

use super::permit::Permits;
use crate::model::stack::StackError;
use crate::model::ElbModel;
use tgsync_actors::budget::BudgetStopped;

/// Why a plan stopped, at which call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelApplyError {
    /// Call `index` (`action`) was refused.
    #[error("call {index} ({action}) failed: {error}")]
    Refused {
        /// The call's position in the plan.
        index: usize,
        /// Its API action.
        action: &'static str,
        /// What the model answered.
        error: StackError,
    },
    /// The plan named a resource before creating it.
    #[error("call {0} names a resource not created yet")]
    Unresolved(usize),
    /// The budget is gone.
    #[error("{0}")]
    Budget(#[from] BudgetStopped),
}

impl ModelApplyError {
    /// Whether the model answered `Throttling`.
    pub fn is_throttling(&self) -> bool {
        matches!(self, ModelApplyError::Refused { error, .. } if error.is_throttling())
    }
}

/// Applies plans to the model.
#[derive(Clone)]
pub struct ModelApplier {
    model: ElbModel,
    permits: Permits,
}

impl ModelApplier {
    /// An applier spending `permits`.
    pub fn new(model: ElbModel, permits: Permits) -> Self {
        ModelApplier { model, permits }
    }

    /// The DNS name of load balancer `arn`, read without a call.
    fn dns_name(&self, arn: &str) -> String {
        self.model.peek(|r| {
            r.load_balancers()
                .into_iter()
                .find(|(_, lb)| lb.arn == arn)
                .map(|(_, lb)| lb.dns_name)
                .unwrap_or_default()
        })
    }

    /// Makes every call of `plan` in order; answers what the creates made.
    pub async fn apply(&self, plan: &Plan) -> Result<Created, ModelApplyError> {
        let mut created = Created::default();
        for (index, call) in plan.calls.iter().enumerate() {
            let sent = resolved(call, &created).ok_or(ModelApplyError::Unresolved(index))?;
            self.permits.permit(call.class()).await?;
            let refused = |error| ModelApplyError::Refused {
                index,
                action: call.action(),
                error,
            };
            let made = match &sent {
                Call::SetRulePriorities { listener, moves } => {
                    self.set_priorities(listener, moves)
                        .await
                        .map_err(refused)?;
                    None
                }
                _ => self.model.stack_call(&sent).await.map_err(refused)?,
            };
            if let (Some(id), Some(arn)) = (call.creates(), made) {
                if matches!(call, Call::CreateLoadBalancer { .. }) {
                    // CreateLoadBalancer answers the DNS name with the ARN.
                    created.record_dns_name(self.dns_name(&arn));
                }
                created.record(id, arn);
            }
        }
        Ok(created)
    }

    /// One `SetRulePriorities`; on `PriorityInUse`, DescribeRules and single collision-free moves, as the SDK
    /// applier does for ELBs that refuse held targets.
    async fn set_priorities(&self, listener: &str, moves: &[Move]) -> Result<(), StackError> {
        let all = Call::SetRulePriorities {
            listener: listener.to_owned(),
            moves: moves.to_vec(),
        };
        match self.model.stack_call(&all).await {
            Err(e) if e.code == "PriorityInUse" => {}
            other => return other.map(drop),
        }
        let stopped = |e: BudgetStopped| StackError::new("Stopped", e.to_string());
        self.permits
            .permit(ApiClass::Describe)
            .await
            .map_err(stopped)?;
        let occupied: BTreeSet<u32> = self
            .model
            .describe("DescribeRules", |r| r.rules_of(listener))
            .await?
            .iter()
            .map(|r| r.priority)
            .collect();
        for (rule, to) in collision_free_moves(moves, &occupied) {
            self.permits
                .permit(ApiClass::Mutating)
                .await
                .map_err(stopped)?;
            let from = 0;
            let one = Call::SetRulePriorities {
                listener: listener.to_owned(),
                moves: vec![Move { rule, from, to }],
            };
            self.model.stack_call(&one).await?;
        }
        Ok(())
    }
}

/// `call` with every `Ref::New` and `TgRef::Model` replaced by what the plan created; `None` if one is missing.
fn resolved(call: &Call, created: &Created) -> Option<Call> {
    let r = |x: &Ref| created.resolve(x).ok().map(|s| Ref::Existing(s.to_owned()));
    let a = |x: &Action| -> Option<Action> { created.resolve_action(x).ok() };
    let mut c = call.clone();
    match &mut c {
        Call::AuthorizeSecurityGroupIngress { group, .. } => *group = r(group)?,
        Call::ModifyTargetGroupAttributes { target_group, .. } => *target_group = r(target_group)?,
        Call::ModifyLoadBalancerAttributes { load_balancer, .. } => {
            *load_balancer = r(load_balancer)?
        }
        Call::AddListenerCertificates { listener, .. } => *listener = r(listener)?,
        Call::CreateLoadBalancer {
            security_groups, ..
        }
        | Call::SetSecurityGroups {
            security_groups, ..
        } => {
            for g in security_groups.iter_mut() {
                *g = r(g)?;
            }
        }
        Call::CreateListener {
            load_balancer,
            default_action,
            ..
        } => {
            *load_balancer = r(load_balancer)?;
            *default_action = a(default_action)?;
        }
        Call::ModifyListener {
            default_action: Some(d),
            ..
        } => *d = a(d)?,
        Call::CreateRule { listener, rule, .. } => {
            *listener = r(listener)?;
            for x in rule.actions.iter_mut() {
                *x = a(x)?;
            }
        }
        Call::ModifyRule { spec, .. } => {
            for x in spec.actions.iter_mut() {
                *x = a(x)?;
            }
        }
        _ => {}
    }
    Some(c)
}
