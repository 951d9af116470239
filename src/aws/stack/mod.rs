//! The stack reader: finds what a cluster's stack (an Ingress group or an NLB Service) holds in AWS by its
//! ownership tags, as the AWS Load Balancer Controller does, and hands it over as the actors' `Deployed`.
//! Subnet discovery lives here too. Every ELBv2 and EC2 call waits for a Describe permit of the account's
//! API budget (`Permits`), and errors come back classified (`ReadError`).

pub mod apply;
mod convert;
mod error;
mod listeners;
mod names;
mod owned;
mod permits;
mod reader;
mod security_group;
mod subnets;
mod tags;

pub use error::ReadError;
pub use permits::{BudgetPermits, Permits};
pub use reader::StackReader;
pub use subnets::{
    discover_subnets, select_subnets, CandidateSubnet, SubnetError, CLUSTER_TAG_PREFIX,
    INTERNAL_ROLE_TAG, MIN_FREE_IPS, PUBLIC_ROLE_TAG,
};
