//! The health-check annotations of an ALB target group and their defaults: path `/` (gRPC
//! `/AWS.ALB/healthcheck`), port `traffic-port`, the target group's protocol, 15 s, 5 s, 2, 2, codes `200`
//! (gRPC `12`).

use tgsync_actors::stack::{HealthCheck, Protocol};

use super::backend::Layered;
use super::error::{AnnotationError, Problem};
use super::words::{self, ProtocolVersion};

/// Reads the health check of a backend whose target group speaks `protocol` / `version`.
pub fn parse(
    a: &Layered<'_>,
    protocol: Protocol,
    version: ProtocolVersion,
) -> Result<HealthCheck, AnnotationError> {
    let grpc = version == ProtocolVersion::Grpc;
    let int = |suffix: &str, min: i64, max: i64, default: u32| -> Result<u32, AnnotationError> {
        let v = a.pick(suffix).int(suffix, min, max)?;
        // The range check above keeps every value within u32.
        Ok(v.and_then(|v| u32::try_from(v).ok()).unwrap_or(default))
    };
    let path = a.pick("healthcheck-path").string("healthcheck-path");
    let default_path = if grpc { "/AWS.ALB/healthcheck" } else { "/" };
    let matcher = a.pick("success-codes").string("success-codes");
    let default_matcher = if grpc { "12" } else { "200" };
    Ok(HealthCheck {
        protocol: a
            .pick("healthcheck-protocol")
            .parse("healthcheck-protocol", words::http_protocol)?
            .unwrap_or(protocol),
        port: a
            .pick("healthcheck-port")
            .parse("healthcheck-port", port)?
            .unwrap_or_else(|| "traffic-port".to_owned()),
        path: Some(path.unwrap_or_else(|| default_path.to_owned())),
        interval_seconds: int("healthcheck-interval-seconds", 5, 300, 15)?,
        timeout_seconds: int("healthcheck-timeout-seconds", 2, 120, 5)?,
        healthy_threshold: int("healthy-threshold-count", 2, 10, 2)?,
        unhealthy_threshold: int("unhealthy-threshold-count", 2, 10, 2)?,
        matcher: Some(matcher.unwrap_or_else(|| default_matcher.to_owned())),
    })
}

/// `traffic-port` or a port number.
fn port(raw: &str) -> Result<String, Problem> {
    let raw = raw.trim();
    if raw == "traffic-port" {
        return Ok(raw.to_owned());
    }
    match raw.parse::<u16>() {
        Ok(p) if p >= 1 => Ok(p.to_string()),
        _ => Err(Problem::Invalid(format!(
            "{raw:?} is neither traffic-port nor a port number 1-65535"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::values::{Annotations, PREFIX};
    use super::*;

    fn parse_with(
        pairs: &[(&str, &str)],
        version: ProtocolVersion,
    ) -> Result<HealthCheck, AnnotationError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
            .collect();
        let layers = Layered {
            service: Annotations::new(None),
            ingress: Annotations::new(Some(&map)),
        };
        parse(&layers, Protocol::Https, version)
    }

    #[test]
    fn defaults_follow_the_target_group() {
        let hc = parse_with(&[], ProtocolVersion::Http1).unwrap();
        assert_eq!(
            hc,
            HealthCheck {
                protocol: Protocol::Https,
                port: "traffic-port".into(),
                path: Some("/".into()),
                interval_seconds: 15,
                timeout_seconds: 5,
                healthy_threshold: 2,
                unhealthy_threshold: 2,
                matcher: Some("200".into()),
            }
        );
        let grpc = parse_with(&[], ProtocolVersion::Grpc).unwrap();
        assert_eq!(grpc.path.as_deref(), Some("/AWS.ALB/healthcheck"));
        assert_eq!(grpc.matcher.as_deref(), Some("12"));
    }

    #[test]
    fn reads_every_field() {
        let hc = parse_with(
            &[
                ("healthcheck-path", "/healthz"),
                ("healthcheck-port", "8080"),
                ("healthcheck-protocol", "HTTP"),
                ("healthcheck-interval-seconds", "30"),
                ("healthcheck-timeout-seconds", "10"),
                ("healthy-threshold-count", "3"),
                ("unhealthy-threshold-count", "4"),
                ("success-codes", "200-299"),
            ],
            ProtocolVersion::Http1,
        )
        .unwrap();
        assert_eq!(hc.path.as_deref(), Some("/healthz"));
        assert_eq!(hc.port, "8080");
        assert_eq!(hc.protocol, Protocol::Http);
        assert_eq!(
            (
                hc.interval_seconds,
                hc.timeout_seconds,
                hc.healthy_threshold,
                hc.unhealthy_threshold
            ),
            (30, 10, 3, 4)
        );
        assert_eq!(hc.matcher.as_deref(), Some("200-299"));
    }

    #[test]
    fn refuses_bad_values_naming_the_annotation() {
        let cases = [
            ("healthcheck-port", "http"),
            ("healthcheck-port", "0"),
            ("healthcheck-protocol", "TCP"),
            ("healthcheck-interval-seconds", "1"),
            ("healthcheck-interval-seconds", "ten"),
            ("healthcheck-timeout-seconds", "500"),
            ("healthy-threshold-count", "11"),
            ("unhealthy-threshold-count", "-2"),
        ];
        for (suffix, value) in cases {
            let err = parse_with(&[(suffix, value)], ProtocolVersion::Http1).unwrap_err();
            assert_eq!(err.annotation, format!("{PREFIX}{suffix}"), "{value}");
        }
    }
}
