//! Annotation value formats Ingresses and Services share (`stringList`, `stringMap`, Go bool and int, JSON,
//! CIDRs, the one-word values) and the error that names a refused annotation. The Ingress and Service
//! readers build on these; each reads its own prefix.

pub(crate) mod cidr;
pub mod error;
pub(crate) mod json;
pub mod values;
pub mod words;

pub use error::{AnnotationError, Problem};
pub use values::{Annotations, PREFIX, SERVICE_PREFIX};
