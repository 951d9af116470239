use std::net::IpAddr;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

use super::de;

/// Readiness gates tgsync answers are of this condition type followed by the binding's name.
pub const GATE_PREFIX: &str = "target-health.elbv2.k8s.aws/";

/// A Pod reduced to what readiness gates need: its IP, its gates and the conditions that bear on them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SlimPod {
    /// Name, namespace, resourceVersion, uid and generation.
    #[serde(default, deserialize_with = "de::meta")]
    pub metadata: ObjectMeta,
    /// The readiness gates.
    #[serde(default, deserialize_with = "de::null_default")]
    pub spec: SlimPodSpec,
    /// IP and conditions.
    #[serde(default, deserialize_with = "de::null_default")]
    pub status: SlimPodStatus,
}

/// `spec`, readiness gates only.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlimPodSpec {
    /// `readinessGates[].conditionType`.
    #[serde(default, deserialize_with = "de::null_default")]
    pub readiness_gates: Vec<ReadinessGate>,
}

/// One readiness gate.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessGate {
    /// The condition type the pod waits for (empty if missing or null, which the full decode tolerates too).
    #[serde(default, deserialize_with = "de::null_default")]
    pub condition_type: String,
}

/// `status`: the pod IP and its conditions.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SlimPodStatus {
    /// `podIP`.
    #[serde(default, rename = "podIP")]
    pub pod_ip: Option<String>,
    /// `conditions[]` (type and status).
    #[serde(default, deserialize_with = "de::null_default")]
    pub conditions: Vec<PodCondition>,
}

/// One pod condition, type and status.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct PodCondition {
    /// `type` (empty if missing or null, as in the full decode).
    #[serde(default, rename = "type", deserialize_with = "de::null_default")]
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    #[serde(default, deserialize_with = "de::null_default")]
    pub status: String,
}

impl SlimPod {
    /// The bindings this pod waits for: `<name>` of each `target-health.elbv2.k8s.aws/<name>` gate.
    pub fn gated_bindings(&self) -> impl Iterator<Item = &str> {
        self.spec
            .readiness_gates
            .iter()
            .filter_map(|g| g.condition_type.strip_prefix(GATE_PREFIX))
            .filter(|name| !name.is_empty())
    }

    /// Whether condition `kind` is `True`.
    pub fn condition_true(&self, kind: &str) -> bool {
        self.status
            .conditions
            .iter()
            .any(|c| c.kind == kind && c.status == "True")
    }

    /// The pod IP, if it has one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.status.pod_ip.as_deref()?.parse().ok()
    }
}

// Borrows Pod's identity, as the slim EndpointSlice borrows EndpointSlice's (see there).
impl k8s_openapi::Resource for SlimPod {
    const API_VERSION: &'static str = Pod::API_VERSION;
    const GROUP: &'static str = Pod::GROUP;
    const KIND: &'static str = Pod::KIND;
    const VERSION: &'static str = Pod::VERSION;
    const URL_PATH_SEGMENT: &'static str = Pod::URL_PATH_SEGMENT;
    type Scope = k8s_openapi::NamespaceResourceScope;
}

impl k8s_openapi::Metadata for SlimPod {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_decodes_to_its_gates_ip_and_conditions() {
        let json = r#"{
          "apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1", "labels": {"app": "web"}},
          "spec": {"containers": [{"name": "c", "image": "nginx"}],
                   "readinessGates": [{"conditionType": "target-health.elbv2.k8s.aws/web"},
                                      {"conditionType": "example.com/other"}]},
          "status": {"phase": "Running", "podIP": "10.0.0.7",
                     "conditions": [{"type": "ContainersReady", "status": "True"},
                                    {"type": "Ready", "status": "False"}]}
        }"#;
        let pod: SlimPod = serde_json::from_str(json).unwrap();
        assert_eq!(pod.metadata.name.as_deref(), Some("web-1"));
        assert_eq!(pod.gated_bindings().collect::<Vec<_>>(), ["web"]);
        assert_eq!(pod.ip(), Some("10.0.0.7".parse().unwrap()));
        assert!(pod.condition_true("ContainersReady"));
        assert!(!pod.condition_true("Ready"));
    }

    #[test]
    fn a_gate_or_condition_without_a_type_does_not_fail_the_pod() {
        let json = r#"{"spec": {"readinessGates": [{"conditionType": null}, {},
                                {"conditionType": "target-health.elbv2.k8s.aws/web"}]},
                       "status": {"conditions": [{"type": null, "status": null}, {"type": "Ready", "status": "True"}]}}"#;
        let pod: SlimPod = serde_json::from_str(json).unwrap();
        assert_eq!(pod.gated_bindings().collect::<Vec<_>>(), ["web"]);
        assert!(pod.condition_true("Ready"));
    }

    #[test]
    fn a_pod_without_gates_or_status_decodes_empty() {
        let pod: SlimPod = serde_json::from_str(
            r#"{"metadata": {"name": "p"}, "spec": {"readinessGates": null}}"#,
        )
        .unwrap();
        assert_eq!(pod.gated_bindings().count(), 0);
        assert_eq!(pod.ip(), None);
    }
}
