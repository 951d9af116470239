//! The `target-health.elbv2.k8s.aws/<binding>` condition the controller writes on gated pods: true once
//! their target is healthy. Each write is a pod update, which the controller's pod watch (v3.4 onward) turns
//! into another reconcile of the binding.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use tgsync_actors::domain::Target;
use tgsync_actors::elb::HealthState;

/// The condition last written on each binding's pods, by target.
#[derive(Debug, Default)]
pub struct PodConditions {
    by_binding: HashMap<usize, FxHashMap<Target, bool>>,
}

impl PodConditions {
    /// Writes each desired target's condition from its health as last read (`None`: registered, not read
    /// since); forgets pods no longer desired. Returns whether any pod was patched.
    pub fn write(
        &mut self,
        binding: usize,
        desired: &FxHashSet<Target>,
        health: impl Fn(&Target) -> Option<HealthState>,
    ) -> bool {
        let written = self.by_binding.entry(binding).or_default();
        written.retain(|t, _| desired.contains(t));
        let mut patched = false;
        for t in desired {
            let now = health(t) == Some(HealthState::Healthy);
            if written.insert(*t, now) != Some(now) {
                patched = true;
            }
        }
        patched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_is_patched_when_its_condition_is_first_written_and_when_it_flips() {
        let t = Target::ip("10.0.0.1".parse().unwrap(), 80);
        let desired: FxHashSet<Target> = [t].into_iter().collect();
        let mut c = PodConditions::default();
        assert!(c.write(0, &desired, |_| None));
        assert!(!c.write(0, &desired, |_| Some(HealthState::Initial)));
        assert!(c.write(0, &desired, |_| Some(HealthState::Healthy)));
        assert!(!c.write(0, &desired, |_| Some(HealthState::Healthy)));
        // Gone and back: a new pod's first write.
        assert!(!c.write(0, &FxHashSet::default(), |_| None));
        assert!(c.write(0, &desired, |_| Some(HealthState::Healthy)));
    }
}
