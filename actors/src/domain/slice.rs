use std::net::IpAddr;
use std::sync::Arc;

use super::Zone;

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

/// Endpoint conditions as EndpointSlices carry them, packed into one byte.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Conditions(u8);

impl Conditions {
    const READY: u8 = 1;
    const SERVING: u8 = 2;
    const TERMINATING: u8 = 4;

    /// Conditions from the three flags.
    pub fn new(ready: bool, serving: bool, terminating: bool) -> Self {
        let bit = |on: bool, b: u8| if on { b } else { 0 };
        Conditions(
            bit(ready, Self::READY)
                | bit(serving, Self::SERVING)
                | bit(terminating, Self::TERMINATING),
        )
    }

    /// A ready, serving, not-terminating endpoint.
    pub fn ready() -> Self {
        Self::new(true, true, false)
    }

    /// A terminating endpoint (not ready; still serving while it drains).
    pub fn terminating() -> Self {
        Self::new(false, true, true)
    }

    /// `ready` as Kubernetes reports it.
    pub fn is_ready(self) -> bool {
        self.0 & Self::READY != 0
    }

    /// `serving`.
    pub fn is_serving(self) -> bool {
        self.0 & Self::SERVING != 0
    }

    /// `terminating`.
    pub fn is_terminating(self) -> bool {
        self.0 & Self::TERMINATING != 0
    }

    /// Whether ELB should send traffic here: ready and not terminating.
    pub fn wants_traffic(self) -> bool {
        self.0 & (Self::READY | Self::TERMINATING) == Self::READY
    }
}

/// One endpoint of a slice, reduced to what target groups need.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Endpoint {
    /// The first (and for pods, only) address.
    pub addr: IpAddr,
    /// Ready / serving / terminating.
    pub conditions: Conditions,
    /// The endpoint's zone, interned.
    pub zone: Option<Zone>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ready_non_terminating_endpoints_want_traffic() {
        assert!(Conditions::ready().wants_traffic());
        assert!(!Conditions::terminating().wants_traffic());
        assert!(!Conditions::new(true, true, true).wants_traffic());
        assert!(!Conditions::new(false, false, false).wants_traffic());
    }
}
