//! Services of type LoadBalancer as the AWS Load Balancer Controller reads them: whether a Service is
//! ours, its `service.beta.kubernetes.io/` annotations, and the builder that turns it into an NLB
//! `StackModel`. Pure: subnets, names looked up and the load balancer already deployed come in as
//! arguments, and targets are the bindings' business.
//!
//! What a controller calls: [`is_ours`]; for a Service deleted or no longer ours that still carries
//! [`FINALIZER`], [`empty_model`]; else [`wanted`] (names to look up), [`scheme`] (which subnets to
//! discover), then [`build_service`], whose `bindings` name each target group's TargetGroupBinding.

pub mod annotations;
pub mod build;
pub mod selection;

pub use annotations::ServiceAnnotations;
pub use build::{build_service, empty_model, scheme, wanted, ServiceError, ServiceInput};
pub use selection::{is_ours, stack_id, stack_labels, DEFAULT_LOAD_BALANCER_CLASS, FINALIZER};
