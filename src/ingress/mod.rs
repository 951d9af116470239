//! Ingress groups as the AWS Load Balancer Controller reads them: annotations, group membership and order,
//! the class check, and the builder that turns a group's members into a `StackModel`. Pure: it builds
//! models and does no IO.

pub mod annotations;
pub mod build;
pub mod class;
pub mod group;
pub mod key;
pub mod params;

pub use group::GroupId;
pub use key::IngressKey;
