use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{IpAddressType, TargetGroupBindingSpec, TargetType};

/// Why a binding cannot be served; each becomes a `Ready=False` condition (the reason) and a Warning Event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// Neither `targetGroupARN` nor `targetGroupName`.
    #[error("spec.targetGroupARN or spec.targetGroupName must be set")]
    NoTargetGroup,
    /// `targetGroupARN` is not an ELBv2 target group ARN.
    #[error("spec.targetGroupARN {0:?} is not an ELBv2 target group ARN")]
    BadArn(String),
    /// `nodeSelector` only means something for instance targets.
    #[error("spec.nodeSelector is only allowed with targetType instance")]
    NodeSelectorWithIp,
    /// `serviceRef.name` is empty.
    #[error("spec.serviceRef.name must not be empty")]
    NoServiceName,
    /// `serviceRef.port` is not a port.
    #[error("spec.serviceRef.port {0} is not a port number (1-65535) or name")]
    BadPort(String),
    /// `targetType` is required (the CRD leaves it optional for compatibility; tgsync cannot guess).
    #[error("spec.targetType must be set to ip or instance")]
    NoTargetType,
    /// An immutable field changed after creation.
    #[error("spec.{field} is immutable (was {was}, now {now})")]
    Immutable {
        /// The field's name under spec.
        field: &'static str,
        /// Its first value.
        was: String,
        /// Its new value.
        now: String,
    },
    /// The Service does not exist.
    #[error("service {0} not found")]
    ServiceNotFound(String),
    /// The Service has no such port.
    #[error("service {service} has no port {port}")]
    ServicePortNotFound {
        /// `namespace/name`.
        service: String,
        /// The port asked for.
        port: String,
    },
    /// Instance mode needs a nodePort.
    #[error("service {0} port has no nodePort (instance targets need a NodePort or LoadBalancer Service)")]
    NoNodePort(String),
    /// The target group does not exist.
    #[error("target group not found: {0}")]
    TargetGroupNotFound(String),
    /// Another binding already serves this target group (and not both are multi-cluster).
    #[error("target group {tg} is already bound by {by}; set multiClusterTargetGroup on both to share it")]
    TargetGroupInUse {
        /// The target group's ARN or name as the spec gives it.
        tg: String,
        /// `namespace/name` of the binding that serves it.
        by: String,
    },
}

impl BindingError {
    /// The CamelCase reason for conditions and Events.
    pub fn reason(&self) -> &'static str {
        match self {
            BindingError::NoTargetGroup => "NoTargetGroup",
            BindingError::BadArn(_) => "InvalidTargetGroupARN",
            BindingError::NodeSelectorWithIp => "NodeSelectorWithIpTargets",
            BindingError::NoServiceName => "NoServiceName",
            BindingError::BadPort(_) => "InvalidServicePort",
            BindingError::NoTargetType => "NoTargetType",
            BindingError::Immutable { .. } => "ImmutableFieldChanged",
            BindingError::ServiceNotFound(_) => "ServiceNotFound",
            BindingError::ServicePortNotFound { .. } => "ServicePortNotFound",
            BindingError::NoNodePort(_) => "NoNodePort",
            BindingError::TargetGroupNotFound(_) => "TargetGroupNotFound",
            BindingError::TargetGroupInUse { .. } => "TargetGroupInUse",
        }
    }
}

/// Checks a spec on its own (no API calls): the first problem found.
pub fn validate(spec: &TargetGroupBindingSpec) -> Result<(), BindingError> {
    match (&spec.target_group_arn, &spec.target_group_name) {
        (Some(arn), _) if !arn.is_empty() => {
            if !is_target_group_arn(arn) {
                return Err(BindingError::BadArn(arn.clone()));
            }
        }
        (_, Some(name)) if !name.is_empty() => {}
        _ => return Err(BindingError::NoTargetGroup),
    }
    let Some(target_type) = spec.target_type else {
        return Err(BindingError::NoTargetType);
    };
    if target_type == TargetType::Ip && spec.node_selector.is_some() {
        return Err(BindingError::NodeSelectorWithIp);
    }
    if spec.service_ref.name.is_empty() {
        return Err(BindingError::NoServiceName);
    }
    match &spec.service_ref.port {
        IntOrString::Int(p) if !(1..=65535).contains(p) => {
            Err(BindingError::BadPort(p.to_string()))
        }
        IntOrString::String(s) if s.is_empty() => Err(BindingError::BadPort(format!("{s:?}"))),
        _ => Ok(()),
    }
}

