//! The Ingress controller's Kubernetes writes: member finalizers, member status, Events, and the
//! TargetGroupBindings of the target groups it creates. Each call has a deadline; failures come back to the
//! reconcile, which the supervisor retries with backoff.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::events::Recorder;
use kube::{Client, Resource};
use serde_json::json;

use crate::controller::events::{publish, recorder};
use crate::controller::retry::{within, OpError};
use crate::crd::TargetGroupBinding;

/// Field manager of the bindings tgsync creates for its target groups.
const MANAGER: &str = "tgsync-ingress";

/// Writes on Ingresses and bindings, each with a deadline.
#[derive(Clone)]
pub struct IngressOps {
    client: Client,
    recorder: Recorder,
    deadline: Duration,
}

/// A binding to create or update for one target group.
pub struct BindingWrite<'a> {
    /// Its name (the target group's).
    pub name: &'a str,
    /// The Service's namespace.
    pub namespace: &'a str,
    /// The stack's labels.
    pub labels: &'a BTreeMap<String, String>,
    /// The target group.
    pub arn: &'a str,
    /// `ip` or `instance`.
    pub target_type: &'a str,
    /// The Service.
    pub service: &'a str,
    /// Its port, by number or name.
    pub port: &'a str,
}

impl IngressOps {
    /// Ops through `client`, each call given up after `deadline`.
    pub fn new(client: Client, deadline: Duration) -> Self {
        IngressOps {
            recorder: recorder(client.clone()),
            client,
            deadline,
        }
    }

    fn ingresses(&self, ns: &str) -> Api<Ingress> {
        Api::namespaced(self.client.clone(), ns)
    }

    /// Adds (`add`) or removes `finalizer` on `ing`, guarded by its resourceVersion.
    pub async fn finalizer(
        &self,
        ing: &Ingress,
        finalizer: &str,
        add: bool,
    ) -> Result<(), OpError> {
        let mut list = ing.metadata.finalizers.clone().unwrap_or_default();
        let present = list.iter().any(|f| f == finalizer);
        if present == add {
            return Ok(());
        }
        if add {
            list.push(finalizer.to_owned());
        } else {
            list.retain(|f| f != finalizer);
        }
        let patch = json!({"metadata": {
            "finalizers": list,
            "resourceVersion": ing.metadata.resource_version,
        }});
        let (ns, name) = key(ing);
        within(
            self.deadline,
            self.ingresses(&ns)
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch)),
        )
        .await
        .map(drop)
    }

    /// Sets `status.loadBalancer.ingress` to one hostname with `ports`, unless it already says so.
    pub async fn status(
        &self,
        ing: &Ingress,
        hostname: &str,
        ports: &[u16],
    ) -> Result<(), OpError> {
        let want = json!([{
            "hostname": hostname,
            "ports": ports.iter().map(|p| json!({"port": p, "protocol": "TCP"})).collect::<Vec<_>>(),
        }]);
        let now = ing
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|lb| serde_json::to_value(&lb.ingress).ok());
        if now.as_ref() == Some(&want) {
            return Ok(());
        }
        let patch = json!({"status": {"loadBalancer": {"ingress": want}}});
        let (ns, name) = key(ing);
        within(
            self.deadline,
            self.ingresses(&ns)
                .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch)),
        )
        .await
        .map(drop)
    }

    /// Publishes an Event on `ing` (failures are logged: an Event is never worth a retry).
    pub async fn event(&self, ing: &Ingress, warning: bool, reason: &str, note: String) {
        let oref = ing.object_ref(&());
        publish(&self.recorder, self.deadline, &oref, warning, reason, note).await;
    }

    /// Creates or updates the binding of one target group (server-side apply, so users' own fields stay).
    pub async fn apply_binding(&self, b: &BindingWrite<'_>) -> Result<(), OpError> {
        let port = match b.port.parse::<i32>() {
            Ok(n) => json!(n),
            Err(_) => json!(b.port),
        };
        let doc = json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": b.name, "namespace": b.namespace, "labels": b.labels},
            "spec": {
                "targetGroupARN": b.arn,
                "targetType": b.target_type,
                "serviceRef": {"name": b.service, "port": port},
            },
        });
        let api: Api<TargetGroupBinding> = Api::namespaced(self.client.clone(), b.namespace);
        within(
            self.deadline,
            api.patch(
                b.name,
                &PatchParams::apply(MANAGER).force(),
                &Patch::Apply(&doc),
            ),
        )
        .await
        .map(drop)
    }

    /// Deletes a binding the stack no longer needs (gone already counts as done).
    pub async fn delete_binding(&self, ns: &str, name: &str) -> Result<(), OpError> {
        let api: Api<TargetGroupBinding> = Api::namespaced(self.client.clone(), ns);
        match within(self.deadline, api.delete(name, &DeleteParams::default())).await {
            Err(e) if e.is_gone() => Ok(()),
            other => other.map(drop),
        }
    }
}

fn key(ing: &Ingress) -> (String, String) {
    (
        ing.metadata.namespace.clone().unwrap_or_default(),
        ing.metadata.name.clone().unwrap_or_default(),
    )
}
