//! The one-word annotations: `scheme`, `ip-address-type`, `target-type`, `backend-protocol` and its version.

use tgsync_actors::stack::{IpAddressType, Protocol, Scheme, TargetKind};

use super::error::Problem;

/// `scheme`: `internal` or `internet-facing`.
pub fn scheme(raw: &str) -> Result<Scheme, Problem> {
    match raw.trim() {
        "internal" => Ok(Scheme::Internal),
        "internet-facing" => Ok(Scheme::InternetFacing),
        other => Err(unknown(other, "internal, internet-facing")),
    }
}

/// `ip-address-type`: `ipv4` or `dualstack`.
pub fn ip_address_type(raw: &str) -> Result<IpAddressType, Problem> {
    match raw.trim() {
        "ipv4" => Ok(IpAddressType::Ipv4),
        "dualstack" => Ok(IpAddressType::Dualstack),
        "dualstack-without-public-ipv4" => Err(Problem::Unsupported(
            "ip-address-type dualstack-without-public-ipv4".into(),
        )),
        other => Err(unknown(other, "ipv4, dualstack")),
    }
}

/// `target-type`: `instance` or `ip`.
pub fn target_type(raw: &str) -> Result<TargetKind, Problem> {
    match raw.trim() {
        "instance" => Ok(TargetKind::Instance),
        "ip" => Ok(TargetKind::Ip),
        other => Err(unknown(other, "instance, ip")),
    }
}

/// `backend-protocol` (and `healthcheck-protocol`): `HTTP` or `HTTPS`.
pub fn http_protocol(raw: &str) -> Result<Protocol, Problem> {
    match raw.trim() {
        "HTTP" => Ok(Protocol::Http),
        "HTTPS" => Ok(Protocol::Https),
        other => Err(unknown(other, "HTTP, HTTPS")),
    }
}

/// `backend-protocol-version`: `HTTP1`, `HTTP2` or `GRPC`.
pub fn protocol_version(raw: &str) -> Result<ProtocolVersion, Problem> {
    match raw.trim() {
        "HTTP1" => Ok(ProtocolVersion::Http1),
        "HTTP2" => Ok(ProtocolVersion::Http2),
        "GRPC" => Ok(ProtocolVersion::Grpc),
        other => Err(unknown(other, "HTTP1, HTTP2, GRPC")),
    }
}

/// An ALB target group's protocol version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProtocolVersion {
    /// HTTP/1.1 (the default).
    #[default]
    Http1,
    /// HTTP/2.
    Http2,
    /// gRPC.
    Grpc,
}

impl ProtocolVersion {
    /// The name ELBv2 uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::Http1 => "HTTP1",
            ProtocolVersion::Http2 => "HTTP2",
            ProtocolVersion::Grpc => "GRPC",
        }
    }
}

fn unknown(value: &str, allowed: &'static str) -> Problem {
    Problem::Unknown {
        value: value.to_owned(),
        allowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_parse() {
        assert_eq!(scheme("internet-facing"), Ok(Scheme::InternetFacing));
        assert_eq!(scheme("internal"), Ok(Scheme::Internal));
        assert_eq!(ip_address_type("dualstack"), Ok(IpAddressType::Dualstack));
        assert_eq!(target_type("ip"), Ok(TargetKind::Ip));
        assert_eq!(http_protocol("HTTPS"), Ok(Protocol::Https));
        assert_eq!(protocol_version("GRPC"), Ok(ProtocolVersion::Grpc));
    }

    #[test]
    fn other_words_are_refused() {
        assert!(scheme("public").is_err());
        assert!(scheme("Internal").is_err());
        assert!(ip_address_type("ipv6").is_err());
        assert!(matches!(
            ip_address_type("dualstack-without-public-ipv4"),
            Err(Problem::Unsupported(_))
        ));
        assert!(target_type("pod").is_err());
        assert!(http_protocol("http").is_err());
        assert!(http_protocol("TCP").is_err());
        assert!(protocol_version("HTTP3").is_err());
    }
}
