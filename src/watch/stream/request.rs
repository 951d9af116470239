//! The two requests of the watch on kube's `Client` (its auth, TLS and base URL): a page of the list, read
//! whole, and the watch, whose body is handed back unread so its lines are decoded from the bytes as they
//! come.

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT_ENCODING};
use http_body_util::BodyExt;
use kube::client::Body;
use kube::core::params::{ListParams, WatchParams};
use kube::core::Request;
use kube::{Client, Resource};

use super::error::WatchError;
use crate::watch::{SlimEndpointSlice, WatchStatus, SERVICE_NAME_LABEL};

/// Objects per list page, as kube-runtime's watcher and client-go ask.
const PAGE_SIZE: u32 = 500;

/// How long the apiserver keeps one watch open before ending its body; the watch then resumes from its
/// resourceVersion without a relist. Under kube's client read timeout (295 s), as kube-runtime's is.
const WATCH_SECONDS: u32 = 290;

/// Requests for the EndpointSlices that carry the service-name label, in one namespace or all.
pub(super) struct Requests {
    client: Client,
    url: Request,
}

impl Requests {
    pub fn new(client: Client, namespace: Option<&str>) -> Self {
        Requests {
            client,
            url: Request::new(SlimEndpointSlice::url_path(&(), namespace)),
        }
    }

    /// One page of the list: the one after `continue_token`, or the first (the current state).
    pub async fn page(&self, continue_token: Option<&str>) -> Result<Bytes, WatchError> {
        let mut params = ListParams::default()
            .labels(SERVICE_NAME_LABEL)
            .limit(PAGE_SIZE);
        params.continue_token = continue_token.map(str::to_owned);
        let body = self.send(self.url.list(&params)?).await?;
        let body = body.collect().await.map_err(WatchError::Request)?;
        Ok(body.to_bytes())
    }

    /// Opens a watch from `resource_version`, with bookmarks; the body streams one event per line.
    pub async fn watch(&self, resource_version: &str) -> Result<Body, WatchError> {
        let params = WatchParams::default()
            .labels(SERVICE_NAME_LABEL)
            .timeout(WATCH_SECONDS);
        let mut request = self.url.watch(&params, resource_version)?;
        // As kube's own watch: a compressed watch body would come back in members the client cannot split.
        request
            .headers_mut()
            .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        self.send(request).await
    }

    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<Body, WatchError> {
        let response = self
            .client
            .send(request.map(Body::from))
            .await
            .map_err(WatchError::Request)?;
        let http = response.status();
        if http.is_success() {
            return Ok(response.into_body());
        }
        // The body is a `Status` saying why; if it cannot be read, the HTTP status says enough.
        let body = response.into_body().collect().await.map(|b| b.to_bytes());
        let status = body
            .ok()
            .and_then(|b| WatchStatus::from_slice(&b).ok())
            .unwrap_or_default();
        Err(WatchError::Refused {
            http: http.as_u16(),
            status,
        })
    }
}
