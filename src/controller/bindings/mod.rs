//! The TargetGroupBinding controller: one `Manager` actor owns every binding's state, runs one target-group
//! actor per binding and writes its conditions, Events and finalizer. Its Kubernetes writes (`KubeWrites`) and
//! ELBv2 lookups (`TgLookup`) are traits, so its unit tests run on fakes.

mod binding;
mod checkpoint;
mod kube_ops;
mod kube_writes;
mod manager;
mod ownership;
mod start;
mod tg_lookup;

pub use checkpoint::CHECKPOINT_ANNOTATION;
pub use kube_ops::KubeOps;
pub use kube_writes::{FinalizerWrite, KubeWrites};
pub use manager::Manager;
pub use ownership::{configmap_name as owned_configmap_name, parse_target, OWNED_KEY};
pub use tg_lookup::TgLookup;
pub use tgsync_actors::tracked::hash_targets;
pub use tgsync_actors::tracked::Tracked;
