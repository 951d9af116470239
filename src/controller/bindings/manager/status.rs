//! What the manager writes on a binding: its conditions, Warning Events, and which binding a target group
//! belongs to.

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use tgsync_actors::domain::TargetGroupKey;
use tracing::warn;

use super::Manager;
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::controller::retry::until_landed;
use crate::crd::{merge_condition, BindingError, ConditionKind, ConditionUpdate};

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    pub(super) fn ok(&mut self, key: &str, networking: bool) {
        let Some(b) = self.bindings.get(key) else {
            return;
        };
        let message = match b.running() {
            Some(r) => format!("target group {} follows service {}", r.tg, r.service),
            None => "starting".to_owned(),
        };
        let mut updates = vec![ConditionUpdate {
            kind: ConditionKind::Ready,
            status: true,
            reason: "Synced".into(),
            message,
        }];
        if networking {
            updates.push(ConditionUpdate {
                kind: ConditionKind::NetworkingNotManaged,
                status: true,
                reason: "NotImplemented".into(),
                message:
                    "spec.networking is stored; security-group rules are not managed by tgsync yet"
                        .into(),
            });
        }
        if let Some(b) = self.bindings.get_mut(key) {
            b.reported = None;
        }
        self.set_conditions(key, &updates);
    }

    pub(super) fn fail(&mut self, key: &str, e: &BindingError) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        let reason = e.reason().to_owned();
        let message = e.to_string();
        if b.reported.as_ref() != Some(&(reason.clone(), message.clone())) {
            {
                let _g = b.span.enter();
                warn!(reason = %reason, error = %message, "binding cannot be served");
            }
            b.reported = Some((reason.clone(), message.clone()));
            let (ops, obj, r, m) = (
                self.ops.clone(),
                b.obj.clone(),
                reason.clone(),
                message.clone(),
            );
            actix::spawn(async move { ops.event(&obj, true, &r, m).await });
        }
        let update = ConditionUpdate {
            kind: ConditionKind::Ready,
            status: false,
            reason,
            message,
        };
        self.set_conditions(key, &[update]);
    }

    pub(super) fn set_conditions(&mut self, key: &str, updates: &[ConditionUpdate]) {
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        let generation = b.obj.metadata.generation;
        let observed = b.obj.status.as_ref().and_then(|s| s.observed_generation);
        let mut changed = observed != generation;
        for u in updates {
            changed |= merge_condition(&mut b.conditions, u, generation, Timestamp::now());
        }
        if changed {
            let (ops, conditions) = (self.ops.clone(), b.conditions.clone());
            let (ns, name) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
            if let Some(s) = b.obj.status.as_mut() {
                s.observed_generation = generation;
            }
            let object = key.to_owned();
            // Retried until it lands; a newer status handed in meanwhile replaces this one.
            self.status
                .submit(key.to_owned(), (generation, conditions), move |(g, c)| {
                    let (ops, ns, name, object) =
                        (ops.clone(), ns.clone(), name.clone(), object.clone());
                    async move {
                        until_landed("writing the status", &object, || {
                            ops.patch_status(&ns, &name, g, &c)
                        })
                        .await;
                    }
                });
        }
    }

    pub(super) fn binding_for_tg(&self, tg: &TargetGroupKey) -> Option<String> {
        self.bindings
            .iter()
            .find(|(_, b)| b.running().is_some_and(|r| &r.tg == tg))
            .map(|(k, _)| k.clone())
    }
}
