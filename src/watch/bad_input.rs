//! Property tests: whatever bytes the watch delivers, the slim decoders return an error or a well-formed
//! value and never panic; where the full k8s-openapi decode accepts a document, the slim one agrees with it.

use std::net::IpAddr;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::WatchEvent;
use proptest::prelude::*;
use serde_json::Value;
use tgsync_actors::domain::{AddressType, Conditions};
use tgsync_loadtest::watch_sample::{SampleParams, SampleSlice};

use super::{SlimEndpointSlice, SlimPod, SlimWatchEvent, ZoneInterner, SERVICE_NAME_LABEL};
use crate::arb_json::{any_json, config, nasty, path, replace_at};

const POD: &str = r#"{"apiVersion":"v1","kind":"Pod",
  "metadata":{"name":"web-1","namespace":"shop","uid":"u1","generation":1,"labels":{"app":"web"}},
  "spec":{"containers":[{"name":"c","image":"nginx"}],
          "readinessGates":[{"conditionType":"target-health.elbv2.k8s.aws/web"},
                            {"conditionType":"example.com/other"}]},
  "status":{"phase":"Running","podIP":"10.0.0.7",
            "conditions":[{"type":"ContainersReady","status":"True"},{"type":"Ready","status":"False"}]}}"#;

/// A realistic watch line: a small slice, some rolling-update steps in, of any event type.
fn watch_line() -> impl Strategy<Value = Vec<u8>> {
    let kind = prop::sample::select(&["ADDED", "MODIFIED", "DELETED", "BOOKMARK"][..]);
    (
        0usize..8,
        0usize..3,
        0usize..3,
        any::<(bool, bool, u64)>(),
        0usize..3,
        kind,
    )
        .prop_map(
            |(endpoints, not_ready, terminating, (hostnames, hints, seed), steps, kind)| {
                let mut slice = SampleSlice::new(SampleParams {
                    endpoints,
                    not_ready: not_ready.min(endpoints),
                    terminating: terminating.min(endpoints - not_ready.min(endpoints)),
                    hostnames,
                    hints,
                    seed,
                    ..SampleParams::default()
                });
                for _ in 0..steps {
                    slice.rolling_step();
                }
                slice.watch_event(kind).into_bytes()
            },
        )
}

/// Decodes `bytes` every way the daemon can and checks whatever decodes is well formed.
fn decode_all(bytes: &[u8]) {
    if let Ok(event) = SlimWatchEvent::from_slice(bytes) {
        if let Some(slice) = event.slice() {
            check_slice(slice);
        }
    }
    if let Ok(slice) = SlimEndpointSlice::from_slice(bytes) {
        check_slice(&slice);
    }
    if let Ok(pod) = serde_json::from_slice::<SlimPod>(bytes) {
        check_pod(&pod);
    }
}

fn check_slice(slice: &SlimEndpointSlice) {
    assert!(slice.ports.iter().all(|p| p.port != 0), "{:?}", slice.ports);
    let Some(snap) = slice.to_snapshot(&mut ZoneInterner::new()) else {
        return;
    };
    let meta = &slice.metadata;
    let (ns, name) = (meta.namespace.as_deref(), meta.name.as_deref());
    assert_eq!(
        Some(&*snap.key),
        ns.zip(name).map(|(n, m)| format!("{n}/{m}")).as_deref()
    );
    assert_eq!(Some(snap.address_type), slice.address_type);
    assert_eq!(snap.ports, slice.ports);
    let addrs: Vec<IpAddr> = slice.endpoints.iter().filter_map(|e| e.addr).collect();
    let snap_addrs: Vec<IpAddr> = snap.endpoints.iter().map(|e| e.addr()).collect();
    assert_eq!(snap_addrs, addrs);
}

fn check_pod(pod: &SlimPod) {
    assert!(pod.gated_bindings().all(|b| !b.is_empty()));
    let parsed = pod.status.pod_ip.as_deref().and_then(|ip| ip.parse().ok());
    assert_eq!(pod.ip(), parsed);
}

/// Where the full decode accepts an add, modify or delete, the slim one must too, keeping the same values.
pub(super) fn agrees_with_full_decode(bytes: &[u8]) {
    let full = match serde_json::from_slice::<WatchEvent<EndpointSlice>>(bytes) {
        Ok(WatchEvent::Added(s) | WatchEvent::Modified(s) | WatchEvent::Deleted(s)) => s,
        _ => return,
    };
    let event =
        SlimWatchEvent::from_slice(bytes).expect("the slim decode accepts what the full one does");
    let slim = event.slice().expect("the same kind of event");
    let (fm, sm) = (&full.metadata, &slim.metadata);
    assert_eq!(
        (&fm.name, &fm.namespace, &fm.uid),
        (&sm.name, &sm.namespace, &sm.uid)
    );
    assert_eq!(
        (&fm.resource_version, fm.generation),
        (&sm.resource_version, sm.generation)
    );
    let label = fm.labels.as_ref().and_then(|l| l.get(SERVICE_NAME_LABEL));
    assert_eq!(label.map(String::as_str), slim.service_name());
    let family = match full.address_type.as_str() {
        "IPv4" => Some(AddressType::Ipv4),
        "IPv6" => Some(AddressType::Ipv6),
        _ => None,
    };
    assert_eq!(family, slim.address_type);
    let ports: Vec<_> = (full.ports.iter().flatten())
        .filter_map(|p| {
            Some((
                p.name.as_deref(),
                u16::try_from(p.port?).ok().filter(|&n| n != 0)?,
            ))
        })
        .collect();
    let slim_ports: Vec<_> = slim
        .ports
        .iter()
        .map(|p| (p.name.as_deref(), p.port))
        .collect();
    assert_eq!(ports, slim_ports);
    assert_eq!(full.endpoints.len(), slim.endpoints.len());
    for (f, s) in full.endpoints.iter().zip(&slim.endpoints) {
        assert_eq!(f.addresses.first().and_then(|a| a.parse().ok()), s.addr);
        let c = f.conditions.clone().unwrap_or_default();
        let ready = c.ready.unwrap_or(true);
        let want = Conditions::new(
            ready,
            c.serving.unwrap_or(ready),
            c.terminating.unwrap_or(false),
        );
        assert_eq!(want, s.conditions);
        assert_eq!(f.zone.as_deref(), s.zone.as_ref().map(|z| z.as_str()));
        let pod = f.target_ref.as_ref().and_then(|t| t.name.as_deref());
        assert_eq!(pod, s.pod.as_ref().map(|p| p.as_str()));
    }
}

