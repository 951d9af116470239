//! The TargetGroupBinding custom resource (`elbv2.k8s.aws/v1beta1`), schema-compatible with the AWS Load
//! Balancer Controller's, its YAML rendering and the pure checks a binding must pass.

#[cfg(test)]
mod bad_input;
mod binding;
mod conditions;
mod render;
mod validate;

pub use binding::{
    IpAddressType, IpBlock, NetworkingIngressRule, NetworkingPeer, NetworkingPort,
    NetworkingProtocol, SecurityGroup, ServiceReference, TargetGroupBinding,
    TargetGroupBindingNetworking, TargetGroupBindingSpec, TargetGroupBindingStatus,
    TargetGroupProtocol, TargetType, FINALIZER,
};
pub use conditions::{merge_condition, ConditionKind, ConditionUpdate};
pub use render::{crd_yaml, CRD_PATH};
pub use validate::{check_immutable, validate, BindingError};
