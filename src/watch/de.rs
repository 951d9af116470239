//! Field decoders for the slim types: each keeps one value and skips the rest with `IgnoredAny`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use tgsync_actors::domain::{AddressType, SlicePort};

use super::service_label::SERVICE_NAME_LABEL;

/// `null` or absent decodes as the default: Go writes empty lists as `null`.
pub(super) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Runs `f` on a string value without first copying it into a `String`.
struct StrWith<F, T>(F, &'static str, PhantomData<T>);

impl<F: FnOnce(&str) -> T, T> Visitor<'_> for StrWith<F, T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }
}

fn with_str<'de, D, T>(d: D, what: &'static str, f: impl FnOnce(&str) -> T) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_str(StrWith(f, what, PhantomData))
}

/// An optional string as one `Arc<str>` allocation.
pub(super) fn opt_arc_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
    Ok(Option::<ArcStr>::deserialize(d)?.map(|s| s.0))
}

struct ArcStr(Arc<str>);

impl<'de> Deserialize<'de> for ArcStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        with_str(d, "a string", |s| ArcStr(s.into()))
    }
}

/// `addressType`: `None` for FQDN or any type ELB cannot target.
pub(super) fn address_type<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<AddressType>, D::Error> {
    struct Kind(Option<AddressType>);
    impl<'de> Deserialize<'de> for Kind {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            with_str(d, "an address type", |s| {
                Kind(match s {
                    "IPv4" => Some(AddressType::Ipv4),
                    "IPv6" => Some(AddressType::Ipv6),
                    _ => None,
                })
            })
        }
    }
    Ok(Option::<Kind>::deserialize(d)?.and_then(|k| k.0))
}

/// `addresses`: the first one parsed straight into an `IpAddr` (`None` if absent or not an IP, e.g. FQDN).
pub(super) fn first_addr<'de, D: Deserializer<'de>>(d: D) -> Result<Option<IpAddr>, D::Error> {
    struct MaybeIp(Option<IpAddr>);
    impl<'de> Deserialize<'de> for MaybeIp {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            with_str(d, "an address", |s| MaybeIp(s.parse().ok()))
        }
    }
    struct First;
    impl<'de> Visitor<'de> for First {
        type Value = Option<IpAddr>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of addresses")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<MaybeIp>()?.and_then(|ip| ip.0);
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(first)
        }
    }
    struct Addresses(Option<IpAddr>);
    impl<'de> Deserialize<'de> for Addresses {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_seq(First).map(Addresses)
        }
    }
    Ok(Option::<Addresses>::deserialize(d)?.and_then(|a| a.0))
}

/// `ports`: named port numbers; ports without a number ("all ports") or with one outside 1–65535 are
/// dropped, ELB needs a real one.
pub(super) fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<[SlicePort]>, D::Error> {
    #[derive(serde::Deserialize)]
    struct RawPort {
        #[serde(default, deserialize_with = "opt_arc_str")]
        name: Option<Arc<str>>,
        #[serde(default)]
        port: Option<i32>,
    }
    let raw: Vec<RawPort> = null_default(d)?;
    Ok(raw
        .into_iter()
        .filter_map(|p| {
            let port = u16::try_from(p.port?).ok().filter(|&n| n != 0)?;
            Some(SlicePort { name: p.name, port })
        })
        .collect())
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
