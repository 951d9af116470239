//! The Ingress controller's Kubernetes writes: member finalizers, member status and Events. Each call has a deadline; failures come back to the
//! reconcile, which the supervisor retries with backoff.

use std::time::Duration;

use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::Recorder;
use kube::{Client, Resource};
use serde_json::json;

use crate::controller::events::{publish, recorder};
use crate::controller::retry::{within, OpError};

/// Writes on Ingresses and bindings, each with a deadline.
#[derive(Clone)]
pub struct IngressOps {
    client: Client,
    recorder: Recorder,
    deadline: Duration,
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
}

fn key(ing: &Ingress) -> (String, String) {
    (
        ing.metadata.namespace.clone().unwrap_or_default(),
        ing.metadata.name.clone().unwrap_or_default(),
    )
}
