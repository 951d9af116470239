//! A kube `Client` over an in-process service that answers EndpointSlice lists and watches from a script,
//! so the watch runs its real requests, bodies and decode; only the network is left out.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::StreamExt;
use http::{Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, StreamBody};
use kube::client::Body;

/// One scripted answer.
pub enum Reply {
    /// 200 with this body, sent in these chunks, then ended.
    Chunks(Vec<Bytes>),
    /// This status, with a `Status` body of this reason.
    Refuse(u16, &'static str),
}

/// The requests the client made, as path and query.
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    /// Every request so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("not poisoned").clone()
    }

    /// The watch requests so far.
    pub fn watches(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter(|r| r.contains("watch=true"))
            .collect()
    }
}

/// A client answering lists from `lists` and watches from `watches`, in order. Once a script runs out, its
/// requests get a body that stays open and says nothing, as an idle watch.
pub fn client(lists: Vec<Reply>, watches: Vec<Reply>) -> (kube::Client, Seen) {
    let seen = Seen::default();
    let scripts = Arc::new(Mutex::new((VecDeque::from(lists), VecDeque::from(watches))));
    let log = seen.clone();
    let service = tower::service_fn(move |req: Request<Body>| {
        let uri = req.uri().to_string();
        log.0.lock().expect("not poisoned").push(uri.clone());
        let mut scripts = scripts.lock().expect("not poisoned");
        let reply = match uri.contains("watch=true") {
            true => scripts.1.pop_front(),
            false => scripts.0.pop_front(),
        };
        async move { Ok::<_, Infallible>(respond(reply)) }
    });
    (kube::Client::new(service, "default"), seen)
}

fn respond(reply: Option<Reply>) -> Response<UnsyncBoxBody<Bytes, Infallible>> {
    let frames = |chunks: Vec<Bytes>| {
        futures::stream::iter(chunks).map(|c| Ok::<_, Infallible>(Frame::data(c)))
    };
    match reply {
        Some(Reply::Chunks(chunks)) => {
            Response::new(StreamBody::new(frames(chunks)).boxed_unsync())
        }
        Some(Reply::Refuse(code, reason)) => {
            let body = format!(
                r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"{reason}","code":{code}}}"#
            );
            let mut response =
                Response::new(StreamBody::new(frames(vec![body.into()])).boxed_unsync());
            *response.status_mut() = StatusCode::from_u16(code).expect("a valid status");
            response
        }
        None => {
            let open = futures::stream::pending::<Result<Frame<Bytes>, Infallible>>();
            Response::new(StreamBody::new(open).boxed_unsync())
        }
    }
}
