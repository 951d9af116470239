use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bytemuck::{Pod, Zeroable};

use super::Zone;

/// Endpoint conditions as EndpointSlices carry them, packed into one byte.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Pod, Zeroable)]
#[repr(transparent)]
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
///
/// Plain bytes with no padding, so a slice diff can compare runs of endpoints as memory: a rolling update
/// changes two endpoints of a hundred, and the other 98 are skipped many at a time.
#[derive(Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Endpoint {
    /// IPv6, or IPv4 mapped into IPv6 (`v4` says which).
    addr: [u8; 16],
    v4: u8,
    conditions: Conditions,
    /// The interned zone, 0 for none (interned zones start at 1).
    zone: u16,
}

impl Endpoint {
    /// An endpoint at `addr` (its first address) with these conditions, in `zone` if known.
    pub fn new(addr: IpAddr, conditions: Conditions, zone: Option<Zone>) -> Self {
        let (bytes, v4) = match addr {
            IpAddr::V4(a) => (a.to_ipv6_mapped().octets(), 1),
            IpAddr::V6(a) => (a.octets(), 0),
        };
        Endpoint {
            addr: bytes,
            v4,
            conditions,
            zone: zone.map_or(0, |z| z.0),
        }
    }

    /// The address.
    #[inline]
    pub fn addr(&self) -> IpAddr {
        let a = self.addr;
        if self.v4 == 1 {
            IpAddr::V4(Ipv4Addr::new(a[12], a[13], a[14], a[15]))
        } else {
            IpAddr::V6(Ipv6Addr::from(a))
        }
    }

    /// Ready / serving / terminating.
    #[inline]
    pub fn conditions(&self) -> Conditions {
        self.conditions
    }

    /// The same endpoint with other conditions.
    pub fn with_conditions(self, conditions: Conditions) -> Self {
        Endpoint { conditions, ..self }
    }

    /// The endpoint's zone, interned.
    #[inline]
    pub fn zone(&self) -> Option<Zone> {
        (self.zone != 0).then_some(Zone(self.zone))
    }

    /// Whether two endpoints have the same address (an IPv4 one is not its IPv4-mapped IPv6 twin).
    #[inline]
    pub fn same_address(&self, other: &Endpoint) -> bool {
        self.addr == other.addr && self.v4 == other.v4
    }

    /// Whether two endpoints stand for the same target in the same state: a change of zone or of `serving`
    /// alone moves no target (ELB knows a target by address and port).
    #[inline]
    pub fn same_target_state(&self, other: &Endpoint) -> bool {
        self.same_address(other)
            && self.conditions.wants_traffic() == other.conditions.wants_traffic()
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("addr", &self.addr())
            .field("conditions", &self.conditions)
            .field("zone", &self.zone())
            .finish()
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

    #[test]
    fn addresses_and_zones_round_trip() {
        for a in ["10.1.2.3", "::ffff:10.1.2.3", "fd00::7", "::"] {
            let addr: IpAddr = a.parse().unwrap();
            let e = Endpoint::new(addr, Conditions::ready(), Some(Zone(3)));
            assert_eq!(e.addr(), addr, "{a}");
            assert_eq!(e.zone(), Some(Zone(3)));
        }
        let v4 = Endpoint::new("10.1.2.3".parse().unwrap(), Conditions::ready(), None);
        let mapped = Endpoint::new(
            "::ffff:10.1.2.3".parse().unwrap(),
            Conditions::ready(),
            None,
        );
        assert_ne!(
            v4, mapped,
            "an IPv4 endpoint is not its IPv4-mapped IPv6 twin"
        );
        assert!(!v4.same_target_state(&mapped));
        assert_eq!(v4.zone(), None);
    }
}
