use std::sync::Arc;

use actix::Addr;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector};
use tgsync_actors::domain::TargetGroupKey;
use tgsync_actors::elb::ElbTargets;
use tgsync_actors::target_group::TargetGroupActor;

use kube::ResourceExt;
use tgsync_actors::tracked::Tracked;

use super::kube_ops::APPLIED_ANNOTATION;
use crate::crd::{TargetGroupBinding, TargetGroupBindingSpec, FINALIZER};

/// The actor type the controller runs, over ELB adapter `E`.
pub type TgActor<E> = TargetGroupActor<Tracked<E>>;

/// How a running binding's targets are computed.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// Ready endpoints of the Service's slices, on the target port of this Service port name.
    Ip {
        /// The Service port's name (`None`: unnamed).
        port_name: Option<Arc<str>>,
    },
    /// Eligible nodes matching the selector, on the nodePort.
    Instance {
        /// The Service port's nodePort.
        node_port: u16,
        /// spec.nodeSelector.
        selector: Option<LabelSelector>,
    },
}

/// A binding whose actor runs.
pub struct Running<E: ElbTargets> {
    /// The actor.
    pub actor: Addr<TgActor<E>>,
    /// Its target group.
    pub tg: TargetGroupKey,
    /// `namespace/name` of the Service it follows.
    pub service: Arc<str>,
    /// How targets are computed.
    pub mode: Mode,
}

/// Where a binding is in its life.
pub enum Phase<E: ElbTargets> {
    /// Not running: invalid, waiting for its Service, or not yet started.
    Idle,
    /// Looking up its target group; `attempt` tells a stale answer from the current one.
    Starting {
        /// Which start this is.
        attempt: u64,
    },
    /// Its actor keeps the target group in sync.
    Running(Running<E>),
    /// Deleted: its actor deregisters what it owns, then the finalizer goes.
    Draining(Running<E>),
    /// The target group does not exist; nothing runs until the binding changes.
    Gone,
}

/// Where a binding's finalizer stands, as far as this process knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FinalizerState {
    /// Not known to be on the object.
    #[default]
    Unknown,
    /// Being written.
    Writing,
    /// On the object, with the applied spec.
    Written,
}

/// Everything the controller keeps about one binding.
pub struct Binding<E: ElbTargets> {
    /// The object as last seen.
    pub obj: TargetGroupBinding,
    /// Conditions as last written.
    pub conditions: Vec<Condition>,
    /// The spec first accepted (immutable fields are checked against it).
    pub accepted: Option<TargetGroupBindingSpec>,
    /// The last problem reported (reason, message), so an Event is sent once per problem.
    pub reported: Option<(String, String)>,
    /// Its phase.
    pub phase: Phase<E>,
    /// Whether our finalizer is known to be on the object.
    pub finalizer: FinalizerState,
    /// The owned set's version at the last checkpoint tick (its checkpoint is written once it holds still).
    pub last_version: Option<u64>,
    /// `binding` span with namespace and name.
    pub span: tracing::Span,
}

impl<E: ElbTargets> Binding<E> {
    /// A binding first seen as `obj`.
    pub fn new(obj: TargetGroupBinding) -> Self {
        let span = tracing::info_span!(
            "binding",
            namespace = obj.metadata.namespace.as_deref().unwrap_or_default(),
            name = obj.metadata.name.as_deref().unwrap_or_default(),
        );
        // What an earlier tgsync served: immutable fields are checked against it, not against this start.
        let accepted = obj
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(APPLIED_ANNOTATION))
            .and_then(|json| match serde_json::from_str(json) {
                Ok(spec) => Some(spec),
                Err(e) => {
                    let _g = span.enter();
                    tracing::warn!(error = %e, "the applied-spec annotation does not parse; ignored");
                    None
                }
            });
        Binding {
            conditions: obj
                .status
                .as_ref()
                .map(|s| s.conditions.clone())
                .unwrap_or_default(),
            obj,
            accepted,
            finalizer: FinalizerState::Unknown,
            reported: None,
            phase: Phase::Idle,
            last_version: None,
            span,
        }
    }

    /// The checkpoint annotation's value, if any.
    pub fn checkpoint(&self) -> Option<&str> {
        self.obj
            .metadata
            .annotations
            .as_ref()?
            .get(super::checkpoint::CHECKPOINT_ANNOTATION)
            .map(String::as_str)
    }

    /// Whether the object carries our finalizer.
    pub fn has_finalizer(&self) -> bool {
        self.obj.finalizers().iter().any(|f| f == FINALIZER)
    }

    /// The applied-spec annotation, if any.
    pub fn applied_annotation(&self) -> Option<&str> {
        self.obj
            .metadata
            .annotations
            .as_ref()?
            .get(APPLIED_ANNOTATION)
            .map(String::as_str)
    }

    /// The running (or draining) actor's state, if any.
    pub fn running(&self) -> Option<&Running<E>> {
        match &self.phase {
            Phase::Running(r) | Phase::Draining(r) => Some(r),
            _ => None,
        }
    }
}
