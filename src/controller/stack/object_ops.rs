//! Writes on the objects a stack serves (Ingresses, Services of type LoadBalancer): their finalizers, the
//! load balancer in their status, and Events. Each call has a deadline; failures come back to the
//! reconcile, which the supervisor retries with backoff.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::time::Duration;

use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::Recorder;
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

use crate::controller::events::{publish, recorder};
use crate::controller::retry::{within, OpError};

/// Writes on objects of kind `K`, each with a deadline.
pub struct ObjectOps<K> {
    client: Client,
    recorder: Recorder,
    deadline: Duration,
    kind: PhantomData<fn() -> K>,
}

impl<K> Clone for ObjectOps<K> {
    fn clone(&self) -> Self {
        ObjectOps {
            client: self.client.clone(),
            recorder: self.recorder.clone(),
            deadline: self.deadline,
            kind: PhantomData,
        }
    }
}

impl<K> ObjectOps<K>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + Debug
        + DeserializeOwned
        + Serialize,
{
    /// Ops through `client`, each call given up after `deadline`.
    pub fn new(client: Client, deadline: Duration) -> Self {
        ObjectOps {
            recorder: recorder(client.clone()),
            client,
            deadline,
            kind: PhantomData,
        }
    }

    fn api(&self, obj: &K) -> Api<K> {
        Api::namespaced(self.client.clone(), &obj.namespace().unwrap_or_default())
    }

    /// Adds (`add`) or removes `finalizer` on `obj`, guarded by its resourceVersion.
    pub async fn finalizer(&self, obj: &K, finalizer: &str, add: bool) -> Result<(), OpError> {
        let mut list = obj.finalizers().to_vec();
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
            "resourceVersion": obj.resource_version(),
        }});
        within(
            self.deadline,
            self.api(obj).patch(
                &obj.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&patch),
            ),
        )
        .await
        .map(drop)
    }

    /// Sets `status.loadBalancer.ingress` to one hostname with `ports` (none: cleared), unless it already
    /// says so; answers the object as written, whose resourceVersion a later write needs.
    pub async fn status(
        &self,
        obj: &K,
        hostname: Option<&str>,
        ports: &[u16],
    ) -> Result<Option<K>, OpError> {
        let want = match hostname {
            Some(h) => json!([{
                "hostname": h,
                "ports": ports.iter().map(|p| json!({"port": p, "protocol": "TCP"})).collect::<Vec<_>>(),
            }]),
            None => json!([]),
        };
        let now = serde_json::to_value(obj)
            .ok()
            .and_then(|v| v.pointer("/status/loadBalancer/ingress").cloned())
            .unwrap_or_else(|| json!([]));
        if now == want {
            return Ok(None);
        }
        let patch = json!({"status": {"loadBalancer": {"ingress": want}}});
        within(
            self.deadline,
            self.api(obj).patch_status(
                &obj.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&patch),
            ),
        )
        .await
        .map(Some)
    }

    /// Publishes an Event on `obj` (failures are logged: an Event is never worth a retry).
    pub async fn event(&self, obj: &K, warning: bool, reason: &str, note: String) {
        let oref = obj.object_ref(&());
        publish(&self.recorder, self.deadline, &oref, warning, reason, note).await;
    }
}
