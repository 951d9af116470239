use std::fmt;

use super::json::{DecodeError, Reader, Result};
use super::meta;
use super::SlimEndpointSlice;

/// One line of an EndpointSlice watch stream, decoded slim.
#[derive(Clone, Debug)]
// Events are consumed at once, never stored in bulk, so boxing the slice would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum SlimWatchEvent {
    /// A new slice.
    Added(SlimEndpointSlice),
    /// A changed slice.
    Modified(SlimEndpointSlice),
    /// The slice as it was before deletion.
    Deleted(SlimEndpointSlice),
    /// A progress marker: only `metadata.resourceVersion` is meaningful.
    Bookmark(SlimEndpointSlice),
    /// The server ended the watch (e.g. 410 Gone: resource version too old).
    Error(WatchStatus),
}

/// The `Status` object of an `ERROR` event (or of a refused request).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchStatus {
    /// HTTP-like status code, 410 when the resource version expired.
    pub code: Option<u16>,
    /// Machine-readable reason, e.g. `Expired`.
    pub reason: Option<String>,
    /// Human-readable message.
    pub message: Option<String>,
}

impl fmt::Display for WatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .code
            .map_or_else(|| "no code".to_owned(), |c| c.to_string());
        let reason = self.reason.as_deref().unwrap_or("no reason");
        let message = self.message.as_deref().unwrap_or("");
        write!(f, "{code} {reason}: {message}")
    }
}

/// The `type` of a watch event.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

impl SlimWatchEvent {
    /// Decodes one watch line; errors name the problem and its line and column.
    ///
    /// Keys may come in any order and the last of a repeated key wins, as in k8s-openapi's decode; the
    /// apiserver writes `type` first, so the object is read in place, once.
    pub fn from_slice(bytes: &[u8]) -> std::result::Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let mut kind = None;
        let mut object_at = None;
        let mut decoded = None;
        r.object("a watch event", |r, key| {
            match key {
                b"type" => kind = r.nullable(Kind::read)?,
                b"object" => {
                    object_at = Some(r.pos());
                    decoded = match kind {
                        Some(k) => Some((k, k.read_object(r)?)),
                        None => {
                            r.skip()?;
                            None
                        }
                    };
                }
                _ => r.skip()?,
            }
            Ok(())
        })?;
        r.end()?;
        let kind = kind.ok_or_else(|| r.fail("missing field `type`"))?;
        let at = object_at.ok_or_else(|| r.fail("missing field `object`"))?;
        match decoded {
            Some((k, event)) if k == kind => Ok(event),
            _ => Ok(kind.read_object(&mut Reader::at(bytes, at))?),
        }
    }

    /// The slice carried by an added, modified or deleted event.
    pub fn slice(&self) -> Option<&SlimEndpointSlice> {
        match self {
            SlimWatchEvent::Added(s) | SlimWatchEvent::Modified(s) | SlimWatchEvent::Deleted(s) => {
                Some(s)
            }
            SlimWatchEvent::Bookmark(_) | SlimWatchEvent::Error(_) => None,
        }
    }
}

impl Kind {
    fn read(r: &mut Reader) -> Result<Kind> {
        let at = r.pos();
        Ok(match &*r.str("an event type")? {
            "ADDED" => Kind::Added,
            "MODIFIED" => Kind::Modified,
            "DELETED" => Kind::Deleted,
            "BOOKMARK" => Kind::Bookmark,
            "ERROR" => Kind::Error,
            other => {
                let message = format!(
                    "unknown variant `{other}`, expected one of `ADDED`, `MODIFIED`, `DELETED`, \
                     `BOOKMARK`, `ERROR`"
                );
                r.seek(at);
                return Err(r.fail(message));
            }
        })
    }

    fn read_object(self, r: &mut Reader) -> Result<SlimWatchEvent> {
        Ok(match self {
            Kind::Added => SlimWatchEvent::Added(SlimEndpointSlice::read(r)?),
            Kind::Modified => SlimWatchEvent::Modified(SlimEndpointSlice::read(r)?),
            Kind::Deleted => SlimWatchEvent::Deleted(SlimEndpointSlice::read(r)?),
            Kind::Bookmark => SlimWatchEvent::Bookmark(SlimEndpointSlice::read(r)?),
            Kind::Error => SlimWatchEvent::Error(WatchStatus::read(r)?),
        })
    }
}

impl WatchStatus {
    /// 410 Gone (reason `Expired` or `Gone`): the resourceVersion is too old to resume from.
    pub fn is_gone(&self) -> bool {
        self.code == Some(410) || matches!(self.reason.as_deref(), Some("Expired" | "Gone"))
    }

    /// Decodes a `Status` object, e.g. the body of a refused request.
    pub fn from_slice(bytes: &[u8]) -> std::result::Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let status = Self::read(&mut r)?;
        r.end()?;
        Ok(status)
    }

    fn read(r: &mut Reader) -> Result<Self> {
        let mut status = WatchStatus::default();
        r.object("a status", |r, key| {
            match key {
                b"code" => status.code = r.nullable(|r| r.int("u16"))?,
                b"reason" => status.reason = meta::string(r)?,
                b"message" => status.message = meta::string(r)?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLICE: &str = r#"{"metadata":{"name":"web-x","namespace":"shop","resourceVersion":"7"},"addressType":"IPv4"}"#;

    fn name(event: &SlimWatchEvent) -> Option<&str> {
        event.slice()?.metadata.name.as_deref()
    }

    #[test]
    fn keys_in_any_order_and_the_last_of_a_repeated_one_wins() {
        let object_first = format!(r#"{{"object":{SLICE},"type":"DELETED"}}"#);
        let event = SlimWatchEvent::from_slice(object_first.as_bytes()).expect("decodes");
        assert!(matches!(event, SlimWatchEvent::Deleted(_)), "{event:?}");
        assert_eq!(name(&event), Some("web-x"));
        let retyped =
            format!(r#"{{"type":"ADDED","object":{SLICE},"type":"MODIFIED","extra":[1]}}"#);
        let event = SlimWatchEvent::from_slice(retyped.as_bytes()).expect("decodes");
        assert!(matches!(event, SlimWatchEvent::Modified(_)), "{event:?}");
    }

    #[test]
    fn a_missing_type_or_object_is_an_error() {
        let no_type = format!(r#"{{"object":{SLICE}}}"#);
        let err = SlimWatchEvent::from_slice(no_type.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("missing field `type`"), "{err}");
        let err = SlimWatchEvent::from_slice(br#"{"type":"ADDED"}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `object`"), "{err}");
    }

    #[test]
    fn a_status_reads_its_code_and_says_when_it_means_gone() {
        let status = WatchStatus::from_slice(
            br#"{"kind":"Status","code":410,"reason":"Expired","message":"too old","details":{}}"#,
        )
        .expect("decodes");
        assert!(status.is_gone());
        assert_eq!(status.to_string(), "410 Expired: too old");
        assert!(!WatchStatus::from_slice(br#"{"code":500}"#)
            .unwrap()
            .is_gone());
    }
}
