use std::fmt;

use rustc_hash::FxHashMap;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use tgsync_actors::domain::Zone;

const INLINE: usize = 22;

/// A zone name as decoded: inline up to 22 bytes (every AWS zone name fits), so decoding allocates nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct ZoneName(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<str>),
}

impl ZoneName {
    /// The zone name.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always a whole &str copied in `From<&str>`, so this cannot fail.
            Repr::Inline { len, buf } => std::str::from_utf8(&buf[..*len as usize]).unwrap_or(""),
            Repr::Heap(s) => s,
        }
    }
}

impl From<&str> for ZoneName {
    fn from(s: &str) -> Self {
        if s.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            ZoneName(Repr::Inline {
                len: s.len() as u8,
                buf,
            })
        } else {
            ZoneName(Repr::Heap(s.into()))
        }
    }
}

impl fmt::Debug for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<'de> Deserialize<'de> for ZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ZoneName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a zone name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ZoneName, E> {
                Ok(ZoneName::from(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// Maps zone names to the small [`Zone`] numbers snapshots carry; numbers start at 1 (0 means none given).
#[derive(Default, Debug)]
pub struct ZoneInterner {
    ids: FxHashMap<Box<str>, Zone>,
    names: Vec<Box<str>>,
}

impl ZoneInterner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number for `name`, assigned on first sight; `None` once 65,535 zones exist (never in practice).
    pub fn intern(&mut self, name: &str) -> Option<Zone> {
        if let Some(&zone) = self.ids.get(name) {
            return Some(zone);
        }
        let zone = Zone(u16::try_from(self.names.len() + 1).ok()?);
        self.names.push(name.into());
        self.ids.insert(name.into(), zone);
        Some(zone)
    }

    /// The name behind a number this interner gave out.
    pub fn name(&self, zone: Zone) -> Option<&str> {
        let index = usize::from(zone.0).checked_sub(1)?;
        self.names.get(index).map(|s| &**s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_from_one_and_round_trips() {
        let mut zones = ZoneInterner::new();
        let a = zones.intern("us-east-1a").unwrap();
        let b = zones.intern("us-east-1b").unwrap();
        assert_eq!((a, b), (Zone(1), Zone(2)));
        assert_eq!(zones.intern("us-east-1a"), Some(a));
        assert_eq!(zones.name(b), Some("us-east-1b"));
        assert_eq!(zones.name(Zone(0)), None);
    }

    #[test]
    fn long_zone_names_survive() {
        let long = "a-zone-name-longer-than-twenty-two-bytes";
        assert_eq!(ZoneName::from(long).as_str(), long);
        assert_eq!(
            ZoneName::from("us-east-1-bos-1a").as_str(),
            "us-east-1-bos-1a"
        );
    }
}
