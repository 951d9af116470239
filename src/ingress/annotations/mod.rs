//! The `alb.ingress.kubernetes.io/` annotations tgsync reads, one file per value format or family. Every
//! parse error names the annotation and says what is wrong; unknown annotations are ignored.

pub mod actions;
pub mod backend;
pub(crate) mod cidr;
pub mod conditions;
pub mod error;
pub mod health_check;
pub mod ingress;
mod json;
pub mod listen_ports;
pub mod listener;
pub mod load_balancer;
pub mod values;
pub mod words;

pub use actions::{AnnotationAction, ForwardTarget, ForwardTo};
pub use backend::{BackendAnnotations, Layered};
pub use error::{AnnotationError, Problem};
pub use ingress::IngressAnnotations;
pub use listen_ports::ListenPort;
pub use listener::{ListenerAnnotations, DEFAULT_SSL_POLICY};
pub use load_balancer::LoadBalancerAnnotations;
pub use values::{Annotations, PREFIX};
pub use words::ProtocolVersion;
