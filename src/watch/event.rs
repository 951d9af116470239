use serde::Deserialize;

use super::SlimEndpointSlice;

/// One line of an EndpointSlice watch stream, decoded slim (for tests and benches; the daemon uses kube's watcher).
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", content = "object", rename_all = "UPPERCASE")]
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

/// The `Status` object of an `ERROR` event.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct WatchStatus {
    /// HTTP-like status code, 410 when the resource version expired.
    #[serde(default)]
    pub code: Option<u16>,
    /// Machine-readable reason, e.g. `Expired`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Human-readable message.
    #[serde(default)]
    pub message: Option<String>,
}

impl SlimWatchEvent {
    /// Decodes one watch line; errors name the problem and its line and column.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
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
