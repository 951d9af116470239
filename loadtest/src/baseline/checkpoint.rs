//! The TargetGroupBinding's reconcile checkpoint (`elbv2.k8s.aws/checkpoint`, controller v2.10 onward): a hash
//! of the endpoints a reconcile resolved and of the binding's spec. A reconcile that finds the hash it would
//! write already written stops before reading ELB, so it makes no AWS call.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rustc_hash::FxHashSet;
use tgsync_actors::domain::Target;

use crate::scenario::Binding;

/// The hash of a binding's resolved endpoints and spec; equal inputs give equal hashes in every run.
pub fn checkpoint_of(desired: &FxHashSet<Target>, binding: &Binding) -> u64 {
    let mut targets: Vec<Target> = desired.iter().copied().collect();
    targets.sort();
    // `DefaultHasher::new` has fixed keys, so the hash does not depend on the process.
    let mut h = DefaultHasher::new();
    for t in &targets {
        t.id.hash(&mut h);
        t.port.hash(&mut h);
    }
    binding.service.hash(&mut h);
    binding.port_name.hash(&mut h);
    binding.tg.hash(&mut h);
    h.finish()
}

/// Every binding's checkpoint annotation; a binding without one (never reconciled to the end, or reset
/// before a change) is absent.
#[derive(Debug, Default)]
pub struct Checkpoints {
    by_binding: HashMap<usize, u64>,
}

impl Checkpoints {
    /// Whether `binding`'s annotation holds `hash` (the reconcile may stop here).
    pub fn holds(&self, binding: usize, hash: u64) -> bool {
        self.by_binding.get(&binding) == Some(&hash)
    }

    /// Writes (`Some`) or clears (`None`) the annotation; returns whether it changed, i.e. whether the
    /// write was a patch of the binding, which its own watch turns into another reconcile request.
    pub fn set(&mut self, binding: usize, hash: Option<u64>) -> bool {
        match hash {
            Some(h) => self.by_binding.insert(binding, h) != Some(h),
            None => self.by_binding.remove(&binding).is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tgsync_actors::domain::TargetGroupKey;

    use super::*;

    fn binding(tg: &str) -> Binding {
        Binding {
            service: Arc::from("ns/svc"),
            port_name: Some(Arc::from("http")),
            tg: TargetGroupKey::new(tg),
        }
    }

    fn targets(last: &[u8]) -> FxHashSet<Target> {
        last.iter()
            .map(|i| Target::ip(format!("10.0.0.{i}").parse().unwrap(), 80))
            .collect()
    }

    #[test]
    fn the_hash_follows_the_endpoints_and_the_spec_not_their_order() {
        let b = binding("tg-a");
        assert_eq!(
            checkpoint_of(&targets(&[1, 2, 3]), &b),
            checkpoint_of(&targets(&[3, 1, 2]), &b)
        );
        assert_ne!(
            checkpoint_of(&targets(&[1, 2, 3]), &b),
            checkpoint_of(&targets(&[1, 2]), &b)
        );
        assert_ne!(
            checkpoint_of(&targets(&[1, 2]), &b),
            checkpoint_of(&targets(&[1, 2]), &binding("tg-b"))
        );
    }

    #[test]
    fn only_a_change_of_the_annotation_is_a_patch() {
        let mut c = Checkpoints::default();
        assert!(!c.holds(0, 7));
        assert!(c.set(0, Some(7)));
        assert!(c.holds(0, 7));
        assert!(!c.set(0, Some(7)));
        assert!(c.set(0, None));
        assert!(!c.set(0, None));
        assert!(!c.holds(0, 7));
    }
}
