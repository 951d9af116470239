//! The target-group annotations, read per backend: `target-type`, `backend-protocol`,
//! `backend-protocol-version`, `target-group-attributes` and the health-check set. The Service's annotation
//! wins over the Ingress's, whole value for whole value.

use std::collections::BTreeMap;

use tgsync_actors::stack::{HealthCheck, Protocol, TargetKind};

use super::error::AnnotationError;
use super::health_check;
use super::values::Annotations;
use super::words::{self, ProtocolVersion};

/// A Service's annotations over its Ingress's: for each key, the Service's if it has one.
#[derive(Clone, Copy, Debug)]
pub struct Layered<'a> {
    /// The backend Service's annotations.
    pub service: Annotations<'a>,
    /// The Ingress's.
    pub ingress: Annotations<'a>,
}

impl<'a> Layered<'a> {
    /// The layer that holds `suffix` (the Ingress when neither does).
    pub fn pick(&self, suffix: &str) -> Annotations<'a> {
        if self.service.raw(suffix).is_some() {
            self.service
        } else {
            self.ingress
        }
    }
}

/// Everything a backend's target group takes from annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendAnnotations {
    /// `target-type` (default `instance`).
    pub target_type: TargetKind,
    /// `backend-protocol` (default `HTTP`).
    pub protocol: Protocol,
    /// `backend-protocol-version` (default `HTTP1`).
    pub protocol_version: ProtocolVersion,
    /// The health check, defaults filled in.
    pub health_check: HealthCheck,
    /// `target-group-attributes`.
    pub attributes: BTreeMap<String, String>,
    /// `tags`: the Ingress's, with the Service's over them key by key.
    pub tags: BTreeMap<String, String>,
}

impl BackendAnnotations {
    /// Reads them, the Service's over the Ingress's.
    pub fn parse(a: &Layered<'_>) -> Result<Self, AnnotationError> {
        let target_type = a
            .pick("target-type")
            .parse("target-type", words::target_type)?
            .unwrap_or(TargetKind::Instance);
        let protocol = a
            .pick("backend-protocol")
            .parse("backend-protocol", words::http_protocol)?
            .unwrap_or(Protocol::Http);
        let protocol_version = a
            .pick("backend-protocol-version")
            .parse("backend-protocol-version", words::protocol_version)?
            .unwrap_or_default();
        Ok(Self {
            target_type,
            protocol,
            protocol_version,
            health_check: health_check::parse(a, protocol, protocol_version)?,
            attributes: a
                .pick("target-group-attributes")
                .map("target-group-attributes")?
                .unwrap_or_default(),
            tags: {
                let mut tags = a.ingress.map("tags")?.unwrap_or_default();
                tags.extend(a.service.map("tags")?.unwrap_or_default());
                tags
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::values::PREFIX;
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
            .collect()
    }

    fn parse(
        svc: &[(&str, &str)],
        ing: &[(&str, &str)],
    ) -> Result<BackendAnnotations, AnnotationError> {
        let (svc, ing) = (map(svc), map(ing));
        BackendAnnotations::parse(&Layered {
            service: Annotations::new(Some(&svc)),
            ingress: Annotations::new(Some(&ing)),
        })
    }

    #[test]
    fn defaults() {
        let b = parse(&[], &[]).unwrap();
        assert_eq!(b.target_type, TargetKind::Instance);
        assert_eq!(b.protocol, Protocol::Http);
        assert_eq!(b.protocol_version, ProtocolVersion::Http1);
        assert!(b.attributes.is_empty());
    }

    #[test]
    fn the_service_wins_whole_values() {
        let b = parse(
            &[("target-type", "ip"), ("target-group-attributes", "a=1")],
            &[
                ("target-type", "instance"),
                ("backend-protocol", "HTTPS"),
                ("target-group-attributes", "b=2"),
            ],
        )
        .unwrap();
        assert_eq!(b.target_type, TargetKind::Ip);
        assert_eq!(b.protocol, Protocol::Https);
        assert_eq!(b.attributes, map_of(&[("a", "1")]));
    }

    fn map_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn refuses_bad_values_naming_the_annotation() {
        let cases = [
            ("target-type", "pod"),
            ("backend-protocol", "TCP"),
            ("backend-protocol-version", "HTTP3"),
            ("target-group-attributes", "stickiness.enabled"),
        ];
        for (suffix, value) in cases {
            let err = parse(&[], &[(suffix, value)]).unwrap_err();
            assert_eq!(err.annotation, format!("{PREFIX}{suffix}"), "{value}");
            let err = parse(&[(suffix, value)], &[]).unwrap_err();
            assert_eq!(err.annotation, format!("{PREFIX}{suffix}"), "{value}");
        }
    }
}
