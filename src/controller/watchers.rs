use std::fmt::Debug;

use actix::{Actor, AsyncContext, Context, StreamHandler};
use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Namespace, Node, Service};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{store::Writer, ObjectRef};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use kube::Client;
use serde::de::DeserializeOwned;
use tracing::{error, warn};

use super::stores::Writers;
use crate::crd::{IngressClassParams, TargetGroupBinding};
use crate::watch::{stream, SlimEndpointSlice, SlimPod};

/// Events a watcher may read ahead of the manager before it waits: enough to ride out a burst, small enough
/// that a first list of every Pod in the cluster is held back by the manager rather than buffered whole.
const AHEAD: usize = 512;

/// A watch event from one of the watchers, for the controller that reads that watch.
#[derive(actix::Message)]
#[rtype(result = "()")]
pub struct Watched<K>(pub watcher::Event<K>);

/// Why tgsync must stop: a watch it cannot do without ended. Running blind is worse than a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEnded(pub String);

/// The receiving ends of the five watches, to be attached to the manager before it starts; `ingress` and
/// `nlb` hold the Ingress and NLB controllers', when stacks are served.
pub struct Feeds {
    /// The Ingress controller's feeds.
    pub ingress: Option<IngressFeeds>,
    /// The NLB controller's feeds.
    pub nlb: Option<NlbFeeds>,
    bindings: mpsc::Receiver<Watched<ObjectRef<TargetGroupBinding>>>,
    services: mpsc::Receiver<Watched<ObjectRef<Service>>>,
    slices: mpsc::Receiver<Watched<SlimEndpointSlice>>,
    nodes: mpsc::Receiver<Watched<Node>>,
    pods: mpsc::Receiver<Watched<SlimPod>>,
}

impl Feeds {
    /// Makes `ctx`'s actor read every watch (call from its `create`).
    pub fn attach<A>(self, ctx: &mut Context<A>)
    where
        A: Actor<Context = Context<A>>
            + StreamHandler<Watched<ObjectRef<TargetGroupBinding>>>
            + StreamHandler<Watched<ObjectRef<Service>>>
            + StreamHandler<Watched<SlimEndpointSlice>>
            + StreamHandler<Watched<Node>>
            + StreamHandler<Watched<SlimPod>>,
    {
        ctx.add_stream(self.bindings);
        ctx.add_stream(self.services);
        ctx.add_stream(self.slices);
        ctx.add_stream(self.nodes);
        ctx.add_stream(self.pods);
    }
}

/// What the Ingress controller reads: Ingresses, IngressClasses, IngressClassParams, Namespaces' metadata,
/// and Services and bindings (the same watches as the manager's, fanned out).
pub struct IngressFeeds {
    ingresses: mpsc::Receiver<Watched<ObjectRef<Ingress>>>,
    classes: mpsc::Receiver<Watched<ObjectRef<IngressClass>>>,
    params: mpsc::Receiver<Watched<ObjectRef<IngressClassParams>>>,
    namespaces: mpsc::Receiver<Watched<ObjectRef<PartialObjectMeta<Namespace>>>>,
    services: mpsc::Receiver<Watched<ObjectRef<Service>>>,
    bindings: mpsc::Receiver<Watched<ObjectRef<TargetGroupBinding>>>,
}

impl IngressFeeds {
    /// Makes `ctx`'s actor read these watches.
    pub fn attach<A>(self, ctx: &mut Context<A>)
    where
        A: Actor<Context = Context<A>>
            + StreamHandler<Watched<ObjectRef<Ingress>>>
            + StreamHandler<Watched<ObjectRef<IngressClass>>>
            + StreamHandler<Watched<ObjectRef<IngressClassParams>>>
            + StreamHandler<Watched<ObjectRef<PartialObjectMeta<Namespace>>>>
            + StreamHandler<Watched<ObjectRef<Service>>>
            + StreamHandler<Watched<ObjectRef<TargetGroupBinding>>>,
    {
        ctx.add_stream(self.ingresses);
        ctx.add_stream(self.classes);
        ctx.add_stream(self.params);
        ctx.add_stream(self.namespaces);
        ctx.add_stream(self.services);
        ctx.add_stream(self.bindings);
    }
}

/// What the NLB controller reads: Services and bindings (the same watches as the manager's, fanned out).
pub struct NlbFeeds {
    services: mpsc::Receiver<Watched<ObjectRef<Service>>>,
    bindings: mpsc::Receiver<Watched<ObjectRef<TargetGroupBinding>>>,
}

impl NlbFeeds {
    /// Makes `ctx`'s actor read these watches.
    pub fn attach<A>(self, ctx: &mut Context<A>)
    where
        A: Actor<Context = Context<A>>
            + StreamHandler<Watched<ObjectRef<Service>>>
            + StreamHandler<Watched<ObjectRef<TargetGroupBinding>>>,
    {
        ctx.add_stream(self.services);
        ctx.add_stream(self.bindings);
    }
}

