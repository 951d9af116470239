//! The Ingress controller: Ingresses of tgsync's class, grouped as the AWS Load Balancer Controller groups
//! them, each group's ALB, listeners, rules, target groups and security group kept equal to the model built
//! from its members by one supervisor actor per group. Targets flow through the TargetGroupBindings it
//! creates, served by the binding controller.

mod controller;
mod membership;
mod work;

pub use controller::IngressController;
pub use membership::Membership;
pub use work::Shared;
