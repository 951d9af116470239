//! A small JSON reader for decoders that know the few fields they keep: values are read in place from the
//! bytes of a watch line, strings borrowed unless escaped, and everything else skipped, checked as JSON but
//! never built. serde_json's `IgnoredAny` still tokenizes what it skips, which made the slim decode cost
//! nearly as much as a full one; see bench (c).

mod error;
mod number;
mod reader;
mod string;

pub use error::DecodeError;
pub(crate) use reader::{Reader, Result};
