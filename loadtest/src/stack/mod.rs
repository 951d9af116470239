//! A stack reader and applier against the ELB model, mirroring the daemon's SDK ones in `src/aws/stack/`:
//! the same Describe calls per read (pages, tags 20 ARNs at a time, attributes per resource) and one
//! call per planned call, each made with a permit of the budget in the call's class.

mod applier;
mod permit;
mod reader;

pub use applier::{ModelApplier, ModelApplyError};
pub use permit::Permits;
pub use reader::{peek_deployed, ModelReadError, ModelReader};
