use std::net::IpAddr;

use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthStateEnum};
use tgsync_actors::domain::{Target, TargetId};
use tgsync_actors::elb::HealthState;

/// A target as RegisterTargets/DeregisterTargets take it (the zone is left to ELB: pod IPs are in the VPC).
pub fn to_description(t: &Target) -> TargetDescription {
    let id = match t.id {
        TargetId::Ip(ip) => ip.to_string(),
        TargetId::Instance(i) => i.to_string(),
    };
    TargetDescription::builder()
        .id(id)
        .port(i32::from(t.port))
        .build()
}

/// A target from a description ELB returned; `None` when its id or port makes no sense to us.
pub fn target_from_description(d: &TargetDescription) -> Option<Target> {
    let id = d.id()?;
    let port = u16::try_from(d.port()?).ok()?;
    if id.starts_with("i-") {
        return id.parse().ok().map(|i| Target::instance(i, port));
    }
    id.parse::<IpAddr>().ok().map(|ip| Target::ip(ip, port))
}

/// ELB's health state in the actors' terms (unknown states count as unavailable).
pub fn health_state(s: Option<&TargetHealthStateEnum>) -> HealthState {
    match s {
        Some(TargetHealthStateEnum::Initial) => HealthState::Initial,
        Some(TargetHealthStateEnum::Healthy) => HealthState::Healthy,
        Some(TargetHealthStateEnum::Unhealthy) | Some(TargetHealthStateEnum::UnhealthyDraining) => {
            HealthState::Unhealthy
        }
        Some(TargetHealthStateEnum::Unused) => HealthState::Unused,
        Some(TargetHealthStateEnum::Draining) => HealthState::Draining,
        _ => HealthState::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_ip_and_instance_targets() {
        let ip = Target::ip("10.244.1.7".parse().unwrap(), 8080);
        let inst = Target::instance("i-0123456789abcdef0".parse().unwrap(), 30080);
        for t in [ip, inst] {
            assert_eq!(target_from_description(&to_description(&t)), Some(t));
        }
    }

    #[test]
    fn ignores_descriptions_it_cannot_read() {
        let d = TargetDescription::builder()
            .id("arn:aws:lambda:x")
            .port(1)
            .build();
        assert_eq!(target_from_description(&d), None);
        let d = TargetDescription::builder().id("10.0.0.1").build();
        assert_eq!(target_from_description(&d), None);
    }

    #[test]
    fn maps_health_states() {
        assert_eq!(
            health_state(Some(&TargetHealthStateEnum::Healthy)),
            HealthState::Healthy
        );
        assert_eq!(
            health_state(Some(&TargetHealthStateEnum::Draining)),
            HealthState::Draining
        );
        assert_eq!(health_state(None), HealthState::Unavailable);
    }
}
