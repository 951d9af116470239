//! serde field decoders for `SlimPod` (decoded by kube's watcher): each keeps one value and skips the rest
//! with `IgnoredAny`. EndpointSlices have their own reader (`meta`, `endpoint`).

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::service_label::SERVICE_NAME_LABEL;

/// `null` or absent decodes as the default: Go writes empty lists as `null`.
pub(super) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum MetaKey {
    Name,
    Namespace,
    ResourceVersion,
    Uid,
    Generation,
    Labels,
    #[serde(other)]
    Other,
}

#[derive(serde::Deserialize)]
#[serde(field_identifier)]
enum LabelKey {
    // SERVICE_NAME_LABEL, spelled out: serde's rename takes only a literal.
    #[serde(rename = "kubernetes.io/service-name")]
    ServiceName,
    #[serde(other)]
    Other,
}

/// `metadata`: name, namespace, resourceVersion, uid, generation and the service-name label; nothing else
/// (other labels, annotations, managedFields, ownerReferences) is allocated.
pub(super) fn meta<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectMeta, D::Error> {
    Ok(Option::<SlimMeta>::deserialize(d)?
        .map(|m| m.0)
        .unwrap_or_default())
}

struct SlimMeta(ObjectMeta);

impl<'de> Deserialize<'de> for SlimMeta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MetaVisitor)
    }
}

struct MetaVisitor;

impl<'de> Visitor<'de> for MetaVisitor {
    type Value = SlimMeta;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("object metadata")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SlimMeta, A::Error> {
        let mut meta = ObjectMeta::default();
        while let Some(key) = map.next_key::<MetaKey>()? {
            match key {
                MetaKey::Name => meta.name = map.next_value()?,
                MetaKey::Namespace => meta.namespace = map.next_value()?,
                MetaKey::ResourceVersion => meta.resource_version = map.next_value()?,
                MetaKey::Uid => meta.uid = map.next_value()?,
                MetaKey::Generation => meta.generation = map.next_value()?,
                MetaKey::Labels => {
                    let service = map.next_value::<Option<ServiceLabel>>()?.and_then(|l| l.0);
                    meta.labels =
                        service.map(|s| BTreeMap::from([(SERVICE_NAME_LABEL.to_owned(), s)]));
                }
                MetaKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(SlimMeta(meta))
    }
}

struct ServiceLabel(Option<String>);

impl<'de> Deserialize<'de> for ServiceLabel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Labels;
        impl<'de> Visitor<'de> for Labels {
            type Value = ServiceLabel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of labels")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServiceLabel, A::Error> {
                let mut service = None;
                while let Some(key) = map.next_key::<LabelKey>()? {
                    match key {
                        LabelKey::ServiceName => service = Some(map.next_value()?),
                        LabelKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ServiceLabel(service))
            }
        }
        d.deserialize_map(Labels)
    }
}
