//! The NLB controller: Services of type LoadBalancer that are tgsync's (`spec.loadBalancerClass`, or the
//! `aws-load-balancer-type` annotation), each kept equal to its model (one NLB, a listener and a target
//! group per port, the managed security group) by one supervisor actor. Targets flow through the
//! TargetGroupBindings it creates, served by the binding controller.

mod controller;
mod work;

pub use controller::NlbController;
pub use work::{ServiceWork, Shared};
