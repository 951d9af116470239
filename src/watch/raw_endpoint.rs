//! One endpoint of a watched slice as it comes off the wire, decoded by hand: a 100-endpoint slice has about
//! 1,100 keys, and reading them as raw bytes (compared with ASCII names, never validated as UTF-8 or copied)
//! is what keeps the slim decode several times cheaper than a full one.

use std::fmt;
use std::net::IpAddr;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::de;
use super::name::{ObjectName, ZoneName};

/// The fields of an endpoint the daemon reads; everything else is skipped.
#[derive(Default)]
pub(super) struct RawEndpoint {
    pub addresses: Option<IpAddr>,
    pub conditions: Option<RawConditions>,
    pub zone: Option<ZoneName>,
    pub pod: Option<ObjectName>,
}

/// `conditions`, each `None` when absent or `null` (Kubernetes gives nil its own meaning).
#[derive(Default)]
pub(super) struct RawConditions {
    pub ready: Option<bool>,
    pub serving: Option<bool>,
    pub terminating: Option<bool>,
}

/// `targetRef.name`.
struct PodName(Option<ObjectName>);

/// A map key handed over as raw bytes and turned into a field by `F`.
struct Key<F>(fn(&[u8]) -> F);

impl<'de, F> DeserializeSeed<'de> for Key<F> {
    type Value = F;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<F, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<F> Visitor<'_> for Key<F> {
    type Value = F;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<F, E> {
        Ok((self.0)(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<F, E> {
        Ok((self.0)(v.as_bytes()))
    }
}

/// Calls `field` for every key of a map, which must read (or skip) the value; keys `field` does not know are
/// skipped here.
fn each_field<'de, A, F>(
    mut map: A,
    names: fn(&[u8]) -> Option<F>,
    mut field: impl FnMut(F, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
{
    while let Some(key) = map.next_key_seed(Key(names))? {
        match key {
            Some(f) => field(f, &mut map)?,
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(())
}

enum EndpointField {
    Addresses,
    Conditions,
    Zone,
    TargetRef,
}

impl EndpointField {
    fn of(key: &[u8]) -> Option<Self> {
        Some(match key {
            b"addresses" => EndpointField::Addresses,
            b"conditions" => EndpointField::Conditions,
            b"zone" => EndpointField::Zone,
            b"targetRef" => EndpointField::TargetRef,
            _ => return None,
        })
    }
}

/// `addresses`, through the shared first-address decoder.
struct FirstAddr(Option<IpAddr>);

impl<'de> Deserialize<'de> for FirstAddr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::first_addr(d).map(FirstAddr)
    }
}

impl<'de> Deserialize<'de> for RawEndpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEndpoint;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an endpoint")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawEndpoint, A::Error> {
                let mut e = RawEndpoint::default();
                each_field(map, EndpointField::of, |f, map| {
                    match f {
                        EndpointField::Addresses => e.addresses = map.next_value::<FirstAddr>()?.0,
                        EndpointField::Conditions => e.conditions = map.next_value()?,
                        EndpointField::Zone => e.zone = map.next_value()?,
                        EndpointField::TargetRef => {
                            e.pod = map.next_value::<Option<PodName>>()?.and_then(|p| p.0)
                        }
                    }
                    Ok(())
                })?;
                Ok(e)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawConditions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawConditions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("endpoint conditions")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawConditions, A::Error> {
                let mut c = RawConditions::default();
                let names = |k: &[u8]| match k {
                    b"ready" | b"serving" | b"terminating" => Some(k[0]),
                    _ => None,
                };
                each_field(map, names, |first, map| {
                    let slot = match first {
                        b'r' => &mut c.ready,
                        b's' => &mut c.serving,
                        _ => &mut c.terminating,
                    };
                    *slot = map.next_value()?;
                    Ok(())
                })?;
                Ok(c)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for PodName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PodName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object reference")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PodName, A::Error> {
                let mut name = None;
                let names = |k: &[u8]| (k == b"name").then_some(());
                each_field(map, names, |(), map| {
                    name = map.next_value()?;
                    Ok(())
                })?;
                Ok(PodName(name))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> RawEndpoint {
        serde_json::from_slice(json.as_bytes()).expect("decodes")
    }

    #[test]
    fn reads_its_fields_and_skips_the_rest() {
        let e = decode(
            r#"{"hints":{"forZones":[{"name":"a\"b"}]},"addresses":["10.0.0.7","10.0.0.8"],
                "conditions":{"ready":false,"serving":null,"extra":[1,{"x":"}"}]},
                "targetRef":{"kind":"Pod","name":"web-1","uid":"u"},"nodeName":"n","zone":"us-east-1a"}"#,
        );
        assert_eq!(e.addresses, Some("10.0.0.7".parse().unwrap()));
        let c = e.conditions.expect("conditions");
        assert_eq!(
            (c.ready, c.serving, c.terminating),
            (Some(false), None, None)
        );
        assert_eq!(e.pod.as_ref().map(ObjectName::as_str), Some("web-1"));
        assert_eq!(e.zone.as_ref().map(ZoneName::as_str), Some("us-east-1a"));
    }

    #[test]
    fn escaped_keys_nulls_and_absences() {
        let e = decode(r#"{"zo\u006ee":"z","targetRef":null,"conditions":null}"#);
        assert_eq!(e.zone.as_ref().map(ZoneName::as_str), Some("z"));
        assert!(e.pod.is_none() && e.conditions.is_none() && e.addresses.is_none());
        assert!(
            serde_json::from_slice::<RawEndpoint>(br#"{"conditions":{"ready":"yes"}}"#).is_err()
        );
        assert!(serde_json::from_slice::<RawEndpoint>(br#"["10.0.0.1"]"#).is_err());
    }
}
