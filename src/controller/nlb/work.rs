//! One reconcile of one Service: its finalizer, the NLB model built (or the empty one once the Service is
//! deleted or no longer ours), deployed, the load balancer in its status, Events, and the finalizer removed
//! once nothing of the stack is left.

use std::cell::RefCell;
use std::rc::Rc;

use k8s_openapi::api::core::v1::Service;
use kube::runtime::reflector::ObjectRef;
use kube::ResourceExt;
use tgsync_actors::stack::supervisor::{Outcome, ReconcileFuture, StackWork};
use tgsync_actors::stack::{LbKind, StackModel};

use crate::controller::stack::{DeployError, Deployment, Draining, ObjectOps, StackDeploy};
use crate::controller::stores::Stores;
use crate::service::{
    build_service, empty_model, is_ours, scheme, stack_labels, wanted, ServiceError, ServiceInput,
    FINALIZER,
};

/// A Service by namespace and name.
pub type ServiceKey = (String, String);

/// What every Service's reconciles share.
pub struct Shared {
    /// The reflector stores.
    pub stores: Stores,
    /// `--load-balancer-class`.
    pub class: String,
    /// Writes on Services.
    pub ops: ObjectOps<Service>,
    /// Reads, plans and applies the stacks.
    pub deploy: StackDeploy,
    /// The cluster name.
    pub cluster: String,
    /// Bindings being deleted, and the Service waiting to delete their target groups.
    pub draining: Draining<ServiceKey>,
}

/// One Service's reconcile.
pub struct ServiceWork {
    shared: Rc<Shared>,
    key: ServiceKey,
    /// The last build error published, so a lasting one is reported once.
    reported: Rc<RefCell<Option<String>>>,
}

impl ServiceWork {
    /// The reconcile of Service `key`.
    pub fn new(shared: Rc<Shared>, key: ServiceKey) -> Self {
        ServiceWork {
            shared,
            key,
            reported: Rc::default(),
        }
    }
}

impl StackWork for ServiceWork {
    fn reconcile(&self) -> ReconcileFuture {
        let (shared, key, reported) =
            (self.shared.clone(), self.key.clone(), self.reported.clone());
        Box::pin(async move { reconcile(&shared, &key, &reported).await })
    }
}

async fn reconcile(
    shared: &Shared,
    key: &ServiceKey,
    reported: &RefCell<Option<String>>,
) -> Result<Outcome, String> {
    let (ns, name) = key;
    let fail = |e: DeployError| format!("service {ns}/{name}: {e}");
    let svc = shared.stores.services.get(&ObjectRef::new(name).within(ns));
    let serve = svc
        .as_ref()
        .is_some_and(|s| is_ours(s, &shared.class) && s.metadata.deletion_timestamp.is_none());
    let Some(svc) = svc.filter(|_| serve) else {
        // Deleted, or no longer ours: whatever the stack holds goes, then the finalizer.
        let d = deploy(shared, key, &empty_model(ns, name)).await?;
        if d.held > 0 {
            return Ok(Outcome::Serving);
        }
        if let Some(svc) = shared
            .stores
            .services
            .get(&ObjectRef::new(name).within(ns))
            .filter(|s| s.finalizers().iter().any(|f| f == FINALIZER))
        {
            let cleared = shared
                .ops
                .status(&svc, None, &[])
                .await
                .map_err(|e| format!("clearing the status of {ns}/{name}: {e}"))?;
            shared
                .ops
                .finalizer(cleared.as_ref().unwrap_or(&svc), FINALIZER, false)
                .await
                .map_err(|e| format!("removing the finalizer of {ns}/{name}: {e}"))?;
        }
        return Ok(Outcome::Gone);
    };
    // The finalizer goes on before any AWS call, so a Service deleted meanwhile still has its NLB removed.
    shared
        .ops
        .finalizer(&svc, FINALIZER, true)
        .await
        .map_err(|e| format!("adding the finalizer to {ns}/{name}: {e}"))?;

    let stack = crate::service::stack_id(ns, name);
    let deployed = shared.deploy.read(&stack).await.map_err(fail)?;
    let existing = deployed.load_balancer.as_ref().map(|l| &l.spec);
    let model = match scheme(&svc, existing) {
        Ok(scheme) => {
            let lookups = shared.deploy.look_up(&wanted(&svc)).await.map_err(fail)?;
            let subnets = shared
                .deploy
                .subnets(LbKind::Network, scheme)
                .await
                .map_err(fail)?;
            build_service(&ServiceInput {
                service: &svc,
                cluster: &shared.cluster,
                subnets: &subnets,
                lookups: &lookups,
                existing,
            })
        }
        Err(e) => Err(e),
    };
    let model = match model {
        Ok(m) => {
            reported.borrow_mut().take();
            m
        }
        Err(e) => {
            refused(shared, &svc, &e, reported).await;
            return Ok(Outcome::Serving);
        }
    };
    let d = match shared
        .deploy
        .deploy_over(
            &deployed,
            &model,
            &stack_labels(ns, name),
            &shared.stores,
            &shared.draining,
            key,
        )
        .await
    {
        Ok(d) => d,
        Err(e @ DeployError::Apply(_)) => {
            let note = fail(e);
            shared
                .ops
                .event(&svc, true, "FailedDeployModel", note.clone())
                .await;
            return Err(note);
        }
        Err(e) => return Err(fail(e)),
    };
    if let Some(hostname) = &d.settled.dns_name {
        let hostname = hostname.to_lowercase();
        shared
            .ops
            .status(&svc, Some(&hostname), &d.settled.ports)
            .await
            .map_err(|e| format!("status of {ns}/{name}: {e}"))?;
        if d.changed {
            let note = format!("load balancer {hostname} serves {ns}/{name}");
            shared
                .ops
                .event(&svc, false, "SuccessfullyReconciled", note)
                .await;
        }
    }
    Ok(Outcome::Serving)
}

/// Deploys `model` as the Service's stack.
async fn deploy(
    shared: &Shared,
    key: &ServiceKey,
    model: &StackModel,
) -> Result<Deployment, String> {
    let (ns, name) = key;
    shared
        .deploy
        .deploy(
            &model.stack,
            model,
            &stack_labels(ns, name),
            &shared.stores,
            &shared.draining,
            key,
        )
        .await
        .map_err(|e| format!("service {ns}/{name}: {e}"))
}

/// A Service whose model cannot be built: one Warning per distinct reason, nothing created or changed.
async fn refused(
    shared: &Shared,
    svc: &Service,
    e: &ServiceError,
    reported: &RefCell<Option<String>>,
) {
    let note = format!("nothing created or changed: {e}");
    if reported.borrow().as_deref() == Some(note.as_str()) {
        return;
    }
    tracing::warn!(service = %format!("{}/{}", svc.namespace().unwrap_or_default(), svc.name_any()), error = %e, "Service held back");
    *reported.borrow_mut() = Some(note.clone());
    shared.ops.event(svc, true, "FailedBuildModel", note).await;
}
