//! The cluster's network as the bed seeds it in moto (env file): cluster name, VPC, tagged subnets.

use super::bed::required_env;

/// The cluster name the seed tagged the subnets with (`TGSYNC_CLUSTER_NAME`).
pub fn cluster_name() -> String {
    required_env("TGSYNC_CLUSTER_NAME")
}

/// The cluster's VPC, moto's default one (`TGSYNC_AWS_VPC_ID`).
pub fn vpc_id() -> String {
    required_env("TGSYNC_AWS_VPC_ID")
}

/// The subnets tagged `kubernetes.io/role/elb=1`, one per zone, sorted.
pub fn public_subnets() -> Vec<String> {
    subnet_list("TGSYNC_TESTBED_PUBLIC_SUBNETS")
}

/// The subnets tagged `kubernetes.io/role/internal-elb=1`, one per zone, sorted.
pub fn internal_subnets() -> Vec<String> {
    subnet_list("TGSYNC_TESTBED_INTERNAL_SUBNETS")
}

fn subnet_list(var: &str) -> Vec<String> {
    let mut ids: Vec<String> = required_env(var).split(',').map(str::to_owned).collect();
    ids.sort();
    ids
}
