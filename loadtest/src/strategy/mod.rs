//! tgsync's side of a simulation: the real actor pipeline, wired to the ELB model.

mod kube_side;
mod tgsync;

pub use kube_side::KubeModel;
pub use tgsync::Tgsync;
