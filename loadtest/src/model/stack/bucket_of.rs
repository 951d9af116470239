//! Which of AWS's buckets a stack call draws from.

/// A throttle bucket of the account (EC2's are not modelled: its limits are far above ELBv2's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackBucket {
    /// Describe* (shared with DescribeTargetHealth).
    Describe,
    /// Listener, rule, target group and tag changes.
    Mutating,
    /// CreateLoadBalancer and the calls that reshape a load balancer.
    LoadBalancers,
    /// An EC2 call: no ELBv2 bucket.
    Ec2,
}

/// The bucket `action` (an API name) draws from.
pub fn bucket_of(action: &str) -> StackBucket {
    match action {
        "CreateSecurityGroup"
        | "AuthorizeSecurityGroupIngress"
        | "RevokeSecurityGroupIngress"
        | "DeleteSecurityGroup"
        | "CreateTags"
        | "DeleteTags"
        | "DescribeSecurityGroups" => StackBucket::Ec2,
        "CreateLoadBalancer"
        | "DeleteLoadBalancer"
        | "SetSubnets"
        | "SetSecurityGroups"
        | "SetIpAddressType"
        | "ModifyLoadBalancerAttributes" => StackBucket::LoadBalancers,
        a if a.starts_with("Describe") => StackBucket::Describe,
        _ => StackBucket::Mutating,
    }
}
