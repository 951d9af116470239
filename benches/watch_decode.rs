//! Bench (c): EndpointSlice watch-event JSON bytes to batched ELB calls, stage by stage, beside the cost of
//! decoding the same bytes into k8s-openapi's full `EndpointSlice`.
//!
//! Churn model: slices of up to 100 endpoints, each update changing 2 of them as in a rolling update: one pod
//! becomes ready, one terminates (and the longest-draining pod is replaced by a new not-ready one, which changes
//! no target). A ring of 64 successive MODIFIED events of one 100-endpoint slice (~29 KB each, generated as the
//! endpointslice controller writes them) is decoded round-robin, one event per iteration: `Throughput::Elements(1)`.
//!
//! The two watch cases (`tgsync_watch_slim`, the daemon's path, and `kube_watcher_full`, kube's client and
//! watcher with k8s-openapi's type) read one chunked body per sample from an in-process apiserver, after an
//! empty list. Left out: the network and TLS (hyper's reading of the socket), the apiserver's own time, and
//! what the events cost downstream (the router and actors are timed by `slim_to_batched_calls` and bench (a)).

mod support;

use std::fmt::Display;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use futures::{pin_mut, Stream, StreamExt};
use kube::runtime::{watcher, WatchStreamExt};
use kube::Api;
use support::fake_apiserver::{client_streaming, watch_body};
use tgsync::watch::{stream, SERVICE_NAME_LABEL};

use actix::Actor;
use support::{drain, paused_system, settle, InstantElb};
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::TargetGroupKey;
use tgsync_actors::target_group::{Router, TargetGroupActor, TgConfig};

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::WatchEvent;
use tgsync::watch::{SlimWatchEvent, ZoneInterner};
use tgsync_loadtest::watch_sample::{rolling_update_events, SampleParams};

const RING: usize = 64;

/// Successive events of one slice, handed out in turn so no iteration decodes the bytes the last one did.
struct Ring<'a> {
    events: &'a [Vec<u8>],
    next: usize,
}

impl<'a> Ring<'a> {
    fn new(events: &'a [Vec<u8>]) -> Self {
        Ring { events, next: 0 }
    }

    fn next(&mut self) -> &'a [u8] {
        let event = &self.events[self.next];
        self.next = (self.next + 1) % self.events.len();
        event
    }
}

fn full(group: &mut BenchmarkGroup<'_, WallTime>, events: &[Vec<u8>]) {
    group.bench_function("k8s_openapi_full", |b| {
        let mut ring = Ring::new(events);
        b.iter(|| {
            serde_json::from_slice::<WatchEvent<EndpointSlice>>(black_box(ring.next()))
                .expect("sample events decode")
        })
    });
}

fn slim(group: &mut BenchmarkGroup<'_, WallTime>, events: &[Vec<u8>]) {
    group.bench_function("slim", |b| {
        let mut ring = Ring::new(events);
        b.iter(|| SlimWatchEvent::from_slice(black_box(ring.next())).expect("sample events decode"))
    });
}

fn slim_to_snapshot(group: &mut BenchmarkGroup<'_, WallTime>, events: &[Vec<u8>]) {
    group.bench_function("slim_to_snapshot", |b| {
        let mut ring = Ring::new(events);
        let mut zones = ZoneInterner::new();
        b.iter(|| {
            let event =
                SlimWatchEvent::from_slice(black_box(ring.next())).expect("sample events decode");
            event.slice().and_then(|s| s.to_snapshot(&mut zones))
        })
    });
}

