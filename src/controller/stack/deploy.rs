//! Brings one stack to its model, for Ingress groups and NLB Services alike: read what AWS holds, plan, hold
//! back the deletes of target groups whose bindings still drain, apply, then write the bindings of the
//! model's target groups and delete the stack's others. The caller writes status and Events.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kube::ResourceExt;
use tgsync_actors::stack::plan::{plan, Created};
use tgsync_actors::stack::{Deployed, LbKind, Scheme, Settled, StackId, StackModel, TargetKind};
use tracing::info;

use super::bindings::{BindingOps, BindingWrite};
use crate::aws::stack::apply::StackApplier;
use crate::aws::stack::{BudgetPermits, StackReader};
use crate::controller::stores::Stores;
use crate::crd::TargetGroupBinding;

/// What a deploy left behind.
#[derive(Debug)]
pub struct Deployment {
    /// The stack as it stands (DNS name, listener ports, target groups' ARNs).
    pub settled: Settled,
    /// Whether any call was made.
    pub changed: bool,
    /// Target groups whose deletes wait for their bindings to drain; their stack is deployed again when
    /// the last binding is gone.
    pub held: usize,
}

/// Why a deploy stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// AWS could not be read.
    #[error("reading the stack: {0}")]
    Read(String),
    /// A call of the plan failed (the caller's `FailedDeployModel`).
    #[error("{0}")]
    Apply(String),
    /// A binding could not be written or deleted.
    #[error("{0}")]
    Binding(String),
}

/// Bindings being deleted (namespace, name), and who waits for each to be gone.
pub struct Draining<K>(RefCell<HashMap<(String, String), K>>);

impl<K> Default for Draining<K> {
    fn default() -> Self {
        Draining(RefCell::default())
    }
}

impl<K> Draining<K> {
    /// Binding `ns/name` is gone: who waited for it, if anyone.
    pub fn gone(&self, ns: &str, name: &str) -> Option<K> {
        self.0
            .borrow_mut()
            .remove(&(ns.to_owned(), name.to_owned()))
    }

    fn wait(&self, ns: String, name: String, who: K) {
        self.0.borrow_mut().insert((ns, name), who);
    }
}

/// The reader, applier and binding writes a controller's stacks share.
pub struct StackDeploy {
    /// What AWS holds.
    pub reader: StackReader<BudgetPermits>,
    /// Makes the calls.
    pub applier: StackApplier<BudgetPermits>,
    /// Writes bindings.
    pub bindings: BindingOps,
    /// Subnets discovered, by load balancer kind and scheme.
    pub subnets: RefCell<HashMap<(LbKind, Scheme), Vec<String>>>,
}

impl StackDeploy {
    /// The deploy of `tgsync run`'s stacks of `cluster` in `vpc`: SDK clients from `sdk`, permits of
    /// `budget`, bindings written as field manager `manager`.
    pub fn new(
        client: &kube::Client,
        sdk: &aws_config::SdkConfig,
        opts: &crate::controller::RunOptions,
        budget: actix::Addr<tgsync_actors::budget::ApiBudget>,
        manager: &'static str,
        cluster: &str,
        vpc: &str,
    ) -> Self {
        let elb = crate::aws::AwsElb::from_sdk_config(sdk, &opts.aws)
            .client()
            .clone();
        let ec2 = aws_sdk_ec2::Client::new(sdk);
        let permits =
            || BudgetPermits::new(budget.clone(), tgsync_actors::budget::Priority::Normal);
        StackDeploy {
            reader: StackReader::new(elb.clone(), ec2.clone(), permits(), cluster, vpc),
            applier: StackApplier::new(elb, ec2, vpc, permits()),
            bindings: BindingOps::new(client.clone(), manager, opts.kube_timeout),
            subnets: RefCell::default(),
        }
    }

    /// Makes AWS hold `model` as `stack`, whose bindings carry `labels`; a binding deleted on the way is
    /// recorded in `draining` as waited for by `who`.
    pub async fn deploy<K: Clone>(
        &self,
        stack: &StackId,
        model: &StackModel,
        labels: &BTreeMap<String, String>,
        stores: &Stores,
        draining: &Draining<K>,
        who: &K,
    ) -> Result<Deployment, DeployError> {
        let deployed = self.read(stack).await?;
        self.deploy_over(&deployed, model, labels, stores, draining, who)
            .await
    }

