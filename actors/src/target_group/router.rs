use std::sync::Arc;

use actix::Addr;
use dashmap::DashMap;
use rustc_hash::FxBuildHasher;

use super::{SliceUpdate, TargetGroupActor};
use crate::domain::EndpointSliceSnapshot;
use crate::elb::ElbTargets;

/// Sends each slice snapshot to the target group actors bound to its Service (`namespace/name`).
pub struct Router<E: ElbTargets> {
    // Fx rather than SipHash: keys are Service names from our own watch, and every slice update looks one up.
    bindings: DashMap<Arc<str>, Vec<Addr<TargetGroupActor<E>>>, FxBuildHasher>,
}

impl<E: ElbTargets> Default for Router<E> {
    fn default() -> Self {
        Router {
            bindings: DashMap::with_hasher(FxBuildHasher),
        }
    }
}

impl<E: ElbTargets> Router<E> {
    /// Binds a Service to one more target group actor.
    pub fn bind(&self, service: Arc<str>, actor: Addr<TargetGroupActor<E>>) {
        self.bindings.entry(service).or_default().push(actor);
    }

    /// Removes a target group actor from a Service.
    pub fn unbind(&self, service: &str, actor: &Addr<TargetGroupActor<E>>) {
        if let Some(mut v) = self.bindings.get_mut(service) {
            v.retain(|a| a != actor);
        }
        self.bindings.remove_if(service, |_, v| v.is_empty());
    }

    /// Delivers a snapshot to every actor bound to its Service. Returns how many got it.
    pub fn route(&self, snap: EndpointSliceSnapshot) -> usize {
        let Some(actors) = self.bindings.get(&*snap.service) else {
            return 0;
        };
        let n = actors.len();
        // The last actor takes the snapshot itself: a clone is four reference counts up and later down.
        if let Some((last, rest)) = actors.split_last() {
            for a in rest {
                a.do_send(SliceUpdate(snap.clone()));
            }
            last.do_send(SliceUpdate(snap));
        }
        n
    }
}
