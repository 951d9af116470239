//! One endpoint of a watched slice, read from the wire: a 100-endpoint slice has about 1,100 keys, matched
//! as raw bytes and never copied, and only the four fields below are kept.

use std::net::IpAddr;

use tgsync_actors::domain::Conditions;

use super::json::{Reader, Result};
use super::name::{ObjectName, ZoneName};

/// One endpoint: its first address, conditions with Kubernetes' nil rules applied, zone and pod.
///
/// `nodeName` is skipped: nothing needs it yet and keeping it costs ~15 % of the decode (see the bench).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlimEndpoint {
    /// The first address, `None` if it is missing or not an IP.
    pub addr: Option<IpAddr>,
    /// ready (nil = true), serving (nil = ready), terminating (nil = false).
    pub conditions: Conditions,
    /// The zone as written, interned by [`super::SlimEndpointSlice::to_snapshot`].
    pub zone: Option<ZoneName>,
    /// `targetRef.name`: the pod, for readiness gates.
    pub pod: Option<ObjectName>,
}

/// `conditions` as written: each `None` when absent or `null` (Kubernetes gives nil its own meaning).
#[derive(Default)]
struct RawConditions {
    ready: Option<bool>,
    serving: Option<bool>,
    terminating: Option<bool>,
}

impl SlimEndpoint {
    /// Reads one endpoint object.
    pub(super) fn read(r: &mut Reader) -> Result<Self> {
        let (mut addr, mut raw, mut zone, mut pod) = (None, RawConditions::default(), None, None);
        r.object("an endpoint", |r, key| {
            match key {
                b"addresses" => addr = r.nullable(first_addr)?.flatten(),
                b"conditions" => raw = r.nullable(conditions)?.unwrap_or_default(),
                b"zone" => zone = r.nullable(|r| Ok(ZoneName::from(&*r.str("a zone")?)))?,
                b"targetRef" => pod = r.nullable(pod_name)?.flatten(),
                _ => r.skip()?,
            }
            Ok(())
        })?;
        let ready = raw.ready.unwrap_or(true);
        Ok(SlimEndpoint {
            addr,
            conditions: Conditions::new(
                ready,
                raw.serving.unwrap_or(ready),
                raw.terminating.unwrap_or(false),
            ),
            zone,
            pod,
        })
    }
}

/// `addresses`: the first one parsed as an IP (`None` if there is none or it is not an IP, e.g. FQDN).
fn first_addr(r: &mut Reader) -> Result<Option<IpAddr>> {
    let mut first = None;
    let mut seen = false;
    r.array("a list of addresses", |r| {
        if seen {
            return r.skip();
        }
        seen = true;
        first = r.str("an address")?.parse().ok();
        Ok(())
    })?;
    Ok(first)
}

fn conditions(r: &mut Reader) -> Result<RawConditions> {
    let mut c = RawConditions::default();
    r.object("endpoint conditions", |r, key| {
        let slot = match key {
            b"ready" => &mut c.ready,
            b"serving" => &mut c.serving,
            b"terminating" => &mut c.terminating,
            _ => return r.skip(),
        };
        *slot = r.nullable(|r| r.bool("a boolean"))?;
        Ok(())
    })?;
    Ok(c)
}

/// `targetRef.name`.
fn pod_name(r: &mut Reader) -> Result<Option<ObjectName>> {
    let mut name = None;
    r.object("an object reference", |r, key| {
        match key {
            b"name" => name = r.nullable(|r| Ok(ObjectName::from(&*r.str("a name")?)))?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Result<SlimEndpoint> {
        let mut r = Reader::new(json.as_bytes());
        let e = SlimEndpoint::read(&mut r)?;
        r.end().map(|()| e)
    }

    #[test]
    fn reads_its_fields_and_skips_the_rest() {
        let e = decode(
            r#"{"hints":{"forZones":[{"name":"a\"b"}]},"addresses":["10.0.0.7","10.0.0.8"],
                "conditions":{"ready":false,"serving":null,"extra":[1,{"x":"}"}]},
                "targetRef":{"kind":"Pod","name":"web-1","uid":"u"},"nodeName":"n","zone":"us-east-1a"}"#,
        )
        .expect("decodes");
        assert_eq!(e.addr, Some("10.0.0.7".parse().unwrap()));
        assert_eq!(e.conditions, Conditions::new(false, false, false));
        assert_eq!(e.pod.as_ref().map(ObjectName::as_str), Some("web-1"));
        assert_eq!(e.zone.as_ref().map(ZoneName::as_str), Some("us-east-1a"));
    }

    #[test]
    fn escaped_keys_nulls_and_absences() {
        let e = decode(r#"{"zo\u006ee":"z","targetRef":null,"conditions":null}"#).expect("decodes");
        assert_eq!(e.zone.as_ref().map(ZoneName::as_str), Some("z"));
        assert!(e.pod.is_none() && e.addr.is_none());
        assert_eq!(e.conditions, Conditions::new(true, true, false));
        assert!(decode(r#"{"conditions":{"ready":"yes"}}"#).is_err());
        assert!(decode(r#"["10.0.0.1"]"#).is_err());
        assert!(decode(r#"{"addresses":[1]}"#).is_err());
    }
}
