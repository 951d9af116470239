use crate::watch::{DecodeError, WatchStatus};

/// Why the EndpointSlice watch failed for now; it retries (after backoff) from where it was, or relists.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The request could not be built (a bad label selector, say).
    #[error("could not build the request: {0}")]
    Build(#[from] kube::core::request::Error),
    /// The apiserver could not be reached, or a body broke off.
    #[error("request failed: {0}")]
    Request(#[source] kube::Error),
    /// The apiserver answered a request with an error status.
    #[error("the apiserver refused the request (HTTP {http}): {status}")]
    Refused {
        /// The HTTP status.
        http: u16,
        /// The `Status` object of the body, as far as it decoded.
        status: WatchStatus,
    },
    /// A list page that is not JSON, or not a list.
    #[error("a list page does not decode: {0}")]
    Page(#[source] DecodeError),
    /// The watch sent an `ERROR` event (410 Expired means the watch relists).
    #[error("the watch sent an error: {0}")]
    Event(WatchStatus),
    /// A list, or an object on the watch, came without a resourceVersion to resume from; the watch relists.
    #[error("no resourceVersion to resume from")]
    NoResourceVersion,
}

impl WatchError {
    /// Whether the resourceVersion the watch holds is too old (410 Gone), so only a relist helps.
    pub fn is_gone(&self) -> bool {
        match self {
            WatchError::Refused { http, .. } => *http == 410,
            WatchError::Event(status) => status.is_gone(),
            _ => false,
        }
    }
}
