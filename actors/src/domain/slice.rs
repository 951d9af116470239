use std::sync::Arc;

use super::Endpoint;

/// Identifies one EndpointSlice: `namespace/name`. Cheap to clone and hash.
pub type SliceKey = Arc<str>;

/// The address family of a slice (FQDN slices are dropped by the watcher: ELB cannot target them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AddressType {
    /// IPv4 endpoints.
    Ipv4,
    /// IPv6 endpoints.
    Ipv6,
}

/// One named port of a slice (`ports[]`): the name matches the Service port's name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SlicePort {
    /// The port name, `None` for a Service with a single unnamed port.
    pub name: Option<Arc<str>>,
    /// The target (container) port number.
    pub port: u16,
}

/// A whole EndpointSlice as the watcher last saw it. A deleted slice is a snapshot with no endpoints.
#[derive(Clone, Debug)]
pub struct EndpointSliceSnapshot {
    /// `namespace/name` of the slice.
    pub key: SliceKey,
    /// `namespace/name` of the Service it belongs to (label `kubernetes.io/service-name`).
    pub service: Arc<str>,
    /// Address family.
    pub address_type: AddressType,
    /// The slice's ports.
    pub ports: Arc<[SlicePort]>,
    /// The endpoints, shared so fanning a snapshot out to several target groups copies nothing.
    pub endpoints: Arc<[Endpoint]>,
}

impl EndpointSliceSnapshot {
    /// The target port for a Service port name, if this slice carries it.
    pub fn port_for(&self, name: Option<&str>) -> Option<u16> {
        self.ports
            .iter()
            .find(|p| p.name.as_deref() == name)
            .map(|p| p.port)
    }
}
