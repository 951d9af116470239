use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;

use super::InstanceId;

/// What ELB registers: a pod IP (ip mode) or an EC2 instance (instance mode).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum TargetId {
    /// A pod IP, IPv4 or IPv6.
    Ip(IpAddr),
    /// An EC2 instance id taken from a Node's `spec.providerID`.
    Instance(InstanceId),
}

/// An availability zone, interned to a small number by whoever builds snapshots (0 = none given).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Zone(pub u16);

/// One ELB target. Identity is (id, port), as in ELB; the zone rides along for RegisterTargets.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The IP or instance.
    pub id: TargetId,
    /// The port traffic is sent to (container port in ip mode, nodePort in instance mode).
    pub port: u16,
    /// The zone, when the target needs one named (IPs outside the VPC).
    pub zone: Option<Zone>,
}

impl Target {
    /// An IP target without an explicit zone.
    pub fn ip(ip: IpAddr, port: u16) -> Self {
        Target {
            id: TargetId::Ip(ip),
            port,
            zone: None,
        }
    }

    /// An instance target without an explicit zone.
    pub fn instance(id: InstanceId, port: u16) -> Self {
        Target {
            id: TargetId::Instance(id),
            port,
            zone: None,
        }
    }
}

// Identity excludes the zone: ELB knows a target by id and port, so a zone appearing on a known
// endpoint must not look like a new target (that would cost a deregister and a register).
impl PartialEq for Target {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.port == other.port && self.id == other.id
    }
}

impl Eq for Target {}

impl Hash for Target {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Every change of a target group costs a few set lookups: hash an IPv4 target as one word.
        match self.id {
            TargetId::Ip(IpAddr::V4(a)) => {
                state.write_u64((a.to_bits() as u64) << 16 | self.port as u64)
            }
            TargetId::Ip(IpAddr::V6(a)) => {
                state.write_u128(a.to_bits());
                state.write_u16(self.port);
            }
            TargetId::Instance(i) => {
                i.hash(state);
                state.write_u16(self.port);
            }
        }
    }
}

impl Ord for Target {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Slice diffs compare IPv4 targets millions of times a second: compare them as one integer.
        match (self.id, other.id) {
            (TargetId::Ip(IpAddr::V4(a)), TargetId::Ip(IpAddr::V4(b))) => {
                ((a.to_bits() as u64) << 16 | self.port as u64)
                    .cmp(&((b.to_bits() as u64) << 16 | other.port as u64))
            }
            _ => self.id.cmp(&other.id).then(self.port.cmp(&other.port)),
        }
    }
}

impl PartialOrd for Target {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id {
            TargetId::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            TargetId::Ip(IpAddr::V4(ip)) => write!(f, "{ip}:{}", self.port),
            TargetId::Instance(id) => write!(f, "{id}:{}", self.port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_is_not_part_of_identity() {
        let a = Target::ip("10.0.0.1".parse().unwrap(), 80);
        let b = Target {
            zone: Some(Zone(3)),
            ..a
        };
        assert_eq!(a, b);
        assert_ne!(a, Target { port: 81, ..a });
    }
}

#[cfg(test)]
mod size {
    /// Targets are copied and compared on the hot path, and every table holds one per target: 24 bytes.
    #[test]
    fn a_target_fits_in_24_bytes() {
        assert!(std::mem::size_of::<super::Target>() <= 24);
    }
}
