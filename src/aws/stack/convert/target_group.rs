//! Target groups and their health checks.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::TargetGroup;
use tgsync_actors::stack::{HealthCheck, LiveTargetGroup, Tags, TargetGroupSpec, TargetKind};

use super::{count, ip_address_type, port, protocol, required, Unmodelled};

/// A target group with its attributes (all AWS reports, defaults included) and tags.
pub(in crate::aws::stack) fn target_group(
    tg: &TargetGroup,
    attributes: BTreeMap<String, String>,
    tags: Tags,
) -> Result<LiveTargetGroup, Unmodelled> {
    let target_kind = match required(tg.target_type(), "target type")?.as_str() {
        "ip" => TargetKind::Ip,
        "instance" => TargetKind::Instance,
        other => return Err(Unmodelled(format!("target type {other}"))),
    };
    let ip_address_type = match tg.ip_address_type() {
        Some(t) => ip_address_type(t.as_str())?,
        None => Default::default(),
    };
    let matcher = tg
        .matcher()
        .and_then(|m| m.http_code().or(m.grpc_code()))
        .map(str::to_owned);
    let health_check = HealthCheck {
        protocol: protocol(
            required(tg.health_check_protocol(), "health check protocol")?.as_str(),
        )?,
        port: required(tg.health_check_port(), "health check port")?.to_owned(),
        path: tg.health_check_path().map(str::to_owned),
        interval_seconds: count(tg.health_check_interval_seconds(), "health check interval")?,
        timeout_seconds: count(tg.health_check_timeout_seconds(), "health check timeout")?,
        healthy_threshold: count(tg.healthy_threshold_count(), "healthy threshold")?,
        unhealthy_threshold: count(tg.unhealthy_threshold_count(), "unhealthy threshold")?,
        matcher,
    };
    Ok(LiveTargetGroup {
        arn: required(tg.target_group_arn(), "target group ARN")?.to_owned(),
        spec: TargetGroupSpec {
            name: required(tg.target_group_name(), "target group name")?.to_owned(),
            target_kind,
            protocol: protocol(required(tg.protocol(), "target group protocol")?.as_str())?,
            protocol_version: tg.protocol_version().map(str::to_owned),
            port: port(tg.port(), "target group port")?,
            ip_address_type,
            health_check,
            attributes,
            tags,
        },
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{Matcher, ProtocolEnum, TargetTypeEnum};
    use tgsync_actors::stack::{IpAddressType, Protocol};

    use super::*;

    fn http_tg() -> aws_sdk_elasticloadbalancingv2::types::builders::TargetGroupBuilder {
        TargetGroup::builder()
            .target_group_arn("arn:tg/web")
            .target_group_name("k8s-web")
            .protocol(ProtocolEnum::Http)
            .protocol_version("HTTP1")
            .port(30080)
            .target_type(TargetTypeEnum::Instance)
            .health_check_protocol(ProtocolEnum::Http)
            .health_check_port("traffic-port")
            .health_check_path("/healthz")
            .health_check_interval_seconds(15)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(2)
            .unhealthy_threshold_count(2)
            .matcher(Matcher::builder().http_code("200-399").build())
    }

    #[test]
    fn a_target_group_and_its_health_check_convert() {
        let live = target_group(&http_tg().build(), BTreeMap::new(), Tags::new()).unwrap();
        assert_eq!(live.arn, "arn:tg/web");
        assert_eq!(live.spec.target_kind, TargetKind::Instance);
        assert_eq!(live.spec.protocol, Protocol::Http);
        assert_eq!(live.spec.protocol_version.as_deref(), Some("HTTP1"));
        assert_eq!(live.spec.port, 30080);
        assert_eq!(live.spec.ip_address_type, IpAddressType::Ipv4);
        assert_eq!(
            live.spec.health_check,
            HealthCheck {
                protocol: Protocol::Http,
                port: "traffic-port".into(),
                path: Some("/healthz".into()),
                interval_seconds: 15,
                timeout_seconds: 5,
                healthy_threshold: 2,
                unhealthy_threshold: 2,
                matcher: Some("200-399".into()),
            }
        );
    }

    #[test]
    fn a_grpc_matcher_is_the_matcher() {
        let grpc = http_tg()
            .protocol_version("GRPC")
            .matcher(Matcher::builder().grpc_code("12").build())
            .build();
        let live = target_group(&grpc, BTreeMap::new(), Tags::new()).unwrap();
        assert_eq!(live.spec.health_check.matcher.as_deref(), Some("12"));
    }

    #[test]
    fn lambda_targets_bad_ports_and_missing_health_checks_are_unmodelled() {
        let lambda = http_tg().target_type(TargetTypeEnum::Lambda).build();
        assert!(target_group(&lambda, BTreeMap::new(), Tags::new()).is_err());
        let port = http_tg().port(70000).build();
        assert!(target_group(&port, BTreeMap::new(), Tags::new()).is_err());
        let no_interval = http_tg().set_health_check_interval_seconds(None).build();
        assert!(target_group(&no_interval, BTreeMap::new(), Tags::new()).is_err());
    }
}