/// The honest end to end: watch-event bytes decoded, turned into snapshots, routed to a target group
/// actor (100 targets) that diffs, batches and calls an ELB that answers at once. Each sample ends by letting
/// every batch window close, so every change reaches a call inside the measured time.
fn end_to_end(group: &mut BenchmarkGroup<'_, WallTime>, events: &[Vec<u8>]) {
    group.bench_function("slim_to_batched_calls", |b| {
        let system = paused_system();
        let elb = InstantElb::default();
        let mut router = Router::default();
        system.block_on(async {
            let budget = ApiBudget::new(BudgetConfig::unlimited()).start();
            let service = SlimWatchEvent::from_slice(&events[0])
                .ok()
                .and_then(|e| {
                    e.slice()
                        .and_then(|s| s.to_snapshot(&mut ZoneInterner::new()))
                })
                .map(|s| s.service)
                .expect("sample events decode into a snapshot");
            let actor = TargetGroupActor::new(
                TargetGroupKey::new("tg"),
                TgConfig::default(),
                Rc::new(elb.clone()),
                budget,
            )
            .start();
            router.bind(service, actor);
        });
        let mut ring = Ring::new(events);
        let mut zones = ZoneInterner::new();
        b.iter_custom(|iters| {
            system.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let event = SlimWatchEvent::from_slice(black_box(ring.next()))
                        .expect("sample events decode");
                    if let Some(snap) = event.slice().and_then(|s| s.to_snapshot(&mut zones)) {
                        router.route(snap);
                    }
                    if i % 1024 == 1023 {
                        drain().await;
                    }
                }
                settle(&elb).await;
                start.elapsed()
            })
        })
    });
}

/// The path the daemon runs: watch-event lines through the EndpointSlice watch of our own on kube's client
/// (each line split from the body's chunks and decoded from its bytes), with the daemon's backoff, into the
/// events the controller receives. Per sample: one list and one watch request.
fn through_own_watch(group: &mut BenchmarkGroup<'_, WallTime>, events: &[Vec<u8>]) {
    time_watch(group, "tgsync_watch_slim", events, |client| {
        stream::endpoint_slices(client, None).default_backoff()
    });
}

/// What the daemon ran before: kube's client (each line framed into a `String`, then
/// `serde_json::from_str`) and kube-runtime's watcher with the daemon's backoff, into k8s-openapi's full
/// `EndpointSlice`.
fn through_kube_full(group: &mut BenchmarkGroup<'_, WallTime>, events: &[Vec<u8>]) {
    time_watch(group, "kube_watcher_full", events, |client| {
        let api: Api<EndpointSlice> = Api::all(client);
        let config = watcher::Config::default().labels(SERVICE_NAME_LABEL);
        watcher(api, config).default_backoff()
    });
}

/// Times a watch over a body of `iters` events until it has applied them all.
fn time_watch<S, K, E>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    events: &[Vec<u8>],
    watch: impl Fn(kube::Client) -> S,
) where
    S: Stream<Item = Result<watcher::Event<K>, E>>,
    E: Display,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let body = watch_body(events, iters as usize);
            rt.block_on(async {
                let client = client_streaming(body);
                let start = Instant::now();
                let stream = watch(client);
                pin_mut!(stream);
                let mut seen = 0;
                while seen < iters {
                    match stream.next().await {
                        Some(Ok(watcher::Event::Apply(obj))) => {
                            black_box(obj);
                            seen += 1;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => panic!("the watch failed: {e}"),
                        None => panic!("the watch ended after {seen} events"),
                    }
                }
                start.elapsed()
            })
        })
    });
}

/// One group so every stage of the end-to-end path reports side by side; the actor stage joins here.
fn watch_decode(c: &mut Criterion) {
    let events = rolling_update_events(SampleParams::default(), RING);
    let mut group = c.benchmark_group("watch_decode");
    group.throughput(Throughput::Elements(1));
    // The goal's pair first, back to back, so they see the same load.
    through_own_watch(&mut group, &events);
    through_kube_full(&mut group, &events);
    full(&mut group, &events);
    slim(&mut group, &events);
    slim_to_snapshot(&mut group, &events);
    end_to_end(&mut group, &events);
    group.finish();
}

criterion_group!(benches, watch_decode);
criterion_main!(benches);
