//! Subnet discovery for a load balancer whose subnets the user did not name, as the AWS Load Balancer
//! Controller does it: subnets tagged for the scheme's role, one per zone.

mod discover;
mod select;

pub use discover::discover_subnets;
pub use select::{select_subnets, CandidateSubnet, SubnetError, MIN_FREE_IPS};

/// Tag of subnets for internet-facing load balancers.
pub const PUBLIC_ROLE_TAG: &str = "kubernetes.io/role/elb";
/// Tag of subnets for internal load balancers.
pub const INTERNAL_ROLE_TAG: &str = "kubernetes.io/role/internal-elb";
/// Prefix of the tag naming a cluster that uses a subnet (`kubernetes.io/cluster/<name>`).
pub const CLUSTER_TAG_PREFIX: &str = "kubernetes.io/cluster/";
