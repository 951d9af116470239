//! Why a Service's model could not be built; the controller reports it as a `FailedBuildModel` Warning
//! and changes nothing.

use crate::annotations::AnnotationError;
use crate::lookups::UnknownName;

/// A Service that cannot become an NLB as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// An annotation's value was refused.
    #[error(transparent)]
    Annotation(#[from] AnnotationError),
    /// A subnet or security group named by a `Name` tag the VPC does not have.
    #[error(transparent)]
    UnknownName(#[from] UnknownName),
    /// The Service has no spec or no ports.
    #[error("the Service has no ports")]
    NoPorts,
    /// A port protocol an NLB cannot carry (SCTP).
    #[error("port {port}: protocol {protocol} is not supported (TCP or UDP)")]
    UnsupportedProtocol {
        /// The Service port.
        port: i32,
        /// Its protocol.
        protocol: String,
    },
    /// Instance mode on a port without a nodePort.
    #[error("port {0}: instance targets need a nodePort, and it has none")]
    NoNodePort(i32),
    /// A port number outside 1..=65535.
    #[error("port {0} is not a port number")]
    BadPort(i32),
    /// TCP and UDP on one port number share a TCP_UDP target group, so they must reach one port.
    #[error("port {port}: its TCP and UDP entries reach different ports ({tcp} and {udp})")]
    TcpUdpMismatch {
        /// The Service port.
        port: u16,
        /// The TCP entry's target port.
        tcp: u16,
        /// The UDP entry's.
        udp: u16,
    },
    /// Neither the annotation, the existing NLB nor discovery gave a subnet.
    #[error("no subnets: none named by aws-load-balancer-subnets and none discovered")]
    NoSubnets,
    /// A `spec.loadBalancerSourceRanges` entry that is not a CIDR.
    #[error("spec.loadBalancerSourceRanges: {0:?} is not a CIDR")]
    BadSourceRange(String),
}
