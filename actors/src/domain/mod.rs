//! Domain types shared by every layer: targets, target-group keys, EndpointSlice snapshots and deltas.

mod delta;
mod endpoint;
mod instance_id;
mod slice;
mod target;
mod tg_key;

pub use delta::{Action, Delta};
pub use endpoint::{Conditions, Endpoint};
pub use instance_id::{InstanceId, InstanceIdError};
pub use slice::{AddressType, EndpointSliceSnapshot, SliceKey, SlicePort};
pub use target::{Target, TargetId, Zone};
pub use tg_key::TargetGroupKey;
