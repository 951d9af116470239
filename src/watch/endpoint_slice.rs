use std::sync::Arc;

use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use tgsync_actors::domain::{AddressType, Endpoint, EndpointSliceSnapshot, SlicePort};

use super::endpoint::SlimEndpoint;
use super::json::{DecodeError, Reader, Result};
use super::meta;
use super::service_label::SERVICE_NAME_LABEL;
use super::zone::ZoneInterner;

/// A discovery.k8s.io/v1 EndpointSlice reduced to what the daemon needs, read straight from watch bytes.
///
/// `metadata` holds only name, namespace, resourceVersion, uid, generation and the service-name label.
#[derive(Clone, Debug, Default)]
pub struct SlimEndpointSlice {
    /// The kept metadata fields (see above).
    pub metadata: ObjectMeta,
    /// `None` for FQDN slices (or an unknown type): ELB cannot target them, the watcher skips them.
    pub address_type: Option<AddressType>,
    /// The endpoints, in slice order.
    pub endpoints: Vec<SlimEndpoint>,
    /// Ports that carry a number.
    pub ports: Arc<[SlicePort]>,
}

impl SlimEndpointSlice {
    /// Decodes one slice object (a list item); errors name the problem and its line and column.
    pub fn from_slice(bytes: &[u8]) -> std::result::Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let slice = Self::read(&mut r)?;
        r.end()?;
        Ok(slice)
    }

    /// Reads a slice object; `null` fields read as absent, as Go writes empty lists.
    pub(super) fn read(r: &mut Reader) -> Result<Self> {
        let mut slice = SlimEndpointSlice::default();
        r.object("an EndpointSlice", |r, key| {
            match key {
                b"metadata" => slice.metadata = meta::read(r)?,
                b"addressType" => slice.address_type = r.nullable(address_type)?.flatten(),
                b"endpoints" => slice.endpoints = r.nullable(endpoints)?.unwrap_or_default(),
                b"ports" => slice.ports = r.nullable(ports)?.unwrap_or_default(),
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(slice)
    }

    /// The `kubernetes.io/service-name` label.
    pub fn service_name(&self) -> Option<&str> {
        self.metadata
            .labels
            .as_ref()?
            .get(SERVICE_NAME_LABEL)
            .map(String::as_str)
    }

    /// The snapshot the actors take, or `None` for FQDN slices and slices without the service label.
    /// Endpoints without an IP address are left out.
    pub fn to_snapshot(&self, zones: &mut ZoneInterner) -> Option<EndpointSliceSnapshot> {
        let address_type = self.address_type?;
        let namespace = self.metadata.namespace.as_deref()?;
        let name = self.metadata.name.as_deref()?;
        let service = self.service_name()?;
        let endpoints = self
            .endpoints
            .iter()
            .filter_map(|e| {
                Some(Endpoint::new(
                    e.addr?,
                    e.conditions,
                    e.zone.as_ref().and_then(|z| zones.intern(z.as_str())),
                ))
            })
            .collect();
        Some(EndpointSliceSnapshot {
            key: join(namespace, name),
            service: join(namespace, service),
            address_type,
            ports: self.ports.clone(),
            endpoints,
        })
    }
}

/// `addressType`: `None` for FQDN or any type ELB cannot target.
fn address_type(r: &mut Reader) -> Result<Option<AddressType>> {
    Ok(match &*r.str("an address type")? {
        "IPv4" => Some(AddressType::Ipv4),
        "IPv6" => Some(AddressType::Ipv6),
        _ => None,
    })
}

fn endpoints(r: &mut Reader) -> Result<Vec<SlimEndpoint>> {
    let mut endpoints = Vec::new();
    r.array("a list of endpoints", |r| {
        endpoints.push(SlimEndpoint::read(r)?);
        Ok(())
    })?;
    Ok(endpoints)
}

/// `ports`: named port numbers; ports without a number ("all ports") or with one outside 1–65535 are
/// dropped, ELB needs a real one.
fn ports(r: &mut Reader) -> Result<Arc<[SlicePort]>> {
    let mut ports = Vec::new();
    r.array("a list of ports", |r| {
        let (mut name, mut port) = (None, None);
        r.object("a port", |r, key| {
            match key {
                b"name" => name = r.nullable(|r| Ok(Arc::<str>::from(&*r.str("a port name")?)))?,
                b"port" => port = r.nullable(|r| r.int::<i32>("i32"))?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        if let Some(port) = port.and_then(|p| u16::try_from(p).ok()).filter(|&n| n != 0) {
            ports.push(SlicePort { name, port });
        }
        Ok(())
    })?;
    Ok(ports.into())
}

fn join(namespace: &str, name: &str) -> Arc<str> {
    let mut s = String::with_capacity(namespace.len() + 1 + name.len());
    s.push_str(namespace);
    s.push('/');
    s.push_str(name);
    s.into()
}

// kube-rs implements `kube::Resource` (DynamicType = ()) for every k8s-openapi resource with ObjectMeta,
// so the slim type borrows EndpointSlice's identity and gets its URLs and object references for free.
impl k8s_openapi::Resource for SlimEndpointSlice {
    const API_VERSION: &'static str = EndpointSlice::API_VERSION;
    const GROUP: &'static str = EndpointSlice::GROUP;
    const KIND: &'static str = EndpointSlice::KIND;
    const VERSION: &'static str = EndpointSlice::VERSION;
    const URL_PATH_SEGMENT: &'static str = EndpointSlice::URL_PATH_SEGMENT;
    type Scope = k8s_openapi::NamespaceResourceScope;
}

impl k8s_openapi::Metadata for SlimEndpointSlice {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::WatchEvent;
    use tgsync_actors::domain::{Conditions, Zone};
    use tgsync_loadtest::watch_sample::{SampleParams, SampleSlice};

    use super::*;
    use crate::watch::{ObjectName, SlimWatchEvent};

    fn slice_of(bytes: &[u8]) -> SlimEndpointSlice {
        match SlimWatchEvent::from_slice(bytes).unwrap() {
            SlimWatchEvent::Added(s) | SlimWatchEvent::Modified(s) => s,
            other => panic!("unexpected event {other:?}"),
        }
    }

    fn object(body: &str) -> String {
        format!(
            r#"{{"type":"ADDED","object":{{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1",
            "metadata":{{"name":"web-x","namespace":"shop","labels":{{"kubernetes.io/service-name":"web"}}}},
            {body}}}}}"#
        )
    }

    #[test]
    fn sample_decodes_to_the_expected_snapshot() {
        let mut sample = SampleSlice::new(SampleParams::default());
        sample.rolling_step();
        sample.rolling_step();
        let slim = slice_of(sample.watch_event("MODIFIED").as_bytes());
        let mut zones = ZoneInterner::new();
        let snap = slim.to_snapshot(&mut zones).unwrap();
        assert_eq!(&*snap.key, format!("shop/{}", sample.name()));
        assert_eq!(&*snap.service, "shop/web");
        assert_eq!(snap.address_type, AddressType::Ipv4);
        assert_eq!(snap.port_for(Some("http")), Some(8080));
        assert_eq!(snap.endpoints.len(), sample.pods().len());
        for (got, pod) in snap.endpoints.iter().zip(sample.pods()) {
            assert_eq!(got.addr(), pod.ip);
            assert_eq!(got.conditions(), pod.state.conditions());
            assert_eq!(zones.name(got.zone().unwrap()), Some(pod.zone));
        }
        for (got, pod) in slim.endpoints.iter().zip(sample.pods()) {
            assert_eq!(
                got.pod.as_ref().map(ObjectName::as_str),
                Some(pod.name.as_str())
            );
        }
        let ready = snap
            .endpoints
            .iter()
            .filter(|e| e.conditions().wants_traffic());
        assert_eq!(ready.count(), 100 - 2 - 1);
    }

    #[test]
    fn nil_conditions_follow_kubernetes() {
        let body = r#""addressType":"IPv4","endpoints":[
            {"addresses":["10.0.0.1"]},
            {"addresses":["10.0.0.2"],"conditions":{}},
            {"addresses":["10.0.0.3"],"conditions":{"ready":false}},
            {"addresses":["10.0.0.4"],"conditions":{"ready":true,"serving":false}},
            {"addresses":["10.0.0.5"],"conditions":{"ready":null,"serving":null,"terminating":true}}],
            "ports":null"#;
        let slim = slice_of(object(body).as_bytes());
        let got: Vec<_> = slim.endpoints.iter().map(|e| e.conditions).collect();
        let want = [
            Conditions::new(true, true, false),
            Conditions::new(true, true, false),
            Conditions::new(false, false, false),
            Conditions::new(true, false, false),
            Conditions::new(true, true, true),
        ];
        assert_eq!(got, want);
        assert!(slim.ports.is_empty());
    }

    #[test]
    fn fqdn_slices_decode_but_yield_no_snapshot() {
        let body =
            r#""addressType":"FQDN","endpoints":[{"addresses":["db.example.com"]}],"ports":[]"#;
        let slim = slice_of(object(body).as_bytes());
        assert_eq!(slim.address_type, None);
        assert_eq!(slim.endpoints[0].addr, None);
        assert!(slim.to_snapshot(&mut ZoneInterner::new()).is_none());
    }

    #[test]
    fn a_slice_without_the_service_label_yields_no_snapshot() {
        let json = r#"{"type":"ADDED","object":{"metadata":{"name":"x","namespace":"shop",
            "labels":{"app":"web"}},"addressType":"IPv4","endpoints":null,"ports":null}}"#;
        let slim = slice_of(json.as_bytes());
        assert_eq!(slim.service_name(), None);
        assert!(slim.metadata.labels.is_none());
        assert!(slim.to_snapshot(&mut ZoneInterner::new()).is_none());
    }

    #[test]
    fn empty_and_odd_endpoints_are_tolerated() {
        let body = r#""addressType":"IPv6","endpoints":[{"addresses":[]},{"addresses":["fd00::1","fd00::2"],
            "zone":"us-east-1a"}],"ports":[{"name":"http","port":80},{"name":"all"},{"name":"zero","port":0},{"port":70000}]"#;
        let snap = slice_of(object(body).as_bytes())
            .to_snapshot(&mut ZoneInterner::new())
            .unwrap();
        assert_eq!(snap.endpoints.len(), 1);
        assert_eq!(
            snap.endpoints[0].addr(),
            "fd00::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(snap.endpoints[0].zone(), Some(Zone(1)));
        assert_eq!(snap.ports.len(), 1);
    }

    #[test]
    fn malformed_json_names_the_problem() {
        let truncated = &object(r#""addressType":"IPv4""#)[..60];
        let err = SlimWatchEvent::from_slice(truncated.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("EOF"), "{err}");
        let bad_port = object(r#""addressType":"IPv4","ports":[{"port":"http"}]"#);
        let err = SlimWatchEvent::from_slice(bad_port.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("invalid type: string \"http\""),
            "{err}"
        );
        let bad_type = r#"{"type":"RENAMED","object":{}}"#;
        let err = SlimWatchEvent::from_slice(bad_type.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("RENAMED"), "{err}");
    }

    #[test]
    fn bookmark_and_error_events_decode() {
        let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1",
            "metadata":{"resourceVersion":"12345","annotations":{"k8s.io/initial-events-end":"true"}}}}"#;
        match SlimWatchEvent::from_slice(bookmark.as_bytes()).unwrap() {
            SlimWatchEvent::Bookmark(s) => {
                assert_eq!(s.metadata.resource_version.as_deref(), Some("12345"))
            }
            other => panic!("{other:?}"),
        }
        let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},
            "status":"Failure","message":"too old resource version","reason":"Expired","code":410}}"#;
        match SlimWatchEvent::from_slice(gone.as_bytes()).unwrap() {
            SlimWatchEvent::Error(s) => {
                assert_eq!((s.code, s.reason.as_deref()), (Some(410), Some("Expired")))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn is_a_kube_resource_at_the_endpointslice_url() {
        use kube_core::Resource;
        let url = SlimEndpointSlice::url_path(&(), Some("shop"));
        assert_eq!(
            url,
            "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices"
        );
        assert_eq!(SlimEndpointSlice::kind(&()), "EndpointSlice");
    }

    #[test]
    fn slim_and_full_decodes_agree_on_what_is_kept() {
        let params = SampleParams {
            hostnames: true,
            hints: true,
            not_ready: 5,
            terminating: 4,
            seed: 7,
            ..Default::default()
        };
        let mut sample = SampleSlice::new(params);
        sample.rolling_step();
        let bytes = sample.watch_event("MODIFIED").into_bytes();
        let full = match serde_json::from_slice::<WatchEvent<EndpointSlice>>(&bytes).unwrap() {
            WatchEvent::Modified(s) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(full.address_type, "IPv4");
        assert_eq!(slice_of(&bytes).address_type, Some(AddressType::Ipv4));
        // Metadata, label, ports and every endpoint: the check the property tests run on bad input too.
        super::super::bad_input::agrees_with_full_decode(&bytes);
    }
}
