//! One line of a trace, and a slice as a trace writes it (zones by name, conditions spelled out).

use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tgsync_actors::domain::{
    AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort, Zone,
};

/// The format version a `bindings` line carries; a reader refuses any other.
pub const TRACE_VERSION: u32 = 1;

/// One line of a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TraceLine {
    /// The first line: the format version and every binding.
    Bindings {
        /// [`TRACE_VERSION`].
        version: u32,
        /// Who is bound to what.
        bindings: Vec<TraceBinding>,
    },
    /// A slice as it was when the trace started.
    Initial {
        /// The slice.
        slice: TraceSlice,
    },
    /// A slice as it was after a change (no endpoints: deleted), `at_ms` after the trace started.
    Slice {
        /// Milliseconds from the trace's start.
        at_ms: f64,
        /// The slice.
        slice: TraceSlice,
    },
    /// A named moment, e.g. the start of a phase.
    Mark {
        /// Milliseconds from the trace's start.
        at_ms: f64,
        /// What began.
        label: String,
    },
}

/// A TargetGroupBinding as a trace records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceBinding {
    /// `namespace/name` of the Service.
    pub service: String,
    /// The Service port's name (`None`: its only, unnamed port).
    pub port_name: Option<String>,
    /// The target group's ARN.
    pub tg: String,
}

/// An EndpointSlice as a trace records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSlice {
    /// `namespace/name` of the slice.
    pub key: String,
    /// `namespace/name` of its Service.
    pub service: String,
    /// `IPv4` or `IPv6`.
    pub address_type: String,
    /// The slice's ports.
    pub ports: Vec<TracePort>,
    /// The endpoints, in slice order.
    pub endpoints: Vec<TraceEndpoint>,
}

/// One port of a slice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracePort {
    /// The port's name.
    pub name: Option<String>,
    /// The target port.
    pub port: u16,
}

/// One endpoint, its conditions with Kubernetes' nil rules already applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceEndpoint {
    /// The first address.
    pub ip: IpAddr,
    /// `conditions.ready`.
    pub ready: bool,
    /// `conditions.serving`.
    pub serving: bool,
    /// `conditions.terminating`.
    pub terminating: bool,
    /// The zone's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

impl TraceSlice {
    /// A snapshot as a trace records it; `zone_name` names the snapshot's interned zones.
    pub fn from_snapshot<'z>(
        s: &EndpointSliceSnapshot,
        zone_name: impl Fn(Zone) -> Option<&'z str>,
    ) -> Self {
        TraceSlice {
            key: s.key.to_string(),
            service: s.service.to_string(),
            address_type: match s.address_type {
                AddressType::Ipv4 => "IPv4",
                AddressType::Ipv6 => "IPv6",
            }
            .to_owned(),
            ports: s
                .ports
                .iter()
                .map(|p| TracePort {
                    name: p.name.as_deref().map(str::to_owned),
                    port: p.port,
                })
                .collect(),
            endpoints: s
                .endpoints
                .iter()
                .map(|e| {
                    let c = e.conditions();
                    TraceEndpoint {
                        ip: e.addr(),
                        ready: c.is_ready(),
                        serving: c.is_serving(),
                        terminating: c.is_terminating(),
                        zone: e.zone().and_then(&zone_name).map(str::to_owned),
                    }
                })
                .collect(),
        }
    }

    /// The snapshot this line stands for; `zone` interns zone names. `None` for an unknown address type.
    pub fn to_snapshot(&self, mut zone: impl FnMut(&str) -> Zone) -> Option<EndpointSliceSnapshot> {
        let address_type = match self.address_type.as_str() {
            "IPv4" => AddressType::Ipv4,
            "IPv6" => AddressType::Ipv6,
            _ => return None,
        };
        Some(EndpointSliceSnapshot {
            key: self.key.as_str().into(),
            service: self.service.as_str().into(),
            address_type,
            ports: self
                .ports
                .iter()
                .map(|p| SlicePort {
                    name: p.name.as_deref().map(Arc::from),
                    port: p.port,
                })
                .collect(),
            endpoints: self
                .endpoints
                .iter()
                .map(|e| {
                    let c = Conditions::new(e.ready, e.serving, e.terminating);
                    Endpoint::new(e.ip, c, e.zone.as_deref().map(&mut zone))
                })
                .collect(),
        })
    }
}
