use std::fmt::Debug;

use actix::{Addr, Handler};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Node, Service};
use kube::api::Api;
use kube::runtime::{watcher, WatchStreamExt};
use kube::Client;
use serde::de::DeserializeOwned;
use tracing::warn;

use super::manager::{Manager, Watched};
use crate::crd::TargetGroupBinding;
use crate::watch::{SlimEndpointSlice, SlimPod, SERVICE_NAME_LABEL};

/// Starts the five watchers (bindings, Services, EndpointSlices with the service-name label, Nodes, Pods), each
/// feeding its events to `manager`; namespaced kinds only in `namespace` when given. Watch errors are logged
/// and retried with backoff, never fatal.
pub fn spawn_all(client: &Client, namespace: Option<&str>, manager: Addr<Manager>) {
    fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    {
        match namespace {
            Some(ns) => Api::namespaced(client.clone(), ns),
            None => Api::all(client.clone()),
        }
    }
    spawn(
        api::<TargetGroupBinding>(client, namespace),
        watcher::Config::default(),
        manager.clone(),
    );
    spawn(
        api::<Service>(client, namespace),
        watcher::Config::default(),
        manager.clone(),
    );
    spawn(
        api::<SlimEndpointSlice>(client, namespace),
        watcher::Config::default().labels(SERVICE_NAME_LABEL),
        manager.clone(),
    );
    spawn(
        Api::<Node>::all(client.clone()),
        watcher::Config::default(),
        manager.clone(),
    );
    // Every pod is decoded (slim), only those with a readiness gate of ours are kept.
    spawn(
        api::<SlimPod>(client, namespace),
        watcher::Config::default(),
        manager,
    );
}

fn spawn<K>(api: Api<K>, config: watcher::Config, manager: Addr<Manager>)
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
    Manager: Handler<Watched<K>>,
{
    actix::spawn(async move {
        let mut events = watcher(api, config).default_backoff().boxed();
        while let Some(ev) = events.next().await {
            match ev {
                Ok(ev) => {
                    if manager.try_send(Watched(ev)).is_err() {
                        // Unbounded mailbox: only fails when the manager stopped (shutdown).
                        return;
                    }
                }
                Err(e) => warn!(kind = K::kind(&()).as_ref(), error = %e, "watch failed; retrying"),
            }
        }
    });
}
