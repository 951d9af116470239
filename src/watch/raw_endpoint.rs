//! One endpoint of a watched slice as it comes off the wire, decoded by hand: a 100-endpoint slice has about
//! 1,100 keys, and reading them as raw bytes (compared with ASCII names, never validated as UTF-8 or copied)
//! is what keeps the slim decode several times cheaper than a full one.

use std::fmt;
use std::marker::PhantomData;
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
#[derive(Default)]
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

/// A struct decoded from a map by hand: known keys (matched as bytes) are read into a default value, every
/// other key is skipped.
trait FromFields: Default {
    type Field;
    /// What the map is, for errors.
    const WHAT: &'static str;
    /// The field a key names, if this struct reads it.
    fn field(key: &[u8]) -> Option<Self::Field>;
    /// Reads the value of `field`.
    fn set<'de, A: MapAccess<'de>>(
        &mut self,
        field: Self::Field,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

struct FieldsVisitor<T>(PhantomData<T>);

impl<'de, T: FromFields> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::WHAT)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(key) = map.next_key_seed(Key(T::field))? {
            match key {
                Some(f) => value.set(f, &mut map)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(value)
    }
}

fn from_fields<'de, D: Deserializer<'de>, T: FromFields>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(FieldsVisitor(PhantomData))
}

enum EndpointField {
    Addresses,
    Conditions,
    Zone,
    TargetRef,
}

/// `addresses`, through the shared first-address decoder.
struct FirstAddr(Option<IpAddr>);

impl<'de> Deserialize<'de> for FirstAddr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::first_addr(d).map(FirstAddr)
    }
}

impl FromFields for RawEndpoint {
    type Field = EndpointField;
    const WHAT: &'static str = "an endpoint";

    fn field(key: &[u8]) -> Option<EndpointField> {
        Some(match key {
            b"addresses" => EndpointField::Addresses,
            b"conditions" => EndpointField::Conditions,
            b"zone" => EndpointField::Zone,
            b"targetRef" => EndpointField::TargetRef,
            _ => return None,
        })
    }

    fn set<'de, A: MapAccess<'de>>(
        &mut self,
        f: EndpointField,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match f {
            EndpointField::Addresses => self.addresses = map.next_value::<FirstAddr>()?.0,
            EndpointField::Conditions => self.conditions = map.next_value()?,
            EndpointField::Zone => self.zone = map.next_value()?,
            EndpointField::TargetRef => {
                self.pod = map.next_value::<Option<PodName>>()?.and_then(|p| p.0)
            }
        }
        Ok(())
    }
}

impl FromFields for RawConditions {
    /// The first letter of the condition.
    type Field = u8;
    const WHAT: &'static str = "endpoint conditions";

    fn field(key: &[u8]) -> Option<u8> {
        matches!(key, b"ready" | b"serving" | b"terminating").then(|| key[0])
    }

    fn set<'de, A: MapAccess<'de>>(&mut self, first: u8, map: &mut A) -> Result<(), A::Error> {
        let slot = match first {
            b'r' => &mut self.ready,
            b's' => &mut self.serving,
            _ => &mut self.terminating,
        };
        *slot = map.next_value()?;
        Ok(())
    }
}

impl FromFields for PodName {
    type Field = ();
    const WHAT: &'static str = "an object reference";

    fn field(key: &[u8]) -> Option<()> {
        (key == b"name").then_some(())
    }

    fn set<'de, A: MapAccess<'de>>(&mut self, (): (), map: &mut A) -> Result<(), A::Error> {
        self.0 = map.next_value()?;
        Ok(())
    }
}

impl<'de> Deserialize<'de> for RawEndpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_fields(d)
    }
}

impl<'de> Deserialize<'de> for RawConditions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_fields(d)
    }
}

impl<'de> Deserialize<'de> for PodName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_fields(d)
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
