//! The listener annotations: `listen-ports`, `certificate-arn`, `ssl-policy`, `ssl-redirect`, `inbound-cidrs`.

use tgsync_actors::stack::Protocol;

use super::cidr;
use super::error::AnnotationError;
use super::listen_ports::{self, ListenPort};
use super::values::{self, Annotations};

/// The TLS policy of an HTTPS listener nobody names one for.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// What one Ingress says about the listeners it is served on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListenerAnnotations {
    /// `listen-ports` as given; see [`ListenerAnnotations::ports`] for the default.
    pub listen_ports: Option<Vec<ListenPort>>,
    /// `certificate-arn`; the first is the default certificate.
    pub certificates: Vec<String>,
    /// `ssl-policy`.
    pub ssl_policy: Option<String>,
    /// `ssl-redirect`: the HTTPS port plain HTTP is redirected to.
    pub ssl_redirect: Option<u16>,
    /// `inbound-cidrs`; empty means everyone.
    pub inbound_cidrs: Vec<String>,
}

impl ListenerAnnotations {
    /// Reads them from an Ingress's annotations.
    pub fn parse(a: &Annotations<'_>) -> Result<Self, AnnotationError> {
        let inbound_cidrs = a.list("inbound-cidrs").unwrap_or_default();
        for c in &inbound_cidrs {
            cidr::check(c).map_err(|p| values::error("inbound-cidrs", p))?;
        }
        Ok(Self {
            listen_ports: a.parse("listen-ports", listen_ports::parse)?,
            certificates: a.list("certificate-arn").unwrap_or_default(),
            ssl_policy: a.string("ssl-policy"),
            ssl_redirect: a
                .int("ssl-redirect", 1, 65535)?
                .and_then(|p| u16::try_from(p).ok()),
            inbound_cidrs,
        })
    }

    /// The ports this Ingress listens on: `listen-ports`, else HTTPS:443 when it names a certificate, else
    /// HTTP:80.
    pub fn ports(&self) -> Vec<ListenPort> {
        match &self.listen_ports {
            Some(ports) => ports.clone(),
            None if !self.certificates.is_empty() => vec![ListenPort {
                port: 443,
                protocol: Protocol::Https,
            }],
            None => vec![ListenPort {
                port: 80,
                protocol: Protocol::Http,
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::values::PREFIX;
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<ListenerAnnotations, AnnotationError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
            .collect();
        ListenerAnnotations::parse(&Annotations::new(Some(&map)))
    }

    #[test]
    fn default_ports_follow_the_certificate() {
        let plain = parse(&[]).unwrap();
        assert_eq!(
            plain.ports(),
            [ListenPort {
                port: 80,
                protocol: Protocol::Http
            }]
        );
        let tls = parse(&[("certificate-arn", "arn:a, arn:b")]).unwrap();
        assert_eq!(tls.certificates, ["arn:a", "arn:b"]);
        assert_eq!(
            tls.ports(),
            [ListenPort {
                port: 443,
                protocol: Protocol::Https
            }]
        );
    }

    #[test]
    fn reads_every_field() {
        let l = parse(&[
            ("listen-ports", r#"[{"HTTP":80},{"HTTPS":443}]"#),
            ("ssl-policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ("ssl-redirect", "443"),
            ("inbound-cidrs", "10.0.0.0/8, 2001:db8::/32"),
        ])
        .unwrap();
        assert_eq!(l.ports().len(), 2);
        assert_eq!(
            l.ssl_policy.as_deref(),
            Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
        );
        assert_eq!(l.ssl_redirect, Some(443));
        assert_eq!(l.inbound_cidrs, ["10.0.0.0/8", "2001:db8::/32"]);
    }

    #[test]
    fn refuses_bad_values_naming_the_annotation() {
        let cases = [
            ("listen-ports", r#"[{"HTTP":"80"}]"#),
            ("ssl-redirect", "https"),
            ("ssl-redirect", "0"),
            ("ssl-redirect", "70000"),
            ("inbound-cidrs", "10.0.0.0/8,everyone"),
        ];
        for (suffix, value) in cases {
            let err = parse(&[(suffix, value)]).unwrap_err();
            assert_eq!(err.annotation, format!("{PREFIX}{suffix}"), "{value}");
        }
    }
}
