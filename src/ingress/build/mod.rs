//! An Ingress group's members → the group's `StackModel`, plus what became of each member. Members that
//! fail to parse, conflict with an earlier member or would break a quota are held back, and the model is
//! built from the others (spec F).
//!
//! How the supervisor is expected to use it: after a model is deployed, it keeps each `Applied` member's
//! `Contribution`; on the next build it passes them as `previous`. A held-back member with a previous
//! contribution keeps it, in its place in the group, so its rules stay as last deployed and no rule after
//! it moves. A deleting member is simply left out of `members`, so its rules go. A restarted supervisor has
//! no previous contributions: a member held back then is left out until it is fixed.

mod backend;
mod contribution;
mod error;
mod finish;
mod lookups;
mod member;
mod merge;
pub mod names;
mod outcome;
mod overrides;
mod paths;
mod rule;
mod target_group;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::Ingress;
use tgsync_actors::stack::StackModel;

pub use contribution::{Contribution, ListenerWant};
pub use error::MemberError;
pub use finish::{LOAD_BALANCER, MANAGED_SG};
pub use lookups::{wanted, Lookups, Wanted};
pub use member::ServiceLookup;
pub use outcome::{Conflict, ConflictField, HoldReason, MemberOutcome, MemberStatus, Quota};
pub use paths::PathType;
pub use target_group::stack_labels;

use super::annotations::IngressAnnotations;
use super::group::{self, GroupId};
use super::key::IngressKey;
use crate::crd::IngressClassParams;
use member::MemberCtx;
use merge::GroupState;

/// Everything a group's model is built from.
pub struct GroupInput<'a> {
    /// The group.
    pub group: &'a GroupId,
    /// The cluster name (tags and names).
    pub cluster: &'a str,
    /// The active members, in any order; deleting members are left out.
    pub members: &'a [&'a Ingress],
    /// Services by namespace and name.
    pub services: &'a ServiceLookup<'a>,
    /// Subnets to use when no member names any (discovered by the caller).
    pub subnets: &'a [String],
    /// The contributions of the last deployed model, by member, for members held back now.
    pub previous: &'a BTreeMap<IngressKey, Contribution>,
    /// What the names the members use were found to be (see [`wanted`]).
    pub lookups: &'a Lookups,
    /// The IngressClassParams of each member whose class has them; their fields override its annotations.
    pub params: &'a BTreeMap<IngressKey, &'a IngressClassParams>,
}

/// The group's model and each member's outcome, in group order.
#[derive(Clone, Debug)]
pub struct GroupBuild {
    /// What the stack should be.
    pub model: StackModel,
    /// Each member: applied, or held back and why.
    pub members: Vec<MemberOutcome>,
}

impl GroupBuild {
    /// Whether deploying the model is safe: false when no member made it in yet some are held back, as
    /// the empty model would delete the load balancer their rules live on.
    pub fn is_applicable(&self) -> bool {
        self.model.load_balancer.is_some()
            || self
                .members
                .iter()
                .all(|m| matches!(m.status, MemberStatus::Applied(_)))
    }

    /// The members held back, with why.
    pub fn held_back(&self) -> impl Iterator<Item = (&IngressKey, &HoldReason)> {
        self.members.iter().filter_map(|m| match &m.status {
            MemberStatus::HeldBack { reason, .. } => Some((&m.key, reason)),
            MemberStatus::Applied(_) => None,
        })
    }
}

/// Builds the group's model from its members (see the module docs for held-back members).
pub fn build_group(input: &GroupInput<'_>) -> GroupBuild {
    let stack = input.group.stack_id();
    let mut state = GroupState::default();
    let mut members = Vec::with_capacity(input.members.len());
    for placed in group::in_order(input.members.iter().copied()) {
        let key = IngressKey::of(placed.ingress);
        let params = input.params.get(&key).copied();
        let built = placed
            .order
            .map_err(MemberError::from)
            .and_then(|_| {
                let mut annotations =
                    IngressAnnotations::parse(placed.ingress.metadata.annotations.as_ref())?;
                if let Some(p) = params {
                    overrides::apply(p, &mut annotations)?;
                }
                Ok(annotations)
            })
            .and_then(|annotations| {
                member::contribution(MemberCtx {
                    params,
                    cluster: input.cluster,
                    group: input.group,
                    stack: stack.clone(),
                    services: input.services,
                    ingress: placed.ingress,
                    key: key.clone(),
                    annotations,
                    lookups: input.lookups,
                    target_groups: BTreeMap::new(),
                    bindings: BTreeMap::new(),
                })
            });
        let status = match built.map_err(HoldReason::from).and_then(|c| {
            state.admit(&key, &c)?;
            Ok(c)
        }) {
            Ok(c) => MemberStatus::Applied(Box::new(c)),
            Err(reason) => {
                let kept_previous = input
                    .previous
                    .get(&key)
                    .is_some_and(|prev| state.admit(&key, prev).is_ok());
                MemberStatus::HeldBack {
                    reason,
                    kept_previous,
                }
            }
        };
        members.push(MemberOutcome { key, status });
    }
    let model = finish::model(
        &state,
        &finish::FinishCtx {
            group: input.group,
            stack: &stack,
            cluster: input.cluster,
            subnets: input.subnets,
        },
    );
    GroupBuild { model, members }
}
