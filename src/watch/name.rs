use std::fmt;

/// A short string stored inline up to `N` bytes (longer ones go to the heap), so decoding the names every
/// endpoint carries allocates nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct CompactName<const N: usize>(Repr<N>);

#[derive(Clone, PartialEq, Eq)]
enum Repr<const N: usize> {
    Inline { len: u8, buf: [u8; N] },
    Heap(Box<str>),
}

/// A zone name: every AWS zone name fits inline.
pub type ZoneName = CompactName<22>;

/// A node or pod name: generated Kubernetes names (≤ 63 bytes) nearly always fit inline.
pub type ObjectName = CompactName<62>;

impl<const N: usize> CompactName<N> {
    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always a whole &str copied in `From<&str>`, so this cannot fail.
            Repr::Inline { len, buf } => std::str::from_utf8(&buf[..*len as usize]).unwrap_or(""),
            Repr::Heap(s) => s,
        }
    }
}

impl<const N: usize> From<&str> for CompactName<N> {
    fn from(s: &str) -> Self {
        match u8::try_from(s.len()) {
            Ok(len) if s.len() <= N => {
                let mut buf = [0; N];
                buf[..s.len()].copy_from_slice(s.as_bytes());
                CompactName(Repr::Inline { len, buf })
            }
            _ => CompactName(Repr::Heap(s.into())),
        }
    }
}

impl<const N: usize> fmt::Debug for CompactName<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_names_round_trip() {
        let long = "a-zone-name-longer-than-twenty-two-bytes";
        assert_eq!(ZoneName::from(long).as_str(), long);
        assert_eq!(
            ZoneName::from("us-east-1-bos-1a").as_str(),
            "us-east-1-bos-1a"
        );
        let pod = "web-5d8f7b9c64-x2k4q";
        assert_eq!(ObjectName::from(pod).as_str(), pod);
        assert_eq!(ObjectName::from(&*"p".repeat(300)).as_str().len(), 300);
    }
}
