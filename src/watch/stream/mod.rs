//! The EndpointSlice watch of our own, on kube's `Client`: a paged list, then a watch with bookmarks that
//! resumes from the last resourceVersion and relists on 410 Gone. Each line of the chunked body is decoded
//! from its bytes as they arrived (no `String`, no copy unless a line spans chunks) by the slim reader.
//!
//! It yields kube-runtime's `watcher::Event`s with the same meaning (`Init`, `InitApply`, `InitDone` for a
//! list or relist, so the controller finds slices that vanished; `Apply`, `Delete`), and errors after
//! which it retries on the next poll; put a backoff on it as on kube's watcher.

mod bad_line;
mod error;
mod lines;
mod page;
mod request;
mod state;
#[cfg(test)]
mod tests;

use futures::Stream;
use kube::runtime::watcher::Event;
use kube::Client;

pub use error::WatchError;
use request::Requests;
use state::State;

use super::SlimEndpointSlice;

/// Watches the EndpointSlices that carry the service-name label, in `namespace` or all namespaces.
/// The stream never ends.
pub fn endpoint_slices(
    client: Client,
    namespace: Option<&str>,
) -> impl Stream<Item = Result<Event<SlimEndpointSlice>, WatchError>> + Send + 'static {
    let requests = Requests::new(client, namespace);
    futures::stream::unfold((requests, State::Empty), |(requests, state)| async move {
        let (item, state) = state::step(&requests, state).await;
        Some((item, (requests, state)))
    })
}
