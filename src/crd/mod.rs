//! tgsync's custom resources (`elbv2.k8s.aws/v1beta1`), schema-compatible with the AWS Load Balancer
//! Controller's: TargetGroupBinding (and the pure checks a binding must pass) and IngressClassParams, with
//! their YAML rendering.

#[cfg(test)]
mod bad_input;
mod binding;
mod conditions;
mod ingress_class_params;
mod render;
mod validate;

pub use binding::{
    IpAddressType, IpBlock, NetworkingIngressRule, NetworkingPeer, NetworkingPort,
    NetworkingProtocol, SecurityGroup, ServiceReference, TargetGroupBinding,
    TargetGroupBindingNetworking, TargetGroupBindingSpec, TargetGroupBindingStatus,
    TargetGroupProtocol, TargetType, FINALIZER,
};
pub use conditions::{merge_condition, ConditionKind, ConditionUpdate};
pub use ingress_class_params::{
    IngressClassParams, IngressClassParamsSpec, IngressGroupRef, KeyValue,
    LoadBalancerIpAddressType, LoadBalancerScheme, SubnetSelector,
};
pub use render::{crd_files, crd_yaml, CrdFile, CRD_PATH};
pub use validate::{check_immutable, validate, BindingError};
