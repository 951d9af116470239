//! A kube `Client` over an in-process service that answers like an apiserver: an empty EndpointSlice list,
//! then one watch response whose body is the watch-event lines given, in chunks of `CHUNK` bytes as hyper
//! hands a long body over. The daemon's watch code (kube's request, the body's chunks, line splitting and
//! decode) runs on it unchanged; only the network is left out.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::StreamExt;
use http::{Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use kube::client::Body;

const EMPTY_LIST: &str = r#"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSliceList","metadata":{"resourceVersion":"1"},"items":[]}"#;

/// The size of the body's chunks: a 29 KB event spans two or three, as it does when hyper reads a watch
/// off a socket into its 8–400 KiB buffer.
pub const CHUNK: usize = 16 * 1024;

/// A client whose next watch request streams `lines` (one JSON watch event per line); later watches get an
/// empty body, as an apiserver ending a watch.
pub fn client_streaming(lines: Bytes) -> kube::Client {
    let next = Arc::new(Mutex::new(Some(lines)));
    let service = tower::service_fn(move |req: Request<Body>| {
        let next = next.clone();
        async move {
            let watch = req.uri().query().is_some_and(|q| q.contains("watch=true"));
            let body = if watch {
                next.lock()
                    .expect("not poisoned")
                    .take()
                    .unwrap_or_default()
            } else {
                Bytes::from_static(EMPTY_LIST.as_bytes())
            };
            let chunks: Vec<Bytes> = (0..body.len())
                .step_by(CHUNK)
                .map(|at| body.slice(at..body.len().min(at + CHUNK)))
                .collect();
            let frames = futures::stream::iter(chunks).map(|c| Ok::<_, Infallible>(Frame::data(c)));
            Ok::<_, Infallible>(Response::new(StreamBody::new(frames).boxed_unsync()))
        }
    });
    kube::Client::new(service, "default")
}

/// `count` events taken in turn from `events`, one per line.
pub fn watch_body(events: &[Vec<u8>], count: usize) -> Bytes {
    let mut body = Vec::with_capacity(count * (events[0].len() + 1));
    for e in events.iter().cycle().take(count) {
        body.extend_from_slice(e);
        body.push(b'\n');
    }
    Bytes::from(body)
}