/// Starts the five watchers (bindings, Services, EndpointSlices with the service-name label — a watch of our
/// own, `watch::stream` —, Nodes, Pods),
/// and with `stacks` the Ingress controller's (Ingresses, IngressClasses, IngressClassParams, Namespaces) and
/// the NLB controller's share of Services and bindings;
/// namespaced kinds only in `namespace` when given. Bindings and Services fill `writers`' stores and feed only
/// their keys. Watch errors are logged, counted and retried with backoff; a watch that ends anyway is reported
/// on `ended`.
pub fn spawn_all(
    client: &Client,
    namespace: Option<&str>,
    writers: Writers,
    stacks: bool,
    ended: mpsc::UnboundedSender<WatchEnded>,
) -> Feeds {
    fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    {
        match namespace {
            Some(ns) => Api::namespaced(client.clone(), ns),
            None => Api::all(client.clone()),
        }
    }
    let plain = watcher::Config::default;
    let readers = if stacks { 3 } else { 1 };
    let mut services = spawn_stored(
        api(client, namespace),
        plain(),
        writers.services,
        readers,
        ended.clone(),
    );
    let mut bindings = spawn_stored(
        api(client, namespace),
        plain(),
        writers.bindings,
        readers,
        ended.clone(),
    );
    let nlb = stacks.then(|| NlbFeeds {
        services: services.pop().expect("three Service feeds were asked for"),
        bindings: bindings.pop().expect("three binding feeds were asked for"),
    });
    let ingress = stacks.then(|| IngressFeeds {
        ingresses: one(spawn_stored(
            api(client, namespace),
            plain(),
            writers.ingresses,
            1,
            ended.clone(),
        )),
        classes: one(spawn_stored(
            Api::all(client.clone()),
            plain(),
            writers.ingress_classes,
            1,
            ended.clone(),
        )),
        // Like the bindings' CRD, the params' must be installed: until it is, the watch retries.
        params: one(spawn_stored(
            Api::all(client.clone()),
            plain(),
            writers.ingress_class_params,
            1,
            ended.clone(),
        )),
        // Only labels are read (namespaceSelector), and only of the watched namespace when there is one.
        namespaces: one(spawn_stored(
            Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
            match namespace {
                Some(ns) => plain().fields(&format!("metadata.name={ns}")),
                None => plain(),
            },
            writers.namespaces,
            1,
            ended.clone(),
        )),
        services: services.pop().expect("two Service feeds were asked for"),
        bindings: bindings.pop().expect("two binding feeds were asked for"),
    });
    Feeds {
        ingress,
        nlb,
        bindings: bindings
            .pop()
            .expect("one binding feed is left for the manager"),
        services: services
            .pop()
            .expect("one Service feed is left for the manager"),
        // Our own watch on the client, decoding each line from its bytes (`watch::stream`), with the backoff
        // kube's watchers get.
        slices: feed(
            "EndpointSlice",
            stream::endpoint_slices(client.clone(), namespace).default_backoff(),
            ended.clone(),
        ),
        nodes: spawn(Api::all(client.clone()), plain(), ended.clone()),
        // Every pod is decoded (slim), only those with a readiness gate of ours are kept.
        pods: spawn(api(client, namespace), plain(), ended),
    }
}

fn spawn<K>(
    api: Api<K>,
    config: watcher::Config,
    ended: mpsc::UnboundedSender<WatchEnded>,
) -> mpsc::Receiver<Watched<K>>
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
{
    feed(&K::kind(&()), watcher(api, config).default_backoff(), ended)
}

/// Forwards a watch's `events` of `kind` on a feed of their own; reports on `ended` if they stop.
fn feed<K, E>(
    kind: &str,
    events: impl Stream<Item = Result<watcher::Event<K>, E>> + 'static,
    ended: mpsc::UnboundedSender<WatchEnded>,
) -> mpsc::Receiver<Watched<K>>
where
    K: 'static,
    E: std::fmt::Display + 'static,
{
    let (tx, rx) = mpsc::channel(AHEAD);
    let kind = kind.to_owned();
    actix::spawn(async move {
        let why = forward(&kind, events, tx).await;
        error!(kind, reason = %why.0, "watch ended; tgsync stops");
        let _ = ended.unbounded_send(why);
    });
    rx
}

