//! Kubernetes watch decoding: EndpointSlices (and Pods, for readiness gates) reduced to what target groups need.
//!
//! The slim types decode straight from watch-event JSON and skip everything else without allocating,
//! so a storm of slice updates costs a fraction of a full k8s-openapi decode.

#[cfg(test)]
mod bad_input;
mod de;
mod endpoint_slice;
mod event;
mod name;
mod pod;
mod raw_endpoint;
mod service_label;
mod zone;

pub use endpoint_slice::{SlimEndpoint, SlimEndpointSlice};
pub use event::{SlimWatchEvent, WatchStatus};
pub use name::{CompactName, ObjectName, ZoneName};
pub use pod::{PodCondition, ReadinessGate, SlimPod, SlimPodSpec, SlimPodStatus, GATE_PREFIX};
pub use service_label::SERVICE_NAME_LABEL;
pub use zone::ZoneInterner;
