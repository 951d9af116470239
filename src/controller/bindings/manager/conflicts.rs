//! One target group, one binding: a second binding naming a group another serves is refused (condition and
//! Event) unless both are multi-cluster, and served once the first is gone.

use actix::prelude::*;

use super::Manager;
use crate::controller::bindings::binding::{Binding, Phase};
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::tg_lookup::TgLookup;

/// The target group a spec names, as written (ARN, else name).
fn target_group_of(spec: &crate::crd::TargetGroupBindingSpec) -> Option<&str> {
    spec.target_group_arn
        .as_deref()
        .filter(|a| !a.is_empty())
        .or(spec.target_group_name.as_deref())
}

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// The binding that keeps `key` from serving its target group, if any: one already running (starting,
    /// draining) for it, else the oldest by creation time, then by key.
    pub(super) fn target_group_holder(&self, key: &str) -> Option<(String, String)> {
        let me = self.bindings.get(key)?;
        let spec = me.accepted.as_ref().unwrap_or(&me.obj.spec);
        let tg = target_group_of(spec)?;
        let multi = |b: &Binding<E>| {
            b.accepted
                .as_ref()
                .unwrap_or(&b.obj.spec)
                .multi_cluster_target_group
                == Some(true)
        };
        let active = |b: &Binding<E>| !matches!(b.phase, Phase::Idle | Phase::Gone);
        let rank = |k: &str, b: &Binding<E>| {
            (
                !active(b),
                b.obj.metadata.creation_timestamp.clone(),
                k.to_owned(),
            )
        };
        let mine = rank(key, me);
        self.bindings
            .iter()
            .filter(|(k, b)| {
                k.as_str() != key
                    && target_group_of(b.accepted.as_ref().unwrap_or(&b.obj.spec)) == Some(tg)
                    && !(multi(me) && multi(b))
            })
            .filter(|(k, b)| rank(k, b) < mine)
            .min_by(|(ka, a), (kb, b)| rank(ka, a).cmp(&rank(kb, b)))
            .map(|(k, _)| (tg.to_owned(), k.clone()))
    }

    /// Reconciles the bindings refused because another held their target group (it may be gone now).
    pub(super) fn reconcile_refused(&mut self, ctx: &mut Context<Self>) {
        let refused: Vec<String> = self
            .bindings
            .iter()
            .filter(|(_, b)| {
                b.reported
                    .as_ref()
                    .is_some_and(|(reason, _)| reason == "TargetGroupInUse")
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in refused {
            self.reconcile(&k, ctx);
        }
    }
}