/// Like `spawn`, for a kind kept in a reflector store: each event is written to `writer` before its key is
/// fed, so whoever handles the key finds the object (or a newer one) in the store.
fn spawn_stored<K>(
    api: Api<K>,
    config: watcher::Config,
    writer: Writer<K>,
    readers: usize,
    ended: mpsc::UnboundedSender<WatchEnded>,
) -> Vec<mpsc::Receiver<Watched<ObjectRef<K>>>>
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Watched<ObjectRef<K>>>(AHEAD);
    let (mut outs, ins): (Vec<_>, Vec<_>) = (0..readers).map(|_| mpsc::channel(AHEAD)).unzip();
    actix::spawn(async move {
        let kind = K::kind(&()).into_owned();
        let events = reflector(writer, watcher(api, config).default_backoff()).map_ok(keys);
        let why = forward(&kind, events, tx).await;
        error!(kind, reason = %why.0, "watch ended; tgsync stops");
        let _ = ended.unbounded_send(why);
    });
    // Each reader gets every key, and a slow one holds the watch back like a single reader would.
    actix::spawn(async move {
        while let Some(Watched(ev)) = rx.next().await {
            for out in outs.iter_mut() {
                let _ = out.send(Watched(ev.clone())).await;
            }
        }
    });
    ins
}

/// The one feed of a watch with one reader.
fn one<T>(mut feeds: Vec<mpsc::Receiver<T>>) -> mpsc::Receiver<T> {
    feeds.pop().expect("one feed was asked for")
}

/// An event of objects as the event of their keys.
pub fn keys<K: kube::Resource<DynamicType = ()>>(
    ev: watcher::Event<K>,
) -> watcher::Event<ObjectRef<K>> {
    match ev {
        watcher::Event::Apply(o) => watcher::Event::Apply(ObjectRef::from_obj(&o)),
        watcher::Event::Delete(o) => watcher::Event::Delete(ObjectRef::from_obj(&o)),
        watcher::Event::InitApply(o) => watcher::Event::InitApply(ObjectRef::from_obj(&o)),
        watcher::Event::Init => watcher::Event::Init,
        watcher::Event::InitDone => watcher::Event::InitDone,
    }
}

/// Sends every event of `events` to `tx`, waiting while the receiver is `AHEAD` behind; errors are logged
/// and counted, never fatal. Returns only when the stream ends or the receiver is gone: why it stopped.
pub async fn forward<T, E: std::fmt::Display>(
    kind: &str,
    events: impl Stream<Item = Result<watcher::Event<T>, E>>,
    mut tx: mpsc::Sender<Watched<T>>,
) -> WatchEnded {
    let mut events = std::pin::pin!(events);
    let mut errors: u64 = 0;
    while let Some(ev) = events.next().await {
        match ev {
            Ok(ev) => {
                if tx.send(Watched(ev)).await.is_err() {
                    return WatchEnded(format!("{kind} watch: the manager stopped reading"));
                }
            }
            Err(e) => {
                errors += 1;
                warn!(kind, errors, error = %e, "watch failed; retrying with backoff");
            }
        }
    }
    WatchEnded(format!("{kind} watch stream ended"))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use actix::prelude::*;
    use kube::runtime::watcher::Event;

    use super::*;

    /// Reads a feed slowly, as a manager busy with a big first list would.
    struct Slow(Rc<RefCell<Vec<u32>>>);

    impl Actor for Slow {
        type Context = Context<Self>;
    }

    impl StreamHandler<Watched<u32>> for Slow {
        fn handle(&mut self, Watched(ev): Watched<u32>, _: &mut Context<Self>) {
            if let Event::InitApply(n) = ev {
                self.0.borrow_mut().push(n);
            }
            std::thread::sleep(Duration::from_micros(50));
        }
    }

    #[actix_rt::test]
    async fn a_first_list_far_beyond_any_mailbox_arrives_whole_and_in_order() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let (tx, rx) = mpsc::channel(16);
        let s = seen.clone();
        let _reader = Slow::create(move |ctx| {
            ctx.add_stream(rx);
            Slow(s)
        });
        let events =
            futures::stream::iter((0..5_000u32).map(|n| Ok::<_, String>(Event::InitApply(n))));
        let why = forward("Pod", events, tx).await;
        assert_eq!(why, WatchEnded("Pod watch stream ended".into()));
        tokio::time::timeout(Duration::from_secs(30), async {
            while seen.borrow().len() < 5_000 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("every event reaches the reader");
        assert!(seen.borrow().iter().copied().eq(0..5_000));
    }

    #[actix_rt::test]
    async fn errors_are_survived_and_a_gone_reader_ends_the_watch() {
        let (tx, mut rx) = mpsc::channel(4);
        let events = futures::stream::iter(vec![
            Err("410 Gone".to_owned()),
            Ok(Event::Apply(1u32)),
            Err("connection reset".to_owned()),
            Ok(Event::Apply(2u32)),
        ]);
        forward("Service", events, tx).await;
        let got: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok())
            .filter_map(|Watched(ev)| match ev {
                Event::Apply(n) => Some(n),
                _ => None,
            })
            .collect();
        assert_eq!(got, [1, 2]);

        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let events = futures::stream::iter(vec![Ok::<_, String>(Event::Apply(1u32))]);
        let why = forward("Node", events, tx).await;
        assert_eq!(why.0, "Node watch: the manager stopped reading");
    }
}
