//! The finalizer goes on a binding, with the spec tgsync serves, before any AWS call for it; removal is
//! retried until it lands.

use actix::prelude::*;
use kube::ResourceExt;
use tracing::warn;

use super::Manager;
use crate::controller::bindings::binding::FinalizerState;
use crate::controller::bindings::kube_writes::{FinalizerWrite, KubeWrites};
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::controller::retry::until_landed;

/// The finalizer write started by `finalized` landed (or found the binding deleting or gone).
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct FinalizerWritten {
    key: String,
    spec: crate::crd::TargetGroupBindingSpec,
    outcome: Option<FinalizerWrite>,
}

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// Whether the binding's finalizer and applied spec are on the object; if not, starts writing them
    /// (retried until they land) and reconciles again once they have.
    pub(super) fn finalized(&mut self, key: &str, ctx: &mut Context<Self>) -> bool {
        let Some(b) = self.bindings.get_mut(key) else {
            return false;
        };
        match b.finalizer {
            FinalizerState::Written => return true,
            FinalizerState::Writing => return false,
            FinalizerState::Unknown => {}
        }
        let spec = b.accepted.clone().unwrap_or_else(|| b.obj.spec.clone());
        let applied = match serde_json::to_string(&spec) {
            Ok(s) => s,
            Err(e) => {
                // A spec that decoded from JSON encodes again; kept as a guard, not a path.
                warn!(binding = key, error = %e, "cannot encode the spec to record it");
                return false;
            }
        };
        if b.has_finalizer() && b.applied_annotation() == Some(applied.as_str()) {
            b.finalizer = FinalizerState::Written;
            b.accepted = Some(spec);
            return true;
        }
        b.finalizer = FinalizerState::Writing;
        let (ops, addr, key) = (self.ops.clone(), ctx.address(), key.to_owned());
        let (ns, name) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
        actix::spawn(async move {
            let outcome = until_landed("adding the finalizer", &key, || {
                ops.write_finalizer(&ns, &name, Some(&applied))
            })
            .await;
            addr.do_send(FinalizerWritten { key, spec, outcome });
        });
        false
    }

    /// Removes the finalizer, retried until it lands or the binding is gone.
    pub(super) fn remove_finalizer(&mut self, key: &str) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        b.finalizer = FinalizerState::Unknown;
        let (ops, key) = (self.ops.clone(), key.to_owned());
        let (ns, name) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
        actix::spawn(async move {
            until_landed("removing the finalizer", &key, || {
                ops.write_finalizer(&ns, &name, None)
            })
            .await;
        });
    }
}

impl<K: KubeWrites, E: TgLookup> Handler<FinalizerWritten> for Manager<K, E> {
    type Result = ();

    fn handle(&mut self, msg: FinalizerWritten, ctx: &mut Context<Self>) {
        let Some(b) = self.bindings.get_mut(&msg.key) else {
            return;
        };
        if msg.outcome == Some(FinalizerWrite::Done) {
            b.finalizer = FinalizerState::Written;
            b.accepted.get_or_insert(msg.spec);
            self.reconcile(&msg.key, ctx);
        } else {
            // Deleting or gone before any AWS call: nothing of it to drain; the watch brings the rest.
            b.finalizer = FinalizerState::Unknown;
        }
    }
}
