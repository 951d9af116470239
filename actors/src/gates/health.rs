//! What a DescribeTargetHealth answer tells the readiness gates: which pod IPs ELB calls healthy.

use std::collections::HashSet;
use std::net::IpAddr;

use crate::domain::TargetId;
use crate::elb::{HealthState, TargetHealth};

/// The IPs of the targets that `rows` (one DescribeTargetHealth answer) call healthy: the waiting pods among
/// them may have their gate set. Instance targets are left out: gates hold pods of ip-mode bindings only.
pub fn healthy_ips(rows: &[TargetHealth]) -> HashSet<IpAddr> {
    rows.iter()
        .filter(|h| h.state == HealthState::Healthy)
        .filter_map(|h| match h.target.id {
            TargetId::Ip(ip) => Some(ip),
            TargetId::Instance(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{InstanceId, Target};

    fn row(target: Target, state: HealthState) -> TargetHealth {
        TargetHealth { target, state }
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn only_healthy_ip_targets_count() {
        let instance: InstanceId = "i-0123456789abcdef0".parse().unwrap();
        let rows = [
            row(Target::ip(ip(1), 80), HealthState::Healthy),
            row(Target::ip(ip(2), 80), HealthState::Initial),
            row(Target::ip(ip(3), 80), HealthState::Unhealthy),
            row(Target::ip(ip(4), 80), HealthState::Draining),
            row(Target::ip(ip(5), 80), HealthState::Unused),
            row(Target::ip(ip(6), 80), HealthState::Unavailable),
            row(Target::instance(instance, 30080), HealthState::Healthy),
            row(
                Target::ip("fd00::7".parse().unwrap(), 80),
                HealthState::Healthy,
            ),
        ];
        let want: HashSet<IpAddr> = [ip(1), "fd00::7".parse().unwrap()].into();
        assert_eq!(healthy_ips(&rows), want);
    }

    #[test]
    fn an_ip_healthy_on_one_port_is_healthy() {
        // The same pod on two ports: one healthy row is enough for its gate.
        let rows = [
            row(Target::ip(ip(1), 80), HealthState::Initial),
            row(Target::ip(ip(1), 8080), HealthState::Healthy),
        ];
        assert_eq!(healthy_ips(&rows), HashSet::from([ip(1)]));
    }

    #[test]
    fn an_empty_answer_calls_nothing_healthy() {
        assert!(healthy_ips(&[]).is_empty());
    }
}
