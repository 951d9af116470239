//! What the controllers that own stacks (Ingress groups, NLB Services) share: deploying a stack's model
//! through the reader, planner and applier, and the TargetGroupBindings of its target groups.

mod bindings;
mod deploy;

pub use bindings::{BindingOps, BindingWrite};
pub use deploy::{DeployError, Deployment, Draining, StackDeploy};
