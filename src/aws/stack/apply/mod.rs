//! The stack applier: makes a plan's calls against ELBv2 and EC2 front to back, each with a permit of the
//! account's API budget in the call's class, substituting the ARNs and ids earlier creates answered. It stops
//! at the first failure: everything created so far was tagged at creation, so the next read finds it and
//! nothing is forgotten.

mod applier;
mod ec2_calls;
mod elb_calls;
mod error;
mod to_sdk;

pub use applier::{Applied, StackApplier};
pub use error::{ApplyError, ApplyErrorKind};
