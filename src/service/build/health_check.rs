//! A target group's health check: the NLB defaults under the annotations' overrides.

use tgsync_actors::stack::{HealthCheck, Protocol, TargetKind};

use crate::service::annotations::HealthCheckAnnotations;

/// The NLB health check (spec B2): TCP on the traffic port, 10 s, 10 s, 3, 3; with instance targets and
/// `externalTrafficPolicy: Local` (`local_node_port` is then the `healthCheckNodePort`), HTTP `/healthz` on the `healthCheckNodePort`, 10 s, 6 s, 2, 2 (only
/// nodes with a ready endpoint answer). Annotations override each field; path and success codes apply to
/// HTTP and HTTPS checks only.
pub fn health_check(
    target_type: TargetKind,
    local_node_port: Option<i32>,
    a: &HealthCheckAnnotations,
) -> HealthCheck {
    let local = target_type == TargetKind::Instance && local_node_port.is_some();
    let (protocol, hc_port, path, timeout, threshold) = match local_node_port {
        Some(n) if local => (Protocol::Http, n.to_string(), "/healthz", 6, 2),
        _ => (Protocol::Tcp, "traffic-port".to_owned(), "/", 10, 3),
    };
    let protocol = a.protocol.unwrap_or(protocol);
    let http = matches!(protocol, Protocol::Http | Protocol::Https);
    HealthCheck {
        protocol,
        port: a.port.clone().unwrap_or(hc_port),
        path: http.then(|| a.path.clone().unwrap_or_else(|| path.to_owned())),
        interval_seconds: a.interval_seconds.unwrap_or(10),
        timeout_seconds: a.timeout_seconds.unwrap_or(timeout),
        healthy_threshold: a.healthy_threshold.unwrap_or(threshold),
        unhealthy_threshold: a.unhealthy_threshold.unwrap_or(threshold),
        matcher: http.then(|| {
            a.success_codes
                .clone()
                .unwrap_or_else(|| "200-399".to_owned())
        }),
    }
}
