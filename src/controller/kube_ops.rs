use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::{Event, EventType, Recorder};
use kube::{Client, Resource};
use serde_json::json;
use tracing::warn;

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use tgsync_actors::domain::Target;

use super::checkpoint::CHECKPOINT_ANNOTATION;
use super::ownership::{configmap_name, decode, encode, OWNED_KEY};
use crate::crd::{TargetGroupBinding, FINALIZER};

/// Writes, patches and events on bindings. Failures are logged, never fatal: the next event retries.
#[derive(Clone)]
pub struct KubeOps {
    client: Client,
    recorder: Recorder,
}

impl KubeOps {
    /// Ops through `client`, events reported as `tgsync` (instance: `POD_NAME` when set).
    pub fn new(client: Client) -> Self {
        let reporter = kube::runtime::events::Reporter {
            controller: "tgsync".into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        KubeOps {
            recorder: Recorder::new(client.clone(), reporter),
            client,
        }
    }

    fn api(&self, ns: &str) -> Api<TargetGroupBinding> {
        Api::namespaced(self.client.clone(), ns)
    }

    /// Replaces the status (observedGeneration + conditions).
    pub async fn patch_status(
        &self,
        ns: &str,
        name: &str,
        generation: Option<i64>,
        conditions: Vec<Condition>,
    ) {
        let patch = json!({"status": {"observedGeneration": generation, "conditions": conditions}});
        if let Err(e) = self
            .api(ns)
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            warn!(namespace = ns, binding = name, error = %e, "cannot write binding status");
        }
    }

    /// Adds or removes our finalizer: reads the object, patches its finalizer list guarded by its
    /// resourceVersion, and tries again (up to 5 times) when someone else changed it meanwhile.
    pub async fn set_finalizer(&self, ns: &str, name: &str, present: bool) -> bool {
        let api = self.api(ns);
        for attempt in 0..5u64 {
            let obj = match api.get_opt(name).await {
                Ok(Some(obj)) => obj,
                Ok(None) => return true,
                Err(e) => {
                    warn!(namespace = ns, binding = name, error = %e, "cannot read binding");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * (attempt + 1))).await;
                    continue;
                }
            };
            let finalizers = if present {
                with_finalizer(&obj)
            } else {
                without_finalizer(&obj)
            };
            let Some(finalizers) = finalizers else {
                return true;
            };
            let patch = json!({"metadata": {
                "finalizers": finalizers,
                "resourceVersion": obj.metadata.resource_version,
            }});
            match api
                .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => return true,
                Err(e) => {
                    warn!(namespace = ns, binding = name, error = %e, attempt, "cannot update finalizers");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * (attempt + 1))).await;
                }
            }
        }
        false
    }

    /// Sets (or with `None` removes) the checkpoint annotation.
    pub async fn set_checkpoint(&self, ns: &str, name: &str, value: Option<&str>) -> bool {
        let patch = json!({"metadata": {"annotations": {CHECKPOINT_ANNOTATION: value}}});
        match self
            .api(ns)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => true,
            Err(e) => {
                warn!(namespace = ns, binding = name, error = %e, "cannot write the checkpoint");
                false
            }
        }
    }

    /// The targets binding `name` recorded as its own (multi-cluster target groups); `None` when it recorded
    /// nothing yet. Lines that are not targets are logged and skipped.
    pub async fn load_owned(
        &self,
        ns: &str,
        name: &str,
    ) -> Result<Option<Vec<Target>>, kube::Error> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), ns);
        let Some(cm) = api.get_opt(&configmap_name(name)).await? else {
            return Ok(None);
        };
        let value = cm
            .data
            .and_then(|mut d| d.remove(OWNED_KEY))
            .unwrap_or_default();
        let (targets, bad) = decode(&value);
        if !bad.is_empty() {
            warn!(namespace = ns, binding = name, lines = ?bad, "owned-targets ConfigMap lines that are not targets were skipped");
        }
        Ok(Some(targets))
    }

    /// Records `targets` as binding `name`'s own, in a ConfigMap the binding owns (so it goes with it).
    pub async fn store_owned(&self, ns: &str, name: &str, uid: &str, targets: &[Target]) -> bool {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), ns);
        let cm = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": configmap_name(name),
                "labels": {"app.kubernetes.io/managed-by": "tgsync"},
                "ownerReferences": [{
                    "apiVersion": "elbv2.k8s.aws/v1beta1",
                    "kind": "TargetGroupBinding",
                    "name": name,
                    "uid": uid,
                }],
            },
            "data": {OWNED_KEY: encode(targets)},
        });
        let params = PatchParams::apply("tgsync").force();
        match api
            .patch(&configmap_name(name), &params, &Patch::Apply(&cm))
            .await
        {
            Ok(_) => true,
            Err(e) => {
                warn!(namespace = ns, binding = name, error = %e, "cannot record the binding's own targets");
                false
            }
        }
    }

    /// Sets pod condition `kind` True (a readiness gate), merged by type into the pod's conditions.
    pub async fn set_pod_condition(
        &self,
        ns: &str,
        pod: &str,
        kind: &str,
        reason: &str,
        message: &str,
    ) -> bool {
        let api: Api<Pod> = Api::namespaced(self.client.clone(), ns);
        let now = Time(Timestamp::now());
        let patch = json!({"status": {"conditions": [{
            "type": kind, "status": "True", "reason": reason, "message": message,
            "lastProbeTime": now, "lastTransitionTime": now,
        }]}});
        match api
            .patch_status(pod, &PatchParams::default(), &Patch::Strategic(&patch))
            .await
        {
            Ok(_) => true,
            Err(e) => {
                warn!(namespace = ns, pod, condition = kind, error = %e, "cannot set the readiness gate");
                false
            }
        }
    }

    /// Publishes an Event on the binding.
    pub async fn event(&self, obj: &TargetGroupBinding, warning: bool, reason: &str, note: String) {
        let ev = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_owned(),
            note: Some(note),
            action: "Reconcile".into(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&ev, &obj.object_ref(&())).await {
            warn!(error = %e, reason, "cannot publish event");
        }
    }
}

/// The finalizers of `obj` with ours added (`None`: already there).
pub fn with_finalizer(obj: &TargetGroupBinding) -> Option<Vec<String>> {
    let mut f = obj.metadata.finalizers.clone().unwrap_or_default();
    if f.iter().any(|x| x == FINALIZER) {
        return None;
    }
    f.push(FINALIZER.to_owned());
    Some(f)
}

/// The finalizers of `obj` without ours (`None`: it was not there).
pub fn without_finalizer(obj: &TargetGroupBinding) -> Option<Vec<String>> {
    let f = obj.metadata.finalizers.clone().unwrap_or_default();
    if !f.iter().any(|x| x == FINALIZER) {
        return None;
    }
    Some(f.into_iter().filter(|x| x != FINALIZER).collect())
}
