use std::fmt;
use std::str::FromStr;

/// An EC2 instance id (`i-` + 8 or 17 hex digits, at most 68 bits), packed into 10 bytes with no alignment,
/// so a target is 24 bytes: every target table and owned set holds one per target.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId {
    high: u8,
    /// Big-endian, so the derived order is the number's.
    low: [u8; 8],
    digits: u8,
}

/// Why a string is not an instance id.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an EC2 instance id: {0:?} (want i- followed by 8 or 17 hex digits)")]
pub struct InstanceIdError(pub String);

impl FromStr for InstanceId {
    type Err = InstanceIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InstanceIdError(s.to_owned());
        let hex = s.strip_prefix("i-").ok_or_else(bad)?;
        if !(hex.len() == 8 || hex.len() == 17) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let value = u128::from_str_radix(hex, 16).map_err(|_| bad())?;
        Ok(InstanceId {
            high: (value >> 64) as u8,
            low: (value as u64).to_be_bytes(),
            digits: hex.len() as u8,
        })
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = (u128::from(self.high) << 64) | u128::from(u64::from_be_bytes(self.low));
        write!(f, "i-{:0width$x}", value, width = self.digits as usize)
    }
}

impl fmt::Debug for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_long_and_short_ids() {
        for s in ["i-0123456789abcdef0", "i-f123456789abcdef0", "i-00ab00cd"] {
            assert_eq!(s.parse::<InstanceId>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn order_is_the_numbers() {
        let ids: Vec<InstanceId> = [
            "i-00ab00cd",
            "i-0000ff00",
            "i-1000000000000000a",
            "i-0123456789abcdef0",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        let as_numbers = |v: &[InstanceId]| -> Vec<u128> {
            v.iter()
                .map(|i| u128::from_str_radix(&i.to_string()[2..], 16).unwrap())
                .collect()
        };
        let mut want = as_numbers(&ids);
        want.sort();
        assert_eq!(as_numbers(&sorted), want);
    }

    #[test]
    fn rejects_malformed_ids() {
        for s in [
            "0123456789abcdef0",
            "i-xyz",
            "i-123",
            "i-0123456789abcdef0123",
        ] {
            assert!(s.parse::<InstanceId>().is_err(), "{s}");
        }
    }
}
