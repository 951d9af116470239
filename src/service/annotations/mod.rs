//! The `service.beta.kubernetes.io/` annotations tgsync reads on a Service (spec B2), one file per family.
//! Every error names the annotation and its value; unknown annotations are ignored.

pub mod health_check;
pub mod load_balancer;
pub mod target;
pub mod tls;

#[cfg(test)]
mod tests;

use k8s_openapi::api::core::v1::Service;

use crate::annotations::{AnnotationError, Annotations};

pub use health_check::HealthCheckAnnotations;
pub use load_balancer::LoadBalancerAnnotations;
pub use target::TargetAnnotations;
pub use tls::{TlsAnnotations, DEFAULT_SSL_POLICY};

/// Everything the annotations of one Service ask for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceAnnotations {
    /// Scheme, name, subnets, security groups, address type, attributes, tags.
    pub load_balancer: LoadBalancerAnnotations,
    /// Target type, target-group attributes, proxy protocol, node labels.
    pub target: TargetAnnotations,
    /// Certificates, TLS ports and policy, backend protocol.
    pub tls: TlsAnnotations,
    /// Health-check overrides (defaults depend on the target type and traffic policy).
    pub health_check: HealthCheckAnnotations,
}

impl ServiceAnnotations {
    /// Reads `svc`'s annotations; the first bad one is the error.
    pub fn of(svc: &Service) -> Result<Self, AnnotationError> {
        let a = Annotations::service(svc.metadata.annotations.as_ref());
        let service_type = svc.spec.as_ref().and_then(|s| s.type_.as_deref());
        Ok(ServiceAnnotations {
            load_balancer: LoadBalancerAnnotations::parse(&a)?,
            target: TargetAnnotations::parse(&a, service_type)?,
            tls: TlsAnnotations::parse(&a)?,
            health_check: HealthCheckAnnotations::parse(&a)?,
        })
    }
}
