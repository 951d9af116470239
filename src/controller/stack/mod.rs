//! What the controllers that own stacks (Ingress groups, NLB Services) share: deploying a stack's model
//! through the reader, planner and applier, the TargetGroupBindings of its target groups, and the writes on
//! the objects a stack serves.

mod bindings;
mod deploy;
mod object_ops;
mod resolve;

pub use bindings::{BindingOps, BindingWrite};
pub use deploy::{DeployError, Deployment, Draining, StackDeploy};
pub use object_ops::ObjectOps;
