//! The `alb.ingress.kubernetes.io/` annotations tgsync reads, one file per value format or family. Every
//! parse error names the annotation and says what is wrong; unknown annotations are ignored.

pub(crate) use crate::annotations::{cidr, json};
pub use crate::annotations::{error, values, words};

pub mod actions;
pub mod backend;
pub mod conditions;
pub mod health_check;
pub mod ingress;
pub mod listen_ports;
pub mod listener;
pub mod load_balancer;

pub use actions::{AnnotationAction, ForwardTarget, ForwardTo};
pub use backend::{BackendAnnotations, Layered};
pub use error::{AnnotationError, Problem};
pub use ingress::IngressAnnotations;
pub use listen_ports::ListenPort;
pub use listener::{ListenerAnnotations, DEFAULT_SSL_POLICY};
pub use load_balancer::LoadBalancerAnnotations;
pub use values::{Annotations, PREFIX};
pub use words::ProtocolVersion;
