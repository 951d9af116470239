//! One reconcile of one Ingress group: finalizers on its members, the model built from them, what AWS holds
//! read, the plan applied, the target groups' bindings made, status and Events written, and the finalizers
//! of departed members removed. The group's supervisor runs it; a failure is retried with backoff.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use kube::ResourceExt;
use tgsync_actors::stack::supervisor::{Outcome, ReconcileFuture, StackWork};
use tgsync_actors::stack::{LbKind, Scheme};

use super::membership::Membership;
use crate::controller::stack::{DeployError, Draining, ObjectOps, StackDeploy};
use crate::controller::stores::Stores;
use crate::ingress::build::{
    build_group, stack_labels, wanted, Contribution, GroupInput, MemberStatus,
};
use crate::ingress::group::GroupId;
use crate::ingress::key::IngressKey;

/// What every group's reconciles share.
pub struct Shared {
    /// The reflector stores.
    pub stores: Stores,
    /// Which Ingresses are ours.
    pub membership: Membership,
    /// Kubernetes writes.
    pub ops: ObjectOps<Ingress>,
    /// Reads, plans and applies the groups' stacks.
    pub deploy: StackDeploy,
    /// The cluster name.
    pub cluster: String,
    /// Bindings being deleted, and the group waiting to delete their target groups.
    pub draining: Draining<GroupId>,
}

impl Shared {
    /// The shared state of `tgsync run`'s Ingress controller: clients from `sdk`, permits of `budget`.
    pub fn new(
        client: &kube::Client,
        sdk: &aws_config::SdkConfig,
        opts: &crate::controller::RunOptions,
        stores: Stores,
        budget: actix::Addr<tgsync_actors::budget::ApiBudget>,
        cluster: String,
        vpc: String,
    ) -> Self {
        Shared {
            stores,
            membership: Membership {
                class: opts.ingress_class.clone(),
            },
            ops: ObjectOps::new(client.clone(), opts.kube_timeout),
            deploy: StackDeploy::new(client, sdk, opts, budget, "tgsync-ingress", &cluster, &vpc),
            cluster,
            draining: Draining::default(),
        }
    }
}

/// One group's reconcile.
pub struct GroupWork {
    shared: Rc<Shared>,
    group: GroupId,
    /// What each member contributed to the last deployed model (kept for members held back later).
    previous: Rc<RefCell<BTreeMap<IngressKey, Contribution>>>,
    /// Warnings already published, by member, so a lasting problem is reported once.
    reported: Rc<RefCell<HashMap<IngressKey, String>>>,
}

impl GroupWork {
    /// The reconcile of `group`.
    pub fn new(shared: Rc<Shared>, group: GroupId) -> Self {
        GroupWork {
            shared,
            group,
            previous: Rc::default(),
            reported: Rc::default(),
        }
    }
}

impl StackWork for GroupWork {
    fn reconcile(&self) -> ReconcileFuture {
        let (shared, group) = (self.shared.clone(), self.group.clone());
        let (previous, reported) = (self.previous.clone(), self.reported.clone());
        Box::pin(async move { reconcile(&shared, &group, &previous, &reported).await })
    }
}

