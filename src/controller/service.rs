use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// One Service port, reduced to what bindings need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePortInfo {
    /// The port's name (`None` when unnamed).
    pub name: Option<String>,
    /// The Service port number.
    pub port: i32,
    /// The nodePort, for NodePort and LoadBalancer Services.
    pub node_port: Option<u16>,
}

/// A Service's ports.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServiceInfo {
    /// Its ports.
    pub ports: Vec<ServicePortInfo>,
}

impl ServiceInfo {
    /// The slim view of a Service.
    pub fn from_service(svc: &Service) -> Self {
        let ports = svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .into_iter()
            .flatten()
            .map(|p| ServicePortInfo {
                name: p.name.clone().filter(|n| !n.is_empty()),
                port: p.port,
                node_port: p.node_port.and_then(|n| u16::try_from(n).ok()),
            })
            .collect();
        ServiceInfo { ports }
    }

    /// The port a binding's `serviceRef.port` names: by number, or by name.
    pub fn port(&self, wanted: &IntOrString) -> Option<&ServicePortInfo> {
        self.ports.iter().find(|p| match wanted {
            IntOrString::Int(n) => p.port == *n,
            IntOrString::String(s) => p.name.as_deref() == Some(s.as_str()),
        })
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};

    use super::*;

    #[test]
    fn finds_ports_by_number_or_name() {
        let svc = Service {
            spec: Some(ServiceSpec {
                ports: Some(vec![
                    ServicePort {
                        name: Some("http".into()),
                        port: 80,
                        node_port: Some(30080),
                        ..Default::default()
                    },
                    ServicePort {
                        name: Some("admin".into()),
                        port: 9000,
                        ..Default::default()
                    },
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let info = ServiceInfo::from_service(&svc);
        assert_eq!(
            info.port(&IntOrString::Int(80)).unwrap().node_port,
            Some(30080)
        );
        assert_eq!(
            info.port(&IntOrString::String("admin".into()))
                .unwrap()
                .port,
            9000
        );
        assert!(info.port(&IntOrString::Int(81)).is_none());
        assert!(info.port(&IntOrString::String("grpc".into())).is_none());
    }
}
