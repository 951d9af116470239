//! A small JSON reader for decoders that know the few fields they keep: values are read in place from the
//! bytes of a watch line, strings borrowed unless escaped, and everything else skipped, checked as JSON but
//! never built. It exists for the EndpointSlice watch, the hot path: on the same events, serde_json through
//! serde's visitors took about 1.6× as long, and neither sonic-rs nor simd-json did better (bench (c)).

mod error;
mod number;
mod reader;
mod string;

pub use error::DecodeError;
pub(crate) use reader::{Reader, Result};