    /// What AWS holds of `stack` now.
    pub async fn read(&self, stack: &StackId) -> Result<Deployed, DeployError> {
        self.reader
            .read(stack)
            .await
            .map_err(|e| DeployError::Read(e.to_string()))
    }

    /// Like [`StackDeploy::deploy`], over `deployed` as just read (for a builder that needs it first).
    pub async fn deploy_over<K: Clone>(
        &self,
        deployed: &Deployed,
        model: &StackModel,
        labels: &BTreeMap<String, String>,
        stores: &Stores,
        draining: &Draining<K>,
        who: &K,
    ) -> Result<Deployment, DeployError> {
        let stack = &model.stack;
        let mut p = plan(model, deployed);
        // As the AWS controller does, a target group goes only once its binding has drained it and is gone.
        let ours = labelled(stores, labels);
        let held = p.hold_target_group_deletes(|arn| {
            ours.iter()
                .any(|b| b.spec.target_group_arn.as_deref() == Some(arn))
        });
        let mut created = Created::default();
        if !p.is_empty() {
            info!(
                stack = stack.id,
                calls = p.calls.len(),
                "applying the stack's plan"
            );
            self.reader.cache().forget(&p);
            let applied = self
                .applier
                .apply(&p)
                .await
                .map_err(|e| DeployError::Apply(e.to_string()))?;
            created = applied.created;
        }
        let settled = Settled::of(model, deployed, &created);
        self.write_bindings(model, &settled, &ours, draining, who)
            .await?;
        if !held.is_empty() {
            info!(
                stack = stack.id,
                target_groups = held.len(),
                "waiting for bindings to drain before their target groups go"
            );
        }
        Ok(Deployment {
            settled,
            changed: !p.is_empty(),
            held: held.len(),
        })
    }

    /// Each target group of the model gets its binding; the stack's bindings (`ours`) whose group is gone
    /// are deleted, and `who` waits for them.
    async fn write_bindings<K: Clone>(
        &self,
        model: &StackModel,
        settled: &Settled,
        ours: &[Arc<TargetGroupBinding>],
        draining: &Draining<K>,
        who: &K,
    ) -> Result<(), DeployError> {
        let mut wanted = Vec::new();
        for (id, b) in &model.bindings {
            let (Some(spec), Some(arn)) =
                (model.target_groups.get(id), settled.target_groups.get(id))
            else {
                continue;
            };
            let target_type = match spec.target_kind {
                TargetKind::Ip => "ip",
                TargetKind::Instance => "instance",
            };
            self.bindings
                .apply(&BindingWrite {
                    name: &spec.name,
                    namespace: &b.namespace,
                    labels: &b.labels,
                    arn,
                    target_type,
                    service: &b.service,
                    port: &b.service_port,
                    node_selector: &b.node_selector,
                })
                .await
                .map_err(|e| {
                    DeployError::Binding(format!("binding {}/{}: {e}", b.namespace, spec.name))
                })?;
            wanted.push((b.namespace.clone(), spec.name.clone()));
        }
        let stale = ours
            .iter()
            .map(|b| (b.namespace().unwrap_or_default(), b.name_any()))
            .filter(|k| !wanted.contains(k));
        for (ns, name) in stale {
            draining.wait(ns.clone(), name.clone(), who.clone());
            self.bindings
                .delete(&ns, &name)
                .await
                .map_err(|e| DeployError::Binding(format!("deleting binding {ns}/{name}: {e}")))?;
        }
        Ok(())
    }
}

/// The bindings carrying every one of `labels`.
fn labelled(stores: &Stores, labels: &BTreeMap<String, String>) -> Vec<Arc<TargetGroupBinding>> {
    stores
        .bindings
        .state()
        .into_iter()
        .filter(|b| {
            let have = b.metadata.labels.as_ref();
            labels
                .iter()
                .all(|(k, v)| have.and_then(|l| l.get(k)) == Some(v))
        })
        .collect()
}
