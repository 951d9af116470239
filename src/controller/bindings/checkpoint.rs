use std::collections::BTreeSet;

use tgsync_actors::domain::{EndpointSliceSnapshot, Target};

/// The binding annotation holding a hash of the target set in its target group. Protocol: it is removed
/// (and the removal awaited) before any call that changes the target group, and written only when no call is
/// in flight and the set held still for a checkpoint period — so when present, it is the target group's set.
pub const CHECKPOINT_ANNOTATION: &str = "tgsync.dev/targets-hash";

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
