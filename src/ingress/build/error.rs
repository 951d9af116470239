//! Why one member cannot be built, whatever the rest of its group says.

use crate::ingress::annotations::AnnotationError;

/// A member's own fault: a bad annotation, path or backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    /// An annotation that does not parse.
    #[error(transparent)]
    Annotation(#[from] AnnotationError),
    /// A pathType other than Exact, Prefix and ImplementationSpecific.
    #[error("path {path:?}: unknown pathType {path_type:?}")]
    PathType {
        /// The path.
        path: String,
        /// Its pathType.
        path_type: String,
    },
    /// `*` or `?` in an Exact or Prefix path (only ImplementationSpecific paths are patterns).
    #[error("path {0:?}: '*' and '?' are only allowed with pathType ImplementationSpecific")]
    Wildcard(String),
    /// A backend naming a `resource` instead of a Service.
    #[error("backend of path {0:?} names a resource; only Service backends are supported")]
    ResourceBackend(String),
    /// A Service backend without a port.
    #[error("backend service {0} has no port")]
    NoBackendPort(String),
    /// The Service exists but has no such port.
    #[error("service {service} has no port {port}")]
    NoServicePort {
        /// `namespace/name`.
        service: String,
        /// The port asked for.
        port: String,
    },
    /// Instance targets need a nodePort.
    #[error("service {service} port {port} has no nodePort (instance targets need a NodePort or LoadBalancer Service)")]
    NoNodePort {
        /// `namespace/name`.
        service: String,
        /// The port.
        port: String,
    },
    /// A target port of 0.
    #[error("service {service} port {port} targets port 0")]
    ZeroPort {
        /// `namespace/name`.
        service: String,
        /// The port.
        port: String,
    },
    /// A target group, subnet or security group named by a name the VPC does not have.
    #[error("no {kind} {name:?} in the VPC")]
    UnknownName {
        /// What was looked up, e.g. `subnet with Name tag`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// An HTTPS port with no certificate, from this member or an earlier one.
    #[error("HTTPS port {0} has no certificate (set certificate-arn)")]
    NoCertificate(u16),
    /// `ssl-redirect` to a port that is not one of the group's HTTPS ports.
    #[error("ssl-redirect port {0} is not an HTTPS listen port of the group")]
    SslRedirectPort(u16),
    /// A field of the class's IngressClassParams the builder cannot use.
    #[error("IngressClassParams {params:?}: {field}: {problem}")]
    Params {
        /// The params' name.
        params: String,
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl From<crate::lookups::UnknownName> for MemberError {
    fn from(e: crate::lookups::UnknownName) -> Self {
        MemberError::UnknownName {
            kind: e.kind,
            name: e.name,
        }
    }
}
