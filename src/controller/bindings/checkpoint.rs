use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use tgsync_actors::domain::{EndpointSliceSnapshot, Target, TargetGroupKey};

use crate::controller::fnv::Fnv1a64;

/// The binding annotation holding a hash of the target set in its target group. Protocol: it is removed
/// (and the removal awaited) before any call that changes the target group, and written only when no call is
/// in flight and the set held still for a checkpoint period — so when present, it is the target group's set.
pub const CHECKPOINT_ANNOTATION: &str = "tgsync.dev/targets-hash";

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

/// ip mode: the targets the slices want (ready, not terminating) on the port named `port_name`.
pub fn desired_ip<'a>(
    slices: impl IntoIterator<Item = &'a EndpointSliceSnapshot>,
    port_name: Option<&str>,
) -> Vec<Target> {
    let mut out = BTreeSet::new();
    for s in slices {
        let Some(port) = s.port_for(port_name) else {
            continue;
        };
        for e in s
            .endpoints
            .iter()
            .filter(|e| e.conditions().wants_traffic())
        {
            out.insert(Target::ip(e.addr(), port));
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tgsync_actors::domain::{AddressType, Conditions, Endpoint, SlicePort};

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

    #[test]
    fn desired_ip_keeps_ready_endpoints_on_the_named_port() {
        let ep = |ip: &str, c| Endpoint::new(ip.parse().unwrap(), c, None);
        let snap = EndpointSliceSnapshot {
            key: "ns/s".into(),
            service: "ns/web".into(),
            address_type: AddressType::Ipv4,
            ports: Arc::from([SlicePort {
                name: Some("http".into()),
                port: 8080,
            }]),
            endpoints: Arc::from([
                ep("10.0.0.1", Conditions::ready()),
                ep("10.0.0.2", Conditions::terminating()),
            ]),
        };
        let want = vec![Target::ip("10.0.0.1".parse().unwrap(), 8080)];
        assert_eq!(desired_ip([&snap], Some("http")), want);
        assert!(desired_ip([&snap], Some("admin")).is_empty());
    }
}
