//! The Kubernetes writes and reads the binding controller makes besides its watches, as a trait: `KubeOps` does
//! them against the API server, the manager's unit tests against memory.

use std::future::Future;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use tgsync_actors::domain::Target;

use crate::controller::retry::OpError;
use crate::crd::TargetGroupBinding;

/// What a finalizer write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalizerWrite {
    /// The finalizer (and applied spec) are as asked.
    Done,
    /// The binding is being deleted: a finalizer can no longer be added.
    Deleting,
    /// The binding is gone.
    Gone,
}

/// Writes on bindings, their owned-targets ConfigMaps and gated pods. Each reports failure rather than retry:
/// writes that must land are retried by their callers (`retry::until_landed`).
pub trait KubeWrites: Clone + Unpin + 'static {
    /// Replaces the binding's status (observedGeneration + conditions).
    fn patch_status(
        &self,
        ns: &str,
        name: &str,
        generation: Option<i64>,
        conditions: &[Condition],
    ) -> impl Future<Output = Result<(), OpError>>;

    /// Adds our finalizer with the spec being applied (`Some`), or removes it (`None`), guarded by the
    /// object's resourceVersion.
    fn write_finalizer(
        &self,
        ns: &str,
        name: &str,
        applied: Option<&str>,
    ) -> impl Future<Output = Result<FinalizerWrite, OpError>>;

    /// Sets (or with `None` removes) the checkpoint annotation; `false` when that failed.
    fn set_checkpoint(
        &self,
        ns: &str,
        name: &str,
        value: Option<&str>,
    ) -> impl Future<Output = bool>;

    /// The targets binding `name` recorded as its own (multi-cluster target groups); `None` when none yet.
    fn load_owned(
        &self,
        ns: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<Vec<Target>>, OpError>>;

    /// Records `targets` as binding `name`'s own; `false` when that failed.
    fn store_owned(
        &self,
        ns: &str,
        name: &str,
        uid: &str,
        targets: &[Target],
    ) -> impl Future<Output = bool>;

    /// Sets pod condition `kind` True (a readiness gate); `false` when that failed.
    fn set_pod_condition(
        &self,
        ns: &str,
        pod: &str,
        kind: &str,
        reason: &str,
        message: &str,
    ) -> impl Future<Output = bool>;

    /// Publishes an Event (Warning when `warning`) on the binding.
    fn event(
        &self,
        obj: &TargetGroupBinding,
        warning: bool,
        reason: &str,
        note: String,
    ) -> impl Future<Output = ()>;
}
