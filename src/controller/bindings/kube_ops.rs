use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::Recorder;
use kube::{Client, Resource};
use serde_json::json;
use tracing::warn;

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use tgsync_actors::domain::Target;

use std::time::Duration;

use super::checkpoint::CHECKPOINT_ANNOTATION;
use super::kube_writes::{FinalizerWrite, KubeWrites};
use super::ownership::{configmap_name, decode, encode, OWNED_KEY};
use crate::controller::events::{publish, recorder};
use crate::controller::retry::{within, OpError};
use crate::crd::{TargetGroupBinding, FINALIZER};

/// The binding annotation recording the spec tgsync first served, as JSON: immutable fields are checked
/// against it, so a restart does not forget what the target group was.
pub const APPLIED_ANNOTATION: &str = "tgsync.dev/applied-spec";

/// `KubeWrites` against the API server, each call with a deadline.
#[derive(Clone)]
pub struct KubeOps {
    client: Client,
    recorder: Recorder,
    deadline: Duration,
}

impl KubeOps {
    /// Ops through `client`, each call given up after `deadline`; events reported as `tgsync` (instance:
    /// `POD_NAME` when set).
    pub fn new(client: Client, deadline: Duration) -> Self {
        KubeOps {
            recorder: recorder(client.clone()),
            client,
            deadline,
        }
    }

    fn api(&self, ns: &str) -> Api<TargetGroupBinding> {
        Api::namespaced(self.client.clone(), ns)
    }
}

impl KubeWrites for KubeOps {
    /// Replaces the status (observedGeneration + conditions).
    async fn patch_status(
        &self,
        ns: &str,
        name: &str,
        generation: Option<i64>,
        conditions: &[Condition],
    ) -> Result<(), OpError> {
        let patch = json!({"status": {"observedGeneration": generation, "conditions": conditions}});
        let api = self.api(ns);
        within(
            self.deadline,
            api.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch)),
        )
        .await
        .map(drop)
    }

    /// Adds (with the spec being applied, recorded in `APPLIED_ANNOTATION`) or removes our finalizer, in one
    /// patch guarded by the object's resourceVersion. One try: a conflict comes back as an error.
    async fn write_finalizer(
        &self,
        ns: &str,
        name: &str,
        applied: Option<&str>,
    ) -> Result<FinalizerWrite, OpError> {
        let api = self.api(ns);
        let Some(obj) = within(self.deadline, api.get_opt(name)).await? else {
            return Ok(FinalizerWrite::Gone);
        };
        let adding = applied.is_some();
        if adding && obj.metadata.deletion_timestamp.is_some() {
            return Ok(FinalizerWrite::Deleting);
        }
        let finalizers = if adding {
            with_finalizer(&obj)
        } else {
            without_finalizer(&obj)
        };
        let recorded = obj
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(APPLIED_ANNOTATION))
            .map(String::as_str);
        if finalizers.is_none() && (!adding || recorded == applied) {
            return Ok(FinalizerWrite::Done);
        }
        let mut meta = json!({"resourceVersion": obj.metadata.resource_version});
        if let Some(f) = finalizers {
            meta["finalizers"] = json!(f);
        }
        if let Some(spec) = applied {
            meta["annotations"] = json!({ APPLIED_ANNOTATION: spec });
        }
        let patch = json!({ "metadata": meta });
        within(
            self.deadline,
            api.patch(name, &PatchParams::default(), &Patch::Merge(&patch)),
        )
        .await?;
        Ok(FinalizerWrite::Done)
    }

    /// Sets (or with `None` removes) the checkpoint annotation.
    async fn set_checkpoint(&self, ns: &str, name: &str, value: Option<&str>) -> bool {
        let patch = json!({"metadata": {"annotations": {CHECKPOINT_ANNOTATION: value}}});
        let api = self.api(ns);
        match within(
            self.deadline,
            api.patch(name, &PatchParams::default(), &Patch::Merge(&patch)),
        )
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
    async fn load_owned(&self, ns: &str, name: &str) -> Result<Option<Vec<Target>>, OpError> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), ns);
        let Some(cm) = within(self.deadline, api.get_opt(&configmap_name(name))).await? else {
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
    async fn store_owned(&self, ns: &str, name: &str, uid: &str, targets: &[Target]) -> bool {
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
        let cm_name = configmap_name(name);
        match within(
            self.deadline,
            api.patch(&cm_name, &params, &Patch::Apply(&cm)),
        )
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
    async fn set_pod_condition(
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
        match within(
            self.deadline,
            api.patch_status(pod, &PatchParams::default(), &Patch::Strategic(&patch)),
        )
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
    async fn event(&self, obj: &TargetGroupBinding, warning: bool, reason: &str, note: String) {
        let oref = obj.object_ref(&());
        publish(&self.recorder, self.deadline, &oref, warning, reason, note).await;
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
