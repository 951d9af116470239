//! Domain types shared by every layer: targets, target-group keys, EndpointSlice snapshots and deltas.

mod delta;
mod instance_id;
mod slice;
mod target;
mod tg_key;

pub use delta::{Action, Delta};
pub use instance_id::{InstanceId, InstanceIdError};
pub use slice::{AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SliceKey, SlicePort};
pub use target::{Target, TargetId, Zone};
pub use tg_key::TargetGroupKey;
