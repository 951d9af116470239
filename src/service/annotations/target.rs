//! The target side: target type (from `aws-load-balancer-type` and `-nlb-target-type`), target-group
//! attributes, proxy protocol and, in instance mode, the node labels targets must carry.

use std::collections::BTreeMap;

use tgsync_actors::stack::TargetKind;

use crate::annotations::{words, AnnotationError, Annotations, Problem};
use crate::service::selection::{TARGET_TYPE, TYPE};

/// Target-group attributes, a `stringMap`.
pub const TARGET_GROUP_ATTRIBUTES: &str = "aws-load-balancer-target-group-attributes";
/// `*` turns proxy protocol v2 on for every target group.
pub const PROXY_PROTOCOL: &str = "aws-load-balancer-proxy-protocol";
/// Node labels of instance targets, a `stringMap`.
pub const TARGET_NODE_LABELS: &str = "aws-load-balancer-target-node-labels";
/// The target-group attribute proxy protocol sets.
pub const PROXY_PROTOCOL_V2: &str = "proxy_protocol_v2.enabled";

/// What the annotations ask of the target groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetAnnotations {
    /// ip or instance (the default).
    pub target_type: TargetKind,
    /// Target-group attributes, `proxy_protocol_v2.enabled` always among them (`true` when proxy protocol
    /// is on, else `false` unless the attributes annotation says otherwise).
    pub attributes: BTreeMap<String, String>,
    /// Whether proxy protocol v2 is on.
    pub proxy_protocol: bool,
    /// Labels the nodes of an instance-mode binding must carry.
    pub node_labels: BTreeMap<String, String>,
}

impl Default for TargetAnnotations {
    fn default() -> Self {
        TargetAnnotations {
            target_type: TargetKind::Instance,
            attributes: BTreeMap::new(),
            proxy_protocol: false,
            node_labels: BTreeMap::new(),
        }
    }
}

impl TargetAnnotations {
    /// Reads them from `a`; `service_type` is `spec.type` (instance mode needs NodePorts).
    pub fn parse(a: &Annotations<'_>, service_type: Option<&str>) -> Result<Self, AnnotationError> {
        let legacy_ip = a.string(TYPE).as_deref() == Some("nlb-ip");
        let target_type = match a.parse(TARGET_TYPE, words::target_type)? {
            _ if legacy_ip => TargetKind::Ip,
            Some(t) => t,
            None => TargetKind::Instance,
        };
        if target_type == TargetKind::Instance && !has_node_ports(service_type) {
            let value = a.string(TARGET_TYPE).unwrap_or_else(|| "instance".into());
            return Err(a.error_for(
                TARGET_TYPE,
                Problem::Invalid(format!(
                    "{value:?} (the default) needs NodePorts, which a {} Service has not; use ip",
                    service_type.unwrap_or("ClusterIP")
                )),
            ));
        }
        let proxy_protocol = a
            .parse(PROXY_PROTOCOL, |raw| match raw.trim() {
                "*" => Ok(true),
                other => Err(Problem::Unknown {
                    value: other.to_owned(),
                    allowed: "*",
                }),
            })?
            .unwrap_or(false);
        let mut attributes = a.map(TARGET_GROUP_ATTRIBUTES)?.unwrap_or_default();
        if proxy_protocol {
            attributes.insert(PROXY_PROTOCOL_V2.to_owned(), "true".to_owned());
        } else {
            // Said explicitly, so removing the annotation turns proxy protocol off: the planner only writes
            // the attributes a model names.
            attributes
                .entry(PROXY_PROTOCOL_V2.to_owned())
                .or_insert_with(|| "false".to_owned());
        }
        Ok(TargetAnnotations {
            target_type,
            attributes,
            proxy_protocol,
            node_labels: a.map(TARGET_NODE_LABELS)?.unwrap_or_default(),
        })
    }
}

/// Whether a Service of this type has NodePorts (no type means ClusterIP).
fn has_node_ports(service_type: Option<&str>) -> bool {
    matches!(service_type, Some("NodePort") | Some("LoadBalancer"))
}
