//! The checkpoint protocol's bookkeeping: the state of each target group's checkpoint, the hash it records,
//! and the write that removes it before a change.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::domain::{Target, TargetGroupKey};
use crate::fnv::Fnv1a64;

/// Removes a target group's checkpoint before a call changes it; `false` when that failed (no call then).
pub type Invalidate = Rc<dyn Fn(TargetGroupKey) -> BoolFuture>;

/// A write to Kubernetes that says whether it landed.
pub type BoolFuture = Pin<Box<dyn Future<Output = bool>>>;

/// A target group's checkpoint bookkeeping, shared by the call wrapper and the writer.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointState {
    /// The annotation is present and names the current set: the next call must remove it first.
    pub clean: bool,
    /// Calls in flight.
    pub inflight: u32,
    /// Bumped whenever the owned set may have changed, so a tick can tell it held still without hashing it.
    pub version: u64,
}

/// A stable hash of a target set (FNV-1a 64 over the sorted `id:port` strings), as 16 hex digits. Stable
/// across builds and Rust versions, so a new tgsync reads an old one's checkpoint.
pub fn hash_targets<'a>(targets: impl IntoIterator<Item = &'a Target>) -> String {
    let sorted: BTreeSet<String> = targets.into_iter().map(Target::to_string).collect();
    let mut h = Fnv1a64::default();
    for s in &sorted {
        h.write(s.as_bytes());
        h.write(b"\n");
    }
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_order_and_tells_sets_apart() {
        let a = Target::ip("10.0.0.1".parse().unwrap(), 80);
        let b = Target::ip("10.0.0.2".parse().unwrap(), 80);
        assert_eq!(hash_targets([&a, &b]), hash_targets([&b, &a]));
        assert_ne!(hash_targets([&a, &b]), hash_targets([&a]));
        assert_eq!(hash_targets([]), "cbf29ce484222325");
    }

    #[test]
    fn hash_is_the_one_older_releases_wrote() {
        // A checkpoint annotation from an earlier tgsync must still name the same set.
        let a = Target::ip("10.0.0.1".parse().unwrap(), 80);
        let b = Target::ip("10.0.0.2".parse().unwrap(), 80);
        assert_eq!(hash_targets([&a, &b]), "69c97114fe395660");
    }
}
