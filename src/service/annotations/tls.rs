//! TLS: certificates turn TCP listeners (all, or those `-ssl-ports` names) into TLS listeners with a
//! policy; an `ssl` backend protocol makes their target groups TLS too.

use crate::annotations::{AnnotationError, Annotations, Problem};

/// Certificate ARNs, the first the default.
pub const SSL_CERT: &str = "aws-load-balancer-ssl-cert";
/// Ports (numbers or names) that get TLS; absent means every TCP port.
pub const SSL_PORTS: &str = "aws-load-balancer-ssl-ports";
/// The TLS listeners' security policy.
pub const SSL_NEGOTIATION_POLICY: &str = "aws-load-balancer-ssl-negotiation-policy";
/// `ssl` or `tcp` (the default): what the target groups of TLS listeners speak.
pub const BACKEND_PROTOCOL: &str = "aws-load-balancer-backend-protocol";

/// The LBC's default policy for TLS listeners.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// What the annotations ask of TLS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsAnnotations {
    /// Certificate ARNs, the default first; none means no TLS listener.
    pub certificates: Vec<String>,
    /// Ports that get TLS (numbers or names); `None` means every TCP port.
    pub ports: Option<Vec<String>>,
    /// The policy, when set.
    pub policy: Option<String>,
    /// Whether TLS listeners' target groups speak TLS (`ssl`).
    pub backend_tls: bool,
}

impl TlsAnnotations {
    /// Reads them from `a`.
    pub fn parse(a: &Annotations<'_>) -> Result<Self, AnnotationError> {
        let backend_tls = a
            .parse(BACKEND_PROTOCOL, |raw| match raw.trim() {
                "ssl" => Ok(true),
                "tcp" => Ok(false),
                other => Err(Problem::Unknown {
                    value: other.to_owned(),
                    allowed: "ssl, tcp",
                }),
            })?
            .unwrap_or(false);
        let ports = a.list(SSL_PORTS);
        if let Some(ports) = &ports {
            for p in ports {
                // A number must be a port; anything else is a port's name.
                if p.starts_with(|c: char| c.is_ascii_digit()) {
                    crate::annotations::values::parse_int(p, 1, 65535)
                        .map_err(|problem| a.error_for(SSL_PORTS, problem))?;
                }
            }
        }
        Ok(TlsAnnotations {
            certificates: a.list(SSL_CERT).unwrap_or_default(),
            ports,
            policy: a.string(SSL_NEGOTIATION_POLICY),
            backend_tls,
        })
    }

    /// Whether the TCP listener of Service port `port` (named `name`) gets TLS.
    pub fn applies_to(&self, port: u16, name: Option<&str>) -> bool {
        if self.certificates.is_empty() {
            return false;
        }
        match &self.ports {
            None => true,
            Some(ports) => ports
                .iter()
                .any(|p| p == "*" || *p == port.to_string() || Some(p.as_str()) == name),
        }
    }
}
