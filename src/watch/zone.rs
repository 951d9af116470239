use rustc_hash::FxHashMap;
use tgsync_actors::domain::Zone;

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
}
