//! Health-check overrides; the builder lays them over the defaults of the target type and traffic policy.

use tgsync_actors::stack::Protocol;

use crate::annotations::{AnnotationError, Annotations, Problem};

/// `TCP`, `HTTP` or `HTTPS`.
pub const PROTOCOL: &str = "aws-load-balancer-healthcheck-protocol";
/// `traffic-port` or a port number.
pub const PORT: &str = "aws-load-balancer-healthcheck-port";
/// The path (HTTP and HTTPS).
pub const PATH: &str = "aws-load-balancer-healthcheck-path";
/// Seconds between checks.
pub const INTERVAL: &str = "aws-load-balancer-healthcheck-interval";
/// Seconds before a check fails.
pub const TIMEOUT: &str = "aws-load-balancer-healthcheck-timeout";
/// Passes before healthy.
pub const HEALTHY: &str = "aws-load-balancer-healthcheck-healthy-threshold";
/// Failures before unhealthy.
pub const UNHEALTHY: &str = "aws-load-balancer-healthcheck-unhealthy-threshold";
/// HTTP codes that count as success (HTTP and HTTPS).
pub const SUCCESS_CODES: &str = "aws-load-balancer-healthcheck-success-codes";

/// The health-check annotations present; `None` keeps the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthCheckAnnotations {
    /// The protocol.
    pub protocol: Option<Protocol>,
    /// `traffic-port` or a number.
    pub port: Option<String>,
    /// The path.
    pub path: Option<String>,
    /// Seconds between checks (5–300).
    pub interval_seconds: Option<u32>,
    /// Seconds before a check fails (2–120).
    pub timeout_seconds: Option<u32>,
    /// Passes before healthy (2–10).
    pub healthy_threshold: Option<u32>,
    /// Failures before unhealthy (2–10).
    pub unhealthy_threshold: Option<u32>,
    /// Success codes, e.g. `200-399`.
    pub success_codes: Option<String>,
}

impl HealthCheckAnnotations {
    /// Reads them from `a`.
    pub fn parse(a: &Annotations<'_>) -> Result<Self, AnnotationError> {
        let int = |suffix, min, max| -> Result<Option<u32>, AnnotationError> {
            Ok(a.int(suffix, min, max)?.map(|v| v as u32))
        };
        Ok(HealthCheckAnnotations {
            protocol: a.parse(PROTOCOL, protocol)?,
            port: a.parse(PORT, port)?,
            path: a.string(PATH),
            interval_seconds: int(INTERVAL, 5, 300)?,
            timeout_seconds: int(TIMEOUT, 2, 120)?,
            healthy_threshold: int(HEALTHY, 2, 10)?,
            unhealthy_threshold: int(UNHEALTHY, 2, 10)?,
            success_codes: a.string(SUCCESS_CODES),
        })
    }
}

/// `TCP`, `HTTP` or `HTTPS`, in any case (the LBC upper-cases it).
fn protocol(raw: &str) -> Result<Protocol, Problem> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "TCP" => Ok(Protocol::Tcp),
        "HTTP" => Ok(Protocol::Http),
        "HTTPS" => Ok(Protocol::Https),
        _ => Err(Problem::Unknown {
            value: raw.trim().to_owned(),
            allowed: "TCP, HTTP, HTTPS",
        }),
    }
}

/// `traffic-port` or a port number.
fn port(raw: &str) -> Result<String, Problem> {
    match raw.trim() {
        "traffic-port" => Ok("traffic-port".into()),
        n => crate::annotations::values::parse_int(n, 1, 65535).map(|p| p.to_string()),
    }
}