/// Where the full decode accepts a pod, the slim one must too, with the same gates, IP and conditions.
fn pod_agrees_with_full_decode(bytes: &[u8]) {
    let Ok(full) = serde_json::from_slice::<Pod>(bytes) else {
        return;
    };
    let slim: SlimPod =
        serde_json::from_slice(bytes).expect("the slim decode accepts what the full one does");
    let gates: Vec<_> = (full
        .spec
        .iter()
        .flat_map(|s| s.readiness_gates.iter().flatten()))
    .map(|g| g.condition_type.as_str())
    .collect();
    let slim_gates: Vec<_> = slim
        .spec
        .readiness_gates
        .iter()
        .map(|g| g.condition_type.as_str())
        .collect();
    assert_eq!(gates, slim_gates);
    let status = full.status.unwrap_or_default();
    assert_eq!(status.pod_ip, slim.status.pod_ip);
    let conditions: Vec<_> = (status.conditions.iter().flatten())
        .map(|c| (c.type_.as_str(), c.status.as_str()))
        .collect();
    let slim_conditions: Vec<_> = (slim.status.conditions.iter())
        .map(|c| (c.kind.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(conditions, slim_conditions);
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json(), kind in any_json()) {
        decode_all(&serde_json::to_vec(&value).expect("a Value serializes"));
        let event = serde_json::json!({ "type": kind, "object": value });
        decode_all(&serde_json::to_vec(&event).expect("a Value serializes"));
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_strict_prefix_of_a_watch_line_is_an_error(line in watch_line(), cut in any::<prop::sample::Index>()) {
        let full = SlimWatchEvent::from_slice(&line).expect("a sample line decodes");
        if let Some(slice) = full.slice() {
            check_slice(slice);
            prop_assert!(slice.to_snapshot(&mut ZoneInterner::new()).is_some());
        }
        let prefix = &line[..cut.index(line.len())];
        prop_assert!(SlimWatchEvent::from_slice(prefix).is_err());
        decode_all(prefix);
    }

    #[test]
    fn a_watch_line_with_one_bad_value_decodes_or_fails_cleanly(
        line in watch_line(),
        at in path(7),
        with in nasty(),
    ) {
        let mut doc: Value = serde_json::from_slice(&line).expect("a sample line is JSON");
        replace_at(&mut doc, &at, with);
        let bytes = serde_json::to_vec(&doc).expect("a Value serializes");
        decode_all(&bytes);
        agrees_with_full_decode(&bytes);
    }

    #[test]
    fn a_pod_with_one_bad_value_decodes_or_fails_cleanly(at in path(5), with in nasty()) {
        let mut doc: Value = serde_json::from_str(POD).expect("the pod fixture is JSON");
        replace_at(&mut doc, &at, with);
        let bytes = serde_json::to_vec(&doc).expect("a Value serializes");
        decode_all(&bytes);
        pod_agrees_with_full_decode(&bytes);
    }

    #[test]
    fn a_slice_keeps_a_port_only_if_elb_can_use_it(
        line in watch_line(),
        port in prop_oneof![any::<i64>(), -2i64..70_000, Just(0)],
    ) {
        let mut doc: Value = serde_json::from_slice(&line).expect("a sample line is JSON");
        doc["object"]["ports"] = serde_json::json!([{"name": "http", "port": port}]);
        let bytes = serde_json::to_vec(&doc).expect("a Value serializes");
        match SlimWatchEvent::from_slice(&bytes) {
            Ok(event) => {
                let slice = event.slice().or(match &event {
                    SlimWatchEvent::Bookmark(s) => Some(s),
                    _ => None,
                });
                let kept: Vec<i64> = slice.iter().flat_map(|s| s.ports.iter()).map(|p| p.port.into()).collect();
                let usable = (1..=65535).contains(&port);
                prop_assert_eq!(kept, if usable { vec![port] } else { vec![] });
            }
            // Only a number that does not fit the field's i32 is refused outright.
            Err(_) => prop_assert!(i32::try_from(port).is_err()),
        }
    }

    #[test]
    fn every_strict_prefix_of_a_pod_is_an_error(cut in 0..POD.len()) {
        prop_assert!(serde_json::from_slice::<SlimPod>(&POD.as_bytes()[..cut]).is_err());
    }
}

#[test]
fn the_pod_fixture_decodes_both_ways() {
    let pod: SlimPod = serde_json::from_str(POD).expect("decodes");
    assert_eq!(pod.gated_bindings().collect::<Vec<_>>(), ["web"]);
    pod_agrees_with_full_decode(POD.as_bytes());
}
