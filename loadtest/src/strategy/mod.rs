//! tgsync's side of a simulation: the real actor pipeline, wired to the ELB model.

mod tgsync;

pub use tgsync::Tgsync;
