//! Kubernetes watch decoding: EndpointSlices (and Pods, for readiness gates) reduced to what target groups need.
//!
//! EndpointSlices are read straight from the bytes of their watch lines by a reader of their own (`json`),
//! which keeps a few fields and skips the rest without building it; Pods go through kube's watcher and serde,
//! skipping what they do not keep without allocating.

#[cfg(test)]
mod bad_input;
mod de;
mod endpoint;
mod endpoint_slice;
mod event;
mod json;
mod meta;
mod name;
mod pod;
mod service_label;
pub mod stream;
mod zone;

pub use endpoint::SlimEndpoint;
pub use endpoint_slice::SlimEndpointSlice;
pub use event::{SlimWatchEvent, WatchStatus};
pub use json::DecodeError;
pub use name::{CompactName, ObjectName, ZoneName};
pub use pod::{PodCondition, ReadinessGate, SlimPod, SlimPodSpec, SlimPodStatus, GATE_PREFIX};
pub use service_label::SERVICE_NAME_LABEL;
pub use zone::ZoneInterner;