async fn reconcile(
    shared: &Shared,
    group: &GroupId,
    previous: &RefCell<BTreeMap<IngressKey, Contribution>>,
    reported: &RefCell<HashMap<IngressKey, String>>,
) -> Result<Outcome, String> {
    let finalizer = group.finalizer();
    let all = shared.stores.ingresses.state();
    let mut active: Vec<Arc<Ingress>> = Vec::new();
    let mut departed: Vec<Arc<Ingress>> = Vec::new();
    let mut class_params = Vec::new();
    for ing in all {
        let found = shared.membership.member_of(&ing, &shared.stores);
        let member = found.as_ref().map(|(g, _)| g) == Some(group);
        let deleting = ing.metadata.deletion_timestamp.is_some();
        let carries = ing.finalizers().contains(&finalizer);
        if member && !deleting {
            if let Some((_, Some(p))) = found {
                class_params.push((IngressKey::of(&ing), p));
            }
            active.push(ing);
        } else if carries {
            departed.push(ing);
        }
    }
    // The finalizer goes on before any AWS call, so a member deleted meanwhile still has its rules removed.
    for ing in &active {
        shared
            .ops
            .finalizer(ing, &finalizer, true)
            .await
            .map_err(|e| format!("adding the finalizer to {}: {e}", IngressKey::of(ing)))?;
    }

    let services: HashMap<(String, String), Arc<Service>> = shared
        .stores
        .services
        .state()
        .into_iter()
        .map(|s| ((s.namespace().unwrap_or_default(), s.name_any()), s))
        .collect();
    let lookup = |ns: &str, name: &str| {
        services
            .get(&(ns.to_owned(), name.to_owned()))
            .map(|s| s.as_ref())
    };
    let members: Vec<&Ingress> = active.iter().map(|i| i.as_ref()).collect();
    let params = class_params
        .iter()
        .map(|(k, p)| (k.clone(), p.as_ref()))
        .collect();
    let prev = previous.borrow().clone();
    let fail = |e: DeployError| format!("group {group}: {e}");
    let lookups = shared
        .deploy
        .look_up(&wanted(&members))
        .await
        .map_err(fail)?;
    let internal = shared
        .deploy
        .subnets(LbKind::Application, Scheme::Internal)
        .await
        .map_err(fail)?;
    let public;
    let mut input = GroupInput {
        group,
        cluster: &shared.cluster,
        members: &members,
        services: &lookup,
        subnets: &internal,
        previous: &prev,
        lookups: &lookups,
        params: &params,
    };
    let mut build = build_group(&input);
    if build.model.load_balancer.as_ref().map(|lb| lb.scheme) == Some(Scheme::InternetFacing) {
        public = shared
            .deploy
            .subnets(LbKind::Application, Scheme::InternetFacing)
            .await
            .map_err(fail)?;
        input.subnets = &public;
        build = build_group(&input);
    }

    for outcome in &build.members {
        let Some(ing) = active.iter().find(|i| IngressKey::of(i) == outcome.key) else {
            continue;
        };
        match &outcome.status {
            MemberStatus::HeldBack { reason, .. } => {
                let note = format!("held back, the rest of group {group} is applied: {reason}");
                if reported.borrow().get(&outcome.key) != Some(&note) {
                    reported
                        .borrow_mut()
                        .insert(outcome.key.clone(), note.clone());
                    shared.ops.event(ing, true, "FailedBuildModel", note).await;
                }
            }
            MemberStatus::Applied(_) => {
                reported.borrow_mut().remove(&outcome.key);
            }
        }
    }
    if !build.is_applicable() {
        return Ok(Outcome::Serving);
    }

    let deployment = shared
        .deploy
        .deploy(
            &group.stack_id(),
            &build.model,
            &stack_labels(group),
            &shared.stores,
            &shared.draining,
            group,
        )
        .await;
    let deployment = match deployment {
        Ok(d) => d,
        Err(e @ DeployError::Apply(_)) => {
            let note = format!("group {group}: {e}");
            for ing in &active {
                shared
                    .ops
                    .event(ing, true, "FailedDeployModel", note.clone())
                    .await;
            }
            return Err(note);
        }
        Err(e) => return Err(format!("group {group}: {e}")),
    };
    let after = &deployment.settled;

    for outcome in &build.members {
        if let MemberStatus::Applied(c) = &outcome.status {
            previous
                .borrow_mut()
                .insert(outcome.key.clone(), (**c).clone());
        }
    }
    previous
        .borrow_mut()
        .retain(|k, _| active.iter().any(|i| IngressKey::of(i) == *k));

    if let Some(hostname) = &after.dns_name {
        let hostname = hostname.to_lowercase();
        for ing in &active {
            shared
                .ops
                .status(ing, Some(&hostname), &after.ports)
                .await
                .map_err(|e| format!("status of {}: {e}", IngressKey::of(ing)))?;
            if deployment.changed {
                let note = format!("load balancer {hostname} serves group {group}");
                shared
                    .ops
                    .event(ing, false, "SuccessfullyReconciled", note)
                    .await;
            }
        }
    }
    // A departed member keeps its finalizer until its rules and target groups are gone; the last drained
    // binding's deletion brings the group back here.
    if deployment.held > 0 {
        return Ok(Outcome::Serving);
    }
    for ing in &departed {
        shared
            .ops
            .finalizer(ing, &finalizer, false)
            .await
            .map_err(|e| format!("removing the finalizer of {}: {e}", IngressKey::of(ing)))?;
    }
    // No member left: the model was empty, so the stack is deleted.
    Ok(if active.is_empty() {
        Outcome::Gone
    } else {
        Outcome::Serving
    })
}