/// Checks that no immutable field changed between the spec first accepted (`was`) and `now`:
/// the target group, the target type and the IP address type.
pub fn check_immutable(
    was: &TargetGroupBindingSpec,
    now: &TargetGroupBindingSpec,
) -> Result<(), BindingError> {
    fn changed<T: PartialEq + std::fmt::Debug>(
        field: &'static str,
        a: &T,
        b: &T,
    ) -> Result<(), BindingError> {
        if a == b {
            return Ok(());
        }
        Err(BindingError::Immutable {
            field,
            was: format!("{a:?}"),
            now: format!("{b:?}"),
        })
    }
    changed(
        "targetGroupARN",
        &was.target_group_arn,
        &now.target_group_arn,
    )?;
    changed(
        "targetGroupName",
        &was.target_group_name,
        &now.target_group_name,
    )?;
    changed("targetType", &was.target_type, &now.target_type)?;
    let family = |s: &TargetGroupBindingSpec| s.ip_address_type.unwrap_or(IpAddressType::Ipv4);
    changed("ipAddressType", &family(was), &family(now))
}

/// `arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`.
fn is_target_group_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "elasticloadbalancing"
        && parts[5].starts_with("targetgroup/")
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    use super::*;
    use crate::crd::ServiceReference;

    const ARN: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

    fn spec() -> TargetGroupBindingSpec {
        TargetGroupBindingSpec {
            target_group_arn: Some(ARN.into()),
            target_group_name: None,
            target_type: Some(TargetType::Ip),
            service_ref: ServiceReference {
                name: "web".into(),
                port: IntOrString::Int(80),
            },
            networking: None,
            node_selector: None,
            ip_address_type: None,
            vpc_id: None,
            multi_cluster_target_group: None,
            target_group_protocol: None,
        }
    }

    #[test]
    fn a_plain_ip_binding_is_valid() {
        assert_eq!(validate(&spec()), Ok(()));
        let mut s = spec();
        s.target_group_arn = None;
        s.target_group_name = Some("web".into());
        s.service_ref.port = IntOrString::String("http".into());
        assert_eq!(validate(&s), Ok(()));
    }

    #[test]
    fn needs_an_arn_or_a_name() {
        let mut s = spec();
        s.target_group_arn = None;
        assert_eq!(validate(&s), Err(BindingError::NoTargetGroup));
        s.target_group_arn = Some(String::new());
        s.target_group_name = Some(String::new());
        assert_eq!(validate(&s), Err(BindingError::NoTargetGroup));
    }

    #[test]
    fn rejects_an_arn_that_is_not_a_target_group() {
        let mut s = spec();
        s.target_group_arn =
            Some("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1".into());
        assert!(matches!(validate(&s), Err(BindingError::BadArn(_))));
    }

    #[test]
    fn node_selector_only_with_instance_targets() {
        let mut s = spec();
        s.node_selector = Some(LabelSelector::default());
        assert_eq!(validate(&s), Err(BindingError::NodeSelectorWithIp));
        s.target_type = Some(TargetType::Instance);
        assert_eq!(validate(&s), Ok(()));
    }

    #[test]
    fn rejects_bad_ports_and_missing_fields() {
        let mut s = spec();
        s.service_ref.port = IntOrString::Int(0);
        assert!(matches!(validate(&s), Err(BindingError::BadPort(_))));
        s.service_ref.port = IntOrString::Int(70000);
        assert!(matches!(validate(&s), Err(BindingError::BadPort(_))));
        let mut s = spec();
        s.service_ref.name.clear();
        assert_eq!(validate(&s), Err(BindingError::NoServiceName));
        let mut s = spec();
        s.target_type = None;
        assert_eq!(validate(&s), Err(BindingError::NoTargetType));
    }

    #[test]
    fn immutable_fields_cannot_change() {
        let was = spec();
        let mut now = spec();
        now.service_ref.port = IntOrString::Int(8080);
        assert_eq!(check_immutable(&was, &now), Ok(()));
        now.target_type = Some(TargetType::Instance);
        let err = check_immutable(&was, &now).unwrap_err();
        assert_eq!(err.reason(), "ImmutableFieldChanged");
        let mut now = spec();
        now.target_group_arn = Some(format!("{ARN}0"));
        assert!(check_immutable(&was, &now).is_err());
        let mut now = spec();
        now.ip_address_type = Some(IpAddressType::Ipv4);
        assert_eq!(check_immutable(&was, &now), Ok(()));
        now.ip_address_type = Some(IpAddressType::Ipv6);
        assert!(check_immutable(&was, &now).is_err());
    }
}
