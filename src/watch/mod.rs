//! Kubernetes watch decoding: EndpointSlices reduced to what target groups need.
//!
//! The slim types decode straight from watch-event JSON and skip everything else without allocating,
//! so a storm of slice updates costs a fraction of a full k8s-openapi decode.

mod de;
mod endpoint_slice;
mod event;
mod name;
pub mod sample;
mod zone;

pub use endpoint_slice::{SlimEndpoint, SlimEndpointSlice, SERVICE_NAME_LABEL};
pub use event::{SlimWatchEvent, WatchStatus};
pub use name::{CompactName, ObjectName, ZoneName};
pub use zone::ZoneInterner;
